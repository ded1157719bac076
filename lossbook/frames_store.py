"""The stored frames of the static book: content keys and the currency check (issue 15).

The frames (:mod:`lossbook.frames`) are stored in the repository, ``book/_frames/<chapter>/``,
one folder per widget, and a ``frames.json`` per chapter with its content key and the sha256 of
every frame file. The key (:func:`chapter_key`) is computed without executing anything: a hash
of the library's code (every module but this one and the player, which change no frame; its
docstrings and comments left out),
``constraints.txt`` (the versions of matplotlib, numpy, ... that draw the frames), the sources
of the chapter's code cells up to its last widget cell (later cells cannot change a frame) and
the chapter's data files ``book/data/<chapter>-*``. ``make frames`` (``tools/frames.py``)
executes a chapter only when its key or files differ; :func:`stale_frames`, run by
``make test``, lists every chapter whose stored frames are not current.

The key is coarse on purpose: any change to the library's code re-renders every chapter's
frames, because no cheaper test can tell that a change leaves a figure as it was (a docstring
or a comment cannot change one, so those are left out).
"""
import ast
import hashlib
import json
import re
from pathlib import Path

__all__ = ["code_digest", "library_hash", "widget_cells", "chapter_key", "chapter_files", "chapter_problem",
           "stale_frames", "KEY_VERSION", "CHAPTER_FILE", "BUDGET_BYTES", "NOT_IN_KEY"]

KEY_VERSION = 2  # bump to re-render every chapter (a change of the frame format)
CHAPTER_FILE = "frames.json"  # per chapter: its key and the sha256 of every frame file
BUDGET_BYTES = 25 * 2**20  # the whole book's frames on disk (issue 15)
#: modules whose source changes no frame (left out of the key)
NOT_IN_KEY = ("player.py", "frames_store.py")


def code_digest(source):
    """sha256 of a module's code: its syntax tree without docstrings, comments, layout or line
    numbers (``ast.dump``), so that editing a docstring or a comment changes no key."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree, include_attributes=False).encode()).digest()


_DIGESTS = {}  # (path, mtime, size) -> code_digest


def library_hash():
    """sha256 of the library's code: every ``lossbook/**/*.py`` but :data:`NOT_IN_KEY`, each
    by :func:`code_digest` (docstrings and comments left out)."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in NOT_IN_KEY or "__pycache__" in rel:
            continue
        h.update(rel.encode() + b"\0")
        stat = path.stat()
        stamp = (str(path), stat.st_mtime_ns, stat.st_size)
        if stamp not in _DIGESTS:  # parsed once per version of the file
            _DIGESTS[stamp] = code_digest(path.read_text(encoding="utf8"))
        h.update(_DIGESTS[stamp])
    return h.hexdigest()


def _framed_widgets():
    """The public widgets (``lossbook.*_explorer``), each rendering frames under its own name."""
    import lossbook

    return {n for n in lossbook.__all__ if n.endswith("_explorer")}


def widget_cells(nb):
    """``[(cell index, widget name)]`` of the code cells of notebook ``nb`` (a dict, nbformat 4)
    that build a widget (their source calls ``lb.<name>_explorer(``)."""
    names = _framed_widgets()
    found = []
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        source = "".join(cell.get("source", ""))
        for name in re.findall(r"\b(\w+_explorer)\s*\(", source):
            if name in names and (i, name) not in found:
                found.append((i, name))
    return found


def chapter_key(notebook):
    """The content key of a chapter's frames (``None`` for a chapter without widgets).

    A hash of :data:`KEY_VERSION`, :func:`library_hash`, ``constraints.txt`` (next to the
    ``book/`` folder), the sources of the chapter's code cells up to its last widget cell
    (cells after it cannot change a frame) and the chapter's data files
    ``book/data/<chapter>-*``. Computed without executing anything.
    """
    notebook = Path(notebook)
    nb = json.loads(notebook.read_text(encoding="utf8"))
    cells = widget_cells(nb)
    if not cells:
        return None
    last = max(i for i, _ in cells)
    h = hashlib.sha256(f"lossbook-frames-v{KEY_VERSION}\0".encode())
    h.update(library_hash().encode())
    constraints = notebook.resolve().parent.parent / "constraints.txt"
    h.update(constraints.read_bytes() if constraints.exists() else b"no constraints")
    for cell in nb["cells"][:last + 1]:
        if cell.get("cell_type") == "code":
            h.update(b"\0cell\0" + "".join(cell.get("source", "")).encode())
    for path in sorted((notebook.parent / "data").glob(notebook.stem + "-*")):
        h.update(b"\0data\0" + path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:24]


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def chapter_files(chapter_dir):
    """``{relative path: sha256}`` of every file of a chapter's frames (its ``frames.json``
    left out)."""
    chapter_dir = Path(chapter_dir)
    return {p.relative_to(chapter_dir).as_posix(): _sha256(p)
            for p in sorted(chapter_dir.rglob("*")) if p.is_file() and p.name != CHAPTER_FILE}


def chapter_problem(notebook, frames_dir):
    """Why the stored frames of one chapter are not current (a string), or ``None``."""
    notebook = Path(notebook)
    key = chapter_key(notebook)
    chapter_dir = Path(frames_dir) / notebook.stem
    if key is None:
        return (f"{chapter_dir} exists but {notebook.name} builds no widget"
                if chapter_dir.exists() else None)
    record_path = chapter_dir / CHAPTER_FILE
    if not record_path.is_file():
        return f"{notebook.stem}: no frames ({record_path} missing)"
    try:
        record = json.loads(record_path.read_text(encoding="utf8"))
    except ValueError:
        return f"{notebook.stem}: {record_path} is not valid JSON"
    if record.get("key") != key:
        return (f"{notebook.stem}: stale (frames rendered for key {record.get('key')}, the "
                f"library/constraints/chapter now give {key})")
    want = sorted({name for _, name in widget_cells(json.loads(notebook.read_text("utf8")))})
    if sorted(record.get("widgets", [])) != want:
        return f"{notebook.stem}: frames for {record.get('widgets')}, the chapter builds {want}"
    files = chapter_files(chapter_dir)
    if files != record.get("files"):
        missing = sorted(set(record.get("files", {})) - set(files))
        extra = sorted(set(files) - set(record.get("files", {})))
        changed = sorted(f for f in files if f in record.get("files", {})
                         and files[f] != record["files"][f])
        return (f"{notebook.stem}: frame files differ from {CHAPTER_FILE} (missing {missing[:3]}, "
                f"unrecorded {extra[:3]}, changed {changed[:3]})")
    return None


def stale_frames(book_dir, notebooks=None):
    """Every problem with the stored frames of ``book_dir`` (``book/``): chapters whose frames
    are missing, stale or altered, frame folders of no chapter, a total over
    :data:`BUDGET_BYTES`. An empty list: every chapter's frames are current."""
    book_dir = Path(book_dir)
    frames_dir = book_dir / "_frames"
    notebooks = sorted(book_dir.glob("*.ipynb")) if notebooks is None else list(notebooks)
    problems = [p for p in (chapter_problem(nb, frames_dir) for nb in notebooks) if p]
    stems = {Path(nb).stem for nb in notebooks}
    if frames_dir.is_dir():
        problems += [f"{d}: frames of no chapter" for d in sorted(frames_dir.iterdir())
                     if d.is_dir() and d.name not in stems]
        total = sum(p.stat().st_size for p in frames_dir.rglob("*") if p.is_file())
        if total > BUDGET_BYTES:
            problems.append(f"{frames_dir}: {total / 2**20:.1f} MB of frames, over the "
                            f"{BUDGET_BYTES / 2**20:.0f} MB budget")
    return problems


