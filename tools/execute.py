"""Execute chapter notebooks from a fresh kernel: ``make execute [NB=book/x.ipynb]``.

    python tools/execute.py [--inplace] [--timeout S] [--no-record] NOTEBOOK...

Each notebook is run top to bottom in a new kernel (nbclient), with ``LOSSBOOK_PROGRESS=0``
(no progress bars: a bar drawn here would be stored, and nbval's run draws none) and a cell
timeout (default ``$LOSSBOOK_CELL_TIMEOUT`` or 600 s) so a stalled kernel fails fast with a
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
import queue
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


def _parse(stamp):
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def slowest_cell(nb):
    """(seconds, index) of the slowest code cell, from nbclient's timing metadata."""
    best = (0.0, None)
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.status.busy"), timing.get("iopub.status.idle")
        if start and end:
            best = max(best, ((_parse(end) - _parse(start)).total_seconds(), i), key=lambda b: b[0])
    return best


def longest_pause(nb):
    """(seconds, index): the longest time the kernel sat idle before starting a code cell
    (kernel timestamps), the signature of a stalled kernel-client exchange."""
    best, previous = (0.0, None), None
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        if not timing.get("iopub.status.busy"):
            continue
        if previous is not None:
            best = max(best, ((_parse(timing["iopub.status.busy"]) - previous).total_seconds(), i),
                       key=lambda b: b[0])
        previous = _parse(timing.get("iopub.status.idle") or timing["iopub.status.busy"])
    return best


def strip(nb):
    """Remove the notebook-level widget state; return whether there was any."""
    return nb.metadata.pop("widgets", None) is not None


POLL_STEP_S = 1.0


def _poll_in_steps(channel, step=POLL_STEP_S):
    """Make ``channel.get_msg(timeout)`` look for a message at least every ``step`` seconds.

    nbclient waits for a cell's reply with one ``poll`` of the asyncio ZMQ socket for the whole
    cell timeout. That wait can miss the socket's wake-up (seen after cells that display
    ipywidgets, cf. jupyter/nbclient#312): the reply is already there, the kernel is idle,
    and the client sleeps until the timeout runs out, then carries on as if nothing happened
    (a 30-minute stall of ``make book`` under an 1800 s timeout; 300 s stalls here before
    this). Looking again every second, with a non-blocking check first, bounds such a miss
    to a second; the cell timeout still applies in full.
    """
    get = channel.get_msg

    async def get_msg(timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                return await get(timeout=0)
            except queue.Empty:
                pass
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise queue.Empty
            try:
                return await get(timeout=step if left is None else min(step, left))
            except queue.Empty:
                continue

    channel.get_msg = get_msg


def _client_class():
    from nbclient import NotebookClient

    class Client(NotebookClient):
        async def async_start_new_kernel_client(self):
            kc = await super().async_start_new_kernel_client()
            _poll_in_steps(kc.shell_channel)
            _poll_in_steps(kc.iopub_channel)
            return kc

    return Client


def execute(path, *, timeout, inplace, record):
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = _client_class()(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,  # stripped below
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
    pause, before = longest_pause(nb)
    print(f"{path}: executed in {seconds:.1f} s (slowest cell: {index}, {slowest:.1f} s; "
          f"longest pause between cells: {pause:.1f} s, before cell {before})", flush=True)
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
                        default=int(os.environ.get("LOSSBOOK_CELL_TIMEOUT", 600)),
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
