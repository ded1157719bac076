"""pytest plugin: enter each nbval run of a notebook in the book's execution record.

Loaded with ``-p tests.nbval_timing`` (the Makefile's ``test-notebooks`` and
``test-notebooks-blas``). At the end of the session every notebook nbval ran is entered in
``book/execution-record.json`` (``$LOSSBOOK_EXECUTION_RECORD``; format in
``tools/execution_record.py``) under the label of this process's floating-point environment
(``default``, or e.g. ``OPENBLAS_CORETYPE=Nehalem OPENBLAS_NUM_THREADS=1``), so the two passes
of ``make test`` are recorded side by side: date, machine, BLAS kernel, seconds (the sum of
the cells' setup, call and teardown times: one execution from a fresh kernel), the number of
cells and of failed cells, the verdict and the sha256 of the notebook file. The book build
(``book/_ext/lossbook_exec.py``) renders the status page from that record.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import execution_record  # noqa: E402

_runs = {}


def pytest_runtest_logreport(report):
    path, sep, _ = report.nodeid.partition(".ipynb::")
    if not sep:
        return
    run = _runs.setdefault(path + ".ipynb", {"seconds": 0.0, "cells": set(), "failed": set()})
    run["seconds"] += report.duration
    run["cells"].add(report.nodeid)
    if report.failed:
        run["failed"].add(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if not _runs:
        return
    root = Path(session.config.rootpath)
    label = execution_record.label()
    entries = {}
    for nb, run in _runs.items():
        source = root / nb
        if not source.is_file():
            continue
        entries[nb] = {label: execution_record.run_entry(
            source, verdict="failed" if run["failed"] else "passed", tool="nbval",
            seconds=run["seconds"], cells=len(run["cells"]), failed_cells=len(run["failed"]))}
    execution_record.update(entries)
