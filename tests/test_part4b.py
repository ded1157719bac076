"""Tests for lossbook.stationarity (ni-def-1, ni-prop-3), gradient_descent's backtracking
(ext-infinity) and the monomial-degree widget (ni-prop-1)."""
import autograd.numpy as anp
import matplotlib
import numpy as np
import pytest

import lossbook as lb

matplotlib.use("Agg")


def cube(v):
    return v[0] ** 3


def two_parabolas(v):
    return (v[1] - v[0] ** 2) * (v[1] - 2 * v[0] ** 2)


# -- taylor_coefficients ---------------------------------------------------------------------
def test_taylor_coefficients_of_a_polynomial_along_a_line():
    # f(θ + t u) with f = x³ + 2y², θ = (1, 0), u = (1, 1): (1+t)³ + 2t² = 1 + 3t + 5t² + t³
    f = lambda v: v[0] ** 3 + 2 * v[1] ** 2  # noqa: E731
    c = lb.taylor_coefficients(f, np.array([1.0, 0.0]), [1.0, 1.0], order=4)
    np.testing.assert_allclose(c, [1, 3, 5, 1, 0], atol=1e-12)


def test_taylor_coefficients_along_a_parabola():
    # (y − x²)(y − 2x²) on (t, 1.5t²) is (0.5t²)(−0.5t²) = −t⁴/4
    c = lb.taylor_coefficients(two_parabolas, np.zeros(2), [[1.0, 0.0], [0.0, 1.5]], order=5)
    np.testing.assert_allclose(c, [0, 0, 0, 0, -0.25, 0], atol=1e-12)


def test_taylor_coefficients_of_an_objective_with_an_exponential_neuron():
    # the nested derivatives go through 0-d parameters (a, b): the autograd workaround
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([-1.0, 1.0, -1.0])
    net, p = lb.dead_relu_point(X, y, "neurips_hinge", hidden=(2,))
    obj = lb.Objective(lb.add_exponential_neuron(net, lam=1.0), "neurips_hinge", X, y,
                       reduction="sum")
    theta = obj.flatten({"net": p, "a": np.array(0.0), "w": np.array([0.0]), "b": np.array(0.0)})
    u = np.zeros_like(theta)
    u[0] = 1.0  # the 'a' entry (keys are sorted: a, b, net, w)
    c = lb.taylor_coefficients(obj, theta, [u, u], order=3)
    assert c[0] == pytest.approx(float(obj.value(theta)))
    assert c[1] == pytest.approx(0.0, abs=1e-12)  # ∂L/∂a = 0 at the dead point (t* optimal)


# -- curve_test ------------------------------------------------------------------------------------
def test_curve_test_cube_is_second_but_not_third_order():
    res = lb.curve_test(cube, np.zeros(1), [1.0])
    assert res.leading_order == 3 and res.descends and res.not_stationary_from == 3


def test_curve_test_quartic_minimum_does_not_descend():
    res = lb.curve_test(lambda v: v[0] ** 4, np.zeros(1), [1.0])
    assert res.leading_order == 4 and not res.descends and res.not_stationary_from is None


def test_curve_test_lines_miss_the_parabola_descent():
    for slope in (-2.0, 0.3, 5.0):
        assert not lb.curve_test(two_parabolas, np.zeros(2), [1.0, slope]).descends
    res = lb.curve_test(two_parabolas, np.zeros(2), [[1.0, 0.0], [0.0, 1.5]])
    assert res.descends and res.leading_order == 4 and res.not_stationary_from == 4
    assert "not k-th order stationary for k >= 4" in res.summary()


def test_curve_test_slow_curve_uses_its_speed():
    # γ(t) = (0, t²): ‖Δ‖ ~ t², and −y² drops like t⁴ = ‖Δ‖²
    res = lb.curve_test(lambda v: -v[1] ** 2, np.zeros(2), [[0.0, 0.0], [0.0, 1.0]])
    assert res.speed == 2 and res.leading_order == 4 and res.not_stationary_from == 2


def test_curve_test_flat_function_gives_no_evidence():
    res = lb.curve_test(lambda v: 0.0 * anp.sum(v), np.zeros(2), [1.0, 0.0])
    assert res.leading_order is None and not res.descends
    assert "no evidence" in res.summary()


# -- descent_rate ---------------------------------------------------------------
def test_descent_rate_recovers_quartic_exponent():
    rate = lb.descent_rate(two_parabolas, np.zeros(2), radii=(0.2, 0.1, 0.05), n_starts=3)
    assert rate.descends
    assert rate.exponent == pytest.approx(4.0, abs=0.15)
    assert "m ≈" in rate.summary()


def test_descent_rate_at_a_minimum_finds_no_decrease():
    rate = lb.descent_rate(lambda v: anp.sum(v ** 2), np.zeros(2), radii=(0.1, 0.05), n_starts=2)
    assert not rate.descends and np.all(rate.drops == 0) and rate.exponent is None


# -- data -----------------------------------------------------------------------
def test_binomial_alternating_data_moments():
    X, y = lb.make_binomial_alternating_data(3)
    assert X.shape == (8, 1) and sorted(np.unique(X[:, 0])) == [0, 1, 2, 3]
    assert np.sum(y > 0) == np.sum(y < 0) == 4
    moments = [float(np.sum(y * X[:, 0] ** k)) for k in range(4)]
    assert moments[:3] == [0.0, 0.0, 0.0] and moments[3] != 0  # 3rd finite difference of x³: 6


# -- gradient_descent with backtracking -------------------------------------------------------
def test_gradient_descent_backtracking_never_increases_the_loss():
    X = np.array([[0.0], [1.0], [2.0]])
    y = np.array([-1.0, 1.0, -1.0])
    net, p = lb.dead_relu_point(X, y, "neurips_hinge", hidden=(2,))
    obj = lb.Objective(lb.add_exponential_neuron(net, lam=1.0), "neurips_hinge", X, y,
                       reduction="sum")
    theta = obj.flatten({"net": p, "a": np.array(-0.05), "w": np.array([0.5]), "b": np.array(0.0)})
    path = lb.gradient_descent(obj, theta, learning_rate=5.0, n_steps=50, record=10,
                               backtrack=True)
    assert np.all(np.diff(path.losses) <= 0)
    with pytest.raises(TypeError, match="backtrack"):
        lb.gradient_descent(obj, theta, n_steps=2, backtrack="yes")


# -- widget render ---------------------------------------------------------------------------------
@pytest.mark.parametrize("q,t,verdict", [(1, 2, "certified local min"), (2, 2, "not critical")])
def test_render_monomial_degree(q, t, verdict):
    fig = lb.render_monomial_degree(q, t)
    assert verdict in fig._suptitle.get_text()
    matplotlib.pyplot.close(fig)


# -- bad input -------------------------------------------------------------------------------------
def test_bad_inputs():
    with pytest.raises(TypeError, match="fun"):
        lb.taylor_coefficients("x", np.zeros(1), [1.0])
    with pytest.raises(ValueError, match="theta"):
        lb.taylor_coefficients(cube, np.zeros((2, 2)), [1.0])
    with pytest.raises(ValueError, match="curve"):
        lb.taylor_coefficients(cube, np.zeros(1), [1.0, 2.0])
    with pytest.raises(ValueError, match="curve"):
        lb.taylor_coefficients(cube, np.zeros(1), [0.0])
    with pytest.raises(TypeError, match="order"):
        lb.taylor_coefficients(cube, np.zeros(1), [1.0], order=2.5)
    with pytest.raises(ValueError, match="radii"):
        lb.descent_rate(cube, np.zeros(1), radii=(0.1,))
    with pytest.raises(ValueError, match="radii"):
        lb.descent_rate(cube, np.zeros(1), radii=(0.1, -0.1))
    with pytest.raises(ValueError, match="directions"):
        lb.descent_rate(cube, np.zeros(1), directions=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="degree"):
        lb.make_binomial_alternating_data(0)
    with pytest.raises(ValueError, match="data_degree"):
        lb.render_monomial_degree(1, 9)


# -- ni-prop-3 on a realizing network, and the erratum checks ---------------------------------
def _relu3_realiser(p):
    """The first p units of −1 + 4 relu(x) − 8 relu(x − 1) + 8 relu(x − 2)."""
    return {"W1": np.ones((1, 3)), "b1": -np.arange(3.0),
            "v": np.array([4.0, -8.0, 8.0]) * (np.arange(3) < p), "c": np.array(-1.0)}


def test_binomial_p3_data_is_realized_by_three_relu_units_not_two():
    # erratum 1 of issue 11: with two units the p = 3 row of the ni-prop-3 table broke
    # realizability; −1 + 4r(x) − 8r(x−1) + 8r(x−2) classifies it with margin 1
    X, y = lb.make_binomial_alternating_data(3)
    relu3 = lb.feedforward(1, hidden=(3,), activation="relu")
    assert np.min(y * relu3.apply(_relu3_realiser(3), X)) == 1.0
    # the two-unit slope argument: a grid of 2-unit networks never gets the sign pattern
    relu2 = lb.feedforward(1, hidden=(2,), activation="relu")
    rng = np.random.default_rng(0)
    P = {"W1": rng.standard_normal((4000, 1, 2)), "b1": 3 * rng.standard_normal((4000, 2)),
         "v": 5 * rng.standard_normal((4000, 2)), "c": 3 * rng.standard_normal(4000)}
    f = np.asarray(relu2.apply(P, X))  # (K, n)
    assert not np.any(np.all(y * f > 0, axis=1))


def test_exponential_dead_point_is_the_best_constant_and_keeps_ni_prop_3():
    loss = lb.get_loss("neurips_hinge", p=3)
    X, y = lb.make_binomial_alternating_data(3)
    model, point = lb.exponential_dead_point(X, y, loss, hidden=(3,), lam=1.0)
    obj = lb.Objective(model, loss, X, y, reduction="sum")
    np.testing.assert_allclose(obj.outputs(obj.flatten(point)), lb.best_constant(loss, y), atol=1e-12)
    assert float(point["a"]) == 0 and float(point["w"][0]) == 0 and float(point["b"]) == 0
    hyp = lb.check_hypotheses("ni-prop-3", obj, realizer=_relu3_realiser(3),
                              realizer_model=lb.feedforward(1, hidden=(3,), activation="relu"),
                              degree=3)
    assert hyp.holds
    # the curve of the book proves the order-6 descent on the realizing network
    curve = [obj.flatten(lb.augmented_direction(point, w=[1.0])),
             obj.flatten(lb.augmented_direction(point)),
             obj.flatten(lb.augmented_direction(point, a=1e-3))]
    assert lb.curve_test(obj, obj.flatten(point), curve, order=7, tol=1e-12).not_stationary_from == 6


def test_augmented_direction_moves_only_the_extra_neuron():
    net = lb.feedforward(2, hidden=(2,))
    point = lb.with_exponential_neuron(net.init(0), np.ones(2), a=0.3, b=0.1)
    D = lb.augmented_direction(point, a=1.0, w=[0.0, 2.0])
    assert all(np.all(v == 0) for v in D["net"].values())
    assert float(D["a"]) == 1.0 and list(D["w"]) == [0.0, 2.0] and float(D["b"]) == 0.0
    with pytest.raises(ValueError, match="w: expected shape"):
        lb.augmented_direction(point, w=[1.0])
    with pytest.raises(ValueError, match="params"):
        lb.augmented_direction({"a": 0.0})


def test_descent_rate_local_exponents():
    rate = lb.descent_rate(lambda v: -v[0] ** 4 + v[1] ** 2, np.zeros(2), radii=(0.2, 0.1, 0.05),
                           n_starts=2)
    np.testing.assert_allclose(rate.local_exponents, 4.0, atol=0.05)
    flat = lb.descent_rate(lambda v: anp.sum(v ** 2), np.zeros(2), radii=(0.1, 0.05), n_starts=1)
    assert np.all(np.isnan(flat.local_exponents))


def test_monomial_a_star_zero_uses_the_radial_scaling_not_b():
    # erratum 6 of issue 11: for σ = z^q, w·∂_w + b·∂_b = q·a·S (S = ∂_a − λa), while ∂_b ≠ a·S
    X = np.array([[-1.0], [0.0], [1.0]])
    y = np.array([1.0, -1.0, 1.0])
    relu2 = lb.feedforward(1, hidden=(2,), activation="relu")
    pt = {"net": relu2.init(1), "a": np.array(0.4), "w": np.array([0.7]), "b": np.array(0.2)}
    obj = lb.Objective(lb.add_monomial_neuron(relu2, degree=3, lam=1.0), "neurips_hinge", X, y,
                       reduction="sum")
    g = obj.unflatten(obj.gradient(obj.flatten(pt)))
    S = float(g["a"]) - 0.4
    assert float(pt["w"] @ g["w"] + pt["b"] * g["b"]) == pytest.approx(3 * 0.4 * S, rel=1e-12)
    assert float(g["b"]) != pytest.approx(0.4 * S, rel=1e-3)
