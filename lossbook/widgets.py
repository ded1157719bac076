"""Interactive widgets. Each renders through a pure function ``render_*(**values)`` that
returns a matplotlib Figure, so tests and benchmarks call it without a browser, and the
static book shows ``render_*(**defaults)`` as a plain figure.

A widget is built by :func:`make_widget` from a render function and its controls; the
render function is attached as ``widget.render`` and the defaults as ``widget.defaults``.
"""
import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as onp
from IPython.display import display

from .activations import _derivatives as _act_derivatives
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
            # display, not plt.show(fig): show takes no figure and fails outside the inline backend
            display(fig)
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


# -- Part I: neurons and losses -------------------------------------------------------------------
_ICML_A1 = ("surrogate", "C^p", "non-decreasing", "flat exactly for z <= -z0")
_NI_A1 = ("non-decreasing", "C^2", "critical points global", "global minimisers < 0")


def render_neuron_loss(activation="softplus", loss="polynomial_hinge", *, p=2, slope=0.1):
    """Two panels: a neuron σ with σ' and σ'', and a loss ℓ with ℓ', each annotated with the
    assumptions it meets (icml-asm-5 and the ICML class via :func:`check_neuron`; icml-asm-1
    and ni-asm-1 via :func:`check_loss_assumption`).

    ``p`` is the exponent option of the hinge losses, ``slope`` the negative-side slope of
    ``leaky_relu``; both are ignored by the other choices. Returns a matplotlib Figure.
    """
    from .activations import ACTIVATIONS, check_neuron, get_activation
    from .losses import LOSSES, check_loss_assumption, get_loss
    from .plotting import COLORS

    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")
    if loss not in LOSSES:
        raise ValueError(f"loss: expected one of {', '.join(LOSSES)}, got {loss!r}")
    act = (get_activation(activation, slope=slope) if activation == "leaky_relu"
           else get_activation(activation))
    ell = get_loss(loss, p=p) if loss in ("polynomial_hinge", "neurips_hinge") else get_loss(loss)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    z = onp.linspace(-3, 3, 601)
    d1, d2 = _act_derivatives(act.fn, z)
    ax1.plot(z, act(z) + 0.0 * z, label="σ(z)")
    ax1.plot(z, d1, "--", label="σ'(z)")
    ax1.plot(z, d2, ":", label="σ''(z)")
    ax1.set(xlabel="z", ylim=(-2, 4), title=f"neuron {act.name}: {act.formula}")
    chk = check_neuron(act)
    yn = lambda b: "yes" if b else "no"  # noqa: E731
    ax1.text(0.02, 0.98, f"class: {'/'.join(chk.classes) or 'none'}\n"
             f"real analytic: {yn(chk.real_analytic)}\n"
             f"σ' > 0: {yn(chk.increasing)}, σ'' > 0: {yn(chk.strictly_convex)}\n"
             f"Assumption 5: {yn(chk.satisfies_assumption_5)}", transform=ax1.transAxes, va="top",
             fontsize=8, bbox=dict(fc="white", ec="0.7"))
    ax1.legend(fontsize=8, loc="lower right")
    zl = onp.linspace(-3, 2, 501)
    dl, _ = _act_derivatives(ell.fn, zl) if ell.smoothness >= 1 else (onp.zeros_like(zl), None)
    ax2.plot(zl, onp.where(zl >= 0, 1.0, 0.0), color=COLORS["grey"], lw=1, ls=":", label="1{z ≥ 0}")
    ax2.plot(zl, ell(zl) + 0.0 * zl, label="ℓ(z)")
    ax2.plot(zl, dl, "--", label="ℓ'(z)")
    ax2.set(xlabel="z = −y f(x)", ylim=(-0.5, 5), title=f"loss {ell.name}: {ell.formula}")
    icml = list(check_loss_assumption(ell, paper="icml").conditions.values())
    ni = list(check_loss_assumption(ell, paper="neurips").conditions.values())
    lines = ["ICML Assumption 1:"]
    lines += [f"  {k}: {yn(v)}" for k, v in zip(_ICML_A1, icml, strict=True)]
    lines += ["NeurIPS Assumption 1:"]
    lines += [f"  {k}: {yn(v)}" for k, v in zip(_NI_A1, ni, strict=True)]
    ax2.text(0.02, 0.98, "\n".join(lines), transform=ax2.transAxes, va="top", fontsize=7,
             bbox=dict(fc="white", ec="0.7"))
    ax2.legend(fontsize=8, loc="center right")
    fig.tight_layout()
    return fig


def neuron_loss_explorer(activation="softplus", loss="polynomial_hinge", *, p=2):
    """Widget: pick a neuron and a loss from dropdowns; see σ, σ', σ'', ℓ, ℓ' and which of the
    papers' assumptions hold (renders through :func:`render_neuron_loss`)."""
    from .activations import ACTIVATIONS
    from .losses import LOSSES

    def render(activation, loss, p, slope):
        return render_neuron_loss(activation, loss, p=p, slope=slope)

    controls = {
        "activation": W.Dropdown(options=list(ACTIVATIONS), value=activation, description="neuron"),
        "loss": W.Dropdown(options=list(LOSSES), value=loss, description="loss"),
        "p": W.IntSlider(value=p, min=1, max=8, description="p (hinge)"),
        "slope": W.FloatSlider(value=0.1, min=0.0, max=0.9, step=0.05, description="leaky slope"),
    }
    return make_widget(render, controls)


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
    from .constructions import dead_relu_point
    from .landscape import loss_slice_1d
    from .losses import get_loss
    from .models import add_exponential_neuron
    from .neurips import exponential_slope, with_exponential_neuron
    from .plotting import COLORS, plot_data_2d

    if not lam >= 0:
        raise ValueError(f"lam: expected a non-negative number, got {lam}")
    if not radius >= 0:
        raise ValueError(f"radius: expected a non-negative number, got {radius}")
    loss = get_loss("neurips_hinge", p=p)
    base, net = dead_relu_point(X, y, loss, hidden=hidden, random_state=random_state)
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
    k = int(onp.argmin(drop))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    if X.shape[1] >= 2:
        plot_data_2d(X, y, ax=ax1, title="data; size ∝ exp(wᵀx)")
        ax1.collections[0].set_sizes(12 + 120 * g[y > 0] / g.max())
        ax1.collections[1].set_sizes(12 + 120 * g[y < 0] / g.max())
        ax1.annotate("", xy=tuple(w[:2] / max(radius, 1e-12)), xytext=(0, 0),
                     arrowprops=dict(arrowstyle="->", color=COLORS["accent"], lw=2))
    else:
        ax1.scatter(X[:, 0], y, c=onp.where(y > 0, COLORS["pos"], COLORS["neg"]),
                    s=12 + 120 * g / g.max())
        ax1.set(xlabel="x", ylabel="y", title="data; size ∝ exp(wx)")
    ax2.plot(ts, drop, color=COLORS["accent"])
    ax2.axhline(0, color=COLORS["grey"], lw=0.8, ls=":")
    ax2.plot([ts[k]], [drop[k]], "o", color=COLORS["bad"],
             label=f"min on the line: a = {ts[k]:.3f}, ΔL̃ = {drop[k]:.3f}")
    ax2.set(xlabel="a (the other parameters fixed)", ylabel="L̃(a) − L̃(0)",
            title=f"λ = {lam:g}: slope at a = 0 is {slope:.3f}")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    return fig


def exponential_neuron_explorer(datasets, *, lam=1.0, angle=0.0):
    """Widget: choose a dataset (``datasets``: name → (X, y)), λ and the direction of w; see the
    loss along the exponential neuron's a-axis at the dead-ReLU bad minimum
    (:func:`render_exponential_neuron`, ni-thm-1)."""
    if not isinstance(datasets, dict) or not datasets:
        raise ValueError("datasets: expected a non-empty dict of name -> (X, y)")

    def render(dataset, lam, angle):
        X, y = datasets[dataset]
        return render_exponential_neuron(X, y, lam=lam, angle=angle)

    controls = {"dataset": W.Dropdown(options=list(datasets), description="data"),
                "lam": W.FloatLogSlider(value=lam, base=10, min=-2, max=2, description="λ"),
                "angle": W.FloatSlider(value=angle, min=-onp.pi, max=onp.pi, step=0.05,
                                       description="angle of w")}
    return make_widget(render, controls)


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


def render_counterexample(choice="Prop 2 · ReLU", *, radius=0.5, n_neurons=4, n_probes=30,
                          resolution=25):
    """One class member's counterexample (icml-prop-2 … icml-prop-5): the neuron, a 2-D loss
    slice around the constructed point, and its certificate.

    ``choice`` is a key of ``COUNTEREXAMPLE_CHOICES``; the point is built by
    :func:`lossbook.constructions.counterexample` with ``n_neurons`` neurons in f_S (4 keeps
    the render fast; the book certifies the full widths) and certified with ``n_probes``
    probes per radius. Returns a matplotlib Figure.
    """
    from .activations import get_activation
    from .constructions import counterexample
    from .landscape import certify

    if choice not in COUNTEREXAMPLE_CHOICES:
        raise ValueError(f"choice: expected one of {', '.join(COUNTEREXAMPLE_CHOICES)}, "
                         f"got {choice!r}")
    if not radius > 0:
        raise ValueError(f"radius: expected a positive number, got {radius}")
    rid, act, opts = COUNTEREXAMPLE_CHOICES[choice]
    obj, params = counterexample(rid, act, n_neurons=int(n_neurons), **opts)
    cert = certify(obj, params, n_probes=int(n_probes), radii=(1e-1, 1e-2))
    grid = onp.linspace(-radius, radius, int(resolution))
    s, t, values = loss_slice_2d(obj, params, s=grid, t=grid, random_state=0)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), gridspec_kw={"width_ratios": [1, 1.25, 1.2]})
    z = onp.linspace(-3, 3, 301)
    sigma = get_activation(act, **opts)
    axes[0].plot(z, sigma(z) + 0.0 * z, color="k")
    axes[0].set(xlabel="z", ylabel="σ(z)", title=f"{sigma.name} ({rid})")
    plot_slice_2d(s, t, values, ax=axes[1], title=f"loss around the point (radius {radius:g})")
    axes[2].set_axis_off()
    axes[2].text(0.0, 0.5, cert.summary(), family="monospace", fontsize=8.5, va="center")
    axes[2].set_title(f"certificate: n = {len(obj.y)}, P = {obj.n_params}")
    fig.tight_layout()
    return fig


def counterexample_explorer(choice="Prop 2 · ReLU", *, radius=0.5):
    """Widget: pick a class member, see its constructed bad point certified and sliced."""
    def render(choice, radius):
        return render_counterexample(choice, radius=radius)

    controls = {"choice": W.Dropdown(options=list(COUNTEREXAMPLE_CHOICES), value=choice,
                                     description="member"),
                "radius": W.FloatLogSlider(value=radius, base=10, min=-2, max=1,
                                           description="radius")}
    return make_widget(render, controls)


def render_dead_relu(kappa=1.0, *, radius=3.0, hidden=(4,), n_samples=16, resolution=41,
                     random_state=0):
    """The dead-ReLU point of icml-prop-6 and how far its flat region reaches.

    The point is :func:`lossbook.constructions.dead_relu_point` on shared-coordinate data, with
    first-layer pre-activations ≤ −κ. Left: the loss along u = all first-layer biases raised
    together (unit vector (1, …, 1)/√h): flat until t = κ√h, where the first neuron wakes up.
    Right: the 2-D slice spanned by u and a random direction of the first-layer weights W1;
    the plateau around the point is the region where every first-layer neuron is still dead.
    Returns a matplotlib Figure.
    """
    from .constructions import dead_relu_point
    from .data import make_shared_coordinate_data
    from .landscape import loss_slice_1d
    from .losses import get_loss

    if not kappa > 0:
        raise ValueError(f"kappa: expected a positive number, got {kappa}")
    if not radius > 0:
        raise ValueError(f"radius: expected a positive number, got {radius}")
    loss = get_loss("polynomial_hinge", p=6)
    X, y = make_shared_coordinate_data(n_samples, random_state=random_state)
    model, params = dead_relu_point(X, y, loss, hidden=hidden, kappa=float(kappa),
                                    random_state=random_state)
    obj = Objective(model, loss, X, y)
    u = {k: onp.zeros_like(v) for k, v in params.items()}
    u["b1"] = onp.ones_like(params["b1"])
    h = params["b1"].shape[0]
    edge = float(kappa) * onp.sqrt(h)
    ts = onp.linspace(-radius, radius, 201)
    ts, values = loss_slice_1d(obj, params, u, ts)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    ax1.plot(ts, values, color="k")
    ax1.axvspan(-radius, min(edge, radius), color="#2ca02c", alpha=0.12,
                label="every first-layer neuron dead")
    ax1.axvline(edge, color="#ff7f0e", ls="--", label=f"t = κ√h = {edge:.2f}")
    ax1.set(xlabel="t (all first-layer biases raised by t/√h)", ylabel="loss",
            title=f"κ = {float(kappa):g}: flat until a neuron wakes up")
    ax1.legend(fontsize=8)
    grid = onp.linspace(-radius, radius, int(resolution))
    v = {k: onp.zeros_like(val) for k, val in params.items()}
    v["W1"] = onp.random.default_rng(random_state).standard_normal(params["W1"].shape)
    s, t, vals = loss_slice_2d(obj, params, (u, v), s=grid, t=grid)
    plot_slice_2d(s, t, vals, ax=ax2, title="2-D slice: s along u, t a random first-layer W1")
    fig.tight_layout()
    return fig


def dead_relu_explorer(kappa=1.0, *, radius=3.0):
    """Widget: move κ (how dead the first layer is) and watch the flat region of icml-prop-6."""
    def render(kappa, radius):
        return render_dead_relu(kappa, radius=radius)

    controls = {"kappa": W.FloatSlider(value=kappa, min=0.05, max=2.0, step=0.05,
                                       description="κ"),
                "radius": W.FloatSlider(value=radius, min=0.5, max=6.0, step=0.5,
                                        description="radius")}
    return make_widget(render, controls)


# -- Part III: which losses (icml-ex-1) and which datasets (icml-prop-11, icml-prop-12) ---
def render_population_minimisers(pos_point=1.25, neg_low=0.0, neg_width=1.0, *, p=6):
    """The two population minimisers of icml-ex-1 for the linear model f(x) = a·x + b.

    Positives sit at ``pos_point``, negatives are uniform on [neg_low, neg_low + neg_width]
    (each class with probability 1/2). Draws the quadratic-loss minimiser (exact, rational)
    and the polynomial-hinge minimiser (numerical) with their thresholds and exact errors.
    """
    from fractions import Fraction

    from .exact import linear_population_minimiser
    from .plotting import COLORS
    if not neg_width > 0:
        raise ValueError(f"neg_width: expected a positive number, got {neg_width}")
    lo, hi = neg_low, neg_low + neg_width
    quad = linear_population_minimiser("quadratic", pos_point=pos_point, neg_interval=(lo, hi))
    hinge = linear_population_minimiser("polynomial_hinge", pos_point=pos_point,
                                        neg_interval=(lo, hi), p=p)
    left, right = min(lo, pos_point) - 0.5, max(hi, pos_point) + 0.5
    xs = onp.linspace(left, right, 200)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.axvspan(lo, hi, color=COLORS["neg"], alpha=0.15, label="negatives: uniform")
    ax.axvline(pos_point, color=COLORS["pos"], lw=3, alpha=0.6, label="positives: one point")
    for fit, color, ls in ((quad, COLORS["bad"], "-"), (hinge, COLORS["good"], "--")):
        a, b = float(fit.a), float(fit.b)
        err = Fraction(fit.error)
        shown = f"{err} = {float(err):.4f}" if err.denominator < 1000 else f"{float(err):.4f}"
        label = f"{fit.loss_name.split('(')[0]}: error {shown}"
        ax.plot(xs, a * xs + b, color=color, ls=ls, label=label)
        if fit.threshold is not None and left < float(fit.threshold) < right:
            ax.plot([float(fit.threshold)], [0.0], "o", color=color)
    ax.axhline(0, color="k", lw=0.8)
    scale = max(3.0, 1.5 * abs(float(quad.a) * pos_point + float(quad.b)))
    ax.set(xlim=(left, right), ylim=(-scale, scale), xlabel="x", ylabel="f(x) = a x + b",
           title="Population minimisers of the linear model")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def population_explorer(pos_point=1.25, neg_low=0.0, neg_width=1.0):
    """Widget for icml-ex-1: move the positive point and the negative interval."""
    controls = {"pos_point": W.FloatSlider(value=pos_point, min=-1.0, max=3.0, step=0.05,
                                           description="positive x"),
                "neg_low": W.FloatSlider(value=neg_low, min=-1.0, max=2.0, step=0.05,
                                         description="neg. from"),
                "neg_width": W.FloatSlider(value=neg_width, min=0.1, max=2.0, step=0.05,
                                           description="neg. width")}
    return make_widget(render_population_minimisers, controls)


def render_sphere_condition(ratio=2.0, *, n_samples=16, seed=0, n_neurons=3, p=6, n_probes=30):
    """icml-prop-12 on two circles: positives at radius ``ratio``, negatives at radius 1.

    Left: the data, each sample's marker sized by the checker's witness λ. Right: the SDP
    margins (max min-eigenvalue of ±S(λ)) and the smallest eigenvalues of ±S at the
    class-uniform λ; the title reports the checker's verdict and the certificate of the
    point W = 0, a = −α·sign(S) that a constant output realises (a bad local minimum when
    the class-uniform S is definite).
    """
    from .constructions import quadratic_bowl_point
    from .data import check_dataset_condition, make_sphere_data
    from .landscape import certify
    from .losses import get_loss
    from .plotting import COLORS
    if not ratio > 0:
        raise ValueError(f"ratio: expected a positive number, got {ratio}")
    X, y = make_sphere_data(n_samples, radii=(ratio, 1.0), random_state=seed)
    cond = check_dataset_condition(X, y)
    uev = cond.uniform_eigenvalues
    if uev[0] > 0 or uev[-1] < 0:
        loss = get_loss("polynomial_hinge", p=p)
        model, params = quadratic_bowl_point(X, y, loss, n_neurons=n_neurons)
        obj = Objective(model, loss, X, y)
        cert = certify(obj, params, n_probes=n_probes)
        point = f"W=0 point: {cert.verdict}, error {cert.training_error:.2f}"
    else:
        point = "uniform-λ S indefinite: no W=0 minimum"
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
    lam = cond.witness if cond.witness is not None else onp.full(len(y), 0.5)
    sizes = 15 + 400 * lam / lam.max()
    ax1.scatter(X[y > 0, 0], X[y > 0, 1], s=sizes[y > 0], c=COLORS["pos"], label="y = +1")
    ax1.scatter(X[y < 0, 0], X[y < 0, 1], s=sizes[y < 0], c=COLORS["neg"], marker="s",
                label="y = −1")
    lim = 1.2 * max(ratio, 1.0)
    ax1.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="x₁", ylabel="x₂",
            title="data (marker size: witness λ)")
    ax1.legend(fontsize=8, loc="upper right")
    names = ["SDP margin\nPD", "SDP margin\nND", "uniform λ\nmin eig S", "uniform λ\nmin eig −S"]
    vals = [cond.margin_pd, cond.margin_nd, uev[0], -uev[-1]]
    ax2.bar(names, vals, color=[COLORS["bad"] if v > 0 else COLORS["good"] for v in vals])
    ax2.axhline(0, color="k", lw=0.8)
    ax2.set(title=f"ratio {ratio:.2f}: condition {cond.verdict}\n{point}", ylabel="eigenvalue")
    ax2.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig


def sphere_condition_explorer(ratio=2.0, *, n_samples=16, seed=0):
    """Widget for icml-prop-12: drag the radius ratio of the two circles."""
    def render(ratio, seed):
        return render_sphere_condition(ratio, n_samples=n_samples, seed=seed)

    controls = {"ratio": W.FloatSlider(value=ratio, min=0.3, max=3.0, step=0.02,
                                       description="r+ / r−"),
                "seed": W.IntSlider(value=seed, min=0, max=20, description="sample")}
    return make_widget(render, controls)


# -- ni-prop-1: degree of the monomial neuron against the degree the data needs -----------------
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
    from .constructions import dead_relu_point, loss_weights
    from .landscape import certify
    from .models import add_monomial_neuron
    from .plotting import COLORS
    from .stationarity import make_binomial_alternating_data

    q = int(degree)
    t = int(data_degree)
    if q < 1:
        raise ValueError(f"degree: expected an int >= 1, got {degree}")
    if not 1 <= t <= 6:
        raise ValueError(f"data_degree: expected an int in 1..6, got {data_degree}")
    loss = "neurips_hinge"
    X, y = make_binomial_alternating_data(t)
    plain, pp = dead_relu_point(X, y, loss, hidden=(2,), kappa=1.0)
    model = add_monomial_neuron(plain, degree=q, lam=lam)
    w0, b0 = 1.0, -t / 2 + 0.3
    params = {"net": pp, "a": onp.array(0.0), "w": onp.array([w0]), "b": onp.array(b0)}
    obj = Objective(model, loss, X, y, reduction="sum")
    cert = certify(obj, params, n_probes=n_probes, radii=(1e-1, 1e-2))
    t_star = float(onp.asarray(plain.apply(pp, X))[0])
    lam_i = loss_weights(loss, y, t_star)
    x = X[:, 0]
    kmax = 6
    moments = onp.array([onp.sum(lam_i * y * x ** k) for k in range(kmax + 1)])
    slope = float(onp.sum(lam_i * y * (w0 * x + b0) ** q))  # −∂L/∂a at a = 0
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
    xs, counts = onp.unique(x, return_counts=True)
    ys = onp.array([y[x == v][0] for v in xs])
    grid = onp.linspace(-0.5, t + 0.5, 300)
    ax1.axhline(0, color="k", lw=0.6)
    a_step = 0.05 * onp.sign(slope) if abs(slope) > 1e-9 else 0.0
    ax1.plot(grid, t_star + a_step * (w0 * grid + b0) ** q, color=COLORS["accent"],
             label=f"f̃ = t* + a(wx+b)^{q}, a = {a_step:+.2f}")
    for lab, col, mk in ((1, COLORS["pos"], "o"), (-1, COLORS["neg"], "s")):
        sel = ys == lab
        ax1.scatter(xs[sel], onp.zeros(sel.sum()), s=25 * counts[sel], c=col, marker=mk,
                    label=f"y = {lab:+d}", zorder=3)
    ax1.set(xlabel="x", ylabel="output", ylim=(-1.5, 1.5),
            title=f"data needs degree t = {t}; neuron degree q = {q}")
    ax1.legend(fontsize=7, loc="lower left")
    scale = max(abs(moments).max(), 1e-300)
    rel = onp.abs(moments) / scale
    ks = onp.arange(kmax + 1)
    shown = onp.where(rel < 1e-12, 1e-14, rel)  # exact zeros (up to rounding) drawn at 1e-14
    seen = ks <= q
    ax2.semilogy(ks, shown, color=COLORS["grey"], lw=0.8)
    ax2.scatter(ks[seen], shown[seen], color=COLORS["accent"], zorder=3, label="k ≤ q (seen)")
    ax2.scatter(ks[~seen], shown[~seen], color=COLORS["grey"], zorder=3, label="k > q")
    ax2.axhline(1e-14, color=COLORS["grey"], ls=":", lw=0.8)
    ax2.text(kmax, 2e-14, "zero", ha="right", va="bottom", fontsize=8)
    ax2.set(ylim=(3e-15, 3), xlabel="k", ylabel="|m_k| / max |m_k|",
            title="moments m_k = Σλᵢyᵢxᵢᵏ")
    ax2.legend(fontsize=7, loc="center left")
    verdict = cert.verdict
    fig.suptitle(f"q {'<' if q < t else '≥'} t — dead point + neuron: {verdict} "
                 f"(error {cert.training_error:.2f})", fontsize=10)
    fig.tight_layout()
    return fig


def monomial_degree_explorer(*, degree=2, data_degree=2):
    """Widget: slide the monomial degree q and the data's degree t (ni-prop-1)."""
    def render(degree, data_degree):
        return render_monomial_degree(degree, data_degree)

    controls = {"degree": W.IntSlider(value=degree, min=1, max=6, description="q (neuron)"),
                "data_degree": W.IntSlider(value=data_degree, min=1, max=5, description="t (data)")}
    return make_widget(render, controls)


def render_chain_path(X, y, *, depth=3, lam=1.0, tau_max=0.02, width=2, p=3):
    """The path of the proof of ni-thm-2, for the regulariser power 2 and 2L side by side.

    The point: ``exponential_per_layer(d, hidden=(width,)*depth, 'tanh')`` with every weight
    zero except the input weights (1, …, 1) of the first exponential neuron and the output
    bias t* (the best constant): the network outputs t* on every sample. Along
    :func:`lossbook.exponential_chain_direction` (the sign that lowers the data term) the
    data term falls like τ^L, the regulariser (λ/2)Σ‖w̃_l‖^power rises like τ^power. Plotted:
    L̃(τ) − L̃(0) for power 2 and power 2L, τ in [0, tau_max] (summed loss, ℓ = [max(z+1,0)]^p).
    """
    from .constructions import best_constant
    from .losses import get_loss
    from .models import exponential_per_layer
    from .neurips import exponential_chain_direction
    from .plotting import COLORS

    depth = int(depth)
    if depth < 1:
        raise ValueError(f"depth: expected an int >= 1, got {depth}")
    if not lam >= 0:
        raise ValueError(f"lam: expected a non-negative number, got {lam}")
    if not tau_max > 0:
        raise ValueError(f"tau_max: expected a positive number, got {tau_max}")
    loss = get_loss("neurips_hinge", p=p)
    X, y = onp.asarray(X, dtype=float), onp.asarray(y, dtype=float)
    taus = onp.linspace(0.0, tau_max, 101)
    fig, ax = plt.subplots(figsize=(6.4, 4))
    for power, color in ((2, COLORS["bad"]), (2 * depth, COLORS["good"])):
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
        label = f"power {power}" + (" = 2L" if power == 2 * depth else "")
        ax.plot(taus, values - obj.value(theta), color=color, label=label)
    ax.axhline(0, color=COLORS["grey"], lw=0.8, ls=":")
    ax.set(xlabel="τ (each chain weight)", ylabel="L̃(τ) − L̃(0)",
           title=f"L = {depth} hidden layers, λ = {lam:g}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def chain_path_explorer(X, y, *, depth=3, lam=1.0):
    """Widget: depth L, λ and the range of τ for :func:`render_chain_path` (ni-thm-2)."""
    def render(depth, lam, tau_max):
        return render_chain_path(X, y, depth=depth, lam=lam, tau_max=tau_max)

    controls = {"depth": W.IntSlider(value=depth, min=1, max=4, description="L"),
                "lam": W.FloatLogSlider(value=lam, base=10, min=-2, max=3, description="λ"),
                "tau_max": W.FloatLogSlider(value=0.02, base=10, min=-3, max=-0.5,
                                            description="τ max")}
    return make_widget(render, controls)


# -- census explorer (icml-thm-1, icml-prop-1, icml-thm-2) -------------------------------------
#: The neurons the census explorer offers (names in ACTIVATIONS).
CENSUS_NEURONS = ("softplus", "quadratic", "sigmoid", "tanh", "elu", "leaky_relu", "relu")


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
    from ._validation import check_int
    from .activations import get_activation
    from .losses import get_loss
    from .models import feedforward, shortcut, single_layer
    from .plotting import COLORS, plot_census
    from .sweep import census

    if data not in ("subspace", "separable"):
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
    if not isinstance(activation, str) or activation not in CENSUS_NEURONS:
        raise ValueError(f"activation: expected one of {', '.join(CENSUS_NEURONS)}, "
                         f"got {activation!r}")
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
    else:
        bound = 1
        rule = "Thm 2 needs M ≥ 1, p ≥ 3, σ' > 0"
        holds = p >= 3 and sigma.increasing
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), gridspec_kw={"width_ratios": [1.3, 1]})
    plot_census(c, ax=axes[0], bins=onp.linspace(0, 0.5 + 1e-9, 11))
    counts = c.counts
    labels = list(counts)[1:]  # the census categories (core: the new verdicts)
    colors = [COLORS["good"], COLORS["bad"], COLORS["pos"], COLORS["accent"], COLORS["neg"],
              COLORS["grey"], COLORS["grey"]][:len(labels)]
    bars = axes[1].barh(range(len(labels)), [counts[lab] for lab in labels], color=colors)
    axes[1].bar_label(bars, fontsize=8, padding=2)
    axes[1].set_yticks(range(len(labels)), labels, fontsize=8)
    axes[1].invert_yaxis()
    axes[1].set(xlim=(0, c.n_runs), xlabel="runs")
    axes[1].set_title(f"M = {M} (bound {bound}), p = {p}, {sigma.name}\n"
                      f"conditions {'hold' if holds else 'do not hold'}", fontsize=9)
    shape = (f"r₊ = {report.r_pos}, r₋ = {report.r_neg}, r = {report.r}, Δr = {report.delta_r}"
             if data == "subspace" else f"separable data in d = {d}")
    axes[0].set_title(f"{data} data, n = {n}, d = {d}: {shape}\n{rule}", fontsize=9)
    fig.tight_layout()
    return fig


def census_explorer(*, data="subspace", n_samples=20, n_neurons=4, p=6, activation="softplus",
                    overlap=1, n_features=2, hidden=()):
    """Widget: sliders for n, M, p, the neuron and the subspace overlap (or, for
    ``data='separable'``, the dimension d) rerun :func:`render_census` (20 runs)."""
    if data not in ("subspace", "separable"):
        raise ValueError(f"data: expected 'subspace' or 'separable', got {data!r}")

    controls = {"n_samples": W.IntSlider(value=n_samples, min=4, max=40, step=2, description="n"),
                "n_neurons": W.IntSlider(value=n_neurons, min=1, max=24, description="M"),
                "p": W.IntSlider(value=p, min=1, max=8, description="p"),
                "activation": W.Dropdown(options=list(CENSUS_NEURONS), value=activation,
                                         description="neuron")}
    if data == "subspace":
        controls["overlap"] = W.IntSlider(value=overlap, min=0, max=2, description="overlap")

        def render(n_samples, n_neurons, p, activation, overlap):
            return render_census(n_samples, n_neurons, p, activation, overlap, hidden=hidden)
    else:
        controls["n_features"] = W.IntSlider(value=n_features, min=1, max=6, description="d")

        def render(n_samples, n_neurons, p, activation, n_features):
            return render_census(n_samples, n_neurons, p, activation, data="separable",
                                 n_features=n_features, hidden=hidden)
    return make_widget(render, controls)
