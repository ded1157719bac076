"""Models: shapes, batching, combinators, and gradients against finite differences."""
import itertools

import numpy as np
import pytest
from autograd.test_util import check_grads

import lossbook as lb

D = 3
X = np.random.default_rng(0).normal(size=(7, D))
Y = np.array([1, -1, 1, 1, -1, -1, 1.0])


def all_models():
    return {
        "single": lb.single_layer(D, 4, "softplus"),
        "feedforward": lb.feedforward(D, (4, 3), "tanh"),
        "affine": lb.feedforward(D, (), "relu"),
        "shortcut": lb.shortcut(lb.single_layer(D, 3, "softplus"), lb.feedforward(D, (3,), "relu")),
        "identity": lb.identity_shortcut(D, (4,), "relu"),
        "constant": lb.constant(D),
        "exp": lb.add_exponential_neuron(lb.feedforward(D, (3,), "tanh"), lam=0.5),
        "monomial": lb.add_monomial_neuron(lb.single_layer(D, 2, "sigmoid"), degree=3, lam=1.0),
        "per_layer": lb.exponential_per_layer(D, (3, 2), "tanh", lam=0.3),
    }


@pytest.mark.parametrize("name", list(all_models()))
def test_output_shapes_and_batch(name):
    model = all_models()[name]
    init, apply = model  # stax-style unpacking
    p = init(0)
    assert np.shape(apply(p, X)) == (7,)
    pb = model.init(0, batch=5)
    fb = np.asarray(apply(pb, X))
    assert fb.shape == (5, 7)
    # each row of a batch equals the unbatched evaluation of that parameter set
    theta, unflat = lb.flatten(pb, batch_ndim=1)
    f2 = np.asarray(apply(unflat(theta[2]), X))
    np.testing.assert_allclose(fb[2], f2, rtol=1e-12)
    # a batch of K parameter sets gives one penalty per set, shape (K,), row k that of set k
    penalties = np.asarray(model.penalty(pb))
    assert penalties.shape == (5,)
    np.testing.assert_allclose(penalties[2], model.penalty(unflat(theta[2])), rtol=1e-12)


def test_single_layer_formula():
    model = lb.single_layer(2, 2, "quadratic")
    p = {"a0": np.array(0.5), "a": np.array([1.0, -2.0]), "W": np.array([[1.0, 0.0], [0.0, 1.0]])}
    x = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(model.apply(p, x), [0.5 + 1 - 8])


def test_shortcut_adds_outputs():
    fS, fD = lb.single_layer(D, 2, "softplus"), lb.feedforward(D, (3,), "relu")
    p = lb.shortcut(fS, fD).init(1)
    np.testing.assert_allclose(lb.shortcut(fS, fD).apply(p, X), fS.apply(p["S"], X) + fD.apply(p["D"], X))


def test_exponential_neuron_and_penalty():
    base = lb.constant(D)
    model = lb.add_exponential_neuron(base, lam=2.0)
    p = {"net": {"c": np.array(0.25)}, "a": np.array(3.0), "w": np.zeros(D), "b": np.array(0.0)}
    np.testing.assert_allclose(model.apply(p, X), 3.25 * np.ones(7))
    np.testing.assert_allclose(model.penalty(p), 0.5 * 2.0 * 9.0)


def test_per_layer_penalty_power():
    m = lb.exponential_per_layer(2, (2, 2), "tanh", lam=2.0)
    p = m.init(0)
    w2, w3 = p["W2"][-1], p["W3"][-1]
    expected = 0.5 * 2.0 * (np.sum(w2 ** 4) + np.sum(w3 ** 4))  # power 2L = 4 with L = 2
    np.testing.assert_allclose(m.penalty(p), expected)
    m2 = lb.exponential_per_layer(2, (2, 2), "tanh", lam=2.0, power=2)
    expected2 = 0.5 * 2.0 * (np.sum(w2 ** 4) ** 0.5 + np.sum(w3 ** 4) ** 0.5)
    np.testing.assert_allclose(m2.penalty(p), expected2)


def test_identity_shortcut_formula():
    m = lb.identity_shortcut(2, (3,), "relu")
    p = m.init(0)
    p["b1"] = -100 * np.ones(3)  # dead hidden layer: H(x) = c
    x = np.array([[1.0, 2.0]])
    np.testing.assert_allclose(m.apply(p, x), [p["a"] @ (x[0] + p["c"]) + p["b"]])


SMOOTH = ["softplus", "sigmoid", "tanh", "quadratic", "exponential", "linear", "softplus_e", "arctan"]
LOSSES = [("polynomial_hinge", {"p": 3}), ("quadratic", {}), ("logistic", {}), ("neurips_hinge", {"p": 4})]
ARCHS = ["single", "feedforward", "shortcut"]


def _model(arch, act):
    if arch == "single":
        return lb.single_layer(D, 3, act, init_scale=0.5)
    if arch == "feedforward":
        return lb.feedforward(D, (3,), act, init_scale=0.5)
    return lb.shortcut(lb.single_layer(D, 2, act, init_scale=0.5), lb.feedforward(D, (2,), act, init_scale=0.5))


@pytest.mark.parametrize("arch, act, loss", list(itertools.product(ARCHS, SMOOTH, LOSSES)))
def test_gradients_against_finite_differences(arch, act, loss):
    """Every model × smooth activation × loss: autograd's gradient matches finite differences."""
    model = _model(arch, act)
    obj = lb.Objective(model, lb.get_loss(loss[0], **loss[1]), X, Y)
    theta = obj.flatten(model.init(3))
    check_grads(obj.value, modes=["rev"], order=1)(theta)


@pytest.mark.parametrize("act", ["relu", "leaky_relu", "elu", "requ", "softsign"])
def test_gradients_of_kinked_activations_away_from_kinks(act):
    model = lb.shortcut(lb.single_layer(D, 2, act), lb.feedforward(D, (2,), act))
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=3), X, Y)
    check_grads(obj.value, modes=["rev"], order=1)(obj.flatten(model.init(5)))


@pytest.mark.parametrize("name", ["exp", "monomial", "per_layer", "identity"])
def test_combinator_gradients_and_hessians(name):
    model = all_models()[name]
    obj = lb.Objective(model, lb.get_loss("neurips_hinge", p=4), X, Y, reduction="sum")
    params = model.init(2)
    obj.check_gradients(params, order=2) if name != "identity" else obj.check_gradients(params, order=1)


def test_hessian_batch_matches_single():
    model = lb.single_layer(D, 2, "softplus")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=3), X, Y)
    T = obj.flatten(model.init(0, batch=3))
    H = obj.hessian(T)
    np.testing.assert_allclose(H[1], obj.hessian(T[1]), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(H[1], H[1].T)
