"""Widget latency: p50/p95 of each widget's render over slider values drawn from its own ranges.

Every widget is built by ``lossbook.make_widget``, which attaches the pure render function
(``widget.render``) and the default values; here each render is called with the defaults and
with random values inside each control's range, as a reader moving the sliders would.
Goal: p95 ≤ 100 ms. Prints a table; no assertion.
Run: python benchmarks/bench_widgets.py [repeats]
"""
import contextlib
import io
import sys
import time
import warnings

import ipywidgets as W
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import lossbook as lb  # noqa: E402


def builders():
    X, y = lb.make_shared_coordinate_data(40, random_state=0)
    model = lb.feedforward(3, (), "relu")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=3), X, y)
    params, _ = lb.find_critical_point(obj, model.init(0))
    three = (np.array([[-1.0], [0.0], [1.0]]), np.array([1.0, -1.0, 1.0]))
    found = {
        "slice_explorer": lambda: lb.slice_explorer(obj, params),
        "neuron_loss_explorer": lambda: lb.neuron_loss_explorer(),
        "census_explorer": lambda: lb.census_explorer(),
        "counterexample_explorer": lambda: lb.counterexample_explorer(),
        "dead_relu_explorer": lambda: lb.dead_relu_explorer(),
        "population_explorer": lambda: lb.population_explorer(),
        "sphere_condition_explorer": lambda: lb.sphere_condition_explorer(),
        "monomial_degree_explorer": lambda: lb.monomial_degree_explorer(),
        "exponential_neuron_explorer": lambda: lb.exponential_neuron_explorer({"three points": three}),
        "chain_path_explorer": lambda: lb.chain_path_explorer(*three),
    }
    return {k: v for k, v in found.items() if hasattr(lb, k)}


def controls_of(box):
    """The control widgets of a make_widget box, by name, in the order of box.defaults."""
    widgets = [w for w in box.children[0].children]
    return dict(zip(box.defaults, widgets, strict=True))


def sample(control, rng):
    if isinstance(control, W.FloatLogSlider):
        return float(control.base ** rng.uniform(control.min, control.max))
    if isinstance(control, W.IntSlider):
        return int(rng.integers(control.min, control.max + 1))
    if isinstance(control, (W.FloatSlider,)):
        return float(np.round(rng.uniform(control.min, control.max) / control.step) * control.step)
    if hasattr(control, "options"):
        options = list(control.options)
        value = options[int(rng.integers(len(options)))]
        return value[1] if isinstance(value, tuple) else value
    return control.value


def main(repeats=20):
    rng = np.random.default_rng(0)
    print(f"{'widget':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for name, build in builders().items():
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            box = build()  # building draws the default view once, off screen here
        controls = controls_of(box)
        times = []
        for i in range(repeats):
            values = dict(box.defaults) if i == 0 else {k: sample(c, rng) for k, c in controls.items()}
            t = time.perf_counter()
            fig = box.render(**values)
            fig.canvas.draw()  # include drawing, as the browser would show it
            times.append(1000 * (time.perf_counter() - t))
            plt.close(fig)
        p50, p95 = np.percentile(times, [50, 95])
        worst = max(worst, p95)
        print(f"{name:<30} {p50:8.0f} {p95:8.0f} {max(times):8.0f}")
    print(f"worst p95: {worst:.0f} ms (goal: <= 100 ms)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
