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


def check_int(value, name, *, minimum=None):
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, onp.integer)):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def check_real(value, name, *, minimum=None, strict=False):
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, onp.floating, onp.integer)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    value = float(value)
    if not onp.isfinite(value):
        raise ValueError(f"{name}: expected a finite number, got {value}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        rel = ">" if strict else ">="
        raise ValueError(f"{name}: expected a number {rel} {minimum}, got {value}")
    return value


def check_X(X, name="X"):
    """A finite float array of shape (n, d) with n >= 1."""
    try:
        X = onp.asarray(X, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected a numeric array of shape (n, d)") from err
    if X.ndim != 2:
        raise ValueError(f"{name}: expected a 2-D array of shape (n, d), got shape {X.shape}")
    if X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"{name}: expected at least one sample and one feature, got shape {X.shape}")
    if not onp.all(onp.isfinite(X)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return X


def check_y(y, n=None, name="y"):
    """Labels in {-1, +1} as a float vector of length n."""
    try:
        y = onp.asarray(y, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected an array of labels in {{-1, +1}}") from err
    if y.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of labels, got shape {y.shape}")
    if n is not None and y.shape[0] != n:
        raise ValueError(f"{name}: expected {n} labels (one per row of X), got {y.shape[0]}")
    if not onp.all(onp.isin(y, (-1.0, 1.0))):
        bad = onp.unique(y[~onp.isin(y, (-1.0, 1.0))])[:3]
        raise ValueError(f"{name}: labels must be -1 or +1, found {bad.tolist()}")
    return y


def check_Xy(X, y):
    X = check_X(X)
    return X, check_y(y, X.shape[0])
