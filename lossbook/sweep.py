"""The census: K random initialisations trained together and certified.

:func:`train_batch` runs L-BFGS on K independent problems at once: one batched autograd
pass gives all K gradients, each run has its own step size (Armijo backtracking), its
own curvature history and its own stopping test, so the K runs do not influence each
other. :func:`census` draws the K initialisations, trains them and certifies every end
point (:func:`lossbook.landscape.certify_batch`).
"""
from dataclasses import dataclass, field

import numpy as onp

from ._validation import check_int, check_real
from .landscape import Objective, certify_batch


@dataclass
class TrainResult:
    """End points of a batched run: ``thetas`` (K, P), losses, gradient norms, iterations."""

    thetas: onp.ndarray = field(repr=False)
    losses: onp.ndarray
    grad_norms: onp.ndarray
    iterations: onp.ndarray
    converged: onp.ndarray


def train_batch(objective, thetas, *, maxiter=2000, gtol=1e-9, history=10, progress=False):
    """Minimise L from each row of ``thetas`` (shape (K, P)) with a batched L-BFGS.

    A run stops when its gradient norm is at most ``gtol`` (or its loss is exactly 0);
    returns a :class:`TrainResult`.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
    x = onp.array(onp.atleast_2d(objective._check_theta(thetas)), dtype=float)
    if not onp.all(onp.isfinite(x)):
        raise ValueError("thetas: contains NaN or infinite values")
    maxiter = check_int(maxiter, "maxiter", minimum=0)
    gtol = check_real(gtol, "gtol", minimum=0.0)
    m = check_int(history, "history", minimum=1)
    K, P = x.shape
    f = onp.asarray(objective.value(x), dtype=float)
    g = onp.asarray(objective.gradient(x), dtype=float)
    S = onp.zeros((m, K, P))
    Y = onp.zeros((m, K, P))
    rho = onp.zeros((m, K))
    gamma = onp.ones(K)
    iters = onp.zeros(K, dtype=int)
    bar = _progress(maxiter, progress)
    for it in range(maxiter):
        gnorm = onp.linalg.norm(g, axis=1)
        active = (gnorm > gtol) & (f > 0)
        if not active.any():
            break
        # two-loop recursion, all runs at once (a pair with rho = 0 is a no-op)
        q = g.copy()
        alpha = onp.zeros((m, K))
        for i in range(m - 1, -1, -1):
            alpha[i] = rho[i] * onp.einsum("kp,kp->k", S[i], q)
            q -= alpha[i][:, None] * Y[i]
        r = gamma[:, None] * q
        for i in range(m):
            beta = rho[i] * onp.einsum("kp,kp->k", Y[i], r)
            r += S[i] * (alpha[i] - beta)[:, None]
        d = -r
        slope = onp.einsum("kp,kp->k", g, d)
        reset = slope >= 0  # not a descent direction: fall back to steepest descent
        d[reset] = -g[reset]
        slope[reset] = -gnorm[reset] ** 2
        t = onp.where(active, 1.0, 0.0)
        first = it == 0
        if first:
            t = onp.where(active, onp.minimum(1.0, 1.0 / onp.maximum(gnorm, 1e-300)), 0.0)
        x_new, f_new = x, f
        for _ in range(40):
            x_new = x + t[:, None] * d
            f_new = onp.asarray(objective.value(x_new), dtype=float)
            ok = onp.isfinite(f_new) & (f_new <= f + 1e-4 * t * slope)
            if onp.all(ok | (t == 0)):
                break
            t = onp.where(ok, t, 0.5 * t)
        ok = onp.isfinite(f_new) & (f_new <= f + 1e-4 * t * slope) & (t > 0)
        x_new = onp.where(ok[:, None], x_new, x)
        f_new = onp.where(ok, f_new, f)
        g_new = onp.asarray(objective.gradient(x_new), dtype=float)
        s, yv = x_new - x, g_new - g
        sy = onp.einsum("kp,kp->k", s, yv)
        good = ok & (sy > 1e-12 * onp.linalg.norm(s, axis=1) * onp.linalg.norm(yv, axis=1))
        S = onp.roll(S, -1, axis=0)
        Y = onp.roll(Y, -1, axis=0)
        rho = onp.roll(rho, -1, axis=0)
        S[-1], Y[-1] = s, yv
        rho[-1] = onp.where(good, 1.0 / onp.where(good, sy, 1.0), 0.0)
        gamma = onp.where(good, sy / onp.maximum(onp.einsum("kp,kp->k", yv, yv), 1e-300), gamma)
        # a run whose line search failed restarts from steepest descent
        rho[:, ~ok & active] = 0.0
        iters += active
        x, f, g = x_new, f_new, g_new
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    gnorm = onp.linalg.norm(g, axis=1)
    return TrainResult(thetas=x, losses=f, grad_norms=gnorm, iterations=iters,
                       converged=(gnorm <= gtol) | (f == 0))


def _progress(total, progress):
    if not progress:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc="training", leave=False)


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
            g = self.max_certified_grad_norm
            lines.append(f"{'max |grad| (critical)':<{width}}  {'0' if g == 0 else '< 1e-%d' % int(onp.floor(-onp.log10(g)))}")
        return "\n".join(lines)

    def __repr__(self):
        c = self.counts
        return (f"Census(runs={c['runs']}, zero_error={c['zero training error']}, "
                f"bad_minima={c['bad local minima']})")


def census(model, loss, X, y, *, n_runs=100, reduction="mean", random_state=0, maxiter=2000,
           gtol=1e-9, grad_tol=1e-6, eig_tol=1e-8, radii=(1e-1, 1e-2, 1e-3), n_probes=100,
           progress=False):
    """Train ``n_runs`` random initialisations of ``model`` together and certify each end point.

    Initial parameters come from ``model.init(random_state, batch=n_runs)``. Returns a
    :class:`Census`; ``census.counts['bad local minima']`` is the number of runs that ended
    at a certified local minimum with non-zero training error.
    """
    objective = Objective(model, loss, X, y, reduction=reduction)
    n_runs = check_int(n_runs, "n_runs", minimum=1)
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
