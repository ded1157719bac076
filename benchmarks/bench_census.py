"""Census speed: training and certification of K random initialisations, timed separately.

Setting of the foundation issue: subspace data n = 40, d = 8, M = 40 softplus neurons, ℓ_p
with p = 6, K = 256 initialisations, P = 361. Prints (CPU wall times, the machine's load first):

- training: K runs in one batched computation (and, unless ``--no-baselines``, a loop of single
  runs and a loop of scipy L-BFGS-B runs);
- certification of the K end points (``certify_batch``, n_probes = 100 as in the census), its
  parts — the Hessians (the model's closed-form curvature vs autograd's traced Hessian), the
  spectra (numpy's eigh of H vs the certifier's, on the matrix reduced to the span of the
  contributing samples' inputs: ``landscape._spectra``; that matrix made by the model on the
  projected problem, without H, as the certifier makes it, vs read from H) — and the same
  certification on the earlier paths (every point's closed-form H; the traced Hessian),
  checked to give the same certificates;
- the Hessians by JAX ``jit(vmap(hessian))`` on the same end points, its ratio to lossbook's,
  when jax is importable (``pip install jax``; the script says so and skips otherwise);
- forward evaluations (points at which L is evaluated) in training and in certification, and
  the certification time at other n_probes values, labelled as such.

Training and certification are each the fastest of 3 calls, after one untimed call of each (a
new process pays one-time costs: tapes recorded, its heap faulted in).
No assertion: it prints whether the earlier paths give the same certificates.
``--spectra`` adds the alternatives to numpy's eigh (scipy drivers, eigenvalues only, 2 threads).
Run: python benchmarks/bench_census.py [K] [--no-baselines] [--spectra]
"""
import copy
import os
import sys
import time
from collections import Counter

import numpy as np
from scipy.optimize import minimize

import lossbook as lb
from lossbook._threads import one_blas_thread
from lossbook.landscape import _HESSIAN_BLOCK
from lossbook.landscape import _spectra as _spectra_of


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _timed(fn, *args, **kwargs):
    """(result, wall seconds); the CPU seconds of the call are kept in _timed.cpu."""
    t, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    _timed.cpu = time.process_time() - c
    return out, time.perf_counter() - t


def _best_of(n, fn, *args, **kwargs):
    """(result, wall, CPU) of the fastest of ``n`` calls: a first call pays one-time costs (page
    faults of the large arrays, caches), which are not the computation's."""
    runs = []
    for _ in range(n):
        out, wall = _timed(fn, *args, **kwargs)
        runs.append((wall, _timed.cpu, out))
    wall, cpu, out = min(runs, key=lambda r: r[0])
    return out, wall, cpu


def _counting(obj):
    """The objective on a copy of its model whose forward pass counts the points (parameter
    vectors) it evaluates: every value, gradient and probe goes through ``model._apply``."""
    model = copy.copy(obj.model)
    apply = model._apply

    def counting_apply(params, X):
        model.points += int(np.prod(np.shape(params["a0"])))
        return apply(params, X)

    model._apply, model.points = counting_apply, 0
    counted = lb.Objective(model, obj.loss, obj.X, obj.y, reduction=obj.reduction)
    counted._replay = False  # a replayed tape (lossbook._tape) does not call model._apply
    return counted


def _key(c):
    """What a certificate decides (its decreases to 9 significant digits: the last bits of a
    ~1e-12 decrease are rounding, and differ between two exact Hessians as between two LAPACKs)."""
    return (c.verdict, c.reason, c.n_flat, c.n_unexplained, c.smooth, c.is_global,
            tuple((r, float(f"{d:.9g}")) for r, d in sorted(c.probe.items())), c.training_error,
            float(f"{c.scaling_probe:.9g}"))


def _jax_hessians(obj, thetas):
    """JAX jit(vmap(hessian)) of the same L on the same points: (H, compile s, run s, run CPU s),
    or None when jax is not importable."""
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false")
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    P = obj.n_params
    index = obj.unflatten(np.arange(P))
    ia0, ia, iW = int(index["a0"]), np.asarray(index["a"]), np.asarray(index["W"])
    X, y, p = jnp.asarray(obj.X), jnp.asarray(obj.y), 6

    def loss(theta):
        f = theta[ia0] + (jnp.logaddexp(X @ theta[iW], 0.0) / jnp.log(2.0)) @ theta[ia]
        return jnp.mean(jnp.maximum(1.0 - y * f, 0.0) ** (p + 1))

    hess = jax.jit(jax.vmap(jax.hessian(loss)))
    T = jnp.asarray(thetas)
    _, t_compile = _timed(lambda: hess(T).block_until_ready())  # the first call compiles
    H, t_run = _timed(lambda: hess(T).block_until_ready())
    return np.asarray(H), t_compile, t_run, _timed.cpu


def jax_version():
    import jax

    return jax.__version__


def _blocked_hessians(obj, thetas):
    """The closed-form Hessians of all points, made as certify_batch makes them: _HESSIAN_BLOCK
    points at a time, padded to the batch's sample count (kept only one block at a time)."""
    from lossbook.landscape import _loss_derivatives

    pad = int(_loss_derivatives(obj, obj.outputs(thetas))[2].sum(axis=1).max())
    for i in range(0, len(thetas), _HESSIAN_BLOCK):
        obj._hessian(thetas[i:i + _HESSIAN_BLOCK], structured=True, pad=pad)


def _contributing(obj, F):
    """(K, n): the samples with ℓ' or ℓ'' ≠ 0 at each point (the others add nothing to H)."""
    from lossbook.landscape import _loss_derivatives

    return _loss_derivatives(obj, F)[2]


def _spectra(H):
    """The alternatives to numpy's batched eigh on the same Hessians (CPU seconds)."""
    import scipy.linalg as sl
    from threadpoolctl import threadpool_limits

    lam = np.linalg.eigvalsh(H)
    for threads in (1, 2):
        with threadpool_limits(threads):
            _, t = _timed(np.linalg.eigh, H)
            _, t_vals = _timed(np.linalg.eigvalsh, H)
            line = f"    {threads} BLAS thread(s): numpy eigh {t:.2f} s, eigvalsh (no vectors) {t_vals:.2f} s"
            for driver in ("evd", "evr", "ev"):
                out, t = _timed(lambda driver=driver: [sl.eigh(h, driver=driver, check_finite=False)
                                                       for h in H])
                dev = max(float(np.max(np.abs(o[0] - v))) for o, v in zip(out, lam, strict=True))
                line += f", scipy {driver} {t:.2f} s (max |Δλ| {dev:.0e})"
            print(line)


def main(K=256, baselines=True, spectra=False):
    X, y = lb.make_subspace_data(40, n_features=8, random_state=0)
    model = lb.single_layer(8, 40, "softplus")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=6), X, y)
    T0 = obj.flatten(model.init(0, batch=K))
    print(f"K={K}, P={obj.n_params}, n={len(y)}; load average at start: {_load()}")

    # one untimed call of each first: a new process faults in its heap during its first calls
    # (system time, seconds on a virtual machine), which is not the computation's cost
    lb.certify_batch(obj, lb.train_batch(obj, T0).thetas, n_probes=100)
    batched, t_train, c_train = _best_of(3, lb.train_batch, obj, T0)
    print(f"training (batched L-BFGS, best of 3): {t_train:.2f} s (CPU {c_train:.2f} s); "
          "iterations per run: median "
          f"{int(np.median(batched.iterations))}, max {int(batched.iterations.max())}")
    if baselines:
        singles, t_loop = _timed(lambda: [lb.train_batch(obj, T0[k:k + 1]) for k in range(K)])
        same = np.allclose(np.concatenate([s.losses for s in singles]), batched.losses, atol=1e-8)
        print(f"  loop of single runs {t_loop:.2f} s, speed-up {t_loop / t_train:.1f}x "
              f"(same end losses: {same})")

        def scipy_runs():  # the loop a user would write without the library
            return [minimize(lambda th: (float(obj.value(th)), obj.gradient(th)), T0[k], jac=True,
                             method="L-BFGS-B", options={"gtol": 1e-9, "maxiter": 2000}).fun
                    for k in range(K)]
        scipy_losses, t_scipy = _timed(scipy_runs)
        print(f"  loop of scipy L-BFGS-B runs {t_scipy:.2f} s, speed-up {t_scipy / t_train:.1f}x "
              f"(runs ending at zero error: {int(np.sum(np.asarray(scipy_losses) < 1e-6))} of {K})")

    thetas = batched.thetas
    certs, t_cert, c_cert = _best_of(3, lb.certify_batch, obj, thetas, n_probes=100)
    print(f"certification (certify_batch, n_probes=100, best of 3): {t_cert:.2f} s (CPU {c_cert:.2f} s) "
          f"= {t_cert / t_train:.2f} x training (CPU: {c_cert / c_train:.2f} x); load {_load()}")
    print(f"  verdicts: {dict(Counter(c.verdict for c in certs))}; "
          f"bad local minima: {sum(c.is_bad_local_min for c in certs)}")

    # its parts, each timed alone on the same end points
    Hs = obj._hessian(thetas, structured=True)
    _, t_hs, c_hs = _best_of(3, one_blas_thread(_blocked_hessians), obj, thetas)
    Ht, t_ht = _timed(one_blas_thread(obj._hessian), thetas)
    c_ht = _timed.cpu
    rel = np.max(np.abs(Hs - Ht)) / max(1.0, np.max(np.abs(Ht)))
    _, t_eig = _timed(one_blas_thread(np.linalg.eigh), Hs)
    print(f"  Hessians: closed-form curvature {t_hs:.2f} s (CPU {c_hs:.2f}; {_HESSIAN_BLOCK} points at a "
          "time as the certifier makes them, best of 3), traced (old path) "
          f"{t_ht:.2f} s (CPU {c_ht:.2f}), {c_ht / c_hs:.1f}x; "
          f"max |difference| / max(1, max |H|) = {rel:.1e}")
    c_eig = _timed.cpu
    F = obj.outputs(thetas)
    index = obj.unflatten(np.arange(obj.n_params))
    (lam, _), t_red = _timed(one_blas_thread(_spectra_of), obj, F, Hs, index, vectors=True)
    c_red = _timed.cpu
    lam_np = np.linalg.eigvalsh(Hs)
    rel = np.max(np.abs(lam - lam_np) / np.maximum(1.0, np.abs(lam_np).max(axis=1))[:, None])
    m = Counter(int(v) for v in np.sum(_contributing(obj, F), axis=1))
    print(f"  spectra with eigenvectors, 1 BLAS thread: numpy eigh of H {t_eig:.2f} s (CPU {c_eig:.2f}); "
          f"on the reduced matrix (contributing samples per point: {dict(sorted(m.items()))}) "
          f"{t_red:.2f} s (CPU {c_red:.2f}), {c_eig / c_red:.1f}x; max |difference| / max(1, max |λ|) "
          f"= {rel:.1e}")
    few = np.flatnonzero(np.sum(_contributing(obj, F), axis=1) < X.shape[1])
    (lam_p, _), t_p, c_p = _best_of(3, one_blas_thread(_spectra_of), obj, F, None, index, sel=few,
                                    thetas=thetas)
    (lam_h, _), t_h, c_h = _best_of(3, one_blas_thread(_spectra_of), obj, F, Hs, index, sel=few)
    rel = np.max(np.abs(lam_p - lam_h) / np.maximum(1.0, np.abs(lam_h).max(axis=1))[:, None])
    print(f"  eigenvalues of the {len(few)} points with fewer than d contributing samples, as the "
          f"certifier computes them: reduced matrices made by the model (inputs and first-layer "
          f"weights projected, no H) {t_p:.2f} s (CPU {c_p:.2f}); reduced from H {t_h:.2f} s "
          f"(CPU {c_h:.2f}) after making H ({c_hs:.2f} s above); best of 3; max |difference| / "
          f"max(1, max |λ|) = {rel:.1e}")
    if spectra:
        _spectra(Hs)

    # the earlier paths: every point's closed-form H (the model not projecting its inputs), and
    # the traced Hessian; the same certificates
    unprojected = copy.copy(model)
    unprojected._inputs_only_via_weights = False
    for label, hessian in (("every point's closed-form Hessian", None), ("the traced Hessian", "traced")):
        other = lb.Objective(unprojected, obj.loss, X, y)
        if hessian == "traced":
            other._structured_hessian = lambda T, pad=None: None
        old, t_old = _timed(lb.certify_batch, other, thetas, n_probes=100)
        c_old = _timed.cpu
        n_same = sum(_key(a) == _key(b) for a, b in zip(certs, old, strict=True))
        print(f"certification with {label} (an earlier path): {t_old:.2f} s (CPU {c_old:.2f} s); "
              f"same certificates: {n_same} of {K}; load {_load()}")

    jx = _jax_hessians(obj, thetas)
    if jx is None:
        print("JAX: not importable (pip install jax); the vmap(hessian) comparison is skipped")
    else:
        Hj, t_jc, t_jr, c_jr = jx
        relj = np.max(np.abs(Hj - Hs)) / max(1.0, np.max(np.abs(Hs)))
        # XLA may run more than one thread whatever its flags say: the ratios are of CPU seconds
        print(f"JAX {jax_version()} jit(vmap(hessian)): {t_jr:.2f} s (CPU {c_jr:.2f}; "
              f"+ {t_jc:.1f} s compilation); CPU ratio JAX / lossbook closed form = "
              f"{c_jr / c_hs:.1f}, JAX / lossbook traced = {c_jr / c_ht:.2f}; "
              f"max |difference| / max(1, max |H|) = {relj:.1e}")

    # forward passes: parameter vectors at which the network is evaluated
    counted = _counting(obj)
    lb.train_batch(counted, T0)
    n_train, counted.model.points = counted.model.points, 0
    lb.certify_batch(counted, thetas, n_probes=100)
    n_cert = counted.model.points
    print(f"forward passes (parameter vectors evaluated): training {n_train} ({n_train / K:.0f} per "
          f"run, most with a reverse pass for the gradient), certification {n_cert} "
          f"({n_cert / K:.0f} per end point, values only); certification / training = "
          f"{n_cert / n_train:.1f}")
    for n_probes in (20, 50):  # for comparison only: the census uses 100
        _, t = _timed(lb.certify_batch, obj, thetas, n_probes=n_probes)
        print(f"  for comparison, NOT the census setting: certification with n_probes={n_probes}: "
              f"{t:.2f} s (CPU {_timed.cpu:.2f} s) = {_timed.cpu / c_train:.2f} x training (CPU)")
    print(f"load average at the end: {_load()}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(int(args[0]) if args else 256, baselines="--no-baselines" not in sys.argv,
         spectra="--spectra" in sys.argv)
