"""Re-certify every constructed point of the book without autograd (issue 11).

The library certifies a point with autograd's gradient and Hessian. Here the same points are
re-examined by another route — central finite differences of the loss in float64 (only the
forward pass is used) and a probe with directions of our own — and the numbers must agree
with the library's certificate: the gradient norm, every Hessian eigenvalue (at points where
the loss is twice differentiable), the probe's verdict. A mistake in one derivative path can
then not certify a false point. Verdict strings are not compared (they are being renamed);
numbers are.

The points are the ones the chapters build: ``lb.counterexample`` for every ID of
``COUNTEREXAMPLE_IDS`` (and its Theorem-2 variants), the per-neuron variants of Part III
(book/part3_neurons.ipynb, part3_shortcuts.ipynb), the quadratic-bowl points of
part3_datasets.ipynb, and the Part IV points (dead ReLU networks with an exponential or a
monomial neuron; part4_one_neuron.ipynb, part4_variations.ipynb).

At W = 0 softsign is not twice differentiable (erratum 7: σ''(0±) = ∓2), and every unit of
f_S sits there: the Hessian a certificate prints is a convention for σ''(0). The tests show
the conventions (autograd's σ''(0) = 0: no negative eigenvalue; a one-branch autodiff's
σ''(0) = ∓2: 19 negative eigenvalues, min −12.15, refuted by the loss along their
eigenvector), the O(h) rather than O(h²) convergence of central differences, and that no
probe finds a decrease. (On this symmetric sample the non-quadratic term −a·z|z| of the
expansion cancels between x and −x, so the loss does have a second-order expansion there,
with autograd's matrix; a certificate cannot rely on that without the symmetry argument.)
"""
import re

import numpy as np
import pytest

import lossbook as lb

H1 = 1e-6   # step of the central first difference
H2 = 1e-4   # step of the central second difference
RADII = (1e-1, 1e-2, 1e-3)


# -- the derivatives by finite differences (no autograd) -------------------------------------------
def _values(obj, thetas):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(obj.value(np.asarray(thetas, dtype=float)), dtype=float)


def fd_gradient(obj, theta, h=H1):
    E = np.eye(theta.size)
    v = _values(obj, np.concatenate([theta + h * E, theta - h * E]))
    return (v[:theta.size] - v[theta.size:]) / (2 * h)


def fd_hessian(obj, theta, h=H2):
    """H_ij = [L(θ+h(eᵢ+eⱼ)) − L(θ+h(eᵢ−eⱼ)) − L(θ−h(eᵢ−eⱼ)) + L(θ−h(eᵢ+eⱼ))] / 4h²."""
    P = theta.size
    E = np.eye(P)
    plus = (E[:, None, :] + E[None, :, :]).reshape(-1, P)
    minus = (E[:, None, :] - E[None, :, :]).reshape(-1, P)
    v = _values(obj, np.concatenate([theta + h * plus, theta + h * minus,
                                     theta - h * minus, theta - h * plus]))
    vpp, vpm, vmp, vmm = (v[k * P * P:(k + 1) * P * P].reshape(P, P) for k in range(4))
    H = (vpp - vpm - vmp + vmm) / (4 * h * h)
    return 0.5 * (H + H.T)


def own_probe(obj, theta, n_directions=200, seed=12345, extra=None):
    """min over our own random unit directions u (and the unit rows of ``extra``) of
    L(θ + r u) − L(θ), per radius."""
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n_directions, theta.size))
    if extra is not None:
        U = np.vstack([U, extra])
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    L0 = float(_values(obj, theta))
    return {r: float(np.min(_values(obj, theta + r * U)) - L0) for r in RADII}


# -- the points of the book --------------------------------------------------------------------------
def _part3_points():
    hinge = lb.get_loss("polynomial_hinge", p=6)
    pts = {}
    for rid in lb.COUNTEREXAMPLE_IDS:
        pts[f"{rid} (counterexample)"] = lb.counterexample(rid)
    for rid in ("icml-prop-2", "icml-prop-6"):
        pts[f"{rid} (counterexample, Theorem 2)"] = lb.counterexample(rid, theorem=2)
    X1, y1 = lb.make_shared_coordinate_data(16, random_state=0)
    X2, y2 = lb.make_halfspace_data(16, random_state=0)
    M1 = int(lb.check_assumptions(X1, y1).thm1_neurons)

    def add(name, X, y, built):
        model, params = built
        pts[name] = (lb.Objective(model, hinge, X, y), params)

    add("icml-prop-2 relu, f_D (3,)", X1, y1,
        lb.dead_neuron_point(X1, y1, hinge, n_neurons=M1, activation="relu", f_D=(3,), kappa=1.0))
    for name in ("threshold", "relu", "requ", "zero"):
        for thm, (X, y) in ((1, (X1, y1)), (2, (X2, y2))):
            add(f"icml-prop-2 {name}, Theorem {thm}", X, y,
                lb.dead_neuron_point(X, y, hinge, n_neurons=M1 if thm == 1 else 3, activation=name))
    add("icml-prop-3 leaky_relu(0.1), kappa 0.5", X1, y1,
        lb.linear_region_point(X1, y1, hinge, n_neurons=M1, activation="leaky_relu", slope=0.1,
                               kappa=0.5))
    for name, opts in (("relu", {}), ("leaky_relu", {"slope": 0.1}), ("elu", {}), ("linear", {})):
        add(f"icml-prop-3 {name}", X1, y1,
            lb.linear_region_point(X1, y1, hinge, n_neurons=M1, activation=name, **opts))
    X4, y4 = lb.symmetric_sample(10, random_state=0)
    M4 = int(lb.check_assumptions(X4, y4).thm1_neurons)
    for name in ("sigmoid", "tanh", "arctan"):  # softsign: not C² at W = 0, tested below
        add(f"icml-prop-4 {name}", X4, y4, lb.odd_symmetric_point(X4, y4, hinge, n_neurons=M4,
                                                                   activation=name))
    X5, y5 = lb.make_interval_data(40, random_state=0)
    for name in ("quadratic", "cosh"):
        add(f"icml-prop-5 {name}", X5, y5,
            lb.quadratic_bowl_point(X5, y5, hinge, n_neurons=3, activation=name))
    datasets6 = {
        "shared coordinate": lb.make_shared_coordinate_data(16, random_state=0),
        "subspace d = 8": lb.make_subspace_data(16, random_state=0),
        "Gaussian separable": lb.make_separable_data(16, n_features=2, random_state=0),
        "half-space": lb.make_halfspace_data(16, random_state=0),
        "1-D intervals 3:1": lb.make_interval_data(16, pos_fraction=0.75, random_state=0),
    }
    for name, (X, y) in datasets6.items():
        add(f"icml-prop-6 hidden (4, 3), {name}", X, y,
            lb.dead_relu_point(X, y, hinge, hidden=(4, 3), kappa=1.0))
    add("icml-prop-7 hidden (3,)", X1, y1,
        lb.identity_shortcut_point(X1, y1, hinge, hidden=(3,), kappa=1.0))
    Xc, yc = lb.make_sphere_data(16, radii=(2.0, 1.0), random_state=0)
    add("icml-prop-12 circles 2:1, M = 3", Xc, yc, lb.quadratic_bowl_point(Xc, yc, hinge, n_neurons=3))
    for name, (X, y) in {
            "circles 2 : 1": lb.make_sphere_data(12, radii=(2.0, 1.0), random_state=1),
            "circles 1 : 2": lb.make_sphere_data(12, radii=(1.0, 2.0), random_state=1),
            "Gaussian, random labels": (np.random.default_rng(0).standard_normal((12, 2)),
                                        np.repeat([1.0, -1.0], 6))}.items():
        add(f"icml-prop-12 table, {name}", X, y,
            lb.quadratic_bowl_point(X, y, hinge, n_neurons=X.shape[1] + 1))
    return pts


def _part4_points():
    loss = lb.get_loss("neurips_hinge", p=3)
    pts = {}
    X, y = lb.make_xor_data(32, noise=0.25, random_state=0)
    base, dead = lb.dead_relu_point(X, y, loss, hidden=(4,), random_state=0)
    pts["ni-thm-1 XOR dead ReLU network"] = (lb.Objective(base, loss, X, y, reduction="sum"), dead)
    slopes_w = 1.5 * np.array([np.cos(0.5), np.sin(0.5)])
    aug = lb.add_exponential_neuron(base, lam=1.0)
    pts["ni-thm-1 XOR dead point + exponential neuron"] = (
        lb.Objective(aug, loss, X, y, reduction="sum"), lb.with_exponential_neuron(dead, slopes_w))
    X3 = np.array([[-1.0], [0.0], [1.0]])
    y3 = np.array([1.0, -1.0, 1.0])
    base3, dead3 = lb.dead_relu_point(X3, y3, loss, hidden=(3,), random_state=0)
    dead3["c"] = dead3["c"] + 1.0
    point3 = lb.with_exponential_neuron(dead3, np.zeros(1), a=-1.0, b=0.0)
    for lam in (0.0, 1.0):
        pts[f"ni-reg three points, lambda {lam:g}"] = (
            lb.Objective(lb.add_exponential_neuron(base3, lam=lam), loss, X3, y3, reduction="sum"),
            point3)
    plain3, params3 = lb.dead_relu_point(X3, y3, loss, hidden=(2,), kappa=1.0)
    for q in (1, 2):
        point_q = {"net": params3, "a": np.array(0.0), "w": np.array([1.0]), "b": np.array(0.0)}
        pts[f"ni-prop-1 monomial neuron q = {q}"] = (
            lb.Objective(lb.add_monomial_neuron(plain3, degree=q, lam=1.0), loss, X3, y3,
                         reduction="sum"), point_q)
    for p_deg, (Xp, yp) in {1: (np.array([[0.0], [1.0]]), np.array([-1.0, 1.0])),
                            2: (np.array([[0.0], [1.0], [2.0]]), np.array([-1.0, 1.0, -1.0])),
                            3: lb.make_binomial_alternating_data(3)}.items():
        net, net_params = lb.dead_relu_point(Xp, yp, loss, hidden=(2,), kappa=1.0)
        point = {"net": net_params, "a": np.array(0.0), "w": np.array([0.0]), "b": np.array(0.0)}
        pts[f"ni-prop-3 dead point + exponential, degree {p_deg}"] = (
            lb.Objective(lb.add_exponential_neuron(net, lam=1.0), loss, Xp, yp, reduction="sum"),
            point)
    return pts


POINTS = {**_part3_points(), **_part4_points()}
#: points flat to second order whose descent starts at order 4 or 6 (ni-prop-3, erratum 1)
HIGHER_ORDER_SADDLES = ("ni-prop-3 dead point + exponential, degree 2",
                        "ni-prop-3 dead point + exponential, degree 3")
POINT_NAMES = list(POINTS)


@pytest.fixture(scope="module")
def points():
    return POINTS


@pytest.fixture(scope="module")
def certified(points):
    """The library's certificate and our finite-difference evidence, once per point."""
    out = {}
    for name, (obj, params) in points.items():
        theta = np.asarray(obj.flatten(params), dtype=float)
        cert = lb.certify(obj, params, n_probes=50)
        out[name] = (obj, theta, cert, fd_gradient(obj, theta), fd_hessian(obj, theta))
    return out


@pytest.mark.parametrize("name", POINT_NAMES)
def test_gradient_norm_agrees(certified, name):
    obj, theta, cert, g, _ = certified[name]
    g_norm = float(np.linalg.norm(g))
    # central differences are exact to ~1e-9 here; the certificate's norm is autograd's
    assert abs(g_norm - cert.grad_norm) <= 1e-6 * max(1.0, cert.grad_norm), (g_norm, cert.grad_norm)
    # both sides of the criticality threshold agree (grad_tol = 1e-6), with a clear margin
    assert (g_norm <= 1e-6) == (cert.grad_norm <= 1e-6)
    assert g_norm <= 1e-7 or g_norm >= 1e-4, g_norm


@pytest.mark.parametrize("name", POINT_NAMES)
def test_hessian_spectrum_agrees(certified, name):
    obj, theta, cert, _, H = certified[name]
    ev_fd = np.linalg.eigvalsh(H)
    ev = np.asarray(cert.eigenvalues, dtype=float)
    scale = max(1.0, float(np.abs(ev).max()))
    # every eigenvalue, sorted, to within the second difference's error (h² terms and rounding)
    assert np.max(np.abs(ev_fd - ev)) <= 1e-5 * scale, np.max(np.abs(ev_fd - ev)) / scale
    # the same number of clearly positive and clearly negative eigenvalues, the same bottom
    for sign in (1, -1):
        assert np.sum(sign * ev_fd > 1e-4 * scale) == np.sum(sign * ev > 1e-4 * scale)
    assert (ev_fd[0] >= -1e-5 * scale) == (ev[0] >= -1e-5 * scale)


@pytest.mark.parametrize("name", POINT_NAMES)
def test_probe_agrees(certified, name):
    obj, theta, cert, g, H = certified[name]
    if cert.grad_norm > 1e-6:  # not critical: the gradient itself is a descent direction
        step = -1e-4 * g / np.linalg.norm(g)
        assert float(_values(obj, theta + step)) < float(_values(obj, theta))
        return
    # our probe: random directions of our own and ± the lowest eigenvector of OUR Hessian
    low = np.linalg.eigh(H)[1][:, 0]
    ours = own_probe(obj, theta, extra=np.stack([low, -low]))
    tol = 1e-12 * max(1.0, abs(cert.loss))
    lib_decrease = {r: v < 0 for r, v in cert.probe.items()}
    our_decrease = {r: v < -tol for r, v in ours.items()}
    if name in HIGHER_ORDER_SADDLES:
        # flat to second order, the decrease comes at order 4 or 6 (ni-prop-3): at r = 0.1 it
        # is ~1e-11, and whether 50 random directions catch it is chance (the library's
        # 52 probes miss it at degree 3). The Hessian has flat directions by both routes, so
        # no verdict may rest on it; our 202 directions find the decrease at r = 0.1: these
        # points are not local minima
        assert np.sum(np.abs(np.linalg.eigvalsh(H)) < 1e-6) >= 1
        assert np.sum(np.abs(np.asarray(cert.eigenvalues)) < 1e-6) >= 1
        assert ours[0.1] < -1e-12, ours
        return
    assert lib_decrease == our_decrease, (cert.probe, ours)
    # a decrease found by the probes is backed by negative curvature in our Hessian
    if any(our_decrease.values()):
        assert np.linalg.eigvalsh(H)[0] < -1e-6


def test_every_counterexample_id_is_recertified():
    ids = {name.split()[0] for name in POINT_NAMES}
    assert set(lb.COUNTEREXAMPLE_IDS) <= ids
    assert {"ni-thm-1", "ni-reg", "ni-prop-1", "ni-prop-3", "icml-prop-12"} <= ids


# -- erratum 7: softsign at W = 0 ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def softsign_point():
    obj, params = lb.counterexample("icml-prop-4", "softsign")
    theta = np.asarray(obj.flatten(params), dtype=float)
    return obj, params, theta


def _branch_objective(obj, branch):
    """The same objective with softsign replaced by one smooth branch near 0: z/(1+z) or z/(1−z)."""
    fn = (lambda z: z / (1.0 + z)) if branch > 0 else (lambda z: z / (1.0 - z))
    act = lb.Activation(f"softsign branch {branch:+d}", fn, ("sigmoid",), increasing=True)
    d, m = obj.model.init(0)["S"]["W"].shape
    model = lb.shortcut(lb.single_layer(d, m, act), lb.constant(d))
    return lb.Objective(model, obj.loss, obj.X, obj.y, reduction=obj.reduction)


def test_softsign_at_zero_hessian_is_a_convention(softsign_point):
    """Erratum 7. softsign is not C² at 0 — σ''(0±) = ∓2 — and at this point every unit of
    f_S sits at 0, so the Hessian the certificate prints depends on the convention for σ''(0)."""
    obj, params, theta = softsign_point
    soft = lb.get_activation("softsign")
    for t in (1e-2, 1e-3, 1e-4):  # one-sided second differences of σ at 0
        right = float(soft(np.array(2 * t)) - 2 * soft(np.array(t))) / t ** 2
        left = float(soft(np.array(-2 * t)) - 2 * soft(np.array(-t))) / t ** 2
        assert right == pytest.approx(-2, abs=10 * t) and left == pytest.approx(2, abs=10 * t)
    g = fd_gradient(obj, theta)
    assert np.linalg.norm(g) < 1e-7  # σ is C¹: the gradient is defined, and zero
    # autograd's convention (d|z|/dz = 0 at 0, so σ''(0) = 0): no negative eigenvalue
    ev_ad = np.linalg.eigvalsh(obj.hessian(theta))
    assert ev_ad[0] > -1e-9 and int(np.sum(ev_ad < -1e-6)) == 0
    # the convention of an autodiff that takes one branch, σ''(0) = −2 (z/(1+z)) or +2
    # (z/(1−z)), computed here by central differences of the branch: 19 negative
    # eigenvalues, the smallest −12.15 — the numbers
    L0 = float(_values(obj, theta))
    for branch, low in ((+1, -12.149), (-1, -12.145)):
        w, V = np.linalg.eigh(fd_hessian(_branch_objective(obj, branch), theta))
        assert int(np.sum(w < -1e-6)) == 19
        assert w[0] == pytest.approx(low, abs=2e-3)
        # ... and the loss itself does not curve down along that eigenvector
        for t in (1e-1, 1e-2, 1e-3):
            assert float(_values(obj, theta + t * V[:, 0])) >= L0
            assert float(_values(obj, theta - t * V[:, 0])) >= L0
    # central second differences of the loss: their smallest eigenvalue is O(h) — -1.60,
    # -0.165, -0.0166 for h = 1e-2, 1e-3, 1e-4 — where at a C³ point the error is O(h²)
    lows = [np.linalg.eigvalsh(fd_hessian(obj, theta, h=h))[0] for h in (1e-2, 1e-3, 1e-4)]
    assert lows[0] < lows[1] < lows[2] < 0
    assert lows[0] / lows[1] == pytest.approx(10, rel=0.05)
    assert lows[1] / lows[2] == pytest.approx(10, rel=0.05)
    # what needs no convention: no probe of ours (200 directions, 3 radii) finds a decrease
    assert all(v >= -1e-12 for v in own_probe(obj, theta).values())


# Issue 11 erratum 7: at a kink (Certificate.smooth is False) the certificate says that the
# Hessian is not defined instead of printing autodiff's convention-dependent matrix.
def test_certificate_prints_no_hessian_at_the_softsign_kink(softsign_point):
    obj, params, theta = softsign_point
    cert = lb.certify(obj, params, n_probes=50)
    assert cert.smooth is False
    text = cert.summary()
    hessian_lines = [line for line in text.splitlines() if "Hessian" in line or "eig" in line]
    assert not any(re.search(r"(min|max)\s+[-~]?\d", line) for line in hessian_lines), text
