"""Data generators in scikit-learn style, and the papers' data assumptions checked on (X, y).

Every generator returns ``(X, y)`` with X of shape (n_samples, n_features) and y in {−1, +1};
options are keyword-only and randomness comes from ``random_state``. Basis vectors are
indexed from 0: ``pos_basis=(0, 1)`` means U₊ = {e1, e2} in the papers' notation.
"""
from dataclasses import dataclass

import numpy as onp
from scipy.optimize import linprog

from ._validation import check_int, check_random_state, check_real, check_Xy


def _check_basis(basis, d, name):
    try:
        basis = tuple(int(i) for i in basis)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name}: expected a tuple of coordinate indices") from err
    if not basis:
        raise ValueError(f"{name}: expected at least one coordinate index")
    if len(set(basis)) != len(basis) or min(basis) < 0 or max(basis) >= d:
        raise ValueError(f"{name}: expected distinct indices in [0, {d - 1}], got {basis}")
    return basis


def _class_sizes(n_samples, pos_fraction):
    n = check_int(n_samples, "n_samples", minimum=2)
    frac = check_real(pos_fraction, "pos_fraction")
    if not 0 < frac < 1:
        raise ValueError(f"pos_fraction: expected a number in (0, 1), got {frac}")
    n_pos = min(max(int(round(frac * n)), 1), n - 1)
    return n_pos, n - n_pos


def make_subspace_data(n_samples=40, *, n_features=8, pos_basis=(0, 1, 2, 3),
                       neg_basis=(2, 3, 4, 5), pos_fraction=0.5, scale=1.0, random_state=None):
    """Positives on span{e_j : j in pos_basis}, negatives on span{e_j : j in neg_basis}.

    The coefficients on each subspace are independent N(0, scale²), so any r₊ positives
    (r₋ negatives) are linearly independent with probability one (ICML Assumption 2); choose
    the bases so that neither contains the other (Assumption 3, r > max(r₊, r₋)).
    Returns X of shape (n_samples, n_features) and y of shape (n_samples,), positives first.
    """
    d = check_int(n_features, "n_features", minimum=1)
    pos = _check_basis(pos_basis, d, "pos_basis")
    neg = _check_basis(neg_basis, d, "neg_basis")
    scale = check_real(scale, "scale", minimum=0.0, strict=True)
    n_pos, n_neg = _class_sizes(n_samples, pos_fraction)
    rng = check_random_state(random_state)
    X = onp.zeros((n_pos + n_neg, d))
    X[:n_pos, pos] = scale * rng.standard_normal((n_pos, len(pos)))
    X[n_pos:, neg] = scale * rng.standard_normal((n_neg, len(neg)))
    y = onp.concatenate([onp.ones(n_pos), -onp.ones(n_neg)])
    return X, y


def make_separable_data(n_samples=40, *, n_features=2, margin=0.1, pos_fraction=0.5,
                        bias=False, random_state=None):
    """Linearly separable data (ICML Assumption 6): y·wᵀx ≥ margin for a hidden unit w.

    Points are standard Gaussian, kept only if |wᵀx + b| ≥ margin, labelled by the sign;
    b = 0 unless ``bias=True`` (the papers' Assumption 6 separates through the origin).
    Returns X (n_samples, n_features), y (n_samples,), positives first.
    """
    d = check_int(n_features, "n_features", minimum=1)
    margin = check_real(margin, "margin", minimum=0.0, strict=True)
    n_pos, n_neg = _class_sizes(n_samples, pos_fraction)
    rng = check_random_state(random_state)
    w = rng.standard_normal(d)
    w /= onp.linalg.norm(w)
    b = rng.uniform(-0.5, 0.5) if bias else 0.0
    pos, neg = [], []
    while len(pos) < n_pos or len(neg) < n_neg:
        x = rng.standard_normal((4 * (n_pos + n_neg), d))
        s = x @ w + b
        pos.extend(x[s >= margin])
        neg.extend(x[s <= -margin])
    X = onp.vstack([onp.array(pos[:n_pos]), onp.array(neg[:n_neg])])
    y = onp.concatenate([onp.ones(n_pos), -onp.ones(n_neg)])
    return X, y


def make_shared_coordinate_data(n_samples=60, *, pos_fraction=0.5, random_state=None):
    """d = 3: positives (u, g, 0), negatives (u', 0, g'), u, u' ~ U(0.5, 1.5), g, g' ~ N(0, 1).

    U₊ = {e1, e2}, U₋ = {e1, e3}: Assumptions 2–3 hold, every sample has x₁ > 0 (so a ReLU
    with weight −e1 is dead on all of them) and the data is not linearly separable with
    probability 1 − e^(−Ω(n)). Used by the counterexamples of ICML Props 2, 3 and 7.
    """
    n_pos, n_neg = _class_sizes(n_samples, pos_fraction)
    rng = check_random_state(random_state)
    X = onp.zeros((n_pos + n_neg, 3))
    X[:, 0] = rng.uniform(0.5, 1.5, n_pos + n_neg)
    X[:n_pos, 1] = rng.standard_normal(n_pos)
    X[n_pos:, 2] = rng.standard_normal(n_neg)
    y = onp.concatenate([onp.ones(n_pos), -onp.ones(n_neg)])
    return X, y


def is_linearly_separable(X, y, *, bias=False):
    """Decide by a linear program whether some w (and b if ``bias``) has y_i(wᵀx_i + b) ≥ 1 ∀i.

    Feasibility of that LP is equivalent to strict linear separability (scale any strict
    separator up). Without ``bias`` the separator passes through the origin, as in
    ICML Assumption 6.
    """
    X, y = check_Xy(X, y)
    A = X if not bias else onp.hstack([X, onp.ones((len(X), 1))])
    res = linprog(onp.zeros(A.shape[1]), A_ub=-(y[:, None] * A), b_ub=-onp.ones(len(y)),
                  bounds=[(None, None)] * A.shape[1], method="highs")
    if res.status not in (0, 2):
        raise RuntimeError(f"linear program failed: {res.message}")
    return res.status == 0


@dataclass(frozen=True)
class AssumptionReport:
    """What ICML's data assumptions say about a dataset (icml-asm-2, -3, -6; Thm 1, Prop 1)."""

    n: int
    n_pos: int
    n_neg: int
    d: int
    pos_basis: tuple
    neg_basis: tuple
    r_pos: int
    r_neg: int
    r: int
    delta_r: int
    full_rank: bool
    thm1_neurons: float
    prop1_neurons: int
    separable: bool
    separable_affine: bool

    @property
    def asm2(self):
        """Assumption 2 on the sample: each class's points span its coordinate subspace."""
        return self.full_rank

    @property
    def asm3(self):
        """Assumption 3: r > max(r₊, r₋)."""
        return self.delta_r > 0

    def summary(self):
        bound = "inf" if not onp.isfinite(self.thm1_neurons) else f"{self.thm1_neurons:g}"
        return (f"n={self.n} (n+={self.n_pos}, n-={self.n_neg}), d={self.d}\n"
                f"r+={self.r_pos}, r-={self.r_neg}, r={self.r}, delta_r={self.delta_r}\n"
                f"Assumption 2 (full rank): {self.asm2}; Assumption 3 (r > max): {self.asm3}\n"
                f"Theorem 1 needs M >= {bound}; Proposition 1 needs M >= {self.prop1_neurons}\n"
                f"linearly separable through 0: {self.separable}; with a bias: {self.separable_affine}")

    def __repr__(self):
        return (f"AssumptionReport(r+={self.r_pos}, r-={self.r_neg}, r={self.r}, "
                f"delta_r={self.delta_r}, thm1_neurons={self.thm1_neurons:g}, "
                f"separable={self.separable})")


def check_assumptions(X, y, *, tol=1e-10):
    """Measure the quantities of ICML §3 on a dataset.

    U₊ (U₋) is the set of coordinates on which some positive (negative) sample is non-zero,
    r₊ = |U₊|, r₋ = |U₋|, r = |U₊ ∪ U₋|, Δr = r − max(r₊, r₋). Theorem 1 asks for
    M ≥ 2·max(n/Δr, r₊, r₋) neurons (infinite when Δr = 0), Proposition 1 for M > r.
    ``full_rank`` says whether each class's samples span its subspace (rank r₊, r₋), the
    finite-sample face of Assumption 2; separability is decided by a linear program.
    """
    X, y = check_Xy(X, y)
    pos, neg = X[y > 0], X[y < 0]
    if len(pos) == 0 or len(neg) == 0:
        raise ValueError("y: expected both labels -1 and +1 to occur")
    U_pos = tuple(int(j) for j in onp.flatnonzero(onp.any(onp.abs(pos) > tol, axis=0)))
    U_neg = tuple(int(j) for j in onp.flatnonzero(onp.any(onp.abs(neg) > tol, axis=0)))
    r_pos, r_neg, r = len(U_pos), len(U_neg), len(set(U_pos) | set(U_neg))
    delta = r - max(r_pos, r_neg)
    full = bool(onp.linalg.matrix_rank(pos) == r_pos and onp.linalg.matrix_rank(neg) == r_neg)
    n = len(y)
    thm1 = 2 * max(n / delta, r_pos, r_neg) if delta > 0 else onp.inf
    return AssumptionReport(n=n, n_pos=len(pos), n_neg=len(neg), d=X.shape[1], pos_basis=U_pos,
                            neg_basis=U_neg, r_pos=r_pos, r_neg=r_neg, r=r, delta_r=delta,
                            full_rank=full, thm1_neurons=float(onp.ceil(thm1)) if delta > 0 else onp.inf,
                            prop1_neurons=r + 1, separable=is_linearly_separable(X, y),
                            separable_affine=is_linearly_separable(X, y, bias=True))
