"""Move between nested parameter dicts and flat vectors.

Like ``autograd.misc.flatten`` but the returned ``unflatten`` also accepts an array
of shape ``(..., P)`` and gives back parameters with the same leading batch axes,
which is how a census evaluates K parameter sets in one pass.
"""
import autograd.numpy as np
import numpy as onp


def _leaves(params, prefix=()):
    if isinstance(params, dict):
        for key in sorted(params):
            yield from _leaves(params[key], prefix + (key,))
    elif isinstance(params, (list, tuple)):
        for i, value in enumerate(params):
            yield from _leaves(value, prefix + (i,))
    else:
        yield prefix, params


def _builder(template):
    """A function rebuilding ``template``'s nesting from an iterator over its leaves, in the
    order of :func:`_leaves` (the walk over the template is done once, here)."""
    if isinstance(template, dict):
        keys = sorted(template)
        subs = [_builder(template[key]) for key in keys]
        return lambda values: {key: sub(values) for key, sub in zip(keys, subs, strict=True)}
    if isinstance(template, (list, tuple)):
        kind, subs = type(template), [_builder(v) for v in template]
        return lambda values: kind(sub(values) for sub in subs)
    return next


def flatten(params, *, batch_ndim=0):
    """Flatten a nested dict/list of arrays into one vector.

    Returns ``(vector, unflatten)``. With ``batch_ndim = k`` every leaf is taken to
    carry ``k`` leading batch axes and ``vector`` has shape ``batch_shape + (P,)``.
    ``unflatten(v)`` accepts ``v`` of shape ``(..., P)`` for any leading axes.
    """
    if not isinstance(params, (dict, list, tuple)):
        raise TypeError(f"params: expected a dict (or list) of arrays, got {type(params).__name__}")
    if isinstance(batch_ndim, bool) or not isinstance(batch_ndim, (int, onp.integer)) or batch_ndim < 0:
        raise (ValueError if isinstance(batch_ndim, (int, onp.integer)) and not isinstance(batch_ndim, bool)
               else TypeError)(f"batch_ndim: expected an int >= 0, got {batch_ndim!r}")
    leaves = []
    for path, leaf in _leaves(params):
        try:
            leaf = onp.asarray(leaf, dtype=float)
        except (TypeError, ValueError) as err:
            raise TypeError(f"params: the leaf {path} is not a numeric array") from err
        if not onp.all(onp.isfinite(leaf)):
            raise ValueError(f"params: the leaf {path} contains NaN or infinite values")
        leaves.append(leaf)
    if not leaves:
        raise ValueError("params: expected at least one array, got an empty structure")
    batch_shape = leaves[0].shape[:batch_ndim]
    shapes = [leaf.shape[batch_ndim:] for leaf in leaves]
    sizes = [int(onp.prod(s)) for s in shapes]
    for leaf in leaves:
        if leaf.ndim < batch_ndim:
            raise ValueError(f"batch_ndim: every array needs {batch_ndim} leading batch axes, "
                             f"got one of shape {leaf.shape}")
        if leaf.shape[:batch_ndim] != batch_shape:
            raise ValueError(f"params: with batch_ndim={batch_ndim} every array must share the same "
                             "leading batch axes")
    vector = onp.concatenate([leaf.reshape(batch_shape + (-1,)) for leaf in leaves], axis=-1)
    offsets = onp.concatenate([[0], onp.cumsum(sizes)]).astype(int)
    template = params

    spans = [(int(offsets[i]), int(offsets[i + 1]), shapes[i]) for i in range(len(shapes))]
    build = _builder(template)

    def unflatten(v):
        shape = np.shape(v)
        if shape[-1:] != (offsets[-1],):
            raise ValueError(f"vector: expected last axis of length {offsets[-1]}, "
                             f"got {shape[-1] if shape else 'a scalar'}")
        lead = shape[:-1]
        # a plain array is cut with numpy's own reshape (views, no autograd dispatch): this runs
        # on every loss evaluation of a training
        cut = (lambda a, b, s: v[..., a:b].reshape(lead + s)) if isinstance(v, onp.ndarray) \
            else (lambda a, b, s: np.reshape(v[..., a:b], lead + s))
        return build(iter([cut(a, b, s) for a, b, s in spans]))

    return vector, unflatten

