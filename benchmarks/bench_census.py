"""Census speed: K random initialisations trained in one batched computation vs one by one.

Setting of the foundation issue: subspace data n = 40, d = 8, M = 40 softplus neurons, ℓ_p
with p = 6, K = 256 initialisations. Prints wall times and the speed-up; no assertion.
Run: python benchmarks/bench_census.py [K]
"""
import sys
import time

import numpy as np
from scipy.optimize import minimize

import lossbook as lb


def main(K=256):
    X, y = lb.make_subspace_data(40, n_features=8, random_state=0)
    model = lb.single_layer(8, 40, "softplus")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=6), X, y)
    T0 = obj.flatten(model.init(0, batch=K))

    t = time.perf_counter()
    batched = lb.train_batch(obj, T0)
    t_batched = time.perf_counter() - t

    t = time.perf_counter()
    singles = [lb.train_batch(obj, T0[k:k + 1]) for k in range(K)]
    t_loop = time.perf_counter() - t

    # the loop a user would write without the library: scipy's L-BFGS-B, one run at a time
    t = time.perf_counter()
    scipy_losses = []
    for k in range(K):
        res = minimize(lambda th: (float(obj.value(th)), obj.gradient(th)), T0[k], jac=True,
                       method="L-BFGS-B", options={"gtol": 1e-9, "maxiter": 2000})
        scipy_losses.append(res.fun)
    t_scipy = time.perf_counter() - t

    same = np.allclose(np.concatenate([s.losses for s in singles]), batched.losses, atol=1e-8)
    t = time.perf_counter()
    certs = lb.certify_batch(obj, batched.thetas, n_probes=100)
    t_cert = time.perf_counter() - t
    bad = sum(c.is_bad_local_min for c in certs)
    print(f"census training, K={K}, P={obj.n_params}: batched {t_batched:.2f} s, "
          f"loop of single runs {t_loop:.2f} s, speed-up {t_loop / t_batched:.1f}x "
          f"(same end losses: {same})")
    print(f"loop of scipy L-BFGS-B runs {t_scipy:.2f} s, speed-up {t_scipy / t_batched:.1f}x "
          f"(runs ending at zero error: {int(np.sum(np.asarray(scipy_losses) < 1e-6))} of {K})")
    print(f"certification of the K end points (batched): {t_cert:.2f} s; bad local minima: {bad}")
    print(f"iterations per run: median {int(np.median(batched.iterations))}, "
          f"max {int(batched.iterations.max())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 256)
