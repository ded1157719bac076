"""Interactive widgets. Each renders through a pure function ``render_*(**values)`` that
returns a matplotlib Figure, so tests and benchmarks call it without a browser, and the
static book shows ``render_*(**defaults)`` as a plain figure.

A widget draws its figure once and then updates it in place: every figure is drawn by a
function ``_draw_*(scene, data, **values)`` on a ``Scene``, which creates each artist
(line, image, text, bars) on the first call and only changes its data on later calls, and
the expensive part (``_*_data``, the slices, certificates and censuses) is cached per
control value (``functools.lru_cache``). ``render_*`` calls the same draw function on a new
figure, so the notebook widget, the static figure and the static book's frames
(``lossbook/frames.py``) come from one implementation.

A widget's figure is painted by blitting (:meth:`Scene.paint`: the static part kept as
pixels, the moving artists drawn over it) on an Agg canvas whose text rendering is cached
(:mod:`lossbook._textcache`); both give the pixels of a plain full draw
(``tests/test_widgets.py``).

A widget is built by :func:`make_widget`: an ``ipywidgets`` box of the controls and an
``Image`` that shows the persistent figure as PNG. The render function is attached as
``widget.render``, the defaults as ``widget.defaults``, and ``widget.png(**values)`` draws
the figure for other values (the frames and benchmarks use it).
"""
import functools
import io
import math
import weakref

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as onp
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ._textcache import text_cached_canvas
from ._validation import check_choice, check_int, check_random_state, check_range, check_real, check_str, check_Xy
from .activations import _derivatives as _act_derivatives
from .landscape import Objective, loss_slice_2d
from .models import _check_hidden

#: Resolution of the PNG a widget sends to the browser (the book's figures use 100 dpi).
WIDGET_DPI = 80
_CACHE = 256  # results kept per cached computation
_BLIT = True  # widgets paint by blitting (Scene.paint); False: a full draw per move (to compare)


class Scene:
    """One figure whose artists are made on the first draw and updated in place afterwards.

    Each artist is named by a key; ``scene.line(ax, "loss", x, y)`` plots on the first call
    and calls ``set_data`` on later ones. ``layout(key)`` clears the figure when the kind of
    figure changes (e.g. 2-D data after 1-D data); :meth:`finish` lays the figure out once.

    A ``live`` scene (a widget's) paints by blitting (:meth:`paint`): the static part of the
    figure (axes, ticks, labels, colour bars) is kept as a pixel background, and a move draws
    only the Scene's artists and what lies above them (spines, legends) plus the titles. When
    the static part changed (an axes' limits, scales, labels or position) or an axes draws its
    ticks or grid above a Scene artist, everything is drawn (the background is taken again).
    The result is the same pixels as a full draw of the figure
    (``tests/test_widgets.py`` compares them); an artist not made through the Scene is
    static: change it only through the Scene, or with the axes limits or labels.
    """

    def __init__(self, fig, *, live=False):
        self.fig = fig
        self.axes = None
        self._art = {}
        self._layout = None
        self.new = True
        self.live = bool(live)
        self._forget()

    def _forget(self):
        """Drop the pixel background (the next :meth:`paint` draws everything)."""
        self._bg, self._keys, self._size = None, {}, None

    def layout(self, key):
        """Start over (clear the figure) if ``key`` differs from the previous draw's."""
        if self._layout is not None and key != self._layout:
            self.fig.clear()
            self.axes, self._art, self.new = None, {}, True
            self._forget()
        self._layout = key

    def subplots(self, nrows=1, ncols=1, *, figsize, **kw):
        """The axes (made on the first draw): ``fig.subplots(nrows, ncols)``, or for a list of
        lists of names as ``nrows``, ``fig.subplot_mosaic(nrows)`` (a dict name → axes)."""
        if self.axes is None:
            self.fig.set_size_inches(*figsize)
            self.axes = (self.fig.subplot_mosaic(nrows, **kw) if isinstance(nrows, list)
                         else self.fig.subplots(nrows, ncols, **kw))
        return self.axes

    def _made(self, key, make):
        if key in self._art:
            return self._art[key], False
        self._art[key] = art = make()
        return art, True

    def line(self, ax, key, x, y, fmt=None, *, label=None, **kw):
        args = (x, y) if fmt is None else (x, y, fmt)
        art, made = self._made(key, lambda: ax.plot(*args, label=label, **kw)[0])
        if not made:
            art.set_data(x, y)
            if label is not None:
                art.set_label(label)
        return art

    def vline(self, ax, key, x, *, label=None, **kw):
        art, made = self._made(key, lambda: ax.axvline(x, label=label, **kw))
        if not made:
            art.set_xdata([x, x])
            if label is not None:
                art.set_label(label)
        return art

    def hline(self, ax, key, y, **kw):
        art, made = self._made(key, lambda: ax.axhline(y, **kw))
        if not made:
            art.set_ydata([y, y])
        return art

    def vspan(self, ax, key, x0, x1, **kw):
        art, made = self._made(key, lambda: ax.axvspan(x0, x1, **kw))
        if not made:
            art.set_x(x0)
            art.set_width(x1 - x0)
        return art

    def text(self, ax, key, x, y, s, **kw):
        art, made = self._made(key, lambda: ax.text(x, y, s, **kw))
        if not made:
            art.set_text(s)
            art.set_position((x, y))
        return art

    def scatter(self, ax, key, x, y, *, sizes=None, colors=None, **kw):
        def make():
            return ax.scatter(x, y, s=sizes, c=colors, **kw)
        art, made = self._made(key, make)
        if not made:
            art.set_offsets(onp.column_stack([x, y]) if len(x) else onp.empty((0, 2)))
            if sizes is not None:
                art.set_sizes(onp.broadcast_to(sizes, (len(x),)) if onp.ndim(sizes) else [sizes])
            if colors is not None:
                art.set_facecolor(colors)
        return art

    def image(self, ax, key, s, t, values, *, label="loss", clim=None, zorder=None):
        """``values[i, j]`` at (s[j], t[i]) as an image with a colour bar (updated in place).

        ``clim``: the colour scale (lo, hi), by default the values' range; ``zorder``: the
        image's (matplotlib's default 0 puts it below the axes' ticks, so that a live Scene
        draws the whole figure on every paint; above ``ax.set_axisbelow(True)``'s 0.5 it
        can be blitted)."""
        extent = (s[0], s[-1], t[0], t[-1])
        lo, hi = clim if clim is not None else (float(onp.min(values)), float(onp.max(values)))
        hi = hi if hi > lo else lo + 1e-12

        def make():
            im = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap="viridis",
                           interpolation="bilinear", vmin=lo, vmax=hi,
                           **({} if zorder is None else {"zorder": zorder}))
            self.fig.colorbar(im, ax=ax, label=label)
            return im
        im, made = self._made(key, make)
        if not made:
            im.set_data(values)
            im.set_extent(extent)
            im.set_clim(lo, hi)
        ax.set(xlim=extent[:2], ylim=extent[2:])
        return im

    def bars(self, ax, key, x, heights, *, bottom=None, horizontal=False, colors=None, **kw):
        """A bar chart with a fixed number of bars; heights (and bottoms, colours) updated."""
        def make():
            if horizontal:
                return ax.barh(x, heights, color=colors, **kw)
            return ax.bar(x, heights, bottom=bottom, color=colors, **kw)
        bars, made = self._made(key, make)
        if not made:
            base = onp.zeros(len(heights)) if bottom is None else onp.asarray(bottom, float)
            for i, rect in enumerate(bars.patches):
                if horizontal:
                    rect.set_width(heights[i])
                else:
                    rect.set_height(heights[i])
                    rect.set_y(base[i])
                if colors is not None and not isinstance(colors, str):
                    rect.set_facecolor(colors[i])
        return bars

    def annotate(self, ax, key, xy, xytext, **kw):
        art, made = self._made(key, lambda: ax.annotate("", xy=xy, xytext=xytext, **kw))
        if not made:
            art.xy = xy
            art.set_position(xytext)
        return art

    def remove(self, key):
        """Remove an artist (or a list of them) made by the previous draw, if any."""
        art = self._art.pop(key, None)
        for a in (art if isinstance(art, list) else [art] if art is not None else []):
            a.remove()

    def keep(self, key, artists):
        """Store artists drawn directly (e.g. bar labels) so that :meth:`remove` finds them."""
        self._art[key] = list(artists)

    @staticmethod
    def rescale(ax, *, x=True, y=True):
        ax.relim()
        ax.autoscale_view(scalex=x, scaley=y)

    def finish(self):
        """Lay the figure out on its first draw only (titles may change, the layout does not)."""
        if self.new:
            self.fig.tight_layout()
            self.new = False
        return self.fig

    # -- painting by blitting (live scenes) ----------------------------------------------------
    def _mine(self):
        """ids of the artists made through the Scene (bars: their rectangles)."""
        out = set()
        for art in self._art.values():
            for a in art if isinstance(art, (list, tuple)) else [art]:
                out.add(id(a))
                for p in getattr(a, "patches", ()):  # a BarContainer
                    out.add(id(p))
        return out

    def _plan(self):
        """Per axes, the artists drawn over the background; the axes that have none.

        Drawn over the background on every paint: the Scene's artists, every other artist of
        the same axes at or above the lowest of their z-orders (spines, legends: so the
        stacking is unchanged) and the titles. An axes whose ticks or grid would lie above one
        of its Scene's artists (an image, bars, markers: z-order below the axis) is in
        ``whole``: nothing of it is left out of the static draw, and the figure is drawn
        whole on every paint."""
        from matplotlib.axis import Axis

        mine = self._mine()
        plan, whole = [], set()
        for ax in sorted(self.fig.axes, key=lambda a: a.get_zorder()):
            kids = ax.get_children()
            kids.remove(ax.patch)
            if not (ax.axison and ax.get_frame_on()):
                kids = [k for k in kids if k not in ax.spines.values()]
            titles = {id(ax.title), id(ax._left_title), id(ax._right_title)}
            own = [k for k in kids if id(k) in mine]
            zmin = min((k.get_zorder() for k in own), default=onp.inf)
            live, grid_above = [], False
            for k in kids:
                if isinstance(k, Axis):  # its ticks and grid reach into the axes
                    grid_above |= k.get_zorder() >= zmin and ax.axison and k.get_visible()
                elif id(k) in mine or id(k) in titles or k.get_zorder() >= zmin:
                    live.append(k)
            if grid_above:
                whole.add(ax)
                live = []
            for k in kids:
                if not isinstance(k, Axis):
                    k.set_animated(k in live)
            plan.append((ax, sorted(live, key=lambda a: a.get_zorder())))
        top = [t for t in self.fig.texts if t.get_visible()]  # the suptitle
        for t in top:
            t.set_animated(True)
        return plan, whole, top

    def _key(self, ax):
        """What the pixels of ``ax``'s static part depend on (besides its artists' data)."""
        return (tuple(ax.get_position().bounds), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(),
                ax.get_yscale(), ax.get_xlabel(), ax.get_ylabel(), ax.axison,
                id(ax.xaxis.get_major_locator()), id(ax.yaxis.get_major_locator()),
                id(ax.xaxis.get_major_formatter()), id(ax.yaxis.get_major_formatter()))

    def paint(self):
        """Draw the figure on its Agg canvas and return the canvas (see the class docstring);
        a scene that is not live draws everything."""
        canvas = self.fig.canvas
        if not self.live:
            canvas.draw()
            return canvas
        plan, whole, top = self._plan()
        renderer = canvas.get_renderer()
        size = canvas.get_width_height()
        axes = [ax for ax, _ in plan]
        others = [a for a in self.fig.get_children()
                  if a is not self.fig.patch and a not in axes and a not in top]
        keys = {ax: self._key(ax) for ax in axes}
        if (self._bg is None or whole or size != self._size or keys != self._keys
                or any(a.get_visible() for a in others)):
            canvas.draw()  # the static part (animated artists are left out)
            self._bg = canvas.copy_from_bbox(self.fig.bbox)
            # taken after the draw: an axes locator (a colour bar's) places its axes in it
            self._size, self._keys = size, {ax: self._key(ax) for ax in axes}
        else:
            canvas.restore_region(self._bg)
        for _, live in plan:
            for a in live:
                a.draw(renderer)
        for t in top:
            t.draw(renderer)
        return canvas

    def full_pixels(self):
        """RGB pixels of a full draw of the figure, nothing blitted (what :meth:`paint` must
        equal; the next paint starts over)."""
        animated = [a for a in self.fig.findobj() if a.get_animated()]
        for a in animated:
            a.set_animated(False)
        try:
            self.fig.canvas.draw()
            return onp.asarray(self.fig.canvas.buffer_rgba())[..., :3].copy()
        finally:
            for a in animated:
                a.set_animated(True)
            self._forget()


def _render(draw, data, **values):
    """A new pyplot figure drawn by ``draw`` (the static view of a widget)."""
    scene = Scene(plt.figure())
    draw(scene, data, **values)
    return scene.finish()


def figure_png(fig, *, dpi=WIDGET_DPI, scene=None):
    """PNG bytes of ``fig`` drawn once at ``dpi`` (no tight bounding box: the layout is fixed,
    and a tight box would cost a second draw); with ``scene`` (``fig``'s live Scene) painted
    by :meth:`Scene.paint`."""
    if fig.dpi != dpi:
        fig.set_dpi(dpi)
    if scene is not None:
        canvas = scene.paint()
    else:
        canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        canvas.draw()
    return _png(onp.asarray(canvas.buffer_rgba()))


def _png(rgba):
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgba[..., :3]).save(buf, format="png", compress_level=1)
    return buf.getvalue()


_CACHES = weakref.WeakSet()


def cached(fn=None, *, maxsize=_CACHE):
    """``functools.lru_cache`` for a computation keyed by control values (a decorator, or a
    wrapper of a closure); :func:`clear_caches` empties every such cache."""
    if fn is None:
        return functools.partial(cached, maxsize=maxsize)
    wrapped = functools.lru_cache(maxsize=maxsize)(fn)
    _CACHES.add(wrapped)
    return wrapped


def clear_caches():
    """Forget every cached widget computation (benchmarks measure cold renders with it)."""
    for fn in list(_CACHES):
        fn.cache_clear()


def _grid_bounds(v0, lo, hi, step):
    """(min, max) of a grid ``step`` apart within [lo, hi] that contains v0 (lo and hi kept
    when v0 already lies on their grid)."""
    n_lo = (v0 - lo) / step
    if abs(n_lo - round(n_lo)) < 1e-9:
        return lo, hi
    return v0 - step * math.floor(n_lo + 1e-9), v0 + step * math.floor((hi - v0) / step + 1e-9)


def _slider(value, lo, hi, step, **kw):
    """A FloatSlider whose grid contains ``value``: a frontend snaps the value to its grid and
    sends the snapped one back, which would be another render at another value."""
    lo, hi = _grid_bounds(float(value), lo, hi, step)
    return W.FloatSlider(value=value, min=lo, max=hi, step=step, **kw)


def _log_slider(value, lo, hi, step=0.1, **kw):
    """A FloatLogSlider (base 10, exponents from lo to hi) whose grid contains ``value``."""
    lo, hi = _grid_bounds(math.log10(value), lo, hi, step)
    return W.FloatLogSlider(value=value, base=10, min=lo, max=hi, step=step, **kw)


def _on_grid(control, value, default):
    """A slider's value as the frame grid has it (``frames.grid_value``): a value within
    rounding of a grid point (a frontend computes min + k·step, or base to that power, in its
    own arithmetic) becomes the grid point, and the default where it is the default; anything
    else is kept."""
    from .frames import grid_value

    if not isinstance(control, (W.FloatSlider, W.FloatLogSlider)) or not isinstance(value, float):
        return value
    log = isinstance(control, W.FloatLogSlider)
    if log and not value > 0:
        return value
    x = math.log(value) / math.log(control.base) if log else value
    k = (x - control.min) / control.step
    if not math.isfinite(k) or abs(k - round(k)) > 1e-6:
        return value
    v = grid_value(control, round(k))
    if isinstance(default, float) and abs(v - default) <= 1e-9 * max(1.0, abs(default)):
        return default
    return v


def make_widget(render, controls, *, draw=None, dpi=WIDGET_DPI, name=None):
    """An ipywidgets box: ``controls`` (name → widget) drive ``render(**values)``.

    With ``draw`` (``draw(scene, **values)``, see ``Scene``) the figure is drawn once and
    updated in place; without it each change renders a new figure through ``render``. Either
    way the figure is shown as a PNG in an ``ipywidgets.Image`` (``box.image``); ``box.png``
    draws the PNG for given values, ``box.render`` is ``render``, ``box.defaults`` the
    controls' initial values, ``box.controls`` the controls by name.

    ``name`` names the widget's frames for the static book: when ``LOSSBOOK_FRAMES`` is set
    (``make frames``), the widget renders them (``lossbook/frames.py``).
    """
    if not callable(render):
        raise TypeError("render: expected a callable returning a matplotlib Figure")
    if not isinstance(controls, dict) or not controls:
        raise ValueError("controls: expected a non-empty dict of name -> ipywidget")
    for key, c in controls.items():
        if not isinstance(c, W.ValueWidget):
            raise TypeError(f"controls: the control {key!r} is not an ipywidget with a value, "
                            f"got {type(c).__name__}")
    if draw is not None and not callable(draw):
        raise TypeError("draw: expected None or a callable draw(scene, **values)")
    dpi = check_real(dpi, "dpi", minimum=10.0, maximum=600.0)  # a smaller dpi: an empty PNG
    if name is not None:
        check_str(name, "name")
    scene = None
    if draw is not None:
        fig = Figure()
        text_cached_canvas(fig)
        scene = Scene(fig, live=_BLIT)

    def png(**values):
        if scene is None:
            fig = render(**values)
            try:
                return figure_png(fig, dpi=dpi)
            finally:
                plt.close(fig)
        draw(scene, **values)
        return figure_png(scene.finish(), dpi=dpi, scene=scene)

    image = W.Image(format="png")
    defaults = {k: c.value for k, c in controls.items()}
    shown = {}

    def redraw(_=None):
        values = {k: _on_grid(c, c.value, defaults[k]) for k, c in controls.items()}
        if values == shown:  # a frontend's echo of a value it snapped: the same figure
            return
        image.value = png(**values)
        shown.clear()
        shown.update(values)

    for c in controls.values():
        c.observe(redraw, names="value")
    box = W.VBox([W.HBox(list(controls.values())), image])
    box.render = render
    box.defaults = dict(defaults)
    box.controls = dict(controls)
    box.image = image
    box.png = png
    box.scene = scene
    redraw()
    if name is not None:
        from .frames import maybe_write_frames

        maybe_write_frames(box, name)
    return box


def _heavy(control):
    """A control whose change costs a computation: update on release, not while dragging."""
    control.continuous_update = False
    return control


# -- a 2-D slice around a point (part1_certifying) ----------------------------------------------
def _slice_data(objective, params, radius, seed, resolution):
    grid = onp.linspace(-radius, radius, int(resolution))
    return loss_slice_2d(objective, params, s=grid, t=grid, random_state=int(seed))


def _draw_slice(sc, data, *, radius, **_):
    s, t, values = data
    ax = sc.subplots(figsize=(5.2, 4))
    sc.image(ax, "slice", s, t, values)
    sc.line(ax, "point", [0], [0], "*", color="w", ms=12, mec="k")
    ax.set(xlabel="s (direction u)", ylabel="t (direction v)",
           title=f"loss around the point (radius {radius:g})")
    ax.grid(False)


def render_slice(objective, params, *, radius=1.0, seed=0, resolution=31):
    """2-D slice of L around ``params`` along two random directions drawn with ``seed``."""
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
    radius = check_real(radius, "radius", minimum=0.0, strict=True, maximum=1e6)
    seed = check_int(seed, "seed", minimum=0)
    resolution = check_int(resolution, "resolution", minimum=2, maximum=500)
    return _render(_draw_slice, _slice_data(objective, params, radius, seed, resolution),
                   radius=radius)


def slice_explorer(objective, params, *, radius=1.0):
    """Widget: zoom (radius) and turn (seed of the two random directions) a 2-D loss slice."""
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
    objective.flatten(params)  # raises for params that do not fit the objective's model
    radius = check_range(radius, "radius", 1e-3, 10.0)

    data = cached(lambda radius, seed: _slice_data(objective, params, radius, seed, 31))

    def render(radius, seed):
        return render_slice(objective, params, radius=radius, seed=seed)

    def draw(sc, radius, seed):
        _draw_slice(sc, data(radius=radius, seed=seed), radius=radius)

    controls = {"radius": _log_slider(radius, -3, 1, description="radius"),
                "seed": W.IntSlider(value=0, min=0, max=20, description="directions")}
    return make_widget(render, controls, draw=draw, name="slice_explorer")


# -- Part I: neurons and losses -------------------------------------------------------------------
_ICML_A1 = ("surrogate", "C^p", "non-decreasing", "flat exactly for z <= -z0")
_NI_A1 = ("non-decreasing", "C^2", "critical points global", "global minimisers < 0")


@cached
def _neuron_loss_data(activation, loss, p, slope):
    from .activations import check_neuron, get_activation
    from .losses import check_loss_assumption, get_loss

    act = (get_activation(activation, slope=slope) if activation == "leaky_relu"
           else get_activation(activation))
    ell = get_loss(loss, p=p) if loss in ("polynomial_hinge", "neurips_hinge") else get_loss(loss)
    z = onp.linspace(-3, 3, 601)
    d1, d2 = _act_derivatives(act.fn, z)
    chk = check_neuron(act)
    yn = lambda b: "yes" if b else "no"  # noqa: E731
    neuron_text = (f"class: {'/'.join(chk.classes) or 'none'}\n"
                   f"real analytic: {yn(chk.real_analytic)}\n"
                   f"σ' > 0: {yn(chk.increasing)}, σ'' > 0: {yn(chk.strictly_convex)}\n"
                   f"Assumption 5: {yn(chk.satisfies_assumption_5)}")
    zl = onp.linspace(-3, 2, 501)
    dl, _ = _act_derivatives(ell.fn, zl) if ell.smoothness >= 1 else (onp.zeros_like(zl), None)
    icml = list(check_loss_assumption(ell, paper="icml").conditions.values())
    ni = list(check_loss_assumption(ell, paper="neurips").conditions.values())
    lines = ["ICML Assumption 1:"]
    lines += [f"  {k}: {yn(v)}" for k, v in zip(_ICML_A1, icml, strict=True)]
    lines += ["NeurIPS Assumption 1:"]
    lines += [f"  {k}: {yn(v)}" for k, v in zip(_NI_A1, ni, strict=True)]
    return dict(z=z, sigma=act(z) + 0.0 * z, d1=d1, d2=d2, neuron_text=neuron_text,
                neuron_title=f"neuron {act.name}: {act.formula}", zl=zl, ell=ell(zl) + 0.0 * zl,
                dl=dl, loss_text="\n".join(lines), loss_title=f"loss {ell.name}: {ell.formula}")


def _draw_neuron_loss(sc, d, **_):
    from .plotting import COLORS

    ax1, ax2 = sc.subplots(1, 2, figsize=(10, 4))
    z, zl = d["z"], d["zl"]
    sc.line(ax1, "sigma", z, d["sigma"], label="σ(z)")
    sc.line(ax1, "d1", z, d["d1"], "--", label="σ'(z)")
    sc.line(ax1, "d2", z, d["d2"], ":", label="σ''(z)")
    ax1.set(xlabel="z", xlim=(-3.3, 3.3), ylim=(-2, 4), title=d["neuron_title"])
    sc.text(ax1, "neuron", 0.02, 0.98, d["neuron_text"], transform=ax1.transAxes, va="top",
            fontsize=8, bbox=dict(fc="white", ec="0.7"))
    sc.line(ax2, "step", zl, onp.where(zl >= 0, 1.0, 0.0), color=COLORS["grey"], lw=1, ls=":",
            label="1{z ≥ 0}")
    sc.line(ax2, "ell", zl, d["ell"], label="ℓ(z)")
    sc.line(ax2, "dl", zl, d["dl"], "--", label="ℓ'(z)")
    ax2.set(xlabel="z = −y f(x)", xlim=(-3.25, 2.25), ylim=(-0.5, 5), title=d["loss_title"])
    sc.text(ax2, "loss", 0.02, 0.98, d["loss_text"], transform=ax2.transAxes, va="top",
            fontsize=7, bbox=dict(fc="white", ec="0.7"))
    if sc.new:
        ax1.legend(fontsize=8, loc="lower right")
        ax2.legend(fontsize=8, loc="center right")


def render_neuron_loss(activation="softplus", loss="polynomial_hinge", *, p=2, slope=0.1):
    """Two panels: a neuron σ with σ' and σ'', and a loss ℓ with ℓ', each annotated with the
    assumptions it meets (icml-asm-5 and the ICML class via :func:`check_neuron`; icml-asm-1
    and ni-asm-1 via :func:`check_loss_assumption`).

    ``p`` is the exponent option of the hinge losses, ``slope`` the negative-side slope of
    ``leaky_relu``; both are ignored by the other choices. Returns a matplotlib Figure.
    """
    from .activations import ACTIVATIONS
    from .losses import LOSSES

    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"loss: expected one of {', '.join(LOSSES)}, got {loss!r}")
    p = check_int(p, "p", minimum=1, maximum=100)
    slope = check_real(slope, "slope", minimum=0.0)
    if not slope < 1:
        raise ValueError(f"slope: expected a number in [0, 1), got {slope}")
    return _render(_draw_neuron_loss, _neuron_loss_data(activation, loss, p, slope))


def neuron_loss_explorer(activation="softplus", loss="polynomial_hinge", *, p=2):
    """Widget: pick a neuron and a loss from dropdowns; see σ, σ', σ'', ℓ, ℓ' and which of the
    papers' assumptions hold (renders through :func:`render_neuron_loss`)."""
    from .activations import ACTIVATIONS
    from .losses import LOSSES

    check_choice(activation, "activation", ACTIVATIONS)
    check_choice(loss, "loss", LOSSES)
    p = check_range(p, "p", 1, 8, integer=True)

    def render(activation, loss, p, slope):
        return render_neuron_loss(activation, loss, p=p, slope=slope)

    def draw(sc, activation, loss, p, slope):
        # p and slope only matter for the hinge losses and leaky ReLU: one cache entry otherwise
        p = p if loss in ("polynomial_hinge", "neurips_hinge") else None
        slope = slope if activation == "leaky_relu" else None
        _draw_neuron_loss(sc, _neuron_loss_data(activation, loss, p, slope))

    controls = {
        "activation": W.Dropdown(options=list(ACTIVATIONS), value=activation, description="neuron"),
        "loss": W.Dropdown(options=list(LOSSES), value=loss, description="loss"),
        "p": W.IntSlider(value=p, min=1, max=8, description="p (hinge)"),
        "slope": _slider(0.1, 0.0, 0.9, 0.05, description="leaky slope"),
    }
    return make_widget(render, controls, draw=draw, name="neuron_loss_explorer")


# -- Part IV: one exponential neuron (ni-thm-1) ---------------------------------------------------
def _exponential_point(X, y, hidden, p, random_state):
    from .constructions import dead_relu_point
    from .losses import get_loss

    return dead_relu_point(X, y, get_loss("neurips_hinge", p=p), hidden=hidden,
                           random_state=random_state)


def _exponential_data(X, y, lam, angle, radius, hidden, p, random_state, point=None):
    """``point``: the dead-ReLU point (base, net) if already built for (X, y, hidden, p)."""
    from .landscape import loss_slice_1d
    from .losses import get_loss
    from .models import add_exponential_neuron
    from .neurips import exponential_slope, with_exponential_neuron

    loss = get_loss("neurips_hinge", p=p)
    base, net = point if point is not None else _exponential_point(X, y, hidden, p, random_state)
    X, y = onp.asarray(X, dtype=float), onp.asarray(y, dtype=float)
    w = onp.zeros(X.shape[1])
    w[:2] = radius * onp.array([onp.cos(angle), onp.sin(angle)])[:min(2, X.shape[1])]
    model = add_exponential_neuron(base, lam=lam)
    obj = Objective(model, loss, X, y, reduction="sum")
    point = with_exponential_neuron(net, w)
    slope = exponential_slope(base, net, loss, X, y, w)
    g = onp.exp(X @ w)
    direction = {"net": {k: onp.zeros_like(v) for k, v in point["net"].items()},
                 "a": onp.array(1.0), "w": onp.zeros_like(w), "b": onp.array(0.0)}
    # first a wide window (|a|·max g ≤ 1.5), then zoom to 2.5 times the minimiser found there
    reach = 1.5 / max(float(onp.max(g)), 1e-12)
    ts, values = loss_slice_1d(obj, point, direction, onp.linspace(-reach, reach, 201))
    a_min = abs(float(ts[onp.argmin(values)]))
    if a_min > 0:
        ts, values = loss_slice_1d(obj, point, direction, onp.linspace(-2.5, 2.5, 201) * a_min)
    drop = values - obj(point)
    return dict(X=X, y=y, w=w, radius=radius, slope=slope, g=g, ts=ts, drop=drop,
                k=int(onp.argmin(drop)))


def _draw_exponential(sc, d, *, lam, **_):
    from .plotting import COLORS

    X, y, g, w = d["X"], d["y"], d["g"], d["w"]
    sc.layout(X.shape[1] >= 2)
    ax1, ax2 = sc.subplots(1, 2, figsize=(10, 4))
    size = 12 + 120 * g / g.max()
    if X.shape[1] >= 2:
        pos, neg = y > 0, y < 0
        sc.scatter(ax1, "pos", X[pos, 0], X[pos, 1], sizes=size[pos], colors=COLORS["pos"],
                   label="y = +1")
        sc.scatter(ax1, "neg", X[neg, 0], X[neg, 1], sizes=size[neg], colors=COLORS["neg"],
                   marker="s", label="y = −1")
        sc.annotate(ax1, "w", tuple(w[:2] / max(d["radius"], 1e-12)), (0, 0),
                    arrowprops=dict(arrowstyle="->", color=COLORS["accent"], lw=2))
        ax1.set(xlabel="x₁", ylabel="x₂", title="data; size ∝ exp(wᵀx)")
        if sc.new:
            ax1.legend(fontsize=8)
    else:
        sc.scatter(ax1, "data", X[:, 0], y, sizes=size,
                   colors=onp.where(y > 0, COLORS["pos"], COLORS["neg"]))
        ax1.set(xlabel="x", ylabel="y", title="data; size ∝ exp(wx)")
    sc.rescale(ax1)
    ts, drop, k = d["ts"], d["drop"], d["k"]
    sc.line(ax2, "drop", ts, drop, color=COLORS["accent"])
    sc.hline(ax2, "zero", 0, color=COLORS["grey"], lw=0.8, ls=":")
    sc.line(ax2, "min", [ts[k]], [drop[k]], "o", color=COLORS["bad"],
            label=f"min on the line: a = {ts[k]:.3f}, ΔL̃ = {drop[k]:.3f}")
    ax2.set(xlabel="a (the other parameters fixed)", ylabel="L̃(a) − L̃(0)",
            title=f"λ = {lam:g}: slope at a = 0 is {d['slope']:.3f}")
    ax2.legend(fontsize=8)
    sc.rescale(ax2)


def render_exponential_neuron(X, y, *, lam=1.0, angle=0.0, radius=1.5, hidden=(4,), p=3,
                              random_state=0):
    """Switch on an exponential neuron at a bad local minimum (ni-thm-1): the 1-D slice along a.

    The point: a feed-forward ReLU network with a dead first layer whose output is the best
    constant t* (:func:`lossbook.dead_relu_point`, icml-prop-6), augmented with
    a·exp(wᵀx + b) at a = 0, w = radius·(cos angle, sin angle, 0, …), b = 0, and λa²/2
    (summed NeurIPS loss, ℓ = [max(z+1, 0)]^p). Left: the data, each sample drawn with a size
    growing with exp(wᵀxᵢ) (the samples the neuron looks at). Right: L̃ along the a-axis
    minus its value at a = 0; the slope at 0 is −Σᵢ ℓ'ᵢyᵢe^(wᵀxᵢ)
    (:func:`lossbook.exponential_slope`), so the point is a minimum along this line only if
    that sum is 0.
    """
    X, y = check_Xy(X, y)
    lam = check_real(lam, "lam", minimum=0.0)
    angle = check_real(angle, "angle")
    radius = check_real(radius, "radius", minimum=0.0, maximum=100.0)
    if float(onp.max(radius * onp.linalg.norm(X[:, :2], axis=1))) > 700:
        raise ValueError(f"radius: exp(wᵀx) overflows float64 for radius {radius:g} on this data; "
                         "expected a smaller radius")
    data = _exponential_data(X, y, lam, angle, radius, hidden, p, random_state)
    return _render(_draw_exponential, data, lam=lam)


def exponential_neuron_explorer(datasets, *, lam=1.0, angle=0.0):
    """Widget: choose a dataset (``datasets``: name → (X, y)), λ and the direction of w; see the
    loss along the exponential neuron's a-axis at the dead-ReLU bad minimum
    (:func:`render_exponential_neuron`, ni-thm-1)."""
    if not isinstance(datasets, dict) or not datasets:
        raise ValueError("datasets: expected a non-empty dict of name -> (X, y)")
    for key, pair in datasets.items():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            raise TypeError(f"datasets: expected a pair (X, y) for {key!r}, got {type(pair).__name__}")
        try:
            check_Xy(*pair)
        except (TypeError, ValueError) as err:
            raise type(err)(f"datasets: {key!r}: {err}") from None
    lam = check_range(lam, "lam", 1e-2, 1e2)
    angle = check_range(angle, "angle", -onp.pi, onp.pi)
    point = cached(lambda dataset: _exponential_point(*datasets[dataset], (4,), 3, 0))
    data = cached(lambda dataset, lam, angle: _exponential_data(
        *datasets[dataset], lam, angle, 1.5, (4,), 3, 0, point=point(dataset)))

    def render(dataset, lam, angle):
        X, y = datasets[dataset]
        return render_exponential_neuron(X, y, lam=lam, angle=angle)

    def draw(sc, dataset, lam, angle):
        _draw_exponential(sc, data(dataset=dataset, lam=lam, angle=angle), lam=lam)

    controls = {"dataset": W.Dropdown(options=list(datasets), description="data"),
                "lam": _log_slider(lam, -2, 2, description="λ"),
                "angle": _slider(angle, -onp.pi, onp.pi, 0.05, description="angle of w")}
    return make_widget(render, controls, draw=draw, name="exponential_neuron_explorer")


# -- Part III: the counterexamples of ICML §4.1–4.2 ------------------------------------------------
#: label -> (result ID, activation, options) for :func:`render_counterexample`
COUNTEREXAMPLE_CHOICES = {
    "Prop 2 · ReLU": ("icml-prop-2", "relu", {}),
    "Prop 2 · threshold": ("icml-prop-2", "threshold", {}),
    "Prop 2 · ReQU": ("icml-prop-2", "requ", {}),
    "Prop 3 · ReLU": ("icml-prop-3", "relu", {}),
    "Prop 3 · leaky ReLU 0.1": ("icml-prop-3", "leaky_relu", {"slope": 0.1}),
    "Prop 3 · ELU": ("icml-prop-3", "elu", {}),
    "Prop 3 · linear": ("icml-prop-3", "linear", {}),
    "Prop 4 · sigmoid": ("icml-prop-4", "sigmoid", {}),
    "Prop 4 · tanh": ("icml-prop-4", "tanh", {}),
    "Prop 4 · arctan": ("icml-prop-4", "arctan", {}),
    "Prop 4 · softsign": ("icml-prop-4", "softsign", {}),
    "Prop 5 · quadratic": ("icml-prop-5", "quadratic", {}),
    "Prop 5 · cosh(z) − 1": ("icml-prop-5", "cosh", {}),
}


@cached
def _counterexample_point(choice, n_neurons, n_probes):
    from .constructions import counterexample
    from .landscape import certify

    rid, act, opts = COUNTEREXAMPLE_CHOICES[choice]
    obj, params = counterexample(rid, act, n_neurons=int(n_neurons), **opts)
    cert = certify(obj, params, n_probes=int(n_probes), radii=(1e-1, 1e-2))
    return obj, params, cert


@cached
def _counterexample_data(choice, radius, n_neurons, n_probes, resolution):
    from .activations import get_activation

    rid, act, opts = COUNTEREXAMPLE_CHOICES[choice]
    obj, params, cert = _counterexample_point(choice, n_neurons, n_probes)
    grid = onp.linspace(-radius, radius, int(resolution))
    s, t, values = loss_slice_2d(obj, params, s=grid, t=grid, random_state=0)
    z = onp.linspace(-3, 3, 301)
    sigma = get_activation(act, **opts)
    return dict(rid=rid, name=sigma.name, z=z, sigma=sigma(z) + 0.0 * z, s=s, t=t, values=values,
                summary=cert.summary(), n=len(obj.y), P=obj.n_params)


def _draw_counterexample(sc, d, *, radius, **_):
    # the certificate in a row of its own: its lines are long, and the book enlarges its text
    # (plotting.make_legible) to a size that would not fit beside the two panels
    axes = sc.subplots([["sigma", "slice"], ["cert", "cert"]], figsize=(10, 6.4),
                       gridspec_kw={"width_ratios": [1, 1.25], "height_ratios": [2.2, 1]})
    sc.line(axes["sigma"], "sigma", d["z"], d["sigma"], color="k")
    axes["sigma"].set(xlabel="z", ylabel="σ(z)", title=f"{d['name']} ({d['rid']})")
    sc.rescale(axes["sigma"])
    sc.image(axes["slice"], "slice", d["s"], d["t"], d["values"])
    sc.line(axes["slice"], "point", [0], [0], "*", color="w", ms=12, mec="k")
    axes["slice"].set(xlabel="s (direction u)", ylabel="t (direction v)",
                      title=f"loss around the point (radius {radius:g})")
    axes["slice"].grid(False)
    axes["cert"].set_axis_off()
    sc.text(axes["cert"], "cert", 0.0, 0.5, d["summary"], family="monospace", fontsize=8.5,
            va="center")
    axes["cert"].set_title(f"certificate: n = {d['n']}, P = {d['P']}", loc="left")


def render_counterexample(choice="Prop 2 · ReLU", *, radius=0.5, n_neurons=4, n_probes=30,
                          resolution=25):
    """One class member's counterexample (icml-prop-2 … icml-prop-5): the neuron, a 2-D loss
    slice around the constructed point, and its certificate.

    ``choice`` is a key of ``COUNTEREXAMPLE_CHOICES``; the point is built by
    :func:`lossbook.constructions.counterexample` with ``n_neurons`` neurons in f_S (4 keeps
    the render fast; the book certifies the full widths) and certified with ``n_probes``
    probes per radius. Returns a matplotlib Figure.
    """
    if not isinstance(choice, str) or choice not in COUNTEREXAMPLE_CHOICES:
        raise ValueError(f"choice: expected one of {', '.join(COUNTEREXAMPLE_CHOICES)}, "
                         f"got {choice!r}")
    radius = check_real(radius, "radius", minimum=0.0, strict=True, maximum=100.0)
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    resolution = check_int(resolution, "resolution", minimum=2, maximum=500)
    data = _counterexample_data(choice, radius, n_neurons, n_probes, resolution)
    return _render(_draw_counterexample, data, radius=radius)


def counterexample_explorer(choice="Prop 2 · ReLU", *, radius=0.5):
    """Widget: pick a class member, see its constructed bad point certified and sliced."""
    check_choice(choice, "choice", tuple(COUNTEREXAMPLE_CHOICES))
    radius = check_range(radius, "radius", 1e-2, 10.0)

    def render(choice, radius):
        return render_counterexample(choice, radius=radius)

    def draw(sc, choice, radius):
        _draw_counterexample(sc, _counterexample_data(choice, radius, 4, 30, 25), radius=radius)

    controls = {"choice": W.Dropdown(options=list(COUNTEREXAMPLE_CHOICES), value=choice,
                                     description="member"),
                "radius": _log_slider(radius, -2, 1, description="radius")}
    return make_widget(render, controls, draw=draw, name="counterexample_explorer")


# -- Part III: the dead-ReLU point (icml-prop-6) ------------------------------------------------
@cached
def _dead_relu_point(kappa, hidden, n_samples, random_state):
    from .constructions import dead_relu_point
    from .data import make_shared_coordinate_data
    from .losses import get_loss

    loss = get_loss("polynomial_hinge", p=6)
    X, y = make_shared_coordinate_data(n_samples, random_state=random_state)
    model, params = dead_relu_point(X, y, loss, hidden=hidden, kappa=float(kappa),
                                    random_state=random_state)
    return Objective(model, loss, X, y), params


#: κ's smallest value on the widget's slider: its curves span the widest range of losses, so
#: their range fixes the axes and the colour scale for every κ at one radius (the figure then
#: changes only in its moving parts, and a move is blitted)
_DEAD_RELU_KAPPA_MIN = 0.05


@cached
def _dead_relu_slices(kappa, radius, hidden, n_samples, resolution, random_state):
    from .landscape import loss_slice_1d

    obj, params = _dead_relu_point(kappa, hidden, n_samples, random_state)
    u = {k: onp.zeros_like(v) for k, v in params.items()}
    u["b1"] = onp.ones_like(params["b1"])
    h = params["b1"].shape[0]
    edge = float(kappa) * onp.sqrt(h)
    ts, values = loss_slice_1d(obj, params, u, onp.linspace(-radius, radius, 201))
    grid = onp.linspace(-radius, radius, int(resolution))
    v = {k: onp.zeros_like(val) for k, val in params.items()}
    v["W1"] = onp.random.default_rng(random_state).standard_normal(params["W1"].shape)
    s, t, vals = loss_slice_2d(obj, params, (u, v), s=grid, t=grid)
    return dict(edge=edge, ts=ts, values=values, s=s, t=t, vals=vals)


def _span(lo, hi):
    """(lo, hi) widened by 5 % on each side (matplotlib's default margins); a single value
    by 5 % of itself (or of 1)."""
    pad = 0.05 * (hi - lo if hi > lo else max(abs(lo), 1.0))
    return lo - pad, hi + pad


@cached
def _dead_relu_data(kappa, radius, hidden, n_samples, resolution, random_state):
    """The slices at κ, and the ranges (over κ and κ = :data:`_DEAD_RELU_KAPPA_MIN`, at the
    same radius) that fix the loss axis and the colour scale."""
    d = dict(_dead_relu_slices(kappa, radius, hidden, n_samples, resolution, random_state))
    wide = _dead_relu_slices(min(float(kappa), _DEAD_RELU_KAPPA_MIN), radius, hidden, n_samples,
                             resolution, random_state)
    d["ylim"] = _span(*_snapped(d["values"], wide["values"]))
    d["clim"] = _snapped(d["vals"], wide["vals"])
    return d


def _snapped(values, wide):
    """The range of ``values`` and ``wide`` rounded outwards to a multiple of a twentieth of
    ``wide``'s range (to a power of ten): ``wide``'s range when it holds ``values``' up to
    rounding."""
    lo, hi = float(min(values.min(), wide.min())), float(max(values.max(), wide.max()))
    span = float(wide.max() - wide.min())
    if not span > 0:
        return lo, hi
    step = 10.0 ** math.floor(math.log10(span / 20))
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def _draw_dead_relu(sc, d, *, kappa, radius, **_):
    ax1, ax2 = sc.subplots(1, 2, figsize=(11, 4))
    edge = d["edge"]
    sc.line(ax1, "loss", d["ts"], d["values"], color="k")
    sc.vspan(ax1, "dead", -radius, min(edge, radius), color="#2ca02c", alpha=0.12,
             label="every first-layer neuron dead")
    sc.vline(ax1, "edge", edge, color="#ff7f0e", ls="--", label=f"t = κ√h = {edge:.2f}")
    # fixed by the radius (κ√h beyond the window: the whole window is dead): a κ move is blitted
    ax1.set(xlabel="t (all first-layer biases raised by t/√h)", ylabel="loss",
            title=f"κ = {float(kappa):g}: flat until a neuron wakes up",
            xlim=(-1.1 * radius, 1.1 * radius), ylim=d["ylim"])
    ax1.set_axisbelow(True)  # the grid below the shaded region (a live Scene blits)
    ax1.legend(fontsize=8)
    sc.image(ax2, "slice", d["s"], d["t"], d["vals"], clim=d["clim"], zorder=0.6)
    sc.line(ax2, "point", [0], [0], "*", color="w", ms=12, mec="k")
    ax2.set(xlabel="s (direction u)", ylabel="t (direction v)",
            title="2-D slice: s along u, t a random first-layer W1")
    ax2.set_axisbelow(True)
    ax2.grid(False)


def render_dead_relu(kappa=1.0, *, radius=3.0, hidden=(4,), n_samples=16, resolution=41,
                     random_state=0):
    """The dead-ReLU point of icml-prop-6 and how far its flat region reaches.

    The point is :func:`lossbook.constructions.dead_relu_point` on shared-coordinate data, with
    first-layer pre-activations ≤ −κ. Left: the loss along u = all first-layer biases raised
    together (unit vector (1, …, 1)/√h): flat until t = κ√h, where the first neuron wakes up.
    Right: the 2-D slice spanned by u and a random direction of the first-layer weights W1;
    the plateau around the point is the region where every first-layer neuron is still dead.
    The loss axis and the colour scale span the losses at κ and at κ = 0.05 (the widget's
    smallest, the widest range), so at one radius they stay put as κ moves; the t-axis spans
    [−radius, radius] (when κ√h > radius the whole window is dead). Returns a matplotlib Figure.
    """
    kappa = check_real(kappa, "kappa", minimum=0.0, strict=True, maximum=100.0)
    radius = check_real(radius, "radius", minimum=0.0, strict=True, maximum=100.0)
    resolution = check_int(resolution, "resolution", minimum=2, maximum=500)
    # the rest is checked here too: the cached computation needs valid, hashable keys
    hidden = _check_hidden(hidden)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    check_random_state(random_state)
    data = _dead_relu_data(kappa, radius, hidden, n_samples, resolution, random_state)
    return _render(_draw_dead_relu, data, kappa=kappa, radius=radius)


def dead_relu_explorer(kappa=1.0, *, radius=3.0):
    """Widget: move κ (how dead the first layer is) and watch the flat region of icml-prop-6."""
    kappa = check_range(kappa, "kappa", 0.05, 2.0)
    radius = check_range(radius, "radius", 0.5, 6.0)

    def render(kappa, radius):
        return render_dead_relu(kappa, radius=radius)

    def draw(sc, kappa, radius):
        _draw_dead_relu(sc, _dead_relu_data(kappa, radius, (4,), 16, 41, 0), kappa=kappa,
                        radius=radius)

    controls = {"kappa": _slider(kappa, 0.05, 2.0, 0.05,
                                       description="κ"),
                "radius": _slider(radius, 0.5, 6.0, 0.5,
                                        description="radius")}
    return make_widget(render, controls, draw=draw, name="dead_relu_explorer")


# -- Part III: which losses (icml-ex-1) and which datasets (icml-prop-11, icml-prop-12) ---
@cached
def _population_data(pos_point, neg_low, neg_width, p):
    from fractions import Fraction

    from .exact import linear_population_minimiser

    # the decimals given (as lb.linear_population_minimiser reads them), the interval's end
    # exact: pos_point = neg_low + neg_width is an end, not a float's rounding away from it
    q = Fraction(repr(float(pos_point)))
    lo_q = Fraction(repr(float(neg_low)))
    hi_q = lo_q + Fraction(repr(float(neg_width)))
    lo, hi = float(lo_q), float(hi_q)
    quad = linear_population_minimiser("quadratic", pos_point=q, neg_interval=(lo_q, hi_q))
    try:
        hinge = linear_population_minimiser("polynomial_hinge", pos_point=q,
                                            neg_interval=(lo_q, hi_q), p=p)
    except ValueError:  # the positive point at an end of the interval: no minimiser
        hinge = None
    left, right = min(lo, pos_point) - 0.5, max(hi, pos_point) + 0.5
    xs = onp.linspace(left, right, 200)
    fits = []
    for fit in (quad, hinge):
        if fit is None:
            fits.append(dict(line=onp.full_like(xs, onp.nan), threshold=[float(pos_point)],
                             label="polynomial_hinge: no minimiser (loss → 0 as |a| → ∞, "
                                   "threshold → x₊)"))
            continue
        a, b = float(fit.a), float(fit.b)
        err = Fraction(fit.error)
        shown = f"{err} = {float(err):.4f}" if err.denominator < 1000 else f"{float(err):.4f}"
        thr = fit.threshold is not None and left < float(fit.threshold) < right
        fits.append(dict(line=a * xs + b, label=f"{fit.loss_name.split('(')[0]}: error {shown}",
                         threshold=[float(fit.threshold)] if thr else []))
    scale = max(3.0, 1.5 * abs(float(quad.a) * pos_point + float(quad.b)))
    return dict(lo=lo, hi=hi, left=left, right=right, xs=xs, fits=fits, scale=scale)


def _draw_population(sc, d, *, pos_point, **_):
    from .plotting import COLORS

    ax = sc.subplots(figsize=(6.4, 3.8))
    sc.vspan(ax, "neg", d["lo"], d["hi"], color=COLORS["neg"], alpha=0.15,
             label="negatives: uniform")
    sc.vline(ax, "pos", pos_point, color=COLORS["pos"], lw=3, alpha=0.6,
             label="positives: one point")
    for i, (fit, color, ls) in enumerate(zip(d["fits"], (COLORS["bad"], COLORS["good"]),
                                             ("-", "--"), strict=True)):
        sc.line(ax, f"fit{i}", d["xs"], fit["line"], color=color, ls=ls, label=fit["label"])
        sc.line(ax, f"thr{i}", fit["threshold"], [0.0] * len(fit["threshold"]), "o", color=color)
    sc.hline(ax, "zero", 0, color="k", lw=0.8)
    ax.set(xlim=(d["left"], d["right"]), ylim=(-d["scale"], d["scale"]), xlabel="x",
           ylabel="f(x) = a x + b", title="Population minimisers of the linear model")
    ax.legend(fontsize=8, loc="upper left")


def render_population_minimisers(pos_point=1.25, neg_low=0.0, neg_width=1.0, *, p=6):
    """The two population minimisers of icml-ex-1 for the linear model f(x) = a·x + b.

    Positives sit at ``pos_point``, negatives are uniform on [neg_low, neg_low + neg_width]
    (each class with probability 1/2). Draws the quadratic-loss minimiser (exact, rational)
    and the polynomial-hinge minimiser (numerical) with their thresholds and exact errors.
    With the positive point at an end of the interval the hinge loss has no minimiser (its
    infimum 0 is approached as |a| → ∞): the legend says so and the threshold's limit, the
    positive point, is marked.
    """
    pos_point = check_real(pos_point, "pos_point", minimum=-1e3, maximum=1e3)
    neg_low = check_real(neg_low, "neg_low", minimum=-1e3, maximum=1e3)
    neg_width = check_real(neg_width, "neg_width", minimum=0.0, strict=True, maximum=1e3)
    p = check_int(p, "p", minimum=1, maximum=100)
    data = _population_data(pos_point, neg_low, neg_width, p)
    return _render(_draw_population, data, pos_point=pos_point)


def population_explorer(pos_point=1.25, neg_low=0.0, neg_width=1.0):
    """Widget for icml-ex-1: move the positive point and the negative interval."""
    pos_point = check_range(pos_point, "pos_point", -1.0, 3.0)
    neg_low = check_range(neg_low, "neg_low", -1.0, 2.0)
    neg_width = check_range(neg_width, "neg_width", 0.1, 2.0)

    def draw(sc, pos_point, neg_low, neg_width):
        # the sliders' values are multiples of 0.05 up to a float's rounding (1.2500000000000002)
        pos_point, neg_low, neg_width = (round(v, 10) for v in (pos_point, neg_low, neg_width))
        _draw_population(sc, _population_data(pos_point, neg_low, neg_width, 6),
                         pos_point=pos_point)

    controls = {"pos_point": _slider(pos_point, -1.0, 3.0, 0.05,
                                           description="positive x"),
                "neg_low": _slider(neg_low, -1.0, 2.0, 0.05,
                                         description="neg. from"),
                "neg_width": _slider(neg_width, 0.1, 2.0, 0.05,
                                           description="neg. width")}
    return make_widget(render_population_minimisers, controls, draw=draw, name="population_explorer")


@cached
def _sphere_data(ratio, n_samples, seed, n_neurons, p, n_probes):
    from .constructions import quadratic_bowl_point
    from .data import _dataset_condition, make_sphere_data
    from .landscape import certify
    from .losses import get_loss

    X, y = make_sphere_data(n_samples, radii=(ratio, 1.0), random_state=seed)
    # lb.check_dataset_condition by SDPs compiled once per shape (the same margins to the
    # solver's tolerance; a witness λ that is not unique may come out as another maximiser)
    cond = _dataset_condition(X, y, compiled=True)
    uev = cond.uniform_eigenvalues
    if uev[0] > 0 or uev[-1] < 0:
        loss = get_loss("polynomial_hinge", p=p)
        model, params = quadratic_bowl_point(X, y, loss, n_neurons=n_neurons)
        cert = certify(Objective(model, loss, X, y), params, n_probes=n_probes)
        point = f"W=0 point: {cert.verdict}, error {cert.training_error:.2f}"
    else:
        point = "uniform-λ S indefinite: no W=0 minimum"
    lam = cond.witness if cond.witness is not None else onp.full(len(y), 0.5)
    return dict(X=X, y=y, sizes=15 + 400 * lam / lam.max(), point=point, verdict=cond.verdict,
                vals=[cond.margin_pd, cond.margin_nd, uev[0], -uev[-1]])


def _draw_sphere(sc, d, *, ratio, **_):
    from .plotting import COLORS

    ax1, ax2 = sc.subplots(1, 2, figsize=(9, 3.8))
    X, y, sizes = d["X"], d["y"], d["sizes"]
    sc.scatter(ax1, "pos", X[y > 0, 0], X[y > 0, 1], sizes=sizes[y > 0], colors=COLORS["pos"],
               label="y = +1")
    sc.scatter(ax1, "neg", X[y < 0, 0], X[y < 0, 1], sizes=sizes[y < 0], colors=COLORS["neg"],
               marker="s", label="y = −1")
    # limits in steps (1.2 × the larger radius rounded to a half, plus a quarter): most moves
    # keep the axes, and a live Scene blits them (the grid below the markers and bars, too)
    lim = 1.2 * (math.floor(2 * max(ratio, 1.0) + 0.5) / 2 + 0.25)
    ax1.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="x₁", ylabel="x₂",
            title="data (marker size: witness λ)")
    ax1.set_axisbelow(True)
    names = ["SDP margin\nPD", "SDP margin\nND", "uniform λ\nmin eig S", "uniform λ\nmin eig −S"]
    vals = d["vals"]
    sc.bars(ax2, "bars", names, vals,
            colors=[COLORS["bad"] if v > 0 else COLORS["good"] for v in vals])
    sc.hline(ax2, "zero", 0, color="k", lw=0.8)
    lo, hi = min(0.0, *vals), max(0.0, *vals)
    ax2.set(title=f"ratio {ratio:.2f}: condition {d['verdict']}\n{d['point']}",
            ylabel="eigenvalue", ylim=(-_nice(-lo), _nice(hi)))
    ax2.set_axisbelow(True)
    if sc.new:
        ax1.legend(fontsize=8, loc="upper right")
        ax2.tick_params(axis="x", labelsize=8)


def _nice(v):
    """The smallest of 0.2, 0.5, 1, 2, 5, 10, ... (× 10^k) that is ≥ 1.1·v (v ≥ 0): an axis
    bound that changes only when v crosses a step."""
    v = 1.1 * v
    if v <= 0.2:
        return 0.2
    k = 10.0 ** math.floor(math.log10(v))
    return next(m * k for m in (1.0, 2.0, 5.0, 10.0) if m * k >= v)


def render_sphere_condition(ratio=2.0, *, n_samples=16, seed=0, n_neurons=3, p=6, n_probes=30):
    """icml-prop-12 on two circles: positives at radius ``ratio``, negatives at radius 1.

    Left: the data, each sample's marker sized by the checker's witness λ. Right: the SDP
    margins (max min-eigenvalue of ±S(λ)) and the smallest eigenvalues of ±S at the
    class-uniform λ; the title reports the checker's verdict and the certificate of the
    point W = 0, a = −α·sign(S) that a constant output realises (a bad local minimum when
    the class-uniform S is definite).
    """
    ratio = check_real(ratio, "ratio", minimum=0.0, strict=True, maximum=1e3)
    seed = check_int(seed, "seed", minimum=0)
    # the rest is checked here too: the cached computation needs valid, hashable keys
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    p = check_int(p, "p", minimum=1)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    data = _sphere_data(ratio, n_samples, seed, n_neurons, p, n_probes)
    return _render(_draw_sphere, data, ratio=ratio)


def sphere_condition_explorer(ratio=2.0, *, n_samples=16, seed=0):
    """Widget for icml-prop-12: drag the radius ratio of the two circles."""
    ratio = check_range(ratio, "ratio", 0.3, 3.0)
    seed = check_range(seed, "seed", 0, 20, integer=True)
    check_int(n_samples, "n_samples", minimum=2)

    def render(ratio, seed):
        return render_sphere_condition(ratio, n_samples=n_samples, seed=seed)

    def draw(sc, ratio, seed):
        _draw_sphere(sc, _sphere_data(ratio, n_samples, seed, 3, 6, 30), ratio=ratio)

    controls = {"ratio": _slider(ratio, 0.3, 3.0, 0.02,
                                       description="r+ / r−"),
                "seed": W.IntSlider(value=seed, min=0, max=20, description="sample")}
    return make_widget(render, controls, draw=draw, name="sphere_condition_explorer")


# -- ni-prop-1: degree of the monomial neuron against the degree the data needs -----------------
@cached
def _monomial_data(q, t, lam, n_probes):
    from .constructions import dead_relu_point, loss_weights
    from .landscape import certify
    from .models import add_monomial_neuron
    from .stationarity import make_binomial_alternating_data

    loss = "neurips_hinge"
    X, y = make_binomial_alternating_data(t)
    plain, pp = dead_relu_point(X, y, loss, hidden=(2,), kappa=1.0)
    model = add_monomial_neuron(plain, degree=q, lam=lam)
    w0, b0 = 1.0, -t / 2 + 0.3
    params = {"net": pp, "a": onp.array(0.0), "w": onp.array([w0]), "b": onp.array(b0)}
    cert = certify(Objective(model, loss, X, y, reduction="sum"), params, n_probes=n_probes,
                   radii=(1e-1, 1e-2))
    t_star = float(onp.asarray(plain.apply(pp, X))[0])
    lam_i = loss_weights(loss, y, t_star)
    x = X[:, 0]
    kmax = 6
    moments = onp.array([onp.sum(lam_i * y * x ** k) for k in range(kmax + 1)])
    slope = float(onp.sum(lam_i * y * (w0 * x + b0) ** q))  # −∂L/∂a at a = 0
    xs, counts = onp.unique(x, return_counts=True)
    ys = onp.array([y[x == v][0] for v in xs])
    grid = onp.linspace(-0.5, t + 0.5, 300)
    a_step = 0.05 * onp.sign(slope) if abs(slope) > 1e-9 else 0.0
    rel = onp.abs(moments) / max(abs(moments).max(), 1e-300)
    return dict(xs=xs, ys=ys, counts=counts, grid=grid, a_step=a_step,
                curve=t_star + a_step * (w0 * grid + b0) ** q, kmax=kmax,
                shown=onp.where(rel < 1e-12, 1e-14, rel),  # exact zeros (to rounding) at 1e-14
                verdict=cert.verdict, error=cert.training_error)


def _draw_monomial(sc, d, *, degree, data_degree, **_):
    from .plotting import COLORS

    q, t = degree, data_degree
    ax1, ax2 = sc.subplots(1, 2, figsize=(9.5, 3.6))
    sc.hline(ax1, "zero", 0, color="k", lw=0.6)
    sc.line(ax1, "curve", d["grid"], d["curve"], color=COLORS["accent"],
            label=f"f̃ = t* + a(wx+b)^{q}, a = {d['a_step']:+.2f}")
    xs, ys, counts = d["xs"], d["ys"], d["counts"]
    for lab, col, mk in ((1, COLORS["pos"], "o"), (-1, COLORS["neg"], "s")):
        sel = ys == lab
        sc.scatter(ax1, f"y{lab}", xs[sel], onp.zeros(sel.sum()), sizes=25 * counts[sel],
                   colors=col, marker=mk, label=f"y = {lab:+d}", zorder=3)
    ax1.set(xlabel="x", ylabel="output", ylim=(-1.5, 1.5), xlim=(-0.5 - 0.05 * (t + 1),
                                                                 t + 0.5 + 0.05 * (t + 1)),
            title=f"data needs degree t = {t}; neuron degree q = {q}")
    ax1.legend(fontsize=7, loc="lower left")
    kmax, shown = d["kmax"], d["shown"]
    ks = onp.arange(kmax + 1)
    seen = ks <= q
    if sc.new:
        ax2.set_yscale("log")
    sc.line(ax2, "moments", ks, shown, color=COLORS["grey"], lw=0.8)
    sc.scatter(ax2, "seen", ks[seen], shown[seen], colors=COLORS["accent"], zorder=3,
               label="k ≤ q (seen)")
    sc.scatter(ax2, "unseen", ks[~seen], shown[~seen], colors=COLORS["grey"], zorder=3,
               label="k > q")
    sc.hline(ax2, "floor", 1e-14, color=COLORS["grey"], ls=":", lw=0.8)
    sc.text(ax2, "floor text", kmax, 2e-14, "zero", ha="right", va="bottom", fontsize=8)
    ax2.set(ylim=(3e-15, 3), xlim=(-0.3, kmax + 0.3), xlabel="k", ylabel="|m_k| / max |m_k|",
            title="moments m_k = Σλᵢyᵢxᵢᵏ")
    if sc.new:
        ax2.legend(fontsize=7, loc="center left")
    sc.fig.suptitle(f"q {'<' if q < t else '≥'} t — dead point + neuron: {d['verdict']} "
                    f"(error {d['error']:.2f})", fontsize=10)


def render_monomial_degree(degree=2, data_degree=2, *, lam=1.0, n_probes=30):
    """The dead network plus one monomial neuron a(wx + b)^q on data needing degree t (ni-prop-1).

    Data: :func:`~lossbook.stationarity.make_binomial_alternating_data` with t = ``data_degree``.
    Point: a dead ReLU network with output t* (:func:`~lossbook.constructions.dead_relu_point`)
    plus the neuron at a = 0, (w, b) = (1, −t/2 + 0.3). Switching the neuron on changes the
    loss by −a·Σᵢλᵢyᵢ(wxᵢ + b)^q + O(a²) = −a·Σ_k C(q,k) w^k b^(q−k) m_k, with moments
    m_k = Σᵢλᵢyᵢxᵢᵏ. On this data m_k = 0 for k < t, so for q < t the point stays a bad local
    minimum (the right panel shows every moment up to q vanishing) and for q ≥ t it is not
    even critical. Left: data (marker size = multiplicity) and the augmented network after a
    small step a = ±0.05 in the descent direction. The certificate is ``lb.certify`` with
    ``n_probes`` probes per radius.
    """
    q = check_int(degree, "degree", minimum=1, maximum=20)
    t = check_int(data_degree, "data_degree", minimum=1)
    if not 1 <= t <= 6:
        raise ValueError(f"data_degree: expected an int in 1..6, got {data_degree}")
    lam = check_real(lam, "lam", minimum=0.0)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    return _render(_draw_monomial, _monomial_data(q, t, lam, n_probes), degree=q, data_degree=t)


def monomial_degree_explorer(*, degree=2, data_degree=2):
    """Widget: slide the monomial degree q and the data's degree t (ni-prop-1); the figure's
    data for every (q, t) is computed when the widget is built."""
    degree = check_range(degree, "degree", 1, 6, integer=True)
    data_degree = check_range(data_degree, "data_degree", 1, 5, integer=True)
    # the whole grid (30 certificates, about 2 s): a move only draws
    for t in range(1, 6):
        for q in range(1, 7):
            _monomial_data(q, t, 1.0, 30)

    def render(degree, data_degree):
        return render_monomial_degree(degree, data_degree)

    def draw(sc, degree, data_degree):
        _draw_monomial(sc, _monomial_data(int(degree), int(data_degree), 1.0, 30), degree=degree,
                       data_degree=data_degree)

    controls = {"degree": W.IntSlider(value=degree, min=1, max=6, description="q (neuron)"),
                "data_degree": W.IntSlider(value=data_degree, min=1, max=5, description="t (data)")}
    return make_widget(render, controls, draw=draw, name="monomial_degree_explorer")


def _chain_data(X, y, depth, lam, tau_max, width, p):
    from .constructions import best_constant
    from .losses import get_loss
    from .models import exponential_per_layer
    from .neurips import exponential_chain_direction

    loss = get_loss("neurips_hinge", p=p)
    X, y = onp.asarray(X, dtype=float), onp.asarray(y, dtype=float)
    taus = onp.linspace(0.0, tau_max, 101)
    curves = []
    for power in (2, 2 * depth):
        model = exponential_per_layer(X.shape[1], hidden=(width,) * depth, activation="tanh",
                                      lam=lam, power=power)
        params = {k: onp.zeros_like(v) for k, v in model.init(0).items()}
        params[f"b{depth + 1}"][:] = best_constant(loss, y)
        params["W1"][:, -1] = 1.0
        obj = Objective(model, loss, X, y, reduction="sum")
        theta = obj.flatten(params)
        best = None
        for sign in (1.0, -1.0):
            D = obj.flatten(exponential_chain_direction(params, sign=sign))
            vals = onp.asarray(obj.value(theta + taus[1:2, None] * D))[0]
            if best is None or vals < best[0]:
                best = (vals, D)
        values = onp.asarray(obj.value(theta + taus[:, None] * best[1]), dtype=float)
        curves.append((power, values - obj.value(theta)))
    return taus, curves


def _draw_chain(sc, data, *, depth, lam, **_):
    from .plotting import COLORS

    taus, curves = data
    ax = sc.subplots(figsize=(6.4, 4))
    for (power, values), color, key in zip(curves, (COLORS["bad"], COLORS["good"]),
                                           ("two", "two_L"), strict=True):
        label = f"power {power}" + (" = 2L" if power == 2 * depth else "")
        sc.line(ax, key, taus, values, color=color, label=label)
    sc.hline(ax, "zero", 0, color=COLORS["grey"], lw=0.8, ls=":")
    ax.set(xlabel="τ (each chain weight)", ylabel="L̃(τ) − L̃(0)",
           title=f"L = {depth} hidden layers, λ = {lam:g}")
    ax.legend(fontsize=8)
    sc.rescale(ax)


def render_chain_path(X, y, *, depth=3, lam=1.0, tau_max=0.02, width=2, p=3):
    """The path of the proof of ni-thm-2, for the regulariser power 2 and 2L side by side.

    The point: ``exponential_per_layer(d, hidden=(width,)*depth, 'tanh')`` with every weight
    zero except the input weights (1, …, 1) of the first exponential neuron and the output
    bias t* (the best constant): the network outputs t* on every sample. Along
    :func:`lossbook.exponential_chain_direction` (the sign that lowers the data term) the
    data term falls like τ^L, the regulariser (λ/2)Σ‖w̃_l‖^power rises like τ^power. Plotted:
    L̃(τ) − L̃(0) for power 2 and power 2L, τ in [0, tau_max] (summed loss, ℓ = [max(z+1,0)]^p).
    """
    depth = check_int(depth, "depth", minimum=1, maximum=8)
    lam = check_real(lam, "lam", minimum=0.0)
    tau_max = check_real(tau_max, "tau_max", minimum=0.0, strict=True, maximum=1.0)
    width = check_int(width, "width", minimum=1)
    X, y = check_Xy(X, y)
    if float(onp.max(onp.abs(X).sum(axis=1))) > 700:
        raise ValueError("X: exp(Σⱼ xⱼ) of the first exponential neuron overflows float64; "
                         "expected data of smaller scale")
    return _render(_draw_chain, _chain_data(X, y, depth, lam, tau_max, width, p), depth=depth,
                   lam=lam)


def chain_path_explorer(X, y, *, depth=3, lam=1.0):
    """Widget: depth L, λ and the range of τ for :func:`render_chain_path` (ni-thm-2)."""
    check_Xy(X, y)
    depth = check_range(depth, "depth", 1, 4, integer=True)
    lam = check_range(lam, "lam", 1e-2, 1e3)

    data = cached(lambda depth, lam, tau_max: _chain_data(X, y, int(depth), lam, tau_max, 2, 3))

    def render(depth, lam, tau_max):
        return render_chain_path(X, y, depth=depth, lam=lam, tau_max=tau_max)

    def draw(sc, depth, lam, tau_max):
        _draw_chain(sc, data(depth=depth, lam=lam, tau_max=tau_max), depth=int(depth), lam=lam)

    controls = {"depth": W.IntSlider(value=depth, min=1, max=4, description="L"),
                "lam": _log_slider(lam, -2, 3, description="λ"),
                "tau_max": _log_slider(0.02, -3, -0.5,
                                            description="τ max")}
    return make_widget(render, controls, draw=draw, name="chain_path_explorer")


# -- census explorer (icml-thm-1, icml-prop-1, icml-thm-2) -------------------------------------
#: The neurons the census explorer offers (names in ACTIVATIONS).
CENSUS_NEURONS = ("softplus", "quadratic", "sigmoid", "tanh", "elu", "leaky_relu", "relu")

# the rows of the census explorer's bar chart: (label, colour key, count keys, first found wins)
_CENSUS_ROWS = (("zero training error", "good", ("zero training error",)),
                ("bad local minima", "bad", ("bad local minima",)),
                ("global, forced error", "good", ("global, forced error",)),
                ("error > 0, saddle", "accent", ("error > 0, saddle", "refuted")),
                ("undecided", "accent", ("undecided",)),
                ("not critical", "grey", ("not critical",)),
                ("error > 0, not converged", "grey", ("error > 0, not converged",
                                                      "not converged")))


def _census_data(data, n_samples, overlap, subspace_dim, n_features, seed):
    """(X, y, assumption report) for :func:`render_census`."""
    from .data import check_assumptions, make_separable_data, make_subspace_data

    if data == "subspace":
        k = subspace_dim
        pos = tuple(range(k))
        neg = tuple(range(k - overlap, 2 * k - overlap))
        X, y = make_subspace_data(n_samples, n_features=2 * k - overlap, pos_basis=pos,
                                  neg_basis=neg, random_state=seed)
    else:
        X, y = make_separable_data(n_samples, n_features=n_features, random_state=seed)
    return X, y, check_assumptions(X, y)


@cached
def _census_result(n, M, p, activation, overlap, data, k, d_sep, hidden, n_runs, maxiter,
                   n_probes, seed):
    from .activations import get_activation
    from .losses import get_loss
    from .models import feedforward, shortcut, single_layer
    from .sweep import census

    sigma = get_activation(activation)
    X, y, report = _census_data(data, n, overlap, k, d_sep, seed)
    d = X.shape[1]
    f_S = single_layer(d, M, activation)
    model = shortcut(f_S, feedforward(d, hidden=hidden, activation="relu")) if hidden else f_S
    c = census(model, get_loss("polynomial_hinge", p=p), X, y, n_runs=n_runs, random_state=seed,
               maxiter=maxiter, n_probes=n_probes, radii=(1e-2,), progress=False)
    if data == "subspace":
        bound = int(report.thm1_neurons)
        rule = f"Thm 1 needs M ≥ 2·max(n/Δr, r₊, r₋) = {bound}, p ≥ 6, σ'' > 0"
        holds = M >= bound and p >= 6 and sigma.satisfies_assumption_5
        shape = f"r₊ = {report.r_pos}, r₋ = {report.r_neg}, r = {report.r}, Δr = {report.delta_r}"
    else:
        bound = 1
        rule = "Thm 2 needs M ≥ 1, p ≥ 3, σ' > 0"
        holds = p >= 3 and sigma.increasing
        shape = f"separable data in d = {d}"
    bins = onp.linspace(0, 0.5 + 1e-9, 11)
    errors = onp.minimum(onp.asarray(c.errors, dtype=float), bins[-1])
    bad = onp.asarray(c.bad, dtype=bool)
    counts = c.counts
    rows = [(label, color, next(counts[k] for k in keys if k in counts))
            for label, color, keys in _CENSUS_ROWS if any(k in counts for k in keys)]
    return dict(bins=bins, other=onp.histogram(errors[~bad], bins)[0],
                bad=onp.histogram(errors[bad], bins)[0], rows=rows, n_runs=c.n_runs,
                n_bad=counts["bad local minima"],
                left_title=f"{data} data, n = {n}, d = {d}: {shape}\n{rule}",
                right_title=f"M = {M} (bound {bound}), p = {p}, {sigma.name}\n"
                            f"conditions {'hold' if holds else 'do not hold'}")


def _draw_census(sc, d, **_):
    from .plotting import COLORS

    sc.layout(tuple(r[0] for r in d["rows"]))
    ax0, ax1 = sc.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1.3, 1]})
    bins = d["bins"]
    mid, width = (bins[1:] + bins[:-1]) / 2, 0.98 * (bins[1] - bins[0])
    sc.bars(ax0, "other", mid, d["other"], width=width, colors=COLORS["good"], label="other runs")
    sc.bars(ax0, "bad", mid, d["bad"], bottom=d["other"], width=width, colors=COLORS["bad"],
            label="certified bad local minima")
    ax0.set(xlabel="training error at the end point", ylabel="runs", xlim=(bins[0], bins[-1]),
            ylim=(0, 1.05 * max(1, int((d["other"] + d["bad"]).max()))))
    ax0.set_title(d["left_title"], fontsize=9)
    labels, colors, values = zip(*d["rows"], strict=True)
    bars = sc.bars(ax1, "counts", range(len(values)), values, horizontal=True,
                   colors=[COLORS[c] for c in colors])
    sc.remove("bar labels")
    sc.keep("bar labels", ax1.bar_label(bars, fontsize=8, padding=2))
    if sc.new:
        ax0.legend(fontsize=8)
        ax1.set_yticks(range(len(labels)), labels, fontsize=8)
        ax1.invert_yaxis()
    ax1.set(xlim=(0, d["n_runs"]), xlabel="runs")
    ax1.set_title(d["right_title"], fontsize=9)


def render_census(n_samples=20, n_neurons=4, p=6, activation="softplus", overlap=1, *,
                  data="subspace", subspace_dim=3, n_features=2, hidden=(), n_runs=20,
                  maxiter=200, n_probes=20, seed=0):
    """A small census and the neuron count the theorems ask for (icml-thm-1, icml-thm-2).

    ``data='subspace'``: positives on span(e_1 … e_k), negatives on a k-dimensional coordinate
    subspace sharing ``overlap`` coordinates with it (k = ``subspace_dim``), so d = 2k − overlap,
    r₊ = r₋ = k, r = 2k − overlap and Δr = k − overlap; Theorem 1 asks for
    M ≥ 2·max(n/Δr, r₊, r₋) and p ≥ 6. ``data='separable'``: linearly separable data in
    ``n_features`` dimensions, where Theorem 2 asks for M ≥ 1, σ' > 0 and p ≥ 3.
    The network is f_S with ``n_neurons`` neurons ``activation`` (plus a ReLU f_D with the
    widths ``hidden`` if not empty), trained from ``n_runs`` random starts under
    ℓ_p(z) = [max(z + 1, 0)]^(p+1) and certified (:func:`lossbook.census`, ``maxiter`` L-BFGS
    steps, ``n_probes`` probes at radius 1e-2). Left: the histogram of final training errors;
    right: the counts and the bound. Returns a matplotlib Figure.
    """
    if not isinstance(data, str) or data not in ("subspace", "separable"):
        raise ValueError(f"data: expected 'subspace' or 'separable', got {data!r}")
    n = check_int(n_samples, "n_samples", minimum=4)
    M = check_int(n_neurons, "n_neurons", minimum=1)
    p = check_int(p, "p", minimum=1)
    k = check_int(subspace_dim, "subspace_dim", minimum=1)
    overlap = check_int(overlap, "overlap", minimum=0)
    if data == "subspace" and overlap >= k:
        raise ValueError(f"overlap: expected an int in [0, {k - 1}] (Assumption 3 needs "
                         f"Δr = subspace_dim − overlap > 0), got {overlap}")
    d_sep = check_int(n_features, "n_features", minimum=1)
    seed = check_int(seed, "seed", minimum=0)
    if not isinstance(hidden, (tuple, list)) or any(
            isinstance(h, bool) or not isinstance(h, (int, onp.integer)) or h < 1 for h in hidden):
        raise ValueError(f"hidden: expected a tuple of hidden widths (ints >= 1), got {hidden!r}")
    if not isinstance(activation, str) or activation not in CENSUS_NEURONS:
        raise ValueError(f"activation: expected one of {', '.join(CENSUS_NEURONS)}, "
                         f"got {activation!r}")
    # checked here too (as lb.census does): the cached census needs valid, hashable keys
    n_runs = check_int(n_runs, "n_runs", minimum=1)
    maxiter = check_int(maxiter, "maxiter", minimum=0)
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    result = _census_result(n, M, p, activation, overlap, data, k, d_sep, tuple(hidden), n_runs,
                            maxiter, n_probes, seed)
    return _render(_draw_census, result)


def census_explorer(*, data="subspace", n_samples=20, n_neurons=4, p=6, activation="softplus",
                    overlap=1, n_features=2, hidden=()):
    """Widget: sliders for n, M, p, the neuron and the subspace overlap (or, for
    ``data='separable'``, the dimension d) rerun :func:`render_census` (20 runs). A census
    is computed once per combination of control values and kept; the sliders update on
    release."""
    if not isinstance(data, str) or data not in ("subspace", "separable"):
        raise ValueError(f"data: expected 'subspace' or 'separable', got {data!r}")
    n_samples = check_range(n_samples, "n_samples", 4, 40, integer=True)
    n_neurons = check_range(n_neurons, "n_neurons", 1, 24, integer=True)
    p = check_range(p, "p", 1, 8, integer=True)
    check_choice(activation, "activation", CENSUS_NEURONS)
    overlap = check_range(overlap, "overlap", 0, 2, integer=True)
    n_features = check_range(n_features, "n_features", 1, 6, integer=True)
    if not isinstance(hidden, (tuple, list)) or any(
            isinstance(h, bool) or not isinstance(h, (int, onp.integer)) or h < 1 for h in hidden):
        raise ValueError(f"hidden: expected a tuple of hidden widths (ints >= 1), got {hidden!r}")
    hidden = tuple(hidden)

    controls = {"n_samples": _heavy(W.IntSlider(value=n_samples, min=4, max=40, step=2,
                                                description="n")),
                "n_neurons": _heavy(W.IntSlider(value=n_neurons, min=1, max=24, description="M")),
                "p": _heavy(W.IntSlider(value=p, min=1, max=8, description="p")),
                "activation": W.Dropdown(options=list(CENSUS_NEURONS), value=activation,
                                         description="neuron")}
    if data == "subspace":
        controls["overlap"] = _heavy(W.IntSlider(value=overlap, min=0, max=2,
                                                 description="overlap"))

        def render(n_samples, n_neurons, p, activation, overlap):
            return render_census(n_samples, n_neurons, p, activation, overlap, hidden=hidden)

        def draw(sc, n_samples, n_neurons, p, activation, overlap):
            _draw_census(sc, _census_result(n_samples, n_neurons, p, activation, overlap,
                                            "subspace", 3, 2, hidden, 20, 200, 20, 0))
    else:
        controls["n_features"] = _heavy(W.IntSlider(value=n_features, min=1, max=6,
                                                    description="d"))

        def render(n_samples, n_neurons, p, activation, n_features):
            return render_census(n_samples, n_neurons, p, activation, data="separable",
                                 n_features=n_features, hidden=hidden)

        def draw(sc, n_samples, n_neurons, p, activation, n_features):
            _draw_census(sc, _census_result(n_samples, n_neurons, p, activation, 1,
                                            "separable", 3, n_features, hidden, 20, 200, 20, 0))
    return make_widget(render, controls, draw=draw, name="census_explorer")
