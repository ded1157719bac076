"""Bad input gets a clear ValueError/TypeError naming the argument."""
import numpy as np
import pytest

import lossbook as lb

X, Y = lb.make_subspace_data(10, n_features=4, pos_basis=(0, 1), neg_basis=(2, 3), random_state=0)
MODEL = lb.single_layer(4, 2, "softplus")
LOSS = lb.get_loss("polynomial_hinge", p=2)


@pytest.mark.parametrize("call, exc, word", [
    (lambda: lb.get_activation("swish"), ValueError, "activation"),
    (lambda: lb.get_activation(3), TypeError, "activation"),
    (lambda: lb.get_loss("hinge"), ValueError, "loss"),
    (lambda: lb.get_loss("polynomial_hinge", p=0), ValueError, "p"),
    (lambda: lb.get_loss("polynomial_hinge", p=2.5), TypeError, "p"),
    (lambda: lb.get_activation("leaky_relu", slope=1.5), ValueError, "slope"),
    (lambda: lb.single_layer(4, 0), ValueError, "n_neurons"),
    (lambda: lb.single_layer(0, 2), ValueError, "n_features"),
    (lambda: lb.feedforward(4, (3, 0)), ValueError, "hidden"),
    (lambda: lb.feedforward(4, "wide"), TypeError, "hidden"),
    (lambda: lb.add_exponential_neuron("net"), TypeError, "model"),
    (lambda: lb.add_exponential_neuron(MODEL, lam=-1.0), ValueError, "lam"),
    (lambda: lb.add_monomial_neuron(MODEL, degree=0), ValueError, "degree"),
    (lambda: lb.shortcut(MODEL, lb.constant(3)), ValueError, "f_D"),
    (lambda: lb.Objective(MODEL, LOSS, X, np.zeros(10)), ValueError, "y"),
    (lambda: lb.Objective(MODEL, LOSS, X, Y[:5]), ValueError, "y"),
    (lambda: lb.Objective(MODEL, LOSS, X[:, :3], Y), ValueError, "X"),
    (lambda: lb.Objective(MODEL, LOSS, X.ravel(), Y), ValueError, "X"),
    (lambda: lb.Objective(MODEL, LOSS, np.where(X == 0, np.nan, X), Y), ValueError, "X"),
    (lambda: lb.Objective(MODEL, LOSS, np.where(X == 0, np.inf, X), Y), ValueError, "X"),
    (lambda: lb.Objective(MODEL, LOSS, X, Y, reduction="median"), ValueError, "reduction"),
    (lambda: lb.Objective("model", LOSS, X, Y), TypeError, "model"),
    (lambda: lb.make_subspace_data(10, n_features=4, pos_basis=(0, 4)), ValueError, "pos_basis"),
    (lambda: lb.make_subspace_data(1), ValueError, "n_samples"),
    (lambda: lb.make_subspace_data(10, random_state=-1), ValueError, "random_state"),
    (lambda: lb.make_subspace_data(10, random_state="seed"), TypeError, "random_state"),
    (lambda: lb.make_separable_data(10, margin=0), ValueError, "margin"),
    (lambda: lb.check_assumptions(X, np.ones(10)), ValueError, "y"),
    (lambda: lb.check_loss_assumption(LOSS, paper="nips"), ValueError, "paper"),
    (lambda: MODEL.init(0, batch=0), ValueError, "batch"),
    (lambda: MODEL.apply(MODEL.init(0), X[:, :2]), ValueError, "X"),
])
def test_bad_input(call, exc, word):
    with pytest.raises(exc, match=word):
        call()


def test_objective_rejects_wrong_params_and_theta():
    obj = lb.Objective(MODEL, LOSS, X, Y)
    p = MODEL.init(0)
    p["W"] = np.zeros((3, 2))
    with pytest.raises(ValueError, match="params"):
        obj(p)
    with pytest.raises(TypeError, match="params"):
        obj([1, 2, 3])
    with pytest.raises(ValueError, match="theta"):
        obj.value(np.zeros(obj.n_params + 1))
    with pytest.raises(ValueError, match="thetas"):
        lb.certify_batch(obj, np.full((2, obj.n_params), np.nan))
    with pytest.raises(ValueError, match="direction"):
        lb.loss_slice_1d(obj, MODEL.init(0), direction=np.zeros(obj.n_params))
    with pytest.raises(ValueError, match="target"):
        lb.find_critical_point(obj, MODEL.init(0), target="maximum")
    with pytest.raises(ValueError, match="n_runs"):
        lb.census(MODEL, LOSS, X, Y, n_runs=0)


# -- the cases named in issue 13 --------------------------------------------------------------
@pytest.mark.parametrize("options, word", [
    ({"grad_tol": -1.0}, "grad_tol"), ({"eig_tol": np.nan}, "eig_tol"),
    ({"probe_tol": -1.0}, "probe_tol"), ({"radii": ()}, "radii"), ({"radii": (-1e-2,)}, "radii"),
    ({"grad_tol": "1e-6"}, "grad_tol"),
])
def test_certify_refuses_bad_options(options, word):
    obj = lb.Objective(MODEL, LOSS, X, Y)
    with pytest.raises((ValueError, TypeError), match=word):
        lb.certify(obj, MODEL.init(0), n_probes=3, **options)
    with pytest.raises((ValueError, TypeError), match=word):
        lb.certify_batch(obj, obj.flatten(MODEL.init(0, batch=2)), n_probes=3, **options)
    with pytest.raises((ValueError, TypeError), match=word):  # before any training
        lb.census(MODEL, LOSS, X, Y, n_runs=2, maxiter=1, **options)


def test_model_apply_names_params_for_wrong_params():
    with pytest.raises(ValueError, match="params: .*missing keys"):
        MODEL.apply({"c": np.array(0.0)}, X)
    with pytest.raises(ValueError, match="params: W has shape"):
        MODEL.apply({**MODEL.init(0), "W": np.zeros((3, 2))}, X)
    with pytest.raises(TypeError, match="params"):
        lb.training_error([1.0], MODEL, X, Y)


def test_find_critical_point_unknown_method_names_method():
    obj = lb.Objective(MODEL, LOSS, X, Y)
    with pytest.raises(ValueError, match="method: expected one of"):
        lb.find_critical_point(obj, MODEL.init(0), method="nope")


def test_plot_data_2d_refuses_labels_0_1():
    X2, Y2 = lb.make_separable_data(10, random_state=0)
    with pytest.raises(ValueError, match="y: labels must be -1 or \\+1"):
        lb.plot_data_2d(X2, (Y2 > 0).astype(float))


def test_loops_are_bounded():
    with pytest.raises(ValueError, match="margin"):
        lb.make_separable_data(10, margin=1e300, random_state=0)
    with pytest.raises(ValueError, match="k: .*more than the limit"):
        lb.symmetric_tensor(np.ones(10), X, 40)
    with pytest.raises(ValueError, match="n_samples"):
        lb.atom_bad_event_probability(0.5, 10**6)
    with pytest.raises(ValueError, match="max_tries"):
        lb.symmetric_sample(40, random_state=0, max_tries=1)


@pytest.mark.parametrize("build, word", [
    (lambda: lb.dead_relu_explorer(kappa=-1.0), "kappa"),
    (lambda: lb.dead_relu_explorer(kappa=0.01), "kappa"),
    (lambda: lb.dead_relu_explorer(radius=7.0), "radius"),
    (lambda: lb.neuron_loss_explorer(p=9), "p"),
    (lambda: lb.population_explorer(neg_width=0.0), "neg_width"),
    (lambda: lb.monomial_degree_explorer(degree=7), "degree"),
    (lambda: lb.census_explorer(n_samples=41), "n_samples"),
])
def test_widgets_raise_instead_of_clamping(build, word):
    with pytest.raises(ValueError, match=f"{word}: expected a value in"):
        build()


def test_overflowing_objective_is_inf_and_derivatives_raise():
    model = lb.add_exponential_neuron(MODEL, lam=1.0)
    Xs = 1e3 * X  # data of scale 1e3: the exponential neuron overflows float64
    obj = lb.Objective(model, LOSS, Xs, Y)
    p = model.init(0)
    p["w"] = np.ones(4)
    assert obj(p) == np.inf
    with pytest.raises(ValueError, match="theta: the gradient overflows"):
        obj.gradient(obj.flatten(p))
    # a census whose starting points overflow says so, instead of warning and returning NaN
    with pytest.raises(ValueError, match="thetas: the loss or its gradient overflows .* data X"):
        lb.census(model, LOSS, Xs, Y, n_runs=3, maxiter=20, n_probes=5, radii=(1e-2,))
