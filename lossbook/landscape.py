"""The loss surface: empirical loss, training error, derivatives, certificates and slices.

An :class:`Objective` binds a model, a loss and a dataset into L(θ) on flat parameter
vectors θ of length P (``objective.flatten`` / ``objective.unflatten`` move between the
model's parameter dict and θ). Every method accepts a batch of vectors of shape (K, P) as
well, and then answers for each row; this is how a census certifies K points at once.

A :class:`Certificate` is how the book decides what a point is: gradient norm, Hessian
spectrum, and a perturbation probe — L at random points on spheres of several radii
around θ is never below L(θ). At kinks (dead ReLUs) autograd's Hessian is not the
second derivative (its gradient of max(0, z) at 0 is 0.5), so the verdict rests on the
probes whenever they disagree with the spectrum.
"""
from dataclasses import dataclass, field

import autograd.numpy as np
import numpy as onp
from autograd import grad, make_vjp
from autograd.test_util import check_grads
from scipy.optimize import minimize

from ._threads import one_blas_thread
from ._validation import (
    check_array,
    check_choice,
    check_grid,
    check_int,
    check_radii,
    check_random_state,
    check_real,
    check_Xy,
)
from .losses import get_loss, loss_weights
from .misc.flatten import flatten
from .models import Model

#: The possible verdicts of a :class:`Certificate`, from strongest to weakest.
VERDICTS = ("strict local min", "non-strict local min", "saddle", "not critical")


def _reduce(values, reduction):
    return np.mean(values, axis=-1) if reduction == "mean" else np.sum(values, axis=-1)


def empirical_loss(params, model, loss, X, y, *, reduction="mean"):
    """L(θ) = (1/n) Σ ℓ(−y_i f(x_i; θ)) (``reduction='mean'``, ICML) or Σ ℓ(…) (``'sum'``,
    NeurIPS), plus the model's regulariser. Batched parameters give a batch of losses."""
    return Objective(model, loss, X, y, reduction=reduction)(params)


def training_error(params, model, X, y):
    """R(θ) = (1/n) #{i : y_i ≠ sgn f(x_i; θ)} with sgn(0) = +1 (ICML §2)."""
    if not isinstance(model, Model):
        raise TypeError(f"model: expected a lossbook Model, got {type(model).__name__}")
    X, y = check_Xy(X, y)
    return _error(onp.asarray(model.apply(params, X)), y)


def _error(f, y):
    wrong = ((y > 0) & (f < 0)) | ((y < 0) & (f >= 0))
    return onp.mean(wrong, axis=-1)


class Objective:
    """L(θ) for a model, a loss and a dataset; call it on params or use the flat methods."""

    def __init__(self, model, loss, X, y, *, reduction="mean"):
        if not isinstance(model, Model):
            raise TypeError(f"model: expected a lossbook Model, got {type(model).__name__}")
        self.model = model
        self.loss = get_loss(loss)
        self.X, self.y = check_Xy(X, y)
        if self.X.shape[1] != model.n_features:
            raise ValueError(f"X: model {model.name} expects {model.n_features} features, "
                             f"got {self.X.shape[1]}")
        if not isinstance(reduction, str) or reduction not in ("mean", "sum"):
            raise ValueError(f"reduction: expected 'mean' or 'sum', got {reduction!r}")
        self.reduction = reduction
        self._template = model.init(0)
        _, self.unflatten = flatten(self._template)
        self.n_params = flatten(self._template)[0].shape[0]
        self._grad = grad(lambda T: np.sum(self.value(T)))

    def __repr__(self):
        return (f"Objective({self.model.name}, {self.loss.name}, n={len(self.y)}, "
                f"P={self.n_params}, reduction={self.reduction!r})")

    def __call__(self, params):
        return self.value(self.flatten(params))

    # -- moving between params and flat vectors ------------------------------------------
    def flatten(self, params):
        """θ from a parameter dict; arrays may carry one leading batch axis (→ shape (K, P))."""
        if not isinstance(params, dict):
            raise TypeError(f"params: expected a dict of arrays, got {type(params).__name__}")
        self.model.check_params(params)
        tmpl = flatten(self._template)[0]
        for batch_ndim in (0, 1):
            try:
                theta, _ = flatten(params, batch_ndim=batch_ndim)
            except ValueError:
                continue
            shapes_ok = _same_structure(params, self._template, batch_ndim)
            if shapes_ok and theta.shape[-1] == tmpl.shape[0]:
                return theta
        raise ValueError(f"params: shapes do not match model {self.model.name}; expected the "
                         "structure of model.init() (optionally with one leading batch axis)")

    def _check_theta(self, theta, name="theta"):
        if not type(theta).__module__.startswith("autograd"):
            theta = check_array(theta, name, ndim=(1, 2, 3))
        if np.shape(theta)[-1:] != (self.n_params,):
            raise ValueError(f"{name}: expected a last axis of length {self.n_params}, "
                             f"got shape {np.shape(theta)}")
        return theta

    # -- values and derivatives ------------------------------------------------------------
    def outputs(self, theta):
        """Network outputs f(x_i; θ), shape (..., n)."""
        return self.model._apply(self.unflatten(self._check_theta(theta)), self.X)

    def value(self, theta):
        """L(θ) for θ of shape (P,) or (..., P).

        Where the computation overflows float64 (huge parameters, an exponential neuron far
        out) the value is ``inf``, deliberately and without a warning: the loss there exceeds
        every float, and ``inf`` compares as such (a probe or a line search rejects it).
        """
        theta = self._check_theta(theta)
        params = self.unflatten(theta)
        with onp.errstate(over="ignore", invalid="ignore"):
            f = self.model._apply(params, self.X)
            L = _reduce(self.loss(-self.y * f), self.reduction) + self.model.penalty(params)
        if not type(L).__module__.startswith("autograd") and onp.any(onp.isnan(L)):
            L = onp.inf if onp.ndim(L) == 0 else onp.where(onp.isnan(L), onp.inf, L)
        return L

    def error(self, theta):
        """Training error R(θ) for θ of shape (P,) or (..., P)."""
        return _error(onp.asarray(self.outputs(theta)), self.y)

    def gradient(self, theta):
        """∇L(θ); for a batch (K, P), row k is the gradient of the k-th loss.

        Raises a ValueError where L or ∇L overflows float64 (see :meth:`value`)."""
        theta = onp.asarray(self._check_theta(theta), dtype=float)
        with onp.errstate(over="ignore", invalid="ignore"):
            G = self._grad(theta)
        return _finite(G, "the gradient")

    def value_and_gradient(self, theta):
        """(L(θ), ∇L(θ)) from one forward and one reverse pass; batches give one row each.

        Raises a ValueError where L or ∇L overflows float64 (see :meth:`value`)."""
        values, G = self._value_and_gradient(theta)
        return _finite(values, "the loss"), _finite(G, "the gradient")

    def _value_and_gradient(self, theta):
        """As value_and_gradient, but an overflow gives inf/NaN silently (for line searches,
        which reject such a step)."""
        theta = onp.asarray(self._check_theta(theta), dtype=float)
        with onp.errstate(over="ignore", invalid="ignore"):
            vjp, values = make_vjp(self.value)(theta)
            G = vjp(onp.ones_like(values))
        return onp.asarray(values, dtype=float), onp.asarray(G, dtype=float)

    @one_blas_thread
    def hessian(self, theta):
        """∇²L(θ) with autograd (P Hessian-vector products); a batch (K, P) gives (K, P, P)."""
        theta = onp.asarray(self._check_theta(theta), dtype=float)
        if theta.ndim > 2:
            raise ValueError(f"theta: expected shape (P,) or (K, P), got {theta.shape}")
        single = theta.ndim == 1
        T = theta[None] if single else theta
        H = onp.empty(T.shape + (T.shape[-1],))
        # trace the gradient once, then one reverse sweep per coordinate: row j of every
        # run's Hessian is the vjp of the batched gradient with the cotangent e_j
        with onp.errstate(over="ignore", invalid="ignore"):
            vjp, _ = make_vjp(self._grad)(T)
            E = onp.zeros_like(T)
            for j in range(T.shape[-1]):
                E[:, j] = 1.0
                H[..., j, :] = vjp(E)
                E[:, j] = 0.0
            H = 0.5 * (H + onp.swapaxes(H, -1, -2))
        _finite(H, "the Hessian")
        return H[0] if single else H

    def check_gradients(self, params, *, order=2):
        """Compare autograd's derivatives with finite differences (``autograd.test_util``)."""
        check_grads(self.value, modes=["rev"], order=order)(self.flatten(params))


def _finite(values, what):
    if not onp.all(onp.isfinite(values)):
        raise ValueError(f"theta: {what} overflows float64 at this point (the loss is inf or its "
                         "derivatives are not finite there); expected smaller parameters")
    return values


def _same_structure(params, template, batch_ndim):
    if isinstance(template, dict):
        return (isinstance(params, dict) and set(params) == set(template)
                and all(_same_structure(params[k], template[k], batch_ndim) for k in template))
    shape = onp.shape(params)
    return shape[batch_ndim:] == onp.shape(template) and len(shape) == batch_ndim + onp.ndim(template)


# -- finding critical points -------------------------------------------------------------------
def find_critical_point(objective, params, *, method="trust-exact", target="minimum",
                        gtol=1e-10, maxiter=2000):
    """Run a scipy optimiser from ``params`` with autograd derivatives.

    ``target='minimum'`` minimises L; ``target='any'`` minimises ‖∇L‖² so that saddles are
    found too (the search of ICML Prop 10). Returns ``(params, result)`` with scipy's result.
    """
    _check_objective(objective)
    if not isinstance(target, str) or target not in ("minimum", "any"):
        raise ValueError(f"target: expected 'minimum' or 'any', got {target!r}")
    if method is not None:
        check_choice(method, "method", _METHODS)
    gtol = check_real(gtol, "gtol", minimum=0.0)
    maxiter = check_int(maxiter, "maxiter", minimum=0)
    theta0 = onp.asarray(objective.flatten(params), dtype=float)
    if theta0.ndim != 1:
        raise ValueError("params: find_critical_point takes one parameter set; use sweep.census for a batch")
    if target == "minimum":
        fun, jac = objective.value, objective.gradient
        hess = objective.hessian
    else:
        fun = lambda t: np.sum(objective._grad(t) ** 2)  # noqa: E731
        jac = grad(fun)
        hess = None
    if method in ("trust-exact", "trust-ncg", "trust-krylov", "Newton-CG", "dogleg") and hess is not None:
        res = minimize(fun, theta0, jac=jac, hess=hess, method=method,
                       options={"gtol": gtol, "maxiter": maxiter})
    else:
        res = minimize(fun, theta0, jac=jac, method="L-BFGS-B" if method in ("trust-exact", None) else method,
                       options={"gtol": gtol, "maxiter": maxiter})
    return objective.unflatten(res.x), res


#: scipy.optimize.minimize methods that take a gradient (find_critical_point's ``method``)
_METHODS = ("trust-exact", "trust-ncg", "trust-krylov", "Newton-CG", "dogleg", "L-BFGS-B", "BFGS",
            "CG", "TNC", "SLSQP", "trust-constr")


def _check_tolerances(grad_tol, eig_tol, probe_tol):
    return (check_real(grad_tol, "grad_tol", minimum=0.0),
            check_real(eig_tol, "eig_tol", minimum=0.0),
            check_real(probe_tol, "probe_tol", minimum=0.0))


def _check_objective(objective):
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")


# -- certificates --------------------------------------------------------------------------------
@dataclass
class Certificate:
    """What a point of the loss surface is, with the evidence."""

    loss: float
    grad_norm: float
    eigenvalues: onp.ndarray = field(repr=False)
    probe: dict  # radius -> min over probes of L(θ + r u) − L(θ)
    n_probes: int
    training_error: float
    verdict: str
    escape_direction: onp.ndarray = field(default=None, repr=False)
    escape_decrease: float = None

    @property
    def min_eig(self):
        return float(self.eigenvalues[0])

    @property
    def is_local_min(self):
        return self.verdict in ("strict local min", "non-strict local min")

    @property
    def is_bad_local_min(self):
        return self.is_local_min and self.training_error > 0

    def summary(self, digits=3):
        """A short text with every number rounded, identical on any machine."""
        ev = self.eigenvalues
        probe = ", ".join(f"r={r:g}: {'no decrease' if d >= 0 else 'decrease'}"
                          for r, d in self.probe.items())
        return "\n".join([
            f"loss            {_fmt(self.loss, digits)}",
            f"gradient norm   {_small(self.grad_norm)}",
            f"Hessian eigs    min {_fmt_eig(ev[0], digits)}, max {_fmt_eig(ev[-1], digits)}, "
            f"#|eig|<1e-6: {int(onp.sum(onp.abs(ev) < 1e-6))} of {len(ev)}",
            f"probe ({self.n_probes} per radius) {probe}",
            f"training error  {_fmt(self.training_error, digits)}",
            f"verdict         {self.verdict}",
        ])

    def __repr__(self):
        return (f"Certificate(verdict={self.verdict!r}, loss={_fmt(self.loss, 4)}, "
                f"grad_norm={_small(self.grad_norm)}, min_eig={_fmt_eig(self.min_eig, 3)}, "
                f"training_error={_fmt(self.training_error, 4)})")


def _fmt(x, digits):
    s = f"{round(float(x), digits):.{digits}f}"
    return "0." + "0" * digits if s.startswith("-") and float(s) == 0 else s


def _fmt_eig(x, digits):
    return "~0" if abs(x) < 1e-6 else _fmt(x, digits)


def _small(x):
    """A gradient norm as a bound that is stable across machines: '< 1e-k'.

    Below 1e-12 the digits are rounding noise that differs between machines (and between
    BLAS kernels), so every such value prints as '< 1e-12'.
    """
    if x == 0:
        return "0"
    if x < 1e-12:
        return "< 1e-12"
    k = int(onp.floor(-onp.log10(x)))
    return f"< 1e-{k}" if k > 0 else f"{x:.2g}"


def _lowest_changes(objective, theta, L0, directions, radii, max_elements=4_000_000):
    """The probe: for each radius r, min over the unit ``directions`` u of L(θ + r u) − L0.

    Returns (lowest change per radius, the direction that gave it); the points are evaluated
    in batches of at most ``max_elements`` sample-parameter products.
    """
    R, P = len(radii), theta.shape[-1]
    chunk = max(1, int(max_elements // (len(objective.y) * max(P, 1) * R)))
    best, best_dir = onp.full(R, onp.inf), onp.zeros((R, P))
    for start in range(0, len(directions), chunk):
        D = directions[start:start + chunk]
        pts = theta + onp.asarray(radii)[:, None, None] * D[None]  # (R, B, P)
        # a probe may overflow (exponential neurons): an infinite value is no decrease
        with onp.errstate(over="ignore", invalid="ignore"):
            diff = onp.asarray(objective.value(pts), dtype=float) - L0
        diff = onp.where(onp.isnan(diff), onp.inf, diff)
        idx = onp.argmin(diff, axis=1)
        low = diff[onp.arange(R), idx]
        better = low < best
        best[better], best_dir[better] = low[better], D[idx[better]]
    return best, best_dir


def _unit_sphere(rng, shape):
    u = rng.standard_normal(shape)
    return u / onp.linalg.norm(u, axis=-1, keepdims=True)


def certify(objective, params, *, grad_tol=1e-6, eig_tol=1e-8,
            radii=(1e-1, 1e-2, 1e-3), n_probes=500, probe_tol=1e-12, random_state=0):
    """Certify one point: gradient norm, Hessian spectrum, perturbation probe, error, verdict.

    Verdict: 'not critical' if ‖∇L‖ > grad_tol; 'saddle' if some probe (random, or along the
    eigenvector of the smallest Hessian eigenvalue) lowers L by more than
    probe_tol·max(1, |L|), with that direction as escape direction; otherwise 'strict local
    min' when the smallest eigenvalue exceeds eig_tol, 'non-strict local min' when no probe
    decreases but the Hessian has (near-)zero or, at a kink, negative eigenvalues. A probe
    can only refute a minimum, so a 'local min' verdict is evidence, checked at n_probes points
    on each radius, not a proof.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    if theta.ndim != 1:
        raise ValueError("params: certify takes one parameter set; use certify_batch for (K, P)")
    _check_tolerances(grad_tol, eig_tol, probe_tol)
    check_radii(radii)
    return certify_batch(objective, theta[None], grad_tol=grad_tol, eig_tol=eig_tol, radii=radii,
                         n_probes=n_probes, probe_tol=probe_tol, random_state=random_state)[0]


@one_blas_thread
def certify_batch(objective, thetas, *, grad_tol=1e-6, eig_tol=1e-8, radii=(1e-1, 1e-2, 1e-3),
                  n_probes=200, probe_tol=1e-12, random_state=0, max_elements=4_000_000):
    """Certify K points given as flat vectors of shape (K, P): one certificate each.

    Gradients, Hessians and probes are computed for all K points in batched passes.
    """
    _check_objective(objective)
    thetas = onp.atleast_2d(onp.asarray(objective._check_theta(thetas, "thetas"), dtype=float))
    if thetas.ndim != 2:
        raise ValueError(f"thetas: expected shape (K, {objective.n_params}), got {thetas.shape}")
    grad_tol, eig_tol, probe_tol = _check_tolerances(grad_tol, eig_tol, probe_tol)
    max_elements = check_int(max_elements, "max_elements", minimum=1)
    radii = check_radii(radii)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    rng = check_random_state(random_state)
    K, P = thetas.shape
    L0 = onp.asarray(objective.value(thetas), dtype=float)
    G = onp.asarray(objective.gradient(thetas), dtype=float)
    gnorm = onp.linalg.norm(G, axis=-1)
    H = objective.hessian(thetas)
    evals, evecs = onp.linalg.eigh(H)
    # probe directions: random unit vectors plus ± the lowest eigenvector of each point
    U = _unit_sphere(rng, (n_probes, P))
    best = onp.empty((K, len(radii)))
    best_dir = onp.empty((K, len(radii), P))
    for k in range(K):
        dirs = onp.vstack([U, evecs[k][:, :1].T, -evecs[k][:, :1].T])
        best[k], best_dir[k] = _lowest_changes(objective, thetas[k], L0[k], dirs, radii, max_elements)
    err = objective.error(thetas)
    certs = []
    for k in range(K):
        tol = probe_tol * max(1.0, abs(L0[k]))
        probe = {r: float(best[k, i]) if best[k, i] < -tol else 0.0 for i, r in enumerate(radii)}
        escape, decrease = None, None
        if gnorm[k] > grad_tol:
            verdict = "not critical"
        elif min(probe.values()) < 0:
            verdict = "saddle"
            i = int(onp.argmin(best[k]))
            escape, decrease = best_dir[k, i], float(best[k, i])
        elif evals[k, 0] > eig_tol:
            verdict = "strict local min"
        else:
            verdict = "non-strict local min"
        certs.append(Certificate(loss=float(L0[k]), grad_norm=float(gnorm[k]), eigenvalues=evals[k],
                                 probe=probe, n_probes=n_probes + 2, training_error=float(err[k]),
                                 verdict=verdict, escape_direction=escape, escape_decrease=decrease))
    return certs


# -- slices ------------------------------------------------------------------------------------------
def _direction(objective, direction, rng, name="direction"):
    if direction is None:
        d = rng.standard_normal(objective.n_params)
    elif isinstance(direction, dict):
        d = onp.asarray(objective.flatten(direction), dtype=float)
    else:
        d = check_array(direction, name, finite=False)
    if d.shape != (objective.n_params,):
        raise ValueError(f"{name}: expected a vector of length {objective.n_params}, got shape {d.shape}")
    norm = onp.linalg.norm(d)
    if not onp.isfinite(norm) or norm == 0:
        raise ValueError(f"{name}: expected a non-zero finite vector")
    return d / norm


def loss_slice_1d(objective, params, direction=None, ts=None, *, random_state=0):
    """L(θ + t·u) on a grid of t (default: 101 points in [−1, 1]); u is normalised.

    Returns ``(ts, values)``.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    u = _direction(objective, direction, check_random_state(random_state))
    ts = onp.linspace(-1, 1, 101) if ts is None else check_grid(ts, "ts")
    return ts, onp.asarray(objective.value(theta + ts[:, None] * u), dtype=float)


def loss_slice_2d(objective, params, directions=(None, None), s=None, t=None, *, random_state=0):
    """L(θ + s·u + t·v) on a grid (default 41 × 41 points in [−1, 1]²).

    ``v`` is orthogonalised against ``u``. Returns ``(s, t, values)`` with values[i, j] at
    (s[j], t[i]) — the layout ``plt.contour(s, t, values)`` expects.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    rng = check_random_state(random_state)
    if isinstance(directions, (str, dict)) or not hasattr(directions, "__len__") or len(directions) != 2:
        raise TypeError("directions: expected a pair (u, v) of directions (vectors, params dicts "
                        f"or None), got {type(directions).__name__}")
    u = _direction(objective, directions[0], rng, "directions")
    v = _direction(objective, directions[1], rng, "directions")
    v = v - (v @ u) * u
    if onp.linalg.norm(v) < 1e-12:
        raise ValueError("directions: the two directions must not be parallel")
    v /= onp.linalg.norm(v)
    s = onp.linspace(-1, 1, 41) if s is None else check_grid(s, "s")
    t = onp.linspace(-1, 1, 41) if t is None else check_grid(t, "t")
    pts = theta + s[None, :, None] * u + t[:, None, None] * v
    return s, t, onp.asarray(objective.value(pts), dtype=float)


# -- certifying without derivatives (kinks) ------------------------------------------------
@dataclass
class Probe:
    """Result of :func:`perturbation_probe`: the lowest change of L found on each sphere."""

    loss: float
    changes: dict  # radius -> min over probes of L(θ + r u) − L(θ) (0.0 when within tolerance)
    n_probes: int
    direction: onp.ndarray = field(default=None, repr=False)  # unit vector of the lowest change

    @property
    def decreases(self):
        """True when some probe lowered the loss: the point is refuted as a local minimum."""
        return min(self.changes.values()) < 0

    def summary(self, digits=3):
        """One line per radius, rounded: 'no decrease' or the decrease as a bound."""
        lines = [f"loss {_fmt(self.loss, digits)}; {self.n_probes} probes per radius"]
        for r, d in self.changes.items():
            lines.append(f"  r={r:g}: " + ("no decrease" if d >= 0 else f"decrease {d:.1e}"))
        return "\n".join(lines)


def perturbation_probe(objective, params, *, radii=(1e-1, 1e-2, 1e-3), n_probes=500,
                       directions=None, probe_tol=1e-12, random_state=0):
    """Evaluate L at ``n_probes`` random points on each sphere ‖θ' − θ‖ = r around θ.

    The certificate of last resort where derivatives mislead (dead or half-open ReLUs):
    it uses only values of L, never ∇L or ∇²L. If min L(θ + r u) < L(θ) for some probe the
    point is refuted as a local minimum (a descent direction is returned). If no probe
    decreases L, that is evidence for a minimum — only the sampled points were checked, so
    a narrow descent cone can be missed. Extra unit ``directions`` (shape (m, P)) are
    probed as well. Decreases smaller than probe_tol·max(1, |L|) count as no decrease.
    Returns a :class:`Probe`.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    if theta.ndim != 1:
        raise ValueError("params: perturbation_probe takes one parameter set")
    radii = check_radii(radii)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    probe_tol = check_real(probe_tol, "probe_tol", minimum=0.0)
    rng = check_random_state(random_state)
    U = _unit_sphere(rng, (n_probes, theta.size))
    if directions is not None:
        D = onp.atleast_2d(check_array(directions, "directions", finite=False))
        if D.ndim != 2 or D.shape[1] != theta.size:
            raise ValueError(f"directions: expected shape (m, {theta.size}), got {D.shape}")
        norms = onp.linalg.norm(D, axis=1, keepdims=True)
        if not onp.all(onp.isfinite(norms)) or onp.any(norms == 0):
            raise ValueError("directions: expected non-zero finite vectors")
        U = onp.vstack([U, D / norms])
    L0 = float(objective.value(theta))
    tol = probe_tol * max(1.0, abs(L0))
    lows, dirs = _lowest_changes(objective, theta, L0, U, radii)
    changes = {r: float(low) if low < -tol else 0.0 for r, low in zip(radii, lows, strict=True)}
    return Probe(loss=L0, changes=changes, n_probes=len(U), direction=dirs[int(onp.argmin(lows))])


def one_sided_derivatives(objective, params, direction, *, h=1e-7):
    """Outward slopes of L along ±u at θ: D₊ = (L(θ + hu) − L(θ))/h, D₋ = (L(θ − hu) − L(θ))/h.

    At a smooth point D₊ ≈ ∇L·u ≈ −D₋. At a kink they differ, and autograd's ∇L·u is
    their average (D₊ − D₋)/2, because it differentiates max(0, z) at z = 0 as 1/2: so
    ∇L can be non-zero at a minimum (D₊, D₋ > 0) and zero at a point that is not one.
    θ is a local minimum along the line only if D₊ ≥ 0 and D₋ ≥ 0. ``u`` is normalised.
    Returns ``(D_plus, D_minus, autograd_slope)`` as floats. The step is 0 < h <= 1.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    if theta.ndim != 1:
        raise ValueError("params: one_sided_derivatives takes one parameter set")
    if direction is None:
        raise ValueError("direction: expected a vector of length P or a params dict, got None")
    u = _direction(objective, direction, None)
    h = check_real(h, "h", minimum=0.0, strict=True, maximum=1.0)
    L0 = float(objective.value(theta))
    d_plus = (float(objective.value(theta + h * u)) - L0) / h
    d_minus = (float(objective.value(theta - h * u)) - L0) / h
    return d_plus, d_minus, float(onp.asarray(objective.gradient(theta), dtype=float) @ u)


# -- the logistic loss: scaling the output, following gradient descent (icml-prop-9, -10) ---
def output_scaling_derivative(objective, theta):
    """d/dt L(θ_t) at t = 0, where θ_t multiplies the network's output by (1 + t) (icml-prop-10).

    Scaling a feed-forward network's output layer (its last weights and bias) by (1 + t)
    scales every output fᵢ by (1 + t), so with zᵢ = −yᵢfᵢ

        d/dt L = (1/n) Σᵢ ℓ'(zᵢ) zᵢ      (Σ instead of the mean for ``reduction='sum'``).

    For a loss with ℓ' > 0 everywhere (the logistic loss) every term is negative when every
    sample is correctly classified (zᵢ < 0): then this derivative is negative, ∇L ≠ 0, and
    the point is not critical. So no critical point has zero training error. The model's
    regulariser, if any, is not included. Accepts θ of shape (P,) or (K, P).
    """
    _check_objective(objective)
    objective._check_theta(theta)
    if onp.ndim(theta) > 2:
        raise ValueError(f"theta: expected shape (P,) or (K, P), got {onp.shape(theta)}")
    f = onp.asarray(objective.outputs(theta), dtype=float)
    terms = loss_weights(objective.loss, objective.y, f) * (-objective.y * f)
    return terms.mean(axis=-1) if objective.reduction == "mean" else terms.sum(axis=-1)


@dataclass
class DescentPath:
    """A recorded gradient-descent run: step indices, losses, ‖θ‖, ‖∇L‖, training errors, and
    the recorded points ``thetas`` (one row per recorded step)."""

    steps: onp.ndarray
    losses: onp.ndarray
    norms: onp.ndarray
    grad_norms: onp.ndarray
    errors: onp.ndarray
    thetas: onp.ndarray = field(repr=False)
    theta: onp.ndarray = field(repr=False)


def gradient_descent(objective, theta, *, learning_rate=0.1, n_steps=1000, record=50,
                     backtrack=False):
    """Plain gradient descent θ ← θ − η ∇L(θ) from ``theta`` (shape (P,)), recorded.

    The state is recorded at ``record`` steps spaced geometrically between 1 and ``n_steps``
    (and at step 0), the right spacing to watch a loss that decays like 1/t while ‖θ‖ grows
    like log t — what the logistic loss does under Theorem 1's conditions (icml-prop-9).
    With ``backtrack=True`` each step starts from η = ``learning_rate`` and halves it until
    the Armijo condition L(θ − η∇L) ≤ L(θ) − 10⁻⁴·η‖∇L‖² holds, so the loss never increases
    even where the curvature grows along the path (ext-infinity).
    Returns a :class:`DescentPath` whose ``theta`` is the final point.
    """
    _check_objective(objective)
    theta = onp.array(objective._check_theta(theta), dtype=float)
    if theta.ndim != 1:
        raise ValueError("theta: gradient_descent takes one parameter vector of shape (P,)")
    eta = check_real(learning_rate, "learning_rate", minimum=0.0, strict=True)
    n_steps = check_int(n_steps, "n_steps", minimum=1)
    record = check_int(record, "record", minimum=2)
    if not isinstance(backtrack, bool):
        raise TypeError(f"backtrack: expected a bool, got {type(backtrack).__name__}")
    marks = set(onp.unique(onp.geomspace(1, n_steps, record).round().astype(int)).tolist()) | {0}
    rows = []
    for k in range(n_steps + 1):
        try:
            f0, g = objective.value_and_gradient(theta)
        except ValueError as err:
            if k == 0:
                raise
            raise ValueError(f"learning_rate: gradient descent diverged at step {k} (the loss "
                             f"overflowed float64); expected a smaller learning_rate than {eta:g} "
                             "or backtrack=True") from err
        f0 = float(f0)
        if k in marks:
            rows.append((k, f0, float(onp.linalg.norm(theta)),
                         float(onp.linalg.norm(g)), float(objective.error(theta)), theta))
        if k < n_steps:
            step = eta
            if backtrack:
                g2 = float(g @ g)
                for _ in range(60):
                    if float(objective.value(theta - step * g)) <= f0 - 1e-4 * step * g2:
                        break
                    step *= 0.5
            theta = theta - step * g
    cols = [onp.array(c) for c in zip(*rows, strict=True)]
    return DescentPath(steps=cols[0].astype(int), losses=cols[1], norms=cols[2], grad_norms=cols[3],
                       errors=cols[4], thetas=onp.vstack(cols[5]), theta=theta)
