"""Part II (icml-thm-1, icml-prop-1, icml-thm-2): the census explorer and the facts the
chapters rely on, with values pinned by hand."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lossbook as lb  # noqa: E402


def test_render_census_default_reports_the_bound():
    fig = lb.render_census()
    try:
        ax_hist, ax_bars = fig.axes[:2]
        # default: n = 20, r+ = r- = 3, overlap 1 -> r = 5, delta_r = 2, bound 2*max(10, 3) = 20
        assert "r = 5, Δr = 2" in ax_hist.get_title()
        assert "= 20" in ax_hist.get_title()
        assert "M = 4 (bound 20)" in ax_bars.get_title()
        assert "do not hold" in ax_bars.get_title()
        widths = [patch.get_width() for patch in ax_bars.patches]
        assert sum(widths) == 20  # every run lands in exactly one outcome
    finally:
        plt.close(fig)


def test_render_census_separable_and_conditions():
    fig = lb.render_census(n_samples=12, n_neurons=1, p=3, activation="softplus",
                           data="separable", n_features=2, hidden=(2,), n_runs=5)
    try:
        assert "M = 1 (bound 1)" in fig.axes[1].get_title()
        assert "conditions hold" in fig.axes[1].get_title()
    finally:
        plt.close(fig)
    fig = lb.render_census(n_samples=8, n_neurons=1, p=3, activation="quadratic",
                           data="separable", n_runs=3)
    try:
        assert "do not hold" in fig.axes[1].get_title()  # sigma' changes sign
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kwargs, exc, word", [
    ({"data": "circles"}, ValueError, "data"),
    ({"overlap": 3}, ValueError, "overlap"),
    ({"overlap": -1}, ValueError, "overlap"),
    ({"activation": "swish"}, ValueError, "activation"),
    ({"activation": 3}, ValueError, "activation"),
    ({"n_neurons": 0}, ValueError, "n_neurons"),
    ({"n_samples": 20.5}, TypeError, "n_samples"),
    ({"p": 0}, ValueError, "p"),
    ({"seed": -1}, ValueError, "seed"),
])
def test_render_census_bad_input(kwargs, exc, word):
    with pytest.raises(exc, match=word):
        lb.render_census(**kwargs)


def test_census_explorer_builds_with_defaults():
    box = lb.census_explorer(n_samples=8, n_neurons=2)
    assert box.defaults == {"n_samples": 8, "n_neurons": 2, "p": 6, "activation": "softplus",
                            "overlap": 1}
    box = lb.census_explorer(data="separable", n_samples=8, n_neurons=1, p=3)
    assert set(box.defaults) == {"n_samples", "n_neurons", "p", "activation", "n_features"}
    with pytest.raises(ValueError, match="data"):
        lb.census_explorer(data="rings")
    plt.close("all")


@pytest.mark.parametrize("overlap, delta_r, bound", [(0, 4, 20), (1, 3, 27), (2, 2, 40),
                                                     (3, 1, 80)])
def test_thm1_bound_by_overlap(overlap, delta_r, bound):
    # r+ = r- = 4, n = 40: bound = ceil(2 * max(40 / (4 - overlap), 4)) (Exercise 1 of Part II)
    X, y = lb.make_subspace_data(40, n_features=8 - overlap, pos_basis=(0, 1, 2, 3),
                                 neg_basis=tuple(range(4 - overlap, 8 - overlap)), random_state=0)
    rep = lb.check_assumptions(X, y)
    assert (rep.r_pos, rep.r_neg, rep.r) == (4, 4, 8 - overlap)
    assert rep.delta_r == delta_r and rep.thm1_neurons == bound
    assert rep.prop1_neurons == 8 - overlap + 1


def test_two_softplus_neurons_classify_planar_subspace_data():
    # Part II, Exercise 2: a0 + sigma(k x1) + sigma(-k x1) with a0 = -2.5 has zero error
    X, y = lb.make_subspace_data(20, n_features=2, pos_basis=(0,), neg_basis=(1,), random_state=0)
    kappa = 20 / np.abs(X[y > 0, 0]).min()
    params = {"a0": np.array(-2.5), "a": np.array([1.0, 1.0]),
              "W": np.array([[kappa, -kappa], [0.0, 0.0]])}
    model = lb.single_layer(2, 2, "softplus")
    assert lb.training_error(params, model, X, y) == 0.0
    assert np.allclose(model.apply(params, X)[y < 0], -0.5)  # sigma(0) = log2(2) = 1


def test_switched_off_neuron_slope_matches_formula():
    # icml-thm-2: at a = 0, dL/da = -(1/n) sum_i lambda_i y_i sigma(w.x_i), at any f_D
    X, y = lb.make_separable_data(30, n_features=3, random_state=1)
    loss = lb.get_loss("polynomial_hinge", p=3)
    f_D = lb.feedforward(3, hidden=(2,), activation="relu")
    model = lb.shortcut(lb.single_layer(3, 1, "softplus"), f_D)
    obj = lb.Objective(model, loss, X, y)
    w = np.array([0.3, -1.0, 0.5])
    params = {"S": {"a0": np.array(0.0), "a": np.array([0.0]), "W": w[:, None]},
              "D": f_D.init(0)}
    slope = obj.unflatten(obj.gradient(obj.flatten(params)))["S"]["a"][0]
    lam = lb.loss_weights(loss, y, f_D.apply(params["D"], X))
    formula = -np.mean(lam * y * lb.get_activation("softplus")(X @ w))
    assert slope == pytest.approx(formula, rel=1e-12, abs=1e-14)
