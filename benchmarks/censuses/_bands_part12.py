"""Store the censuses of Parts I-II with their bands (nb-a's driver; the spec modules beside it).

    python benchmarks/censuses/_bands_part12.py part2_subspace M2 [--reruns 10] [--kernel-reruns 1]

For one census of a spec module (``CENSUSES[name]`` of ``benchmarks/censuses/<chapter>.py``):
trains the census (the base run, default BLAS kernel), measures its band with
:func:`lossbook.census_band` over ``--reruns`` reruns with X nudged by (1 ± 1e-15), then runs
the base census and ``--kernel-reruns`` nudged reruns again in a subprocess under a second BLAS
kernel (``OPENBLAS_CORETYPE=Nehalem OPENBLAS_NUM_THREADS=1``), merges the two bands and saves
the base census with the merged band to ``book/data/<chapter>-<name>.npz``. Prints each run's
counts and the band; no assertion (a measurement, not a test).
"""
import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import lossbook as lb  # noqa: E402


def _spec(chapter, name):
    module = importlib.import_module(chapter)
    if name not in module.CENSUSES:
        raise SystemExit(f"name: expected one of {', '.join(module.CENSUSES)}, got {name!r}")
    return module.CENSUSES[name]()


def _band(spec, reruns, base=None):
    return lb.census_band(spec["model"], spec["loss"], spec["X"], spec["y"], n_reruns=reruns,
                          base=base, progress=False, **spec["options"])


def _counts(spec, seed):
    X = spec["X"] if seed == 0 else lb.nudge(spec["X"], seed)
    return lb.census(spec["model"], spec["loss"], X, spec["y"], progress=False, **spec["options"]).counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("chapter")
    ap.add_argument("name")
    ap.add_argument("--reruns", type=int, default=10)
    ap.add_argument("--kernel", default="Nehalem")
    ap.add_argument("--kernel-reruns", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=1, help="split the reruns over this many processes")
    ap.add_argument("--worker", action="store_true", help="print the band as JSON (subprocess)")
    ap.add_argument("--seeds", type=int, nargs="*", help="worker: counts of the reruns nudged by these seeds")
    args = ap.parse_args()
    spec = _spec(args.chapter, args.name)
    if args.worker and args.seeds is not None:
        counts = [_counts(spec, seed) for seed in args.seeds]
        print(json.dumps(counts))
        return
    if args.worker:
        print(json.dumps(_band(spec, args.reruns).to_json()))
        return
    t0 = time.time()
    kernel_proc = None
    if args.kernel and args.kernel != "none":  # the second BLAS kernel, in parallel
        env = dict(os.environ, OPENBLAS_CORETYPE=args.kernel, OPENBLAS_NUM_THREADS="1")
        kernel_proc = subprocess.Popen([sys.executable, __file__, args.chapter, args.name, "--worker",
                                        "--reruns", str(args.kernel_reruns)], env=env, stdout=subprocess.PIPE,
                                       text=True, start_new_session=True)
    if args.jobs > 1:  # the nudged reruns in parallel processes, seeds 1..reruns as census_band uses
        chunks = [list(range(1, args.reruns + 1))[j::args.jobs] for j in range(args.jobs)]
        procs = [subprocess.Popen([sys.executable, __file__, args.chapter, args.name, "--worker", "--seeds",
                                   *map(str, c)], stdout=subprocess.PIPE, text=True,
                                  start_new_session=True) for c in chunks if c]
    base = lb.census(spec["model"], spec["loss"], spec["X"], spec["y"], progress=False, **spec["options"])
    if args.jobs > 1:
        by_seed = {}
        for c, p in zip([c for c in chunks if c], procs, strict=True):
            out, _ = p.communicate()
            if p.returncode:
                raise SystemExit(f"a worker failed (seeds {c})")
            by_seed.update(zip(c, json.loads(out.strip().splitlines()[-1]), strict=True))
        how = (f"the census and {args.reruns} reruns with X multiplied entrywise by (1 + 1e-15·ε), "
               f"ε = ±1 seeded by the rerun number 1…{args.reruns}")
        band = lb.CensusBand.from_counts([base.counts] + [by_seed[r] for r in range(1, args.reruns + 1)], how)
    else:
        band = _band(spec, args.reruns, base=base)
    print(f"{args.chapter}-{args.name}: base and {args.reruns} nudged reruns in {time.time() - t0:.0f} s",
          flush=True)
    if kernel_proc is not None:
        out, _ = kernel_proc.communicate()
        if kernel_proc.returncode:
            raise SystemExit(f"the {args.kernel} worker failed")
        other = lb.CensusBand.from_json(json.loads(out.strip().splitlines()[-1]))
        other = lb.CensusBand(lo=other.lo, hi=other.hi, n_reruns=other.n_reruns,
                              how=f"under OPENBLAS_CORETYPE={args.kernel} OPENBLAS_NUM_THREADS=1: "
                                  + (other.how if args.kernel_reruns else "the census once"),
                              samples=other.samples)
        band = band.merge(other)
    path = ROOT / "book" / "data" / f"{args.chapter}-{args.name}.npz"
    path.parent.mkdir(exist_ok=True)
    base.save(path, band=band)
    print(f"samples per count: {json.dumps(band.samples)}")
    print(band.summary())
    print(f"saved {path.relative_to(ROOT)} ({path.stat().st_size // 1024} KB) in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
