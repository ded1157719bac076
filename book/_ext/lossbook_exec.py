"""Sphinx extension: reuse nbval's run of each notebook as the book's execution record.

``make test`` runs every chapter notebook once, under nbval, which executes it in a fresh
kernel and checks every output against the stored one; ``tests/nbval_timing.py`` records
the run time and verdict of each notebook in ``_build/nbval-runs.json``. With
``execute_notebooks: cache``, this extension (run when the builder starts, after myst-nb)
turns each notebook that passed and is byte-for-byte unchanged since into a jupyter-cache
record carrying nbval's run time. The build then finds every such notebook in the cache,
renders its (verified) outputs without executing it again, and ``{nb-exec-table}`` lists it
with nbval's run time. A notebook with no passing nbval record is executed by the build
itself (and cached), so the table always reports a real, successful execution.
"""
import hashlib
import json
import os
from pathlib import Path

from sphinx.util import logging

LOGGER = logging.getLogger(__name__)


def _runs_file(app):
    default = Path(app.outdir).parent / "nbval-runs.json"
    return Path(os.environ.get("LOSSBOOK_NBVAL_RUNS", default))


def prime_cache(app):
    config = getattr(app.env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        return
    try:
        runs = json.loads(_runs_file(app).read_text("utf8"))
    except (OSError, ValueError):
        return
    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(config.execution_cache_path)
    primed = 0
    app.lossbook_nbval_docs = set()
    for rel, run in sorted(runs.items()):
        source = Path(app.srcdir) / rel
        if not source.is_file():
            continue
        if hashlib.sha256(source.read_bytes()).hexdigest() != run.get("sha256"):
            continue  # edited since nbval ran: the build executes it
        nb = nbformat.read(str(source), as_version=4)
        app.lossbook_nbval_docs.add(rel.rsplit(".", 1)[0])
        if not run.get("passed"):
            # never render an older cached run of a notebook that nbval just failed
            try:
                cache.remove_cache(cache.match_cache_notebook(nb).pk)
            except KeyError:
                pass
            continue
        cache.cache_notebook_bundle(
            CacheBundleIn(nb, str(source), data={"execution_seconds": run["seconds"],
                                                 "executed_by": "nbval"}),
            check_validity=False, overwrite=True)
        primed += 1
    LOGGER.info(f"[lossbook] {primed} notebook(s) taken from nbval's run into the cache")


def reread_recorded(app, env, added, changed, removed):
    """Re-read (from the cache: no execution) every notebook nbval just recorded, so that
    the status table shows that run even when the notebook's text has not changed."""
    return sorted(getattr(app, "lossbook_nbval_docs", set()) & set(env.found_docs))


def setup(app):
    app.connect("builder-inited", prime_cache, priority=900)  # after myst-nb's (500)
    app.connect("env-get-outdated", reread_recorded)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
