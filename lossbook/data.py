"""Data generators in scikit-learn style, and the papers' data assumptions checked on (X, y).

Every generator returns ``(X, y)`` with X of shape (n_samples, n_features) and y in {−1, +1};
options are keyword-only and randomness comes from ``random_state``. Basis vectors are
indexed from 0: ``pos_basis=(0, 1)`` means U₊ = {e1, e2} in the papers' notation.
"""
from dataclasses import dataclass

import numpy as onp
from scipy.optimize import linprog, nnls

from ._validation import (
    DATA_LIMIT,
    check_bool,
    check_int,
    check_pair,
    check_random_state,
    check_real,
    check_Xy,
)

#: make_separable_data draws at most this many rounds of 4·n_samples points before it gives up
_MAX_ROUNDS = 1000


def _check_basis(basis, d, name):
    try:
        basis = tuple(int(i) for i in basis)
    except (TypeError, ValueError, OverflowError) as err:
        raise TypeError(f"{name}: expected a tuple of coordinate indices") from err
    if not basis:
        raise ValueError(f"{name}: expected at least one coordinate index")
    if len(set(basis)) != len(basis) or min(basis) < 0 or max(basis) >= d:
        raise ValueError(f"{name}: expected distinct indices in [0, {d - 1}] (n_features = {d}), "
                         f"got {basis}")
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
    scale = check_real(scale, "scale", minimum=0.0, strict=True, maximum=DATA_LIMIT / 100)
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
    Returns X (n_samples, n_features), y (n_samples,), positives first. A margin that the
    Gaussian rarely reaches (beyond about 4) raises a ValueError after 1000 rounds of draws.
    """
    d = check_int(n_features, "n_features", minimum=1)
    margin = check_real(margin, "margin", minimum=0.0, strict=True)
    bias = check_bool(bias, "bias")
    n_pos, n_neg = _class_sizes(n_samples, pos_fraction)
    rng = check_random_state(random_state)
    w = rng.standard_normal(d)
    w /= onp.linalg.norm(w)
    b = rng.uniform(-0.5, 0.5) if bias else 0.0
    pos, neg = [], []
    for _ in range(_MAX_ROUNDS):
        if len(pos) >= n_pos and len(neg) >= n_neg:
            break
        x = rng.standard_normal((4 * (n_pos + n_neg), d))
        s = x @ w + b
        pos.extend(x[s >= margin])
        neg.extend(x[s <= -margin])
    else:
        if len(pos) < n_pos or len(neg) < n_neg:
            raise ValueError(f"margin: no {n_samples} standard Gaussian points with |wᵀx + b| >= "
                             f"{margin:g} in {_MAX_ROUNDS} rounds of draws; expected a smaller "
                             "margin (below about 4)")
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
    bias = check_bool(bias, "bias")
    A = X if not bias else onp.hstack([X, onp.ones((len(X), 1))])
    if _least_squares_separates(A, y):
        return True
    if _nonnegative_combination_vanishes(A, y):
        return False
    res = linprog(onp.zeros(A.shape[1]), A_ub=-(y[:, None] * A), b_ub=-onp.ones(len(y)),
                  bounds=[(None, None)] * A.shape[1], method="highs")
    if res.status not in (0, 2):
        raise RuntimeError(f"linear program failed: {res.message}")
    return res.status == 0


def _least_squares_separates(A, y):
    """Whether the least-squares fit w of A w ≈ y separates the samples by a wide margin,
    m = min_i y_i (A w)_i > 10⁻³·max_i |(A w)_i|, with v = w / m of moderate size (‖v‖∞ ≤ 10⁴).
    Then v is a well-scaled feasible point of is_linearly_separable's linear program, so its
    answer is True without calling the solver (the common case of clearly separable data).
    Anything closer to the boundary, or needing large weights (which HiGHS's tolerances may
    reject), goes to the solver."""
    w = onp.linalg.lstsq(A, y, rcond=None)[0]
    f = A @ w
    if not (onp.all(onp.isfinite(f)) and onp.all(onp.isfinite(w))):
        return False
    m, scale = float(onp.min(y * f)), float(onp.max(onp.abs(f)))
    return bool(m > 1e-3 * scale and scale > 0 and onp.max(onp.abs(w)) <= 1e4 * m)


def _nonnegative_combination_vanishes(A, y):
    """Whether weights λ ≥ 0 with Σλ_i = 1 make Σ λ_i y_i a_i vanish to rounding
    (‖·‖∞ ≤ 10⁻¹²·max |A|), found by non-negative least squares: a Farkas certificate that
    y_i aᵢᵀw ≥ 1 ∀i is infeasible (it would give 0 = Σλ_i y_i aᵢᵀw ≥ 1), or at least needs
    ‖w‖₁ ≥ 10¹²/max |A|, far beyond what the solver accepts. Then is_linearly_separable's
    answer is False without calling the solver; otherwise the solver decides."""
    M = onp.vstack([(y[:, None] * A).T, onp.ones(len(y))])
    b = onp.zeros(len(M))
    b[-1] = 1.0
    try:
        lam = nnls(M, b)[0]
    except RuntimeError:  # nnls ran out of iterations: no certificate
        return False
    total = float(lam.sum())
    if not total > 0:
        return False
    r = (y * lam) @ A / total
    return bool(onp.max(onp.abs(r)) <= 1e-12 * float(onp.max(onp.abs(A))))


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
    tol = check_real(tol, "tol", minimum=0.0)
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


def make_xor_data(n_samples=32, *, noise=0.25, random_state=None):
    """XOR data in the plane: four clusters at (±1, ±1), labelled y = sign(x₁x₂).

    ``n_samples`` (a multiple of 4) points, n/4 per cluster, Gaussian with standard deviation
    ``noise`` around its centre; positives (clusters (1, 1) and (−1, −1)) first. Not linearly
    separable (not even with a bias), but realizable by a ReLU network with four hidden
    neurons (:func:`lossbook.xor_relu_params`): NeurIPS Assumption 2 (ni-asm-2) holds for it.
    A sample whose sign of x₁x₂ disagrees with its cluster's (possible for large ``noise``)
    is redrawn, so the labelling is exactly sign(x₁x₂).
    """
    n = check_int(n_samples, "n_samples", minimum=4)
    if n % 4:
        raise ValueError(f"n_samples: expected a multiple of 4, got {n}")
    noise = check_real(noise, "noise", minimum=0.0, maximum=DATA_LIMIT / 100)
    rng = check_random_state(random_state)
    centres = onp.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    blocks = []
    for c in centres:
        pts = onp.empty((0, 2))
        while len(pts) < n // 4:
            x = c + noise * rng.standard_normal((n // 4, 2))
            pts = onp.vstack([pts, x[onp.sign(x[:, 0] * x[:, 1]) == c[0] * c[1]]])
        blocks.append(pts[:n // 4])
    X = onp.vstack(blocks)
    y = onp.concatenate([onp.ones(n // 2), -onp.ones(n // 2)])
    return X, y


# -- distributions of the loss chapter (icml-ex-1, icml-ex-b8) and the dataset chapter ---------
def make_point_interval_data(n_samples=100, *, pos_point=1.25, neg_interval=(0.0, 1.0),
                             random_state=None):
    """n i.i.d. draws from ICML Example 1's distribution (icml-ex-1), one feature.

    Y = ±1 with probability 1/2 each; X = ``pos_point`` when Y = +1 and X ~ U(neg_interval)
    when Y = −1. Labels are drawn, not balanced, so the class sizes are Binomial(n, 1/2).
    Returns X of shape (n_samples, 1) and y of shape (n_samples,).
    """
    n = check_int(n_samples, "n_samples", minimum=1)
    q = check_real(pos_point, "pos_point")
    if abs(q) > DATA_LIMIT:
        raise ValueError(f"pos_point: expected |pos_point| <= {DATA_LIMIT:g}, got {q:g}")
    lo, hi = check_pair(neg_interval, "neg_interval")
    if max(abs(lo), abs(hi)) > DATA_LIMIT:
        raise ValueError(f"neg_interval: expected values of magnitude <= {DATA_LIMIT:g}")
    if not lo < hi:
        raise ValueError(f"neg_interval: expected low < high, got ({lo}, {hi})")
    rng = check_random_state(random_state)
    y = onp.where(rng.random(n) < 0.5, 1.0, -1.0)
    x = onp.where(y > 0, q, rng.uniform(lo, hi, n))
    return x[:, None], y


def make_atom_data(n_samples=16, *, alpha=0.5, random_state=None):
    """n i.i.d. draws from the workshop's Example 1 (icml-ex-b8): four atoms in the plane.

    Positives at (α, 0) or (1, 0), negatives at (0, α) or (0, 1), each atom with probability
    1/4. Returns X (n_samples, 2), y (n_samples,) and the counts (n1, n2, m1, m2) of the
    atoms (α,0), (1,0), (0,α), (0,1) — the numbers that decide the global minima.
    """
    n = check_int(n_samples, "n_samples", minimum=1)
    alpha = check_real(alpha, "alpha")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: expected 0 < alpha < 1, got {alpha}")
    rng = check_random_state(random_state)
    atoms = onp.array([[alpha, 0.0], [1.0, 0.0], [0.0, alpha], [0.0, 1.0]])
    k = rng.integers(0, 4, n)
    X, y = atoms[k], onp.where(k < 2, 1.0, -1.0)
    return X, y, tuple(int(c) for c in onp.bincount(k, minlength=4))


def make_sphere_data(n_samples=40, *, n_features=2, radii=(2.0, 1.0), pos_fraction=0.5,
                     random_state=None):
    """Positives uniform on the sphere ‖x‖ = radii[0], negatives on ‖x‖ = radii[1].

    Realizable by a quadratic neuron network (f(x) = ‖x‖² − (r₊² + r₋²)/2 when r₊ > r₋) but,
    for r₊ ≠ r₋ and enough samples, it fails the dataset condition of icml-prop-11 and
    icml-prop-12 (:func:`check_dataset_condition`). Returns X, y, positives first.
    """
    d = check_int(n_features, "n_features", minimum=1)
    r_pos, r_neg = check_pair(radii, "radii")
    for r in (r_pos, r_neg):
        check_real(r, "radii", minimum=0.0, strict=True, maximum=DATA_LIMIT)
    n_pos, n_neg = _class_sizes(n_samples, pos_fraction)
    rng = check_random_state(random_state)
    U = rng.standard_normal((n_pos + n_neg, d))
    U /= onp.linalg.norm(U, axis=1, keepdims=True)
    X = U * onp.concatenate([onp.full(n_pos, r_pos), onp.full(n_neg, r_neg)])[:, None]
    y = onp.concatenate([onp.ones(n_pos), -onp.ones(n_neg)])
    return X, y


# -- the dataset condition of ICML Props 11 and 12 ----------------------------------------------
@dataclass(frozen=True)
class DatasetCondition:
    """Answer of :func:`check_dataset_condition` (icml-prop-11, icml-prop-12).

    ``margin_pd`` = max over admissible λ of λ_min(S(λ)), ``margin_nd`` = max of λ_min(−S(λ)),
    S(λ) = Σᵢ λᵢ yᵢ xᵢ xᵢᵀ; ``margin`` is the larger. ``outcome`` is one of:

    - ``'fails'``: margin > tol (some admissible λ makes S definite: ``witness``, with
      ``definite`` 'positive' or 'negative'); or, for ``kind='prop12'`` only, an admissible λ
      gives S(λ) = 0 (``zero_witness``): the zero matrix is not indefinite, so Prop 12's
      condition fails although the margin is 0.
    - ``'holds'``: margin < −tol: every admissible S(λ) has eigenvalues of both signs.
    - ``'borderline'``: |margin| ≤ tol and no exact certificate decides it: the best S(λ) is
      semidefinite and singular up to the tolerance. The sign of a margin this small is
      solver noise (e.g. −5e-11), so it is *not* read as 'holds': ``holds`` and ``fails``
      are both False. Under Prop 12 an exactly singular semidefinite S(λ) already breaks the
      condition; under Prop 11 ("neither positive nor negative definite") it does not.

    ``tol`` is the tolerance used (absolute, = the ``tol`` argument times maxᵢ‖xᵢ‖²);
    ``reason`` says in words what decided the outcome. ``uniform_eigenvalues`` are those of
    S at the class-uniform λ (1/n₊ on positives, 1/n₋ on negatives), the λ that a constant
    output realises. ``verdict`` is the same string as ``outcome`` (its older name).
    """

    kind: str
    outcome: str
    margin: float
    margin_pd: float
    margin_nd: float
    definite: str
    witness: onp.ndarray
    witness_eigenvalues: onp.ndarray
    uniform_eigenvalues: onp.ndarray
    solver: str
    tol: float = 0.0
    reason: str = ""
    zero_witness: onp.ndarray = None

    @property
    def verdict(self):
        """The outcome ('holds', 'fails' or 'borderline'), under its older name."""
        return self.outcome

    @property
    def holds(self):
        """True only when the margin is below −tol: never for a borderline dataset."""
        return self.outcome == "holds"

    @property
    def fails(self):
        """True when some admissible S(λ) is definite, or (Prop 12) S(λ) = 0 is attained."""
        return self.outcome == "fails"

    @property
    def borderline(self):
        """True when |margin| ≤ tol and nothing exact decides the outcome."""
        return self.outcome == "borderline"

    def summary(self, digits=4):
        def fm(v):
            if v == -onp.inf:
                return "-inf"
            s = f"{v:.{digits}f}"
            return s[1:] if float(s) == 0 and s.startswith("-") else s  # no "-0.0000"
        lines = [f"condition ({self.kind})  {self.outcome}",
                 f"margin PD (max min-eig S)   {fm(self.margin_pd)}",
                 f"margin ND (max min-eig -S)  {fm(self.margin_nd)}"]
        if self.witness is not None:
            support = int(onp.sum(self.witness > 1e-6))
            ev = ", ".join(fm(e) for e in self.witness_eigenvalues)
            lines.append(f"witness: {self.definite} definite, eigenvalues ({ev}), "
                         f"support {support} of {len(self.witness)} samples")
        if self.zero_witness is not None:
            support = int(onp.sum(self.zero_witness > 1e-9))
            lines.append(f"zero witness: S(lambda) = 0 for an admissible lambda, "
                         f"support {support} of {len(self.zero_witness)} samples")
        ev = ", ".join(fm(e) for e in self.uniform_eigenvalues)
        lines.append(f"class-uniform lambda: eigenvalues ({ev})")
        if self.outcome == "borderline" or self.zero_witness is not None:
            lines.append(f"why: {self.reason}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"DatasetCondition(kind={self.kind!r}, outcome={self.outcome!r}, "
                f"margin={self.margin:.4g})")


# Residual below which S(λ) counts as the zero matrix, relative to maxᵢ‖xᵢ‖² (see
# check_dataset_condition): the rounding level of the data, far below any ``tol``.
_ZERO_S_TOL = 1e-9


def _zero_witness(Xs, y, extra):
    """An admissible λ (class sums 1) with S(λ) = 0 — and Σλyx = 0 if ``extra`` — found by a
    linear program and verified: returns λ or None. Xs is scaled so that max‖x‖ = 1."""
    n, d = Xs.shape
    iu = onp.triu_indices(d)
    rows = [(Xs[:, iu[0]] * Xs[:, iu[1]] * y[:, None]).T]  # Σᵢ λᵢ yᵢ (xᵢxᵢᵀ)_jk = 0, j ≤ k
    if extra:
        rows.append((Xs * y[:, None]).T)
    rows.append(onp.where(y > 0, 1.0, 0.0)[None])
    rows.append(onp.where(y < 0, 1.0, 0.0)[None])
    A = onp.vstack(rows)
    b = onp.zeros(A.shape[0])
    b[-2:] = 1.0
    res = linprog(onp.zeros(n), A_eq=A, b_eq=b, bounds=[(0, None)] * n, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10})
    if res.status != 0:
        return None
    lam = onp.maximum(res.x, 0.0)
    lam = onp.where(y > 0, lam / lam[y > 0].sum(), lam / lam[y < 0].sum())
    S = (Xs * (lam * y)[:, None]).T @ Xs
    ok = onp.linalg.norm(S, 2) <= _ZERO_S_TOL
    if extra:
        ok = ok and onp.linalg.norm(Xs.T @ (lam * y)) <= _ZERO_S_TOL
    return lam if ok else None


def _sdp_margin(Xs, y, sign, extra, solver):
    import cvxpy as cp
    n, d = Xs.shape
    lam = cp.Variable(n, nonneg=True)
    t = cp.Variable()
    S = Xs.T @ cp.diag(cp.multiply(lam, sign * y)) @ Xs
    S = (S + S.T) / 2
    cons = [cp.sum(lam[y > 0]) == 1, cp.sum(lam[y < 0]) == 1, S - t * onp.eye(d) >> 0]
    if extra:
        cons.append(Xs.T @ cp.multiply(lam, y) == 0)
    prob = cp.Problem(cp.Maximize(t), cons)
    prob.solve(solver=solver)
    return _sdp_result(prob, t, lam, solver)


def _sdp_result(prob, t, lam, solver):
    # a solved margin SDP: (t, λ⁺), or (−inf, None) when infeasible
    if prob.status in ("infeasible", "infeasible_inaccurate"):
        return -onp.inf, None
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"check_dataset_condition: solver {solver} returned {prob.status}")
    return float(t.value), onp.maximum(onp.asarray(lam.value, dtype=float), 0.0)


#: compiled SDPs of :func:`_sdp_margin_compiled`, one per (n, d, extra, solver): the data enter as
#: cvxpy Parameters, so a new dataset of the same shape skips cvxpy's canonicalisation
_SDP_PROBLEMS = {}


def _sdp_problem(n, d, extra, solver):
    """The SDP max t s.t. Σᵢ λᵢcᵢ ⪰ tI, λ ≥ 0, λ's class sums 1 (and Bλ = 0 if ``extra``),
    with the cᵢ (vec'd d × d matrices), the class masks and B as Parameters."""
    import cvxpy as cp

    key = (n, d, extra, solver)
    if key not in _SDP_PROBLEMS:
        lam = cp.Variable(n, nonneg=True)
        t = cp.Variable()
        C = cp.Parameter((d * d, n))  # column i: vec(sign yᵢ xᵢxᵢᵀ)
        pos, neg = cp.Parameter(n, nonneg=True), cp.Parameter(n, nonneg=True)
        S = cp.reshape(C @ lam, (d, d), order="C")
        S = (S + S.T) / 2
        cons = [pos @ lam == 1, neg @ lam == 1, S - t * onp.eye(d) >> 0]
        B = cp.Parameter((d, n)) if extra else None
        if extra:
            cons.append(B @ lam == 0)
        _SDP_PROBLEMS[key] = (cp.Problem(cp.Maximize(t), cons), lam, t, C, pos, neg, B)
    return _SDP_PROBLEMS[key]


def _sdp_margin_compiled(Xs, y, sign, extra, solver):
    """:func:`_sdp_margin` by the compiled problem of :func:`_sdp_problem` (the widgets'
    path: the same margins to the solver's tolerance, 4e-8 measured, but a maximiser λ
    that is not unique may come out as another one)."""
    n, d = Xs.shape
    prob, lam, t, C, pos, neg, B = _sdp_problem(n, d, extra, solver)
    C.value = (sign * y[:, None, None] * Xs[:, :, None] * Xs[:, None, :]).reshape(n, d * d).T
    pos.value = onp.where(y > 0, 1.0, 0.0)
    neg.value = onp.where(y < 0, 1.0, 0.0)
    if extra:
        B.value = (Xs * y[:, None]).T
    prob.solve(solver=solver)
    return _sdp_result(prob, t, lam, solver)


def check_dataset_condition(X, y, *, kind="prop12", solver="CLARABEL", tol=1e-6):
    """Decide ICML's dataset condition by a semidefinite program (icml-prop-11, icml-prop-12).

    *Admissible λ* (our reading of the statements): λᵢ ≥ 0 with Σ_{yᵢ=+1} λᵢ = Σ_{yᵢ=−1} λᵢ > 0.
    Definiteness of S(λ) = Σᵢ λᵢyᵢxᵢxᵢᵀ does not change when λ is scaled, so we normalise both
    class sums to 1. ``kind='prop11'`` adds Σᵢ λᵢyᵢxᵢ = 0 (the necessary condition of
    icml-prop-11); ``kind='prop12'`` does not (the exact condition for quadratic neurons,
    M > d, of icml-prop-12). The condition asks that S(λ) be neither positive nor negative
    definite for every admissible λ. ICML states it as "indefinite" in Prop 12 and as
    "neither positive nor negative definite" in Prop 11; they differ only when the best
    S(λ) is singular and semidefinite. A margin within ``tol`` of 0 is never read by its
    sign (a solver returns −5e-11 for an exact 0): it is 'borderline' unless an exact
    certificate decides it — for Prop 12, an admissible λ with S(λ) = 0 (a linear program,
    verified to 1e-9·maxᵢ‖xᵢ‖²) makes the condition fail, since 0 is not
    indefinite (icml-prop-12 at equal radii, issue 11 erratum 2).

    Two SDPs decide it: maximise t subject to S(λ) ⪰ tI (and S(λ) ⪯ −tI), λ admissible. Since
    the admissible set is compact the optima exist; t* > 0 exactly when some admissible λ
    gives a definite S. Solved by cvxpy with an open-source solver (``'CLARABEL'`` or
    ``'SCS'``). If Prop 11's extra equality has no solution the condition holds vacuously
    (margins −inf). ``tol`` is relative to maxᵢ‖xᵢ‖².

    Returns a :class:`DatasetCondition`: ``outcome`` in {'holds', 'fails', 'borderline'},
    ``holds``/``fails`` (both False when borderline), the margins, the witness λ and
    ``reason``.
    """
    return _dataset_condition(X, y, kind=kind, solver=solver, tol=tol, compiled=False)


def _dataset_condition(X, y, *, kind="prop12", solver="CLARABEL", tol=1e-6, compiled=False):
    """:func:`check_dataset_condition`; ``compiled=True`` solves the SDPs by the problems
    compiled once per shape (:func:`_sdp_margin_compiled`, the widgets' path)."""
    X, y = check_Xy(X, y)
    if not isinstance(kind, str) or kind not in ("prop11", "prop12"):
        raise ValueError(f"kind: expected 'prop11' or 'prop12', got {kind!r}")
    if not isinstance(solver, str) or solver not in ("CLARABEL", "SCS"):
        raise ValueError(f"solver: expected 'CLARABEL' or 'SCS', got {solver!r}")
    tol = check_real(tol, "tol", minimum=0.0)
    n_pos, n_neg = int(onp.sum(y > 0)), int(onp.sum(y < 0))
    if n_pos == 0 or n_neg == 0:
        raise ValueError("y: expected both labels -1 and +1 to occur")
    scale = float(onp.max(onp.sum(X * X, axis=1)))
    if scale == 0:
        raise ValueError("X: every sample is zero; S(λ) = 0 for every λ")
    Xs = X / onp.sqrt(scale)  # a well-scaled problem; margins are scaled back below
    extra = kind == "prop11"
    margin_of = _sdp_margin_compiled if compiled else _sdp_margin
    t_pd, lam_pd = margin_of(Xs, y, 1.0, extra, solver)
    t_nd, lam_nd = margin_of(Xs, y, -1.0, extra, solver)
    t_pd, t_nd = t_pd * scale, t_nd * scale
    margin = max(t_pd, t_nd)
    atol = tol * scale
    zero = None
    if margin > atol:
        outcome = "fails"
        reason = f"margin {margin:.3g} > tol {atol:.3g}: some admissible S(lambda) is definite"
    elif margin < -atol:
        outcome = "holds"
        reason = f"margin {margin:.3g} < -tol: every admissible S(lambda) is indefinite"
    else:
        zero = _zero_witness(Xs, y, extra)
        if zero is not None and kind == "prop12":
            outcome = "fails"
            reason = ("S(lambda) = 0 for an admissible lambda: the zero matrix is not "
                      "indefinite, so Proposition 12's condition fails (margin exactly 0)")
        elif zero is not None:
            outcome = "borderline"
            reason = ("S(lambda) = 0 for an admissible lambda with sum lambda_i y_i x_i = 0, "
                      "so the margin is >= 0; |margin| <= tol cannot tell 0 from a small "
                      "positive margin (Proposition 11 asks for no definite S)")
        else:
            outcome = "borderline"
            reason = (f"|margin| <= tol ({atol:.3g}): the best S(lambda) is semidefinite and "
                      "singular up to the tolerance; its sign is solver noise")
    if lam_pd is None:
        witness, definite, wev = None, "none", onp.array([])
    else:
        witness, definite = (lam_pd, "positive") if t_pd >= t_nd else (lam_nd, "negative")
        wev = onp.linalg.eigvalsh((X * (witness * y)[:, None]).T @ X)
    lam_u = onp.where(y > 0, 1.0 / n_pos, 1.0 / n_neg)
    uev = onp.linalg.eigvalsh((X * (lam_u * y)[:, None]).T @ X)
    return DatasetCondition(kind=kind, outcome=outcome, margin=margin, margin_pd=t_pd,
                            margin_nd=t_nd,
                            definite=definite if (outcome == "fails" and margin > atol) else "none",
                            witness=witness, witness_eigenvalues=wev, uniform_eigenvalues=uev,
                            solver=solver, tol=atol, reason=reason, zero_witness=zero)
