"""The census: K random initialisations trained together and certified; saved, loaded, banded.

:func:`train_batch` runs L-BFGS on K independent problems at once: one batched autograd
pass gives all K gradients, each run has its own step size (Armijo backtracking), its
own curvature history and its own stopping test, so the K runs do not influence each
other. :func:`census` draws the K initialisations, trains them and certifies every end
point (:func:`lossbook.landscape.certify_batch`).

Census trajectories are chaotic at the last bit (a 1e-15 relative change of X, or another
CPU's BLAS, moves end points and changes verdicts), so a census has two faces:

- :meth:`Census.save` / :func:`load_census` keep the end points of a census in a small
  ``.npz`` file with the model, loss, data hash, options and library version; loading
  re-certifies the stored end points (no training), which is exact and the same on every
  machine;
- :func:`census_band` measures how the counts of a census move under rounding-level
  perturbations of the data (reruns with X·(1 ± 1e-15)), a :class:`CensusBand` that a live
  rerun can be checked against (:meth:`CensusBand.contains`).
"""
import hashlib
import json
import os
from dataclasses import dataclass, field

import numpy as onp

from ._threads import one_blas_thread
from ._validation import check_choice, check_int, check_optional_bool, check_radii, check_real, check_X, check_Xy
from .landscape import Objective, _check_tolerances, _finite, certify_batch
from .losses import get_loss
from .models import Model

#: The census categories: every run is in exactly one; the last six partition the runs with
#: training error > 0 (see :attr:`Census.categories`).
CATEGORIES = ("zero training error", "bad local minima", "global, forced error", "undecided",
              "refuted", "not critical", "not converged")
#: The keys of :attr:`Census.counts`.
COUNT_KEYS = ("runs",) + CATEGORIES
FORMAT = "lossbook-census/1"


@dataclass
class TrainResult:
    """End points of a batched run: ``thetas`` (K, P), losses, gradient norms, iterations."""

    thetas: onp.ndarray = field(repr=False)
    losses: onp.ndarray
    grad_norms: onp.ndarray
    iterations: onp.ndarray
    converged: onp.ndarray


@one_blas_thread
def train_batch(objective, thetas, *, maxiter=2000, gtol=1e-9, history=10, progress=None):
    """Minimise L from each row of ``thetas`` (shape (K, P)) with a batched L-BFGS.

    A run stops when its gradient norm is at most ``gtol`` (or its loss is exactly 0);
    returns a :class:`TrainResult`. ``progress``: a progress bar, as in :func:`census`.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
    x = onp.array(onp.atleast_2d(objective._check_theta(thetas, "thetas")), dtype=float)
    if x.ndim != 2:
        raise ValueError(f"thetas: expected shape (K, {objective.n_params}), got {x.shape}")
    check_optional_bool(progress, "progress")
    maxiter = check_int(maxiter, "maxiter", minimum=0)
    gtol = check_real(gtol, "gtol", minimum=0.0)
    m = check_int(history, "history", minimum=1)
    K, P = x.shape
    with onp.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        f = onp.asarray(objective.value(x), dtype=float)
        g = onp.asarray(objective._grad(x), dtype=float)  # what objective.gradient computes
    bad = ~(onp.isfinite(f) & onp.all(onp.isfinite(g), axis=1))
    if bad.any():
        raise ValueError(f"thetas: the loss or its gradient overflows float64 at {int(bad.sum())} of "
                         f"the {K} starting points; expected smaller initial parameters "
                         "(init_scale) or data X of smaller scale")
    S = onp.zeros((m, K, P))  # curvature pairs in a ring buffer; slot (head - 1) % m is newest
    Y = onp.zeros((m, K, P))
    rho = onp.zeros((m, K))  # a pair with rho = 0 is skipped by the two-loop recursion
    gamma = onp.ones(K)
    iters = onp.zeros(K, dtype=int)
    head = 0
    fuse = onp.ones(K, dtype=bool)  # evaluate trial 0 with its gradient (see the line search)
    bar = _progress(K, progress)
    for it in range(maxiter):
        gnorm = onp.linalg.norm(g, axis=1)
        active = (gnorm > gtol) & (f > 0)
        if not active.any():
            break
        # two-loop recursion for the active runs (a run that stopped never moves again, so its
        # history is not needed); all of them at once
        a = onp.flatnonzero(active)
        rows = slice(None) if a.size == K else a
        q = g[rows].copy()
        alpha = onp.zeros((m, a.size))
        order = [(head - 1 - i) % m for i in range(m)]
        for i in order:
            alpha[i] = rho[i, rows] * onp.einsum("kp,kp->k", S[i, rows], q)
            q -= alpha[i][:, None] * Y[i, rows]
        r = gamma[rows, None] * q
        for i in reversed(order):
            beta = rho[i, rows] * onp.einsum("kp,kp->k", Y[i, rows], r)
            r += S[i, rows] * (alpha[i] - beta)[:, None]
        d, slope = onp.zeros((K, P)), onp.zeros(K)
        d[a] = -r
        slope[a] = onp.einsum("kp,kp->k", g[rows], d[rows])
        reset = active & (slope >= 0)  # not a descent direction: fall back to steepest descent
        d[reset] = -g[reset]
        slope[reset] = -gnorm[reset] ** 2
        t = onp.ones(K) if it else onp.minimum(1.0, 1.0 / onp.maximum(gnorm, 1e-300))
        # Armijo backtracking: trial j tries the step t·2^(−j), j = 0 … 39, and a run takes its
        # first acceptable trial. In a large batch a run whose last search took trial 0 has
        # trial 0 evaluated with its gradient (usually accepted again: one pass); the trials of
        # the others are evaluated several at once per run (up to 16, fewer when many runs
        # search: at most 64 points per call) and the gradient afterwards, at the accepted
        # point only. Exactly the steps of trying the trials one by one, with far fewer calls:
        # a run stuck at a kink needs ~25 halvings in every iteration.
        x_new, f_new, g_new = x.copy(), f.copy(), g.copy()
        pending = active.copy()
        taken = onp.full(K, -1)  # the trial each run accepted (-1: none)
        tried = onp.zeros(K, dtype=int)
        # fusing pays where the passes are large; for a few small runs the number of calls is the
        # cost, and one gradient call per iteration (at the accepted points) is the fewest
        big = active.sum() * len(objective.y) * P >= 200_000
        idx = onp.flatnonzero(active & fuse & big)
        if idx.size:
            xt = x[idx] + t[idx, None] * d[idx]
            # a trial step may overflow (an exponential neuron, a large power); such a step is
            # rejected just below, so the floating-point warning is silenced rather than raised
            with onp.errstate(over="ignore", invalid="ignore"):
                ft, gt = objective._value_and_gradient(xt)
            ok = onp.isfinite(ft) & (ft <= f[idx] + 1e-4 * t[idx] * slope[idx])
            x_new[idx[ok]], f_new[idx[ok]], g_new[idx[ok]] = xt[ok], ft[ok], gt[ok]
            pending[idx[ok]], taken[idx[ok]] = False, 0
            t[idx[~ok]] *= 0.5
            tried[idx] = 1
        while True:
            idx = onp.flatnonzero(pending & (tried < 40))
            if idx.size == 0:
                break
            left = 40 - tried[idx]
            k = min(int(left.max()), 16, max(1, 64 // idx.size))
            tj = onp.empty((idx.size, k))
            tj[:, 0] = t[idx]
            for i in range(1, k):  # halved one trial at a time, as a sequential search would
                tj[:, i] = tj[:, i - 1] * 0.5
            xt = x[idx, None, :] + tj[:, :, None] * d[idx, None, :]
            with onp.errstate(over="ignore", invalid="ignore"):
                ft = onp.asarray(objective._loss(xt.reshape(-1, P)), dtype=float).reshape(idx.size, k)
            ok = ((onp.arange(k) < left[:, None]) & onp.isfinite(ft)
                  & (ft <= f[idx, None] + 1e-4 * tj * slope[idx, None]))
            hit = ok.any(axis=1)
            first = onp.argmax(ok, axis=1)
            acc, j = idx[hit], first[hit]
            x_new[acc], f_new[acc] = xt[hit, j], ft[hit, j]
            pending[acc], taken[acc] = False, tried[acc] + j
            t[idx[~hit]] = tj[~hit, -1] * 0.5
            tried[idx] += k
        needs_grad = (taken >= 0) & ~(fuse & big & (taken == 0))
        if needs_grad.any():
            with onp.errstate(over="ignore", invalid="ignore"):
                _, gt = objective._value_and_gradient(x_new[needs_grad])
            # a gradient that overflows is an error, except where trial 0 was accepted (as when
            # that trial is evaluated together with its gradient)
            late = taken[needs_grad] > 0
            if not onp.all(onp.isfinite(gt[late])):
                _finite(gt[late], "the gradient")
            g_new[needs_grad] = gt
        fuse = onp.where(active, taken == 0, fuse)
        moved = active & ~pending
        s, yv = x_new[rows] - x[rows], g_new[rows] - g[rows]
        sy = onp.einsum("kp,kp->k", s, yv)
        good = moved[rows] & (sy > 1e-12 * onp.linalg.norm(s, axis=1) * onp.linalg.norm(yv, axis=1))
        S[head, rows], Y[head, rows] = s, yv
        rho[head, rows] = onp.where(good, 1.0 / onp.where(good, sy, 1.0), 0.0)
        head = (head + 1) % m
        gamma[rows] = onp.where(good, sy / onp.maximum(onp.einsum("kp,kp->k", yv, yv), 1e-300),
                                gamma[rows])
        # a run whose line search failed restarts from steepest descent
        rho[:, active & pending] = 0.0
        iters += active
        x, f, g = x_new, f_new, g_new
        if bar is not None:
            bar.update(it + 1, K - int(active.sum()))
    if bar is not None:
        bar.close()
    gnorm = onp.linalg.norm(g, axis=1)
    return TrainResult(thetas=x, losses=f, grad_norms=gnorm, iterations=iters,
                       converged=(gnorm <= gtol) | (f == 0))


def _progress(n_runs, progress):
    """A progress bar over the runs of a batched training, or None.

    ``progress=True`` shows it at once, ``False`` never. ``None`` (the default) decides:
    never under pytest (unit tests, and nbval, whose kernel inherits ``PYTEST_CURRENT_TEST``)
    nor with ``LOSSBOOK_PROGRESS=0``; otherwise in a Jupyter kernel or on an interactive
    terminal, once the run has lasted a second (so that quick runs print nothing).
    """
    if progress is None:
        return _Progress(n_runs, delay=1.0) if _auto_progress() else None
    return _Progress(n_runs, delay=0.0) if progress else None


def _auto_progress():
    import os
    import sys

    setting = os.environ.get("LOSSBOOK_PROGRESS", "").strip().lower()
    if setting in ("0", "false", "no", "off"):
        return False
    if setting in ("1", "true", "yes", "on"):
        return True
    if "PYTEST_CURRENT_TEST" in os.environ:
        return False
    return _in_kernel() or bool(getattr(sys.stderr, "isatty", lambda: False)())


def _in_kernel():
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


class _Progress:
    """tqdm over the K runs (how many have finished), with the iteration as postfix.

    In a Jupyter kernel the bar is an ipywidget displayed *without* a ``text/plain``
    representation: a stored notebook then holds only a widget-view output, which nbval
    skips when it compares outputs and the static book does not render, so a bar never
    litters a chapter. On a terminal it is tqdm's text bar on stderr, erased when done.
    """

    def __init__(self, total, delay):
        import sys
        import time

        self._clock = time.monotonic
        self._start, self._delay = self._clock(), delay
        self._widget = _in_kernel()
        if self._widget:
            from tqdm.notebook import tqdm as tqdm_notebook
            self._bar = tqdm_notebook(total=total, desc="runs finished", unit="run",
                                      leave=False, display=False)
        else:
            from tqdm import tqdm
            self._bar = tqdm(total=total, desc="runs finished", unit="run", leave=False,
                             delay=delay, file=sys.stderr)
        self._shown = not self._widget

    def update(self, iteration, finished):
        bar = self._bar
        bar.set_postfix_str(f"iteration {iteration}", refresh=False)
        if not self._shown and self._clock() - self._start >= self._delay:
            from IPython.display import display
            display(bar.container, exclude=["text/plain"])
            self._shown = True
        bar.update(max(finished - bar.n, 0))

    def close(self):
        bar = self._bar
        bar.update(bar.total - bar.n)  # every run has finished: converged or out of iterations
        bar.close()


@dataclass
class Census:
    """A multistart census: one row per run, its certificate and its category.

    Categories (:data:`CATEGORIES`, one per run in :attr:`categories`): "zero training error";
    else "not converged" (the run stopped at ``maxiter`` without meeting ``gtol``: never
    certified, whatever its certificate says); "global, forced error" (the loss attains the
    data's lower bound, :func:`lossbook.loss_lower_bound`); "bad local minima" (certified,
    error > 0, not global); or the certificate's verdict "undecided", "refuted",
    "not critical". ``band`` and ``meta`` are set by :func:`load_census`.
    """

    objective: Objective = field(repr=False)
    thetas: onp.ndarray = field(repr=False)
    initial: onp.ndarray = field(repr=False)
    losses: onp.ndarray = field(repr=False)
    errors: onp.ndarray = field(repr=False)
    grad_norms: onp.ndarray = field(repr=False)
    min_eigs: onp.ndarray = field(repr=False)
    verdicts: list = field(repr=False)
    certificates: list = field(repr=False)
    iterations: onp.ndarray = field(repr=False)
    converged: onp.ndarray = field(default=None, repr=False)
    options: dict = field(default_factory=dict, repr=False)
    band: object = field(default=None, repr=False)
    meta: dict = field(default=None, repr=False)

    def __post_init__(self):
        if self.converged is None:
            self.converged = onp.ones(len(self.verdicts), dtype=bool)
        self.converged = onp.asarray(self.converged, dtype=bool)

    @property
    def n_runs(self):
        return len(self.verdicts)

    @property
    def is_global(self):
        """Runs whose loss attains the data's lower bound (global minima)."""
        return onp.array([c.is_global for c in self.certificates], dtype=bool)

    @property
    def local_min(self):
        """Runs that converged and whose end point is certified as a local minimum."""
        return self.converged & onp.array([c.is_local_min for c in self.certificates], dtype=bool)

    @property
    def bad(self):
        """Runs certified as local minima with non-zero training error, not global."""
        return self.local_min & (self.errors > 0) & ~self.is_global

    @property
    def categories(self):
        """One category (:data:`CATEGORIES`) per run."""
        out = []
        for c, ok, e in zip(self.certificates, self.converged, self.errors, strict=True):
            if e == 0:
                out.append("zero training error")
            elif not ok:
                out.append("not converged")
            elif c.is_global:
                out.append("global, forced error")
            elif c.is_local_min:
                out.append("bad local minima")
            else:
                out.append(c.verdict)
        return out

    @property
    def counts(self):
        """Counts per category plus "runs" (keys :data:`COUNT_KEYS`)."""
        cats = self.categories
        return {"runs": self.n_runs, **{k: cats.count(k) for k in CATEGORIES}}

    @property
    def max_certified_grad_norm(self):
        """Largest gradient norm among converged runs certified as local minima (nan if none)."""
        crit = self.local_min
        return float(self.grad_norms[crit].max()) if crit.any() else float("nan")

    def summary(self):
        """The counts, then claims that hold for every run (gradients against the tolerances):
        text that is the same on any machine for the same end points."""
        c = self.counts
        width = max(len(k) for k in c)
        lines = [f"{k:<{width}}  {v}" for k, v in c.items()]
        gtol = self.options.get("gtol")
        grad_tol = self.options.get("grad_tol", self.certificates[0].grad_tol if self.certificates else None)
        n_conv = int(self.converged.sum())
        if gtol is not None:
            lines.append(f"|grad| <= gtol = {gtol:g} at every converged run ({n_conv} of {self.n_runs})")
        smooth = onp.array([c.smooth for c in self.certificates], dtype=bool)
        cert = self.local_min & smooth
        if cert.any() and grad_tol is not None and onp.all(self.grad_norms[cert] <= grad_tol):
            where = "certified point" if cert.sum() == self.local_min.sum() else "certified smooth point"
            lines.append(f"|grad| <= grad_tol = {grad_tol:g} at every {where}")
        return "\n".join(lines)

    def __repr__(self):
        c = self.counts
        return (f"Census(runs={c['runs']}, zero_error={c['zero training error']}, "
                f"bad_minima={c['bad local minima']}, not_converged={c['not converged']})")

    # -- storing -------------------------------------------------------------------------
    def save(self, path, *, band=None):
        """Write the census to ``path`` (a compressed ``.npz``, format "lossbook-census/1").

        Stored: the end points (K, P) float64, iterations, converged flags, and JSON metadata:
        format, lossbook version, model name, loss name, reduction, n, d, P, the sha256 of X
        and of y (float64, C order), the census options (n_runs, random_state, maxiter, gtol,
        grad_tol, eig_tol, radii, n_probes, lower_bound) and ``band`` (a
        :class:`CensusBand` or None). :func:`load_census` reads it back and re-certifies;
        see :func:`census_band` for the whole pattern. The end points take 8 bytes per
        coordinate (100 runs with P = 361: ~290 KB).
        """
        from . import __version__

        _check_path(path)
        if band is not None and not isinstance(band, CensusBand):
            raise TypeError(f"band: expected a CensusBand or None, got {type(band).__name__}")
        obj = self.objective
        meta = {
            "format": FORMAT, "lossbook": __version__, "model": obj.model.name,
            "loss": obj.loss.name, "loss_formula": obj.loss.formula, "reduction": obj.reduction,
            "n": int(obj.X.shape[0]), "d": int(obj.X.shape[1]), "P": int(obj.n_params),
            "X_sha256": _sha256(obj.X), "y_sha256": _sha256(obj.y),
            "options": _jsonable(self.options),
            "band": None if band is None else band.to_json(),
        }
        onp.savez_compressed(path, thetas=onp.asarray(self.thetas, dtype=onp.float64),
                             iterations=onp.asarray(self.iterations, dtype=onp.int64),
                             converged=onp.asarray(self.converged, dtype=bool),
                             meta=onp.array(json.dumps(meta, sort_keys=True)))


def _check_path(path):
    if not isinstance(path, (str, os.PathLike)) or not os.fspath(path):
        raise TypeError(f"path: expected a non-empty file name (str or os.PathLike), got {path!r}")
    return path


def _sha256(a):
    return hashlib.sha256(onp.ascontiguousarray(a, dtype=onp.float64).tobytes()).hexdigest()


def _jsonable(options):
    out = {}
    for k, v in options.items():
        if isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, onp.generic):
            v = v.item()
        out[k] = v
    return out


_CERT_OPTIONS = ("grad_tol", "eig_tol", "radii", "n_probes", "lower_bound")


def _make_census(objective, thetas, initial, iterations, converged, certs, options):
    return Census(objective=objective, thetas=thetas, initial=initial,
                  losses=onp.array([c.loss for c in certs]),
                  errors=onp.array([c.training_error for c in certs]),
                  grad_norms=onp.array([c.grad_norm for c in certs]),
                  min_eigs=onp.array([c.min_eig for c in certs]),
                  verdicts=[c.verdict for c in certs], certificates=certs,
                  iterations=onp.asarray(iterations), converged=converged, options=options)


def census(model, loss, X, y, *, n_runs=100, reduction="mean", random_state=0, maxiter=2000,
           gtol=1e-9, grad_tol=1e-6, eig_tol=1e-6, radii=(1e-1, 1e-2, 1e-3), n_probes=100,
           lower_bound=None, progress=None):
    """Train ``n_runs`` random initialisations of ``model`` together and certify each end point.

    Initial parameters come from ``model.init(random_state, batch=n_runs)``; training is
    :func:`train_batch` (``maxiter``, ``gtol``), certification
    :func:`lossbook.certify_batch` (``grad_tol``, ``eig_tol``, ``radii``, ``n_probes``,
    ``lower_bound``: None computes :func:`lossbook.loss_lower_bound` when X has a repeated
    row with both labels). Returns a :class:`Census`; ``census.counts`` counts the runs per
    category ("bad local minima": converged, certified, error > 0, not a global minimum).

    ``progress``: a progress bar over the training (tqdm: a widget in Jupyter, text on a
    terminal). ``None`` (default) shows it only for a run longer than a second, in Jupyter or
    on a terminal, and never under pytest or nbval (or with ``LOSSBOOK_PROGRESS=0``);
    ``True`` always, ``False`` never.
    """
    objective = Objective(model, loss, X, y, reduction=reduction)
    n_runs = check_int(n_runs, "n_runs", minimum=1)
    _check_tolerances(grad_tol, eig_tol, 0.0)
    radii = check_radii(radii)
    check_int(n_probes, "n_probes", minimum=1)
    check_real(gtol, "gtol", minimum=0.0)
    check_int(maxiter, "maxiter", minimum=0)
    check_optional_bool(progress, "progress")
    options = {"n_runs": n_runs, "random_state": random_state, "maxiter": maxiter, "gtol": gtol,
               "grad_tol": grad_tol, "eig_tol": eig_tol, "radii": tuple(radii),
               "n_probes": n_probes, "lower_bound": lower_bound}
    thetas0 = objective.flatten(model.init(random_state, batch=n_runs))
    res = train_batch(objective, thetas0, maxiter=maxiter, gtol=gtol, progress=progress)
    certs = certify_batch(objective, res.thetas, grad_tol=grad_tol, eig_tol=eig_tol, radii=radii,
                          n_probes=n_probes, random_state=random_state, lower_bound=lower_bound)
    return _make_census(objective, res.thetas, thetas0, res.iterations, res.converged, certs, options)


def load_census(path, model, loss, X, y, *, reduction=None):
    """Read a census saved with :meth:`Census.save` and re-certify its stored end points.

    No training happens: the stored end points are certified again with the stored options,
    which gives the same certificates on every machine (the chaotic part of a census is the
    training, not the certification). The file must match the arguments: its format, the
    model's name, the loss, the sha256 of X and y, the number of parameters (and
    ``reduction`` if given; None uses the stored one) — otherwise ValueError naming what
    differs. Returns a :class:`Census` whose ``band`` is the stored :class:`CensusBand` (or
    None) and ``meta`` the stored metadata.
    """
    if not isinstance(model, Model):
        raise TypeError(f"model: expected a lossbook Model, got {type(model).__name__}")
    loss = get_loss(loss)
    X, y = check_Xy(X, y)
    if reduction is not None:
        check_choice(reduction, "reduction", ("mean", "sum"))
    if not os.path.isfile(_check_path(path)):
        raise ValueError(f"path: expected an existing census file (.npz), got {path!r}")
    try:
        with onp.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            thetas = onp.array(data["thetas"], dtype=float)
            iterations = onp.array(data["iterations"])
            converged = onp.array(data["converged"], dtype=bool)
    except (OSError, ValueError, KeyError, AttributeError) as err:
        raise ValueError(f"path: expected a census file written by Census.save, got {path!r} "
                         f"({type(err).__name__}: {err})") from err
    if meta.get("format") != FORMAT:
        raise ValueError(f"path: expected a {FORMAT} file, got format {meta.get('format')!r}")
    checks = [("model", meta["model"], model.name), ("loss", meta["loss"], loss.name),
              ("X", meta["X_sha256"], _sha256(X)), ("y", meta["y_sha256"], _sha256(y))]
    if reduction is not None:
        checks.append(("reduction", meta["reduction"], reduction))
    for name, stored, given in checks:
        if stored != given:
            what = "data hash (sha256)" if name in ("X", "y") else name
            raise ValueError(f"{name}: the census in {path} was made with {what} {stored!r}, "
                             f"got {given!r}")
    objective = Objective(model, loss, X, y, reduction=meta["reduction"])
    if objective.n_params != meta["P"] or thetas.shape[1:] != (meta["P"],):
        raise ValueError(f"model: the census in {path} has P = {meta['P']} parameters, "
                         f"the model has {objective.n_params}")
    opts = meta["options"]
    radii = tuple(opts["radii"])
    certs = certify_batch(objective, thetas, grad_tol=opts["grad_tol"], eig_tol=opts["eig_tol"],
                          radii=radii, n_probes=opts["n_probes"],
                          random_state=opts["random_state"], lower_bound=opts["lower_bound"])
    initial = objective.flatten(model.init(opts["random_state"], batch=opts["n_runs"]))
    options = dict(opts, radii=radii)
    out = _make_census(objective, thetas, initial, iterations, converged, certs, options)
    out.band = None if meta.get("band") is None else CensusBand.from_json(meta["band"])
    out.meta = meta
    return out


# -- bands ---------------------------------------------------------------------------------------
@dataclass
class CensusBand:
    """The measured range of each census count over perturbed reruns.

    ``lo[key]``, ``hi[key]``: min and max of ``census.counts[key]`` over the runs measured
    (the base census and ``n_reruns`` reruns with X multiplied entrywise by (1 + 1e-15·ε),
    ε = ±1 seeded per rerun; ``how`` says exactly how, including any BLAS-kernel reruns).
    :meth:`contains` allows a slack: each interval [lo, hi] is widened by max(1, hi − lo) on
    each side, since a band measured from a dozen samples underestimates the true range.
    """

    lo: dict
    hi: dict
    n_reruns: int
    how: str = ""
    samples: dict = field(default_factory=dict, repr=False)

    def slack(self, key):
        """The slack on each side of the interval of ``key``: max(1, hi − lo)."""
        return max(1, self.hi[key] - self.lo[key])

    def contains(self, census):
        """True when every count of ``census`` (a :class:`Census` or a counts dict) lies in
        [lo − s, hi + s] with s = max(1, hi − lo), for every key the band measured."""
        counts = census.counts if isinstance(census, Census) else dict(census)
        return all(self.lo[k] - self.slack(k) <= counts[k] <= self.hi[k] + self.slack(k)
                   for k in self.lo if k in counts)

    def merge(self, other):
        """The band over the runs of both bands (e.g. reruns under another BLAS kernel)."""
        keys = [k for k in self.lo if k in other.lo]
        return CensusBand(lo={k: min(self.lo[k], other.lo[k]) for k in keys},
                          hi={k: max(self.hi[k], other.hi[k]) for k in keys},
                          n_reruns=self.n_reruns + other.n_reruns + 1,
                          how=f"{self.how}; {other.how}",
                          samples={k: self.samples.get(k, []) + other.samples.get(k, []) for k in keys})

    def summary(self):
        """One line per count: its measured range, and how the band was measured."""
        width = max(len(k) for k in self.lo)
        lines = [f"{k:<{width}}  {self.lo[k]}" + (f"–{self.hi[k]}" if self.hi[k] != self.lo[k] else "")
                 for k in self.lo]
        lines.append(f"measured over {self.n_reruns + 1} runs: {self.how}")
        lines.append("a live rerun is accepted within max(1, hi − lo) of the range on each side")
        return "\n".join(lines)

    def to_json(self):
        """A JSON-serialisable dict (:meth:`from_json` reads it back)."""
        return {"lo": dict(self.lo), "hi": dict(self.hi), "n_reruns": int(self.n_reruns),
                "how": self.how, "samples": {k: list(v) for k, v in self.samples.items()}}

    @classmethod
    def from_json(cls, data):
        """The band of :meth:`to_json`'s dict (or its JSON text); keys in census order."""
        if isinstance(data, str):
            data = json.loads(data)
        keys = [k for k in COUNT_KEYS if k in data["lo"]] + [k for k in data["lo"] if k not in COUNT_KEYS]
        samples = data.get("samples", {})
        return cls(lo={k: int(data["lo"][k]) for k in keys}, hi={k: int(data["hi"][k]) for k in keys},
                   n_reruns=int(data["n_reruns"]), how=data.get("how", ""),
                   samples={k: [int(x) for x in samples[k]] for k in keys if k in samples})

    @classmethod
    def from_counts(cls, counts_list, how=""):
        """The band of a list of counts dicts (the first is the base run)."""
        keys = list(counts_list[0])
        return cls(lo={k: min(c[k] for c in counts_list) for k in keys},
                   hi={k: max(c[k] for c in counts_list) for k in keys},
                   n_reruns=len(counts_list) - 1, how=how,
                   samples={k: [c[k] for c in counts_list] for k in keys})


def nudge(X, seed):
    """X multiplied entrywise by (1 + 1e-15·ε), ε = ±1 drawn from ``seed``: a rounding-level
    perturbation of the data (it moves the chaotic end points of a census). Identical rows
    get the same ε, so repeated samples stay repeated (and the data's lower bound exists)."""
    X = check_X(X)
    seed = check_int(seed, "seed", minimum=0)
    rows, inverse = onp.unique(X, axis=0, return_inverse=True)
    eps = onp.random.default_rng(seed).choice([-1.0, 1.0], size=rows.shape)[onp.ravel(inverse)]
    return X * (1.0 + 1e-15 * eps)


def census_band(model, loss, X, y, *, n_reruns=10, random_state=None, base=None, **census_options):
    """Measure the band of a census's counts under rounding-level perturbations of the data.

    Runs ``census(model, loss, X, y, random_state=random_state, **census_options)`` (or uses
    ``base``, that census already computed) and ``n_reruns`` more with X replaced by
    :func:`nudge` (X, seed=r) for r = 1 … n_reruns (X·(1 ± 1e-15) entrywise, signs seeded
    per rerun); returns a :class:`CensusBand` with each count's min and max over all of them.
    The reruns train from the same initialisations, so what the band measures is how much
    the chaotic training moves the counts. With ``base`` given, its options (and reduction)
    are the defaults of the reruns; ``random_state`` defaults to 0 (or the base's).

    Example (the pattern of a chapter's counterexample census)::

        live = lb.census(model, loss, X, y, n_runs=100)
        band = lb.census_band(model, loss, X, y, n_reruns=10, base=live)
        live.save("data/part2_subspace-M2.npz", band=band)
        # later, on any machine: exact counts from the stored end points, and the band
        stored = lb.load_census("data/part2_subspace-M2.npz", model, loss, X, y)
        print(stored.summary()); assert stored.band.contains(lb.census(model, loss, X, y))
    """
    n_reruns = check_int(n_reruns, "n_reruns", minimum=0)
    X, y = check_Xy(X, y)
    if base is not None:
        if not isinstance(base, Census):
            raise TypeError(f"base: expected a Census or None, got {type(base).__name__}")
        defaults = {k: v for k, v in base.options.items() if k != "random_state"}
        defaults["reduction"] = base.objective.reduction
        census_options = {**defaults, **census_options}
        if random_state is None:
            random_state = base.options.get("random_state", 0)
    random_state = 0 if random_state is None else random_state
    base = census(model, loss, X, y, random_state=random_state, **census_options) if base is None else base
    counts = [base.counts]
    for r in range(1, n_reruns + 1):
        counts.append(census(model, loss, nudge(X, r), y, random_state=random_state,
                             **census_options).counts)
    how = (f"the census and {n_reruns} reruns with X multiplied entrywise by (1 + 1e-15·ε), "
           f"ε = ±1 seeded by the rerun number 1…{n_reruns}")
    return CensusBand.from_counts(counts, how)
