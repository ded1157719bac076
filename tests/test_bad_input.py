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
