"""Neurons σ with the metadata the papers reason with.

Each :class:`Activation` carries its formula (written with ``autograd.numpy`` so it
can be differentiated), the ICML paper's neuron classes it belongs to (§4.1, Table 1)
and three flags: real analytic, σ' > 0 everywhere, σ'' > 0 everywhere.

The classes (ICML §4.1): *softplus* — real analytic, σ' > 0, σ'' > 0; *relu* — σ(z) = 0
for z ≤ 0; *leaky_relu* — σ(z) = z for z ≥ 0; *sigmoid* — σ(z) + σ(−z) constant;
*quadratic* — real analytic, strongly convex, minimum at 0. Assumption 5 (icml-asm-5)
asks for real analytic σ with σ'' > 0.
"""
from dataclasses import dataclass, field

import autograd.numpy as np

from ._validation import check_int, check_real

CLASSES = ("softplus", "relu", "leaky_relu", "sigmoid", "quadratic")
_EXP_MAX = 709.0  # exp(709) ~ 8e307 is the largest power of e below float64's limit


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
                      formula="1{z > 0}")


def relu():
    return Activation("relu", lambda z: np.maximum(z, 0.0), ("relu", "leaky_relu"),
                      formula="max(z, 0)")


def requ():
    return Activation("requ", lambda z: np.maximum(z, 0.0) ** 2, ("relu",),
                      formula="max(z, 0)^2")


def leaky_relu(slope=0.01):
    slope = check_real(slope, "slope")
    if not 0 <= slope < 1:
        raise ValueError(f"slope: expected a number in [0, 1), got {slope}")
    return Activation(f"leaky_relu({slope:g})", lambda z: np.where(z >= 0, z, slope * z),
                      ("leaky_relu",), increasing=slope > 0, formula=f"z if z >= 0 else {slope:g} z")


def elu(alpha=1.0):
    alpha = check_real(alpha, "alpha", minimum=0.0, strict=True)
    # exp only of the non-positive part, so large positive z cannot overflow
    fn = lambda z: np.where(z >= 0, z, alpha * (np.exp(np.minimum(z, 0.0)) - 1.0))  # noqa: E731
    return Activation(f"elu({alpha:g})", fn, ("leaky_relu",), increasing=True,
                      formula=f"z if z >= 0 else {alpha:g}(e^z - 1)")


def linear():
    return Activation("linear", lambda z: 1.0 * z, ("leaky_relu",), real_analytic=True,
                      increasing=True, formula="z")


def softplus():
    """The paper's softplus log2(1 + e^z) (ICML §4.1)."""
    # logaddexp(0, z) = log(1 + e^z) without overflow for large z
    return Activation("softplus", lambda z: np.logaddexp(0.0, z) / np.log(2.0), ("softplus",),
                      real_analytic=True, increasing=True, strictly_convex=True,
                      formula="log2(1 + e^z)")


def softplus_e():
    """The natural-log softplus log(1 + e^z)."""
    return Activation("softplus_e", lambda z: np.logaddexp(0.0, z), ("softplus",),
                      real_analytic=True, increasing=True, strictly_convex=True,
                      formula="log(1 + e^z)")


def quadratic():
    return Activation("quadratic", lambda z: z ** 2, ("quadratic",), real_analytic=True,
                      strictly_convex=True, formula="z^2")


def sigmoid():
    # 1/(1+e^-z) written through tanh: no overflow of e^-z for very negative z
    return Activation("sigmoid", lambda z: 0.5 * (np.tanh(0.5 * z) + 1.0), ("sigmoid",),
                      real_analytic=True, increasing=True, formula="1 / (1 + e^-z)")


def tanh():
    return Activation("tanh", lambda z: np.tanh(z), ("sigmoid",), real_analytic=True,
                      increasing=True, formula="tanh(z)")


def arctan():
    return Activation("arctan", lambda z: np.arctan(z), ("sigmoid",), real_analytic=True,
                      increasing=True, formula="arctan(z)")


def softsign():
    return Activation("softsign", lambda z: z / (1.0 + np.abs(z)), ("sigmoid",),
                      increasing=True, formula="z / (1 + |z|)")


def exponential():
    return Activation("exponential", _safe_exp, ("softplus",), real_analytic=True,
                      increasing=True, strictly_convex=True, formula="e^z")


def monomial(degree=3):
    """z^degree; degree 2 is the quadratic neuron."""
    degree = check_int(degree, "degree", minimum=1)
    classes = ("quadratic",) if degree == 2 else (("leaky_relu",) if degree == 1 else ())
    return Activation(f"monomial({degree})", lambda z: z ** degree, classes, real_analytic=True,
                      increasing=degree == 1,
                      strictly_convex=degree == 2, formula=f"z^{degree}")


def constant_zero():
    """σ ≡ 0: a member of both the ReLU and the sigmoid class (the Thm 2 'No' cells)."""
    return Activation("zero", lambda z: 0.0 * z, ("relu", "sigmoid"), real_analytic=True,
                      formula="0")


_REGISTRY = {
    "threshold": threshold, "relu": relu, "requ": requ, "leaky_relu": leaky_relu, "elu": elu,
    "linear": linear, "softplus": softplus, "softplus_e": softplus_e, "quadratic": quadratic,
    "sigmoid": sigmoid, "tanh": tanh, "arctan": arctan, "softsign": softsign,
    "exponential": exponential, "monomial": monomial, "zero": constant_zero,
}
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
