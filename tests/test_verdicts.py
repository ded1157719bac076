"""Verdicts a referee accepts (issue 16): certified / undecided / refuted / not critical.

Cases from the audit: a known invariance explains the flat directions (ReLU rescaling, dead
units); a saturated softplus plateau is never certified; negative curvature at a smooth point
refutes; a point attaining the data's lower bound is a global minimum with forced error; a run
that stops at maxiter is "not converged"; the escape direction does not depend on the basis
of a degenerate eigenspace; verdicts of stored end points survive X·(1 ± 1e-15).
"""
import numpy as np
import pytest
from scipy.optimize import minimize_scalar

import lossbook as lb
from lossbook.landscape import _canonical_lowest

HINGE3 = lb.get_loss("polynomial_hinge", p=3)
HINGE6 = lb.get_loss("polynomial_hinge", p=6)


def test_verdicts_tuple():
    assert lb.VERDICTS == ("certified local min", "undecided", "refuted", "not critical")
    assert lb.COUNT_KEYS == ("runs",) + lb.CATEGORIES and len(lb.CATEGORIES) == 7


def _relu_line_point():
    """One ReLU unit alive on every sample of 1-D data: f = v·(w x + b) + c is affine in x, so
    the ReLU rescaling and the b/c trade-off leave the loss unchanged."""
    rng = np.random.default_rng(0)
    x = np.linspace(1, 2, 12)[:, None]
    y = np.where(rng.random(12) < 0.5, 1.0, -1.0)
    model = lb.feedforward(1, (1,), "relu")
    obj = lb.Objective(model, HINGE3, x, y)
    p0 = {"W1": np.array([[1.0]]), "b1": np.array([0.5]), "v": np.array([0.3]), "c": np.array(0.0)}
    params, _ = lb.find_critical_point(obj, p0)
    return obj, params


def test_relu_rescaling_explains_flat_directions():
    obj, params = _relu_line_point()
    theta = obj.flatten(params)
    assert (theta[0] * obj.X[:, 0] + theta[1]).min() > 0  # the unit is on for every sample
    cert = lb.certify(obj, params, n_probes=50)
    assert cert.verdict == "certified local min" and cert.smooth
    assert cert.n_flat == 2 and cert.n_unexplained == 0 and cert.n_explained == 2
    assert "ReLU rescaling ×1" in cert.invariances
    assert cert.training_error > 0 and cert.is_bad_local_min
    # the rescaling tangent (w, b, −v, 0) really is flat: the loss does not move along its curve
    W, b, c, v = theta
    for s in (0.5, 2.0):
        moved = obj.flatten({"W1": np.array([[W * s]]), "b1": np.array([b * s]),
                             "v": np.array([v / s]), "c": np.array(c)})
        assert float(obj.value(moved)) == pytest.approx(float(obj.value(theta)), rel=1e-12)


def test_dead_units_explain_flat_directions():
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    model = lb.feedforward(3, (4,), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    p = model.init(0)
    p["W1"], p["b1"] = np.abs(p["W1"]), -10 * np.ones(4)
    t = minimize_scalar(lambda c: float(np.mean(HINGE3(-y * c)))).x
    p["c"] = np.array(t)
    cert = lb.certify(obj, p, n_probes=50)
    assert cert.invariances == ("dead unit ×4",)
    assert cert.n_flat == 20 and cert.n_unexplained == 0
    assert cert.verdict == "certified local min"
    assert "dead unit ×4" in cert.summary()


def test_saturated_softplus_plateau_is_not_certified():
    """The audit's M = 2 plateaus: huge weights, ~all eigenvalues 0, no symmetry behind them."""
    X, y = lb.make_subspace_data(40, n_features=8, random_state=0)
    model = lb.single_layer(8, 2, "softplus")
    obj = lb.Objective(model, HINGE6, X, y)
    T = obj.flatten(model.init(0, batch=20))[:2]  # the first two runs of a 20-run census
    res = lb.train_batch(obj, T, maxiter=2000)
    certs = lb.certify_batch(obj, res.thetas, n_probes=50)
    for theta, cert in zip(res.thetas, certs, strict=True):
        assert np.abs(theta).max() > 100  # far out
        assert cert.grad_norm <= cert.grad_tol and cert.training_error > 0
        assert cert.n_flat >= 15 and cert.invariances == ()
        assert cert.verdict in ("undecided", "refuted")
        assert not cert.is_local_min and not cert.is_bad_local_min
        if cert.verdict == "undecided":
            assert "not explained by a known invariance" in cert.reason and "far out" in cert.reason


def test_negative_curvature_at_a_smooth_point_refutes():
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    model = lb.single_layer(3, 3, "softplus")
    logistic = lb.get_loss("logistic")
    t = minimize_scalar(lambda c: np.mean(logistic(-y * c))).x
    p = {"a0": np.array(t), "a": np.zeros(3), "W": np.zeros((3, 3))}
    obj = lb.Objective(model, logistic, X, y)
    cert = lb.certify(obj, p, n_probes=50)
    assert cert.smooth and cert.grad_norm < 1e-9 and cert.min_eig < -cert.margin
    assert cert.verdict == "refuted" and "negative curvature" in cert.reason
    theta = obj.flatten(p)
    assert float(obj.value(theta + 0.01 * cert.escape_direction)) < float(obj.value(theta))
    assert cert.escape_decrease < 0


def _forced_error_data():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((4, 2))
    return np.vstack([X, X]), np.array([1.0, 1.0, -1.0, -1.0, -1.0, -1.0, 1.0, 1.0])


def test_loss_lower_bound_values():
    X, y = _forced_error_data()
    # every x carries both labels: min_f (1 − f)^4 + (1 + f)^4 = 2 at f = 0, per pair
    assert lb.loss_lower_bound(HINGE3, X, y) == pytest.approx(1.0, abs=1e-12)
    assert lb.loss_lower_bound(HINGE3, X, y, reduction="sum") == pytest.approx(8.0, abs=1e-11)
    assert lb.loss_lower_bound("logistic", X, y) == pytest.approx(1.0, abs=1e-12)
    # distinct rows: nothing forces a loss
    assert lb.loss_lower_bound(HINGE3, X[:4], y[:4]) == 0.0
    with pytest.raises(ValueError, match="convex"):
        lb.loss_lower_bound("zero_one", X, y)


def test_forced_error_global_minimum_is_global_not_bad():
    X, y = _forced_error_data()
    model = lb.feedforward(2, (), "relu")  # affine: f = vᵀx + c
    obj = lb.Objective(model, HINGE3, X, y)
    p = {"v": np.zeros(2), "c": np.array(0.0)}
    cert = lb.certify(obj, p, n_probes=50)
    assert cert.lower_bound == pytest.approx(1.0, abs=1e-12) and cert.is_global
    assert cert.verdict == "certified local min" and cert.training_error == 0.5
    assert not cert.is_bad_local_min and "global minimum" in cert.reason
    assert "attained: global minimum" in cert.summary()
    c = lb.census(model, HINGE3, X, y, n_runs=5, n_probes=20)
    assert c.counts["global, forced error"] == 5 and c.counts["bad local minima"] == 0
    assert set(c.categories) == {"global, forced error"}
    # an explicit bound that is not attained: no global claim
    cert = lb.certify(obj, p, n_probes=50, lower_bound=0.5)
    assert not cert.is_global


def test_maxiter_runs_are_not_converged_and_never_bad():
    X, y = lb.make_xor_data(random_state=0)
    c = lb.census(lb.feedforward(2, (3,), "relu"), HINGE3, X, y, n_runs=12, maxiter=3, n_probes=10)
    err = c.errors > 0
    assert not c.converged.any()
    assert c.counts["not converged"] == int(err.sum()) > 0
    assert c.counts["bad local minima"] == 0 and not c.bad.any()
    # the last six categories partition the runs with error > 0
    assert sum(c.counts[k] for k in lb.CATEGORIES[1:]) == int(err.sum())
    assert c.counts["zero training error"] + int(err.sum()) == c.counts["runs"] == 12


def test_canonical_escape_direction_is_basis_independent():
    rng = np.random.default_rng(0)
    P = 7
    Q, _ = np.linalg.qr(rng.standard_normal((P, P)))
    lam = np.array([-2.0, -2.0, -2.0, 0.5, 1.0, 3.0, 4.0])  # λ_min has multiplicity 3
    u0 = rng.standard_normal(P)
    a = _canonical_lowest(lam, Q, u0)
    R, _ = np.linalg.qr(rng.standard_normal((3, 3)))  # another orthonormal basis of the eigenspace
    Q2 = Q.copy()
    Q2[:, :3] = Q[:, :3] @ R
    b = _canonical_lowest(lam, Q2, u0)
    np.testing.assert_allclose(a, b, atol=1e-12)
    assert abs(np.linalg.norm(a) - 1) < 1e-12
    H = Q @ np.diag(lam) @ Q.T
    np.testing.assert_allclose(H @ a, -2.0 * a, atol=1e-12)  # it is in the eigenspace


def test_escape_decrease_is_measured_along_the_escape_direction():
    """At a saddle with a repeated lowest eigenvalue the reported escape is a real probe: its
    decrease is L(θ + r·u) − L(θ) for one of the radii, and it lowers the loss."""
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    model = lb.single_layer(3, 3, "softplus")
    logistic = lb.get_loss("logistic")
    t = minimize_scalar(lambda c: np.mean(logistic(-y * c))).x
    obj = lb.Objective(model, logistic, X, y)
    p = {"a0": np.array(t), "a": np.zeros(3), "W": np.zeros((3, 3))}
    cert = lb.certify(obj, p, n_probes=20)
    ev = cert.eigenvalues
    assert np.sum(np.abs(ev - ev[0]) < 1e-8) >= 2  # the lowest eigenvalue is repeated here
    theta = obj.flatten(p)
    L0 = float(obj.value(theta))
    changes = [float(obj.value(theta + r * cert.escape_direction)) - L0 for r in cert.probe]
    assert min(abs(ch - cert.escape_decrease) for ch in changes) < 1e-12
    assert cert.escape_decrease == min(cert.probe.values()) < 0


def test_stored_verdicts_survive_rounding_nudges_of_X():
    X, y = lb.make_xor_data(random_state=0)
    model = lb.feedforward(2, (3,), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    res = lb.train_batch(obj, obj.flatten(model.init(0, batch=12)), maxiter=300)
    base = [c.verdict for c in lb.certify_batch(obj, res.thetas, n_probes=20)]
    assert len(set(base)) >= 2  # a mix of verdicts, not a trivial case
    for seed in (1, 2):
        nudged = lb.Objective(model, HINGE3, lb.nudge(X, seed), y)
        assert not np.array_equal(nudged.X, X)
        again = [c.verdict for c in lb.certify_batch(nudged, res.thetas, n_probes=20)]
        assert again == base


def test_non_smooth_point_is_undecided_with_the_unit_named():
    """A ReLU off on three samples and exactly at its kink on the fourth (x = 2, y = −1, v > 0):
    raising its pre-activation raises the loss, lowering it changes nothing, so no probe
    descends. autograd's gradient and Hessian there are conventions (a gradient > grad_tol and
    a negative eigenvalue): they must decide nothing."""
    X = np.array([[-1.0], [0.0], [1.0], [2.0]])
    y = np.array([-1.0, 1.0, 1.0, -1.0])
    model = lb.feedforward(1, (1,), "relu")
    obj = lb.Objective(model, HINGE3, X, y)
    p = {"W1": np.array([[1.0]]), "b1": np.array([-2.0]), "v": np.array([1.0]), "c": np.array(0.0)}
    cert = lb.certify(obj, p, n_probes=50)
    assert not cert.smooth and cert.grad_norm > cert.grad_tol and cert.min_eig < 0
    assert cert.verdict == "undecided" and cert.escape_direction is None
    assert "layer 1 unit 1" in cert.reason and "kink" in cert.reason


def test_summary_is_machine_robust_text():
    obj, params = _relu_line_point()
    text = lb.certify(obj, params, n_probes=20).summary()
    assert "gradient norm    <= 1e-06 (grad_tol)" in text
    assert "flat directions  2 of 4: 2 explained, 0 unexplained" in text
    assert "e-1" not in text.replace("1e-06", "")  # no raw machine-dependent magnitudes
    assert "verdict          certified local min" in text


def test_kink_and_homogeneity_metadata():
    assert lb.get_activation("relu").kinks == (0.0,)
    assert lb.get_activation("leaky_relu", slope=0.2).kinks == (0.0,)
    assert lb.get_activation("softsign").kinks == (0.0,)
    assert lb.get_activation("softplus").kinks == ()
    assert lb.get_activation("quadratic").homogeneity == 2
    assert lb.get_activation("monomial", degree=3).homogeneity == 3
    assert lb.get_activation("tanh").homogeneity is None


def _curve_data():
    X, y = lb.make_interval_data(12, random_state=0)
    y = y.copy()
    y[:3] *= -1  # not separable: minima with error > 0
    return np.hstack([X, X ** 2 - 0.3]), y


def test_quadratic_fibre_explains_the_quadratic_single_layer():
    X, y = _curve_data()
    model = lb.single_layer(2, 3, "quadratic")
    obj = lb.Objective(model, HINGE3, X, y)
    params, _ = lb.find_critical_point(obj, model.init(1))
    cert = lb.certify(obj, params, n_probes=30)
    assert cert.grad_norm <= cert.grad_tol and cert.n_flat == 6 and cert.n_unexplained == 0
    assert "quadratic fibre ×6" in cert.invariances and cert.verdict == "certified local min"


def test_exponential_orbit_and_identity_shortcut_tangents_are_exact():
    X, y = _curve_data()
    model = lb.add_exponential_neuron(lb.feedforward(2, (), "relu"), lam=0.0)
    obj = lb.Objective(model, HINGE3, X, y)
    theta = obj.flatten(model.init(0))
    inv = lb.invariance_tangents(obj, theta)
    assert inv.names == ("exponential neuron orbit ×1",)
    p = obj.unflatten(theta)
    for t in (-0.5, 0.7):  # (a, b) -> (a e^-t, b + t): the same outputs
        q = dict(p, a=p["a"] * np.exp(-t), b=p["b"] + t)
        np.testing.assert_allclose(obj.outputs(obj.flatten(q)), obj.outputs(theta), rtol=1e-12, atol=1e-12)
    with_reg = lb.add_exponential_neuron(lb.feedforward(2, (), "relu"), lam=1.0)
    assert lb.invariance_tangents(lb.Objective(with_reg, HINGE3, X, y), theta).names == ()
    model = lb.identity_shortcut(2, (2,), "tanh")
    obj = lb.Objective(model, HINGE3, X, y)
    theta = obj.flatten(model.init(0))
    inv = lb.invariance_tangents(obj, theta)
    # rows of V (2) and c orthogonal to a (d − 1 = 1 each), and the c/b trade-off
    assert inv.names == ("identity-shortcut invariance ×4",)
    f0 = obj.outputs(theta)
    for t in inv.tangents:
        np.testing.assert_allclose(obj.outputs(theta + 0.3 * t), f0, rtol=1e-12, atol=1e-12)


def _dead_exponential_point(p_degree):
    """ni-prop-3's dead point: a dead ReLU net plus a·exp(wᵀx + b) at a = w = b = 0, on data
    that a polynomial of degree p separates (and no lower degree)."""
    loss = lb.get_loss("neurips_hinge", p=3)
    if p_degree == 2:
        X, y = np.array([[0.0], [1.0], [2.0]]), np.array([-1.0, 1.0, -1.0])
    else:
        X, y = lb.make_binomial_alternating_data(p_degree)
    model, point = lb.exponential_dead_point(X, y, loss, hidden=(3,), lam=1.0)
    return lb.Objective(model, loss, X, y, reduction="sum"), point


@pytest.mark.parametrize("p_degree", [2, 3])
def test_flat_stratum_of_a_switched_off_neuron_is_searched_not_trusted(p_degree):
    # every second-order test passes (critical, Hessian >= -margin, no sphere probe descends) ...
    obj, point = _dead_exponential_point(p_degree)
    cert = lb.certify(obj, point, n_probes=100)
    assert cert.grad_norm <= cert.grad_tol and cert.min_eig >= -cert.margin
    assert all(d >= 0 for d in cert.probe.values())
    # ... but a = 0 makes (w, b) a flat stratum, not a symmetry: moving w leaves L unchanged and
    # then a step in a descends (the loss falls like |t|^(2p) along w = t, a ∝ t^p)
    assert cert.verdict == "refuted" and "flat stratum" in cert.reason
    theta = obj.flatten(point)
    dist = 0.1
    lower = theta + dist * cert.escape_direction
    assert cert.escape_decrease < 0
    # the escape point is within 0.1 and really lower (the recorded decrease is at that point)
    steps = np.linspace(0, dist, 201)[1:]
    values = obj.value(theta + steps[:, None] * cert.escape_direction)
    assert float(np.min(values)) < float(obj.value(theta)) or float(obj.value(lower)) < float(obj.value(theta))


def test_stratum_of_critical_points_stays_certified():
    # a linear extra neuron (monomial of degree 1) switched off at the best constant of symmetric
    # data: L is constant on a = 0 and every point of that stratum is critical (the best affine
    # fit is the constant), so the point is a genuine local minimum and stays certified
    loss = lb.get_loss("neurips_hinge", p=3)
    X = np.array([[-1.0], [0.0], [1.0]])
    y = np.array([1.0, -1.0, 1.0])
    plain, params = lb.dead_relu_point(X, y, loss, hidden=(2,), kappa=1.0)
    model = lb.add_monomial_neuron(plain, degree=1, lam=1.0)
    obj = lb.Objective(model, loss, X, y, reduction="sum")
    point = {"net": params, "a": np.array(0.0), "w": np.array([1.0]), "b": np.array(0.0)}
    cert = lb.certify(obj, point, n_probes=100)
    assert cert.verdict == "certified local min" and cert.training_error > 0


def test_global_reason_names_the_source_of_the_bound():
    # a bound handed in by the caller is not "contradicting labels"
    X = np.array([[0.0], [0.0], [1.0]])
    y = np.array([1.0, -1.0, 1.0])
    obj = lb.Objective(lb.single_layer(1, 1, "softplus"), "logistic", X, y)
    auto = lb.loss_lower_bound("logistic", X, y)
    theta, _ = lb.find_critical_point(obj, obj.model.init(0))
    for given, phrase in ((None, "contradicting labels"), (auto, "training error is forced")):
        cert = lb.certify(obj, theta, lower_bound=given, n_probes=20)
        if cert.is_global and cert.training_error > 0:
            assert phrase in cert.reason


def test_elu_on_its_linear_piece_is_explained_by_the_output_fibre():
    # icml-prop-3 with ELU: every pre-activation > 0, where ELU is the identity; ELU has no
    # rescaling symmetry, but the network is locally polynomial, so the output fibre applies
    X, y = lb.make_shared_coordinate_data(16, random_state=0)
    M = int(lb.check_assumptions(X, y).thm1_neurons)
    loss = lb.get_loss("polynomial_hinge", p=6)
    model, params = lb.linear_region_point(X, y, loss, n_neurons=M, activation="elu")
    obj = lb.Objective(model, loss, X, y)
    cert = lb.certify(obj, params, n_probes=20)
    assert cert.smooth and cert.verdict == "certified local min" and cert.training_error > 0
    assert cert.n_unexplained == 0 and any(i.startswith("output fibre") for i in cert.invariances)
    assert not any("rescaling" in i for i in cert.invariances)
    # off the linear piece the fibre does not apply: push one unit's pre-activations below 0
    theta = obj.flatten(params).copy()
    units = model.hidden_units(params, X, obj.unflatten(np.arange(obj.n_params)))
    from lossbook.invariances import _polynomial
    assert bool(np.all(_polynomial(model, units)))
    u = units[0]
    theta[u.incoming] = -theta[u.incoming]
    moved = model.hidden_units(obj.unflatten(theta), X, obj.unflatten(np.arange(obj.n_params)))
    assert not bool(np.all(_polynomial(model, moved)))


def test_a_point_where_float64_overflows_is_undecided_not_a_crash():
    # an exponential neuron far out: the loss may still be finite, its Hessian is not; a census
    # end point there must get a verdict (undecided, with the reason), not fail the whole batch
    X, y = lb.make_shared_coordinate_data(20, random_state=0)
    model = lb.add_exponential_neuron(lb.feedforward(3, (2,), "relu"), lam=1.0)
    obj = lb.Objective(model, HINGE3, X, y)
    p = model.init(0)
    ok = obj.flatten(p)
    p["w"], p["b"], p["a"] = np.zeros(3), np.array(400.0), np.array(1e-300)
    far = obj.flatten(p)
    with pytest.raises(ValueError, match="overflows"):
        obj.hessian(far)
    certs = lb.certify_batch(obj, np.stack([ok, far, ok]), n_probes=10)
    assert certs[1].verdict == "undecided" and "overflow" in certs[1].reason
    assert "overflows float64" in certs[1].summary()
    alone = lb.certify_batch(obj, ok[None], n_probes=10)[0]
    for c in (certs[0], certs[2]):  # the other points are certified as if alone
        assert c.verdict == alone.verdict and c.loss == alone.loss
