"""Argument checks that fail early with a message naming the argument."""
import numbers

import numpy as onp


def check_random_state(random_state):
    """Return a ``numpy.random.Generator`` from None, an int or a Generator."""
    if random_state is None:
        return onp.random.default_rng()
    if isinstance(random_state, onp.random.Generator):
        return random_state
    if isinstance(random_state, (numbers.Integral, onp.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state: expected a non-negative int, got {random_state}")
        return onp.random.default_rng(int(random_state))
    raise TypeError("random_state: expected None, an int or a numpy.random.Generator, "
                    f"got {type(random_state).__name__}")


def _scalar(value):
    """A 0-d numpy array as its element (so onp.array(3) passes where 3 does)."""
    return value.item() if isinstance(value, onp.ndarray) and value.ndim == 0 else value


def check_int(value, name, *, minimum=None, maximum=None):
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, onp.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: expected an int <= {maximum}, got {value}")
    return int(value)


def check_real(value, name, *, minimum=None, strict=False, maximum=None):
    value = _scalar(value)
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, onp.floating, onp.integer)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    value = float(value)
    if not onp.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        rel = ">" if strict else ">="
        raise ValueError(f"{name}: expected a number {rel} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name}: expected a number <= {maximum:g}, got {value:g}")
    return value


def check_X(X, name="X"):
    """A finite float array of shape (n, d) with n >= 1."""
    try:
        X = onp.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected a numeric array of shape (n, d), got "
                        f"{type(X).__name__}") from err
    if X.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array of shape (n, d), got shape {X.shape}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one sample and one feature, got shape {X.shape}")
    if not onp.all(onp.isfinite(X)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    if onp.max(onp.abs(X)) > DATA_LIMIT:
        raise ValueError(f"{name}: expected values of magnitude <= {DATA_LIMIT:g} (larger data "
                         f"overflows float64 in the losses; rescale it), got {onp.max(onp.abs(X)):g}")
    return X


def check_y(y, n=None, name="y"):
    """Labels in {-1, +1} as a float vector of length n."""
    try:
        y = onp.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected an array of labels in {{-1, +1}}") from err
    if y.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of labels, got shape {y.shape}")
    if y.shape[0] == 0:
        raise ValueError(f"{name}: expected at least one label, got an empty array")
    if n is not None and y.shape[0] != n:
        raise ValueError(f"{name}: expected {n} labels (one per row of X), got {y.shape[0]}")
    if not onp.all(onp.isin(y, (-1.0, 1.0))):
        bad = onp.unique(y[~onp.isin(y, (-1.0, 1.0))])[:3]
        raise ValueError(f"{name}: labels must be -1 or +1, found {bad.tolist()}")
    return y


def check_Xy(X, y):
    X = check_X(X)
    return X, check_y(y, X.shape[0])


# -- shared checks added for issue 13 (every public function refuses bad input clearly) -------
#: Largest magnitude accepted in a dataset X: beyond it the losses' powers (|f|^(p+1)) and
#: the Hessians overflow float64. Rescale larger data first.
DATA_LIMIT = 1e8


def check_bool(value, name):
    if not isinstance(value, (bool, onp.bool_)):
        raise TypeError(f"{name}: expected True or False, got {value!r}")
    return bool(value)


def check_optional_bool(value, name):
    return None if value is None else check_bool(value, name)


def check_choice(value, name, options):
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"{name}: expected one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def check_str(value, name, *, optional=False):
    if value is None and optional:
        return None
    if not isinstance(value, str) or (not optional and not value):
        raise TypeError(f"{name}: expected a {'' if optional else 'non-empty '}str, got {value!r}")
    return value


def check_range(value, name, low, high, *, integer=False):
    """A number in [low, high] (a widget's slider range): out of range raises, never clamps."""
    value = check_int(value, name) if integer else check_real(value, name)
    if not low <= value <= high:
        raise ValueError(f"{name}: expected a value in [{low:g}, {high:g}] (the slider's range), "
                         f"got {value:g}")
    return value


def check_array(value, name, *, ndim=None, shape=None, finite=True, nonempty=True):
    """A float array, optionally of a given number of axes and shape (None in shape: any)."""
    try:
        arr = onp.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected a numeric array, got {type(value).__name__}") from err
    if ndim is not None and arr.ndim not in ((ndim,) if isinstance(ndim, int) else ndim):
        raise ValueError(f"{name}: expected a {ndim}-D array, got shape {arr.shape}")
    if shape is not None and (arr.ndim != len(shape) or any(
            s is not None and s != a for s, a in zip(shape, arr.shape, strict=True))):
        want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name}: expected shape {want}, got {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name}: expected a non-empty array, got shape {arr.shape}")
    if finite and not onp.all(onp.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return arr


def check_grid(value, name):
    """A non-empty 1-D array of finite numbers (a grid of evaluation points)."""
    return check_array(value, name, ndim=1)


def check_radii(radii, name="radii", *, minimum_count=1, maximum=None):
    """A non-empty tuple of positive finite numbers (a number alone is one radius), each at
    most ``maximum`` if given."""
    if isinstance(radii, (numbers.Real, onp.floating, onp.integer)) and not isinstance(radii, bool):
        radii = (radii,)
    if isinstance(radii, (str, bytes, dict)) or not hasattr(radii, "__iter__"):
        raise TypeError(f"{name}: expected a tuple of positive numbers, got {type(radii).__name__}")
    radii = tuple(check_real(r, name, minimum=0.0, strict=True, maximum=maximum) for r in radii)
    if len(radii) < minimum_count:
        raise ValueError(f"{name}: expected at least {minimum_count} radius/radii, got {len(radii)}")
    return radii


def check_pair(value, name):
    """Two finite numbers (low, high)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name}: expected a pair (low, high), got {value!r}")
    return tuple(check_real(v, name) for v in value)


def check_ax(ax, name="ax"):
    if ax is None:
        return None
    import matplotlib.axes
    if not isinstance(ax, matplotlib.axes.Axes):
        raise TypeError(f"{name}: expected a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def check_callable(value, name, *, optional=False):
    if value is None and optional:
        return None
    if not callable(value):
        raise TypeError(f"{name}: expected a callable, got {type(value).__name__}")
    return value


def _is_traced(value):
    return type(value).__module__.startswith("autograd")


def check_params(params, template, name="params", *, model_name="the model"):
    """``params`` has the structure of ``template`` (a model's ``init()``): same keys, same
    shapes, optionally with the same leading batch axes on every array, and finite values.

    Returns the batch shape. Arrays traced by autograd are checked for shape only.
    """
    expected = f"the parameters of {model_name} (the structure of model.init())"
    leaves = []

    def walk(p, t, path):
        if isinstance(t, dict):
            if not isinstance(p, dict):
                where = f" at {'.'.join(path)}" if path else ""
                raise (TypeError if not path else ValueError)(
                    f"{name}: expected a dict{where}, {expected}; got {type(p).__name__}")
            if set(p) != set(t):
                missing, extra = sorted(set(t) - set(p), key=str), sorted(set(p) - set(t), key=str)
                raise ValueError(f"{name}: expected {expected}; missing keys {missing}, "
                                 f"unexpected keys {extra}")
            for k in t:
                walk(p[k], t[k], path + (str(k),))
        else:
            leaves.append((".".join(path), p, onp.shape(t)))

    walk(params, template, ())
    batch = None
    for path, leaf, shape in leaves:
        traced = _is_traced(leaf)
        if traced:
            arr_shape = onp.shape(leaf)
        else:
            try:
                arr = onp.asarray(leaf, dtype=float)
            except (TypeError, ValueError) as err:
                raise TypeError(f"{name}: {path} is not a numeric array") from err
            arr_shape = arr.shape
        k = len(arr_shape) - len(shape)
        if k < 0 or tuple(arr_shape[k:]) != tuple(shape):
            raise ValueError(f"{name}: {path} has shape {arr_shape}, expected {shape} "
                             f"(optionally with leading batch axes), {expected}")
        if batch is None:
            batch = tuple(arr_shape[:k])
        elif tuple(arr_shape[:k]) != batch:
            raise ValueError(f"{name}: {path} has batch axes {arr_shape[:k]}, others have {batch}")
        if not traced and not onp.all(onp.isfinite(arr)):
            raise ValueError(f"{name}: {path} contains NaN or infinite values")
    return batch or ()
