"""The book's execution record: when, where and how each chapter notebook was last run.

``book/execution-record.json`` is committed with the notebooks. It is written by the two
commands that run notebooks, ``make execute`` (``tools/execute.py``: verdict ``executed``)
and ``make test``'s nbval passes (``tests/nbval_timing.py``: verdict ``passed`` or
``failed``), and it is read by the book build (``book/_ext/lossbook_exec.py``), which renders
the stored outputs without executing anything and builds the execution-status page from it.

Layout::

    {"book/part1_setting.ipynb": {
        "default":   {"verdict": "passed", "tool": "nbval", "date": "2026-12-01T10:02:03Z",
                      "seconds": 21.4, "cells": 38, "failed_cells": 0,
                      "machine": "x86_64, AMD EPYC 7B13 (2 CPUs), Linux",
                      "blas": "OpenBLAS 0.3.27, kernel Haswell, 2 threads",
                      "python": "3.11.2", "sha256": "<sha256 of the notebook file>"},
        "OPENBLAS_CORETYPE=Nehalem OPENBLAS_NUM_THREADS=1": {...}},
     ...}

One entry per floating-point environment (the *label*: ``default``, or the OpenBLAS
variables that were set), so the second nbval pass of ``make test`` records its own run
beside the first instead of overwriting it. ``sha256`` is the hash of the notebook file the
run saw: the build compares it with the notebook it renders, so the status page says when a
chapter has changed since its last run.
"""
import fcntl
import hashlib
import json
import os
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "book" / "execution-record.json"
BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def record_path():
    return Path(os.environ.get("LOSSBOOK_EXECUTION_RECORD", RECORD))


def label(environ=None):
    """The floating-point environment of this process: ``default`` or the BLAS variables set."""
    environ = os.environ if environ is None else environ
    set_ = [f"{k}={environ[k]}" for k in BLAS_VARIABLES if environ.get(k)]
    return " ".join(set_) or "default"


def _cpu():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine():
    return f"{platform.machine()}, {_cpu()} ({os.cpu_count()} CPUs), {platform.system()}"


def blas():
    """The BLAS numpy uses in this environment (a kernel started from it inherits it)."""
    import numpy  # noqa: F401  (loads the BLAS, so that threadpoolctl can see it)
    from threadpoolctl import threadpool_info

    for lib in threadpool_info():
        if lib.get("user_api") == "blas":
            return (f"{lib.get('internal_api', 'BLAS')} {lib.get('version') or ''}, "
                    f"kernel {lib.get('architecture') or '?'}, {lib.get('num_threads')} threads")
    return "unknown BLAS"


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def load(path=None):
    try:
        return json.loads(Path(path or record_path()).read_text("utf8"))
    except (OSError, ValueError):
        return {}


def update(runs, path=None):
    """Merge ``{notebook (relative to the repository): {label: run}}`` into the record.

    Read, merge and write happen under an exclusive lock (a ``.lock`` file beside the record),
    so the two nbval passes of ``make test``, which run at the same time, do not overwrite
    each other's entries."""
    path = Path(path or record_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        record = load(path)
        for nb, by_label in runs.items():
            record.setdefault(nb, {}).update(by_label)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", "utf8")
        os.replace(tmp, path)
    return record


def run_entry(notebook, *, verdict, tool, seconds, **extra):
    return dict({"verdict": verdict, "tool": tool, "date": now(), "seconds": round(seconds, 1),
                 "machine": machine(), "blas": blas(), "python": platform.python_version(),
                 "sha256": sha256(notebook)}, **extra)
