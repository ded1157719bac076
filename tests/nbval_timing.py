"""pytest plugin: record how long nbval took to run each notebook, and whether it passed.

Loaded with ``-p tests.nbval_timing`` (see the Makefile's ``test-notebooks``). At the end of
the session it writes ``_build/nbval-runs.json`` (or ``$LOSSBOOK_NBVAL_RUNS``):
``{"book/x.ipynb": {"seconds": 12.3, "passed": true, "sha256": "...", "finished": ...}}``.
The book build (``book/_ext/lossbook_exec.py``) turns each passed, unchanged notebook into a
jupyter-cache record, so the execution-status page lists nbval's run and the build does not
execute the notebook a second time.
"""
import hashlib
import json
import os
import time
from pathlib import Path

_runs = {}


def runs_path(rootdir):
    return Path(os.environ.get("LOSSBOOK_NBVAL_RUNS", Path(rootdir) / "_build" / "nbval-runs.json"))


def pytest_runtest_logreport(report):
    path, sep, _ = report.nodeid.partition(".ipynb::")
    if not sep:
        return
    run = _runs.setdefault(path + ".ipynb", {"seconds": 0.0, "passed": True})
    run["seconds"] += report.duration
    if report.failed:
        run["passed"] = False


def pytest_sessionfinish(session, exitstatus):
    if not _runs:
        return
    root = Path(session.config.rootpath)
    out = runs_path(root)
    try:
        record = json.loads(out.read_text("utf8"))
    except (OSError, ValueError):
        record = {}
    for nb, run in _runs.items():
        source = root / nb
        if source.is_file():
            run["sha256"] = hashlib.sha256(source.read_bytes()).hexdigest()
            run["seconds"] = round(run["seconds"], 2)
            run["finished"] = time.time()
            record[nb] = run
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, sort_keys=True), "utf8")
