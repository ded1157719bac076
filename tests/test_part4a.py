"""Tests for the NeurIPS tools (lossbook/neurips.py) and the Part IV (a) widgets."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lossbook as lb  # noqa: E402

LOSS = lb.get_loss("neurips_hinge", p=3)


def test_xor_data_and_realiser():
    X, y = lb.make_xor_data(16, noise=0.25, random_state=0)
    assert X.shape == (16, 2) and np.all(np.sign(X[:, 0] * X[:, 1]) == y)
    model = lb.feedforward(2, hidden=(4,), activation="relu")
    params = lb.xor_relu_params(scale=2.0)
    f = np.asarray(model.apply(params, np.array([[1.0, 2.0], [-1.0, 3.0]])))
    assert np.allclose(f, [2 * (3 - 1), 2 * (2 - 4)])  # s(|x1+x2| - |x1-x2|)
    obj = lb.Objective(model, LOSS, X, y, reduction="sum")
    assert float(obj(params)) == 0.0
    with pytest.raises(ValueError, match="n_samples"):
        lb.make_xor_data(10)
    with pytest.raises(ValueError, match="scale"):
        lb.xor_relu_params(scale=-1.0)


def test_symmetric_tensor_and_form_by_hand():
    X = np.array([[1.0, 2.0], [0.0, 1.0]])
    c = np.array([2.0, -1.0])
    assert float(lb.symmetric_tensor(c, X, 0)) == 1.0
    assert np.allclose(lb.symmetric_tensor(c, X, 1), [2.0, 3.0])
    assert np.allclose(lb.symmetric_tensor(c, X, 2), [[2.0, 4.0], [4.0, 7.0]])
    T3 = lb.symmetric_tensor(c, X, 3)
    assert T3.shape == (2, 2, 2) and np.isclose(T3[1, 1, 1], 2 * 8 - 1)
    u = np.array([0.6, 0.8])
    for k in range(5):
        T = lb.symmetric_tensor(c, X, k)
        assert np.isclose(lb.tensor_form(T, u), lb.directional_moments(c, X, u[None], (k,))[0, 0])
    with pytest.raises(ValueError, match="c:"):
        lb.symmetric_tensor(np.ones(3), X, 2)
    with pytest.raises(ValueError, match="directions"):
        lb.directional_moments(c, X, np.zeros((1, 2)))
    with pytest.raises(ValueError, match="u:"):
        lb.tensor_form(lb.symmetric_tensor(c, X, 2), np.ones(3))


def test_exponential_slope_matches_autograd_and_weights():
    X, y = lb.make_xor_data(16, random_state=1)
    base, net = lb.dead_relu_point(X, y, LOSS, hidden=(3,), random_state=0)
    w = np.array([0.7, -0.2])
    obj = lb.Objective(lb.add_exponential_neuron(base, lam=2.0), LOSS, X, y, reduction="sum")
    point = lb.with_exponential_neuron(net, w, b=0.3)
    grad = obj.unflatten(obj.gradient(obj.flatten(point)))
    slope = lb.exponential_slope(base, net, LOSS, X, y, w, b=0.3)
    assert np.isclose(float(grad["a"]), slope)
    c = lb.exponential_weights(base, point, LOSS, X, y)
    assert np.isclose(-c.sum(), slope)
    batch = lb.exponential_slope(base, net, LOSS, X, y, np.vstack([w, w]), b=0.3)
    assert batch.shape == (2,) and np.allclose(batch, slope)
    with pytest.raises(ValueError, match="W:"):
        lb.exponential_slope(base, net, LOSS, X, y, np.ones(3))
    with pytest.raises(TypeError, match="base_model"):
        lb.exponential_weights("net", point, LOSS, X, y)


def test_rescaling_keeps_the_network():
    X, y = lb.make_xor_data(8, random_state=0)
    model = lb.add_exponential_neuron(lb.feedforward(2, hidden=(2,)), lam=1.0)
    p = model.init(3)
    q = lb.rescale_exponential_neuron(p, 1.5)
    assert np.allclose(model.apply(p, X), model.apply(q, X))
    assert np.isclose(model.penalty(q), model.penalty(p) * np.exp(-3.0))
    per = lb.exponential_per_layer(2, hidden=(2, 2), activation="tanh", lam=1.0)
    p = per.init(0)
    q = lb.rescale_exponential_layers(p, 0.7)
    assert np.allclose(per.apply(p, X), per.apply(q, X))
    assert np.isclose(per.penalty(q), per.penalty(p) * np.exp(-4 * 0.7))
    with pytest.raises(ValueError, match="params"):
        lb.rescale_exponential_neuron({"a": 1.0}, 1.0)


def test_drop_exponential_neurons_when_silent():
    X, y = lb.make_xor_data(8, random_state=0)
    per = lb.exponential_per_layer(2, hidden=(3, 2), activation="tanh", lam=1.0)
    p = {k: np.array(v) for k, v in per.init(0).items()}
    for i in (2, 3):
        p[f"W{i}"][-1, :] = 0.0  # silence every exponential neuron
    q = lb.drop_exponential_neurons(p)
    plain = lb.feedforward(2, hidden=(3, 2), activation="tanh")
    assert np.allclose(per.apply(p, X), plain.apply(q, X))
    with pytest.raises(ValueError, match="params"):
        lb.drop_exponential_neurons({"a": 1})


def test_chain_direction_order_of_the_data_term():
    X, y = lb.make_xor_data(16, random_state=0)
    t = lb.best_constant(LOSS, y)
    for depth in (2, 3):
        m = lb.exponential_per_layer(2, hidden=(2,) * depth, activation="tanh", lam=0.0)
        p = {k: np.zeros_like(v) for k, v in m.init(0).items()}
        p[f"b{depth + 1}"][:] = t
        p["W1"][:, -1] = 1.0
        obj = lb.Objective(m, LOSS, X, y, reduction="sum")
        D = obj.flatten(lb.exponential_chain_direction(p))
        th = obj.flatten(p)
        ch = obj.value(th + np.array([1e-2, 1e-3])[:, None] * D) - obj.value(th)
        assert abs(np.log10(ch[0] / ch[1]) - depth) < 0.1
    with pytest.raises(ValueError, match="sign"):
        lb.exponential_chain_direction(p, sign=2.0)


def test_phi_probe_on_the_three_point_example():
    X = np.array([[-1.0], [0.0], [1.0]])
    y = np.array([1.0, -1.0, 1.0])
    base, net = lb.dead_relu_point(X, y, LOSS, hidden=(3,), random_state=0)
    net["c"] = net["c"] + 1.0
    point = lb.with_exponential_neuron(net, np.zeros(1), a=-1.0)
    obj0 = lb.Objective(lb.add_exponential_neuron(base, lam=0.0), LOSS, X, y, reduction="sum")
    assert all(v >= 0 for v in lb.phi_probe(obj0, point, n_probes=50).values())
    obj1 = lb.Objective(lb.add_exponential_neuron(base, lam=1.0), LOSS, X, y, reduction="sum")
    assert min(lb.phi_probe(obj1, point, n_probes=50).values()) < 0
    with pytest.raises(TypeError, match="objective"):
        lb.phi_probe("obj", point)


def test_renders_are_fast_figures():
    X, y = lb.make_xor_data(16, random_state=0)
    fig = lb.render_exponential_neuron(X, y, lam=0.5, angle=1.0)
    assert isinstance(fig, plt.Figure)
    plt.close(fig)
    fig = lb.render_chain_path(X, y, depth=2, lam=1.0)
    assert isinstance(fig, plt.Figure)
    plt.close(fig)
    with pytest.raises(ValueError, match="lam"):
        lb.render_exponential_neuron(X, y, lam=-1.0)
    with pytest.raises(ValueError, match="datasets"):
        lb.exponential_neuron_explorer({})
