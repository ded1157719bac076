"""Recorded tapes (lossbook._tape) replay autograd's reverse pass bit for bit, or refuse."""
import autograd.numpy as anp
import numpy as np
import pytest
from autograd import make_vjp

import lossbook as lb
from lossbook._tape import Tape


def _xy(n=10, d=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    return X, np.where(X[:, 0] - X[:, 1] > 0, 1.0, -1.0)


MODELS = {
    "single_layer softplus": lambda: lb.single_layer(2, 3, "softplus"),
    "feedforward relu": lambda: lb.feedforward(2, (3, 2), "relu"),
    "identity shortcut": lambda: lb.identity_shortcut(2, (2,)),
    "exponential neuron": lambda: lb.add_exponential_neuron(lb.feedforward(2, (3,), "tanh"), lam=1.0),
    "exponential per layer": lambda: lb.exponential_per_layer(2, hidden=(3,), activation="tanh", lam=1.0),
    "leaky relu": lambda: lb.single_layer(2, 3, "leaky_relu"),
}


@pytest.mark.parametrize("name", sorted(MODELS))
@pytest.mark.parametrize("loss", ["polynomial_hinge", "logistic"])
def test_replay_is_autograd_bit_for_bit(name, loss):
    X, y = _xy()
    model = MODELS[name]()
    obj = lb.Objective(model, lb.get_loss(loss), X, y)
    T0 = obj.flatten(model.init(0, batch=5))
    tape = Tape.record(obj._loss, T0)
    assert tape is not None and tape.shape == T0.shape
    for seed in (1, 2):  # other points than the recorded one
        T = obj.flatten(model.init(seed, batch=5))
        vjp, value = make_vjp(obj._loss)(T)
        rvalue, rvjp = tape(T)
        g = np.ones_like(value)
        np.testing.assert_array_equal(rvalue, value)
        np.testing.assert_array_equal(rvjp(g), vjp(g))


def _check(fun, x_record, x_replay):
    tape = Tape.record(fun, x_record)
    assert tape is not None
    vjp, value = make_vjp(fun)(x_replay)
    rvalue, rvjp = tape(x_replay)
    g = np.ones_like(value)
    np.testing.assert_array_equal(rvalue, value)
    np.testing.assert_array_equal(rvjp(g), vjp(g))


def test_masks_are_recomputed_at_every_replay():
    """A comparison's mask is recorded as a forward-only step: replayed where the mask differs
    from the recorded one, the value and gradient are still autograd's."""
    x = np.array([0.5, -1.0, 2.0, -0.25])
    _check(lambda v: anp.sum(anp.where(v > 0, v ** 2, 0.1 * v)), x, -x)
    _check(lambda v: anp.sum(v * anp.sign(v)), x, -x)
    _check(lambda v: anp.sum(anp.where(anp.isfinite(anp.log(anp.abs(v))), v, 0.0) ** 3), x, -x)
    _check(lambda v: anp.sum(anp.maximum(v, 0.0) ** 2), x, -x)


def test_value_dependent_traces_are_refused():
    """A scalar comparison could steer Python control flow; an output that does not depend on
    x has no gradient to replay."""
    x = np.array([0.5, -1.0, 2.0])
    assert Tape.record(lambda v: v[0] ** 2 if v[0] > 0 else -v[0], x) is None
    assert Tape.record(lambda v: anp.sum(v) * (anp.sum(v) > 0), x) is None
    assert Tape.record(lambda v: 3.0, x) is None
    tape = Tape.record(lambda v: anp.sum(anp.maximum(v, 0.0) ** 2), x)
    assert "primitives" in repr(tape)
    value, vjp = tape(-x)
    assert value == 1.0 and np.array_equal(vjp(1.0), np.array([0.0, 2.0, 0.0]))


def test_objective_replays_from_the_fourth_call():
    X, y = _xy()
    model = lb.feedforward(2, (3,), "softplus")
    obj = lb.Objective(model, "polynomial_hinge", X, y)
    ref = lb.Objective(model, "polynomial_hinge", X, y)
    ref._replay = False
    Ts = [obj.flatten(model.init(s, batch=4)) for s in range(4)]
    for T in Ts:
        v, g = obj.value_and_gradient(T)
        v0, g0 = ref.value_and_gradient(T)
        np.testing.assert_array_equal(v, v0)
        np.testing.assert_array_equal(g, g0)
    assert any(isinstance(t, Tape) for t in obj._tapes.values())
    assert ref._tapes == {}
    # one point (P,) is its own shape
    v, g = obj.value_and_gradient(Ts[0][0])
    assert np.ndim(v) == 0 and g.shape == (obj.n_params,)
