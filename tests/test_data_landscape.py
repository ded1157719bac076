"""Data generators, assumption checks, the objective, certificates, the census."""
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import lossbook as lb

HINGE3 = lb.get_loss("polynomial_hinge", p=3)


def test_subspace_data_shapes_and_support():
    X, y = lb.make_subspace_data(30, n_features=8, pos_basis=(0, 1), neg_basis=(1, 2, 3), random_state=0)
    assert X.shape == (30, 8) and y.shape == (30,)
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert np.all(X[y > 0][:, 2:] == 0) and np.all(X[y < 0][:, [0, 4, 5, 6, 7]] == 0)


def test_check_assumptions_by_hand():
    X, y = lb.make_subspace_data(40, n_features=8, random_state=1)
    rep = lb.check_assumptions(X, y)
    assert (rep.r_pos, rep.r_neg, rep.r, rep.delta_r) == (4, 4, 6, 2)
    assert rep.thm1_neurons == 40  # 2 max(40/2, 4, 4)
    assert rep.prop1_neurons == 7
    assert rep.asm2 and rep.asm3 and not rep.separable
    assert "delta_r=2" in rep.summary()


def test_check_assumptions_violated_asm3():
    X, y = lb.make_subspace_data(20, n_features=4, pos_basis=(0, 1, 2), neg_basis=(1, 2), random_state=0)
    rep = lb.check_assumptions(X, y)
    assert rep.delta_r == 0 and not rep.asm3 and rep.thm1_neurons == np.inf


def test_separable_data_is_separable():
    X, y = lb.make_separable_data(50, n_features=3, random_state=0)
    assert lb.is_linearly_separable(X, y)
    assert not lb.is_linearly_separable(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), bias=True)
    # XOR is not separable even with a bias
    Xx = np.array([[1.0, 1], [-1, -1], [1, -1], [-1, 1]])
    assert not lb.is_linearly_separable(Xx, np.array([1.0, 1, -1, -1]), bias=True)


def test_shared_coordinate_data():
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    assert np.all(X[:, 0] >= 0.5) and np.all(X[y > 0, 2] == 0) and np.all(X[y < 0, 1] == 0)


def test_empirical_loss_and_error_by_hand():
    model = lb.constant(1)
    X, y = np.array([[0.0], [1.0], [2.0]]), np.array([1.0, 1.0, -1.0])
    p = {"c": np.array(0.5)}
    # z = -y c = (-0.5, -0.5, 0.5): hinge p=1 gives 0.25, 0.25, 2.25
    loss = lb.get_loss("polynomial_hinge", p=1)
    np.testing.assert_allclose(lb.empirical_loss(p, model, loss, X, y), 2.75 / 3)
    np.testing.assert_allclose(lb.empirical_loss(p, model, loss, X, y, reduction="sum"), 2.75)
    assert lb.training_error(p, model, X, y) == pytest.approx(1 / 3)
    # sgn(0) = +1: a zero output classifies as positive
    assert lb.training_error({"c": np.array(0.0)}, model, X, y) == pytest.approx(1 / 3)


def test_error_never_exceeds_surrogate_loss():
    X, y = lb.make_subspace_data(30, n_features=6, pos_basis=(0, 1, 2), neg_basis=(2, 3, 4), random_state=0)
    model = lb.single_layer(6, 5, "softplus")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=6), X, y)
    T = obj.flatten(model.init(0, batch=50))
    assert np.all(obj.error(T) <= obj.value(T) + 1e-12)


def _toy():
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    return X, y


def test_certify_strict_minimum():
    X, y = _toy()
    model = lb.feedforward(3, (), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    p, res = lb.find_critical_point(obj, model.init(0))
    cert = lb.certify(obj, p)
    assert cert.verdict == "certified local min" and cert.min_eig > 0 and cert.training_error > 0
    assert cert.n_flat == 0 and cert.is_bad_local_min


def test_certify_saddle_with_escape_direction():
    X, y = _toy()
    model = lb.single_layer(3, 3, "softplus")
    logistic = lb.get_loss("logistic")
    t = minimize_scalar(lambda c: np.mean(logistic(-y * c))).x
    p = {"a0": np.array(t), "a": np.zeros(3), "W": np.zeros((3, 3))}
    obj = lb.Objective(model, logistic, X, y)
    cert = lb.certify(obj, p)
    assert cert.verdict == "refuted" and cert.min_eig < 0 and "negative curvature" in cert.reason
    theta = obj.flatten(p)
    assert obj.value(theta + 0.1 * cert.escape_direction) < obj.value(theta)


def test_certify_dead_relu_flat_minimum():
    X, y = _toy()
    model = lb.feedforward(3, (4,), "relu")
    p = model.init(0)
    p["W1"], p["b1"], p["c"] = np.abs(p["W1"]), -10 * np.ones(4), np.array(0.0)
    cert = lb.certify(lb.Objective(model, HINGE3, X, y), p)
    # the four dead units explain every flat direction; c = 0 is the best constant
    assert cert.verdict == "certified local min" and cert.n_flat == 20 and cert.n_unexplained == 0
    assert cert.invariances == ("dead unit ×4",)
    assert cert.training_error == pytest.approx(0.5)
    assert "certified local min" in cert.summary()


def test_certify_not_critical():
    X, y = _toy()
    model = lb.single_layer(3, 2, "softplus")
    cert = lb.certify(lb.Objective(model, HINGE3, X, y), model.init(0))
    assert cert.verdict == "not critical"


def test_slices():
    X, y = _toy()
    model = lb.feedforward(3, (), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    p = model.init(0)
    ts, v = lb.loss_slice_1d(obj, p, ts=np.array([0.0, 0.5]))
    assert v[0] == pytest.approx(float(obj(p)))
    s, t, V = lb.loss_slice_2d(obj, p, s=np.linspace(-1, 1, 5), t=np.linspace(-1, 1, 3))
    assert V.shape == (3, 5) and V[1, 2] == pytest.approx(float(obj(p)))


def test_census_subspace_no_bad_minima():
    X, y = lb.make_subspace_data(12, n_features=5, pos_basis=(0, 1, 2), neg_basis=(2, 3, 4), random_state=0)
    c = lb.census(lb.single_layer(5, 12, "softplus"), lb.get_loss("polynomial_hinge", p=6), X, y,
                  n_runs=10, random_state=0, n_probes=20)
    assert c.counts["runs"] == 10
    assert c.counts["bad local minima"] == 0
    assert "bad local minima" in c.summary()


def test_census_finds_dead_relu_minima_when_they_are_common():
    """A deep ReLU net initialised with very negative biases stays dead: bad minima (Prop 6)."""
    X, y = lb.make_shared_coordinate_data(20, random_state=0)
    model = lb.feedforward(3, (3,), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    T = obj.flatten(model.init(0, batch=4))
    params = obj.unflatten(T)
    params["b1"] = params["b1"] - 20.0
    res = lb.train_batch(obj, obj.flatten(params), maxiter=200)
    certs = lb.certify_batch(obj, res.thetas, n_probes=20)
    assert all(c.is_bad_local_min for c in certs)


def test_train_batch_runs_are_independent():
    X, y = _toy()
    model = lb.feedforward(3, (), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    T = obj.flatten(model.init(1, batch=3))
    together = lb.train_batch(obj, T, gtol=1e-10).thetas
    alone = lb.train_batch(obj, T[1:2], gtol=1e-10).thetas
    np.testing.assert_allclose(together[1], alone[0], atol=1e-7)
