"""The certifier's spectra on the reduced matrix (landscape._spectra) against numpy's on H."""
import numpy as np
import pytest

import lossbook as lb
from lossbook.landscape import _spectra


def _data(n=12, d=5):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((n, d))
    return X, np.where(X[:, 0] + 0.3 * rng.standard_normal(n) > 0, 1.0, -1.0)


def _objective(activation="softplus", loss=("polynomial_hinge", {"p": 3}), n=12, d=5, M=4, **kw):
    X, y = _data(n, d)
    return lb.Objective(lb.single_layer(d, M, activation, **kw), lb.get_loss(loss[0], **loss[1]), X, y)


def _points(obj, K=12, seed=0, top=40.0):
    """Points whose number of contributing samples (inside the hinge's margin) ranges from 0
    to n: the outputs scaled up (up to ``top`` times) push samples beyond the margin."""
    T = obj.flatten(obj.model.init(seed, batch=K))
    index = obj.unflatten(np.arange(obj.n_params))
    T[:, index["a"]] *= np.geomspace(0.05, top, K)[:, None]
    return T


def _contributing(obj, T):
    z = -obj.y * obj.outputs(T)
    return np.sum(z > -1, axis=1)  # polynomial hinge: ℓ(z) = max(0, 1 + z)^p


@pytest.mark.parametrize("activation", ["softplus", "tanh", "quadratic", "relu"])
def test_spectra_equal_numpy(activation):
    obj = _objective(activation)
    T = _points(obj)
    m = _contributing(obj, T)
    d = obj.X.shape[1]
    assert m.min() < d <= m.max() or activation == "relu"  # both paths are exercised
    F = obj.outputs(T)
    H = obj._hessian(T, structured=True)
    index = obj.unflatten(np.arange(obj.n_params))
    lam0, V0 = np.linalg.eigh(H)
    lam, V = _spectra(obj, F, H, index, vectors=True)
    lam_only, none = _spectra(obj, F, H, index)
    scale = np.maximum(1.0, np.abs(lam0).max(axis=1))[:, None]
    assert np.all(np.abs(lam - lam0) <= 1e-12 * scale)
    assert np.all(np.abs(lam_only - lam0) <= 1e-12 * scale)  # eigvalsh on R, not eigh
    assert none is None
    eye = np.eye(obj.n_params)
    np.testing.assert_allclose(np.swapaxes(V, 1, 2) @ V, np.broadcast_to(eye, V.shape), atol=1e-12)
    assert np.all(np.abs(H @ V - V * lam[:, None, :]) <= 1e-12 * scale[:, :, None])


def test_reduced_where_few_samples_contribute():
    """With m < d contributing samples the spectrum has at least M(d − m) exact zeros."""
    obj = _objective()
    T = _points(obj)
    m = _contributing(obj, T)
    d, M = obj.X.shape[1], 4
    lam, _ = _spectra(obj, obj.outputs(T), obj._hessian(T, structured=True),
                      obj.unflatten(np.arange(obj.n_params)))
    for k in np.flatnonzero(m < d):
        assert np.sum(lam[k] == 0.0) >= M * (d - m[k])


def test_not_reduced_with_a_regulariser():
    """A weight penalty adds curvature off the span of the inputs: no reduction, numpy's spectra."""
    import autograd.numpy as anp

    X, y = _data()
    base = lb.single_layer(5, 4, "softplus")
    model = lb.Model("penalised single layer", base._init, base._apply,
                     lambda p: 0.05 * anp.sum(p["W"] ** 2, axis=(-2, -1)), n_features=5,
                     input_weights=lambda index: index["W"])
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=3), X, y)
    T = _points(obj)
    H = obj._hessian(T)
    lam, _ = _spectra(obj, obj.outputs(T), H, obj.unflatten(np.arange(obj.n_params)))
    np.testing.assert_array_equal(lam, np.linalg.eigvalsh(H))
    few = _contributing(obj, T) < 5
    assert few.any() and not np.any(lam[few] == 0.0)  # the penalty's curvature: no exact zeros


def test_input_weight_index():
    obj = _objective()
    index = obj.unflatten(np.arange(obj.n_params))
    np.testing.assert_array_equal(obj.model.input_weight_index(index), index["W"])
    assert lb.feedforward(2, (3,), "relu").input_weight_index(index) is None
    with pytest.raises(TypeError, match="index"):
        obj.model.input_weight_index([1, 2])


def _unprojected(model):
    """The same model without inputs_only_via_weights: the certifier then makes every point's H."""
    import copy

    other = copy.copy(model)
    other._inputs_only_via_weights = False
    assert model.projects_inputs and not other.projects_inputs
    return other


def _census(activation, M=10, K=32, project=True):
    X, y = lb.make_subspace_data(40, n_features=8, random_state=0)
    model = lb.single_layer(8, M, activation)
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=6), X, y)
    T = lb.train_batch(obj, obj.flatten(model.init(0, batch=K))).thetas
    # outputs 1000 times those of a point without training errors: every sample beyond the
    # margin, L = 0 and ∇L = 0 exactly
    index = obj.unflatten(np.arange(obj.n_params))
    k = int(np.flatnonzero(obj.error(T) == 0)[0])
    T[-1] = T[k]
    T[-1, np.append(index["a"], index["a0"])] *= 1e3
    if not project:
        obj = lb.Objective(_unprojected(model), obj.loss, X, y)
    return obj, T


@pytest.mark.parametrize("activation", ["softplus", "tanh", "quadratic"])
def test_projected_spectra_equal_numpy(activation):
    """The reduced matrix made from the model on the projected problem (inputs Qᵀxᵢ, weights
    QᵀW) has the spectrum of H, eigenvectors included, up to rounding."""
    obj = _objective(activation)
    T = _points(obj, K=24, top=1000.0)
    few = np.flatnonzero(_contributing(obj, T) < obj.X.shape[1])
    assert 2 <= len(few) < len(T) and len(set(_contributing(obj, T)[few])) >= 2
    F, H = obj.outputs(T), obj._hessian(T, structured=True)
    index = obj.unflatten(np.arange(obj.n_params))
    lam0 = np.linalg.eigvalsh(H[few])
    lam, V = _spectra(obj, F, None, index, vectors=True, sel=few, thetas=T)
    lam_only, _ = _spectra(obj, F, None, index, sel=few, thetas=T)
    scale = np.maximum(1.0, np.abs(lam0).max(axis=1))[:, None]
    assert np.all(np.abs(lam - lam0) <= 1e-12 * scale)
    assert np.all(np.abs(lam_only - lam0) <= 1e-12 * scale)
    np.testing.assert_allclose(np.swapaxes(V, 1, 2) @ V, np.broadcast_to(np.eye(obj.n_params), V.shape),
                               atol=1e-12)
    assert np.all(np.abs(H[few] @ V - V * lam[:, None, :]) <= 1e-12 * scale[:, :, None])
    with pytest.raises(ValueError, match="H: expected the Hessians"):  # a point with m >= d needs H
        _spectra(obj, F, None, index, thetas=T)


def _same_certificates(a, b, exact):
    """Every field equal (``exact``) or equal up to rounding: then a descent that two probes
    find alike (both reach L ≈ 0: decreases equal to 1e-9) may be credited to either."""
    for ca, cb in zip(a, b, strict=True):
        tie = (not exact and ca.reason != cb.reason and ca.verdict == cb.verdict == "refuted"
               and ca.reason.startswith("a descent found by") and cb.reason.startswith("a descent found by")
               and np.isclose(ca.escape_decrease, cb.escape_decrease, rtol=1e-9, atol=0))
        for field, va in vars(ca).items():
            vb = getattr(cb, field)
            if tie and field in ("reason", "escape_direction"):
                continue
            if field == "eigenvalues":
                scale = max(1.0, float(np.max(np.abs(vb))))
                assert np.array_equal(va, vb) if exact else np.max(np.abs(va - vb)) <= 1e-12 * scale
            elif field == "escape_direction" and va is not None and not exact:
                np.testing.assert_allclose(va, vb, atol=1e-8)
            elif isinstance(va, (np.ndarray, float)) and not exact and field != "n_probes":
                np.testing.assert_allclose(va, vb, rtol=1e-6, atol=1e-15, err_msg=field)
            elif isinstance(va, dict) and not exact:
                assert va.keys() == vb.keys() and np.allclose(list(va.values()), list(vb.values()),
                                                              rtol=1e-6, atol=1e-15), field
            elif isinstance(va, np.ndarray):
                assert np.array_equal(va, vb), field
            else:
                assert va == vb or (va != va and vb != vb), field


@pytest.mark.parametrize("activation", ["softplus", "quadratic"])
def test_projected_certificates_are_the_hessians(activation):
    """Certificates from reduced matrices made by the model are those from every point's H:
    the same verdicts, reasons, counts and invariances (a point with L = 0 and ∇L = 0 included,
    whose invariances read rows of H), eigenvalues equal up to rounding."""
    obj, T = _census(activation)
    slow = lb.Objective(_unprojected(obj.model), obj.loss, obj.X, obj.y)
    assert np.sum(_contributing(obj, T) < 8) >= len(T) // 2
    assert obj.value(T[-1]) == 0 and np.all(obj.gradient(T[-1]) == 0)
    fast = lb.certify_batch(obj, T, n_probes=20)
    _same_certificates(fast, lb.certify_batch(slow, T, n_probes=20), exact=False)


def test_a_reduced_matrix_that_is_not_finite_falls_back_to_h(monkeypatch):
    """Where the model's reduced matrix is not finite, that point's H decides: its certificate
    is the one every point's H gives, to the last bit."""
    import lossbook.landscape as L

    obj, T = _census("softplus")
    slow = lb.Objective(_unprojected(obj.model), obj.loss, obj.X, obj.y)
    made = L._projected_hessian
    spoiled = []

    def spoil(objective, T_, *args):
        R = made(objective, T_, *args)
        R[0, 0, 0] = np.nan
        spoiled.append(T_[0])
        return R
    monkeypatch.setattr(L, "_projected_hessian", spoil)
    fast = lb.certify_batch(obj, T, n_probes=20)
    ks = [int(np.flatnonzero(np.all(T == t, axis=1))[0]) for t in spoiled]
    assert ks and all(np.all(np.isfinite(fast[k].eigenvalues)) for k in ks)
    whole = lb.certify_batch(slow, T, n_probes=20)
    _same_certificates([fast[k] for k in ks], [whole[k] for k in ks], exact=True)


@pytest.mark.parametrize("project", [True, False])
@pytest.mark.parametrize("activation", ["softplus", "quadratic"])
def test_certificates_in_blocks_are_one_batchs_bit_for_bit(activation, project, monkeypatch):
    """certify_batch makes and uses closed-form Hessians a block of points at a time; every
    field of every certificate is what one block of all K points gives, to the last bit
    (without projection every point's H is made; with it, those of the points with m ≥ d)."""
    import lossbook.landscape as L

    obj, T = _census(activation, project=project)
    monkeypatch.setattr(L, "_HESSIAN_BLOCK", 4)
    blocks = lb.certify_batch(obj, T, n_probes=20)
    monkeypatch.setattr(L, "_HESSIAN_BLOCK", 1000)
    whole = lb.certify_batch(obj, T, n_probes=20)
    assert len(set(_contributing(obj, T))) >= 3  # blocks of different reduced sizes
    _same_certificates(blocks, whole, exact=True)


@pytest.mark.parametrize("activation", ["softplus", "tanh"])
def test_eigenvectors_above_the_bottom_cluster_give_the_certificates_of_all(activation, monkeypatch):
    """A point without invariance tangents gets only the eigenvectors above its bottom cluster
    (the probes project onto the cluster and onto the flat space through their complements):
    its certificate is the one all eigenvectors give, up to rounding."""
    import lossbook.landscape as L

    obj, T = _census(activation, M=6, K=48)
    made = []
    top = L._top_eigenvectors
    monkeypatch.setattr(L, "_top_eigenvectors", lambda A, k: made.append(k) or top(A, k))
    some = lb.certify_batch(obj, T, n_probes=20)
    assert len(made) >= 3 and max(made) >= 2  # the partial path is taken, with several vectors
    monkeypatch.setattr(L, "_above_cluster", lambda eig_tol: lambda lam: None)
    _same_certificates(some, lb.certify_batch(obj, T, n_probes=20), exact=False)
