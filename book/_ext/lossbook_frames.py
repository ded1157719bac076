"""Static players for the widgets: precomputed frames (lossbook.frames) after each widget's cell.

``make frames`` writes book/_frames/<chapter>/<widget>/ (WebP frames and manifest.json) and
book/_frames/<chapter>/frames.json (the chapter's content key and every file's sha256); the
frames are stored in the repository, so this build renders nothing. For each chapter with
frames, the code cell that builds the widget (its source contains ``<widget>(``) is followed by
a player (``lossbook.player.player_html``); the frames are copied to _build/html/_frames.
Stale frames (``lossbook.frames_store.stale_frames``: the library or the chapter changed since
they were rendered) are still shown, and the build says which chapters to re-render with
``make frames``; ``make test`` fails on them. Without book/_frames the book shows each widget's
default view as a still figure only, and the build says so once.
"""
import json
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _frames_dir(app):
    return Path(app.srcdir) / "book" / "_frames"


def insert_players(app, doctree, docname):
    from lossbook.player import player_html

    page_dir = _frames_dir(app) / Path(docname).name
    if not page_dir.is_dir():
        return
    depth = docname.count("/")
    for path in sorted(page_dir.glob("*/manifest.json")):
        manifest = json.loads(path.read_text("utf8"))
        call = manifest["name"] + "("
        for block in doctree.findall(nodes.literal_block):
            if call not in block.astext():
                continue
            cell = block
            while cell.parent is not None and "cell" not in cell.get("classes", []):
                cell = cell.parent
            cell = block if cell.parent is None else cell
            base = "../" * depth + f"_frames/{Path(docname).name}/{path.parent.name}"
            cell.parent.insert(cell.parent.index(cell) + 1,
                               nodes.raw("", player_html(manifest, base), format="html"))
            break
        else:
            logger.warning(f"lossbook_frames: {docname}: no cell calls {call}...)")


def report_stale(app):
    from lossbook.frames_store import stale_frames

    if not _frames_dir(app).is_dir():
        return
    problems = stale_frames(Path(app.srcdir) / "book")
    if problems:
        logger.info("lossbook_frames: the stored frames are not current (run `make frames`):\n  "
                    + "\n  ".join(problems))


def copy_frames(app, exception):
    src = _frames_dir(app)
    if exception is not None or app.builder.format != "html":
        return
    if not src.is_dir():
        logger.info("lossbook_frames: no book/_frames (run `make frames`): widgets are shown "
                    "as still figures")
        return
    dest = Path(app.outdir) / "_frames"
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("*.tmp", "frames.json"))


def setup(app):
    app.connect("builder-inited", report_stale)
    app.connect("doctree-resolved", insert_players)
    app.connect("build-finished", copy_frames)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
