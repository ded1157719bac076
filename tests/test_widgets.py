"""The widgets' fast paint paths give the pixels of a plain matplotlib draw.

A widget paints its figure by blitting (``Scene.paint``: a background of the static part, the
moving artists drawn over it) on an Agg canvas whose text comes from a cache
(``lossbook._textcache``). Both must be invisible: after any sequence of moves, the PNG the
widget sends is the full draw of the same figure, pixel for pixel.
"""
import io

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

import lossbook as lb  # noqa: E402
from lossbook._textcache import _Canvas, text_cached_canvas  # noqa: E402


def _rgb(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _pixels(canvas):
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_cached_text_draws_the_same_pixels():
    fig = Figure(figsize=(4, 3), dpi=80)
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], label="σ(z) = log(1 + eᶻ)")
    ax.set(title="a title: ℓ'(z), λ = 0.05", xlabel="x₁", ylabel="rotated label")
    ax.text(0.1, 0.5, "two lines\nof text", transform=ax.transAxes, rotation=30, fontsize=7,
            bbox=dict(fc="white"))
    ax.text(0.5, 0.2, "mono", family="monospace", antialiased=False)
    ax.text(0.6, 0.8, r"$\alpha^2$ math")  # mathtext: matplotlib's own path
    ax.legend()
    plain = _pixels(FigureCanvasAgg(fig))
    canvas = text_cached_canvas(fig)
    assert isinstance(canvas, _Canvas)
    first, again = _pixels(canvas), _pixels(canvas)  # a cold cache, then a warm one
    assert np.array_equal(first, plain) and np.array_equal(again, plain)
    ax.set_xlim(0.013, 1.37)  # the tick labels move by fractions of a pixel
    assert np.array_equal(_pixels(canvas), _pixels(FigureCanvasAgg(fig)))


def _move(box, name, k):
    """Move slider ``name`` by ``k`` steps (inside its range)."""
    c = box.controls[name]
    if isinstance(c, lb.widgets.W.FloatLogSlider):
        e = np.clip(np.log10(c.value) + k * c.step, c.min, c.max)
        c.value = float(10 ** e)
    else:
        c.value = type(c.value)(np.clip(c.value + k * c.step, c.min, c.max))


WIDGETS = {
    "neuron_loss": (lambda: lb.neuron_loss_explorer(), [("p", 1), ("p", 2), ("loss", "logistic"),
                                                       ("activation", "leaky_relu"),
                                                       ("slope", 1), ("p", -1)]),
    "population": (lambda: lb.population_explorer(), [("pos_point", 1), ("neg_low", 2),
                                                      ("neg_width", -3), ("pos_point", 20)]),
    "dead_relu": (lambda: lb.dead_relu_explorer(1.0, radius=3.0), [("kappa", 1), ("radius", 1),
                                                                   ("kappa", -2)]),
    "monomial": (lambda: lb.monomial_degree_explorer(degree=1, data_degree=2),
                 [("degree", 1), ("data_degree", 1), ("degree", 2), ("data_degree", -2)]),
    "sphere": (lambda: lb.sphere_condition_explorer(2.0, n_samples=16, seed=0),
               [("ratio", 1), ("seed", 1), ("ratio", -40)]),
}


@pytest.mark.parametrize("name", list(WIDGETS))
def test_widget_paint_is_the_full_draw(name):
    build, moves = WIDGETS[name]
    box = build()
    assert box.scene.live
    for control, step in moves:
        if isinstance(step, str):
            box.controls[control].value = step
        else:
            _move(box, control, step)
        sent = _rgb(box.image.value)
        full = box.scene.full_pixels()
        assert sent.shape == full.shape
        assert np.array_equal(sent, full), f"{name}: {control} moved, blitted != full draw"
    # back to the defaults: the same PNG as the first view (the frames rely on box.png)
    assert np.array_equal(_rgb(box.png(**box.defaults)), _rgb(box.png(**box.defaults)))


def test_static_render_is_not_blitted():
    """``render_*`` figures (the static book) are plain figures: nothing animated."""
    fig = lb.widgets.render_population_minimisers()
    assert not any(a.get_animated() for a in fig.findobj())
    matplotlib.pyplot.close(fig)


def _full_draws(box):
    """A counter of the full canvas draws of ``box``'s live Scene (a move that blits makes none)."""
    canvas = box.scene.fig.canvas
    draw, count = canvas.draw, [0]

    def counted(*args, **kw):
        count[0] += 1
        return draw(*args, **kw)
    canvas.draw = counted
    return count


def test_dead_relu_axes_stay_put_as_kappa_moves():
    """At one radius the loss axis and the colour scale span every κ of the slider (so a κ move
    only blits), and no value falls outside them."""
    from lossbook.widgets import _dead_relu_data

    for radius in (0.5, 3.0, 6.0):
        data = [_dead_relu_data(k, radius, (4,), 16, 41, 0) for k in (0.05, 0.3, 0.75, 1.0, 1.55, 2.0)]
        assert len({d["ylim"] for d in data}) == 1 and len({d["clim"] for d in data}) == 1
        for d in data:
            assert d["ylim"][0] < d["values"].min() and d["values"].max() < d["ylim"][1]
            assert d["clim"][0] <= d["vals"].min() and d["vals"].max() <= d["clim"][1]
    box = lb.dead_relu_explorer(1.0, radius=3.0)
    draws = _full_draws(box)
    for _ in range(3):
        _move(box, "kappa", 1)
    assert draws[0] == 0
    _move(box, "radius", 1)  # a new window: drawn whole
    assert draws[0] == 1


def test_sphere_condition_moves_mostly_blit():
    box = lb.sphere_condition_explorer(2.0, n_samples=16, seed=0)
    draws = _full_draws(box)
    _move(box, "ratio", 1)
    _move(box, "ratio", 1)
    assert draws[0] == 0


def test_population_widget_at_an_end_of_the_interval():
    """pos_point = neg_low + neg_width: the hinge has no minimiser, and the legend says so; a
    slider's float rounding (1.2500000000000002) is read as the grid value."""
    box = lb.population_explorer()
    box.controls["neg_low"].value = 0.25
    label = box.scene._art["fit1"].get_label()
    assert "no minimiser" in label and not np.isfinite(box.scene._art["fit1"].get_ydata()).any()
    assert np.array_equal(_rgb(box.png(pos_point=1.2500000000000002, neg_low=0.25, neg_width=1.0)),
                          _rgb(box.png(pos_point=1.25, neg_low=0.25, neg_width=1.0)))
    fig = lb.widgets.render_population_minimisers(1.25, 0.25, 1.0)  # the static figure too
    assert any("no minimiser" in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    matplotlib.pyplot.close(fig)


def test_slider_grids_contain_the_defaults_and_echoes_render_nothing():
    """A frontend snaps a slider's value to its grid (min + k·step in its own arithmetic) and
    sends the result back: the default must lie on the grid, and that echo must not render."""
    import math

    import ipywidgets as W

    from lossbook.widgets import _log_slider, _on_grid, _slider

    angle = _slider(0.0, -math.pi, math.pi, 0.05)
    radius = _log_slider(0.5, -2, 1)
    for c, x0 in ((angle, 0.0), (radius, math.log10(0.5))):
        k = (x0 - c.min) / c.step
        assert abs(k - round(k)) < 1e-9 and c.min >= (-math.pi if c is angle else -2) - 1e-12
    assert (angle.min, angle.max) == (-0.05 * 62, 0.05 * 62)
    same = _slider(0.1, 0.0, 0.9, 0.05)  # already on its grid: the bounds as given
    assert (same.min, same.max, same.step) == (0.0, 0.9, 0.05)
    # the echoes seen from JupyterLab's sliders for these two defaults
    assert _on_grid(angle, -3.1 + 62 * 0.05, 0.0) == 0.0
    assert _on_grid(radius, 0.49999999999999967, 0.5) == 0.5
    assert _on_grid(angle, -3.1 + 63 * 0.05, 0.0) == 0.05  # a real move: the grid's value
    assert _on_grid(angle, 0.123, 0.0) == 0.123  # not near the grid: as given
    calls = []

    def render(x, r):
        calls.append((x, r))
        fig = Figure(figsize=(1, 1))
        fig.add_subplot().plot([0, 1], [0, x + r])
        return fig

    box = lb.widgets.make_widget(render, {"x": angle, "r": radius})
    angle.value = -3.1 + 62 * 0.05
    radius.value = 0.49999999999999967
    assert calls == [(0.0, 0.5)]
    angle.value = -3.1 + 63 * 0.05
    assert calls == [(0.0, 0.5), (0.05, 0.5)] and isinstance(box.controls["x"], W.FloatSlider)
