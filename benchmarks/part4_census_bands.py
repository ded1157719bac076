"""Write the stored censuses of the Part IV chapters, with their bands (issue 10, item 2).

Stand-in for ``benchmarks/census_bands.py`` (the core helper's engine, not yet on the branch
these files were made on); it reads the same spec modules, ``benchmarks/censuses/<chapter>.py``.
For each census: the base run from the seeds, ``--reruns`` reruns with X nudged by
``lb.nudge`` (X·(1 ± 1e-15)), one rerun per ``--kernels`` entry under
``OPENBLAS_CORETYPE=<kernel> OPENBLAS_NUM_THREADS=1`` (a subprocess), merged into one
``lb.CensusBand``; the base census is saved with the band to
``book/data/<chapter>-<name>.npz``. Prints each band. ``--reruns 0`` and no kernels stores a
census without a measured band (used for censuses whose printed claim holds for every run).

    nice -n 10 .venv/bin/python benchmarks/part4_census_bands.py part4_variations --reruns 10 --kernels Nehalem
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

ROOT = Path(__file__).resolve().parents[1]


def _spec(chapter):
    spec = importlib.util.spec_from_file_location(chapter, ROOT / "benchmarks" / "censuses" / f"{chapter}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CENSUSES


def _base(s):
    opts = dict(s["options"])
    rs = opts.pop("random_state", 0)
    return rs, opts, lb.census(s["model"], s["loss"], s["X"], s["y"], random_state=rs, progress=False, **opts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("chapter")
    ap.add_argument("names", nargs="*")
    ap.add_argument("--reruns", type=int, default=10)
    ap.add_argument("--kernels", default="", help="comma-separated OPENBLAS_CORETYPE values")
    ap.add_argument("--counts-only", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    censuses = _spec(a.chapter)
    for name in a.names or list(censuses):
        s = censuses[name]()
        t = time.time()
        rs, opts, base = _base(s)
        if a.counts_only:
            print("COUNTS", json.dumps(base.counts))
            continue
        print(f"{name}: base {base.counts} ({time.time() - t:.0f} s)", flush=True)
        band = lb.census_band(s["model"], s["loss"], s["X"], s["y"], n_reruns=a.reruns,
                              random_state=rs, base=base, progress=False, **opts)
        for kernel in [k for k in a.kernels.split(",") if k]:
            env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="1")
            out = subprocess.run([sys.executable, __file__, a.chapter, name, "--counts-only"], env=env,
                                 capture_output=True, text=True, check=True).stdout
            counts = json.loads([ln for ln in out.splitlines() if ln.startswith("COUNTS")][0][7:])
            band = band.merge(lb.CensusBand.from_counts(
                [counts], how=f"one rerun under OPENBLAS_CORETYPE={kernel} OPENBLAS_NUM_THREADS=1"))
        path = ROOT / "book" / "data" / f"{a.chapter}-{name}.npz"
        base.save(path, band=band)
        print(f"{name}: saved {path} ({path.stat().st_size // 1024} KB, {time.time() - t:.0f} s)")
        print(band.summary(), flush=True)


if __name__ == "__main__":
    main()
