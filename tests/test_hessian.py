"""The closed-form Hessian (Model.output_curvature: H = Jᵀ diag(w) J + S) against autograd's
traced Hessian, for every activation of the library, both reductions, one θ and a batch."""
import numpy as np
import pytest

import lossbook as lb
from lossbook.landscape import Objective


def _objective(activation, loss="polynomial_hinge", reduction="mean", n_neurons=4, **options):
    X, y = lb.make_subspace_data(12, n_features=8, random_state=1)
    model = lb.single_layer(8, n_neurons, activation, **options)
    return Objective(model, lb.get_loss(loss), X, y, reduction=reduction)


def _points(obj, K=3):
    """K random points, plus one with a unit at its kink (its incoming weights zero: z = 0 on
    every sample, where autograd's σ', σ'' are conventions the closed form must reproduce)."""
    T = obj.flatten(obj.model.init(2, batch=K))
    W = obj.unflatten(np.arange(obj.n_params))["W"]
    T[-1, W[:, 0]] = 0.0
    return T


def _close(H, H_ref):
    return np.max(np.abs(H - H_ref)) <= 1e-10 * max(1.0, np.max(np.abs(H_ref)))


@pytest.mark.parametrize("activation", lb.ACTIVATIONS)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_closed_form_hessian_equals_the_traced_one(activation, reduction):
    obj = _objective(activation, reduction=reduction)
    T = _points(obj)
    assert obj._structured_hessian(T) is not None
    H = obj._hessian(T, structured=True)
    H_ref = obj._hessian(T)
    assert H.shape == (len(T), obj.n_params, obj.n_params)
    assert np.all(np.isfinite(H_ref)) and np.max(np.abs(H_ref)) > 0
    assert _close(H, H_ref)
    for k in range(len(T)):  # one θ at a time gives the same matrices
        assert _close(obj._hessian(T[k], structured=True), H_ref[k])


@pytest.mark.parametrize("loss", ["logistic", "quadratic", "neurips_hinge", "polynomial_hinge"])
def test_closed_form_hessian_for_every_smooth_loss(loss):
    obj = _objective("tanh", loss=loss, reduction="sum")
    T = _points(obj)
    assert _close(obj._hessian(T, structured=True), obj._hessian(T))


def test_activation_options_are_carried():
    obj = _objective("leaky_relu", slope=0.2)
    T = _points(obj)
    assert _close(obj._hessian(T, structured=True), obj._hessian(T))
    obj = _objective("monomial", degree=3)
    T = _points(obj)
    assert _close(obj._hessian(T, structured=True), obj._hessian(T))


def test_combinators_do_not_inherit_the_hook():
    base = lb.single_layer(8, 2, "softplus")
    X, y = lb.make_subspace_data(12, n_features=8, random_state=1)
    for model in (lb.add_exponential_neuron(base), lb.shortcut(base, lb.feedforward(8, (2,), "tanh"))):
        assert not model.has_curvature
        obj = Objective(model, lb.get_loss("polynomial_hinge"), X, y)
        T = obj.flatten(model.init(0, batch=2))
        assert obj._structured_hessian(T) is None
        # the certifier's Hessian is then the traced one, exactly
        assert np.array_equal(obj._hessian(T, structured=True), obj._hessian(T))
    assert base.has_curvature and not lb.feedforward(8, (2,), "tanh").has_curvature


def test_the_certificates_do_not_depend_on_the_hessian_path():
    obj = _objective("softplus", n_neurons=3)
    res = lb.train_batch(obj, obj.flatten(obj.model.init(0, batch=6)))
    traced = _objective("softplus", n_neurons=3)
    traced._structured_hessian = lambda T, pad=None: None
    new = lb.certify_batch(obj, res.thetas, n_probes=20)
    old = lb.certify_batch(traced, res.thetas, n_probes=20)
    for a, b in zip(new, old, strict=True):
        assert (a.verdict, a.reason, a.n_flat, a.n_unexplained) == (b.verdict, b.reason, b.n_flat,
                                                                  b.n_unexplained)
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=0,
                                   atol=1e-10 * max(1.0, abs(b.eigenvalues[-1])))


def test_output_curvature_matches_autograd_jacobian():
    from autograd import jacobian

    obj = _objective("sigmoid")
    theta = obj.flatten(obj.model.init(3))
    index = obj.unflatten(np.arange(obj.n_params))
    c = np.linspace(-1.0, 1.0, len(obj.y))
    J, S = obj.model.output_curvature(obj.unflatten(theta), obj.X, index, c)
    assert J.shape == (len(obj.y), obj.n_params) and S.shape == (obj.n_params,) * 2
    J_ref = jacobian(obj.outputs)(theta)
    S_ref = jacobian(jacobian(lambda t: obj.outputs(t) @ c))(theta)
    assert np.allclose(J, J_ref, rtol=0, atol=1e-12) and np.allclose(S, S_ref, rtol=0, atol=1e-12)


def test_output_curvature_bad_input():
    obj = _objective("softplus")
    params = obj.model.init(0)
    index = obj.unflatten(np.arange(obj.n_params))
    c = np.zeros(len(obj.y))
    with pytest.raises(ValueError, match="c: expected shape"):
        obj.model.output_curvature(params, obj.X, index, c[:-1])
    with pytest.raises(ValueError, match="X: expected shape"):
        obj.model.output_curvature(params, obj.X[:, :3], index, c)
    with pytest.raises(TypeError, match="index"):
        obj.model.output_curvature(params, obj.X, None, c)
    with pytest.raises(ValueError, match="params"):
        obj.model.output_curvature({"a": 1.0}, obj.X, index, c)
    with pytest.raises(ValueError, match="no curvature hook"):
        lb.feedforward(8, (2,)).output_curvature({}, obj.X, index, c)
    with pytest.raises(TypeError, match="curvature"):
        lb.Model("m", lambda rng, b: {}, lambda p, X: X[:, 0], n_features=8, curvature=1)
    with pytest.raises(TypeError, match="inputs_only_via_weights: expected True or False"):
        lb.Model("m", lambda rng, b: {}, lambda p, X: X[:, 0], n_features=8, inputs_only_via_weights=1)
    with pytest.raises(ValueError, match="inputs_only_via_weights: True needs the input_weights hook"):
        lb.Model("m", lambda rng, b: {}, lambda p, X: X[:, 0], n_features=8, inputs_only_via_weights=True)


def test_which_models_project_their_inputs():
    """A single layer sees X only through X @ W; f_S + f_D does not (f_D sees X itself), though
    f_S's W still reaches f only through X @ W."""
    f_S = lb.single_layer(8, 3, "softplus")
    assert f_S.projects_inputs
    both = lb.shortcut(f_S, lb.single_layer(8, 2, "tanh"))
    assert both.has_curvature and both._input_weights is not None and not both.projects_inputs
    assert not lb.feedforward(8, (3,)).projects_inputs


@pytest.mark.parametrize("parts", [("quadratic", None), ("softplus", "tanh"), (None, "sigmoid")])
def test_shortcut_of_closed_form_parts(parts):
    """f_S + f_D with both parts in closed form (single layers, constants) has the hook: its J
    side by side and S block-diagonal, against the traced Hessian."""
    X, y = lb.make_subspace_data(12, n_features=8, random_state=1)
    f_S, f_D = (lb.single_layer(8, 3, a) if a else lb.constant(8) for a in parts)
    model = lb.shortcut(f_S, f_D)
    assert model.has_curvature
    assert (model.input_weight_index({"S": {"W": np.zeros((8, 3), int), "a": 0, "a0": 0}, "D": {}})
            is not None) == (parts[0] is not None)
    obj = Objective(model, lb.get_loss("polynomial_hinge", p=3), X, y)
    T = obj.flatten(model.init(1, batch=3))
    assert obj._structured_hessian(T) is not None
    assert _close(obj._hessian(T, structured=True), obj._hessian(T))


def test_traced_hessian_from_a_tape_is_autograds_bit_for_bit(monkeypatch):
    # P = 111 > 64 coordinates, K = 40 runs: the P sweeps replay a tape of the gradient; with
    # the threshold raised they are autograd's own sweeps, and H must not change in any bit
    import lossbook.landscape as landscape

    X, y = lb.make_subspace_data(30, n_features=5, pos_basis=(0, 1), neg_basis=(2, 3), random_state=0)
    model = lb.shortcut(lb.single_layer(5, 12, "softplus"), lb.feedforward(5, hidden=(5,), activation="tanh"))
    obj = Objective(model, lb.get_loss("polynomial_hinge", p=4), X, y)
    T = obj.flatten(model.init(1, batch=40))
    assert obj.n_params > landscape._TAPE_HESSIAN_P
    recorded = []
    record = landscape.Tape.record
    monkeypatch.setattr(landscape.Tape, "record", lambda f, x: recorded.append(x.shape) or record(f, x))
    H_tape = obj._traced_hessian(T)
    assert recorded == [T.shape]
    monkeypatch.setattr(landscape, "_TAPE_HESSIAN_P", 10 ** 9)
    H_autograd = obj._traced_hessian(T)
    assert len(recorded) == 1
    np.testing.assert_array_equal(H_tape, H_autograd)
    assert np.all(np.isfinite(H_tape)) and np.abs(H_tape).max() > 0
