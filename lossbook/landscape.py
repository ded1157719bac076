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
from autograd import grad
from autograd.test_util import check_grads
from scipy.optimize import minimize

from ._validation import check_int, check_random_state, check_real, check_Xy
from .losses import get_loss
from .misc.flatten import flatten
from .models import Model

VERDICTS = ("strict local min", "non-strict local min", "saddle", "not critical")


def _reduce(values, reduction):
    return np.mean(values, axis=-1) if reduction == "mean" else np.sum(values, axis=-1)


def empirical_loss(params, model, loss, X, y, *, reduction="mean"):
    """L(θ) = (1/n) Σ ℓ(−y_i f(x_i; θ)) (``reduction='mean'``, ICML) or Σ ℓ(…) (``'sum'``,
    NeurIPS), plus the model's regulariser. Batched parameters give a batch of losses."""
    return Objective(model, loss, X, y, reduction=reduction)(params)


def training_error(params, model, X, y):
    """R(θ) = (1/n) #{i : y_i ≠ sgn f(x_i; θ)} with sgn(0) = +1 (ICML §2)."""
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
        if reduction not in ("mean", "sum"):
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

    def _check_theta(self, theta):
        theta = np.asarray(theta, dtype=float) if isinstance(theta, (list, onp.ndarray)) else theta
        if np.shape(theta)[-1:] != (self.n_params,):
            raise ValueError(f"theta: expected a last axis of length {self.n_params}, "
                             f"got shape {np.shape(theta)}")
        return theta

    # -- values and derivatives ------------------------------------------------------------
    def outputs(self, theta):
        """Network outputs f(x_i; θ), shape (..., n)."""
        return self.model._apply(self.unflatten(self._check_theta(theta)), self.X)

    def value(self, theta):
        """L(θ) for θ of shape (P,) or (..., P)."""
        theta = self._check_theta(theta)
        params = self.unflatten(theta)
        f = self.model._apply(params, self.X)
        return _reduce(self.loss(-self.y * f), self.reduction) + self.model.penalty(params)

    def error(self, theta):
        """Training error R(θ) for θ of shape (P,) or (..., P)."""
        return _error(onp.asarray(self.outputs(theta)), self.y)

    def gradient(self, theta):
        """∇L(θ); for a batch (K, P), row k is the gradient of the k-th loss."""
        return self._grad(onp.asarray(self._check_theta(theta), dtype=float))

    def hessian(self, theta):
        """∇²L(θ) with autograd (P Hessian-vector products); a batch (K, P) gives (K, P, P)."""
        theta = onp.asarray(self._check_theta(theta), dtype=float)
        single = theta.ndim == 1
        T = theta[None] if single else theta
        H = onp.empty(T.shape + (T.shape[-1],))
        for j in range(T.shape[-1]):
            H[..., j, :] = grad(lambda S, j=j: np.sum(self._grad(S)[..., j]))(T)
        H = 0.5 * (H + onp.swapaxes(H, -1, -2))
        return H[0] if single else H

    def check_gradients(self, params, *, order=2):
        """Compare autograd's derivatives with finite differences (``autograd.test_util``)."""
        check_grads(self.value, modes=["rev"], order=order)(self.flatten(params))


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
    if target not in ("minimum", "any"):
        raise ValueError(f"target: expected 'minimum' or 'any', got {target!r}")
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
    """A gradient norm as a bound that is stable across machines: '< 1e-k'."""
    if x == 0:
        return "0"
    k = int(onp.floor(-onp.log10(x)))
    return f"< 1e-{k}" if k > 0 else f"{x:.2g}"


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
    return certify_batch(objective, theta[None], grad_tol=grad_tol, eig_tol=eig_tol, radii=radii,
                         n_probes=n_probes, probe_tol=probe_tol, random_state=random_state)[0]


def certify_batch(objective, thetas, *, grad_tol=1e-6, eig_tol=1e-8, radii=(1e-1, 1e-2, 1e-3),
                  n_probes=200, probe_tol=1e-12, random_state=0, max_elements=4_000_000):
    """Certify K points given as flat vectors of shape (K, P): one certificate each.

    Gradients, Hessians and probes are computed for all K points in batched passes.
    """
    _check_objective(objective)
    thetas = onp.atleast_2d(onp.asarray(objective._check_theta(thetas), dtype=float))
    if not onp.all(onp.isfinite(thetas)):
        raise ValueError("thetas: contains NaN or infinite values")
    radii = tuple(check_real(r, "radii", minimum=0.0, strict=True) for r in radii)
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
    per_sample = len(objective.y) * max(P, 1)
    chunk = max(1, int(max_elements // (per_sample * len(radii))))
    best = onp.full((K, len(radii)), onp.inf)
    best_dir = onp.zeros((K, len(radii), P))
    for k in range(K):
        dirs = onp.vstack([U, evecs[k][:, :1].T, -evecs[k][:, :1].T])
        for start in range(0, len(dirs), chunk):
            D = dirs[start:start + chunk]
            pts = thetas[k] + onp.asarray(radii)[:, None, None] * D[None]  # (R, B, P)
            diff = onp.asarray(objective.value(pts), dtype=float) - L0[k]
            idx = onp.argmin(diff, axis=1)
            low = diff[onp.arange(len(radii)), idx]
            better = low < best[k]
            best[k, better] = low[better]
            best_dir[k, better] = D[idx[better]]
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
def _direction(objective, direction, rng):
    if direction is None:
        d = rng.standard_normal(objective.n_params)
    elif isinstance(direction, dict):
        d = onp.asarray(objective.flatten(direction), dtype=float)
    else:
        d = onp.asarray(direction, dtype=float)
    if d.shape != (objective.n_params,):
        raise ValueError(f"direction: expected a vector of length {objective.n_params}, got shape {d.shape}")
    norm = onp.linalg.norm(d)
    if not onp.isfinite(norm) or norm == 0:
        raise ValueError("direction: expected a non-zero finite vector")
    return d / norm


def loss_slice_1d(objective, params, direction=None, ts=None, *, random_state=0):
    """L(θ + t·u) on a grid of t (default: 101 points in [−1, 1]); u is normalised.

    Returns ``(ts, values)``.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    u = _direction(objective, direction, check_random_state(random_state))
    ts = onp.linspace(-1, 1, 101) if ts is None else onp.asarray(ts, dtype=float)
    return ts, onp.asarray(objective.value(theta + ts[:, None] * u), dtype=float)


def loss_slice_2d(objective, params, directions=(None, None), s=None, t=None, *, random_state=0):
    """L(θ + s·u + t·v) on a grid (default 41 × 41 points in [−1, 1]²).

    ``v`` is orthogonalised against ``u``. Returns ``(s, t, values)`` with values[i, j] at
    (s[j], t[i]) — the layout ``plt.contour(s, t, values)`` expects.
    """
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    rng = check_random_state(random_state)
    u = _direction(objective, directions[0], rng)
    v = _direction(objective, directions[1], rng)
    v = v - (v @ u) * u
    if onp.linalg.norm(v) < 1e-12:
        raise ValueError("directions: the two directions must not be parallel")
    v /= onp.linalg.norm(v)
    s = onp.linspace(-1, 1, 41) if s is None else onp.asarray(s, dtype=float)
    t = onp.linspace(-1, 1, 41) if t is None else onp.asarray(t, dtype=float)
    pts = theta + s[None, :, None] * u + t[:, None, None] * v
    return s, t, onp.asarray(objective.value(pts), dtype=float)
