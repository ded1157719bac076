"""Neurons σ with the metadata the papers reason with.

Each :class:`Activation` carries its formula (written with ``autograd.numpy`` so it
can be differentiated), the ICML paper's neuron classes it belongs to (§4.1, Table 1)
and three flags: real analytic, σ' > 0 everywhere, σ'' > 0 everywhere.

The classes (ICML §4.1): *softplus* — real analytic, σ' > 0, σ'' > 0; *relu* — σ(z) = 0
for z ≤ 0; *leaky_relu* — σ(z) = z for z ≥ 0; *sigmoid* — σ(z) + σ(−z) constant;
*quadratic* — real analytic, strongly convex, minimum at 0. Assumption 5 (icml-asm-5)
asks for real analytic σ with σ'' > 0.
"""
import warnings
from dataclasses import dataclass, field

import autograd.numpy as np
import numpy as onp
from autograd import elementwise_grad
from autograd.extend import defvjp, primitive

from ._validation import check_array, check_int, check_real

#: The neuron classes of ICML §4.1, in the order of its Table 1.
CLASSES = ("softplus", "relu", "leaky_relu", "sigmoid", "quadratic")
_EXP_MAX = 709.0  # exp(709) ~ 8e307 is the largest power of e below float64's limit


@primitive
def _tanh(z):
    return onp.tanh(z)


# autograd's own tanh derivative is 1/cosh²(z), which overflows for |z| > 355;
# 1 − tanh² is the same number without the overflow
# the local derivative is computed once, when the vjp closure is made: a Hessian's hundreds of
# reverse sweeps through the same trace then reuse it instead of recomputing it in every sweep
defvjp(_tanh, lambda ans, z: _times(1.0 - ans ** 2))


def _times(d):
    """The vjp closure g ↦ g·d of an elementwise primitive with local derivative d."""
    return lambda g: g * d


@primitive
def log1pexp(z):
    """log(1 + e^z), written as max(z, 0) + log1p(e^−|z|): no overflow, and ~5x faster than
    numpy's logaddexp. Its derivative is the logistic sigmoid."""
    z = onp.asarray(z, dtype=float)
    if z.ndim == 0:
        return onp.maximum(z, 0.0) + onp.log1p(onp.exp(-onp.abs(z)))
    # the same operations in place: no temporary arrays (they dominate on large batches)
    t = onp.abs(z)
    onp.negative(t, out=t)
    onp.exp(t, out=t)
    onp.log1p(t, out=t)
    return onp.add(onp.maximum(z, 0.0), t, out=t)


defvjp(log1pexp, lambda ans, z: _times(0.5 * (_tanh(0.5 * z) + 1.0)))


def _derivatives(fn, z):
    """f'(z) and f''(z) elementwise by autograd; piecewise-constant pieces differentiate to 0
    (autograd then warns that the output does not depend on z, which is right and silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        d1 = elementwise_grad(lambda t: fn(t) + 0.0 * t)
        return onp.asarray(d1(z), dtype=float), onp.asarray(elementwise_grad(d1)(z), dtype=float)


def _safe_exp(z):
    # beyond 709 exp overflows float64; saturate instead of returning inf
    return np.exp(np.minimum(z, _EXP_MAX))


@dataclass(frozen=True)
class Activation:
    """A neuron σ: ``act(z)`` evaluates it elementwise."""

    name: str
    fn: object = field(repr=False)
    classes: tuple = ()
    real_analytic: bool = False
    increasing: bool = False
    strictly_convex: bool = False
    formula: str = ""
    #: points z where σ is not twice continuously differentiable (a certificate near one of
    #: them cannot trust the Hessian, ICML §4.1's ReLU class)
    kinks: tuple = ()
    #: degree q of positive homogeneity, σ(s z) = s^q σ(z) for s > 0 (None if not homogeneous):
    #: then scaling a unit's incoming weights by s and its outgoing weights by s^−q leaves
    #: the network unchanged, an exact invariance of the loss
    homogeneity: float = None
    #: σ ≡ 0 exactly on z < dead_below (None if there is no such exactly flat region): a unit
    #: whose pre-activation is below it on every sample is dead, locally constant
    dead_below: float = None
    #: σ(z) = z exactly on z > linear_above (None if no such piece; ELU: 0): a unit whose
    #: pre-activations are all above it is locally linear, which the output-fibre invariance
    #: of the certifier uses like a homogeneous unit
    linear_above: float = None

    def __call__(self, z):
        return self.fn(z)

    @property
    def paper_class(self):
        """The first ICML class the neuron belongs to, or ``'none'``."""
        return self.classes[0] if self.classes else "none"

    @property
    def satisfies_assumption_5(self):
        """ICML Assumption 5 (icml-asm-5): real analytic and σ'' > 0 on R."""
        return self.real_analytic and self.strictly_convex

    def __repr__(self):
        cls = "/".join(self.classes) or "none"
        return f"Activation({self.name!r}, class={cls}, formula={self.formula!r})"


def threshold():
    return Activation("threshold", lambda z: np.where(z > 0, 1.0, 0.0), ("relu",),
                      formula="1{z > 0}", kinks=(0.0,), homogeneity=0, dead_below=0.0)


def relu():
    return Activation("relu", lambda z: np.maximum(z, 0.0), ("relu", "leaky_relu"),
                      formula="max(z, 0)", kinks=(0.0,), homogeneity=1, dead_below=0.0)


def requ():
    return Activation("requ", lambda z: np.maximum(z, 0.0) ** 2, ("relu",),
                      formula="max(z, 0)^2", kinks=(0.0,), homogeneity=2, dead_below=0.0)


def leaky_relu(slope=0.01):
    slope = check_real(slope, "slope")
    if not 0 <= slope < 1:
        raise ValueError(f"slope: expected a number in [0, 1), got {slope}")
    return Activation(f"leaky_relu({slope:g})", lambda z: np.where(z >= 0, z, slope * z),
                      ("leaky_relu",), increasing=slope > 0, formula=f"z if z >= 0 else {slope:g} z",
                      kinks=(0.0,), homogeneity=1, dead_below=0.0 if slope == 0 else None)


def elu(alpha=1.0):
    alpha = check_real(alpha, "alpha", minimum=0.0, strict=True)
    # exp only of the non-positive part, so large positive z cannot overflow
    fn = lambda z: np.where(z >= 0, z, alpha * (np.exp(np.minimum(z, 0.0)) - 1.0))  # noqa: E731
    return Activation(f"elu({alpha:g})", fn, ("leaky_relu",), increasing=True,
                      formula=f"z if z >= 0 else {alpha:g}(e^z - 1)", kinks=(0.0,), linear_above=0.0)


def linear():
    # odd, so also in the sigmoid class (σ(z) + σ(−z) ≡ 0, ICML §4.1 footnote)
    return Activation("linear", lambda z: 1.0 * z, ("leaky_relu", "sigmoid"), real_analytic=True,
                      increasing=True, formula="z", homogeneity=1)


def softplus():
    """The paper's softplus log2(1 + e^z) (ICML §4.1)."""
    return Activation("softplus", lambda z: log1pexp(z) / np.log(2.0), ("softplus",),
                      real_analytic=True, increasing=True, strictly_convex=True,
                      formula="log2(1 + e^z)")


def softplus_e():
    """The natural-log softplus log(1 + e^z)."""
    return Activation("softplus_e", log1pexp, ("softplus",),
                      real_analytic=True, increasing=True, strictly_convex=True,
                      formula="log(1 + e^z)")


def quadratic():
    return Activation("quadratic", lambda z: z ** 2, ("quadratic",), real_analytic=True,
                      strictly_convex=True, formula="z^2", homogeneity=2)


def sigmoid():
    # 1/(1+e^-z) written through tanh: no overflow of e^-z for very negative z
    return Activation("sigmoid", lambda z: 0.5 * (_tanh(0.5 * z) + 1.0), ("sigmoid",),
                      real_analytic=True, increasing=True, formula="1 / (1 + e^-z)")


def tanh():
    return Activation("tanh", _tanh, ("sigmoid",), real_analytic=True,
                      increasing=True, formula="tanh(z)")


def arctan():
    return Activation("arctan", lambda z: np.arctan(z), ("sigmoid",), real_analytic=True,
                      increasing=True, formula="arctan(z)")


def softsign():
    return Activation("softsign", lambda z: z / (1.0 + np.abs(z)), ("sigmoid",),
                      increasing=True, formula="z / (1 + |z|)", kinks=(0.0,))


def exponential():
    return Activation("exponential", _safe_exp, ("softplus",), real_analytic=True,
                      increasing=True, strictly_convex=True, formula="e^z",
                      kinks=(_EXP_MAX,))  # saturated beyond 709 (no overflow)


def monomial(degree=3):
    """z^degree; degree 2 is the quadratic neuron."""
    degree = check_int(degree, "degree", minimum=1)
    # odd degrees are odd functions, hence in the sigmoid class (ICML §4.1 footnote)
    classes = {1: ("leaky_relu", "sigmoid"), 2: ("quadratic",)}.get(
        degree, ("sigmoid",) if degree % 2 else ())
    return Activation(f"monomial({degree})", lambda z: z ** degree, classes, real_analytic=True,
                      increasing=degree == 1,
                      strictly_convex=degree == 2, formula=f"z^{degree}",
                      homogeneity=degree)


def cosh_bowl():
    """cosh(z) − 1: real analytic, σ'' = cosh z ≥ 1 (strongly convex), minimum 0 at z = 0 —
    a member of the quadratic family other than z² (icml-prop-5)."""
    # cosh overflows float64 beyond |z| ~ 710; clip like _safe_exp
    return Activation("cosh", lambda z: np.cosh(np.clip(z, -_EXP_MAX, _EXP_MAX)) - 1.0,
                      ("quadratic",), real_analytic=True, strictly_convex=True,
                      formula="cosh(z) - 1")


def constant_zero():
    """σ ≡ 0: a member of both the ReLU and the sigmoid class (the Thm 2 'No' cells)."""
    return Activation("zero", lambda z: 0.0 * z, ("relu", "sigmoid"), real_analytic=True,
                      formula="0", homogeneity=1, dead_below=onp.inf)


_REGISTRY = {
    "threshold": threshold, "relu": relu, "requ": requ, "leaky_relu": leaky_relu, "elu": elu,
    "linear": linear, "softplus": softplus, "softplus_e": softplus_e, "quadratic": quadratic,
    "sigmoid": sigmoid, "tanh": tanh, "arctan": arctan, "softsign": softsign,
    "exponential": exponential, "monomial": monomial, "zero": constant_zero,
    "cosh": cosh_bowl,
}
#: Names of every neuron in the registry, for :func:`get_activation`.
ACTIVATIONS = tuple(_REGISTRY)


def get_activation(name, **options):
    """Look up a neuron by name (see ``ACTIVATIONS``); an Activation passes through.

    Options go to the constructor, e.g. ``get_activation('leaky_relu', slope=0.1)``.
    """
    if isinstance(name, Activation):
        if options:
            raise TypeError("options: not accepted together with an Activation instance")
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation: expected a name or an Activation, got {type(name).__name__}")
    if name not in _REGISTRY:
        raise ValueError(f"activation: unknown name {name!r}; expected one of {', '.join(ACTIVATIONS)}")
    try:
        return _REGISTRY[name](**options)
    except TypeError as err:
        raise TypeError(f"activation {name!r}: {err}") from None


@dataclass(frozen=True)
class NeuronCheck:
    """Which ICML neuron classes σ belongs to, measured on a grid (see :func:`check_neuron`)."""

    name: str
    classes: tuple
    real_analytic: bool
    increasing: bool
    strictly_convex: bool
    declared_classes: tuple
    declared_flags: tuple = (None, None)  # the Activation's (increasing, strictly_convex)

    @property
    def satisfies_assumption_5(self):
        """ICML Assumption 5 (icml-asm-5): real analytic with σ'' > 0."""
        return self.real_analytic and self.strictly_convex

    @property
    def agrees_with_metadata(self):
        """True when the measured classes and flags equal the ones the Activation declares."""
        return (set(self.classes) == set(self.declared_classes)
                and self.declared_flags == (self.increasing, self.strictly_convex))

    def row(self):
        """A dict of yes/no strings: one row of the class-membership table."""
        yn = lambda b: "yes" if b else "no"  # noqa: E731
        return {"neuron": self.name, "classes": "/".join(self.classes) or "none",
                "real analytic": yn(self.real_analytic), "sigma'>0": yn(self.increasing),
                "sigma''>0": yn(self.strictly_convex),
                "Assumption 5": yn(self.satisfies_assumption_5)}


def check_neuron(activation, *, grid=None, tol=1e-9, strong_convexity=1e-3):
    """Measure the ICML §4.1 class membership of a neuron σ on a symmetric grid of z.

    Classes (icml-table-1, icml-asm-5): *relu* σ(z) = 0 for z ≤ 0; *leaky_relu* σ(z) = z for
    z ≥ 0; *sigmoid* σ(z) + σ(−z) constant; *softplus* real analytic with σ' > 0 and σ'' > 0;
    *quadratic* real analytic, strongly convex (σ'' ≥ ``strong_convexity`` on the grid) with
    its minimum at 0. σ' and σ'' come from autograd; being real analytic cannot be measured,
    so it is taken from the Activation's metadata. ``grid`` holds the non-negative half
    (default 2001 points in [0, 10]); it is mirrored so that z and −z are both present and 0
    is included. A grid check is evidence, not proof: it sees only the points it evaluates.

    Returns a :class:`NeuronCheck`.
    """

    act = get_activation(activation)
    tol = check_real(tol, "tol", minimum=0.0)
    strong_convexity = check_real(strong_convexity, "strong_convexity", minimum=0.0, strict=True)
    if grid is None:
        half = onp.linspace(0.0, 10.0, 2001)
    else:
        half = check_array(grid, "grid", finite=False, nonempty=False)
        if half.ndim != 1 or half.size < 2 or not onp.all(onp.isfinite(half)) or onp.any(half < 0):
            raise ValueError("grid: expected a 1-D array of at least 2 finite non-negative numbers")
        half = onp.union1d(half, [0.0])
    z = onp.concatenate([-half[::-1], half[1:]])
    s = onp.asarray(act(z), dtype=float) + 0.0 * z
    d1, d2 = _derivatives(act.fn, z)
    pair = s + s[::-1]
    increasing = bool(onp.all(d1 > 0))
    convex = bool(onp.all(d2 > 0))
    found = []
    if act.real_analytic and increasing and convex:
        found.append("softplus")
    if onp.all(onp.abs(s[z <= 0]) <= tol):
        found.append("relu")
    if onp.all(onp.abs(s[z >= 0] - z[z >= 0]) <= tol):
        found.append("leaky_relu")
    if onp.ptp(pair) <= tol:
        found.append("sigmoid")
    if act.real_analytic and onp.all(d2 >= strong_convexity) and onp.argmin(s) == len(half) - 1:
        found.append("quadratic")
    return NeuronCheck(name=act.name, classes=tuple(c for c in CLASSES if c in found),
                       real_analytic=act.real_analytic, increasing=increasing,
                       strictly_convex=convex,
                       declared_classes=tuple(c for c in CLASSES if c in act.classes),
                       declared_flags=(act.increasing, act.strictly_convex))
