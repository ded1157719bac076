"""Store the book's counterexample censuses and measure their bands (issue 10, items 2–3).

Each spec module ``benchmarks/censuses/<chapter>.py`` defines

    CENSUSES = {"<chapter>-<name>": build, ...}    # stored: book/data/<chapter>-<name>.npz
    LIVE = {"<chapter>-<name>": build, ...}        # optional: run live only, no stored file

where ``build()`` returns ``dict(model=, loss=, X=, y=, options=dict(...))`` — exactly what the
chapter passes to ``lb.census(model, loss, X, y, **options)``. ``CENSUSES`` holds the
counterexample censuses whose end points the book stores (one key per file of ``book/data``);
``LIVE`` the censuses a chapter runs live because its claim holds for every run ("0 bad local
minima", "every run reaches zero error"): their bands can be measured (``--live``) to check that
the claim survives the perturbations, but nothing is saved for them. For every selected spec
this script

1. runs the census (the base run) and saves its end points to ``book/data/<key>.npz``
   (``Census.save``; the chapter re-certifies them with ``lb.load_census``);
2. measures the band of its counts: the base run plus ``--reruns`` (≥ 10 for the book) reruns
   with X multiplied entrywise by (1 + 1e-15·ε), ε = ±1 seeded by the rerun number r = 1 …
   ``--reruns`` (``lb.nudge(X, r)``, exactly the reruns of ``lb.census_band``), plus, with
   ``--kernels Nehalem,Sandybridge``, the unperturbed census (and, with ``--kernel-reruns k``,
   its nudged reruns 1 … k) under each OpenBLAS kernel in a subprocess
   (``OPENBLAS_CORETYPE=<kernel> OPENBLAS_NUM_THREADS=1``): another machine's floating point,
   cheaply;
3. stores the band in the same file (``Census.save(path, band=...)``), prints each census's
   samples and band summary (stderr) and a table of bands (stdout). With ``--merge`` the stored
   end points are kept and this machine's band is merged into the stored one (for a machine
   whose floating point moves a census beyond the band measured elsewhere).

``--jobs J`` runs the reruns and kernel runs in up to J processes at once (the main process
computes the base run meanwhile and then takes reruns too); the counts, the band and the file do
not depend on J. Each census run takes ~40 s to minutes; run the script with ``nice``.

Run: ``python benchmarks/census_bands.py [keys or key prefixes...] [--reruns 10]
[--kernels Nehalem,Sandybridge] [--kernel-reruns 0] [--jobs 1] [--live] [--no-save] [--merge]
[--specs benchmarks/censuses] [--out book/data] [--list]``.
"""
import argparse
import importlib.util
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import lossbook as lb

ROOT = Path(__file__).resolve().parents[1]


def load_specs(directory, *, live=False):
    """{key: build} of ``CENSUSES`` in every ``*.py`` of ``directory`` (sorted by file, then
    as listed), and of ``LIVE`` too when ``live`` is true. Files starting with ``_`` are skipped.
    A key must start with its module's name followed by ``-`` (the stored file is
    ``<key>.npz``); a key defined twice is a ValueError."""
    specs = {}
    for path in sorted(Path(directory).glob("*.py")):
        if path.name.startswith("_"):
            continue
        module_spec = importlib.util.spec_from_file_location(f"_census_spec_{path.stem}", path)
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
        tables = [("CENSUSES", getattr(module, "CENSUSES", None))]
        if live:
            tables.append(("LIVE", getattr(module, "LIVE", {})))
        for what, table in tables:
            if not isinstance(table, dict):
                raise TypeError(f"{path}: expected a dict {what}, got {type(table).__name__}")
            for key, build in table.items():
                if not key.startswith(path.stem + "-"):
                    raise ValueError(f"{path}: census key {key!r} of {what} should be "
                                     f"'{path.stem}-<name>' (the stored file is <key>.npz)")
                if key in specs:
                    raise ValueError(f"{path}: census {key!r} is defined twice")
                specs[key] = build
    return specs


def live_keys(directory):
    """The keys of the ``LIVE`` tables of the spec modules in ``directory``."""
    return set(load_specs(directory, live=True)) - set(load_specs(directory))


def select(specs, patterns):
    """The specs whose key equals or starts with one of ``patterns`` (all if none)."""
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


def _census(spec, seed):
    """The census of ``spec`` (the tuple of :func:`_build`), X nudged by ``seed`` (0: as is)."""
    model, loss, X, y, options = spec
    return lb.census(model, loss, X if seed == 0 else lb.nudge(X, seed), y,
                     **{"progress": False, **options})


def _worker(key, seeds, kernel, specs_dir, live):
    """The counts of the census ``key`` nudged by each of ``seeds``, in a subprocess (under the
    OpenBLAS kernel ``kernel``, one BLAS thread, when it is not None)."""
    env = dict(os.environ, LOSSBOOK_PROGRESS="0")
    if kernel is not None:
        env.update(OPENBLAS_CORETYPE=kernel, OPENBLAS_NUM_THREADS="1")
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", key, "--specs", str(specs_dir),
           "--seeds", *map(str, seeds)] + (["--live"] if live else [])
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode:
        where = f"under OPENBLAS_CORETYPE={kernel}" if kernel else "on the default kernel"
        raise RuntimeError(f"{key}: the worker for seeds {seeds} {where} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _how(reruns, kernels, kernel_reruns):
    how = (f"the census and {reruns} reruns with X multiplied entrywise by (1 + 1e-15·ε), "
           f"ε = ±1 seeded by the rerun number 1…{reruns}")
    if kernels and kernel_reruns:
        how += (f"; plus, under OPENBLAS_CORETYPE={', '.join(kernels)} (OPENBLAS_NUM_THREADS=1), "
                f"the unperturbed census and its reruns 1…{kernel_reruns}, each kernel")
    elif kernels:
        how += ("; plus the unperturbed census under OPENBLAS_CORETYPE=" + ", ".join(kernels)
                + " (OPENBLAS_NUM_THREADS=1), one run each")
    return how


def measure(name, build, *, reruns, kernels, specs_dir, out_dir, save=True, kernel_reruns=0,
            jobs=1, live=False):
    """Run, band and (if ``save``) store one census; returns (base census, band, seconds).

    The band's runs, in order: the base census, the reruns nudged by seeds 1 … ``reruns``, then
    for each kernel of ``kernels`` the census nudged by seeds 0 … ``kernel_reruns``. Reruns on
    the default kernel run in this process, or, with ``jobs`` > 1, also in up to ``jobs`` − 1
    worker processes; kernel runs always run in a worker process (one per kernel).
    """
    t0 = time.perf_counter()
    spec = _build(build)
    tasks = queue.Queue()  # (kernel or None, seeds); kernel runs first: they cannot run here
    for kernel in kernels:
        tasks.put((kernel, list(range(kernel_reruns + 1))))
    for seed in range(1, reruns + 1):
        tasks.put((None, [seed]))
    results, errors = {}, []

    def drain(in_process):
        while not errors:
            try:
                kernel, seeds = tasks.get_nowait()
            except queue.Empty:
                return
            try:
                if kernel is None and in_process:
                    counts = [_census(spec, s).counts for s in seeds]
                else:
                    counts = _worker(name, seeds, kernel, specs_dir, live)
                results.update({(kernel, s): c for s, c in zip(seeds, counts, strict=True)})
            except Exception as err:  # noqa: BLE001 -- re-raised in the main thread below
                errors.append(err)

    helpers = [threading.Thread(target=drain, args=(False,), daemon=True) for _ in range(jobs - 1)]
    for h in helpers:
        h.start()
    base = _census(spec, 0)
    drain(True)
    for h in helpers:
        h.join()
    if errors:
        raise errors[0]
    order = [(None, s) for s in range(1, reruns + 1)]
    order += [(k, s) for k in kernels for s in range(kernel_reruns + 1)]
    band = lb.CensusBand.from_counts([base.counts] + [results[o] for o in order],
                                     _how(reruns, kernels, kernel_reruns))
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


def _machine():
    """The CPU model, as /proc/cpuinfo names it (else the platform's processor string)."""
    import platform

    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def merge_into_stored(name, build, band, out_dir):
    """``--merge``: the stored census keeps its end points (what the chapter re-certifies and
    prints); its band becomes the union of the stored band and ``band``, measured here, on
    another machine. Returns the merged band."""
    model, loss, X, y, _ = _build(build)
    path = out_dir / f"{name}.npz"
    stored = lb.load_census(path, model, loss, X, y)
    if stored.band is None:
        raise ValueError(f"{path}: no stored band to merge into")
    here = lb.CensusBand(lo=band.lo, hi=band.hi, n_reruns=band.n_reruns,
                         how=f"on another machine ({_machine()}): {band.how}", samples=band.samples)
    merged = stored.band.merge(here)
    stored.save(path, band=merged)
    return merged


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="census keys or key prefixes (default: all)")
    parser.add_argument("--reruns", type=int, default=10, help="nudged reruns per census (book: >= 10)")
    parser.add_argument("--kernels", default="", help="comma-separated OPENBLAS_CORETYPE values")
    parser.add_argument("--kernel-reruns", type=int, default=0,
                        help="nudged reruns under each kernel, besides its unperturbed run")
    parser.add_argument("--jobs", type=int, default=1, help="processes computing at once")
    parser.add_argument("--live", action="store_true",
                        help="also the LIVE censuses (measured, never saved)")
    parser.add_argument("--specs", default=str(ROOT / "benchmarks" / "censuses"))
    parser.add_argument("--out", default=str(ROOT / "book" / "data"))
    parser.add_argument("--list", action="store_true", help="list the census keys and exit")
    parser.add_argument("--no-save", action="store_true", help="measure only; write no file")
    parser.add_argument("--merge", action="store_true",
                        help="keep the stored end points; merge this machine's band into the stored one")
    parser.add_argument("--worker", metavar="KEY", help=argparse.SUPPRESS)
    parser.add_argument("--seeds", type=int, nargs="*", default=[0], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for flag in ("reruns", "kernel_reruns"):
        if getattr(args, flag) < 0:
            parser.error(f"--{flag.replace('_', '-')}: expected an integer >= 0, got {getattr(args, flag)}")
    if args.jobs < 1:
        parser.error(f"--jobs: expected an integer >= 1, got {args.jobs}")
    specs = load_specs(args.specs, live=args.live)
    if args.worker:  # worker mode: the counts of the census nudged by each seed, as JSON
        spec = _build(specs[args.worker])
        print(json.dumps([_census(spec, s).counts for s in args.seeds]))
        return 0
    live = live_keys(args.specs) if args.live else set()
    if args.list:
        print("\n".join(n + ("  (live)" if n in live else "") for n in specs))
        return 0
    if args.reruns < 10:
        print(f"note: --reruns {args.reruns} < 10: not enough for the book's bands", file=sys.stderr)
    kernels = [k for k in args.kernels.split(",") if k]
    rows = []
    for name, build in select(specs, args.names).items():
        save = not args.no_save and name not in live
        base, band, secs = measure(name, build, reruns=args.reruns, kernels=kernels,
                                   specs_dir=args.specs, out_dir=Path(args.out),
                                   save=save and not args.merge,
                                   kernel_reruns=args.kernel_reruns, jobs=args.jobs,
                                   live=args.live)
        if args.merge and save:
            band = merge_into_stored(name, build, band, Path(args.out))
        rows.append((name, band, secs))
        print(f"{name}: base {base.counts}\nsamples per count: {json.dumps(band.samples)}\n"
              f"{band.summary()}\n{f'saved {name}.npz' if save else 'not saved'} ({secs:.0f} s)",
              file=sys.stderr, flush=True)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
