"""Execute chapter notebooks from a fresh kernel: ``make execute [NB=book/x.ipynb]``.

    python tools/execute.py [--inplace] [--timeout S] [--no-record] NOTEBOOK...

Each notebook is run top to bottom in a new kernel (nbclient), with ``LOSSBOOK_PROGRESS=0``
(no progress bars: a bar drawn here would be stored, and nbval's run draws none) and a cell
timeout (default ``$LOSSBOOK_CELL_TIMEOUT`` or 300 s) so a stalled kernel fails fast with a
message naming the cell instead of hanging. With ``--inplace`` the executed notebook is
written back, stripped of what the book must not store:

- the notebook's widget state (``metadata.widgets``): the book shows every widget's default
  view as a plain figure, and the state would only be embedded, unused, in the page;
- progress-bar widgets (an error: they mean ``LOSSBOOK_PROGRESS`` was not honoured);

and the run is entered in ``book/execution-record.json`` (verdict ``executed``; the nbval
passes of ``make test`` then add their verdicts). Without ``--inplace`` nothing is written:
the notebooks are only run (``make stress`` uses this).
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import execution_record  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PROGRESS = ("FloatProgress(", "IntProgress(")


def progress_widgets(nb):
    """Cells (indices) with a stored progress-bar widget output."""
    bad = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_VIEW in data and any(p in "".join(data.get("text/plain", "")) for p in PROGRESS):
                bad.append(i)
    return bad


def slowest_cell(nb):
    """(seconds, index) of the slowest code cell, from nbclient's timing metadata."""
    from datetime import datetime

    best = (0.0, None)
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if start and end:
            parse = lambda t: datetime.fromisoformat(t.replace("Z", "+00:00"))  # noqa: E731
            best = max(best, ((parse(end) - parse(start)).total_seconds(), i),
                       key=lambda b: b[0])
    return best


def strip(nb):
    """Remove the notebook-level widget state; return whether there was any."""
    return nb.metadata.pop("widgets", None) is not None


def execute(path, *, timeout, inplace, record):
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,  # stripped below
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
    except CellTimeoutError as exc:
        raise SystemExit(f"{path}: a cell did not finish within {timeout} s and was stopped "
                         f"(a stalled kernel? see the README, 'No hangs'): {exc}") from None
    except DeadKernelError as exc:
        raise SystemExit(f"{path}: the kernel died: {exc}") from None
    seconds = time.perf_counter() - start
    bad = progress_widgets(nb)
    if bad:
        raise SystemExit(f"{path}: progress-bar widgets stored in cells {bad}: "
                         "LOSSBOOK_PROGRESS=0 should have switched them off")
    strip(nb)
    slowest, index = slowest_cell(nb)
    print(f"{path}: executed in {seconds:.1f} s (slowest cell: {index}, {slowest:.1f} s)", flush=True)
    if inplace:
        nbformat.write(nb, path)
        if record:
            rel = path.resolve().relative_to(execution_record.ROOT).as_posix()
            execution_record.update({rel: {execution_record.label(): execution_record.run_entry(
                path, verdict="executed", tool="make execute", seconds=seconds)}})
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--inplace", action="store_true", help="write the executed notebooks back")
    parser.add_argument("--timeout", type=int,
                        default=int(os.environ.get("LOSSBOOK_CELL_TIMEOUT", 300)),
                        help="seconds a cell may run (default %(default)s)")
    parser.add_argument("--strip-only", action="store_true",
                        help="execute nothing: only strip the stored widget state (in place)")
    parser.add_argument("--no-record", action="store_true",
                        help="do not enter the run in book/execution-record.json")
    args = parser.parse_args(argv)
    if args.strip_only:
        import nbformat

        for nb_path in args.notebooks:
            nb = nbformat.read(nb_path, as_version=4)
            bad = progress_widgets(nb)
            if bad:
                raise SystemExit(f"{nb_path}: progress-bar widgets stored in cells {bad}: "
                                 "re-execute it (make execute NB=...)")
            if strip(nb):
                nbformat.write(nb, nb_path)
                print(f"{nb_path}: widget state removed")
        return
    os.environ["LOSSBOOK_PROGRESS"] = "0"
    total = 0.0
    for nb in args.notebooks:
        total += execute(nb, timeout=args.timeout, inplace=args.inplace, record=not args.no_record)
    print(f"{len(args.notebooks)} notebook(s) executed in {total:.1f} s")


if __name__ == "__main__":
    main()
