"""Sphinx extension: the execution-status page, from the book's execution record.

The book build executes nothing (``execute_notebooks: off`` in ``_config.yml``): it renders the
outputs stored in the notebooks. Those outputs are produced by ``make execute`` and checked by
``make test``, whose nbval passes re-execute every notebook from a fresh kernel (under the
default BLAS and under a second BLAS kernel) and compare every output with the stored one.
Both commands enter their runs in ``book/execution-record.json`` (see
``tools/execution_record.py``): per notebook and floating-point environment, the date, machine,
BLAS kernel, seconds, verdict and the sha256 of the notebook file they ran.

The directive ``{lossbook-exec-table}`` (used in ``book/status.md``) renders that record as a
table, and says for each notebook whether the file rendered in this build is the one those
runs saw (same sha256) or has changed since, so the page never claims a check that did not
happen. The build logs (at info level) which notebooks have changed since their last run.
"""
import hashlib
import json
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

LOGGER = logging.getLogger(__name__)
RECORD = "book/execution-record.json"
DEFAULT = "default"


def _record(app):
    try:
        return json.loads((Path(app.srcdir) / RECORD).read_text("utf8"))
    except (OSError, ValueError):
        return {}


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _verdict(run, current_sha):
    if run is None:
        return "not run"
    text = {"passed": "✅ passed", "failed": "❌ failed", "executed": "executed, not checked"}.get(
        run.get("verdict"), run.get("verdict", "?"))
    if run.get("tool") == "nbval" and run.get("cells"):
        text += f" ({run['cells'] - run.get('failed_cells', 0)}/{run['cells']} cells)"
    if run.get("sha256") != current_sha:
        text += " — on an earlier version of the notebook"
    return text


class ExecTable(SphinxDirective):
    """A table: notebook, last execution, machine and BLAS, seconds, nbval verdicts."""

    def run(self):
        self.env.note_dependency(str(Path(self.env.srcdir) / RECORD))
        record = _record(self.env.app)
        notebooks = sorted(p for p in (Path(self.env.srcdir) / "book").glob("*.ipynb"))
        labels = sorted({lab for runs in record.values() for lab in runs} - {DEFAULT})
        head = ["Notebook", "Last run (UTC)", "Where", "Seconds", "nbval, default BLAS"]
        head += [f"nbval, `{lab}`" for lab in labels]
        rows = []
        for path in notebooks:
            rel = path.relative_to(self.env.srcdir).as_posix()
            if rel.rsplit(".", 1)[0] not in self.env.found_docs:
                continue
            runs = record.get(rel, {})
            sha = _sha(path)
            latest = max(runs.values(), key=lambda r: r.get("date", ""), default=None)
            default = runs.get(DEFAULT)
            main = default or latest
            if main is None:
                rows.append([f"{{doc}}`/{rel[:-6]}`", "never", "", "", "not run"]
                            + ["not run"] * len(labels))
                continue
            rows.append([f"{{doc}}`/{rel[:-6]}`", main.get("date", "?").replace("T", " ").rstrip("Z"),
                         f"{main.get('machine', '?')}; {main.get('blas', '?')}; {main.get('tool', '?')}",
                         f"{main.get('seconds', '?')}", _verdict(default, sha)]
                        + [_verdict(runs.get(lab), sha) for lab in labels])
        lines = ["```{list-table}", ":header-rows: 1", ""]
        for row in [head] + rows:
            lines.append(f"* - {row[0]}")
            lines.extend(f"  - {cell or ' '}" for cell in row[1:])
        lines.append("```")
        container = nodes.container(classes=["lossbook-exec-table"])
        self.state.nested_parse(StringList(lines, source=RECORD), self.content_offset, container)
        return [container]


def report_changed(app):
    record = _record(app)
    changed = []
    for path in sorted((Path(app.srcdir) / "book").glob("*.ipynb")):
        rel = path.relative_to(app.srcdir).as_posix()
        shas = {run.get("sha256") for run in record.get(rel, {}).values()}
        if _sha(path) not in shas:
            changed.append(rel)
    if changed:
        LOGGER.info(f"[lossbook] no recorded run of the current file (the status page says so): "
                    f"{', '.join(changed)}; `make execute` and `make test` refresh the record")


def setup(app):
    app.add_directive("lossbook-exec-table", ExecTable)
    app.connect("builder-inited", report_changed)
    return {"version": "2.0", "parallel_read_safe": True, "parallel_write_safe": True}
