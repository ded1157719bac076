"""Tests for the Part I additions: check_neuron, perturbation_probe, one_sided_derivatives,
render_neuron_loss / neuron_loss_explorer."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lossbook as lb  # noqa: E402

# -- check_neuron ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, classes", [
    ("softplus", ("softplus",)), ("exponential", ("softplus",)), ("relu", ("relu", "leaky_relu")),
    ("threshold", ("relu",)), ("requ", ("relu",)), ("elu", ("leaky_relu",)),
    ("linear", ("leaky_relu", "sigmoid")), ("sigmoid", ("sigmoid",)), ("softsign", ("sigmoid",)),
    ("quadratic", ("quadratic",)), ("zero", ("relu", "sigmoid")), ("monomial", ("sigmoid",)),
])
def test_check_neuron_classes_pinned(name, classes):
    chk = lb.check_neuron(name)
    assert chk.classes == classes
    assert chk.agrees_with_metadata


def test_check_neuron_agrees_with_metadata_for_every_activation():
    for name in lb.ACTIVATIONS:
        assert lb.check_neuron(name).agrees_with_metadata, name


def test_check_neuron_flags_and_assumption_5():
    sp = lb.check_neuron("softplus")
    assert sp.increasing and sp.strictly_convex and sp.satisfies_assumption_5
    q = lb.check_neuron("quadratic")
    assert not q.increasing and q.strictly_convex and q.satisfies_assumption_5
    sg = lb.check_neuron("sigmoid")
    assert sg.increasing and not sg.strictly_convex and not sg.satisfies_assumption_5
    assert lb.check_neuron(lb.get_activation("monomial", degree=4)).classes == ()
    row = lb.check_neuron("relu").row()
    assert row == {"neuron": "relu", "classes": "relu/leaky_relu", "real analytic": "no",
                   "sigma'>0": "no", "sigma''>0": "no", "Assumption 5": "no"}


def test_check_neuron_custom_grid_and_bad_input():
    assert lb.check_neuron("tanh", grid=[0.5, 1.0, 2.0]).classes == ("sigmoid",)
    with pytest.raises(ValueError, match="grid"):
        lb.check_neuron("tanh", grid=[-1.0, 1.0])
    with pytest.raises(ValueError, match="grid"):
        lb.check_neuron("tanh", grid=[[1.0, 2.0]])
    with pytest.raises(TypeError, match="tol"):
        lb.check_neuron("tanh", tol="x")
    with pytest.raises(ValueError, match="strong_convexity"):
        lb.check_neuron("tanh", strong_convexity=0.0)
    with pytest.raises(ValueError, match="activation"):
        lb.check_neuron("nope")


# -- probes and one-sided derivatives ----------------------------------------------------------

def _kink_problem(a):
    """f = a0 + a·relu(w x) on x = (1, −2, 0), y = (+, +, −), at w = 0, a0 = t*."""
    X = np.array([[1.0], [-2.0], [0.0]])
    y = np.array([1.0, 1.0, -1.0])
    loss = lb.get_loss("polynomial_hinge", p=2)
    obj = lb.Objective(lb.single_layer(1, 1, "relu"), loss, X, y)
    t = lb.best_constant(loss, y)
    params = {"a0": np.array(t), "a": np.array([a]), "W": np.zeros((1, 1))}
    return obj, params, t


def test_best_constant_of_kink_problem_pinned():
    # ℓ_2 with n+ = 2, n− = 1: t* = (2^(1/2) − 1)/(2^(1/2) + 1) = 3 − 2√2
    _, _, t = _kink_problem(-1.0)
    assert t == pytest.approx(3 - 2 * np.sqrt(2), abs=1e-12)


def test_one_sided_derivatives_at_a_kink():
    obj, params, t = _kink_problem(-1.0)
    u = {"a0": np.array(0.0), "a": np.array([0.0]), "W": np.ones((1, 1))}
    d_plus, d_minus, ag = lb.one_sided_derivatives(obj, params, u, h=1e-8)
    # right: only the positive at x = 1 moves, f drops by w: D+ = (1/3)·ℓ'(−t*)·1, ℓ' = 3(1+z)²
    lam = 3 * (1 - t) ** 2
    assert d_plus == pytest.approx(lam / 3, rel=1e-5)
    assert d_minus == pytest.approx(2 * lam / 3, rel=1e-5)
    assert ag == pytest.approx((d_plus - d_minus) / 2, rel=1e-5)  # autograd's relu'(0) = 1/2


def test_one_sided_derivatives_smooth_point():
    obj, params, _ = _kink_problem(-1.0)
    u = {"a0": np.array(1.0), "a": np.array([0.0]), "W": np.zeros((1, 1))}  # smooth, critical
    d_plus, d_minus, ag = lb.one_sided_derivatives(obj, params, u, h=1e-6)
    assert abs(ag) < 1e-10 and abs(d_plus) < 1e-5 and abs(d_minus) < 1e-5


def test_perturbation_probe_accepts_and_refutes():
    obj, params, _ = _kink_problem(-1.0)
    pr = lb.perturbation_probe(obj, params, n_probes=200)
    assert not pr.decreases and pr.n_probes == 200
    assert "no decrease" in pr.summary()
    obj, params, _ = _kink_problem(1.0)  # a > 0: moving w either way helps a positive
    pr = lb.perturbation_probe(obj, params, n_probes=200)
    assert pr.decreases
    assert obj.value(obj.flatten(params) + 0.01 * pr.direction) < obj(params)
    assert np.linalg.norm(pr.direction) == pytest.approx(1.0)


def test_perturbation_probe_extra_directions_and_bad_input():
    obj, params, _ = _kink_problem(1.0)
    pr = lb.perturbation_probe(obj, params, radii=0.01, n_probes=1,
                               directions=[[0.0, 0.0, 1.0]])
    assert pr.n_probes == 2 and list(pr.changes) == [0.01]
    with pytest.raises(ValueError, match="directions"):
        lb.perturbation_probe(obj, params, directions=[[1.0, 0.0]])
    with pytest.raises(ValueError, match="directions"):
        lb.perturbation_probe(obj, params, directions=[[0.0, 0.0, 0.0]])
    with pytest.raises(ValueError, match="radii"):
        lb.perturbation_probe(obj, params, radii=())
    with pytest.raises(ValueError, match="radii"):
        lb.perturbation_probe(obj, params, radii=(-1.0,))
    with pytest.raises(ValueError, match="n_probes"):
        lb.perturbation_probe(obj, params, n_probes=0)
    with pytest.raises(TypeError, match="objective"):
        lb.perturbation_probe("obj", params)
    with pytest.raises(ValueError, match="direction"):
        lb.one_sided_derivatives(obj, params, None)
    with pytest.raises(ValueError, match="h"):
        lb.one_sided_derivatives(obj, params, [1.0, 0.0, 0.0], h=0.0)


# -- widget ---------------------------------------------------------------------------------------

def test_render_neuron_loss_returns_figure():
    # no timing here (issue 13): benchmarks/bench_widgets.py measures neuron_loss_explorer redraws
    fig = lb.render_neuron_loss("sigmoid", "neurips_hinge", p=3)
    assert isinstance(fig, matplotlib.figure.Figure) and len(fig.axes) == 2
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "class: sigmoid" in texts and "Assumption 5: no" in texts
    plt.close(fig)
    fig = lb.render_neuron_loss("leaky_relu", "zero_one", slope=0.2)
    assert "leaky_relu(0.2)" in fig.axes[0].get_title()
    plt.close(fig)


def test_render_neuron_loss_bad_input():
    with pytest.raises(ValueError, match="activation"):
        lb.render_neuron_loss("nope")
    with pytest.raises(ValueError, match="loss"):
        lb.render_neuron_loss("relu", "nope")
    with pytest.raises(TypeError, match="p"):
        lb.render_neuron_loss("relu", "polynomial_hinge", p=2.5)


def test_neuron_loss_explorer_builds():
    w = lb.neuron_loss_explorer()
    assert w.defaults == {"activation": "softplus", "loss": "polynomial_hinge", "p": 2,
                          "slope": 0.1}
    plt.close("all")
