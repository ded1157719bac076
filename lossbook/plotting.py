"""One visual style for the whole book, and the figures every chapter draws.

Every function draws on an ``ax`` (created if not given) and returns the figure or axes,
so a notebook cell ends with the figure and nothing else prints.
"""
import io
import struct

import matplotlib
import matplotlib.figure
import matplotlib.patches
import matplotlib.pyplot as plt
import matplotlib.text
import numpy as onp

from ._validation import check_array, check_ax, check_grid, check_int, check_real, check_str, check_Xy
from .activations import get_activation
from .losses import get_loss


def _check_names(values, name):
    if isinstance(values, (str, bytes)) or not isinstance(values, (tuple, list)) or not values:
        raise TypeError(f"{name}: expected a non-empty tuple or list, got {values!r:.60}")
    return values


def _check_z(z):
    z = check_grid(z, "z")
    if onp.max(onp.abs(z)) > 1e6:
        raise ValueError(f"z: expected |z| <= 1e6 (the curves overflow beyond), got {onp.max(onp.abs(z)):g}")
    return z


def _check_2d(X, y, *, exactly=True):
    X, y = check_Xy(X, y)
    if X.shape[1] < 2 or (exactly and X.shape[1] != 2):
        raise ValueError(f"X: expected two features (shape (n, 2)), got shape {X.shape}")
    return X, y

#: The book's colours: the classes (``pos``, ``neg``), bad and good minima, an accent, grey.
COLORS = {"pos": "#d62728", "neg": "#1f77b4", "bad": "#ff7f0e", "good": "#2ca02c",
          "accent": "#9467bd", "grey": "#7f7f7f"}

#: Pixels per inch of the PNG files the book stores (sharp on high-density screens) and CSS
#: pixels per inch of a figure shown at full size (the page's ``<img width>``). A 6.4-inch
#: figure is 640 CSS px wide, and text of s points is s·100/72 CSS px high when the figure is
#: shown at full size: 10 pt → 13.9 px. The book's text column is about 690 CSS px wide at a
#: 1280-px window, so a figure wider than 6.9 in is scaled down: s-point text is then
#: s/72·690/width_in px, and 9 px needs s ≥ 0.94·width_in (10 pt up to 10.6 in wide).
PNG_DPI = 150
CSS_DPI = 100
SMALLEST_TEXT_KEY = "lossbook:smallest-text-pt"

STYLE = {
    "figure.figsize": (6.4, 4.0), "figure.dpi": CSS_DPI, "savefig.dpi": PNG_DPI,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 10,
    "ytick.labelsize": 10, "legend.fontsize": 10, "legend.title_fontsize": 10,
    "figure.titlesize": 12, "legend.frameon": False, "savefig.bbox": "tight",
    # titles at the top of their axes: matplotlib's automatic placement (None) lays out the tick
    # labels a second time in every draw, about a third of a widget's full redraw, to lift a title
    # over top-side ticks or labels, which the book's axes do not have
    "axes.titley": 1.0,
}


def smallest_text_pt(fig):
    """The font size (points) of the smallest non-empty visible text in ``fig`` (None if none)."""
    fig.draw_without_rendering()  # creates the tick labels
    return _smallest_drawn_pt(fig)


def _smallest_drawn_pt(fig):
    # as smallest_text_pt, of a figure laid out (its tick labels made) since its last change
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
             if t.get_visible() and t.get_text().strip()]
    return min(sizes) if sizes else None


#: The width of the book's text column in a 1280-px window, in CSS px: a wider figure is shown
#: scaled down to it.
COLUMN_PX = 688
#: The smallest size at which figure text may be shown, in CSS px.
MIN_TEXT_PX = 9.0


def make_legible(fig, *, column_px=COLUMN_PX, min_px=MIN_TEXT_PX):
    """Enlarge the text of ``fig`` that would be shown under ``min_px`` CSS px; returns ``fig``.

    A figure wider than the text column (``column_px`` CSS px at :data:`CSS_DPI`) is shown
    scaled down, and its text with it: a 13-inch figure shows 10-pt labels at about 7 px. So
    every text (tick labels through :meth:`~matplotlib.axes.Axes.tick_params`, so that ticks
    made later follow) is raised to the size that is shown at ``min_px``, and the layout is
    redone; repeated while the larger text widens the figure. :func:`figure_png` calls it.
    """
    return _make_legible(fig, column_px, min_px)[0]


def _make_legible(fig, column_px, min_px):
    # make_legible, and whether the figure is left as last laid out (nothing changed since)
    import warnings

    pad = 2 * float(plt.rcParams["savefig.pad_inches"])  # bbox_inches="tight" adds it around
    for _ in range(12):
        width_px = (fig.get_tightbbox().width + pad) * CSS_DPI  # lays out the ticks too
        min_pt = 1.02 * min_px * 72.0 / CSS_DPI / min(1.0, column_px / max(width_px, 1.0))
        changed = False
        for ax in fig.axes:
            for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
                labels = [t for t in axis.get_ticklabels(which="both") if t.get_text().strip()]
                if labels and min(t.get_fontsize() for t in labels) < min_pt:
                    ax.tick_params(axis=name, which="both", labelsize=min_pt)
                    changed = True
        for text in fig.findobj(matplotlib.text.Text):
            if text.get_visible() and text.get_text().strip() and text.get_fontsize() < min_pt:
                text.set_fontsize(min_pt)
                changed = True
        if not changed:
            return fig, True
        if fig.get_layout_engine() is None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "not compatible with tight_layout": keep as is
                fig.tight_layout()
    return fig, False


def figure_png(fig):
    """The PNG the book stores for ``fig``, with its display size: ``(png_bytes, metadata)``.

    Rendered at :data:`PNG_DPI`, shown at :data:`CSS_DPI` (``metadata = {"width": w, "height":
    h}`` in CSS px, which myst-nb writes into the page's ``<img>``), and the smallest text
    size in points recorded in the PNG (tEXt ``lossbook:smallest-text-pt``), which the
    browser test reads to compute the size figure text is shown at.
    """
    fig, laid_out = _make_legible(fig, COLUMN_PX, MIN_TEXT_PX)
    smallest = _smallest_drawn_pt(fig) if laid_out else smallest_text_pt(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=PNG_DPI, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor(),
                metadata={SMALLEST_TEXT_KEY: "none" if smallest is None else f"{smallest:g}"})
    data = buf.getvalue()
    width, height = struct.unpack(">II", data[16:24])  # the PNG's IHDR
    scale = CSS_DPI / PNG_DPI
    return data, {"width": round(width * scale), "height": round(height * scale)}


def set_style():
    """Apply the book's matplotlib style (called once at the top of each chapter).

    In IPython (a notebook) it also makes every figure display as ``figure_png`` renders it:
    a PNG at ``PNG_DPI``, shown at ``CSS_DPI`` CSS px per inch (see ``figure_png``).
    """
    plt.rcParams.update(STYLE)
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook stack
        return
    shell = get_ipython()
    if shell is not None:
        # activate the backend first: the inline backend registers its own PNG formatter when
        # it is activated (at the first figure), which would otherwise replace this one
        plt.close(plt.figure())
        formatter = shell.display_formatter.formatters["image/png"]
        formatter.for_type(matplotlib.figure.Figure, figure_png)


def _ax(ax, figsize=None):
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax


def plot_activations(names=("softplus", "relu", "leaky_relu", "sigmoid", "quadratic"), *, z=None,
                     ax=None):
    """Neurons σ(z) side by side (ICML Fig. 2a)."""
    check_ax(ax)
    names = _check_names(names, "names")
    acts = []
    for name in names:
        try:
            acts.append(get_activation(name))
        except (TypeError, ValueError) as err:
            raise type(err)(f"names: {err}") from None
    z = onp.linspace(-3, 3, 601) if z is None else _check_z(z)
    ax = _ax(ax)
    for name in names:
        act = get_activation(name) if isinstance(name, str) else name
        ax.plot(z, act(z), label=f"{act.name} [{act.paper_class}]")
    ax.set(xlabel="z", ylabel="σ(z)", ylim=(-1.5, 3.5), title="Neurons and their ICML class")
    ax.legend()
    return ax


def plot_losses(losses=None, *, z=None, ax=None):
    """Surrogate losses ℓ(z) against the zero-one loss (ICML Fig. 2b)."""
    check_ax(ax)
    if losses is not None:
        for loss in _check_names(losses, "losses"):
            try:
                get_loss(loss)
            except (TypeError, ValueError) as err:
                raise type(err)(f"losses: {err}") from None
    z = onp.linspace(-3, 2, 501) if z is None else _check_z(z)
    ax = _ax(ax)
    losses = losses or [get_loss("zero_one"), get_loss("polynomial_hinge", p=2),
                        get_loss("quadratic"), get_loss("logistic")]
    for loss in losses:
        loss = get_loss(loss)
        ax.plot(z, loss(z), label=f"{loss.name}: {loss.formula}",
                drawstyle="steps-post" if loss.name == "zero_one" else "default")
    ax.set(xlabel="z = −y f(x)", ylabel="ℓ(z)", ylim=(-0.2, 4), title="Surrogate losses")
    ax.legend()
    return ax


def plot_data_2d(X, y, *, ax=None, title=None):
    """A two-feature dataset: positives red, negatives blue (X of shape (n, 2), y in {−1, +1};
    with more features the first two are drawn)."""
    check_ax(ax)
    check_str(title, "title", optional=True)
    X, y = _check_2d(X, y, exactly=False)
    ax = _ax(ax)
    ax.scatter(X[y > 0, 0], X[y > 0, 1], c=COLORS["pos"], s=18, label="y = +1")
    ax.scatter(X[y < 0, 0], X[y < 0, 1], c=COLORS["neg"], s=18, marker="s", label="y = −1")
    ax.set(xlabel="x₁", ylabel="x₂", title=title)
    ax.legend()
    return ax


def plot_decision_regions(model, params, X, y, *, ax=None, resolution=200, pad=0.5, title=None):
    """Sign of f(x; θ) over the plane (needs two features), with the data on top."""
    from .models import Model
    if not isinstance(model, Model):
        raise TypeError(f"model: expected a lossbook Model, got {type(model).__name__}")
    check_ax(ax)
    check_str(title, "title", optional=True)
    X, y = _check_2d(X, y)
    model.check_params(params)
    resolution = check_int(resolution, "resolution", minimum=2, maximum=2000)
    pad = check_real(pad, "pad", minimum=0.0, maximum=1e6)
    ax = _ax(ax)
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    g1, g2 = onp.meshgrid(onp.linspace(lo[0], hi[0], resolution), onp.linspace(lo[1], hi[1], resolution))
    F = onp.asarray(model.apply(params, onp.column_stack([g1.ravel(), g2.ravel()]))).reshape(g1.shape)
    ax.contourf(g1, g2, onp.where(F >= 0, 1.0, -1.0), levels=[-2, 0, 2],
                colors=[COLORS["neg"], COLORS["pos"]], alpha=0.15)
    ax.contour(g1, g2, F, levels=[0], colors="k", linewidths=1)
    plot_data_2d(X, y, ax=ax, title=title)
    return ax


def plot_slice_1d(ts, values, *, ax=None, label=None, title="1-D slice of the loss"):
    """Plot L(θ + t·u) against t (from :func:`loss_slice_1d`); the point itself is at t = 0."""
    check_ax(ax)
    ts = check_grid(ts, "ts")
    values = check_array(values, "values", ndim=1, finite=False)
    if values.shape != ts.shape:
        raise ValueError(f"values: expected one value per entry of ts, shape {ts.shape}, "
                         f"got {values.shape}")
    if onp.any(onp.isnan(values)):
        raise ValueError("values: contains NaN")
    check_str(label, "label", optional=True)
    check_str(title, "title", optional=True)
    ax = _ax(ax)
    ax.plot(ts, values, label=label)
    ax.axvline(0, color=COLORS["grey"], lw=0.8, ls=":")
    ax.set(xlabel="t", ylabel="L(θ + t u)", title=title)
    if label:
        ax.legend()
    return ax


def plot_slice_2d(s, t, values, *, ax=None, title="2-D slice of the loss", levels=30):
    """Filled contours of L(θ + s u + t v); the certified point sits at the origin."""
    check_ax(ax)
    s, t = check_grid(s, "s"), check_grid(t, "t")
    values = check_array(values, "values", ndim=2)
    if values.shape != (t.size, s.size):
        raise ValueError(f"values: expected shape (len(t), len(s)) = {(t.size, s.size)}, "
                         f"got {values.shape}")
    if isinstance(levels, (list, tuple, onp.ndarray)):
        levels = check_array(levels, "levels", ndim=1)
    else:
        levels = check_int(levels, "levels", minimum=1, maximum=1000)
    check_str(title, "title", optional=True)
    ax = _ax(ax)
    cs = ax.contourf(s, t, values, levels=levels, cmap="viridis")
    ax.figure.colorbar(cs, ax=ax, label="loss")
    ax.plot([0], [0], marker="*", color="w", ms=12, mec="k")
    ax.set(xlabel="s (direction u)", ylabel="t (direction v)", title=title)
    ax.grid(False)
    return ax


def plot_census(census, *, ax=None, title=None, bins=None):
    """Histogram of final training errors in a census, bad local minima highlighted."""
    from .sweep import Census
    if not isinstance(census, Census):
        raise TypeError(f"census: expected a lossbook Census, got {type(census).__name__}")
    check_ax(ax)
    check_str(title, "title", optional=True)
    if isinstance(bins, (list, tuple, onp.ndarray)):
        bins = check_array(bins, "bins", ndim=1)
        if bins.size < 2 or onp.any(onp.diff(bins) <= 0):
            raise ValueError("bins: expected an increasing array of at least 2 bin edges")
    elif bins is not None:
        bins = check_int(bins, "bins", minimum=1, maximum=10_000)
    ax = _ax(ax)
    errors = onp.asarray(census.errors)
    bins = bins if bins is not None else onp.linspace(0, max(0.5, errors.max()) + 1e-9, 21)
    bad = census.bad
    ax.hist([errors[~bad], errors[bad]], bins=bins, stacked=True,
            color=[COLORS["good"], COLORS["bad"]], label=["other runs", "certified bad local minima"])
    c = census.counts
    ax.set(xlabel="training error at the end point", ylabel="runs",
           title=title or f"{c['runs']} runs, {c['bad local minima']} bad local minima")
    ax.legend()
    return ax


def plot_architecture(kind="shortcut", *, ax=None):
    """Schematic of ICML Fig. 1: ``'identity'`` (a residual block) or ``'shortcut'`` (f_S + f_D)."""
    if not isinstance(kind, str) or kind not in ("identity", "shortcut"):
        raise ValueError(f"kind: expected 'identity' or 'shortcut', got {kind!r}")
    check_ax(ax)
    ax = _ax(ax, figsize=(5, 3))
    ax.set_axis_off()
    ax.set(xlim=(0, 10), ylim=(0, 6))

    def box(x, y, text, color, width=2.2):
        # the middle boxes are wider so that their labels fit inside them
        ax.add_patch(matplotlib.patches.FancyBboxPatch((x - width / 2, y - 0.45), width, 0.9,
                     boxstyle="round,pad=0.1", fc=color, ec="k", alpha=0.8))
        ax.text(x, y, text, ha="center", va="center", fontsize=8 if width > 2.2 else 9)

    def arrow(x0, y0, x1, y1):
        ax.annotate("", (x1, y1), (x0, y0), arrowprops=dict(arrowstyle="->", lw=1.2))

    # the two architectures differ only in their labels: (top box, bottom box, merge, title)
    top, bottom, merge, title = {
        "shortcut": (("f_S: a0 + aᵀσ(Wᵀx)", "#c7e9c0"), ("f_D: deep network", "#c6dbef"),
                     (7.3, 3, "+", 14), "shortcut-like: f = f_S + f_D (Assumption 4)"),
        "identity": (("identity: x", "#eeeeee"), ("H(x): ReLU network", "#c6dbef"),
                     (8.8, 3.85, "aᵀ(x + H(x)) + b", 8), "identity shortcut: f = aᵀ(x + H(x)) + b"),
    }[kind]
    box(1.2, 3, "x", "#eeeeee")
    box(8.8, 3, "f(x)", "#eeeeee")
    box(5, 4.6, *top, width=3.4)
    box(5, 1.4, *bottom, width=3.4)
    for yy in (4.6, 1.4):
        arrow(2.3, 3, 3.3, yy)
        arrow(6.7, yy, 7.7, 3)
    x, y, text, size = merge
    ax.text(x, y, text, fontsize=size, ha="center", va="center")
    ax.set_title(title)
    return ax
