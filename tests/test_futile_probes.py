"""Futile probes are skipped (certify_batch): where L ≥ 0 everywhere and L0 ≤ tol no probe can
lower L by more than tol, so the certificate must be the one that evaluating every probe gives;
such a point without invariance tangents gets its spectrum without eigenvectors."""
import dataclasses

import numpy as np
import pytest

import lossbook as lb


def _census_points():
    """End points of a theorem-setting census: most runs end at L ~ 1e-12 (futile probes)."""
    X, y = lb.make_subspace_data(16, n_features=4, pos_basis=(0, 1), neg_basis=(2, 3),
                                 random_state=0)
    model = lb.single_layer(4, 6, "softplus")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=6), X, y)
    res = lb.train_batch(obj, obj.flatten(model.init(0, batch=12)))
    return obj, res.thetas


def _record_loss_calls(obj):
    """Make ``obj`` record the shape of every batch its loss is evaluated on; returns the list."""
    calls, original = [], obj._loss

    def recording(t):
        calls.append(np.shape(t))
        return original(t)

    obj._loss = recording
    return calls


def _fields(c):
    return (c.verdict, c.reason, c.n_flat, c.n_unexplained, c.n_probes, c.probe, c.scaling_probe,
            c.escape_decrease, c.is_global, c.invariances)


def test_the_losses_of_the_library_are_nonnegative():
    z = np.linspace(-50, 50, 2001)
    for name in lb.LOSSES:
        loss = lb.get_loss(name)
        assert loss.nonnegative, name
        assert np.all(loss(z) >= 0), name


def test_skipping_futile_probes_gives_the_certificates_of_evaluating_them():
    obj, T = _census_points()
    # the same objective with the shortcut off: a loss not known to be nonnegative
    loss_off = dataclasses.replace(obj.loss, nonnegative=False)
    off = lb.Objective(obj.model, loss_off, obj.X, obj.y)
    new = lb.certify_batch(obj, T, n_probes=30)
    old = lb.certify_batch(off, T, n_probes=30)
    futile = [c.loss <= 1e-12 for c in old]
    assert 0 < sum(futile) < len(T), "the sample must mix futile and probed points"
    for a, b in zip(new, old, strict=True):
        assert _fields(a) == _fields(b)
        np.testing.assert_allclose(a.eigenvalues, b.eigenvalues, rtol=0,
                                   atol=1e-12 * max(1.0, abs(b.eigenvalues[-1])))


def test_a_regularised_model_is_always_probed():
    # a regulariser may be anything the caller wrote: no bound, so no probe is skipped
    X, y = lb.make_xor_data(16, noise=0.2, random_state=0)
    model = lb.add_exponential_neuron(lb.feedforward(2, hidden=(2,), activation="tanh"), lam=1.0)
    obj = lb.Objective(model, "polynomial_hinge", X, y)
    assert obj.model.penalised
    theta = obj.flatten(model.init(0))
    calls = _record_loss_calls(obj)
    lb.certify_batch(obj, theta[None], n_probes=10)
    assert calls, "the probes were skipped for a regularised model"


@pytest.mark.parametrize("K", [1, 5])
def test_futile_points_evaluate_no_probe(K):
    obj, T = _census_points()
    T = T[[k for k in range(len(T)) if float(obj.value(T[k])) <= 1e-12][:K]]
    assert len(T) == K
    calls = _record_loss_calls(obj)
    certs = lb.certify_batch(obj, T, n_probes=30)
    # only the loss and gradient at the K points themselves are evaluated
    assert all(shape == T.shape for shape in calls), calls
    assert all(c.probe == {r: 0.0 for r in (1e-1, 1e-2, 1e-3)} for c in certs)
