"""Second-moment matrices S(λ) = Σᵢ λᵢyᵢxᵢxᵢᵀ of ICML's dataset condition (icml-prop-11, -12).

:func:`check_dataset_condition` decides by a semidefinite program whether some admissible λ
makes S(λ) definite. At the boundary of that question (margin 0) the certificate is an
admissible λ whose S(λ) is *singular*; the cleanest such witness is one with S(λ) = 0, which a
linear program finds when it exists. S(λ) = 0 is not indefinite, so under ICML Proposition
12 ("indefinite for every admissible λ") such a dataset *fails* the condition, while under
Proposition 11's reading ("neither positive nor negative definite") it passes.
"""
from dataclasses import dataclass

import numpy as onp
from scipy.optimize import linprog

from ._validation import check_Xy

__all__ = ["ZeroMoment", "moment_matrix", "zero_moment_weights"]


def moment_matrix(lam, X, y):
    """S(λ) = Σᵢ λᵢ yᵢ xᵢ xᵢᵀ, shape (d, d), for λ of shape (n,), X (n, d), y (n,) in {−1, +1}."""
    X, y = check_Xy(X, y)
    lam = onp.asarray(lam, dtype=float)
    if lam.shape != y.shape:
        raise ValueError(f"lam: expected shape {y.shape}, got {lam.shape}")
    return (X * (lam * y)[:, None]).T @ X


@dataclass(frozen=True)
class ZeroMoment:
    """Answer of :func:`zero_moment_weights`: an admissible λ with S(λ) = 0, or None.

    ``residual`` is max |S(λ)ᵢⱼ| in floating point (relative to maxᵢ‖xᵢ‖²), ``support`` the
    number of samples with λᵢ > 1e-9.
    """

    exists: bool
    weights: object
    residual: float
    support: int


def zero_moment_weights(X, y, *, tol=1e-9):
    """Find admissible λ (λ ≥ 0, both class sums 1) with S(λ) = Σᵢ λᵢyᵢxᵢxᵢᵀ = 0 (icml-prop-12).

    A linear feasibility problem in λ: the d(d+1)/2 entries of S(λ) vanish and the two class
    sums equal 1 (solved by scipy's HiGHS). Such a λ makes S(λ) singular and semidefinite —
    neither indefinite (Proposition 12's condition fails) nor definite. ``tol`` bounds the
    accepted residual max |S(λ)ᵢⱼ| / maxᵢ‖xᵢ‖².

    Returns a :class:`ZeroMoment`; ``exists`` is False when the program is infeasible.
    """
    X, y = check_Xy(X, y)
    if not (onp.any(y > 0) and onp.any(y < 0)):
        raise ValueError("y: expected both labels -1 and +1 to occur")
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not tol > 0:
        raise ValueError(f"tol: expected a positive number, got {tol!r}")
    n, d = X.shape
    scale = float(onp.max(onp.sum(X * X, axis=1)))
    if scale == 0:
        raise ValueError("X: every sample is zero; S(λ) = 0 for every λ")
    Xs = X / onp.sqrt(scale)
    rows, cols = onp.triu_indices(d)
    A_moment = (Xs[:, rows] * Xs[:, cols] * y[:, None]).T  # (d(d+1)/2, n)
    A_sums = onp.vstack([(y > 0).astype(float), (y < 0).astype(float)])
    A_eq = onp.vstack([A_moment, A_sums])
    b_eq = onp.concatenate([onp.zeros(len(rows)), [1.0, 1.0]])
    res = linprog(onp.zeros(n), A_eq=A_eq, b_eq=b_eq, bounds=[(0, None)] * n, method="highs")
    if res.status != 0:
        return ZeroMoment(exists=False, weights=None, residual=onp.inf, support=0)
    lam = onp.maximum(res.x, 0.0)
    residual = float(onp.max(onp.abs(moment_matrix(lam, Xs, y))))
    exists = residual <= tol
    return ZeroMoment(exists=exists, weights=lam if exists else None, residual=residual,
                      support=int(onp.sum(lam > 1e-9)))
