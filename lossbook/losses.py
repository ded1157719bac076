"""Surrogate losses ℓ(z) of the papers' argument z = −y·f(x).

Each loss is a pure elementwise function (no reduction inside), wrapped in a
:class:`Loss` that records the properties Assumption 1 of each paper asks about.
A sample is misclassified when z ≥ 0, so a *surrogate* satisfies ℓ(z) ≥ 1{z ≥ 0}.
"""
from dataclasses import dataclass, field

import autograd.numpy as np
import numpy as onp
from autograd import elementwise_grad

from ._validation import check_array, check_grid, check_int, check_y
from .activations import log1pexp


@dataclass(frozen=True)
class Loss:
    """A loss ℓ(z); ``loss(z)`` evaluates it elementwise."""

    name: str
    fn: object = field(repr=False)
    smoothness: float = 0  # ℓ ∈ C^smoothness (onp.inf for analytic)
    convex: bool = False
    has_global_min: bool = False
    z0: float = None  # ℓ'(z) = 0 exactly when z <= -z0 (None if no such z0)
    formula: str = ""
    #: ℓ(z) >= 0 for every z, as computed in floating point too (then L >= 0 for a model without
    #: regulariser, and a probe cannot lower L below 0: the certifier skips futile probes)
    nonnegative: bool = False

    def __call__(self, z):
        return self.fn(z)

    def __repr__(self):
        return f"Loss({self.name!r}, formula={self.formula!r})"


def polynomial_hinge(p=6):
    """ICML's ℓ_p(z) = [max(z + 1, 0)]^(p+1): C^p, zero for z ≤ −1 (z0 = 1)."""
    p = check_int(p, "p", minimum=1)
    return Loss(f"polynomial_hinge(p={p})", lambda z: np.maximum(z + 1.0, 0.0) ** (p + 1),
                smoothness=p, convex=True, has_global_min=True, z0=1.0,
                formula=f"max(z+1, 0)^{p + 1}", nonnegative=True)


def neurips_hinge(p=3):
    """NeurIPS's convention ℓ(z) = [max(z + 1, 0)]^p (exponent p, not p + 1): C^(p−1)."""
    p = check_int(p, "p", minimum=1)
    return Loss(f"neurips_hinge(p={p})", lambda z: np.maximum(z + 1.0, 0.0) ** p,
                smoothness=p - 1, convex=True, has_global_min=True, z0=1.0,
                formula=f"max(z+1, 0)^{p}", nonnegative=True)


def quadratic_loss():
    """(1 + z)² — the square loss (1 − y f)² written in z."""
    return Loss("quadratic", lambda z: (1.0 + z) ** 2, smoothness=onp.inf, convex=True,
                has_global_min=True, z0=None, formula="(1+z)^2", nonnegative=True)


def logistic():
    """log2(1 + e^z); no global minimum (it decreases to 0 as z → −∞)."""
    # log1pexp(z) = log(1 + e^z) without overflow for large z
    return Loss("logistic", lambda z: log1pexp(z) / np.log(2.0), smoothness=onp.inf,
                convex=True, has_global_min=False, z0=None, formula="log2(1 + e^z)",
                nonnegative=True)


def zero_one():
    """The misclassification indicator 1{z ≥ 0}: what every surrogate bounds."""
    return Loss("zero_one", lambda z: np.where(z >= 0, 1.0, 0.0), smoothness=-1,
                has_global_min=True, z0=None, formula="1{z >= 0}", nonnegative=True)


_REGISTRY = {"polynomial_hinge": polynomial_hinge, "neurips_hinge": neurips_hinge,
             "quadratic": quadratic_loss, "logistic": logistic, "zero_one": zero_one}
#: Names of every loss in the registry, for :func:`get_loss`.
LOSSES = tuple(_REGISTRY)


def get_loss(name, **options):
    """Look up a loss by name (see ``LOSSES``); a Loss passes through."""
    if isinstance(name, Loss):
        if options:
            raise TypeError("options: not accepted together with a Loss instance")
        return name
    if not isinstance(name, str):
        raise TypeError(f"loss: expected a name or a Loss, got {type(name).__name__}")
    if name not in _REGISTRY:
        raise ValueError(f"loss: unknown name {name!r}; expected one of {', '.join(LOSSES)}")
    try:
        return _REGISTRY[name](**options)
    except TypeError as err:
        raise TypeError(f"loss {name!r}: {err}") from None


def loss_weights(loss, y, outputs):
    """λᵢ = ℓ'(−yᵢ fᵢ): the weight each sample gets in the gradient of L at outputs fᵢ.

    ``outputs`` is a number (a constant network), an array of shape (n,), or one with leading
    batch axes (..., n); the weights have the broadcast shape. At a constant output t* these
    are the λ of ICML Props 5, 11 and 12; times yᵢ e^(wᵀxᵢ+b) they are NeurIPS Lemma 1's.
    """
    loss = get_loss(loss)
    y = check_y(y)
    f = check_array(outputs, "outputs")
    if f.ndim and f.shape[-1] != y.shape[0]:
        raise ValueError(f"outputs: expected a last axis of length {y.shape[0]} (one per label "
                         f"of y), got shape {f.shape}")
    with onp.errstate(over="ignore", invalid="ignore"):
        weights = onp.asarray(elementwise_grad(loss.fn)(-y * onp.broadcast_to(f, f.shape[:-1] + y.shape)),
                              dtype=float)
    if not onp.all(onp.isfinite(weights)):
        raise ValueError(f"outputs: ℓ' of {loss.name} overflows float64 at these outputs; "
                         "expected outputs of smaller magnitude")
    return weights


@dataclass(frozen=True)
class LossCheck:
    """The conditions of a paper's Assumption 1, each checked on a grid of z."""

    loss: str
    paper: str
    conditions: dict

    @property
    def holds(self):
        return all(self.conditions.values())

    def __repr__(self):
        parts = ", ".join(f"{k}={'yes' if v else 'no'}" for k, v in self.conditions.items())
        return f"LossCheck({self.loss}, {self.paper}: {parts})"


def check_loss_assumption(loss, *, paper="icml", p=None, grid=None):
    """Check a loss against Assumption 1 of the ICML (icml-asm-1) or NeurIPS (ni-asm-1) paper.

    ICML: (1) surrogate ℓ(z) ≥ 1{z ≥ 0}; (2) ℓ ∈ C^p; (3) non-decreasing, with ℓ'(z) = 0
    exactly on z ≤ −z0 for some z0 > 0. NeurIPS: non-decreasing, C², every critical point
    is a global minimum, and every global minimiser is negative.
    The inequalities are checked on a grid (default: 4001 points in [−10, 10]);
    the smoothness order comes from the loss's formula.
    """
    loss = get_loss(loss)
    if not isinstance(paper, str) or paper not in ("icml", "neurips"):
        raise ValueError(f"paper: expected 'icml' or 'neurips', got {paper!r}")
    z = onp.linspace(-10, 10, 4001) if grid is None else check_grid(grid, "grid")
    if grid is not None and (z.size < 2 or onp.any(onp.diff(z) <= 0) or onp.max(onp.abs(z)) > 100):
        raise ValueError("grid: expected an increasing 1-D grid of at least 2 points in [-100, 100]")
    values = onp.asarray(loss(z), dtype=float)
    smooth = loss.smoothness >= 0
    slope = onp.asarray(elementwise_grad(loss.fn)(z), dtype=float) if smooth else onp.zeros_like(z)
    nondecreasing = bool(onp.all(onp.diff(values) >= -1e-12)) and bool(onp.all(slope >= -1e-12))
    if paper == "icml":
        p = loss.smoothness if p is None else check_int(p, "p", minimum=1)
        flat = slope == 0
        z0 = loss.z0
        flat_below = bool(smooth and z0 is not None and z0 > 0
                          and onp.array_equal(flat, z <= -z0))
        conditions = {
            "surrogate": bool(onp.all(values >= (z >= 0))),
            f"C^{p}": bool(smooth and loss.smoothness >= p),
            "non-decreasing": nondecreasing,
            "flat exactly below -z0": flat_below,
        }
    else:
        critical = onp.abs(slope) < 1e-12
        low = values.min()
        conditions = {
            "non-decreasing": nondecreasing,
            "C^2": bool(loss.smoothness >= 2),
            "critical points are global minima": bool(smooth and onp.all(
                onp.abs(values[critical] - low) < 1e-12)),
            "global minimisers negative": bool(onp.all(
                z[critical & (onp.abs(values - low) < 1e-12)] < 0)),
        }
    return LossCheck(loss.name, paper, conditions)
