"""The loss surface: empirical loss, training error, derivatives, certificates and slices.

An :class:`Objective` binds a model, a loss and a dataset into L(θ) on flat parameter
vectors θ of length P (``objective.flatten`` / ``objective.unflatten`` move between the
model's parameter dict and θ). Every method accepts a batch of vectors of shape (K, P) as
well, and then answers for each row; this is how a census certifies K points at once.

A :class:`Certificate` is how the book decides what a point is (:func:`certify_batch`):
"certified local min" (smooth, critical, every flat Hessian direction explained by an exact
invariance the library knows — ``lossbook/invariances.py`` — and curvature beyond a margin on
the rest: strict modulo symmetries; or a global minimum, attaining the data's lower bound
:func:`loss_lower_bound`), "refuted" (negative curvature at a smooth point, or a probe found a
lower point), "undecided" (a unit at a kink, where autograd's derivatives are conventions —
its gradient of max(0, z) at 0 is 0.5 —, unexplained flat directions, a training error hanging
on sgn(0)) or "not critical". Every piece of evidence is kept on the certificate, and its
``summary()`` prints only text that is the same on any machine.
"""
import warnings
from dataclasses import dataclass, field

import autograd.numpy as np
import numpy as onp
from autograd import grad, make_vjp
from autograd.extend import vspace
from autograd.test_util import check_grads
from scipy.optimize import minimize

from ._tape import Tape
from ._threads import one_blas_thread
from ._validation import (
    check_array,
    check_choice,
    check_grid,
    check_int,
    check_params,
    check_radii,
    check_random_state,
    check_real,
    check_Xy,
)
from .losses import get_loss, loss_weights
from .misc.flatten import flatten
from .models import Model

#: The possible verdicts of a :class:`Certificate` (see :func:`certify_batch`).
VERDICTS = ("certified local min", "undecided", "refuted", "not critical")
_MAX_TAPES = 512  # recorded shapes per objective (training shrinks its batch one run at a time)
# A tape saves autograd's per-primitive bookkeeping, which matters for small arrays only
# (measured: no gain at θ of 100 × 361), and recording costs about three calls: so a shape
# is recorded at its fourth call, and only for θ of at most this many numbers
_TAPE_AFTER, _TAPE_SIZE = 3, 20_000
_TAPE_HESSIAN_P = 64  # a traced Hessian of more coordinates than this replays a tape (see _traced_hessian)


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
        self._grad = grad(lambda T: np.sum(self._loss(T)))
        self._tapes = {}  # θ shape (and the objective's parts) → a Tape, or how often seen
        self._replay = True  # False: always trace (e.g. to count the model's forward passes)

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
        return self._loss(self._check_theta(theta))

    def _loss(self, theta):
        """As value, without checking ``theta``: the inner loops of training and probing,
        whose points are checked once on entry, call it thousands of times."""
        params = self.unflatten(theta)
        with onp.errstate(over="ignore", invalid="ignore"):
            f = self.model._apply(params, self.X)
            L = _reduce(self.loss(-self.y * f), self.reduction) + self.model._penalty_value(params)
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
            vjp, values = self._vjp(theta)
            G = vjp(onp.ones_like(values))
        return onp.asarray(values, dtype=float), onp.asarray(G, dtype=float)

    def _vjp(self, theta):
        """``make_vjp(self._loss)(theta)``; from the fourth call at a (small) shape on, replayed
        from a recorded tape (:class:`lossbook._tape.Tape`: autograd's arithmetic bit for bit, checked
        when recorded, without re-tracing) where the loss's trace can be replayed."""
        key = (theta.shape, id(self.model), id(self.X), id(self.y), id(self.loss), self.reduction)
        entry = self._tapes.get(key, 0)  # how often seen, a Tape, or False: not replayable
        if self._replay and entry is not False and not isinstance(entry, Tape) and \
                theta.size <= _TAPE_SIZE:
            entry = (Tape.record(self._loss, theta) or False) if entry >= _TAPE_AFTER else entry + 1
            if key in self._tapes or len(self._tapes) < _MAX_TAPES:
                self._tapes[key] = entry
        if isinstance(entry, Tape):
            values, vjp = entry(theta)
            return vjp, values
        return make_vjp(self._loss)(theta)

    @one_blas_thread
    def hessian(self, theta):
        """∇²L(θ) with autograd (P Hessian-vector products); a batch (K, P) gives (K, P, P).

        Raises a ValueError where it overflows float64 (see :meth:`value`)."""
        return _finite(self._hessian(theta), "the Hessian")

    def _hessian(self, theta, structured=False, pad=None):
        """As hessian, but an overflow gives inf/NaN entries silently (the certifier reports
        such a point instead of failing the whole batch). ``structured=True``: where exact
        (:meth:`_structured_hessian`), H = Jᵀ diag(w) J + S from the model's closed-form output
        derivatives instead of P reverse sweeps (equal up to rounding); ``pad``: see
        :meth:`_structured_hessian`."""
        theta = onp.asarray(self._check_theta(theta), dtype=float)
        if theta.ndim > 2:
            raise ValueError(f"theta: expected shape (P,) or (K, P), got {theta.shape}")
        single = theta.ndim == 1
        T = theta[None] if single else theta
        H = self._structured_hessian(T, pad) if structured else None
        if H is None:
            H = self._traced_hessian(T)
        else:  # where the closed form overflows, the traced Hessian decides what the entries are
            bad = ~onp.all(onp.isfinite(H), axis=(1, 2))
            if bad.any():
                H[bad] = self._traced_hessian(T[bad])
        return H[0] if single else H

    def _structured_hessian(self, T, pad=None):
        """∇²L at the rows of T (K, P) as Jᵀ diag(w) J + S, shape (K, P, P), or None where the
        model has no curvature hook or a regulariser (then only the traced Hessian is exact).

        With zᵢ = −yᵢfᵢ and r = 1/n ('mean') or 1 ('sum'): L = r Σᵢ ℓ(zᵢ), so ∂L/∂fᵢ =
        −r yᵢ ℓ'(zᵢ) = cᵢ and ∂²L/∂fᵢ² = r ℓ''(zᵢ) = wᵢ (yᵢ² = 1), with autograd's ℓ', ℓ''.
        A sample with ℓ'(zᵢ) = ℓ''(zᵢ) = 0 (beyond a hinge's margin) adds exact zeros, so
        each point keeps only its other samples, padded with zero-weight ones to the batch's
        largest count, or to ``pad`` if larger: a block of a batch computed with the whole
        batch's count gives the whole batch's rows bit for bit. Rows whose outputs are not
        finite get NaN (the caller recomputes them with the traced Hessian).
        """
        model = self.model
        if not self._has_structured_hessian:
            return None
        params = self.unflatten(T)
        with onp.errstate(over="ignore", invalid="ignore"):
            f = onp.asarray(model._apply(params, self.X), dtype=float)
            d1, d2, contributing = _loss_derivatives(self, f)
            keep = _active_samples(contributing, pad)  # (K, m) sample indices per point
            X = self.X[keep]  # (K, m, d): one sample set per point
            c, w = _output_weights(self, d1, d2, keep)
            J, H = model._curvature(params, X, self.unflatten(onp.arange(self.n_params)), c)
            _add_gauss_newton(H, J, w)
        H[~onp.all(onp.isfinite(f), axis=1)] = onp.nan
        return H

    @property
    def _has_structured_hessian(self):
        # the closed form needs the model's curvature hook, and no regulariser (its Hessian is
        # not in the hook); penalised False means the penalty is 0
        return self.model.has_curvature and not self.model.penalised

    def _traced_hessian(self, T, max_rows=64):
        """∇²L at the rows of T (K, P) by autograd: row j of every run's Hessian is the vjp of
        the batched gradient with the cotangent e_j. Shape (K, P, P).

        For many runs (K > max_rows / 2) the gradient is traced once and swept P times; for a
        few (one point: certify, a stratum search) the P sweeps are Python-bound, so they are
        batched: c = max_rows // K coordinates at a time, the gradient traced at c stacked
        copies of T and all c rows taken in one reverse sweep. Each row sees the arithmetic
        of its own sweep, so H is the same either way (checked bit for bit); so it is when the
        P sweeps replay a recorded tape of the gradient (``lossbook._tape.Tape``; P > 64)."""
        K, P = T.shape
        H = onp.empty((K, P, P))
        c = min(P, max_rows // K)
        with onp.errstate(over="ignore", invalid="ignore"):
            if c <= 1:
                # for many coordinates the P sweeps replay a recorded tape of the gradient (the
                # same vjps in the same order, without autograd's per-sweep bookkeeping: about
                # 2x faster at P = 402); recording costs a few traces, too many for a small P
                tape = Tape.record(self._grad, T) if P > _TAPE_HESSIAN_P else None
                vjp = tape(T)[1] if tape is not None else make_vjp(self._grad)(T)[0]
                E = onp.zeros_like(T)
                for j in range(P):
                    E[:, j] = 1.0
                    H[..., j, :] = vjp(E)
                    E[:, j] = 0.0
            else:
                for j0 in range(0, P, c):
                    js = onp.arange(j0, min(P, j0 + c))
                    vjp, _ = make_vjp(self._grad)(onp.tile(T, (len(js), 1)))
                    E = onp.zeros((len(js), K, P))
                    E[onp.arange(len(js)), :, js] = 1.0
                    rows = onp.asarray(vjp(E.reshape(-1, P))).reshape(len(js), K, P)
                    H[:, js, :] = onp.swapaxes(rows, 0, 1)
            return 0.5 * (H + onp.swapaxes(H, -1, -2))

    def check_gradients(self, params, *, order=2):
        """Compare autograd's derivatives with finite differences (``autograd.test_util``)."""
        check_grads(self.value, modes=["rev"], order=order)(self.flatten(params))


def _loss_derivatives(objective, F):
    """ℓ'(zᵢ), ℓ''(zᵢ) (autograd's) at zᵢ = −yᵢfᵢ for outputs F (K, n), and the mask (K, n) of
    the samples where either is non-zero: the others add exact zeros to ∇L and to H."""
    from .activations import _derivatives

    with onp.errstate(over="ignore", invalid="ignore"):
        d1, d2 = _derivatives(objective.loss.fn, -objective.y * F)
    return d1, d2, (d1 != 0) | (d2 != 0)


def _output_weights(objective, d1, d2, rows):
    """cᵢ = ∂L/∂fᵢ = −r yᵢ ℓ'(zᵢ) and wᵢ = ∂²L/∂fᵢ² = r ℓ''(zᵢ) (r = 1/n for 'mean', else 1) of
    the samples ``rows`` (K, m) of each point, from ℓ', ℓ'' of every sample (K, n)."""
    r = 1.0 / len(objective.y) if objective.reduction == "mean" else 1.0
    at = onp.arange(len(rows))[:, None]
    return -r * objective.y[rows] * d1[at, rows], r * d2[at, rows]


def _add_gauss_newton(S, J, w):
    """S += Jᵀ diag(w) J in place for S (K, P, P), J (K, m, P), w (K, m), each matrix made
    symmetric to the last bit; a few points at a time (small temporaries)."""
    Jw = onp.swapaxes(J, -1, -2) * w[:, None, :]
    P = S.shape[-1]
    prod, pair = onp.empty((min(len(S), _SPECTRA_CHUNK), P, P)), onp.empty((P, P))
    for i in range(0, len(S), _SPECTRA_CHUNK):
        Sc = S[i:i + _SPECTRA_CHUNK]
        Sc += onp.matmul(Jw[i:i + _SPECTRA_CHUNK], J[i:i + _SPECTRA_CHUNK], out=prod[:len(Sc)])
        for h in Sc:  # symmetric to the last bit, one (P, P) block at a time
            onp.multiply(onp.add(h, h.T, out=pair), 0.5, out=h)
    return S


def _active_samples(active, pad=None):
    """Per row of the mask ``active`` (K, n): the indices of its samples, padded with other
    (zero-weight) samples to the same count m ≥ 1 (at least ``pad``) for every row; shape (K, m)."""
    m = max(1, int(active.sum(axis=1).max()), min(int(pad or 0), active.shape[1]))
    return onp.argsort(~active, axis=1, kind="stable")[:, :m]


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
class _TracedPair:
    """``fun`` and its autograd gradient for scipy.optimize.minimize, one trace per point.

    ``value(x)`` traces ``fun`` at x (autograd's make_vjp) and keeps the reverse pass;
    ``gradient(x)`` at the same x (bit for bit) then runs only that reverse pass, instead of
    tracing ``fun`` again as ``grad(fun)(x)`` does. Both return exactly what ``fun(x)`` and
    ``grad(fun)(x)`` return: the traced forward pass applies the same primitives to the same
    numbers, and the reverse pass is grad's own (cotangent ``vspace(value).ones()``). A value
    that is not finite is recomputed untraced and not kept (``fun`` may map NaN to inf only
    outside tracing, as Objective.value does). ``errstate``: numpy error handling for the traced
    passes (the untraced ones use the caller's, as before)."""

    def __init__(self, fun, errstate=None):
        self.fun = fun
        self._errstate = errstate or {}
        self._key = None
        self._kept = None

    def value(self, x):
        x = onp.asarray(x)
        with onp.errstate(**self._errstate):
            vjp, ans = make_vjp(self.fun)(x)
        self._key, self._kept = None, None
        if not onp.all(onp.isfinite(ans)):
            return self.fun(x)
        self._key, self._kept = (x.dtype, x.shape, x.tobytes()), (vjp, ans)
        return ans

    def gradient(self, x):
        x = onp.asarray(x)
        kept = self._key is not None and self._key == (x.dtype, x.shape, x.tobytes())
        if kept and vspace(self._kept[1]).size == 1:  # else grad raises its own error below
            vjp, ans = self._kept
            self._key, self._kept = None, None
            with onp.errstate(**self._errstate):
                return vjp(vspace(ans).ones())
        with onp.errstate(**self._errstate):
            return grad(self.fun)(x)


@one_blas_thread
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
        # objective.value and objective.gradient, the gradient from the value's trace
        pair = _TracedPair(lambda T: np.sum(objective._loss(T)), {"over": "ignore", "invalid": "ignore"})

        def fun(t):
            return pair.value(onp.asarray(objective._check_theta(t), dtype=float))

        def jac(t):
            return _finite(pair.gradient(onp.asarray(objective._check_theta(t), dtype=float)),
                           "the gradient")
        hess = objective.hessian
    else:
        pair = _TracedPair(lambda t: np.sum(objective._grad(t) ** 2))
        fun, jac = pair.value, pair.gradient
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
    """What a point θ of the loss surface is, with the evidence (see :func:`certify_batch`).

    ``verdict`` is one of :data:`VERDICTS`; ``reason`` says why in words. ``eigenvalues`` are
    the Hessian's (ascending), ``margin`` = eig_tol·max(1, λ_max) the curvature margin;
    ``n_flat`` eigenvalues have |λ| ≤ margin, ``n_unexplained`` of those directions are not in
    the span of the exact invariances ``invariances`` names. ``probe``: radius → lowest change
    of L over the sphere probes (0.0 when within tolerance); ``scaling_probe``: the lowest
    change from rescaling one unit's incoming weights. ``escape_direction`` (unit vector) and
    ``escape_decrease`` come from the best probe that lowered L (canonical: the same on any
    LAPACK). ``smooth`` is False when a unit (or the loss) sits at a kink; ``is_global`` when
    L attains ``lower_bound``, the data's lower bound on the loss.
    """

    loss: float
    grad_norm: float
    eigenvalues: onp.ndarray = field(repr=False)
    probe: dict  # radius -> min over probes of L(θ + r u) − L(θ)
    n_probes: int
    training_error: float
    verdict: str
    escape_direction: onp.ndarray = field(default=None, repr=False)
    escape_decrease: float = None
    reason: str = ""
    invariances: tuple = ()
    n_flat: int = 0
    n_unexplained: int = 0
    smooth: bool = True
    is_global: bool = False
    lower_bound: float = None
    grad_tol: float = 1e-6
    eig_tol: float = 1e-6
    margin: float = 0.0
    scaling_probe: float = 0.0

    @property
    def min_eig(self):
        return float(self.eigenvalues[0])

    @property
    def max_eig(self):
        return float(self.eigenvalues[-1])

    @property
    def n_explained(self):
        """Flat directions explained by an exact invariance."""
        return self.n_flat - self.n_unexplained

    @property
    def is_local_min(self):
        """Certified: a local minimum, strict modulo the exact invariances (or global)."""
        return self.verdict == "certified local min"

    @property
    def is_bad_local_min(self):
        """Certified, training error > 0, and not a global minimum (one the data force)."""
        return self.is_local_min and self.training_error > 0 and not self.is_global

    def summary(self, digits=3):
        """A short text that is identical on any machine: the gradient against its tolerance,
        eigenvalues rounded (|λ| ≤ margin prints as ~0), counts, verdict and reason."""
        ev = self.eigenvalues
        probe = ", ".join(f"r={r:g} {'no decrease' if d >= 0 else 'decrease'}"
                          for r, d in self.probe.items())
        scaling = "no decrease" if self.scaling_probe >= 0 else "decrease"
        grad = ("<=" if self.grad_norm <= self.grad_tol else ">") + f" {self.grad_tol:g} (grad_tol)"
        if not onp.all(onp.isfinite(ev)):
            hess = "Hessian          overflows float64 at this point"
        elif self.smooth:
            hess = (f"Hessian eigs     min {self._eig(ev[0], digits)}, max {self._eig(ev[-1], digits)} "
                    f"(~0: |eig| <= {self.eig_tol:g}·max(1, max eig))")
        else:
            hess = ("Hessian          not defined: the loss is not twice differentiable at this point "
                    "(what autodiff returns depends on its convention at the kink)")
        lines = [
            f"loss             {_fmt(self.loss, digits)}",
            f"gradient norm    {grad}",
            hess,
            (f"flat directions  {self.n_flat} of {len(ev)}: {self.n_explained} explained, "
             f"{self.n_unexplained} unexplained" if self.smooth else
             "flat directions  not decided without a Hessian"),
            f"invariances      {', '.join(self.invariances) or 'none'}",
            f"smooth           {'yes' if self.smooth else 'no'}",
            f"probes           {self.n_probes} per radius: {probe}; unit scalings {scaling}",
            f"training error   {_fmt(self.training_error, digits)}",
        ]
        if self.lower_bound is not None:
            lines.append(f"lower bound      {_fmt(self.lower_bound, digits)} "
                         f"({'attained: global minimum' if self.is_global else 'not attained'})")
        lines += [f"verdict          {self.verdict}", f"reason           {self.reason}"]
        return "\n".join(lines)

    def _eig(self, x, digits):
        if abs(x) <= self.margin:
            return "~0"
        # large eigenvalues (far-out points) to `digits + 1` significant digits: their
        # decimals are rounding noise
        return _fmt(x, digits) if abs(x) < 100 else f"{float(x):.{digits + 1}g}"

    def __repr__(self):
        grad = ("<=" if self.grad_norm <= self.grad_tol else ">") + f"{self.grad_tol:g}"
        return (f"Certificate(verdict={self.verdict!r}, loss={_fmt(self.loss, 4)}, grad_norm{grad}, "
                f"min_eig={self._eig(self.min_eig, 3)}, n_flat={self.n_flat}, "
                f"n_unexplained={self.n_unexplained}, training_error={_fmt(self.training_error, 4)}, "
                f"is_global={self.is_global}, reason={self.reason!r})")


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


def _lowest_changes(objective, theta, L0, directions, radii, max_elements=1_000_000):
    """The probe: for each radius r, min over the unit ``directions`` u of L(θ + r u) − L0.

    Returns (lowest change per radius, the direction that gave it, its row in
    ``directions``); the points are evaluated in batches of at most ``max_elements``
    sample-parameter products (10⁶ by default, measured: batches that keep the forward pass's
    temporaries in cache run ~1.4x faster than 4·10⁶; each point's value does not depend on
    the batching).
    """
    R, P = len(radii), theta.shape[-1]
    chunk = max(1, int(max_elements // (len(objective.y) * max(P, 1) * R)))
    best, best_dir = onp.full(R, onp.inf), onp.zeros((R, P))
    best_idx = onp.zeros(R, dtype=int)
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
        best_idx[better] = start + idx[better]
    return best, best_dir, best_idx


def _unit_sphere(rng, shape):
    u = rng.standard_normal(shape)
    return u / onp.linalg.norm(u, axis=-1, keepdims=True)


def loss_lower_bound(loss, X, y, *, reduction="mean"):
    """The data's lower bound on L(θ) for any model with a regulariser ≥ 0.

    Samples with the same x get the same output f, so L ≥ Σ over groups G of identical rows
    of min_f Σ_{i∈G} ℓ(−y_i f) (divided by n for ``reduction='mean'``). A group with both
    labels forces a positive minimum; a single-label group contributes its infimum (0 for
    the book's losses). Each group's minimum is a one-dimensional convex minimisation, so
    ``loss`` must be convex. A point whose loss attains this bound is a global minimum,
    whatever its Hessian — with training error forced by the contradicting labels.
    """
    from scipy.optimize import minimize_scalar

    loss = get_loss(loss)
    X, y = check_Xy(X, y)
    check_choice(reduction, "reduction", ("mean", "sum"))
    if not loss.convex:
        raise ValueError(f"loss: loss_lower_bound needs a convex loss, got {loss.name}")
    _, group = onp.unique(X, axis=0, return_inverse=True)
    group = onp.ravel(group)
    total = 0.0
    with onp.errstate(over="ignore", invalid="ignore"):
        for g in onp.unique(group):
            n_pos = int(onp.sum((group == g) & (y > 0)))
            n_neg = int(onp.sum((group == g) & (y < 0)))

            def h(f, n_pos=n_pos, n_neg=n_neg):
                val = n_pos * float(loss(-f)) + n_neg * float(loss(f))
                return val if onp.isfinite(val) else onp.inf

            if n_pos and n_neg or loss.has_global_min:
                res = minimize_scalar(h, bracket=(-1.0, 1.0), method="brent", tol=1e-12)
                total += min(float(res.fun), h(0.0))
            else:  # one label, no minimum: the infimum is approached as the margin grows
                total += h(1e6 if n_pos else -1e6)
    return total / len(y) if reduction == "mean" else total


def _conflicting_rows(X, y):
    _, group = onp.unique(X, axis=0, return_inverse=True)
    group = onp.ravel(group)
    pos = set(group[y > 0].tolist())
    return any(g in pos for g in group[y < 0].tolist())


def _resolve_lower_bound(objective, lower_bound):
    if lower_bound is None:
        if objective.loss.convex and _conflicting_rows(objective.X, objective.y):
            return loss_lower_bound(objective.loss, objective.X, objective.y,
                                    reduction=objective.reduction)
        return None
    return check_real(lower_bound, "lower_bound")


def certify(objective, params, *, grad_tol=1e-6, eig_tol=1e-6,
            radii=(1e-1, 1e-2, 1e-3), n_probes=500, probe_tol=1e-12, random_state=0,
            lower_bound=None, kink_tol=1e-9):
    """Certify one point θ: a :class:`Certificate` with verdict certified / undecided / refuted /
    not critical; see :func:`certify_batch` for the algorithm and every threshold."""
    _check_objective(objective)
    theta = onp.asarray(objective.flatten(params), dtype=float)
    if theta.ndim != 1:
        raise ValueError("params: certify takes one parameter set; use certify_batch for (K, P)")
    _check_tolerances(grad_tol, eig_tol, probe_tol)
    check_radii(radii)
    return certify_batch(objective, theta[None], grad_tol=grad_tol, eig_tol=eig_tol, radii=radii,
                         n_probes=n_probes, probe_tol=probe_tol, random_state=random_state,
                         lower_bound=lower_bound, kink_tol=kink_tol)[0]


def _kinks(objective, units, F, kink_tol):
    """Per point (rows of F): None if smooth, else a sentence naming the first unit (or the
    loss) within kink_tol·max(1, scale) of a kink, scale = the largest |pre-activation|."""
    K = F.shape[0]
    reasons = [None] * K
    bound = f"{kink_tol:g}·max(1, max |pre-activation|)"
    for u in units:
        if not u.activation.kinks:
            continue
        pre = onp.asarray(u.pre, dtype=float).reshape(K, -1)
        scale = onp.maximum(1.0, onp.max(onp.abs(pre), axis=1))
        for kink in u.activation.kinks:
            near = onp.min(onp.abs(pre - kink), axis=1) <= kink_tol * scale
            for k in onp.flatnonzero(near):
                if reasons[k] is None:
                    reasons[k] = f"{u.label} ({u.activation.name}) within {bound} of its kink at {kink:g}"
    loss = objective.loss
    if loss.smoothness < 2:
        z = -objective.y * F
        scale = onp.maximum(1.0, onp.max(onp.abs(z), axis=1))
        kink = -loss.z0 if loss.z0 is not None else 0.0
        near = onp.min(onp.abs(z - kink), axis=1) <= kink_tol * scale
        for k in onp.flatnonzero(near):
            if reasons[k] is None:
                reasons[k] = (f"a sample within {kink_tol:g}·max(1, max |z|) of the kink of "
                              f"{loss.name} at z = {kink:g}")
    return reasons


def _canonical_lowest(eigenvalues, eigenvectors, vector):
    """The canonical lowest direction: ``vector`` projected onto the eigenspace of the
    eigenvalues within 1e-8·max(1, λ_max) of λ_min, normalised. Any orthonormal basis of that
    eigenspace (any valid ``eigh`` answer) gives the same direction."""
    lam = onp.asarray(eigenvalues, dtype=float)
    E = eigenvectors[:, lam <= lam[0] + 1e-8 * max(1.0, float(lam[-1]))]
    low = E @ (E.T @ vector)
    norm = onp.linalg.norm(low)
    return low / norm if norm > 1e-12 else E[:, 0]


def _at(units, k):
    """The units at point k of a batch; ``k`` may be a range: then one list per point."""
    from .models import Unit

    if isinstance(k, range):
        pres = [onp.asarray(u.pre, dtype=float) for u in units]
        return [[Unit(u.label, u.activation, u.incoming, u.outgoing, pre[i], u.penalised)
                 for u, pre in zip(units, pres, strict=True)] for i in k]
    return [Unit(u.label, u.activation, u.incoming, u.outgoing,
                 onp.asarray(u.pre, dtype=float)[k], u.penalised) for u in units]


#: sphere probes of these kinds are listed in a certificate's reason
_PROBE_KINDS = ("a random probe", "the lowest eigendirection", "the unexplained flat space")


def _overflow_certificate(objective, loss, outputs, lower_bound, grad_tol, eig_tol, P):
    """The certificate of a point where L, ∇L or ∇²L overflows float64: undecided."""
    with onp.errstate(invalid="ignore"):
        err = float(_error(onp.nan_to_num(outputs[None], nan=0.0), objective.y)[0])
    return Certificate(
        loss=float(loss), grad_norm=float("inf"), eigenvalues=onp.full(P, onp.nan), probe={},
        n_probes=0, training_error=err, verdict="undecided", escape_direction=None,
        escape_decrease=None, reason="the loss or its derivatives overflow float64 here (parameters "
        "too large): nothing can be certified", invariances=(), n_flat=0, n_unexplained=0,
        smooth=False, is_global=False, lower_bound=lower_bound, grad_tol=grad_tol, eig_tol=eig_tol,
        margin=float("nan"), scaling_probe=0.0)


def _stratum_descent(objective, theta, L0, strata, rng, *, tol, radii=(0.05, 0.02), n_dirs=4,
                     max_dist=0.1):
    """Look for a descent that starts on a flat stratum of θ (``Invariances.strata``).

    L is constant on each stratum, so a point θ' of it near θ that is not a local minimum
    (∇L(θ') ≠ 0, or negative curvature there) puts lower points arbitrarily close to θ' and
    hence within |θ' − θ| + step of θ. For each stratum: θ' = θ + r·u for r in ``radii`` and
    ``n_dirs`` seeded unit vectors u in its coordinates; at each θ', steps along −∇L(θ') (a
    Newton-length step and a grid of lengths) and along ± the lowest Hessian eigenvector. A
    step counts when L drops below L(θ) by more than ``tol`` within ``max_dist`` of θ.

    Returns ``(decrease, direction, distance, what, stationary)``: the best decrease (< 0) or
    None; the unit vector from θ to that point and its distance; a phrase naming the stratum;
    and whether every θ' was stationary to first and second order (|∇L| tiny, no negative
    curvature): the evidence that certification may rest on.
    """
    best = (None, None, None, "")
    stationary = True
    for kind, label, idx in strata:
        U = rng.standard_normal((n_dirs, len(idx)))
        U /= onp.linalg.norm(U, axis=1, keepdims=True)
        pts = onp.repeat(theta[None], n_dirs * len(radii), axis=0)
        for i, r in enumerate(radii):
            pts[i * n_dirs:(i + 1) * n_dirs][:, idx] += r * U
        with onp.errstate(over="ignore", invalid="ignore"):
            Lp, Gp = objective._value_and_gradient(pts)
            Hp = objective._hessian(pts, structured=True)
        Lp, Gp = onp.atleast_1d(onp.asarray(Lp, dtype=float)), onp.atleast_2d(Gp)
        finite = (onp.isfinite(Lp) & onp.all(onp.isfinite(Gp), axis=1)
                  & onp.all(onp.isfinite(Hp), axis=(1, 2)))
        Hp = onp.where(finite[:, None, None], Hp, 0.0)
        same = finite & (onp.abs(Lp - L0) <= 1e-12 * max(1.0, abs(L0)))
        lam, V = onp.linalg.eigh(Hp)
        gscale = 1e-9 * max(1.0, float(onp.max(onp.abs(Hp))))
        cand = []
        for j in onp.flatnonzero(same):
            g = Gp[j]
            gn = float(onp.linalg.norm(g))
            if gn > gscale:
                stationary = False
                curv = float(g @ Hp[j] @ g) / gn ** 2
                steps = [gn / curv] if curv > 0 else []
                steps += [1e-2, 1e-3, 1e-4, 1e-5]
                cand += [pts[j] - t * g / gn for t in steps]
            if lam[j, 0] < -1e-9 * max(1.0, abs(float(lam[j, -1]))):
                stationary = False
                cand += [pts[j] + sg * t * V[j][:, 0] for sg in (1, -1) for t in (1e-2, 1e-3)]
        if not cand:
            continue
        cand = onp.array(cand)
        dist = onp.linalg.norm(cand - theta, axis=1)
        with onp.errstate(over="ignore", invalid="ignore"):
            diff = onp.asarray(objective.value(cand), dtype=float) - L0
        diff = onp.where(onp.isfinite(diff) & (dist <= max_dist), diff, onp.inf)
        i = int(onp.argmin(diff))
        if diff[i] < -tol and (best[0] is None or diff[i] < best[0]):
            best = (float(diff[i]), (cand[i] - theta) / dist[i], float(dist[i]), f"{kind} ({label})")
    return best + (stationary,)


def _spectra(objective, F, H, index, vectors=False, sel=None, thetas=None, top=None):
    """The spectra of the Hessians H[sel] (``sel``: indices into H's first axis, default all;
    H (K, P, P) at points with outputs F (K, n)): eigenvalues (len(sel), P) ascending, and with
    ``vectors`` the orthonormal eigenvectors (len(sel), P, P) as columns (else None), as
    ``eigh``/``eigvalsh`` give them, computed on a smaller matrix where possible.

    Where the model's first-layer weights W (d, M) reach the outputs only through X @ W
    (:meth:`Model.input_weight_index`) and no regulariser is added, H is a sum over the samples
    that contribute (ℓ' or ℓ'' ≠ 0 at zᵢ = −yᵢfᵢ) of terms whose W[:, j] rows and columns lie in
    span{xᵢ} of those samples. With a full QR of the m < d contributing inputs, Q (d, m) spans
    them and Q⊥ (d, d − m) the rest: for B = I on the other coordinates and Q on each W[:, j],
    H = B (Bᵀ H B) Bᵀ, so the spectrum is that of Bᵀ H B, (P − M(d − m)) square, plus
    M(d − m) exact zeros, whose eigenvectors are Q⊥'s columns on each W[:, j]. Beyond a hinge's
    margin few samples contribute, and the eigenvalue problem shrinks (equal to ``eigh(H)`` up
    to rounding; tests/test_spectra.py). The blocks are read from H a few points at a time
    (``_SPECTRA_CHUNK``), never as a copy of H[sel]: the same numbers, less memory traffic.

    ``H=None`` with ``thetas`` (K, P), the points: Bᵀ H B is made without H, as the Hessian of
    the projected problem (inputs Qᵀxᵢ of the contributing samples, weights QᵀW:
    :attr:`Model.projects_inputs`), equal to it up to rounding; every point of ``sel`` must
    then have fewer than d contributing samples. A point whose reduced matrix is not finite
    gets NaN eigenvalues (the caller computes its H instead).

    ``top`` (with ``vectors``): a function of a point's ascending eigenvalues (P,) giving how
    many eigenvectors c of the largest eigenvalues it needs, or None for all. Where c is given
    and the reduced matrix holds those eigenvalues, the eigenvalues are ``eigvalsh``'s and the
    point's vectors are only those c, (P, c) ascending (``_top_eigenvectors``); V is then a
    list, each entry (P, P) or (P, c)."""
    model, P = objective.model, objective.n_params if H is None else H.shape[-1]
    sel = onp.arange(len(F) if H is None else len(H)) if sel is None else onp.asarray(sel, dtype=int)
    K = len(sel)
    iW = model.input_weight_index(index)
    evals = onp.empty((K, P))
    V = (onp.empty((K, P, P)) if top is None else [None] * K) if vectors else None
    if iW is None or model.penalised or K == 0:
        full = onp.arange(K)
    else:
        d1, d2, active = _loss_derivatives(objective, F[sel])
        d, M = iW.shape
        r = active.sum(axis=1)
        full = onp.flatnonzero(r >= d)
    if H is None and (len(full) or not model.projects_inputs):
        raise ValueError("H: expected the Hessians, got None where the reduced matrix cannot be "
                         "made from the model")
    for c in _chunks(full):
        if vectors:
            evals[c], Vc = onp.linalg.eigh(H[sel[c]])
            for i, v in zip(c, Vc, strict=True):
                V[i] = v
        else:
            evals[c] = onp.linalg.eigvalsh(H[sel[c]])
    if len(full) == K:
        return evals, V
    iWf = iW.ravel()  # row-major (k, j): the coordinate of W[k, j]
    other = onp.setdiff1d(onp.arange(P), iWf)
    w = slice(iWf[0], iWf[0] + d * M) if onp.array_equal(iWf, iWf[0] + onp.arange(d * M)) else iWf
    for m in onp.unique(r[r < d]):
        for c in _chunks(onp.flatnonzero(r == m)):
            ks = sel[c]
            n = len(ks)
            rows = onp.argsort(~active[c], axis=1, kind="stable")[:, :m]  # each point's m samples
            Qc = onp.linalg.qr(onp.swapaxes(objective.X[rows], 1, 2), mode="complete")[0]
            Q, Qt = Qc[:, :, :m], onp.swapaxes(Qc[:, :, :m], 1, 2)
            if H is None:
                R = _projected_hessian(objective, thetas[ks], rows, Q, d1[c], d2[c], index, other)
                bad = ~onp.all(onp.isfinite(R), axis=(1, 2))
                R[bad] = 0.0
            else:
                R, bad = _reduced_hessian(H, ks, Q, Qt, w, other, m), None
            NR = R.shape[-1]
            zeros = onp.zeros((n, P - NR))
            layout = (other, w, P, M, m)
            if not vectors:
                evals[c] = onp.sort(onp.concatenate([onp.linalg.eigvalsh(R), zeros], axis=1), axis=1)
            elif top is None:
                evals[c], V[c] = _every_vector(R, Qc, layout)
            else:
                evals[c] = onp.sort(onp.concatenate([onp.linalg.eigvalsh(R), zeros], axis=1), axis=1)
                for i in range(n):
                    want = top(evals[c[i]])
                    if want == 0:
                        V[c[i]] = onp.zeros((P, 0))
                    elif want is not None and want <= NR and evals[c[i], P - want] > 0:
                        # the top `want` are R's (the M(d − m) appended eigenvalues are 0)
                        U = _top_eigenvectors(R[i], want)
                        V[c[i]] = _lift(U[None], Q[i:i + 1], layout)[0]
                    else:
                        lam, Vi = _every_vector(R[i:i + 1], Qc[i:i + 1], layout)
                        evals[c[i]], V[c[i]] = lam[0], Vi[0]
            if bad is not None and bad.any():
                evals[c[bad]] = onp.nan
    return evals, V


def _above_cluster(eig_tol, at_most=16):
    """For _spectra's ``top``: how many eigenvectors of a spectrum λ (ascending) lie above its
    bottom cluster (the eigenvalues within 1e-8·max(1, λ_P) of λ_1, :func:`_canonical_lowest`),
    when that cluster lies inside the flat band |λ| ≤ eig_tol·max(1, λ_P) and at most
    ``at_most`` lie above it; else None (all eigenvectors)."""
    def top(lam):
        scale = max(1.0, float(lam[-1]))
        edge = lam[0] + 1e-8 * scale
        if lam[0] < -eig_tol * scale or edge > eig_tol * scale:
            return None
        k = int(onp.sum(lam > edge))
        return k if k <= at_most else None
    return top


def _lift(U, Q, layout):
    """Vectors U (n, NR, k) in _spectra's reduced coordinates in the full ones, (n, P, k):
    ``layout`` = (other coordinates, W's coordinates, P, M, m), Q (n, d, m)."""
    other, w, P, M, m = layout
    n, k, d = len(U), U.shape[-1], Q.shape[1]
    V = onp.zeros((n, P, k))
    V[:, other] = U[:, :len(other)]
    Ua = U[:, len(other):].reshape(n, M, m, k)  # unit a's coefficients
    V[:, w] = (Q[:, None] @ Ua).transpose(0, 2, 1, 3).reshape(n, d * M, k)
    return V


def _every_vector(R, Qc, layout):
    """Eigenvalues (n, P) and eigenvectors (n, P, P) of H from its reduced matrices R (n, NR,
    NR), Qc (n, d, d) the full QR's Q of the contributing inputs (_spectra)."""
    _, w, P, M, m = layout
    n, NR, d = len(R), R.shape[-1], Qc.shape[1]
    lam, U = onp.linalg.eigh(R)  # U (n, NR, NR)
    V = onp.zeros((n, P, P))
    V[:, :, :NR] = _lift(U, Qc[:, :, :m], layout)
    # the exact null directions: Q⊥'s columns on each unit's incoming weights
    null = onp.zeros((n, d, M, M, d - m))
    null[:, :, onp.arange(M), onp.arange(M), :] = Qc[:, :, None, m:]
    V[:, w, NR:] = null.reshape(n, d * M, M * (d - m))
    lam = onp.concatenate([lam, onp.zeros((n, P - NR))], axis=1)
    order = onp.argsort(lam, axis=1, kind="stable")
    return onp.take_along_axis(lam, order, axis=1), onp.take_along_axis(V, order[:, None, :], axis=2)


def _top_eigenvectors(A, k):
    """The orthonormal eigenvectors of the k largest eigenvalues of the symmetric A, (n, k)
    ascending (LAPACK's dsyevr on that index range: a fraction of a full eigh's time)."""
    from scipy.linalg import eigh

    n = A.shape[0]
    return eigh(A, subset_by_index=(n - k, n - 1), driver="evr", check_finite=False)[1]


def _reduced_hessian(H, ks, Q, Qt, w, other, m):
    """Bᵀ H B of :func:`_spectra` read from H (points ``ks``; W's coordinates ``w``)."""
    n, o, d = len(ks), len(other), Q.shape[1]
    M = (H.shape[-1] - o) // d
    # Qᵀ on both W[:, j] index groups of the W block (n, d, M, d, M), then order by unit:
    # reduced coordinates (other, then unit a's m coefficients at o + a·m)
    A = (Qt @ _block(H, ks, w, w).reshape(n, d, M * d * M)).reshape(n, m, M, d, M)  # (r, a, l, b)
    A = A.transpose(0, 1, 2, 4, 3).reshape(n, m * M * M, d) @ Q  # (r, a, b, s)
    A = A.reshape(n, m, M, M, m).transpose(0, 2, 1, 3, 4).reshape(n, M * m, M * m)
    C = _block(H, ks, other, w).reshape(n, o, d, M).transpose(0, 2, 1, 3).reshape(n, d, o * M)
    C = (Qt @ C).reshape(n, m, o, M).transpose(0, 2, 3, 1).reshape(n, o, M * m)
    return onp.concatenate([onp.concatenate([_block(H, ks, other, other), C], axis=2),
                            onp.concatenate([onp.swapaxes(C, 1, 2), A], axis=2)], axis=1)


def _projected_hessian(objective, T, rows, Q, d1, d2, index, other):
    """Bᵀ H B of :func:`_spectra` made from the model: the Hessian, in the reduced coordinates
    (``other``, then unit a's m coefficients at o + a·m), of the loss over the contributing
    samples ``rows`` (n, m) on the projected problem — inputs Qᵀxᵢ, weights QᵀW — as
    Jᵀ diag(w) J + S from the model's curvature hook (as :meth:`Objective._structured_hessian`
    makes H). ``d1``, ``d2``: ℓ', ℓ'' of every sample (n, n_samples). Shape (n, o + M·m)²."""
    model, P = objective.model, objective.n_params
    m = rows.shape[1]
    o = len(other)
    params = objective.unflatten(T)
    W = model._input_weights(params)  # (n, d, M)
    iW = model._input_weights(index)
    M = W.shape[-1]
    coordinate = onp.empty(P, dtype=int)
    coordinate[other] = onp.arange(o)
    unit_coefficients = o + onp.arange(M)[None, :] * m + onp.arange(m)[:, None]  # (m, M)
    reduced_index = _map_leaves(index, lambda leaf: unit_coefficients if leaf is iW
                                else coordinate[onp.asarray(leaf, dtype=int)])
    reduced_params = _map_leaves(params, lambda leaf: onp.swapaxes(Q, 1, 2) @ W if leaf is W else leaf)
    c, wt = _output_weights(objective, d1, d2, rows)
    with onp.errstate(over="ignore", invalid="ignore"):
        J, R = model._curvature(reduced_params, objective.X[rows] @ Q, reduced_index, c)
        return _add_gauss_newton(R, J, wt)


def _map_leaves(tree, fn):
    """The parameter tree with each leaf (an array) replaced by fn(leaf)."""
    if isinstance(tree, dict):
        return {k: _map_leaves(v, fn) for k, v in tree.items()}
    return fn(tree)


#: points per block in _spectra (and the Hessian's assembly): a block's temporaries stay small
_SPECTRA_CHUNK = 16
#: points per block of Hessians in certify_batch (with a closed-form curvature)
_HESSIAN_BLOCK = 32


def _chunks(positions, size=None):
    size = _SPECTRA_CHUNK if size is None else size
    return [positions[i:i + size] for i in range(0, len(positions), size)]


def _block(H, ks, rows, cols):
    """H[ks][:, rows][:, :, cols] for points ``ks`` and index arrays or slices, read directly."""
    if isinstance(rows, slice) and isinstance(cols, slice):
        return H[ks, rows, cols]
    rows = onp.arange(H.shape[1])[rows] if isinstance(rows, slice) else rows
    cols = onp.arange(H.shape[2])[cols] if isinstance(cols, slice) else cols
    return H[ks[:, None, None], rows[None, :, None], cols[None, None, :]]


@one_blas_thread
def certify_batch(objective, thetas, *, grad_tol=1e-6, eig_tol=1e-6, radii=(1e-1, 1e-2, 1e-3),
                  n_probes=200, probe_tol=1e-12, random_state=0, max_elements=1_000_000,
                  lower_bound=None, kink_tol=1e-9):
    """Certify K points given as flat vectors of shape (K, P): one :class:`Certificate` each.

    For each point θ: L, ∇L, the Hessian H and its spectrum λ_1 ≤ … ≤ λ_P; the curvature
    margin is ``eig_tol``·max(1, λ_P).

    *Smoothness.* θ is non-smooth when a hidden unit whose activation has a kink (ReLU, leaky
    ReLU, softsign at 0, …; ``Activation.kinks``) has a pre-activation within
    ``kink_tol``·max(1, max |pre-activation|) of it on some sample, or when the loss is not C²
    (``Loss.smoothness`` < 2) and a sample sits that close to its kink. There autograd's ∇L
    and H are conventions (max(0, z) differentiates to 1/2 at 0), so the verdict is
    **undecided** (the reason names the unit) unless a probe lowers L by more than
    1e-6·max(1, |L|): then **refuted**.

    *At a smooth point*, in this order:

    - ‖∇L‖ > ``grad_tol`` → **not critical**;
    - L ≤ lower_bound + 1e-9·max(1, |lower_bound|) → ``is_global``, **certified local min**
      (a global minimum; its training error, if > 0, is forced by the data);
    - λ_1 < −margin → **refuted** (negative curvature);
    - a probe lowers L by more than ``probe_tol``·max(1, |L|) → **refuted**, with the best
      probe as escape direction. Probes: ``n_probes`` seeded random unit directions on each
      sphere of radius r ∈ ``radii``; ± the canonical lowest direction (a fixed seeded vector
      projected onto the eigenspace of the eigenvalues within 1e-8·max(1, λ_P) of λ_1); the
      first 20 seeded vectors projected onto the unexplained flat space (both signs); and,
      for each hidden unit, its incoming weights scaled by s ∈ {0.5, 2, 10}. Each is
      basis-independent, so the escape decrease is the same on any LAPACK;
    - otherwise the flat space N (|λ| ≤ margin) is compared with the span T of the exact
      invariances the library knows at θ (``lossbook/invariances.py``): a direction of N is
      unexplained when its principal-angle sine to T exceeds 0.1. Any unexplained direction →
      **undecided** ('k flat directions not explained by a known invariance', plus 'far out'
      when max |θ| > 100: the saturated plateaus that slide to infinity); a sample with
      ``|f_i| <= 1e-8·max(1, max |f|)`` such that the training error changes when these tiny
      outputs are all moved to +δ or all to −δ → **undecided** ('training error hangs on
      sgn(0)');
      else **certified local min**: strict modulo the named invariances;
    - but where an explanation is a flat *stratum* rather than a symmetry (a unit with zero
      outgoing weights, or with an output exactly 0, whose activation is not linear on pieces:
      ``Invariances.strata``), points of the stratum within 0.05 are searched for a descent
      (their gradient and lowest Hessian direction, ``_stratum_descent``): a decrease below L
      within distance 0.1 → **refuted**; nearby points that are not stationary but no resolved
      descent → **undecided**.

    A refutation by a probe at radius r shows a lower point within distance r; a probe can
    only refute, so 'certified' rests on the Hessian test at a smooth point, not on the probes.
    ``lower_bound``: a number, or None to use :func:`loss_lower_bound` when X has a repeated
    row with both labels (and the loss is convex), else no bound.
    Gradients, Hessians and spectra are computed in batched passes; the Hessians in closed
    form (Jᵀ diag(ℓ'') J + Σᵢ cᵢ ∇²fᵢ, ``Model.output_curvature``) where the model has that
    hook and no regulariser, else by autograd (equal up to rounding); the spectra on a smaller
    matrix where few samples contribute to H (``_spectra``). Where the model sees its inputs
    only through its first-layer weights (``Model.projects_inputs``: a single layer), that
    smaller matrix is made directly, as the Hessian of the projected problem, and such a
    point's (P, P) Hessian is made only if a gradient entry is exactly 0 (the invariance test
    reads rows of H) or the smaller matrix is not finite. Closed-form Hessians are made and
    used 32 points at a time, so the memory held is that of 32 (P, P) matrices, not K; each
    point's certificate is the same bit for bit as from one batch of all K. A point without
    invariance tangents needs of its eigenvectors only those above its bottom cluster, when
    that cluster lies in the flat band and at most 16 are above it: the probes' projections onto
    the cluster and onto the flat space are then taken through their complements (equal up to
    rounding; the rest of its spectrum from ``eigvalsh``).
    *Futile probes* are not evaluated: when the loss is nonnegative (``Loss.nonnegative``), the
    model has no regulariser and L(θ) ≤ the probe tolerance, no point can lie lower by more
    than that tolerance (L ≥ 0 holds in floating point too), so the certificate records what the
    probes would find, "no decrease", without evaluating them; such a point with no invariance
    tangent needs no eigenvectors either (every flat direction is unexplained), and its
    spectrum is computed without them (``eigvalsh``; equal to ``eigh``'s up to rounding).
    """
    from .invariances import _invariance_tangents, _unexplained_directions, output_fibres

    _check_objective(objective)
    thetas = onp.atleast_2d(onp.asarray(objective._check_theta(thetas, "thetas"), dtype=float))
    if thetas.ndim != 2:
        raise ValueError(f"thetas: expected shape (K, {objective.n_params}), got {thetas.shape}")
    grad_tol, eig_tol, probe_tol = _check_tolerances(grad_tol, eig_tol, probe_tol)
    max_elements = check_int(max_elements, "max_elements", minimum=1)
    radii = check_radii(radii)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    grad_tol = check_real(grad_tol, "grad_tol", minimum=0.0)
    eig_tol = check_real(eig_tol, "eig_tol", minimum=0.0)
    probe_tol = check_real(probe_tol, "probe_tol", minimum=0.0)
    kink_tol = check_real(kink_tol, "kink_tol", minimum=0.0)
    rng = check_random_state(random_state)
    K, P = thetas.shape
    lb = _resolve_lower_bound(objective, lower_bound)
    L0, G = objective._value_and_gradient(thetas)
    L0, G = onp.atleast_1d(L0), onp.atleast_2d(G)
    # the Hessians a block of points at a time (with a closed-form curvature: a traced Hessian
    # sweeps P times per block, so it takes all points at once); each block is certified up to
    # its spectra before the next is computed, so no (K, P, P) array is held
    blocks = _chunks(onp.arange(K), _HESSIAN_BLOCK if objective._has_structured_hessian else K)

    def overflow(ok):  # certify the others; a point where float64 overflows gets no verdict of substance
        kw = dict(grad_tol=grad_tol, eig_tol=eig_tol, radii=radii, n_probes=n_probes,
                  probe_tol=probe_tol, random_state=random_state, max_elements=max_elements,
                  lower_bound=lb, kink_tol=kink_tol)
        for c in blocks:
            ok[c] &= onp.all(onp.isfinite(objective._hessian(thetas[c], structured=True)), axis=(1, 2))
        good = iter(certify_batch(objective, thetas[ok], **kw) if ok.any() else [])
        F = onp.atleast_2d(onp.asarray(objective.outputs(thetas), dtype=float))
        return [next(good) if ok[k] else _overflow_certificate(objective, L0[k], F[k], lb, grad_tol,
                                                                eig_tol, P)
                for k in range(K)]

    ok = onp.isfinite(L0) & onp.all(onp.isfinite(G), axis=1)
    if not ok.all():
        return overflow(ok)
    # a point whose Hessian alone overflows is found only when its block is computed, but may
    # upset these steps first (a gradient norm that overflows): then every Hessian is looked
    # at before anything is reported, and a warning or error is raised only if it has another cause
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            gnorm = onp.linalg.norm(G, axis=-1)
            F = onp.atleast_2d(onp.asarray(objective.outputs(thetas), dtype=float))
            err = _error(F, objective.y)
            U = _unit_sphere(rng, (n_probes, P))
            u0 = rng.standard_normal(P)  # the fixed vector behind the canonical lowest direction
            stratum_seed = int(rng.integers(2 ** 63))  # the same stratum probes for every point
            index = objective.unflatten(onp.arange(P))
            units = objective.model.hidden_units(objective.unflatten(thetas), objective.X, index)
            kinks = _kinks(objective, units, F, kink_tol)
            fibres = output_fibres(objective, thetas, units, F, kink_tol=kink_tol, random_state=random_state)
            scales = (0.5, 2.0, 10.0)
            m_null = min(n_probes, 20)
            # where L ≥ 0 everywhere (a nonnegative loss, no regulariser; floating-point sums of
            # nonnegative terms stay nonnegative) and L0 ≤ tol, no probe can lower L by more than tol:
            # such probes are futile and skipped (the certificate is the one they would give), and
            # without probes and invariance tangents a point needs the spectrum but no eigenvectors
            floor_zero = objective.loss.nonnegative and not objective.model.penalised
            smooth_at = onp.array([kinks[k] is None for k in range(K)])
            tols = onp.where(smooth_at, probe_tol, 1e-6) * onp.maximum(1.0, onp.abs(L0))
            futile_at = floor_zero & (L0 <= tols)
            units_at = _at(units, range(K))
            n_contributing = _loss_derivatives(objective, F)[2].sum(axis=1)
            pad = int(n_contributing.max())  # as for one batch
            trouble = None
        except (ArithmeticError, ValueError, onp.linalg.LinAlgError) as exc:
            trouble = exc
    if caught or trouble is not None:
        if not all(onp.all(onp.isfinite(objective._hessian(thetas[c], structured=True)))
                   for c in blocks):
            return overflow(ok)
        if trouble is not None:
            raise trouble
        for w in caught:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    invs, evals, evecs, lows = [None] * K, onp.empty((K, P)), [None] * K, [None] * K

    def tangents_and_spectra(ks, H=None):
        """Invariances and spectra of the points ``ks`` from their Hessians H, or with H=None
        from reduced matrices made by the model (_spectra); returns the points whose reduced
        matrix is not finite (nothing is recorded for them)."""
        for i, k in enumerate(ks):
            # the invariances read rows of H only where a gradient entry is exactly 0
            hess = H[i] if H is not None else (lambda k=k: objective._hessian(thetas[k], structured=True, pad=pad))
            invs[k] = _invariance_tangents(objective, thetas[k], units=units_at[k], gradient=G[k],
                                           hessian=hess, index=index,
                                           fibre=fibres[k] if smooth_at[k] else None)
        vectors = ~futile_at[ks] | onp.array([len(invs[k].tangents) > 0 for k in ks], dtype=bool)
        args, at = ((F[ks], H), onp.arange(len(ks))) if H is not None else ((F, None), ks)
        some, rest = onp.flatnonzero(vectors), onp.flatnonzero(~vectors)
        # without tangents a point needs only the eigenvectors above its bottom cluster (the
        # probes use projections onto that cluster and onto the flat space, their complements)
        plain = onp.array([len(invs[ks[i]].tangents) == 0 for i in some], dtype=bool)
        for part, top in ((some[plain], _above_cluster(eig_tol)), (some[~plain], None)):
            ev_part, V_part = _spectra(objective, *args, index, vectors=True, sel=at[part],
                                       thetas=thetas, top=top)
            for i, ev, Vk in zip(part, ev_part, V_part, strict=True):
                evals[ks[i]], evecs[ks[i]] = ev, Vk
        ev_rest = _spectra(objective, *args, index, sel=at[rest], thetas=thetas)[0]
        evals[ks[rest]] = ev_rest
        for i in rest:  # a futile point with negative curvature: its lowest direction
            if evals[ks[i], 0] < -eig_tol * max(1.0, float(evals[ks[i], -1])):
                lam, V = _spectra(objective, *args, index, vectors=True, sel=at[[i]], thetas=thetas)
                lows[ks[i]] = _canonical_lowest(lam[0], V[0], u0)
        return ks[onp.isnan(evals[ks]).any(axis=1)]

    # where the model projects its inputs (Model.projects_inputs), a point with fewer than d
    # contributing samples needs no (P, P) Hessian: _spectra makes its reduced matrix from the
    # model, for all such points at once; unless that matrix is not finite: then H decides, as
    # for every other point, in blocks
    projected = onp.zeros(K, dtype=bool)
    iW = objective.model.input_weight_index(index)
    if objective.model.projects_inputs and not objective.model.penalised:
        projected = n_contributing < iW.shape[0]
        if projected.any():
            projected[tangents_and_spectra(onp.flatnonzero(projected))] = False
    for c in _chunks(onp.flatnonzero(~projected), len(blocks[0])):
        H = objective._hessian(thetas[c], structured=True, pad=pad)
        if not onp.all(onp.isfinite(H)):
            return overflow(ok)
        tangents_and_spectra(c, H)
        del H
    certs = []
    for k in range(K):
        theta, lam, V = thetas[k], evals[k], evecs[k]
        smooth, tol, futile, inv = bool(smooth_at[k]), float(tols[k]), bool(futile_at[k]), invs[k]
        margin = eig_tol * max(1.0, float(lam[-1]))
        flat = onp.abs(lam) <= margin
        units_k = units_at[k]
        # sphere probes: random, ± canonical lowest direction, the unexplained flat space
        if V is None:  # no tangents: every flat direction is unexplained, none is probed
            n_unexp, low = int(flat.sum()), None
            n_dirs = n_probes + 2 + (2 * m_null if n_unexp else 0)
        else:
            if V.shape[1] < P:  # no tangents; V: the eigenvectors above the bottom cluster
                n_unexp, S = int(flat.sum()), V[:, lam[P - V.shape[1]:] > margin]
                low = u0 - V @ (V.T @ u0)  # onto the cluster: the complement of V
                norm = onp.linalg.norm(low)
                low = low / norm if norm > 1e-12 else _canonical_lowest(
                    *onp.linalg.eigh(objective._hessian(theta, structured=True, pad=pad)), u0)
                project = (lambda A, S=S: A - (A @ S) @ S.T) if n_unexp else None  # onto N
            else:
                n_unexp, B = _unexplained_directions(V[:, flat], inv.tangents)
                low = _canonical_lowest(lam, V, u0)
                project = (lambda A, B=B: (A @ B) @ B.T) if B.shape[1] else None
            parts = [U, onp.vstack([low, -low])]
            if project is not None:
                Nd = project(U[:m_null])
                norms = onp.linalg.norm(Nd, axis=1, keepdims=True)
                Nd = Nd[norms[:, 0] > 1e-12] / norms[norms[:, 0] > 1e-12]
                parts.append(onp.vstack([Nd, -Nd]))
            dirs = onp.vstack(parts)
            n_dirs = len(dirs)
            kind_of = onp.repeat(onp.arange(len(parts)), [len(p) for p in parts])
        if futile:
            best, best_dir, best_idx = onp.full(len(radii), onp.inf), onp.zeros((len(radii), P)), \
                onp.zeros(len(radii), dtype=int)
        else:
            best, best_dir, best_idx = _lowest_changes(objective, theta, L0[k], dirs, radii,
                                                       max_elements)
        # scaling probes: one unit's incoming weights times s
        s_best, s_dir, s_what = onp.inf, None, ""
        if units_k and not futile:
            pts = onp.repeat(theta[None], len(units_k) * len(scales), axis=0)
            for i, u in enumerate(units_k):
                for j, s in enumerate(scales):
                    pts[i * len(scales) + j, u.incoming] *= s
            with onp.errstate(over="ignore", invalid="ignore"):
                diff = onp.asarray(objective.value(pts), dtype=float) - L0[k]
            diff = onp.where(onp.isfinite(diff), diff, onp.inf)
            i = int(onp.argmin(diff))
            step = pts[i] - theta
            if onp.isfinite(diff[i]) and onp.linalg.norm(step) > 0:
                s_best, s_dir = float(diff[i]), step / onp.linalg.norm(step)
                s_what = (f"scaling the incoming weights of {units_k[i // len(scales)].label} "
                          f"by {scales[i % len(scales)]:g}")
        probe = {r: float(best[i]) if best[i] < -tol else 0.0 for i, r in enumerate(radii)}
        i = int(onp.argmin(best))
        escape, decrease, how = None, None, ""
        if min(best[i], s_best) < -tol:
            if best[i] <= s_best:
                escape, decrease = best_dir[i], float(best[i])
                how = f"{_PROBE_KINDS[kind_of[best_idx[i]]]} at r={radii[i]:g}"
            else:
                escape, decrease, how = s_dir, s_best, s_what
        attained = lb is not None and L0[k] <= lb + 1e-9 * max(1.0, abs(lb))
        is_global = bool(attained and (not smooth or gnorm[k] <= grad_tol))
        # the training error must not change when the tiny outputs move together to either side
        small = onp.abs(F[k]) <= 1e-8 * max(1.0, float(onp.max(onp.abs(F[k]))))
        tiny = bool(small.any()) and not (
            _error(onp.where(small, 1.0, F[k]), objective.y) == err[k]
            == _error(onp.where(small, -1.0, F[k]), objective.y))
        if is_global:
            verdict = "certified local min"
            reason = "the loss attains the data's lower bound: a global minimum"
            if err[k] > 0:
                reason += (" (training error forced by contradicting labels)" if lower_bound is None
                           else " (so its training error is forced)")
        elif not smooth:
            if escape is not None:
                verdict, reason = "refuted", f"a descent beyond 1e-6·max(1, |L|) found by {how}"
            else:
                verdict, reason = "undecided", kinks[k] + ": the Hessian is convention-dependent"
        elif gnorm[k] > grad_tol:
            verdict, reason = "not critical", f"gradient norm > grad_tol = {grad_tol:g}"
        elif lam[0] < -margin:
            verdict, reason = "refuted", "negative curvature: min eigenvalue < -margin at a smooth point"
            if escape is None:
                if low is None:  # a futile point with negative curvature: its lowest direction
                    low = lows[k]
                escape = low
        elif escape is not None:
            verdict, reason = "refuted", f"a descent found by {how}"
        else:
            why = []
            if n_unexp:
                why.append(f"{n_unexp} flat direction{'s' if n_unexp > 1 else ''} not explained "
                           "by a known invariance")
                if onp.max(onp.abs(theta)) > 100:  # the audit's plateaus sliding to infinity
                    why.append("far out (max |theta| > 100)")
            if tiny:
                why.append("training error hangs on sgn(0): it changes when the outputs "
                           "|f_i| <= 1e-8·max(1, max |f|) move to either side of 0")
            if why:
                verdict, reason = "undecided", "; ".join(why)
            elif flat.any():
                verdict = "certified local min"
                reason = "strict modulo symmetries: curvature > margin off the invariance directions"
            else:
                verdict, reason = "certified local min", "strict: every eigenvalue > margin"
            if inv.strata:  # flat strata are not symmetries: a descent may start beside θ
                d, e_dir, dist, what, stationary = _stratum_descent(
                    objective, theta, float(L0[k]), inv.strata, onp.random.default_rng(stratum_seed),
                    tol=probe_tol * max(1.0, abs(float(L0[k]))))
                if d is not None:
                    verdict, escape, decrease = "refuted", e_dir, d
                    reason = (f"a descent found beside the flat stratum of a {what}: L is "
                              f"unchanged along it and falls by {-d:.1e} within {dist:.2g}")
                elif not stationary and verdict == "certified local min":
                    verdict = "undecided"
                    reason = (f"on the flat stratum of a {inv.strata[0][0]} ({inv.strata[0][1]}) "
                              "nearby points are not stationary, but no descent was resolved")
        certs.append(Certificate(
            loss=float(L0[k]), grad_norm=float(gnorm[k]), eigenvalues=lam, probe=probe,
            n_probes=n_dirs, training_error=float(err[k]), verdict=verdict,
            escape_direction=escape, escape_decrease=decrease, reason=reason,
            invariances=inv.names, n_flat=int(flat.sum()), n_unexplained=n_unexp, smooth=smooth,
            is_global=is_global, lower_bound=lb, grad_tol=grad_tol, eig_tol=eig_tol,
            margin=margin, scaling_probe=s_best if s_best < -tol else 0.0))
    return certs


# -- slices ------------------------------------------------------------------------------------------
def _direction(objective, direction, rng, name="direction"):
    if direction is None:
        d = rng.standard_normal(objective.n_params)
    elif isinstance(direction, dict):
        check_params(direction, objective.unflatten(onp.zeros(objective.n_params)), name,
                     model_name=objective.model.name)
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
    lows, dirs, _ = _lowest_changes(objective, theta, L0, U, radii)
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


@one_blas_thread
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
