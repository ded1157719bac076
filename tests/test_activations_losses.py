"""Activations and losses: values pinned by hand, stability, metadata, Assumption 1 checks."""
import warnings

import numpy as np
import pytest
from autograd import elementwise_grad

import lossbook as lb

Z = np.array([-2.0, -1.0, 0.0, 0.5, 3.0])


@pytest.mark.parametrize("name, expected", [
    ("relu", [0, 0, 0, 0.5, 3]),
    ("threshold", [0, 0, 0, 1, 1]),
    ("requ", [0, 0, 0, 0.25, 9]),
    ("linear", [-2, -1, 0, 0.5, 3]),
    ("quadratic", [4, 1, 0, 0.25, 9]),
    ("softsign", [-2 / 3, -0.5, 0, 1 / 3, 0.75]),
    ("zero", [0, 0, 0, 0, 0]),
])
def test_activation_values(name, expected):
    np.testing.assert_allclose(lb.get_activation(name)(Z), expected)


def test_softplus_is_log2_and_sigmoid_is_logistic():
    np.testing.assert_allclose(lb.get_activation("softplus")(0.0), 1.0)  # log2(2)
    np.testing.assert_allclose(lb.get_activation("softplus_e")(0.0), np.log(2.0))
    np.testing.assert_allclose(lb.get_activation("sigmoid")(Z), 1 / (1 + np.exp(-Z)))
    np.testing.assert_allclose(lb.get_activation("leaky_relu", slope=0.1)(Z), [-0.2, -0.1, 0, 0.5, 3])
    np.testing.assert_allclose(lb.get_activation("elu")(np.array([-1.0, 2.0])), [np.exp(-1) - 1, 2.0])


@pytest.mark.parametrize("name", lb.ACTIVATIONS)
def test_activations_stable_at_800(name):
    act = lb.get_activation(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = np.asarray(act(np.array([-800.0, 800.0])), dtype=float)
        # the threshold neuron is piecewise constant: autograd sees no dependence on z
        grads = 0.0 if name == "threshold" else elementwise_grad(act.fn)(np.array([-800.0, 800.0]))
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(grads))


def test_sigmoid_class_identity():
    """Every member of the sigmoid class has σ(z) + σ(−z) constant (ICML §4.1)."""
    z = np.linspace(-5, 5, 41)
    for name in ("sigmoid", "tanh", "arctan", "softsign", "zero"):
        act = lb.get_activation(name)
        assert "sigmoid" in act.classes
        s = act(z) + act(-z)
        np.testing.assert_allclose(s, s[0], atol=1e-12)


def test_relu_and_leaky_classes_by_property():
    z = np.linspace(-3, 3, 61)
    for name in lb.ACTIVATIONS:
        act = lb.get_activation(name)
        if "relu" in act.classes:
            assert np.all(act(z[z <= 0]) == 0), name
        if "leaky_relu" in act.classes:
            np.testing.assert_allclose(act(z[z >= 0]), z[z >= 0], err_msg=name)


def test_assumption_5_flags():
    assert lb.get_activation("softplus").satisfies_assumption_5
    assert lb.get_activation("exponential").satisfies_assumption_5
    assert lb.get_activation("quadratic").satisfies_assumption_5
    assert not lb.get_activation("relu").satisfies_assumption_5
    assert not lb.get_activation("sigmoid").satisfies_assumption_5
    assert lb.get_activation("exponential").paper_class == "softplus"


@pytest.mark.filterwarnings("ignore:Output seems independent")
def test_flags_match_numerical_derivatives():
    z = np.linspace(-4, 4, 81)
    for name in ("softplus", "sigmoid", "tanh", "exponential", "quadratic", "linear", "elu"):
        act = lb.get_activation(name)
        d1 = elementwise_grad(act.fn)(z)
        d2 = elementwise_grad(elementwise_grad(act.fn))(z)
        if act.increasing:
            assert np.all(d1 > 0), name
        if act.strictly_convex:
            assert np.all(d2 > 0), name


def test_loss_values():
    z = np.array([-2.0, -1.0, 0.0, 1.0])
    np.testing.assert_allclose(lb.get_loss("polynomial_hinge", p=2)(z), [0, 0, 1, 8])
    np.testing.assert_allclose(lb.get_loss("neurips_hinge", p=3)(z), [0, 0, 1, 8])
    np.testing.assert_allclose(lb.get_loss("quadratic")(z), [1, 0, 1, 4])
    np.testing.assert_allclose(lb.get_loss("logistic")(np.array([0.0])), [1.0])
    np.testing.assert_allclose(lb.get_loss("zero_one")(z), [0, 0, 1, 1])


def test_logistic_stable_at_800():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = lb.get_loss("logistic")(np.array([-800.0, 800.0]))
    np.testing.assert_allclose(v, [0.0, 800 / np.log(2)])


@pytest.mark.parametrize("name, opts", [("polynomial_hinge", {"p": 6}), ("quadratic", {}),
                                        ("logistic", {}), ("neurips_hinge", {"p": 3})])
def test_surrogate_property(name, opts):
    """ℓ(z) ≥ 1{z ≥ 0}: every loss of the library bounds the zero-one loss."""
    z = np.linspace(-5, 5, 1001)
    assert np.all(lb.get_loss(name, **opts)(z) >= lb.get_loss("zero_one")(z))


def test_icml_assumption_1():
    assert lb.check_loss_assumption(lb.get_loss("polynomial_hinge", p=6), paper="icml").holds
    quad = lb.check_loss_assumption(lb.get_loss("quadratic"), paper="icml")
    assert quad.conditions["surrogate"] and not quad.conditions["non-decreasing"]
    logi = lb.check_loss_assumption(lb.get_loss("logistic"), paper="icml")
    assert logi.conditions["surrogate"] and not logi.conditions["flat exactly below -z0"]
    assert not lb.check_loss_assumption("zero_one", paper="icml").holds


def test_neurips_assumption_1():
    assert lb.check_loss_assumption(lb.get_loss("neurips_hinge", p=3), paper="neurips").holds
    assert not lb.check_loss_assumption(lb.get_loss("quadratic"), paper="neurips").holds
    assert not lb.check_loss_assumption(lb.get_loss("neurips_hinge", p=2), paper="neurips").holds


def test_reprs_are_short():
    assert "softplus" in repr(lb.get_activation("softplus"))
    assert "max(z+1, 0)^7" in repr(lb.get_loss("polynomial_hinge", p=6))
