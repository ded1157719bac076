"""Functional models as ``(init, apply)`` pairs, in the style of ``jax.example_libraries.stax``.

A :class:`Model` unpacks as ``init, apply = model``. ``init(random_state, batch=K)``
draws parameters (a dict of arrays; with ``batch=K`` every array gets a leading axis of
length K). ``apply(params, X)`` maps data ``X`` of shape (n, d) to outputs of shape
``batch_shape + (n,)``: any leading axes on the parameters are carried through, so K
parameter sets are evaluated in one vectorised pass. ``penalty(params)`` is the
regulariser the model brings (0 unless a combinator adds one).

For the certifier (:func:`lossbook.certify`) a model also tells which hidden units it has
(``model.hidden_units(params, X, index)``: for each unit its activation, the flat indices
of its incoming and outgoing coordinates and its pre-activations on X) and which exact
invariances it knows beyond the per-unit ones (``model.invariance_tangents(params, index)``);
``index`` is the parameter tree of flat coordinate numbers,
``objective.unflatten(numpy.arange(P))``.

Notation follows ICML §2–3: f_S(x) = a0 + aᵀσ(Wᵀx) (no bias inside σ), f_D a feed-forward
network with biases, f = f_S + f_D (the shortcut-like architecture, Assumption 4).
"""
from dataclasses import dataclass, field

import autograd.numpy as np
import numpy as onp

from ._validation import (
    check_bool,
    check_callable,
    check_int,
    check_optional_bool,
    check_params,
    check_random_state,
    check_real,
    check_str,
    check_X,
)
from .activations import Activation, _derivatives, get_activation


@dataclass(frozen=True)
class Unit:
    """A hidden unit of a model at given parameters, as the certifier sees it.

    ``incoming``: flat indices of the weights (and bias) that feed the unit's pre-activation;
    ``outgoing``: flat indices of the weights that multiply its output; ``pre``: its
    pre-activations on the samples, shape batch_shape + (n,). ``penalised``: the flat indices
    among them that the model's regulariser depends on (then moving them changes the loss
    even where the outputs do not: no exact invariance through them).
    """

    label: str
    activation: Activation = field(repr=False)
    incoming: onp.ndarray = field(repr=False)
    outgoing: onp.ndarray = field(repr=False)
    pre: onp.ndarray = field(repr=False)
    penalised: onp.ndarray = field(default_factory=lambda: onp.zeros(0, dtype=int), repr=False)

    @property
    def free(self):
        """True when no coordinate of the unit enters the regulariser."""
        return len(self.penalised) == 0


class Model:
    """A model: ``init(random_state=None, *, batch=None)``, ``apply(params, X)``, ``penalty(params)``.

    Optional hooks for the certifier: ``units(params, X, index)`` → list of :class:`Unit`,
    ``tangents(params, index)`` → list of ``(kind, flat_indices, values)`` exact invariance
    tangent vectors (sparse: ``values`` at ``flat_indices``, zero elsewhere),
    ``curvature(params, X, index, c)`` → ``(J, S)``, the output Jacobian and Σᵢ cᵢ ∇²fᵢ in
    flat coordinates (see :meth:`output_curvature`; a combinator that does not implement it
    for the combined network must not pass it on), ``input_weights(index)`` → the flat indices,
    shape (d, M), of weights that reach the outputs only through the pre-activations
    ``X @ W[:, j]`` (see :meth:`input_weight_index`; the same rule for combinators).
    ``inputs_only_via_weights=True`` says more: X reaches the outputs *only* through X @ W, so
    the network on inputs X Q with those weights replaced by Qᵀ W (Q with orthonormal columns)
    is the same network on inputs in span(Q), and ``curvature`` may be called there
    (:meth:`projects_inputs`; a combinator whose other part sees X must not pass it on).
    """

    def __init__(self, name, init, apply, penalty=None, *, n_features, units=None, tangents=None,
                 output_bias=None, penalised=None, curvature=None, input_weights=None,
                 inputs_only_via_weights=False):
        check_str(name, "name")
        check_callable(init, "init")
        check_callable(apply, "apply")
        check_callable(penalty, "penalty", optional=True)
        n_features = check_int(n_features, "n_features", minimum=1)
        for hook, hook_name in ((units, "units"), (tangents, "tangents"), (output_bias, "output_bias"),
                                (curvature, "curvature"), (input_weights, "input_weights")):
            check_callable(hook, hook_name, optional=True)
        check_optional_bool(penalised, "penalised")
        if check_bool(inputs_only_via_weights, "inputs_only_via_weights") and input_weights is None:
            raise ValueError("inputs_only_via_weights: True needs the input_weights hook (which "
                             "weights see X), got input_weights=None")
        self.name = name
        self._init = init
        self._apply = apply
        self._penalty = penalty
        self.n_features = n_features
        self._units = units
        self._tangents = tangents
        self._output_bias = output_bias
        self._curvature = curvature
        self._input_weights = input_weights
        self._inputs_only_via_weights = bool(inputs_only_via_weights)
        #: True when the regulariser can be non-zero (then not every output-preserving move
        #: preserves the loss)
        self.penalised = penalty is not None if penalised is None else bool(penalised)

    @property
    def has_unit_hooks(self):
        """True when the model describes its hidden units (:meth:`hidden_units`) exactly."""
        return self._units is not None or self._tangents is not None

    def output_bias(self, index):
        """The flat index of the coordinate added to every output (the output bias), or None."""
        b = None if self._output_bias is None else self._output_bias(index)
        return None if b is None else int(onp.ravel(b)[0])

    def hidden_units(self, params, X, index):
        """The hidden units at ``params`` (one parameter set or a batch) on data ``X``.

        ``index``: the parameter tree holding flat coordinate numbers
        (``objective.unflatten(numpy.arange(P))``). Returns a list of :class:`Unit`;
        empty for a model without hidden units (or without the hook).
        """
        return [] if self._units is None else list(self._units(params, onp.asarray(X, dtype=float), index))

    @property
    def has_curvature(self):
        """True when the model gives its output derivatives in closed form
        (:meth:`output_curvature`), so the certifier can skip the traced Hessian."""
        return self._curvature is not None

    def output_curvature(self, params, X, index, c):
        """The first and second derivatives of the outputs in flat coordinates.

        ``params``: one parameter set or a batch (batch shape B); ``X`` (n, d); ``index``: the
        parameter tree of flat coordinate numbers (``objective.unflatten(numpy.arange(P))``);
        ``c``: weights of shape B + (n,). Returns ``(J, S)`` with J[..., i, p] = ∂fᵢ/∂θ_p,
        shape B + (n, P), and S = Σᵢ cᵢ ∇²fᵢ, shape B + (P, P), both with autograd's
        conventions at kinks (its σ' and σ'' elementwise). Then the Hessian of
        Σᵢ gᵢ(fᵢ) is Jᵀ diag(gᵢ'') J + S with cᵢ = gᵢ'. (The hook itself also accepts X with
        the batch axes of params, B + (n, d): one sample set per parameter set.)
        """
        if self._curvature is None:
            raise ValueError(f"model: {self.name} has no curvature hook (see has_curvature)")
        if not isinstance(index, dict):
            raise TypeError(f"index: expected the parameter tree of flat indices, got {type(index).__name__}")
        batch = self.check_params(params)
        X = check_X(X)
        if X.shape[1] != self.n_features:
            raise ValueError(f"X: expected shape (n, {self.n_features}) for {self.name}, got {X.shape}")
        c = onp.asarray(c, dtype=float)
        if c.shape != tuple(batch) + (X.shape[0],):
            raise ValueError(f"c: expected shape {tuple(batch) + (X.shape[0],)} (batch shape + (n,)), "
                             f"got {c.shape}")
        return self._curvature(params, X, index, c)

    def input_weight_index(self, index):
        """The flat indices, shape (d, M), of the weights W that enter the network only through
        the pre-activations z_ij = x_iᵀ W[:, j] (a first layer without biases), or None.

        Then every derivative of the loss in those coordinates is a combination of the inputs:
        the rows and columns of the Hessian at W[:, j] lie in span{x_i : sample i contributes}
        (:func:`~lossbook.landscape.certify_batch` uses this to compute spectra on a smaller
        matrix when few samples contribute, e.g. beyond a hinge's margin).
        """
        if self._input_weights is None:
            return None
        if not isinstance(index, dict):
            raise TypeError(f"index: expected the parameter tree of flat indices, got {type(index).__name__}")
        return onp.asarray(self._input_weights(index), dtype=int)

    @property
    def projects_inputs(self):
        """True when the inputs reach the outputs only through X @ W (W: :meth:`input_weight_index`)
        and the model has a curvature hook: then ``output_curvature`` at the projected problem —
        inputs X Q, weights Qᵀ W in place of W — gives the derivatives restricted to span(Q)
        (:func:`~lossbook.landscape.certify_batch` makes its reduced Hessians so)."""
        return self._inputs_only_via_weights and self._curvature is not None

    def invariance_tangents(self, params, index):
        """Exact invariances the model knows at one parameter set beyond the per-unit ones
        (rescaling and dead units are derived from :meth:`hidden_units`): a list of
        ``(kind, flat_indices, values)``, each a tangent vector of a curve in parameter space
        along which the network's outputs do not change."""
        return [] if self._tangents is None else list(self._tangents(params, index))

    def init(self, random_state=None, *, batch=None):
        """Random parameters (a dict of arrays); ``batch=K`` adds a leading axis of length K."""
        rng = check_random_state(random_state)
        shape = () if batch is None else (check_int(batch, "batch", minimum=1),)
        return self._init(rng, shape)

    def apply(self, params, X):
        """Outputs f(x_i; params), shape ``batch_shape + (n,)``; params as from ``init``."""
        if not isinstance(X, (list, tuple, onp.ndarray)) or np.ndim(X) != 2:
            X = check_X(X)  # raises for anything that is not an (n, d) array
        if np.shape(X)[1] != self.n_features:
            raise ValueError(f"X: expected shape (n, {self.n_features}) for {self.name}, "
                             f"got {np.shape(X)}")
        if not type(X).__module__.startswith("autograd"):
            X = check_X(X)
        self.check_params(params)
        return self._apply(params, X)

    def check_params(self, params, name="params"):
        """Raise a ValueError/TypeError naming ``name`` unless ``params`` has the structure of
        ``init()`` (optionally with leading batch axes) and finite values; returns the batch
        shape."""
        if getattr(self, "_template", None) is None:
            self._template = self._init(onp.random.default_rng(0), ())
        return check_params(params, self._template, name, model_name=self.name)

    def penalty(self, params):
        """The model's regulariser: shape ``batch_shape`` (zeros when the model has none)."""
        batch = self.check_params(params)
        return self._penalty_value(params) + onp.zeros(batch)  # shape batch_shape, always

    def _penalty_value(self, params):
        """The regulariser without checking ``params`` (0.0 when the model has none): for
        combinators and the objective's inner loops, whose parameters are already checked."""
        return 0.0 if self._penalty is None else self._penalty(params)

    __call__ = apply

    def __iter__(self):
        yield self.init
        yield self.apply

    def __repr__(self):
        return f"Model({self.name})"


def _normal(rng, shape, scale):
    return scale * rng.standard_normal(shape)


def _dot_last(h, v):
    """Σ_j h[..., n, j] v[..., j]: a vector per sample, batch axes carried."""
    # a matrix-vector product: ~5x faster than multiplying and summing, gradients included
    return (h @ v[..., :, None])[..., 0]


def single_layer(n_features, n_neurons, activation="softplus", *, init_scale=1.0, **options):
    """f_S(x) = a0 + Σ_j a_j σ(w_jᵀx) with M = n_neurons neurons (ICML eq. of Assumption 4).

    Parameters: ``a0`` (), ``a`` (M,), ``W`` (d, M).
    """
    d = check_int(n_features, "n_features", minimum=1)
    m = check_int(n_neurons, "n_neurons", minimum=1)
    sigma = get_activation(activation, **options)
    scale = check_real(init_scale, "init_scale", minimum=0.0)

    def init(rng, batch):
        return {"a0": _normal(rng, batch, scale), "a": _normal(rng, batch + (m,), scale / np.sqrt(m)),
                "W": _normal(rng, batch + (d, m), scale / np.sqrt(d))}

    def apply(params, X):
        return _dot_last(sigma(X @ params["W"]), params["a"]) + params["a0"][..., None]

    def units(params, X, index):
        Z = X @ params["W"]
        return [Unit(f"unit {j + 1}", sigma, _idx(index["W"][:, j]), _idx(index["a"][j]), Z[..., j])
                for j in range(m)]

    def tangents(params, index):
        if sigma.homogeneity == 2 and sigma.real_analytic and not sigma.kinks:
            return _quadratic_fibre(params, index)
        return []

    def curvature(params, X, index, c):
        return _single_layer_curvature(sigma, params, X, index, c)

    return Model(f"single_layer(d={d}, M={m}, {sigma.name})", init, apply, n_features=d,
                 units=units, tangents=tangents, output_bias=lambda index: index["a0"],
                 curvature=curvature, input_weights=lambda index: index["W"],
                 inputs_only_via_weights=True)


def _single_layer_curvature(sigma, params, X, index, c):
    """(J, S) of f_S(x) = a0 + Σ_j a_j σ(w_jᵀx) (:meth:`Model.output_curvature`).

    ∂f/∂a0 = 1, ∂f/∂a_j = σ(z_j), ∂f/∂W_kj = a_j σ'(z_j) x_k; the only non-zero second
    derivatives are ∂²f/∂a_j∂W_kj = σ'(z_j) x_k and ∂²f/∂W_kj∂W_lj = a_j σ''(z_j) x_k x_l.
    Shapes: a (B, M), W (B, d, M), X (n, d) or (B, n, d), c (B, n) → J (B, n, P), S (B, P, P).
    """
    a = onp.asarray(params["a"], dtype=float)
    Z = X @ onp.asarray(params["W"], dtype=float)  # (B, n, M)
    with onp.errstate(over="ignore", invalid="ignore"):
        s0 = onp.asarray(sigma(Z), dtype=float) + 0.0 * Z
        s1, s2 = _derivatives(sigma.fn, Z)
        ia0, ia, iW = int(onp.ravel(index["a0"])[0]), onp.asarray(index["a"]), onp.asarray(index["W"])
        P = 1 + ia.size + iW.size
        batch = a.shape[:-1]
        J = onp.zeros(batch + (X.shape[-2], P))
        J[..., ia0] = 1.0
        J[..., ia] = s0
        J[..., iW] = (a[..., None, :] * s1)[..., :, None, :] * X[..., :, :, None]  # (B, n, d, M)
        S = onp.zeros(batch + (P, P))
        mixed = onp.einsum("...n,...nk,...nj->...kj", c, X, s1)  # (B, d, M): ∂²/∂a_j∂W_kj
        S[..., ia[None, :], iW] = mixed
        S[..., iW, ia[None, :]] = mixed
        inner = onp.einsum("...nj,...nk,...nl->...jkl", c[..., None] * s2, X, X) * a[..., :, None, None]
        S[..., iW.T[:, :, None], iW.T[:, None, :]] = inner  # (B, M, d, d): ∂²/∂W_kj∂W_lj
    return J, S


def _idx(*pieces):
    if not pieces:
        return onp.zeros(0, dtype=int)
    return onp.concatenate([onp.ravel(onp.asarray(p, dtype=int)) for p in pieces])


def _quadratic_fibre(params, index):
    """Kernel of the Jacobian of (a, W) ↦ Σ_j a_j w_j w_jᵀ: f_S(x) = a0 + xᵀ(Σ a_j w_j w_jᵀ)x
    depends on (a, W) only through this matrix, so its fibre is an exact invariance."""
    a, W = onp.asarray(params["a"], dtype=float), onp.asarray(params["W"], dtype=float)
    if a.ndim != 1:
        return []
    d, m = W.shape
    J = onp.zeros((d * d, m + d * m))
    for j in range(m):
        w = W[:, j]
        J[:, j] = onp.outer(w, w).ravel()
        for k in range(d):
            E = onp.zeros((d, d))
            E[k] += a[j] * w
            E[:, k] += a[j] * w
            J[:, m + k * m + j] = E.ravel()
    _, sv, Vt = onp.linalg.svd(J)
    rank = int(onp.sum(sv > 1e-10 * max(1.0, sv[0] if sv.size else 0.0)))
    idx = _idx(index["a"], index["W"])
    return [("quadratic fibre", idx, Vt[r]) for r in range(rank, Vt.shape[0])]


def _dense_init(rng, batch, sizes, scale):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{i}"] = _normal(rng, batch + (fan_in, fan_out), scale / np.sqrt(fan_in))
        params[f"b{i}"] = _normal(rng, batch + (fan_out,), scale * 0.1)
    return params


def _dense_hidden(params, X, n_hidden, sigma):
    h = X
    for i in range(1, n_hidden + 1):
        h = sigma(h @ params[f"W{i}"] + params[f"b{i}"][..., None, :])
    return h


def _dense_units(params, X, index, n_hidden, sigma, out_index):
    """The units of the hidden layers: unit j of layer i has incoming W_i[:, j], b_i[j] and
    outgoing row j of the next layer's weights (``out_index`` after the last layer)."""
    units, h = [], X
    for i in range(1, n_hidden + 1):
        z = h @ params[f"W{i}"] + params[f"b{i}"][..., None, :]
        nxt = index[f"W{i + 1}"] if i < n_hidden else out_index
        for j in range(z.shape[-1]):
            units.append(Unit(f"layer {i} unit {j + 1}", sigma,
                              _idx(index[f"W{i}"][:, j], index[f"b{i}"][j]), _idx(nxt[j]), z[..., j]))
        h = sigma(z)
    return units


def feedforward(n_features, hidden=(8,), activation="relu", *, init_scale=1.0, **options):
    """f_D(x) = vᵀσ(… σ(W1ᵀx + b1) …) + c: any depth, biases in every layer.

    ``hidden`` lists the widths of the hidden layers (empty: an affine model vᵀx + c).
    Parameters: ``W1, b1, …, WL, bL`` for the hidden layers, ``v`` and ``c`` for the output.
    """
    d = check_int(n_features, "n_features", minimum=1)
    hidden = _check_hidden(hidden)
    sigma = get_activation(activation, **options)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    sizes = (d,) + hidden
    L = len(hidden)

    def init(rng, batch):
        params = _dense_init(rng, batch, sizes, scale)
        params["v"] = _normal(rng, batch + (sizes[-1],), scale / np.sqrt(sizes[-1]))
        params["c"] = _normal(rng, batch, scale * 0.1)
        return params

    def apply(params, X):
        return _dot_last(_dense_hidden(params, X, L, sigma), params["v"]) + params["c"][..., None]

    def units(params, X, index):
        return _dense_units(params, X, index, L, sigma, index["v"])

    return Model(f"feedforward(d={d}, hidden={list(hidden)}, {sigma.name})", init, apply,
                 n_features=d, units=units, output_bias=lambda index: index["c"])


def _check_hidden(hidden):
    if isinstance(hidden, (int, np.integer)):
        hidden = (hidden,)
    if not isinstance(hidden, (tuple, list)):
        raise TypeError(f"hidden: expected a tuple of layer widths, got {type(hidden).__name__}")
    return tuple(check_int(h, "hidden", minimum=1) for h in hidden)


def constant(n_features):
    """f_D(x) = c: the 'f_D constant' case, where Theorem 1 reduces to the workshop's single layer."""
    d = check_int(n_features, "n_features", minimum=1)
    def curvature(params, X, index, c):  # ∂f/∂c = 1, no second derivative
        c = onp.asarray(c, dtype=float)
        P = _n_coordinates(index)
        J = onp.zeros(c.shape + (P,))
        J[..., int(onp.ravel(index["c"])[0])] = 1.0
        return J, onp.zeros(c.shape[:-1] + (P, P))

    return Model("constant", lambda rng, batch: {"c": _normal(rng, batch, 0.1)},
                 lambda params, X: params["c"][..., None] + 0.0 * X[:, 0], n_features=d,
                 units=lambda params, X, index: [], output_bias=lambda index: index["c"],
                 curvature=curvature)


def _n_coordinates(index):
    """P of a parameter tree of flat indices (its largest index + 1)."""
    leaves = [onp.ravel(onp.asarray(v)) for v in _leaves(index)]
    return 1 + max(int(v.max()) for v in leaves if v.size)


def _leaves(tree):
    if isinstance(tree, dict):
        for v in tree.values():
            yield from _leaves(v)
    else:
        yield tree


def _local(index):
    """(the subtree with its indices renumbered 0, 1, … in their order, the global indices in
    that order): a sub-model's own flat coordinates inside a combined model's."""
    flat = onp.concatenate([onp.ravel(onp.asarray(v, dtype=int)) for v in _leaves(index)])
    order = onp.sort(flat)

    def renumber(tree):  # a global index's position in the sorted order is its local number
        if isinstance(tree, dict):
            return {k: renumber(v) for k, v in tree.items()}
        return onp.searchsorted(order, onp.asarray(tree, dtype=int))

    return renumber(index), order


def shortcut(f_S, f_D):
    """The shortcut-like architecture f = f_S + f_D (ICML Fig. 1b, Assumption 4).

    Parameters: ``{'S': params of f_S, 'D': params of f_D}``.
    """
    _check_model(f_S, "f_S")
    _check_model(f_D, "f_D")
    if f_S.n_features != f_D.n_features:
        raise ValueError(f"f_D: expected {f_S.n_features} features like f_S, got {f_D.n_features}")

    def init(rng, batch):
        return {"S": f_S._init(rng, batch), "D": f_D._init(rng, batch)}

    def apply(params, X):
        return f_S._apply(params["S"], X) + f_D._apply(params["D"], X)

    def penalty(params):
        return f_S._penalty_value(params["S"]) + f_D._penalty_value(params["D"])

    def units(params, X, index):
        return ([_relabel(u, "f_S ") for u in f_S.hidden_units(params["S"], X, index["S"])]
                + [_relabel(u, "f_D ") for u in f_D.hidden_units(params["D"], X, index["D"])])

    def tangents(params, index):
        out = (f_S.invariance_tangents(params["S"], index["S"])
               + f_D.invariance_tangents(params["D"], index["D"]))
        bS, bD = f_S.output_bias(index["S"]), f_D.output_bias(index["D"])
        if bS is not None and bD is not None:  # f_S + f_D sees only the sum of the two biases
            out.append(("output-bias trade-off", onp.array([bS, bD]), onp.array([1.0, -1.0])))
        return out

    def bias(index):
        b = f_S.output_bias(index["S"])
        return f_D.output_bias(index["D"]) if b is None else b

    def curvature(params, X, index, c):
        # f = f_S + f_D on disjoint parameters: J side by side, S block-diagonal
        c = onp.asarray(c, dtype=float)
        P = _n_coordinates(index)
        J = onp.zeros(c.shape + (P,))
        S = onp.zeros(c.shape[:-1] + (P, P))
        for part, model in (("S", f_S), ("D", f_D)):
            local, at = _local(index[part])
            Jp, Sp = model._curvature(params[part], X, local, c)
            J[..., at] = Jp
            S[..., at[:, None], at[None, :]] = Sp
        return J, S

    return Model(f"{f_S.name} + {f_D.name}", init, apply, penalty, n_features=f_S.n_features,
                 units=units if f_S.has_unit_hooks and f_D.has_unit_hooks else None,
                 tangents=tangents, output_bias=bias, penalised=f_S.penalised or f_D.penalised,
                 curvature=curvature if f_S.has_curvature and f_D.has_curvature else None,
                 # f_S's first-layer weights still reach f only through X @ W
                 input_weights=((lambda index: f_S.input_weight_index(index["S"]))
                                if f_S._input_weights is not None else None))


def _relabel(unit, prefix):
    return Unit(prefix + unit.label, unit.activation, unit.incoming, unit.outgoing, unit.pre,
                unit.penalised)


def identity_shortcut(n_features, hidden=(8,), activation="relu", *, init_scale=1.0):
    """f(x) = aᵀ(x + H(x)) + b with H: R^d → R^d a feed-forward network (ICML Fig. 1a, Prop 7).

    Parameters: ``a`` (d,), ``b`` (), and H's ``W1, b1, …`` plus output ``V`` (h_L, d), ``c`` (d,).
    """
    d = check_int(n_features, "n_features", minimum=1)
    hidden = _check_hidden(hidden)
    sigma = get_activation(activation)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    sizes = (d,) + hidden
    L = len(hidden)

    def init(rng, batch):
        params = _dense_init(rng, batch, sizes, scale)
        params["V"] = _normal(rng, batch + (sizes[-1], d), scale / np.sqrt(sizes[-1]))
        params["c"] = _normal(rng, batch + (d,), scale * 0.1)
        params["a"] = _normal(rng, batch + (d,), scale / np.sqrt(d))
        params["b"] = _normal(rng, batch, scale * 0.1)
        return params

    def apply(params, X):
        H = _dense_hidden(params, X, L, sigma) @ params["V"] + params["c"][..., None, :]
        return _dot_last(X + H, params["a"]) + params["b"][..., None]

    def units(params, X, index):
        return _dense_units(params, X, index, L, sigma, index["V"])

    def tangents(params, index):
        a = onp.asarray(params["a"], dtype=float)
        if a.ndim != 1:
            return []
        # f = aᵀx + aᵀ(h(x)V + c) + b sees V and c only through Va and aᵀc
        norm2 = float(a @ a)
        perp = onp.linalg.svd(a[None])[2][1:] if norm2 > 0 else onp.eye(d)
        out = [("identity-shortcut invariance", _idx(index["V"][j]), z)
               for j in range(index["V"].shape[0]) for z in perp]
        out += [("identity-shortcut invariance", _idx(index["c"]), z) for z in perp]
        if norm2 > 0:
            out.append(("identity-shortcut invariance", _idx(index["c"], index["b"]),
                        onp.concatenate([a, [-norm2]])))
        return out

    return Model(f"identity_shortcut(d={d}, hidden={list(hidden)}, {sigma.name})", init, apply,
                 n_features=d, units=units, tangents=tangents, output_bias=lambda index: index["b"])


def _check_model(model, name):
    if not isinstance(model, Model):
        raise TypeError(f"{name}: expected a lossbook Model, got {type(model).__name__}")


def _extra_neuron(model, unit, label, lam, init_scale):
    # unit: the added neuron's Activation
    _check_model(model, "model")
    lam = check_real(lam, "lam", minimum=0.0)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    d = model.n_features

    def init(rng, batch):
        return {"net": model._init(rng, batch), "a": _normal(rng, batch, scale),
                "w": _normal(rng, batch + (d,), scale / np.sqrt(d)), "b": _normal(rng, batch, scale)}

    def apply(params, X):
        pre = _dot_last(X, params["w"]) + params["b"][..., None]
        return model._apply(params["net"], X) + params["a"][..., None] * unit(pre)

    def penalty(params):
        return model._penalty_value(params["net"]) + 0.5 * lam * params["a"] ** 2

    def units(params, X, index):
        pre = _dot_last(X, params["w"]) + params["b"][..., None]
        extra = Unit("extra neuron", unit, _idx(index["w"], index["b"]), _idx(index["a"]), pre,
                     penalised=_idx() if lam == 0 else _idx(index["a"]))
        return model.hidden_units(params["net"], X, index["net"]) + [extra]

    def tangents(params, index):
        out = model.invariance_tangents(params["net"], index["net"])
        if lam == 0 and unit.name == "exponential" and onp.ndim(params["a"]) == 0:
            # a·e^(wᵀx + b) = (a e^(−t))·e^(wᵀx + b + t)
            out.append(("exponential neuron orbit", _idx(index["a"], index["b"]),
                        onp.array([-float(params["a"]), 1.0])))
        return out

    return Model(f"{model.name} + {label} (lam={lam:g})", init, apply, penalty, n_features=d,
                 units=units if model.has_unit_hooks else None, tangents=tangents,
                 output_bias=lambda index: model.output_bias(index["net"]),
                 penalised=lam > 0 or model.penalised)


def add_exponential_neuron(model, *, lam=1.0, init_scale=1.0):
    """f̃(x) = f(x) + a·exp(wᵀx + b), with the regulariser λa²/2 (NeurIPS eqs. 3–4, ni-thm-1).

    Parameters: ``{'net': params of f, 'a': (), 'w': (d,), 'b': ()}``. ``lam = 0`` drops the
    regulariser (the ni-reg setting).
    """
    return _extra_neuron(model, get_activation("exponential"), "a·exp(wᵀx+b)", lam, init_scale)


def add_monomial_neuron(model, *, degree=2, lam=1.0, init_scale=1.0):
    """f̃(x) = f(x) + a·(wᵀx + b)^degree with λa²/2 (NeurIPS eq. 7, ni-prop-1)."""
    degree = check_int(degree, "degree", minimum=1)
    return _extra_neuron(model, get_activation("monomial", degree=degree), f"a·(wᵀx+b)^{degree}",
                         lam, init_scale)


def exponential_per_layer(n_features, hidden=(4, 4), activation="tanh", *, lam=1.0,
                          power=None, init_scale=1.0):
    """A feed-forward network with one extra exponential neuron in every hidden layer (NeurIPS eq. 5).

    Layer l has ``hidden[l-1]`` neurons σ plus one neuron exp. The regulariser (NeurIPS eq. 6)
    is (λ/2)·Σ_{l=2}^{L+1} ‖w̃_l‖_{2L}^power, where w̃_l are the weights leaving the exponential
    neuron of layer l−1 and L = len(hidden). ``power`` defaults to 2L: only then does the
    regulariser vanish to the same order as the data term along the path the proof uses (the
    text's exponent 2 is discussed in the book, ni-thm-2). Parameters: ``W1 … W{L+1}``
    ((widths + 1) columns per hidden layer; the last row of W2 … W{L+1} is w̃), ``b1 … b{L+1}``.
    """
    d = check_int(n_features, "n_features", minimum=1)
    hidden = _check_hidden(hidden)
    sigma = get_activation(activation)
    lam = check_real(lam, "lam", minimum=0.0)
    L = len(hidden)
    q = 2 * L
    power = q if power is None else check_real(power, "power", minimum=0.0, strict=True)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    sizes = (d,) + tuple(h + 1 for h in hidden) + (1,)

    def init(rng, batch):
        return _dense_init(rng, batch, sizes, scale)

    def apply(params, X):
        h = X
        for i in range(1, L + 1):
            z = h @ params[f"W{i}"] + params[f"b{i}"][..., None, :]
            h = np.concatenate([sigma(z[..., :-1]), np.exp(np.minimum(z[..., -1:], 709.0))], axis=-1)
        out = h @ params[f"W{L + 1}"] + params[f"b{L + 1}"][..., None, :]
        return out[..., 0]

    def penalty(params):
        total = 0.0
        for i in range(2, L + 2):
            s = np.sum(np.abs(params[f"W{i}"][..., -1, :]) ** q, axis=-1)  # ‖w̃‖_q^q
            # ‖w̃‖^power = s^(power/q); the where keeps the gradient finite at w̃ = 0
            safe = np.where(s > 0, s, 1.0)
            total = total + np.where(s > 0, safe ** (power / q), 0.0)
        return 0.5 * lam * total

    exp_act = get_activation("exponential")

    def units(params, X, index):
        out, h = [], X
        for i in range(1, L + 1):
            z = h @ params[f"W{i}"] + params[f"b{i}"][..., None, :]
            nxt = index[f"W{i + 1}"]
            for j in range(z.shape[-1]):
                is_exp = j == z.shape[-1] - 1
                # the regulariser weighs the rows leaving the exponential neurons: row −1 of
                # W2 … W{L+1}, i.e. an incoming weight of every unit of layer i ≥ 2
                inc, outg = _idx(index[f"W{i}"][:, j], index[f"b{i}"][j]), _idx(nxt[j])
                pen = []
                if lam > 0 and i > 1:
                    pen.append(index[f"W{i}"][-1, j])
                if lam > 0 and is_exp:
                    pen.append(outg)
                pen = _idx(*pen) if pen else _idx()
                out.append(Unit(f"layer {i} {'exponential neuron' if is_exp else f'unit {j + 1}'}",
                                exp_act if is_exp else sigma,
                                inc, outg, z[..., j], pen))
            h = np.concatenate([sigma(z[..., :-1]), np.exp(np.minimum(z[..., -1:], 709.0))], axis=-1)
        return out

    def tangents(params, index):
        if lam != 0 or onp.ndim(params["b1"]) != 1:
            return []
        # e^(z + t) = e^t e^z: shift the exponential neuron's bias, divide its outgoing row
        return [("exponential neuron orbit", _idx(index[f"b{i}"][-1], index[f"W{i + 1}"][-1]),
                 onp.concatenate([[1.0], -onp.asarray(params[f"W{i + 1}"][-1], dtype=float)]))
                for i in range(1, L + 1)]

    return Model(f"exponential_per_layer(d={d}, hidden={list(hidden)}, {sigma.name}, lam={lam:g})",
                 init, apply, penalty, n_features=d, units=units, tangents=tangents,
                 output_bias=lambda index: index[f"b{L + 1}"], penalised=lam > 0)
