"""Render the static book's widget frames, re-rendering only stale chapters: ``make frames``.

    python tools/frames.py [--jobs N] [--timeout S] [--force] [NOTEBOOK...]
    python tools/frames.py --check          # make frames-check: exit 1 if any chapter is stale

For each chapter that builds a widget (``lb.*_explorer(``), its content key
(``lossbook.frames_store.chapter_key``: the library's source, ``constraints.txt``, the chapter's
code cells up to its last widget, its data files) is computed without executing anything and
compared with the one in ``book/_frames/<chapter>/frames.json``; when they match and every frame
file has the recorded sha256 the chapter is skipped. Otherwise the chapter's cells up to its
last widget cell are run in a fresh kernel (nothing is written to the notebook) with
``LOSSBOOK_FRAMES`` set, so that each widget renders its frames (``lossbook.frames``) into a
staging folder; on success the chapter's old frames are replaced and ``frames.json`` records the
key, the widgets, every file's sha256, the bytes and the seconds. Without NOTEBOOK: every
chapter of ``book/``. ``--jobs 2`` renders two chapters at a time (the slowest first).
"""
import argparse
import json
import os
import platform
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
FRAMES = BOOK / "_frames"
STAGING = ROOT / "_build" / "frames-staging"
sys.path.insert(0, str(ROOT / "tools"))


def _store():
    from lossbook import frames_store

    return frames_store


def _record(chapter_dir):
    try:
        return json.loads((chapter_dir / _store().CHAPTER_FILE).read_text("utf8"))
    except (OSError, ValueError):
        return {}


def render_chapter(notebook, timeout):
    """Run ``notebook`` up to its last widget cell with frames on; install its frames."""
    import execute as ex  # tools/execute.py: the client that polls every second (no stalls)
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    store = _store()
    notebook = Path(notebook).resolve()
    chapter = notebook.stem
    key = store.chapter_key(notebook)
    cells = store.widget_cells(json.loads(notebook.read_text("utf8")))
    last = max(i for i, _ in cells)
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = nb.cells[:last + 1]
    staging = STAGING / chapter
    shutil.rmtree(staging, ignore_errors=True)
    os.environ.update({"LOSSBOOK_FRAMES": str(STAGING), "LOSSBOOK_FRAMES_PAGE": chapter,
                       "LOSSBOOK_PROGRESS": "0"})
    client = ex._client_class()(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(notebook.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        raise SystemExit(f"{notebook.name}: running it for its frames failed: {exc}") from None
    seconds = time.perf_counter() - start
    want = sorted({name for _, name in cells})
    got = sorted(p.parent.name for p in staging.glob("*/manifest.json"))
    if got != want:
        raise SystemExit(f"{notebook.name}: the run wrote frames for {got}, the chapter builds "
                         f"{want} (a widget without name= in make_widget?)")
    if store.chapter_key(notebook) != key:
        raise SystemExit(f"{notebook.name}: the library or the chapter changed during the run; "
                         "run make frames again")
    files = store.chapter_files(staging)
    widgets = {}
    for name in want:
        m = json.loads((staging / name / "manifest.json").read_text("utf8"))
        widgets[name] = {"controls": [c["name"] for c in m["controls"]], "frames": m["frames"],
                         "bytes": m["bytes"], "seconds": m["seconds"]}
    record = {"chapter": chapter, "key": key, "widgets": want, "summary": widgets,
              "bytes": sum((staging / f).stat().st_size for f in files),
              "seconds": round(seconds, 1),
              "rendered": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
              "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, load "
                         f"{os.getloadavg()[0]:.1f}",
              "files": files}
    (staging / store.CHAPTER_FILE).write_text(json.dumps(record, indent=1) + "\n", "utf8")
    dest = FRAMES / chapter
    shutil.rmtree(dest, ignore_errors=True)
    FRAMES.mkdir(parents=True, exist_ok=True)
    shutil.move(str(staging), str(dest))
    return chapter, seconds, record["bytes"], sum(w["frames"] for w in widgets.values())


def check(notebooks):
    problems = _store().stale_frames(BOOK, notebooks)
    if problems:
        print("the stored frames of the static book are not current:\n  "
              + "\n  ".join(problems)
              + "\nrun `make frames` (re-renders only the stale chapters) and commit book/_frames",
              file=sys.stderr)
        return 1
    total = sum(p.stat().st_size for p in FRAMES.rglob("*") if p.is_file())
    print(f"book/_frames: every chapter's frames are current ({total / 2**20:.2f} MB)")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--jobs", type=int, default=1, help="chapters rendered at a time")
    parser.add_argument("--timeout", type=int,
                        default=int(os.environ.get("LOSSBOOK_CELL_TIMEOUT", 600)),
                        help="seconds a cell may run (default %(default)s)")
    parser.add_argument("--force", action="store_true", help="re-render even current chapters")
    parser.add_argument("--check", action="store_true",
                        help="render nothing: exit 1 if any chapter's frames are not current")
    args = parser.parse_args(argv)
    every = sorted(BOOK.glob("*.ipynb"))
    notebooks = [Path(n).resolve() for n in args.notebooks] or every
    if args.check:
        return check(every)
    store = _store()
    start = time.perf_counter()
    todo = []
    for nb in notebooks:
        problem = store.chapter_problem(nb, FRAMES)
        if store.chapter_key(nb) is None:
            if (FRAMES / nb.stem).exists():
                shutil.rmtree(FRAMES / nb.stem)
                print(f"{nb.name}: no widget: its old frames removed")
            continue
        if problem is None and not args.force:
            print(f"{nb.name}: frames current (key {store.chapter_key(nb)}), skipped")
            continue
        print(f"{nb.name}: {problem or 'forced'}: rendering", flush=True)
        todo.append(nb)
    if args.notebooks == [] and FRAMES.is_dir():  # frame folders of chapters that are gone
        for d in FRAMES.iterdir():
            if d.is_dir() and d.name not in {n.stem for n in every}:
                shutil.rmtree(d)
                print(f"{d}: frames of no chapter removed")
    # the slowest chapters first (by their previous render), so that --jobs 2 ends together
    todo.sort(key=lambda nb: -_record(FRAMES / nb.stem).get("seconds", 1e9))
    done = []
    if args.jobs > 1 and len(todo) > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(render_chapter, nb, args.timeout) for nb in todo]
            for fut in as_completed(futures):
                done.append(fut.result())
                print("{}: {:.0f} s, {} frames, {:.2f} MB".format(
                    done[-1][0], done[-1][1], done[-1][3], done[-1][2] / 2**20), flush=True)
    else:
        for nb in todo:
            done.append(render_chapter(nb, args.timeout))
            print("{}: {:.0f} s, {} frames, {:.2f} MB".format(
                done[-1][0], done[-1][1], done[-1][3], done[-1][2] / 2**20), flush=True)
    total = sum(p.stat().st_size for p in FRAMES.rglob("*") if p.is_file()) if FRAMES.is_dir() else 0
    print(f"make frames: {len(done)} chapter(s) rendered, {len(notebooks) - len(todo)} skipped, "
          f"in {time.perf_counter() - start:.0f} s; book/_frames: {total / 2**20:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
