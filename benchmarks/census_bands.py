"""Store the book's counterexample censuses and measure their bands (issue 10, items 2–3).

Each spec module ``benchmarks/censuses/<chapter>.py`` defines

    CENSUSES = {"<chapter>-<name>": build, ...}

where ``build()`` returns ``dict(model=, loss=, X=, y=, options=dict(...))`` — exactly what the
chapter passes to ``lb.census(model, loss, X, y, **options)``. For every selected spec this
script

1. runs the census (the base run) and saves its end points to ``book/data/<name>.npz``
   (``Census.save``; the chapter re-certifies them with ``lb.load_census``);
2. measures the band of its counts: the base run plus ``--reruns`` (≥ 10 for the book) reruns
   with X multiplied entrywise by (1 + 1e-15·ε), ε = ±1 seeded by the rerun number
   (``lb.census_band``), plus, with ``--kernels Nehalem,Sandybridge``, one run of the
   unperturbed census per OpenBLAS kernel in a subprocess (``OPENBLAS_CORETYPE=<kernel>
   OPENBLAS_NUM_THREADS=1``): another machine's floating point, cheaply;
3. stores the band in the same file and prints a table of bands.

Run: ``python benchmarks/census_bands.py [names or prefixes...] [--reruns 10]
[--kernels Nehalem,Sandybridge] [--specs benchmarks/censuses] [--out book/data] [--list]``.
Takes minutes per census (each rerun is a full census); run it with ``nice``.
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


def load_specs(directory):
    """{name: build} from every ``*.py`` in ``directory`` (sorted by file, then name)."""
    specs = {}
    for path in sorted(Path(directory).glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_spec = importlib.util.spec_from_file_location(f"_census_spec_{path.stem}", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        table = getattr(module, "CENSUSES", None)
        if not isinstance(table, dict):
            raise TypeError(f"{path}: expected a dict CENSUSES, got {type(table).__name__}")
        for name, build in table.items():
            if name in specs:
                raise ValueError(f"{path}: census {name!r} is defined twice")
            specs[name] = build
    return specs


def select(specs, patterns):
    """The specs whose name equals or starts with one of ``patterns`` (all if none)."""
    if not patterns:
        return dict(specs)
    chosen = {n: b for n, b in specs.items() if any(n == p or n.startswith(p) for p in patterns)}
    missing = [p for p in patterns if not any(n == p or n.startswith(p) for n in specs)]
    if missing:
        raise SystemExit(f"no census matches {', '.join(missing)}; known: {', '.join(specs)}")
    return chosen


def _build(build):
    spec = build()
    for key in ("model", "loss", "X", "y"):
        if key not in spec:
            raise ValueError(f"census spec: missing {key!r}")
    return spec["model"], spec["loss"], spec["X"], spec["y"], dict(spec.get("options", {}))


def kernel_counts(name, kernel, specs_dir):
    """The counts of the unperturbed census under OpenBLAS kernel ``kernel`` (a subprocess)."""
    env = dict(os.environ, OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="1",
               LOSSBOOK_PROGRESS="0")
    out = subprocess.run([sys.executable, __file__, "--counts-only", name, "--specs", str(specs_dir)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(name, build, *, reruns, kernels, specs_dir, out_dir, save=True):
    """Run, band and store one census; returns (band, seconds)."""
    model, loss, X, y, options = _build(build)
    t0 = time.perf_counter()
    base = lb.census(model, loss, X, y, **options)
    band = lb.census_band(model, loss, X, y, n_reruns=reruns, base=base, **options)
    if kernels:
        extra = [kernel_counts(name, k, specs_dir) for k in kernels]
        how = (band.how + "; plus the unperturbed census under OPENBLAS_CORETYPE="
               + ", ".join(kernels) + " (OPENBLAS_NUM_THREADS=1), one run each")
        counts = [{k: band.samples[k][i] for k in band.lo} for i in range(band.n_reruns + 1)]
        band = lb.CensusBand.from_counts(counts + extra, how)
    if save:
        out_dir.mkdir(parents=True, exist_ok=True)
        base.save(out_dir / f"{name}.npz", band=band)
    return base, band, time.perf_counter() - t0


def table(rows):
    """A text table: one row per census, one column per count (its band 'lo–hi')."""
    keys = list(lb.COUNT_KEYS)
    short = {"zero training error": "zero err", "bad local minima": "bad",
             "global, forced error": "global", "not critical": "not crit",
             "not converged": "not conv"}
    head = ["census"] + [short.get(k, k) for k in keys] + ["reruns", "s"]
    lines = [head]
    for name, band, secs in rows:
        cells = [f"{band.lo[k]}" + (f"–{band.hi[k]}" if band.hi[k] != band.lo[k] else "") for k in keys]
        lines.append([name] + cells + [str(band.n_reruns), f"{secs:.0f}"])
    widths = [max(len(r[i]) for r in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="census names or name prefixes (default: all)")
    parser.add_argument("--reruns", type=int, default=10, help="nudged reruns per census (book: >= 10)")
    parser.add_argument("--kernels", default="", help="comma-separated OPENBLAS_CORETYPE values")
    parser.add_argument("--specs", default=str(ROOT / "benchmarks" / "censuses"))
    parser.add_argument("--out", default=str(ROOT / "book" / "data"))
    parser.add_argument("--list", action="store_true", help="list the census names and exit")
    parser.add_argument("--no-save", action="store_true", help="measure only; write no file")
    parser.add_argument("--counts-only", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    specs = load_specs(args.specs)
    if args.counts_only:  # worker mode: one unperturbed census, its counts as JSON
        model, loss, X, y, options = _build(specs[args.counts_only])
        print(json.dumps(lb.census(model, loss, X, y, **options).counts))
        return 0
    if args.list:
        print("\n".join(specs))
        return 0
    if args.reruns < 10:
        print(f"note: --reruns {args.reruns} < 10: not enough for the book's bands", file=sys.stderr)
    kernels = [k for k in args.kernels.split(",") if k]
    rows = []
    for name, build in select(specs, args.names).items():
        base, band, secs = measure(name, build, reruns=args.reruns, kernels=kernels,
                                   specs_dir=args.specs, out_dir=Path(args.out),
                                   save=not args.no_save)
        rows.append((name, band, secs))
        print(f"{name}: base {base.counts}", file=sys.stderr)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
