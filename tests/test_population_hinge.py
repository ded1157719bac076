"""The population minimiser of the polynomial hinge for the linear model (icml-ex-1).

Three cases of the positive point q against the negatives' interval [lo, hi]: inside (a unique
minimiser, found by Newton's method), outside (separable: zero loss on a polygon, the simplex
stops on one of its points) and at an end (no minimiser: the infimum 0 is not attained).
"""
from fractions import Fraction

import numpy as np
import pytest

import lossbook as lb
from lossbook import exact


@pytest.mark.parametrize("q, lo, hi", [(0.5, 0.0, 1.0), (1.2, 0.0, 1.25), (-0.9, -1.0, 1.0),
                                       (2.3, 1.5, 3.5), (0.8, 0.7, 0.9)])
def test_inside_the_interval_the_minimiser_is_stationary_and_the_simplex_agrees(q, lo, hi):
    m = lb.linear_population_minimiser("polynomial_hinge", pos_point=q, neg_interval=(lo, hi))
    a, b = m.a, m.b

    def loss(a, b):
        return exact._hinge_population_loss(a, b, q, lo, hi, 6)

    assert m.loss == loss(a, b) and not m.exact
    # a minimum: no lower value at small steps along either coordinate or the diagonals
    for da, db in [(1, 0), (0, 1), (1, 1), (1, -1)]:
        for h in (1e-4, 1e-6):
            s = h * (1 + abs(a))
            assert loss(a + s * da, b + s * db) >= m.loss and loss(a - s * da, b - s * db) >= m.loss
    # the exact gradient vanishes (to rounding); central differences confirm the gradient
    g, H = exact._hinge_derivatives(a, b, q, lo, hi, 6)
    assert np.max(np.abs(g)) <= 1e-12 * max(1.0, np.max(np.abs(H)) * (1 + abs(a)))
    assert np.all(np.linalg.eigvalsh(H) > 0)
    for pa, pb in [(a + 0.3, b - 0.2), (0.5, -0.5), (-1.0, 0.3)]:
        h = 1e-6
        fd = [(loss(pa + h, pb) - loss(pa - h, pb)) / (2 * h),
              (loss(pa, pb + h) - loss(pa, pb - h)) / (2 * h)]
        assert np.allclose(exact._hinge_derivatives(pa, pb, q, lo, hi, 6)[0], fd, rtol=1e-6,
                           atol=1e-7)
    # the simplex (the method used before, and still for separable classes) lands close by,
    # never lower (both points measured by the same function)
    sa, sb, _ = exact._hinge_simplex(q, lo, hi, 6)
    assert abs(sa - a) <= 1e-4 * (1 + abs(a)) and abs(sb - b) <= 1e-4 * (1 + abs(b))
    assert m.loss <= loss(sa, sb) + 1e-15


def test_negatives_integral_by_quadrature_is_the_closed_form():
    # E[max(aU + b + 1, 0)^k] = [F(hi) - F(lo)] / (hi - lo), F(u) = max(au + b + 1, 0)^(k+1) / (a(k+1))
    k, lo, hi = 7, -0.5, 1.5
    for a, b in [(2.0, -1.0), (-3.0, 0.5), (0.7, 0.2), (-0.1, -1.5), (5.0, -9.0)]:
        F = lambda u: max(a * u + b + 1, 0.0) ** (k + 1) / (a * (k + 1))  # noqa: B023, E731
        closed = (F(hi) - F(lo)) / (hi - lo)
        quad = exact._hinge_negatives(a, b, lo, hi, k, 0)[0]
        assert abs(quad - closed) <= 1e-13 * max(1.0, abs(closed))
    # a = 0: a constant integrand
    assert exact._hinge_negatives(0.0, 0.5, lo, hi, k, 0)[0] == pytest.approx(1.5 ** k)
    assert exact._hinge_negatives(0.0, -1.0, lo, hi, k, 0)[0] == 0.0


def test_at_an_end_of_the_interval_there_is_no_minimiser():
    for q, iv in [(Fraction(1), (0, 1)), (Fraction(0), (0, 1)), (Fraction(5, 4), (Fraction(1, 4), Fraction(5, 4)))]:
        with pytest.raises(ValueError, match="pos_point.*no minimiser"):
            lb.linear_population_minimiser("polynomial_hinge", pos_point=q, neg_interval=iv)
    # the loss tends to 0 along lines steepening at the end: a = s, b = 1 - s (f(q) = 1)
    for s in (1e1, 1e2, 1e3):
        # ½ E[max(s(U - 1) + 2, 0)^7] = ½ · 2^8 / (8 s) = 16 / s
        assert exact._hinge_population_loss(s, 1 - s, 1.0, 0.0, 1.0, 6) == pytest.approx(16 / s)
    # the quadratic loss keeps its exact minimiser there
    assert lb.linear_population_minimiser("quadratic", pos_point=1, neg_interval=(0, 1)).exact


def test_separable_classes_reach_zero_loss_and_zero_error():
    for q, iv in [(Fraction(5, 4), (0, 1)), (-0.5, (0, 2)), (3.0, (-1.0, 2.95))]:
        m = lb.linear_population_minimiser("polynomial_hinge", pos_point=q, neg_interval=iv)
        assert m.loss == 0 and m.error == 0
        assert np.isfinite(m.a) and np.isfinite(m.b)
