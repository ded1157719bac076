"""Where a widget's move goes on the Python side: compute + draw, paint, PNG encode.

For every widget of ``bench_widgets.py`` (same builders, same random moves, caches emptied
first) each move is split into

- ``paint``: :meth:`lossbook.widgets.Scene.paint` (the Agg rendering: a full draw, or the
  background restored and the moving artists drawn over it);
- ``png``: encoding the pixels as the PNG the browser receives;
- ``rest``: everything else (the cached computation of the control value and the in-place
  update of the artists);

and the share of moves whose paint drew the whole figure (``full``: the static part changed,
e.g. the axes limits or tick labels, or an axes draws its ticks over a moving artist) is
printed. Milliseconds, p50 over the moves; the machine load (``uptime``) before and after.
No assertion: a benchmark, to find what to cut.
Run: python benchmarks/bench_widgets_phases.py [moves]   (default 20 moves per widget)
"""
import contextlib
import io
import os
import sys
import time
import warnings

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from bench_widgets import builders, load, moves  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import lossbook as lb  # noqa: E402
from lossbook import widgets as wm  # noqa: E402


class Phases:
    """Wraps Scene.paint, the PNG encoder and the Agg full draw to time and count them."""

    def __init__(self):
        self.reset()
        self._paint, self._enc, self._draw = wm.Scene.paint, wm._png, FigureCanvasAgg.draw

    def _timed(self, fn, attr):
        # fn, adding its run time to self.<attr>
        def timed(*args):
            t = time.perf_counter()
            try:
                return fn(*args)
            finally:
                setattr(self, attr, getattr(self, attr) + time.perf_counter() - t)
        return timed

    def __enter__(self):
        def draw(canvas):
            self.full += 1
            return self._draw(canvas)

        wm.Scene.paint, wm._png = self._timed(self._paint, "paint"), self._timed(self._enc, "png")
        FigureCanvasAgg.draw = draw
        return self

    def __exit__(self, *exc):
        wm.Scene.paint, wm._png, FigureCanvasAgg.draw = self._paint, self._enc, self._draw

    def reset(self):
        self.paint = self.png = 0.0
        self.full = 0


def main(n_moves=20):
    rng = np.random.default_rng(0)
    lb.set_style()
    print(f"load before: {load()}  ({os.cpu_count()} CPUs)")
    print(f"{'widget':<30} {'total':>6} {'rest':>6} {'paint':>6} {'png':>5} {'full':>5}"
          f"   ms p50, {n_moves} moves")
    for name, build in builders().items():
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                Phases() as ph:
            warnings.simplefilter("ignore")
            wm.clear_caches()
            box = build()
            rows = []
            for control, value, _ in moves(box, n_moves, rng):
                ph.reset()
                t = time.perf_counter()
                box.controls[control].value = value
                total = time.perf_counter() - t
                rows.append((total, total - ph.paint - ph.png, ph.paint, ph.png, ph.full > 0))
        a = 1000 * np.median(np.array(rows)[:, :4], axis=0)
        full = np.mean([r[4] for r in rows])
        print(f"{name:<30} {a[0]:6.0f} {a[1]:6.0f} {a[2]:6.0f} {a[3]:5.0f} {full:5.0%}")
        sys.stdout.flush()
    print(f"load after: {load()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
