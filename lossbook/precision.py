"""The loss of a single layer in high-precision arithmetic: is a flat point a minimum?

Far out in parameter space a smooth neuron saturates: with |wⱼᵀxᵢ| in the hundreds, the
softplus is, up to e^(−|z|), either 0 or linear, so the rescaling of one unit
(aⱼ, wⱼ) → (aⱼ/s, s·wⱼ), an exact invariance of a ReLU unit, changes the loss only by terms of
size e^(−|z|). float64 sees no change at all (its Hessian is zero along such directions and every
probe returns the same loss), so such a point passes every float64 test of a local minimum. In
``dps``-digit arithmetic (mpmath) the change is visible: when it is negative for every s > 1 the
point is not a local minimum but a point on a path that descends forever towards infinity
(the "minima at infinity" of the book's last chapter, ext-infinity; icml-thm-1 below its
bound in part2_subspace).

:func:`precise_loss` evaluates L(θ) of a single layer f_S(x) = a₀ + Σⱼ aⱼ σ(wⱼᵀx)
(icml-asm-4 with f_D constant) exactly from the float64 parameters (every float64 number is an
mpmath number), and :func:`unit_rescaling` the change L(θ_s) − L(θ) along the rescaling of one
unit, raising the precision until the change is resolved.
"""
from dataclasses import dataclass

import numpy as onp

from ._validation import check_choice, check_int, check_real, check_Xy
from .activations import Activation, get_activation
from .losses import Loss, get_loss

__all__ = ["RescalingCheck", "precise_loss", "unit_rescaling", "rescaling_descent"]


def _mp():
    try:
        import mpmath
    except ImportError as exc:  # pragma: no cover - mpmath is a dependency of lossbook
        raise ImportError("lossbook.precision needs mpmath (pip install mpmath)") from exc
    return mpmath


def _activation_mp(activation, mp):
    """σ in mpmath for the neurons whose formula the library knows exactly."""
    name = activation.name
    formulas = {
        "softplus": lambda z: mp.log1p(mp.exp(z)) / mp.log(2),
        "softplus_e": lambda z: mp.log1p(mp.exp(z)),
        "exponential": mp.exp,
        "sigmoid": lambda z: 1 / (1 + mp.exp(-z)),
        "tanh": mp.tanh,
        "arctan": mp.atan,
        "quadratic": lambda z: z * z,
        "linear": lambda z: z,
        "cosh": mp.cosh,
        "relu": lambda z: z if z > 0 else mp.mpf(0),
    }
    if name not in formulas:
        raise ValueError(f"activation: expected one of {', '.join(formulas)} (neurons with an exact "
                         f"mpmath formula), got {name!r}")
    return formulas[name]


def _loss_mp(loss, mp):
    """ℓ in mpmath for the losses whose formula the library knows exactly."""
    name = loss.name
    if name.startswith("polynomial_hinge(p=") or name.startswith("neurips_hinge(p="):
        p = int(name.split("=")[1].rstrip(")"))
        k = p + 1 if name.startswith("polynomial") else p
        return lambda z: (z + 1) ** k if z + 1 > 0 else mp.mpf(0)
    if name == "quadratic":
        return lambda z: (1 + z) ** 2
    if name == "logistic":
        return lambda z: mp.log1p(mp.exp(z)) / mp.log(2)
    raise ValueError(f"loss: expected a polynomial_hinge, neurips_hinge, quadratic or logistic loss "
                     f"(an exact mpmath formula), got {name!r}")


def _check_single_layer(params):
    if not isinstance(params, dict) or set(params) != {"a0", "a", "W"}:
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"params: expected the parameters of a single layer, a dict with keys "
                         f"'a0', 'a', 'W', got {got}")
    try:
        a0, a, W = (onp.asarray(params[k], dtype=float) for k in ("a0", "a", "W"))
    except (TypeError, ValueError) as err:
        raise TypeError(f"params: expected numeric arrays a0, a, W, got {err}") from err
    if a0.shape != () or a.ndim != 1 or W.ndim != 2 or W.shape[1] != a.shape[0]:
        raise ValueError(f"params: expected a0 of shape (), a of shape (M,), W of shape (d, M), got "
                         f"{a0.shape}, {a.shape}, {W.shape}")
    if not (onp.isfinite(a0) and onp.all(onp.isfinite(a)) and onp.all(onp.isfinite(W))):
        raise ValueError("params: contains NaN or infinite values")
    return a0, a, W


def _resolve(activation, loss):
    if isinstance(activation, str):
        activation = get_activation(activation)
    if not isinstance(activation, Activation):
        raise TypeError(f"activation: expected a neuron name or an Activation, got "
                        f"{type(activation).__name__}")
    if isinstance(loss, str):
        loss = get_loss(loss)
    if not isinstance(loss, Loss):
        raise TypeError(f"loss: expected a loss name or a Loss, got {type(loss).__name__}")
    return activation, loss


def _check_reduction(reduction):
    check_choice(reduction, "reduction", ("mean", "sum"))


def _loss_value(a0, a, W, X, y, sigma, ell, reduction, mp, unit=None, s=None):
    """L = (1/n) Σᵢ ℓ(−yᵢ f(xᵢ)) (or the sum) in the current mpmath precision; with ``unit``
    and ``s``, at the point where that unit is rescaled to (aⱼ/s, s·wⱼ)."""
    a0m = mp.mpf(float(a0))
    am = [mp.mpf(float(v)) for v in a]
    Wm = [[mp.mpf(float(W[k, j])) for k in range(W.shape[0])] for j in range(W.shape[1])]
    if unit is not None:
        am[unit] = am[unit] / s
        Wm[unit] = [w * s for w in Wm[unit]]
    total = mp.mpf(0)
    for xi, yi in zip(X, y, strict=True):
        xm = [mp.mpf(float(v)) for v in xi]
        f = a0m
        for aj, wj in zip(am, Wm, strict=True):
            f += aj * sigma(mp.fsum(w * x for w, x in zip(wj, xm, strict=True)))
        total += ell(-mp.mpf(float(yi)) * f)
    return total / len(y) if reduction == "mean" else total


def _check_problem(params, X, y, activation, loss):
    """The checked single layer (a0, a, W), data (X, y) and exact activation and loss."""
    a0, a, W = _check_single_layer(params)
    X, y = check_Xy(X, y)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"X: expected {W.shape[0]} features (the rows of W), got {X.shape[1]}")
    activation, loss = _resolve(activation, loss)
    return a0, a, W, X, y, activation, loss


def precise_loss(params, X, y, *, activation, loss, dps=50, reduction="mean"):
    """The empirical loss of a single layer f_S(x) = a₀ + Σⱼ aⱼ σ(wⱼᵀx) in ``dps`` digits.

    ``params``: dict with ``a0`` (), ``a`` (M,), ``W`` (d, M), as :func:`lossbook.single_layer`
    makes them; ``X`` (n, d), ``y`` (n,) in {−1, +1}. The float64 inputs are taken exactly.
    ``activation``, ``loss``: names or library objects with an exact formula (softplus, the
    exponential, sigmoid, tanh, …; the polynomial hinge, quadratic and logistic losses).
    Returns an ``mpmath.mpf``.
    """
    mp = _mp()
    a0, a, W, X, y, activation, loss = _check_problem(params, X, y, activation, loss)
    dps = check_int(dps, "dps", minimum=16)
    _check_reduction(reduction)
    with mp.workdps(dps):
        return +_loss_value(a0, a, W, X, y, _activation_mp(activation, mp), _loss_mp(loss, mp),
                            reduction, mp)


@dataclass(frozen=True)
class RescalingCheck:
    """L(θ_s) − L(θ) along the rescaling (aⱼ, wⱼ) → (aⱼ/s, s·wⱼ) of one unit j.

    ``changes[k]`` (an mpmath number) belongs to ``scales[k]``; ``dps`` is the precision that
    resolved them (every change non-zero), or the largest tried. ``descends``: every change
    is negative, so the loss falls along the rescaling for every tried s > 1.
    """

    unit: int
    scales: tuple
    changes: tuple
    dps: int
    resolved: bool

    @property
    def descends(self):
        return self.resolved and all(c < 0 for c in self.changes)

    @property
    def log10_decrease(self):
        """log10 of the largest decrease, −min(changes), as a float (it may be far below the
        smallest float64, 1e-308); None unless ``descends``."""
        if not self.descends:
            return None
        return max(self.log10_decreases)

    @property
    def log10_decreases(self):
        """log10 of each decrease −change as floats (nan where the change is not negative)."""
        mp = _mp()
        with mp.workdps(self.dps):
            return tuple(float(mp.log10(-c)) if c < 0 else float("nan") for c in self.changes)

    def summary(self):
        """One line, every number rounded to 1 significant digit (the same on any machine)."""
        mp = _mp()
        parts = ", ".join(f"s = {_fmt_scale(s)}: {mp.nstr(c, 1) if c != 0 else '0'}"
                          for s, c in zip(self.scales, self.changes, strict=True))
        return f"unit {self.unit}: L(rescaled) - L = {parts} ({self.dps} digits)"


def _fmt_scale(s):
    return f"1 + {s - 1:.0e}" if s < 1.01 else f"{s:g}"


def unit_rescaling(params, X, y, *, unit, activation, loss, scales=(1 + 1e-9, 1 + 1e-3, 2.0, 10.0), dps=50,
                   max_dps=800, reduction="mean"):
    """The change of the loss along the rescaling of unit ``unit`` of a single layer.

    For each s in ``scales`` (each > 1) computes L(θ_s) − L(θ), θ_s having aⱼ/s and s·wⱼ for
    j = ``unit`` (the other parameters unchanged), in ``dps`` digits; while some change is
    exactly zero at that precision the precision is doubled, up to ``max_dps``. For a ReLU
    unit the rescaling is an exact invariance (every change is 0); for a saturated smooth unit
    the change is of size e^(−|wⱼᵀxᵢ|). Returns a :class:`RescalingCheck`.
    """
    mp = _mp()
    a0, a, W, X, y, activation, loss = _check_problem(params, X, y, activation, loss)
    unit = check_int(unit, "unit", minimum=0)
    if unit >= a.shape[0]:
        raise ValueError(f"unit: expected an index below the width M = {a.shape[0]}, got {unit}")
    if isinstance(scales, (str, bytes, dict)) or not hasattr(scales, "__iter__"):
        raise TypeError(f"scales: expected a tuple of numbers > 1, got {type(scales).__name__}")
    scales = tuple(check_real(s, "scales") for s in scales)
    if not scales or not all(onp.isfinite(s) and s > 1 for s in scales):
        raise ValueError(f"scales: expected finite numbers > 1, got {scales}")
    dps = check_int(dps, "dps", minimum=16)
    max_dps = check_int(max_dps, "max_dps", minimum=dps)
    _check_reduction(reduction)
    sigma, ell = _activation_mp(activation, mp), _loss_mp(loss, mp)
    while True:
        with mp.workdps(dps):
            L0 = _loss_value(a0, a, W, X, y, sigma, ell, reduction, mp)
            changes = []
            for s in scales:
                Ls = _loss_value(a0, a, W, X, y, sigma, ell, reduction, mp, unit=unit, s=mp.mpf(s))
                changes.append(+(Ls - L0))
        resolved = all(c != 0 for c in changes)
        if resolved or dps >= max_dps:
            return RescalingCheck(unit=unit, scales=scales, changes=tuple(changes), dps=dps,
                                  resolved=resolved)
        dps = min(2 * dps, max_dps)


def rescaling_descent(params, X, y, *, activation, loss, scales=(1 + 1e-9, 1 + 1e-3, 2.0, 10.0), dps=50,
                      max_dps=800, reduction="mean"):
    """:func:`unit_rescaling` for every unit; returns the list of :class:`RescalingCheck`.

    ``any(c.descends for c in result)`` means the point is not a local minimum: rescaling that
    unit lowers the loss for every tried s > 1 (a path descending towards infinity).
    """
    _, a, _ = _check_single_layer(params)
    return [unit_rescaling(params, X, y, unit=j, activation=activation, loss=loss, scales=scales,
                           dps=dps, max_dps=max_dps, reduction=reduction) for j in range(a.shape[0])]
