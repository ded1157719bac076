"""Part III (a): the counterexample constructions of ICML §4.1–4.2 (lossbook.constructions)."""
from fractions import Fraction
from itertools import product

import matplotlib
import numpy as np
import pytest

import lossbook as lb

matplotlib.use("Agg")
HINGE = lb.get_loss("polynomial_hinge", p=6)
X3, Y3 = lb.make_shared_coordinate_data(16, random_state=0)


# -- best constant and best linear model ------------------------------------------------------
@pytest.mark.parametrize("n_pos, n_neg", [(3, 1), (5, 5), (2, 7)])
def test_best_constant_closed_forms(n_pos, n_neg):
    y = np.array([1.0] * n_pos + [-1.0] * n_neg)
    p = 6
    a, b = n_pos ** (1 / p), n_neg ** (1 / p)
    assert lb.best_constant(HINGE, y) == pytest.approx((a - b) / (a + b), abs=1e-13)
    assert lb.best_constant("quadratic", y) == pytest.approx((n_pos - n_neg) / (n_pos + n_neg),
                                                              abs=1e-13)
    assert lb.best_constant("logistic", y) == pytest.approx(np.log(n_pos / n_neg), abs=1e-12)


def test_best_constant_pinned_and_weights_balance():
    y = np.array([1.0, 1.0, 1.0, -1.0])
    assert lb.best_constant(HINGE, y) == pytest.approx(0.0912960976, abs=1e-9)
    lam = lb.loss_weights(HINGE, y, lb.best_constant(HINGE, y))
    assert lam[y > 0].sum() == pytest.approx(lam[y < 0].sum(), rel=1e-12)


def test_best_linear_is_stationary_and_errs_on_non_separable_data():
    v, c = lb.best_linear(HINGE, X3, Y3)
    assert not lb.is_linearly_separable(X3, Y3, bias=True)
    f = X3 @ v + c
    assert np.mean(np.sign(f) != Y3) > 0
    lam = lb.loss_weights(HINGE, Y3, f)
    assert np.abs((lam * Y3) @ X3).max() < 1e-10 and abs((lam * Y3).sum()) < 1e-10


def test_halfspace_direction():
    u = lb.halfspace_direction(X3)
    assert (X3 @ u).min() == pytest.approx(1.0)
    X = np.array([[1.0, -2.0], [0.5, 1.0], [-0.2, 3.0]])
    u = lb.halfspace_direction(X)
    assert (X @ u).min() >= 1 - 1e-9
    with pytest.raises(ValueError, match="X"):
        lb.halfspace_direction(np.array([[1.0, 0.0], [-1.0, 0.0]]))


# -- symmetric data (Prop 4) ---------------------------------------------------------------------
def test_symmetric_probability_exact():
    assert lb.symmetric_probability(2) == Fraction(1, 4)
    assert lb.symmetric_probability(5) == 0
    # brute force over the 4^N atom sequences for N = 4 and N = 6
    # atoms 0, 1: a positive at +e1, -e1; atoms 2, 3: a negative at +e2, -e2
    for N in (4, 6):
        good = 0
        for seq in product(range(4), repeat=N):
            c = np.bincount(seq, minlength=4)
            good += c[0] == c[1] and c[2] == c[3]
        assert lb.symmetric_probability(N) == Fraction(good, 4 ** N)


def test_is_symmetric_dataset_and_sample():
    X = np.array([[1.0, 0], [-1.0, 0], [0, 1.0], [0, -1.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    assert lb.is_symmetric_dataset(X, y)
    assert not lb.is_symmetric_dataset(X[:3], y[:3])
    assert not lb.is_symmetric_dataset(X, np.array([1.0, -1.0, -1.0, -1.0]))
    Xs, ys = lb.symmetric_sample(10, random_state=0)
    assert lb.is_symmetric_dataset(Xs, ys) and 0 < (ys > 0).sum() < 10


def test_data_generators():
    X, y = lb.make_halfspace_data(20, random_state=0)
    assert X.shape == (20, 2) and (X[:, 0] > 0).all() and lb.is_linearly_separable(X, y)
    X, y = lb.make_interval_data(10, random_state=0)
    assert X.shape == (10, 1) and np.all(np.sign(X[:, 0]) == y)
    X, y = lb.make_signed_axes_data(8, random_state=1)
    assert np.all(np.abs(X).sum(axis=1) == 1) and np.all((X[:, 0] != 0) == (y > 0))


# -- the points: certified (small sizes) ---------------------------------------------------------
@pytest.mark.parametrize("rid, act, kwargs", [
    ("icml-prop-2", "relu", {"n_neurons": 3}),
    ("icml-prop-2", "zero", {"theorem": 2}),
    ("icml-prop-3", "leaky_relu", {"n_neurons": 3, "slope": 0.1}),
    ("icml-prop-5", "cosh", {}),
    ("icml-prop-6", "relu", {"hidden": (3, 2)}),
    ("icml-prop-7", None, {"hidden": (2,)}),
])
def test_counterexamples_certify_as_bad_minima(rid, act, kwargs):
    obj, params = lb.counterexample(rid, act, **kwargs)
    cert = lb.certify(obj, params, n_probes=40)
    assert cert.grad_norm < 1e-9
    assert cert.verdict == "certified local min" and cert.is_bad_local_min
    assert cert.n_flat > 0 and cert.n_unexplained == 0 and cert.invariances
    assert cert.training_error > 0


def test_odd_symmetric_point_is_undecided_by_the_hessian():
    """σ''(0) = 0 for tanh: the W directions at W = 0 are flat without a symmetry the
    certifier knows (the proposition's argument is by odd symmetry), so no certificate."""
    obj, params = lb.counterexample("icml-prop-4", "tanh", n_neurons=3)
    cert = lb.certify(obj, params, n_probes=40)
    assert cert.grad_norm < 1e-9 and cert.training_error > 0
    assert cert.verdict == "undecided" and cert.n_unexplained == 4
    assert "not explained by a known invariance" in cert.reason


def test_constant_points_have_error_at_least_minority_fraction():
    for build in (lb.dead_relu_point, lb.dead_neuron_point):
        model, params = build(X3, Y3, HINGE)
        f = np.asarray(model.apply(params, X3))
        assert np.ptp(f) < 1e-12
        assert f[0] == pytest.approx(lb.best_constant(HINGE, Y3), abs=1e-12)
        assert lb.training_error(params, model, X3, Y3) >= min((Y3 > 0).mean(), (Y3 < 0).mean())


def test_dead_relu_point_pre_activations():
    model, params = lb.dead_relu_point(X3, Y3, HINGE, kappa=0.3)
    pre = X3 @ params["W1"] + params["b1"]
    assert pre.max() == pytest.approx(-0.3)


def test_linear_region_point_is_affine_and_best():
    model, params = lb.linear_region_point(X3, Y3, HINGE, n_neurons=4, kappa=0.5)
    assert (X3 @ params["S"]["W"]).min() >= 0.5 - 1e-12
    v, c = lb.best_linear(HINGE, X3, Y3)
    assert np.allclose(model.apply(params, X3), X3 @ v + c, atol=1e-12)


def test_quadratic_bowl_sign():
    X, y = lb.make_interval_data(20, random_state=0)
    model, params = lb.quadratic_bowl_point(X, y, HINGE, alpha=2.0)
    t = lb.best_constant(HINGE, y)
    S = float((lb.loss_weights(HINGE, y, t) * y) @ X[:, 0] ** 2)
    a = params["S"]["a"]
    assert np.all(np.sign(a) == -np.sign(S)) and np.all(np.abs(a) == 2)


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, word", [
    (lambda: lb.best_constant(HINGE, np.ones(4)), ValueError, "y"),
    (lambda: lb.best_constant("zero_one", np.array([1.0, -1.0])), ValueError, "loss"),
    (lambda: lb.dead_relu_point(X3, Y3, HINGE, activation="softplus"), ValueError, "activation"),
    (lambda: lb.dead_relu_point(X3, Y3, HINGE, kappa=0.0), ValueError, "kappa"),
    (lambda: lb.dead_neuron_point(X3, Y3, HINGE, direction=[1.0, 0.0]), ValueError, "direction"),
    (lambda: lb.dead_neuron_point(X3, Y3, HINGE, direction=[-1.0, 0, 0]), ValueError, "direction"),
    (lambda: lb.dead_neuron_point(X3, Y3, HINGE, f_D="deep"), ValueError, "f_D"),
    (lambda: lb.linear_region_point(X3, Y3, HINGE, n_neurons=1), ValueError, "n_neurons"),
    (lambda: lb.linear_region_point(X3, Y3, HINGE, activation="sigmoid"), ValueError, "activation"),
    (lambda: lb.odd_symmetric_point(X3, Y3, HINGE, activation="relu"), ValueError, "activation"),
    (lambda: lb.quadratic_bowl_point(X3, Y3, HINGE), ValueError, "X"),
    (lambda: lb.quadratic_bowl_point(X3, Y3, HINGE, alpha=-1.0), ValueError, "alpha"),
    (lambda: lb.symmetric_probability(0), ValueError, "n_samples"),
    (lambda: lb.symmetric_sample(5), ValueError, "n_samples"),
    (lambda: lb.make_interval_data(10, pos_interval=(2.0, 1.0)), ValueError, "pos_interval"),
    (lambda: lb.make_halfspace_data(10, n_features=1), ValueError, "n_features"),
    (lambda: lb.counterexample("icml-prop-9"), ValueError, "result_id"),
    (lambda: lb.counterexample("icml-prop-2", theorem=3), ValueError, "theorem"),
    (lambda: lb.render_counterexample("Prop 9"), ValueError, "choice"),
    (lambda: lb.render_dead_relu(0.0), ValueError, "kappa"),
])
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_renders_return_figures():
    import matplotlib.pyplot as plt
    for fig in (lb.render_counterexample("Prop 5 · quadratic"), lb.render_dead_relu(0.5)):
        assert isinstance(fig, matplotlib.figure.Figure)
        plt.close(fig)
