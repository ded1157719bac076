"""lossbook.precision: the loss of a single layer in mpmath, and the rescaling of one unit."""
import numpy as np
import pytest

import lossbook as lb


def _point(seed=0, n=12, d=3, M=2):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.where(rng.standard_normal(n) > 0, 1.0, -1.0)
    params = {"a0": np.array(0.1), "a": rng.standard_normal(M), "W": rng.standard_normal((d, M))}
    return params, X, y


@pytest.mark.parametrize("activation,loss", [("softplus", lb.get_loss("polynomial_hinge", p=6)),
                                             ("sigmoid", lb.get_loss("logistic")),
                                             ("exponential", lb.get_loss("quadratic")),
                                             ("relu", lb.get_loss("neurips_hinge", p=3))])
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_precise_loss_agrees_with_float64(activation, loss, reduction):
    params, X, y = _point()
    obj = lb.Objective(lb.single_layer(3, 2, activation), loss, X, y, reduction=reduction)
    precise = lb.precise_loss(params, X, y, activation=activation, loss=loss, reduction=reduction)
    assert abs(float(precise) - float(obj(params))) <= 1e-12 * max(1.0, abs(float(obj(params))))


def test_relu_rescaling_is_an_exact_invariance():
    params, X, y = _point(1)
    check = lb.unit_rescaling(params, X, y, unit=0, activation="relu",
                              loss=lb.get_loss("polynomial_hinge", p=2), max_dps=100)
    assert all(c == 0 for c in check.changes)  # exact at every precision tried
    assert not check.resolved and not check.descends and check.dps == 100


def test_saturated_softplus_unit_descends_below_float64_resolution():
    # one negative sample at x = 1 and a softplus unit with w = 40: sigma(40 s)/s decreases in s
    # by about e^(-40 s)/s, so rescaling (a/s, s w) lowers f, hence the loss, by ~1e-18
    X, y = np.array([[1.0]]), np.array([-1.0])
    params = {"a0": np.array(-57.0), "a": np.array([1.0]), "W": np.array([[40.0]])}
    loss = lb.get_loss("polynomial_hinge", p=6)
    obj = lb.Objective(lb.single_layer(1, 1, "softplus"), loss, X, y)
    check = lb.unit_rescaling(params, X, y, unit=0, activation="softplus", loss=loss)
    assert check.resolved and check.descends
    assert all(-1e-12 < float(c) < 0 for c in check.changes)
    s = 2.0
    scaled = {"a0": params["a0"], "a": params["a"] / s, "W": params["W"] * s}
    assert float(obj(scaled)) == float(obj(params)) or abs(float(obj(scaled)) - float(obj(params))) < 1e-13
    assert "unit 0" in check.summary() and "digits" in check.summary()
    checks = lb.rescaling_descent(params, X, y, activation="softplus", loss=loss)
    assert len(checks) == 1 and checks[0].descends


def test_bad_input():
    params, X, y = _point()
    loss = lb.get_loss("polynomial_hinge", p=6)
    with pytest.raises(ValueError, match="params"):
        lb.precise_loss({"a": params["a"]}, X, y, activation="softplus", loss=loss)
    with pytest.raises(ValueError, match="activation"):
        lb.precise_loss(params, X, y, activation="softsign", loss=loss)
    with pytest.raises(ValueError, match="loss"):
        lb.precise_loss(params, X, y, activation="softplus", loss=lb.get_loss("zero_one"))
    with pytest.raises(TypeError, match="loss"):
        lb.precise_loss(params, X, y, activation="softplus", loss=3)
    with pytest.raises(ValueError, match="reduction"):
        lb.precise_loss(params, X, y, activation="softplus", loss=loss, reduction="max")
    with pytest.raises(ValueError, match="X"):
        lb.precise_loss(params, X[:, :2], y, activation="softplus", loss=loss)
    with pytest.raises(ValueError, match="unit"):
        lb.unit_rescaling(params, X, y, unit=2, activation="softplus", loss=loss)
    with pytest.raises(ValueError, match="scales"):
        lb.unit_rescaling(params, X, y, unit=0, activation="softplus", loss=loss, scales=(0.5,))


def test_log10_decrease_below_the_float64_range():
    X, y = np.array([[1.0]]), np.array([-1.0])
    params = {"a0": np.array(-1000.0), "a": np.array([1.0]), "W": np.array([[800.0]])}
    loss = lb.get_loss("polynomial_hinge", p=2)
    check = lb.unit_rescaling(params, X, y, unit=0, activation="softplus", loss=loss, max_dps=1000)
    assert check.descends and check.log10_decrease < -320  # e^-800 ~ 1e-348: not a float64
    relu = lb.unit_rescaling(params, X, y, unit=0, activation="relu", loss=loss, max_dps=64)
    assert relu.log10_decrease is None
