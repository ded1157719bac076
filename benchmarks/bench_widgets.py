"""Widget latency on the Python side: p50/p95 over slider moves drawn from each control's range.

For every widget of the book the same sequence of moves (one control at a time, a random value
inside its range, as a reader would) is timed two ways, each with the computation caches
emptied first:

- ``update``: the widget itself — setting ``control.value`` runs the cached computation,
  updates the persistent figure's artists in place and encodes the PNG the browser receives
  (``widget.image.value``); a value seen before is served from the cache;
- ``rebuild``: what the widget did before it updated in place — a new figure from
  ``render_*`` for the same values, drawn and saved as PNG with a tight bounding box (as
  IPython's inline display does), then closed.

``update`` is also timed in CPU seconds of this process (``time.process_time``): on a shared,
loaded machine the wall time mostly measures the other processes, the CPU time much less.
The machine load (``uptime``) is printed before and after. No assertion: a benchmark.
Run: python benchmarks/bench_widgets.py [moves]   (default 20 moves per widget)
"""
import contextlib
import io
import os
import subprocess
import sys
import time
import warnings

import ipywidgets as W
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import lossbook as lb  # noqa: E402
from lossbook.widgets import clear_caches  # noqa: E402


def builders():
    """name -> a function building the widget with arguments like the chapters'."""
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    model = lb.feedforward(3, (), "relu")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=3), X, y)
    params, _ = lb.find_critical_point(obj, model.init(0))
    three = (np.array([[-1.0], [0.0], [1.0]]), np.array([1.0, -1.0, 1.0]))
    return {
        "slice_explorer": lambda: lb.slice_explorer(obj, params),
        "neuron_loss_explorer": lambda: lb.neuron_loss_explorer(),
        "census_explorer": lambda: lb.census_explorer(),
        "census_explorer (separable)": lambda: lb.census_explorer(
            data="separable", n_samples=20, n_neurons=1, p=3),
        "counterexample_explorer": lambda: lb.counterexample_explorer(),
        "dead_relu_explorer": lambda: lb.dead_relu_explorer(),
        "population_explorer": lambda: lb.population_explorer(),
        "sphere_condition_explorer": lambda: lb.sphere_condition_explorer(),
        "monomial_degree_explorer": lambda: lb.monomial_degree_explorer(degree=1),
        "exponential_neuron_explorer": lambda: lb.exponential_neuron_explorer(
            {"three points": three}),
        "chain_path_explorer": lambda: lb.chain_path_explorer(*three),
    }


def sample(control, rng):
    """A random value inside the control's range (on its step grid)."""
    if isinstance(control, W.FloatLogSlider):
        k = np.round(rng.uniform(control.min, control.max) / control.step) * control.step
        return float(control.base ** k)
    if isinstance(control, W.IntSlider):
        return int(rng.integers(control.min, control.max + 1) // control.step * control.step)
    if isinstance(control, W.FloatSlider):
        k = rng.integers(0, int(round((control.max - control.min) / control.step)) + 1)
        return float(control.min + k * control.step)
    if hasattr(control, "options"):
        options = list(control.options)
        value = options[int(rng.integers(len(options)))]
        return value[1] if isinstance(value, tuple) else value
    return control.value


def moves(box, n, rng):
    """n moves: (control name, value), one control at a time, each value differing from the last."""
    current = dict(box.defaults)
    out = []
    names = list(box.controls)
    while len(out) < n:
        name = names[int(rng.integers(len(names)))]
        value = sample(box.controls[name], rng)
        if value != current[name]:
            current[name] = value
            out.append((name, value, dict(current)))
    return out


def rebuild_png(render, values):
    fig = render(**values)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main(n_moves=20):
    rng = np.random.default_rng(0)
    lb.set_style()
    print(f"load before: {load()}  ({os.cpu_count()} CPUs)")
    print(f"{'widget':<30} {'update p50':>10} {'p95':>6} {'cpu p50':>8} {'p95':>6} "
          f"{'rebuild p50':>11} {'p95':>6}   ms, {n_moves} moves")
    for name, build in builders().items():
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            clear_caches()
            box = build()  # draws the default view once
            seq = moves(box, n_moves, rng)
            update, cpu = [], []
            for control, value, _ in seq:
                t, c = time.perf_counter(), time.process_time()
                box.controls[control].value = value  # observer: compute, update, PNG
                update.append(1000 * (time.perf_counter() - t))
                cpu.append(1000 * (time.process_time() - c))
            clear_caches()
            rebuild = []
            for _, _, values in seq:
                t = time.perf_counter()
                rebuild_png(box.render, values)
                rebuild.append(1000 * (time.perf_counter() - t))
        u50, u95 = np.percentile(update, [50, 95])
        c50, c95 = np.percentile(cpu, [50, 95])
        r50, r95 = np.percentile(rebuild, [50, 95])
        print(f"{name:<30} {u50:10.0f} {u95:6.0f} {c50:8.0f} {c95:6.0f} {r50:11.0f} {r95:6.0f}")
        sys.stdout.flush()
    print(f"load after: {load()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
