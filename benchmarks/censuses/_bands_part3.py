"""Store the counterexample censuses of the part3 chapters with their measured bands.

Usage: python benchmarks/censuses/_bands_part3.py CHAPTER NAME [NAME ...] [--reruns 10]
[--kernels Nehalem ...]

For each spec ``CENSUSES[NAME]`` of benchmarks/censuses/CHAPTER.py: run the census (the base
run, stored), measure its band over ``--reruns`` reruns with the data nudged by
``lb.nudge`` (X·(1 ± 1e-15)), and over one run under each OpenBLAS kernel of ``--kernels``
(OPENBLAS_CORETYPE=<kernel> OPENBLAS_NUM_THREADS=1, in a subprocess); write
book/data/CHAPTER-NAME.npz with ``Census.save(path, band=band)`` and print the counts, the
band and the time taken. (A stand-in for core's benchmarks/census_bands.py engine, with the
same inputs; the stored files are what ``lb.load_census`` reads.)
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import lossbook as lb

ROOT = Path(__file__).resolve().parents[2]


def load_spec(chapter, name):
    path = ROOT / "benchmarks" / "censuses" / f"{chapter}.py"
    module_spec = importlib.util.spec_from_file_location(chapter, path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    if name not in module.CENSUSES:
        raise ValueError(f"NAME: expected one of {sorted(module.CENSUSES)}, got {name!r}")
    return module.CENSUSES[name]()


def worker(chapter, name):
    s = load_spec(chapter, name)
    cen = lb.census(s["model"], s["loss"], s["X"], s["y"], progress=False, **s["options"])
    print(json.dumps(cen.counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter")
    parser.add_argument("names", nargs="+")
    parser.add_argument("--reruns", type=int, default=10)
    parser.add_argument("--kernels", nargs="*", default=["Nehalem"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.chapter, args.names[0])
    for name in args.names:
        t0 = time.perf_counter()
        s = load_spec(args.chapter, name)
        base = lb.census(s["model"], s["loss"], s["X"], s["y"], progress=False, **s["options"])
        band = lb.census_band(s["model"], s["loss"], s["X"], s["y"], n_reruns=args.reruns, base=base,
                              progress=False, **s["options"])
        for kernel in args.kernels:
            env = {**os.environ, "OPENBLAS_CORETYPE": kernel, "OPENBLAS_NUM_THREADS": "1"}
            out = subprocess.run([sys.executable, __file__, args.chapter, name, "--worker"], env=env,
                                 check=True, capture_output=True, text=True).stdout
            other = lb.CensusBand.from_counts([json.loads(out.strip().splitlines()[-1])],
                                              how=f"one run under OPENBLAS_CORETYPE={kernel}")
            band = band.merge(other)
        path = ROOT / "book" / "data" / f"{args.chapter}-{name}.npz"
        base.save(path, band=band)
        print(f"== {args.chapter}-{name}: {path.stat().st_size / 1e3:.0f} kB, {time.perf_counter() - t0:.0f} s")
        print(base.summary())
        print(band.summary())


if __name__ == "__main__":
    main()
