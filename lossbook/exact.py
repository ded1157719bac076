"""Exact computations behind the loss chapter: population minimisers and event probabilities.

Two examples of the papers are small enough to be solved *exactly*, in rational arithmetic
(``fractions.Fraction``), instead of by an optimiser:

* icml-ex-1 — the linear model f(x) = a·x + b under a distribution with the positives at one
  point and the negatives uniform on an interval: the population quadratic loss is a convex
  quadratic in (a, b) whose normal equations only need the first two moments.
* icml-ex-b8 — quadratic neurons on four atoms (α, 0), (1, 0), (0, α), (0, 1): on these atoms
  a network a0 + Σ a_j (w_jᵀx)² can only show the three numbers a0, Q₁₁, Q₂₂, so every
  dataset is a weighted least-squares problem that can be solved in closed form.
"""
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as onp
from scipy.optimize import minimize

from ._validation import check_bool, check_int
from .losses import get_loss

#: atom_bad_event_probability enumerates ~N³/6 count vectors: the largest N it accepts with
#: exact rational arithmetic, and with floats
EXACT_MAX_SAMPLES = 64
FLOAT_MAX_SAMPLES = 2000


def _fraction(value, name):
    if isinstance(value, bool):
        raise TypeError(f"{name}: expected a number, got bool")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, (int, onp.integer)):
        return Fraction(int(value))
    if isinstance(value, (float, onp.floating)):
        if not onp.isfinite(value):
            raise ValueError(f"{name}: expected a finite number, got {value}")
        # the decimal the user typed (5/4 from 1.25), not float's binary expansion
        return Fraction(repr(float(value)))
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError as err:
            raise ValueError(f"{name}: cannot read {value!r} as a number") from err
    raise TypeError(f"{name}: expected an int, float, str or Fraction, got {type(value).__name__}")


def _interval(neg_interval):
    try:
        lo, hi = neg_interval
    except (TypeError, ValueError) as err:
        raise TypeError("neg_interval: expected a pair (low, high)") from err
    lo, hi = _fraction(lo, "neg_interval"), _fraction(hi, "neg_interval")
    if not lo < hi:
        raise ValueError(f"neg_interval: expected low < high, got ({lo}, {hi})")
    return lo, hi


@dataclass(frozen=True)
class PopulationMinimiser:
    """A minimiser (a, b) of a population loss of the linear model f(x) = a·x + b (icml-ex-1).

    ``threshold`` is −b/a (None when a = 0), ``error`` the exact probability that
    sgn f(X) ≠ Y (sgn(0) = +1), ``loss`` the population loss at (a, b). For the quadratic loss
    every field is an exact Fraction; for the polynomial hinge (a, b) and ``loss`` come
    from a numerical optimiser and ``error`` is exact for those (a, b).
    """

    loss_name: str
    a: object
    b: object
    threshold: object
    error: Fraction
    loss: object
    exact: bool

    def summary(self, digits=4):
        def show(v):
            if v is None:
                return "none"
            if isinstance(v, Fraction):
                return f"{v} = {float(v):.{digits}f}" if v.denominator != 1 else f"{v}"
            return f"{float(v):.{digits}f}"
        if self.exact or float(self.loss) >= 10 ** -digits:
            loss = show(self.loss)
        else:
            loss = "0" if float(self.loss) == 0 else f"< 1e-{digits}"
        return "\n".join([f"loss            {self.loss_name}",
                          f"a*              {show(self.a)}",
                          f"b*              {show(self.b)}",
                          f"threshold -b/a  {show(self.threshold)}",
                          f"population loss {loss}",
                          f"P(error)        {show(self.error)}"])


def linear_population_error(a, b, *, pos_point=Fraction(5, 4), neg_interval=(0, 1)):
    """Exact P[sgn(aX + b) ≠ Y] when P(Y=±1) = 1/2, X = pos_point given Y = +1 and X is uniform
    on neg_interval given Y = −1 (icml-ex-1); sgn(0) = +1, as in ICML §2.

    A positive is wrong when f(pos_point) < 0 (probability 1/2); a negative is wrong when
    f(X) ≥ 0, which for a ≠ 0 happens on a sub-interval cut at the threshold −b/a.
    """
    a, b = _fraction(a, "a"), _fraction(b, "b")
    p = _fraction(pos_point, "pos_point")
    lo, hi = _interval(neg_interval)
    pos_wrong = Fraction(1, 2) if a * p + b < 0 else Fraction(0)
    if a == 0:
        neg_frac = Fraction(1) if b >= 0 else Fraction(0)
    else:
        t = -b / a
        cut = min(max(t, lo), hi)
        neg_frac = (hi - cut) / (hi - lo) if a > 0 else (cut - lo) / (hi - lo)
    return pos_wrong + neg_frac / 2


def linear_population_minimiser(loss="quadratic", *, pos_point=Fraction(5, 4), neg_interval=(0, 1),
                                p=6):
    """Minimise the population loss E[ℓ(−Y(aX + b))] of the linear model f(x) = a·x + b under
    icml-ex-1's distribution: P(Y = ±1) = 1/2, X = pos_point if Y = +1, X ~ U(neg_interval)
    if Y = −1.

    ``loss='quadratic'`` (ℓ(z) = (1 + z)², i.e. E[(1 − Y f(X))²]): L is a strictly convex
    quadratic and its unique minimiser solves, with m₁ = E[U], m₂ = E[U²] and q = pos_point,

        a (q² + m₂) + b (q + m₁) = q − m₁,      a (q + m₁) + 2 b = 0,

    solved here in exact rational arithmetic. For q = 5/4 and U[0, 1] this gives a* = 72/35,
    b* = −9/5, threshold 7/8 and error exactly 1/16: the ICML bound of Example 1 is attained.

    ``loss='polynomial_hinge'`` (ℓ_p(z) = [max(z + 1, 0)]^(p+1)): the population loss has the
    closed form ½ ℓ_p(−(aq + b)) + ½ [F(hi) − F(lo)]/(hi − lo), F(u) = max(au + b + 1, 0)^(p+2)
    / (a (p + 2)); it is minimised numerically and the exact error of the minimiser returned.
    When lo < q < hi the loss is strictly convex near its unique minimiser, found by Newton's
    method (exact gradient and Hessian, ``_hinge_newton``). When q lies outside the
    interval the classes are separable and the minimum loss is 0, so the minimiser has zero
    error (icml-prop-8); the zero-loss set is then a polygon, and the point returned is where
    a Nelder–Mead simplex from (0, 0) stops in it. When q is an end of the interval the
    infimum 0 is not attained (|a| → ∞): ValueError.
    """
    p = check_int(p, "p", minimum=1)
    if not isinstance(loss, str) or loss not in ("quadratic", "polynomial_hinge"):
        raise ValueError(f"loss: expected 'quadratic' or 'polynomial_hinge', got {loss!r}")
    name = get_loss(loss, **({"p": p} if loss == "polynomial_hinge" else {})).name
    if loss not in ("quadratic", "polynomial_hinge"):
        raise ValueError(f"loss: expected 'quadratic' or 'polynomial_hinge', got {loss!r}")
    q = _fraction(pos_point, "pos_point")
    lo, hi = _interval(neg_interval)
    m1 = (lo + hi) / 2
    m2 = (lo * lo + lo * hi + hi * hi) / 3
    if loss == "quadratic":
        # Cramer's rule on the 2 × 2 normal equations (determinant > 0 since Var U > 0)
        A11, A12, A22, r1 = q * q + m2, q + m1, Fraction(2), q - m1
        det = A11 * A22 - A12 * A12
        a = r1 * A22 / det
        b = -A12 * r1 / det
        value = (Fraction(1, 2) * (1 - a * q - b) ** 2
                 + Fraction(1, 2) * (1 + 2 * b + b * b + 2 * a * m1 + 2 * a * b * m1 + a * a * m2))
        thr = -b / a if a != 0 else None
        return PopulationMinimiser(name, a, b, thr, linear_population_error(
            a, b, pos_point=q, neg_interval=(lo, hi)), value, True)
    if q in (lo, hi):
        raise ValueError(
            f"pos_point: expected a point off the ends of neg_interval for the polynomial "
            f"hinge, got {q} = an end of ({lo}, {hi}): there the population loss has no "
            "minimiser (its infimum 0 is approached as |a| → ∞, the threshold tending to "
            "pos_point)")
    if lo < q < hi:  # not separable: a unique minimiser, found by Newton's method
        a, b = _hinge_newton(float(q), float(lo), float(hi), p)
        value = _hinge_population_loss(a, b, float(q), float(lo), float(hi), p)
    else:  # separable: the zero-loss set is a polygon; the simplex lands on one of its points
        a, b, value = _hinge_simplex(float(q), float(lo), float(hi), p)
    thr = -b / a if a != 0 else None
    err = linear_population_error(Fraction(a), Fraction(b), pos_point=q, neg_interval=(lo, hi))
    return PopulationMinimiser(name, a, b, thr, err, value, False)


def _hinge_simplex(qf, lof, hif, p):
    """The population hinge loss minimised by Nelder–Mead from (0, 0): (a, b, loss).

    Used for separable classes (pos_point outside the interval), where every point of a
    polygon has loss 0 and the simplex stops at one of them (the one the book prints)."""
    def pop_loss(theta):
        # Python floats: the same IEEE arithmetic as numpy's scalars (and the same libm pow),
        # several times faster in the simplex's thousands of calls
        a, b = float(theta[0]), float(theta[1])
        pos = max(1.0 - (a * qf + b), 0.0) ** (p + 1)
        if abs(a) < 1e-12:
            neg = max(b + 1.0, 0.0) ** (p + 1)
        else:
            F = lambda u: max(a * u + b + 1.0, 0.0) ** (p + 2) / (a * (p + 2))  # noqa: E731
            neg = (F(hif) - F(lof)) / (hif - lof)
        return 0.5 * pos + 0.5 * neg

    def safe_loss(theta):
        # far from the minimum the powers overflow float64: there the loss is +inf, which the
        # simplex rejects (no warning, no NaN)
        try:
            value = pop_loss(theta)
        except OverflowError:
            return onp.inf
        return value if math.isfinite(value) else onp.inf

    res = minimize(safe_loss, onp.zeros(2), method="Nelder-Mead",
                   options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 4000})
    a, b = (float(v) for v in res.x)
    return a, b, float(res.fun)


#: Gauss–Legendre nodes and weights on [0, 1]: exact for polynomials of degree <= 15, so for
#: every integrand of the hinge's population loss and its derivatives with p <= 14
_GL_NODES, _GL_WEIGHTS = (v / 2 for v in onp.polynomial.legendre.leggauss(8))
_GL_NODES = _GL_NODES + 0.5


def _hinge_negatives(a, b, lof, hif, k, order):
    """∫ over [lo, hi] of d^order/dz^order max(a·u + b + 1, 0)^k times (1, u, u²) du / (hi − lo).

    The integrand is a polynomial on the part of the interval where a·u + b + 1 > 0 and 0
    elsewhere; that part is integrated by Gauss–Legendre quadrature (exact for the degrees
    met here up to rounding, :data:`_GL_NODES`)."""
    u0, u1 = lof, hif
    if a > 0:
        u0 = max(lof, -(b + 1.0) / a)
    elif a < 0:
        u1 = min(hif, -(b + 1.0) / a)
    elif b + 1.0 <= 0:
        u1 = u0
    if not u1 > u0:
        return onp.zeros(3)
    u = u0 + (u1 - u0) * _GL_NODES
    z = onp.maximum(a * u + b + 1.0, 0.0)
    coef = math.perm(k, order)  # k (k − 1) … (k − order + 1)
    w = _GL_WEIGHTS * (u1 - u0) / (hif - lof) * coef * z ** (k - order)
    return onp.array([w.sum(), (w * u).sum(), (w * u * u).sum()])


def _hinge_population_loss(a, b, qf, lof, hif, p):
    """½ max(1 − (a q + b), 0)^(p+1) + ½ E[max(a U + b + 1, 0)^(p+1)], U ~ U[lo, hi]."""
    k = p + 1
    return 0.5 * max(1.0 - (a * qf + b), 0.0) ** k + 0.5 * float(
        _hinge_negatives(a, b, lof, hif, k, 0)[0])


def _hinge_derivatives(a, b, qf, lof, hif, p):
    """The gradient (2,) and Hessian (2, 2) in (a, b) of :func:`_hinge_population_loss`."""
    k = p + 1
    r = max(1.0 - (a * qf + b), 0.0)  # the positive's residual
    n1 = _hinge_negatives(a, b, lof, hif, k, 1)
    n2 = _hinge_negatives(a, b, lof, hif, k, 2)
    g = 0.5 * onp.array([n1[1], n1[0]]) - 0.5 * k * r ** (k - 1) * onp.array([qf, 1.0])
    H = 0.5 * onp.array([[n2[2], n2[1]], [n2[1], n2[0]]])
    H += 0.5 * k * (k - 1) * r ** (k - 2) * onp.outer([qf, 1.0], [qf, 1.0])
    return g, H


def _hinge_newton(qf, lof, hif, p):
    """The minimiser (a, b) of the population hinge loss when lo < q < hi (not separable).

    The loss is convex and C^p, with a unique minimiser here; its gradient and Hessian are
    exact (up to rounding) by :func:`_hinge_negatives`. Newton's method with a backtracking
    line search from (0, 0) stops when the next step is below rounding, or when it lowers
    neither the loss nor the gradient's norm."""
    theta = onp.zeros(2)

    def derivatives(th):
        return _hinge_derivatives(th[0], th[1], qf, lof, hif, p)

    def loss(th):
        return _hinge_population_loss(th[0], th[1], qf, lof, hif, p)

    value = loss(theta)
    for _ in range(100):
        g, H = derivatives(theta)
        try:
            step = -onp.linalg.solve(H, g)
        except onp.linalg.LinAlgError:
            step = -g
        if not float(step @ g) < 0:  # not a descent direction (a singular Hessian)
            step = -g
        if onp.all(onp.abs(step) <= 1e-15 * (1.0 + onp.abs(theta))):
            break  # converged: the next step is below rounding
        if -float(step @ g) <= 1e-14 * max(abs(value), 1e-300):
            # the decrease Newton predicts is below the loss's rounding: take the full step
            # while it lowers the gradient's norm
            trial = theta + step
            if not onp.linalg.norm(derivatives(trial)[0]) < onp.linalg.norm(g):
                break
            new = loss(trial)
        else:
            t = 1.0
            while True:  # backtracking (Armijo)
                trial = theta + t * step
                new = loss(trial)
                if new < value and new <= value + 1e-4 * t * float(step @ g):
                    break
                t /= 2
                if t < 1e-10:
                    return float(theta[0]), float(theta[1])
        theta, value = trial, new
    return float(theta[0]), float(theta[1])


# -- icml-ex-b8: quadratic neurons on four atoms ---------------------------------------------
@dataclass(frozen=True)
class AtomFit:
    """The global minimum of the quadratic loss on the four atoms for one count vector.

    ``values`` are the network's outputs on (α,0), (1,0), (0,α), (0,1); ``wrong`` how many
    samples every global minimum misclassifies; ``error`` = wrong / N.
    """

    counts: tuple
    a0: Fraction
    q11: Fraction
    q22: Fraction
    values: tuple
    wrong: int
    error: Fraction


def atom_least_squares(counts, alpha):
    """Global minima of Σ_i (1 − y_i f(x_i))² for a0 + xᵀQx on the atoms of icml-ex-b8.

    ``counts`` = (n1, n2, m1, m2): samples at (α,0), (1,0) (positives) and (0,α), (0,1)
    (negatives). With M ≥ 2 quadratic neurons a0 + Σ a_j(w_jᵀx)² = a0 + xᵀQx for any symmetric
    Q, and on the atoms only (a0, Q₁₁, Q₂₂) matter. The outputs u1, u2, v1, v2 are tied by one
    linear relation, u1 − α²u2 = v1 − α²v2 (= (1 − α²)a0); minimising the weighted squares
    under it (a Lagrange multiplier κ) gives

        u1 = 1 − κ/n1,  u2 = 1 + α²κ/n2,  v1 = −1 + κ/m1,  v2 = −1 − α²κ/m2,
        κ = 2(1 − α²) / (1/n1 + α⁴/n2 + 1/m1 + α⁴/m2),

    unique when every count is positive and 0 < α < 1. Then only the atoms (α,0) (if u1 < 0)
    and (0,α) (if v1 ≥ 0) can be misclassified. If some count is 0 the constraint can be met
    on the atoms that occur and every sample is fitted exactly: error 0.
    """
    alpha = _fraction(alpha, "alpha")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: expected 0 < alpha < 1, got {alpha}")
    if isinstance(counts, (str, bytes)) or not hasattr(counts, "__len__") or len(counts) != 4:
        raise TypeError(f"counts: expected four non-negative ints (n1, n2, m1, m2), got {counts!r}")
    n1, n2, m1, m2 = (check_int(c, "counts", minimum=0) for c in counts)
    N = n1 + n2 + m1 + m2
    if N == 0:
        raise ValueError("counts: expected at least one sample")
    a2 = alpha * alpha
    if min(n1, n2, m1, m2) == 0:
        return AtomFit((n1, n2, m1, m2), None, None, None, (1, 1, -1, -1), 0, Fraction(0))
    kappa = 2 * (1 - a2) / (Fraction(1, n1) + a2 * a2 / n2 + Fraction(1, m1) + a2 * a2 / m2)
    u1, u2 = 1 - kappa / n1, 1 + a2 * kappa / n2
    v1, v2 = -1 + kappa / m1, -1 - a2 * kappa / m2
    a0 = (u1 - a2 * u2) / (1 - a2)
    wrong = (n1 if u1 < 0 else 0) + (m1 if v1 >= 0 else 0)
    return AtomFit((n1, n2, m1, m2), a0, u2 - a0, v2 - a0, (u1, u2, v1, v2), wrong,
                   Fraction(wrong, N))


def _compositions(N):
    for n1 in range(N + 1):
        for n2 in range(N + 1 - n1):
            for m1 in range(N + 1 - n1 - n2):
                yield n1, n2, m1, N - n1 - n2 - m1


def atom_bad_event_probability(alpha, n_samples, *, threshold=Fraction(1, 8), exact=True):
    """P(every global minimum of the quadratic loss misclassifies > threshold of the samples)
    for N = n_samples i.i.d. draws from icml-ex-b8's distribution (each atom w.p. 1/4).

    Every count vector (n1, n2, m1, m2) with sum N is enumerated, its least-squares problem
    solved by :func:`atom_least_squares`, and the multinomial probabilities
    N!/(n1! n2! m1! m2!) 4^(−N) of the bad ones summed. ``exact=True`` returns a Fraction
    (all arithmetic rational; α is read as the decimal it prints as); ``exact=False`` uses
    floats and log-factorials, vectorised, for larger N. The enumeration grows like N³, so N
    is limited to ``EXACT_MAX_SAMPLES`` (64) with ``exact=True`` and ``FLOAT_MAX_SAMPLES``
    (2000) with ``exact=False``.
    """
    exact = check_bool(exact, "exact")
    N = check_int(n_samples, "n_samples", minimum=1,
                  maximum=EXACT_MAX_SAMPLES if exact else FLOAT_MAX_SAMPLES)
    threshold = _fraction(threshold, "threshold")
    if exact:
        alpha = _fraction(alpha, "alpha")
        total = 0
        for c in _compositions(N):
            fit = atom_least_squares(c, alpha)
            if fit.error > threshold:
                total += math.factorial(N) // math.prod(math.factorial(k) for k in c)
        return Fraction(total, 4 ** N)
    alpha = float(_fraction(alpha, "alpha"))
    if not 0 < alpha < 1:
        raise ValueError(f"alpha: expected 0 < alpha < 1, got {alpha}")
    from scipy.special import gammaln
    a2 = alpha ** 2
    lgf = gammaln(onp.arange(N + 1) + 1.0)  # log k!, looked up instead of recomputed
    t = float(threshold)
    # Only counts that can be bad are evaluated (in the same order, so the sum is the same to
    # the last bit). With s = 1/n1 + α⁴/n2 + 1/m1 + α⁴/m2 > 1/n1 + 1/m1, "κ > n1" forces
    # n1/m1 < 1 − 2α² and "κ >= m1" forces m1/n1 < 1 − 2α², also in floating point (its
    # rounding, a few 1e-16 relative, is far inside the margin 1e-9 of q). For q < 1 the two
    # exclude each other, so a count is bad only if m1 >= n1/q and n1 > N·threshold, or
    # m1 <= n1·q and m1 > N·threshold; every other count has no wrong samples at all.
    q = 1 - 2 * a2 + 1e-9
    prune = q < 1 and t >= 0
    lo = N * t * (1 - 1e-9)
    total = 0.0
    for n1 in range(1, N + 1):
        R = N - n1 - 1  # n2, m1 <= R with n2 + m1 <= R: the counts where m2 >= 1
        if R < 1:
            break
        m1s = onp.arange(1, R, dtype=float)
        if prune:
            m1s = m1s[((m1s <= n1 * q) & (m1s >= lo)) | ((m1s * q >= n1) & (n1 >= lo))]
        # row-major over (n2, m1) with n2 + m1 <= R, the order of the full enumeration
        b, c = (v.astype(float) for v in onp.meshgrid(onp.arange(1, R), m1s, indexing="ij"))
        ok = c <= R - b
        b, c = b[ok], c[ok]
        d = N - n1 - b - c
        kappa = 2 * (1 - a2) / (1 / n1 + a2 ** 2 / b + 1 / c + a2 ** 2 / d)
        wrong = onp.where(1 - kappa / n1 < 0, n1, 0) + onp.where(-1 + kappa / c >= 0, c, 0)
        bad = wrong / N > float(threshold)
        logp = (gammaln(N + 1) - gammaln(n1 + 1) - lgf[b[bad].astype(int)] - lgf[c[bad].astype(int)]
                - lgf[d[bad].astype(int)] - N * onp.log(4.0))
        total += float(onp.sum(onp.exp(logp)))
    return total
