"""The cheaper paths of the notebook hot spots give the same numbers as the plain ones, bit for bit.

- _TracedPair (find_critical_point, descent_rate): value and gradient from one trace equal
  fun(x) and grad(fun)(x), and scipy's iterates with it equal those with fun and grad(fun);
- atom_bad_event_probability(exact=False) evaluates only the counts that can be bad, and its
  sum equals the full enumeration's to the last bit;
- is_linearly_separable decides clearly separable data by least squares, with the answer of
  the linear program.
"""
import math
from fractions import Fraction

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad
from scipy.optimize import linprog, minimize
from scipy.special import gammaln

import lossbook as lb
from lossbook.data import _least_squares_separates
from lossbook.landscape import _TracedPair


def _rosenbrock(x):
    return anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def _same(a, b):
    return np.asarray(a).tobytes() == np.asarray(b).tobytes()


def test_traced_pair_matches_fun_and_grad():
    rng = np.random.default_rng(0)
    pair = _TracedPair(_rosenbrock)
    for _ in range(5):
        x = rng.standard_normal(6)
        v = pair.value(x.copy())
        g = pair.gradient(x.copy())
        assert _same(v, _rosenbrock(x)) and _same(g, grad(_rosenbrock)(x))
    # a gradient at another point than the last value is computed afresh, not reused
    x, z = rng.standard_normal(6), rng.standard_normal(6)
    pair.value(x)
    assert _same(pair.gradient(z), grad(_rosenbrock)(z))
    assert _same(pair.gradient(x), grad(_rosenbrock)(x))  # the kept pass is used once, then traced


def test_traced_pair_non_scalar_raises_like_grad():
    pair = _TracedPair(lambda x: x ** 2)
    pair.value(np.ones(3))
    with pytest.raises(TypeError, match="scalar"):
        pair.gradient(np.ones(3))


def test_traced_pair_non_finite_value_is_recomputed_untraced():
    # like Objective.value: NaN becomes inf outside tracing only
    def fun(x):
        v = anp.sum(anp.log(x))
        if not type(v).__module__.startswith("autograd") and np.isnan(v):
            return np.inf
        return v

    pair = _TracedPair(fun, {"invalid": "ignore"})
    with np.errstate(invalid="ignore"):
        assert pair.value(np.array([-1.0, 2.0])) == np.inf
    assert pair._key is None


@pytest.mark.parametrize("method", ["L-BFGS-B", "BFGS"])
def test_traced_pair_same_iterates_in_scipy(method):
    x0 = np.array([-1.2, 1.0, 0.5, -0.3])
    plain = minimize(_rosenbrock, x0, jac=grad(_rosenbrock), method=method, options={"gtol": 1e-10})
    pair = _TracedPair(_rosenbrock)
    fast = minimize(pair.value, x0, jac=pair.gradient, method=method, options={"gtol": 1e-10})
    assert _same(plain.x, fast.x) and plain.nit == fast.nit and plain.nfev == fast.nfev


def _objective():
    X, y = lb.make_xor_data(16, random_state=0)
    model = lb.feedforward(2, hidden=(3,), activation="tanh")
    return lb.Objective(model, "logistic", X, y), model


@pytest.mark.parametrize("method,target", [("trust-exact", "minimum"), ("L-BFGS-B", "minimum"),
                                           ("BFGS", "minimum"), ("BFGS", "any")])
def test_find_critical_point_same_as_plain_scipy(method, target):
    obj, model = _objective()
    p0 = model.init(3)
    theta0 = obj.flatten(p0)
    if target == "minimum":
        fun, jac = obj.value, obj.gradient
    else:
        fun = lambda t: anp.sum(obj._grad(t) ** 2)  # noqa: E731
        jac = grad(fun)
    if method == "trust-exact":
        ref = minimize(fun, theta0, jac=jac, hess=obj.hessian, method=method,
                       options={"gtol": 1e-10, "maxiter": 300})
    else:
        ref = minimize(fun, theta0, jac=jac, method=method, options={"gtol": 1e-10, "maxiter": 300})
    _, res = lb.find_critical_point(obj, p0, method=method, target=target, maxiter=300)
    assert _same(ref.x, res.x) and ref.nit == res.nit and ref.nfev == res.nfev


def _atom_reference(alpha, N, threshold):
    """The full enumeration of every count vector (the code before the pruning)."""
    a2 = float(Fraction(repr(float(alpha)))) ** 2
    n2, m1 = (v.astype(float) for v in np.meshgrid(np.arange(1, N + 1), np.arange(1, N + 1), indexing="ij"))
    lgf = gammaln(np.arange(N + 1) + 1.0)
    total = 0.0
    for n1 in range(1, N + 1):
        R = N - n1 - 1
        if R < 1:
            break
        n2_, m1_ = n2[:R, :R], m1[:R, :R]
        m2 = N - n1 - n2_ - m1_
        ok = m2 >= 1
        b, c, d = n2_[ok], m1_[ok], m2[ok]
        kappa = 2 * (1 - a2) / (1 / n1 + a2 ** 2 / b + 1 / c + a2 ** 2 / d)
        wrong = np.where(1 - kappa / n1 < 0, n1, 0) + np.where(-1 + kappa / c >= 0, c, 0)
        bad = wrong / N > float(threshold)
        logp = (gammaln(N + 1) - gammaln(n1 + 1) - lgf[b[bad].astype(int)] - lgf[c[bad].astype(int)]
                - lgf[d[bad].astype(int)] - N * np.log(4.0))
        total += float(np.sum(np.exp(logp)))
    return total


@pytest.mark.parametrize("alpha,N,threshold", [
    (0.5, 32, Fraction(1, 8)), (0.3, 96, Fraction(1, 8)), (0.4, 128, Fraction(1, 8)),
    (0.6 * 64 ** -0.25, 64, Fraction(1, 8)), (0.1, 40, Fraction(0)), (0.9, 30, Fraction(1, 4)),
    (0.7071, 50, Fraction(1, 8)), (1e-6, 20, Fraction(1, 8)), (0.5, 20, Fraction(-1, 8)),
    (0.25, 3, Fraction(1, 8)), (0.35, 77, Fraction(3, 8))])
def test_atom_probability_pruned_sum_is_the_full_sum(alpha, N, threshold):
    got = lb.atom_bad_event_probability(alpha, N, threshold=threshold, exact=False)
    assert got.hex() == _atom_reference(alpha, N, threshold).hex()


def test_atom_probability_float_close_to_exact():
    exact = lb.atom_bad_event_probability(Fraction(3, 10), 24)
    assert math.isclose(lb.atom_bad_event_probability(0.3, 24, exact=False), float(exact), rel_tol=1e-9)


def _lp_separable(A, y):
    res = linprog(np.zeros(A.shape[1]), A_ub=-(y[:, None] * A), b_ub=-np.ones(len(y)),
                  bounds=[(None, None)] * A.shape[1], method="highs")
    return res.status == 0


def test_least_squares_shortcut_agrees_with_the_linear_program():
    rng = np.random.default_rng(2)
    decided = 0
    for k in range(300):
        n, d = int(rng.integers(2, 30)), int(rng.integers(1, 5))
        X = rng.standard_normal((n, d))
        y = np.sign(X @ rng.standard_normal(d) + rng.normal(0, [0.0, 0.3][k % 2], n))
        y[y == 0] = 1.0
        y[0] = -y[1] if np.all(y == y[0]) else y[0]
        for bias in (False, True):
            A = X if not bias else np.hstack([X, np.ones((n, 1))])
            lp = _lp_separable(A, y)
            if _least_squares_separates(A, y):
                decided += 1
                assert lp  # the shortcut only ever answers True, and only when the LP does
            assert lb.is_linearly_separable(X, y, bias=bias) == lp
    assert decided > 50  # the shortcut is actually taken


def test_least_squares_shortcut_declines_without_a_wide_margin():
    X = np.array([[1.0], [-1.0], [1e-9]])  # separable through 0 only by a hair at x = 1e-9
    y = np.array([1.0, -1.0, 1.0])
    assert not _least_squares_separates(X, y)
    assert lb.is_linearly_separable(X, y) == _lp_separable(X, y)
    X2 = np.array([[1.0], [2.0]])
    assert not lb.is_linearly_separable(X2, np.array([1.0, -1.0]))


def test_least_squares_shortcut_declines_where_weights_must_be_large():
    X, y = lb.make_separable_data(40, random_state=0)
    assert _least_squares_separates(X, y)
    for s in (1e-3, 1e-6, 1e-9):  # the same data scaled down: a separator needs weights ~ 1/s
        assert not _least_squares_separates(s * X, y) or s > 1e-4
        assert lb.is_linearly_separable(s * X, y) == _lp_separable(s * X, y)


def test_nonnegative_certificate_agrees_with_the_linear_program():
    from lossbook.data import _nonnegative_combination_vanishes
    cases = [lb.make_shared_coordinate_data(n, random_state=s) for n in (6, 10, 20) for s in range(30)]
    cases += [lb.make_xor_data(16, random_state=s) for s in range(10)]
    cases += [lb.make_separable_data(30, random_state=s) for s in range(10)]
    certified = 0
    for X, y in cases:
        for bias in (False, True):
            A = X if not bias else np.hstack([X, np.ones((len(X), 1))])
            lp = _lp_separable(A, y)
            if _nonnegative_combination_vanishes(A, y):
                certified += 1
                assert not lp  # the certificate only ever answers False, and only when the LP does
            assert lb.is_linearly_separable(X, y, bias=bias) == lp
    assert certified > 50


def test_nonnegative_certificate_exact_case():
    from lossbook.data import _nonnegative_combination_vanishes
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])  # XOR: 0 in both hulls
    y = np.array([1.0, 1.0, -1.0, -1.0])
    assert _nonnegative_combination_vanishes(np.hstack([X, np.ones((4, 1))]), y)
    assert not lb.is_linearly_separable(X, y, bias=True)
    X2 = np.array([[2.0, 0.0], [3.0, 1.0], [-2.0, 0.0], [-3.0, 1.0]])
    y2 = np.array([1.0, 1.0, -1.0, -1.0])
    assert not _nonnegative_combination_vanishes(X2, y2) and lb.is_linearly_separable(X2, y2)
