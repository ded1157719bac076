"""The census: K random initialisations trained together and certified.

:func:`train_batch` runs L-BFGS on K independent problems at once: one batched autograd
pass gives all K gradients, each run has its own step size (Armijo backtracking), its
own curvature history and its own stopping test, so the K runs do not influence each
other. :func:`census` draws the K initialisations, trains them and certifies every end
point (:func:`lossbook.landscape.certify_batch`).
"""
from dataclasses import dataclass, field

import numpy as onp

from ._threads import one_blas_thread
from ._validation import check_int, check_optional_bool, check_radii, check_real
from .landscape import Objective, _check_tolerances, _small, certify_batch


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
    bar = _progress(K, progress)
    for it in range(maxiter):
        gnorm = onp.linalg.norm(g, axis=1)
        active = (gnorm > gtol) & (f > 0)
        if not active.any():
            break
        # two-loop recursion, all runs at once
        q = g.copy()
        alpha = onp.zeros((m, K))
        order = [(head - 1 - i) % m for i in range(m)]
        for i in order:
            alpha[i] = rho[i] * onp.einsum("kp,kp->k", S[i], q)
            q -= alpha[i][:, None] * Y[i]
        r = gamma[:, None] * q
        for i in reversed(order):
            beta = rho[i] * onp.einsum("kp,kp->k", Y[i], r)
            r += S[i] * (alpha[i] - beta)[:, None]
        d = -r
        slope = onp.einsum("kp,kp->k", g, d)
        reset = slope >= 0  # not a descent direction: fall back to steepest descent
        d[reset] = -g[reset]
        slope[reset] = -gnorm[reset] ** 2
        t = onp.ones(K) if it else onp.minimum(1.0, 1.0 / onp.maximum(gnorm, 1e-300))
        # Armijo backtracking; only the runs still searching are evaluated
        # (the first trial step is evaluated together with its gradient: it is usually accepted)
        x_new, f_new, g_new = x.copy(), f.copy(), g.copy()
        pending = active.copy()
        needs_grad = onp.zeros(K, dtype=bool)
        for trial in range(40):
            idx = onp.flatnonzero(pending)
            if idx.size == 0:
                break
            xt = x[idx] + t[idx, None] * d[idx]
            # a trial step may overflow (an exponential neuron, a large power); such a step is
            # rejected just below, so the floating-point warning is silenced rather than raised
            with onp.errstate(over="ignore", invalid="ignore"):
                if trial == 0:
                    ft, gt = objective._value_and_gradient(xt)
                else:
                    ft = onp.asarray(objective.value(xt), dtype=float)
            ok = onp.isfinite(ft) & (ft <= f[idx] + 1e-4 * t[idx] * slope[idx])
            x_new[idx[ok]], f_new[idx[ok]] = xt[ok], ft[ok]
            if trial == 0:
                g_new[idx[ok]] = gt[ok]
            else:
                needs_grad[idx[ok]] = True
            pending[idx[ok]] = False
            t[idx[~ok]] *= 0.5
        moved = active & ~pending
        if needs_grad.any():
            g_new[needs_grad] = onp.asarray(objective.gradient(x_new[needs_grad]), dtype=float)
        s, yv = x_new - x, g_new - g
        sy = onp.einsum("kp,kp->k", s, yv)
        good = moved & (sy > 1e-12 * onp.linalg.norm(s, axis=1) * onp.linalg.norm(yv, axis=1))
        S[head], Y[head] = s, yv
        rho[head] = onp.where(good, 1.0 / onp.where(good, sy, 1.0), 0.0)
        head = (head + 1) % m
        gamma = onp.where(good, sy / onp.maximum(onp.einsum("kp,kp->k", yv, yv), 1e-300), gamma)
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
    """A multistart census: one row per run, and the counts the theorems talk about."""

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

    @property
    def n_runs(self):
        return len(self.verdicts)

    @property
    def local_min(self):
        return onp.array([v in ("strict local min", "non-strict local min") for v in self.verdicts])

    @property
    def bad(self):
        """Runs certified as local minima with non-zero training error."""
        return self.local_min & (self.errors > 0)

    @property
    def counts(self):
        not_crit = onp.array([v == "not critical" for v in self.verdicts])
        return {
            "runs": self.n_runs,
            "zero training error": int(onp.sum(self.errors == 0)),
            "bad local minima": int(onp.sum(self.bad)),
            "error > 0, saddle": int(onp.sum((self.errors > 0) & onp.array(
                [v == "saddle" for v in self.verdicts]))),
            "error > 0, not converged": int(onp.sum((self.errors > 0) & not_crit)),
        }

    @property
    def max_certified_grad_norm(self):
        """Largest gradient norm among runs certified as critical points."""
        crit = onp.array([v != "not critical" for v in self.verdicts])
        return float(self.grad_norms[crit].max()) if crit.any() else float("nan")

    def summary(self):
        c = self.counts
        width = max(len(k) for k in c)
        lines = [f"{k:<{width}}  {v}" for k, v in c.items()]
        if onp.isfinite(self.max_certified_grad_norm):
            lines.append(f"{'max |grad| (critical)':<{width}}  {_small(self.max_certified_grad_norm)}")
        return "\n".join(lines)

    def __repr__(self):
        c = self.counts
        return (f"Census(runs={c['runs']}, zero_error={c['zero training error']}, "
                f"bad_minima={c['bad local minima']})")


def census(model, loss, X, y, *, n_runs=100, reduction="mean", random_state=0, maxiter=2000,
           gtol=1e-9, grad_tol=1e-6, eig_tol=1e-8, radii=(1e-1, 1e-2, 1e-3), n_probes=100,
           progress=None):
    """Train ``n_runs`` random initialisations of ``model`` together and certify each end point.

    Initial parameters come from ``model.init(random_state, batch=n_runs)``. Returns a
    :class:`Census`; ``census.counts['bad local minima']`` is the number of runs that ended
    at a certified local minimum with non-zero training error.

    ``progress``: a progress bar over the training (tqdm: a widget in Jupyter, text on a
    terminal). ``None`` (default) shows it only for a run longer than a second, in Jupyter or
    on a terminal, and never under pytest or nbval (or with ``LOSSBOOK_PROGRESS=0``);
    ``True`` always, ``False`` never.
    """
    objective = Objective(model, loss, X, y, reduction=reduction)
    n_runs = check_int(n_runs, "n_runs", minimum=1)
    _check_tolerances(grad_tol, eig_tol, 0.0)
    check_radii(radii)
    check_int(n_probes, "n_probes", minimum=1)
    check_real(gtol, "gtol", minimum=0.0)
    check_int(maxiter, "maxiter", minimum=0)
    check_optional_bool(progress, "progress")
    thetas0 = objective.flatten(model.init(random_state, batch=n_runs))
    res = train_batch(objective, thetas0, maxiter=maxiter, gtol=gtol, progress=progress)
    certs = certify_batch(objective, res.thetas, grad_tol=grad_tol, eig_tol=eig_tol, radii=radii,
                          n_probes=n_probes, random_state=random_state)
    return Census(objective=objective, thetas=res.thetas, initial=thetas0,
                  losses=onp.array([c.loss for c in certs]),
                  errors=onp.array([c.training_error for c in certs]),
                  grad_norms=onp.array([c.grad_norm for c in certs]),
                  min_eigs=onp.array([c.min_eig for c in certs]),
                  verdicts=[c.verdict for c in certs], certificates=certs,
                  iterations=res.iterations)
