"""Interactive widgets. Each renders through a pure function ``render_*(**values)`` that
returns a matplotlib Figure, so tests and benchmarks call it without a browser, and the
static book shows ``render_*(**defaults)`` as a plain figure.

A widget is built by :func:`make_widget` from a render function and its controls; the
render function is attached as ``widget.render`` and the defaults as ``widget.defaults``.
"""
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as onp

from .landscape import Objective, loss_slice_2d
from .plotting import plot_slice_2d


def make_widget(render, controls):
    """An ipywidgets box: ``controls`` (name → widget) drive ``render(**values)``.

    The figure is redrawn in an Output area whenever a control changes.
    """
    if not callable(render):
        raise TypeError("render: expected a callable returning a matplotlib Figure")
    if not isinstance(controls, dict) or not controls:
        raise ValueError("controls: expected a non-empty dict of name -> ipywidget")
    out = W.Output()

    def redraw(_=None):
        with out:
            out.clear_output(wait=True)
            fig = render(**{k: c.value for k, c in controls.items()})
            plt.show(fig)
            plt.close(fig)

    for c in controls.values():
        c.observe(redraw, names="value")
    box = W.VBox([W.HBox(list(controls.values())), out])
    box.render = render
    box.defaults = {k: c.value for k, c in controls.items()}
    redraw()
    return box


def render_slice(objective, params, *, radius=1.0, seed=0, resolution=31):
    """2-D slice of L around ``params`` along two random directions drawn with ``seed``."""
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
    if not radius > 0:
        raise ValueError(f"radius: expected a positive number, got {radius}")
    grid = onp.linspace(-radius, radius, int(resolution))
    s, t, values = loss_slice_2d(objective, params, s=grid, t=grid, random_state=int(seed))
    fig, ax = plt.subplots(figsize=(5.2, 4))
    plot_slice_2d(s, t, values, ax=ax, title=f"loss around the point (radius {radius:g})")
    return fig


def slice_explorer(objective, params, *, radius=1.0):
    """Widget: zoom (radius) and turn (seed of the two random directions) a 2-D loss slice."""
    def render(radius, seed):
        return render_slice(objective, params, radius=radius, seed=seed)

    controls = {"radius": W.FloatLogSlider(value=radius, base=10, min=-3, max=1, description="radius"),
                "seed": W.IntSlider(value=0, min=0, max=20, description="directions")}
    return make_widget(render, controls)
