"""Higher-order stationarity: NeurIPS Definition 1 (ni-def-1) and Proposition 3 (ni-prop-3).

A critical point θ₀ of L is *k-th order stationary* when, for some C, ε > 0,

    L(θ) ≥ L(θ₀) − C‖θ − θ₀‖^(k+1)   for every θ with ‖θ − θ₀‖ ≤ ε.

A local minimum is k-th order stationary for every k. If the loss can drop like −c‖Δ‖^m
(the *descent order* m), the point is k-th order stationary exactly for k ≤ m − 1.

Two numerical tools measure this:

- :func:`taylor_coefficients` expands L along a polynomial curve γ(t) = θ₀ + Σᵢ tⁱ vᵢ with
  nested autograd derivatives. A curve with ‖γ(t) − θ₀‖ ~ |t|^s on which L drops like
  −|t|^m *proves* (up to rounding of the coefficients) that θ₀ is not k-th order
  stationary for k + 1 > m/s: :func:`curve_test` reads this off.
- :func:`descent_rate` estimates D(r) = min over ‖Δ‖ = r of L(θ₀ + Δ) − L(θ₀) by local
  minimisation on spheres of shrinking radius and fits the exponent m of D(r) ≈ −c rᵐ —
  evidence (not a proof) that no faster descent exists, i.e. that θ₀ *is* (m−1)-th order
  stationary.

Lines are not enough: f(x, y) = (y − x²)(y − 2x²) has a minimum at 0 along every line
through 0, yet drops like −x⁴/4 along y = 1.5x². Curves are needed.
"""
import warnings
from dataclasses import dataclass, field
from math import comb, factorial

import autograd.numpy as np
import numpy as onp
from autograd import grad
from scipy.optimize import minimize

from ._threads import one_blas_thread
from ._validation import check_array, check_int, check_radii, check_random_state, check_real
from .landscape import Objective, _TracedPair
from .models import Model

__all__ = ["taylor_coefficients", "CurveTest", "curve_test", "DescentRate", "descent_rate",
           "make_binomial_alternating_data"]


def _as_function(fun):
    """Accept an Objective (its flat ``value``) or any callable of a flat vector."""
    if isinstance(fun, Objective):
        # evaluated as a batch of one: 0-d parameter leaves would meet an autograd bug in
        # nested derivatives (indexing a 0-d array, e.g. a[..., None], breaks sparse_add)
        return (lambda theta: np.sum(fun.value(np.reshape(theta, (1, -1))))), fun.n_params
    if not callable(fun) or isinstance(fun, Model):
        raise TypeError(f"fun: expected a callable of a flat vector or an Objective, "
                        f"got {type(fun).__name__}")
    return fun, None


def _check_point(theta, n_params):
    theta = check_array(theta, "theta", finite=False, nonempty=False)
    if theta.ndim != 1 or theta.size == 0:
        raise ValueError(f"theta: expected a non-empty 1-D vector, got shape {theta.shape}")
    if n_params is not None and theta.shape[0] != n_params:
        raise ValueError(f"theta: expected length {n_params}, got {theta.shape[0]}")
    if not onp.all(onp.isfinite(theta)):
        raise ValueError("theta: contains NaN or infinite values")
    return theta


def _check_curve(curve, n):
    try:
        V = onp.asarray(curve, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError("curve: expected a vector (P,) or an array (m, P) of vectors") from err
    if V.ndim == 1:
        V = V[None]
    if V.ndim != 2 or V.shape[1] != n or V.shape[0] == 0:
        raise ValueError(f"curve: expected shape ({n},) or (m, {n}), got {onp.shape(curve)}")
    if not onp.all(onp.isfinite(V)):
        raise ValueError("curve: contains NaN or infinite values")
    if not onp.any(V != 0):
        raise ValueError("curve: expected at least one non-zero vector")
    return V


@one_blas_thread
def taylor_coefficients(fun, theta, curve, *, order=4):
    """c_j = (1/j!)·(d/dt)^j L(γ(t)) at t = 0, for j = 0, …, order (ni-def-1).

    The curve is γ(t) = θ + Σ_{i=1}^{m} tⁱ vᵢ, given as ``curve`` = v₁ (shape (P,), a
    straight line) or the stack (v₁, …, v_m) (shape (m, P)); rows may be zero, e.g.
    ``[[0, 1], [-1e-3, 0]]`` is the curve (−10⁻³t², t). The derivatives are nested autograd
    derivatives of the scalar function t ↦ L(γ(t)); ``fun`` is an
    :class:`~lossbook.landscape.Objective` or any callable of a flat vector written with
    ``autograd.numpy``. So L(γ(t)) = Σ_j c_j t^j + O(t^(order+1)) where L is smooth enough.

    Cost grows quickly with ``order`` (each level differentiates the previous graph); orders
    up to about 8 are cheap for the small problems of the book.
    """
    f, n_params = _as_function(fun)
    theta = _check_point(theta, n_params)
    order = check_int(order, "order", minimum=0)
    V = _check_curve(curve, theta.shape[0])

    def along(t):
        # tⁱ by repeated products: autograd's power rule breaks nested derivatives at t = 0
        point, tp = theta, t
        for v in V:
            if onp.any(v != 0):
                point = point + tp * v
            tp = tp * t
        return f(point)

    coeffs = []
    g = along
    for j in range(order + 1):
        with warnings.catch_warnings():
            # a curve along which L is constant: autograd warns that the output does not depend
            # on t, and the derivative it returns (0) is right
            warnings.filterwarnings("ignore", "Output seems independent of input", UserWarning)
            coeffs.append(float(g(0.0)) / factorial(j))
        if j < order:
            g = grad(g)
    return onp.array(coeffs)


@dataclass
class CurveTest:
    """What one curve says about Definition 1 (see :func:`curve_test`)."""

    coefficients: onp.ndarray = field(repr=False)
    speed: int          # s: ‖γ(t) − θ₀‖ ~ |t|^s (the first non-zero row of the curve)
    leading_order: int  # m: first j ≥ 1 with |c_j| > tol, or None if none up to ``order``
    leading_coefficient: float
    descends: bool      # L(γ(t)) < L(θ₀) for small t of some sign
    not_stationary_from: int  # not k-th order stationary for k >= this (None: no evidence)

    def summary(self, digits=4):
        """Rounded text: coefficients (tiny ones shown as 0), leading term and conclusion."""
        parts = []
        for j, c in enumerate(self.coefficients[1:], start=1):
            parts.append(f"c{j}={'0' if abs(c) < 1e-12 else _fmt(c, digits)}")
        lines = ["Taylor coefficients along the curve: " + ", ".join(parts)]
        if self.leading_order is None:
            lines.append("no non-zero coefficient up to this order: no evidence of descent")
        else:
            lead = _fmt(self.leading_coefficient, digits)
            lines.append(f"leading term: {lead}·t^{self.leading_order} "
                         f"(curve speed |t|^{self.speed})")
            if self.descends:
                rate = self.leading_order / self.speed
                lines.append(f"the loss drops along the curve like ‖Δ‖^{rate:g}: "
                             f"not k-th order stationary for k >= {self.not_stationary_from}")
            else:
                lines.append("the loss rises along the curve: no descent found on it")
        return "\n".join(lines)


def _fmt(x, digits):
    s = f"{round(float(x), digits):.{digits}f}"
    return "0." + "0" * digits if s.startswith("-") and float(s) == 0 else s


def curve_test(fun, theta, curve, *, order=6, tol=1e-10):
    """Test Definition 1 (ni-def-1) along one curve γ(t) = θ + Σ tⁱ vᵢ (as in taylor_coefficients).

    With s the index of the first non-zero vᵢ (so ‖γ(t) − θ‖ ≈ ‖v_s‖·|t|^s) and m the first
    j ≥ 1 with |c_j| > ``tol``, the loss along the curve is L(θ) + c_m t^m + O(t^(m+1)). It
    *descends* when m is odd or c_m < 0; then L drops like ‖Δ‖^(m/s), which contradicts
    L ≥ L(θ) − C‖Δ‖^(k+1) for every k with k + 1 > m/s: the point is not k-th order
    stationary for k ≥ ⌊m/s⌋. A curve that does not descend proves nothing about other curves.
    Returns a :class:`CurveTest`.
    """
    f, n_params = _as_function(fun)
    theta = _check_point(theta, n_params)
    tol = check_real(tol, "tol", minimum=0.0)
    order = check_int(order, "order", minimum=1)
    V = _check_curve(curve, theta.shape[0])
    c = taylor_coefficients(fun, theta, V, order=order)
    speed = int(onp.argmax(onp.any(V != 0, axis=1))) + 1
    nz = [j for j in range(1, order + 1) if abs(c[j]) > tol]
    if not nz:
        return CurveTest(c, speed, None, 0.0, False, None)
    m = nz[0]
    descends = bool(m % 2 == 1 or c[m] < 0)
    k_from = int(onp.floor(m / speed)) if descends else None
    return CurveTest(c, speed, m, float(c[m]), descends, k_from)


@dataclass
class DescentRate:
    """D(r) = min over the sphere ‖Δ‖ = r of L(θ₀ + Δ) − L(θ₀), and the fitted exponent."""

    radii: onp.ndarray
    drops: onp.ndarray  # D(r) for each radius (≥ 0 means no decrease was found)
    directions: onp.ndarray = field(repr=False)  # the minimising unit direction per radius
    exponent: float  # m in D(r) ≈ −c r^m (None when some D(r) ≥ 0: nothing to fit)
    constant: float  # c (None likewise)

    @property
    def descends(self):
        return bool(onp.all(self.drops < 0))

    @property
    def local_exponents(self):
        """log(D(rⱼ)/D(rⱼ₊₁)) / log(rⱼ/rⱼ₊₁) for consecutive radii: the exponent seen at each
        scale. Higher-order terms make the fitted exponent lag behind its limit at larger r;
        local exponents that settle as r shrinks show where it is heading. nan where some
        D(r) ≥ 0. Shape (len(radii) − 1,)."""
        if not self.descends:
            return onp.full(len(self.radii) - 1, onp.nan)
        return onp.diff(onp.log(-self.drops)) / onp.diff(onp.log(self.radii))

    def summary(self, digits=2):
        """Rounded text: each radius with its drop (3 significant digits) and the exponent."""
        lines = [f"r = {r:<7g} min L(θ+Δ) − L(θ) on ‖Δ‖ = r: "
                 f"{'no decrease' if d >= 0 else f'{d:.2e}'}"
                 for r, d in zip(self.radii, self.drops, strict=True)]
        if self.descends:
            m = int(round(self.exponent))
            lines.append(f"fitted D(r) ≈ −c·r^m with m ≈ {self.exponent:.{digits}f}: "
                         f"k-th order stationary for k <= {m - 1}, not for k >= {m}")
        else:
            lines.append("no decrease at some radius: consistent with a local minimum")
        return "\n".join(lines)


@one_blas_thread
def descent_rate(fun, theta, radii=(0.2, 0.1, 0.05, 0.025), *, n_starts=4, directions=None,
                 random_state=0, tol=1e-13, maxiter=200):
    """Estimate the descent order of L at θ (ni-def-1): D(r) ≈ −c·r^m as r → 0.

    For each radius r, D(r) = min_{‖u‖=1} L(θ + r u) − L(θ) is approximated by L-BFGS on
    the sphere (u = z/‖z‖) from ``n_starts`` random directions, the optional rows of
    ``directions``, and the best direction of the previous radius. The exponent m is the
    least-squares slope of log(−D(r)) against log r; a point with D(r) ≈ −c rᵐ is
    (m − 1)-th order stationary and not m-th (Definition 1), *if* the minimisation found the
    true minimum — a local search can miss a faster descent, so this is evidence, not a
    proof (pair it with :func:`curve_test`, which proves the upper bound). Drops above
    −``tol``·max(1, |L(θ)|) count as no decrease (rounding); ``maxiter`` bounds each L-BFGS run.

    Returns a :class:`DescentRate`.
    """
    f, n_params = _as_function(fun)
    theta = _check_point(theta, n_params)
    radii = onp.array(check_radii(radii, minimum_count=2))
    if onp.unique(radii).size < 2:
        raise ValueError(f"radii: expected at least 2 distinct radii (the slope of log(-D) "
                         f"against log r), got {tuple(radii.tolist())}")
    n_starts = check_int(n_starts, "n_starts", minimum=0)
    maxiter = check_int(maxiter, "maxiter", minimum=1)
    tol = check_real(tol, "tol", minimum=0.0, maximum=1.0)
    rng = check_random_state(random_state)
    P = theta.shape[0]
    starts = rng.standard_normal((n_starts, P))
    if directions is not None:
        extra = onp.atleast_2d(check_array(directions, "directions"))
        if extra.ndim != 2 or extra.shape[1] != P:
            raise ValueError(f"directions: expected rows of length {P}, got shape {extra.shape}")
        if onp.any(onp.linalg.norm(extra, axis=1) == 0):
            raise ValueError("directions: expected non-zero vectors")
        starts = onp.vstack([extra, starts])
    if len(starts) == 0:
        raise ValueError("n_starts: expected at least one start (or some directions)")
    L0 = float(f(theta))
    drops, best_dirs = [], []
    prev = None
    for r in radii:
        def raw(z, r=r):
            return f(theta + r * z / np.sqrt(np.sum(z ** 2))) - L0

        cand = starts if prev is None else onp.vstack([prev[None], starts])
        values = onp.array([float(raw(z)) for z in cand])
        scale = max(float(onp.max(onp.abs(values))), 1e-300)

        def scaled(z, raw=raw, scale=scale):
            return raw(z) / scale

        pair = _TracedPair(scaled)  # scaled and grad(scaled), one trace per point
        best_val, best_z = onp.inf, None
        for z0 in cand:
            res = minimize(pair.value, z0, jac=pair.gradient, method="L-BFGS-B",
                           options={"gtol": 1e-12, "ftol": 1e-15, "maxiter": maxiter})
            val = float(raw(res.x))
            if val < best_val:
                best_val, best_z = val, res.x / onp.linalg.norm(res.x)
        if best_val > -tol * max(1.0, abs(L0)):
            best_val = 0.0
        drops.append(best_val)
        best_dirs.append(best_z)
        prev = best_z
    drops = onp.array(drops)
    if onp.all(drops < 0):
        slope, intercept = onp.polyfit(onp.log(radii), onp.log(-drops), 1)
        exponent, const = float(slope), float(onp.exp(intercept))
    else:
        exponent, const = None, None
    return DescentRate(radii, drops, onp.array(best_dirs), exponent, const)


def make_binomial_alternating_data(degree):
    """1-D data that only a polynomial of degree ≥ ``degree`` separates, with cancelling moments.

    Points x = 0, 1, …, t (t = ``degree``), the point j repeated C(t, j) times, labels
    alternating y_j = (−1)^(j+1) (negative at x = 0). The labels change sign t times, so a
    degree-t polynomial separates the data and no polynomial of lower degree does. Both
    classes have 2^(t−1) samples, so the best constant is t* = 0 and all weights
    λᵢ = ℓ'(−yᵢt*) are equal; the moments Σᵢ λᵢyᵢxᵢᵏ are λ times the t-th finite difference
    of x ↦ xᵏ, hence zero for k < t and non-zero for k = t. At the dead network with output
    t* the exponential neuron then gives a descent of order 2t only (ni-prop-3), and a
    monomial neuron of degree q < t gives none at all (ni-prop-1). Returns ``(X, y)`` with
    X of shape (2^t, 1).
    """
    t = check_int(degree, "degree", minimum=1)
    if t > 12:
        raise ValueError(f"degree: expected at most 12 (2^degree samples), got {t}")
    counts = [comb(t, j) for j in range(t + 1)]
    x = onp.repeat(onp.arange(t + 1, dtype=float), counts)
    y = onp.repeat(onp.array([(-1.0) ** (j + 1) for j in range(t + 1)]), counts)
    return x[:, None], y
