"""The counterexamples of ICML §4.1–4.2, built: datasets and the bad local minima on them.

Each ``*_point`` function returns ``(model, params)``: a network and a parameter point at
which the empirical loss has a local minimum with non-zero training error. The functions
*build* the points; whether they are local minima is for :func:`lossbook.certify` to
check (the book does so for each one).

Every construction rests on one fact. If, on a neighbourhood of θ*, the network can only
compute functions from a class C (constants, or affine functions of x), and θ* realises the
minimiser of the loss over C, then θ* is a local minimum of L. It is non-strict: the
parameters that do not change the function are flat directions of L.

- :func:`best_constant` — t* = argmin_t Σᵢ ℓ(−yᵢt), the best constant output; a network
  that outputs t* on every sample puts every sample in one class, so its training error is
  at least min(n₊, n₋)/n (icml-prop-2, icml-prop-4, icml-prop-5, icml-prop-6).
- :func:`best_linear` — the best affine model x ↦ vᵀx + c (icml-prop-3, icml-prop-7).
- :func:`dead_relu_point` — feed-forward network, first layer dead (icml-prop-6).
- :func:`dead_neuron_point` — f_S + f_D with every neuron of f_S dead (icml-prop-2).
- :func:`linear_region_point` — f_S + f_D locally affine (icml-prop-3).
- :func:`odd_symmetric_point` — f_S constant on symmetric data (icml-prop-4).
- :func:`quadratic_bowl_point` — W = 0 with the bowl of σ turned the wrong way (icml-prop-5).
- :func:`identity_shortcut_point` — aᵀ(x + H(x)) + b with H dead: affine (icml-prop-7).
"""
from fractions import Fraction
from math import comb

import autograd.numpy as np
import numpy as onp
from autograd import elementwise_grad, grad, hessian
from scipy.optimize import brentq, linprog, minimize

from ._validation import (
    DATA_LIMIT,
    check_array,
    check_bool,
    check_int,
    check_pair,
    check_random_state,
    check_real,
    check_X,
    check_Xy,
    check_y,
)
from .activations import get_activation
from .losses import get_loss, loss_weights
from .models import constant, feedforward, identity_shortcut, shortcut, single_layer

__all__ = [
    "best_constant", "best_linear", "loss_weights", "halfspace_direction",
    "dead_relu_point", "dead_neuron_point", "linear_region_point", "odd_symmetric_point",
    "quadratic_bowl_point", "identity_shortcut_point",
    "make_signed_axes_data", "make_halfspace_data", "make_interval_data",
    "is_symmetric_dataset", "symmetric_probability", "symmetric_sample", "counterexample",
    "COUNTEREXAMPLE_IDS",
]


# -- the best constant and the best affine model -----------------------------------------------
def best_constant(loss, y):
    """t* = argmin_t g(t), g(t) = Σᵢ ℓ(−yᵢ t): the best constant output for labels y.

    g is convex for a convex non-decreasing ℓ, and its derivative
    g'(t) = −Σ_{yᵢ=+1} ℓ'(−t) + Σ_{yᵢ=−1} ℓ'(t) is non-decreasing, so t* is the root of g'
    (found by bracketing and Brent's method to machine precision). At t* the weights
    λᵢ = ℓ'(−yᵢt*) balance: Σ_{yᵢ=+1} λᵢ = Σ_{yᵢ=−1} λᵢ. A constant output classifies every
    sample alike, so its training error is at least min(n₊, n₋)/n (icml-prop-2, -4, -5, -6).
    For the polynomial hinge ℓ_p, t* = (n₊^(1/p) − n₋^(1/p)) / (n₊^(1/p) + n₋^(1/p)).

    Parameters: ``loss`` (a name or :class:`~lossbook.losses.Loss`), ``y`` labels in {−1, +1}
    with both labels present (otherwise the minimiser need not exist).
    """
    loss = get_loss(loss)
    if loss.smoothness < 1:
        raise ValueError(f"loss: expected a differentiable loss, got {loss.name}")
    y = check_y(y)
    n_pos, n_neg = int(onp.sum(y > 0)), int(onp.sum(y < 0))
    if n_pos == 0 or n_neg == 0:
        raise ValueError("y: expected both labels -1 and +1 to occur")
    dl = elementwise_grad(loss.fn)

    def slope(t):
        return float(-n_pos * dl(onp.array(-t)) + n_neg * dl(onp.array(t)))

    lo, hi = -1.0, 1.0
    for _ in range(60):
        if slope(lo) < 0:
            break
        lo *= 2.0
    for _ in range(60):
        if slope(hi) > 0:
            break
        hi *= 2.0
    if not (slope(lo) <= 0 <= slope(hi)):
        raise RuntimeError(f"best_constant: no minimiser found for {loss.name}")
    return float(brentq(slope, lo, hi, xtol=1e-15, rtol=4 * onp.finfo(float).eps, maxiter=500))


def best_linear(loss, X, y, *, bias=True, gtol=1e-12):
    """The best affine model: (v*, c*) minimising (1/n) Σᵢ ℓ(−yᵢ(vᵀxᵢ + c)) (c = 0 without bias).

    The objective is convex; Newton's method with a trust region (scipy ``trust-exact``,
    autograd derivatives) reaches a gradient below ``gtol``. For the polynomial hinge the
    minimum is attained for every dataset; its training error is zero exactly when the data
    is linearly separable (icml-prop-3, icml-prop-7). Returns ``(v, c)``.
    """
    loss = get_loss(loss)
    X, y = check_Xy(X, y)
    bias = check_bool(bias, "bias")
    gtol = check_real(gtol, "gtol", minimum=0.0, strict=True)
    A = onp.hstack([X, onp.ones((len(X), 1))]) if bias else X

    def objective(u):
        return np.mean(loss(-y * (A @ u)))

    res = minimize(objective, onp.zeros(A.shape[1]), jac=grad(objective), hess=hessian(objective),
                   method="trust-exact", options={"gtol": gtol, "maxiter": 1000})
    g = onp.linalg.norm(grad(objective)(res.x))
    if not onp.isfinite(res.fun) or g > max(gtol, 1e-8):
        raise RuntimeError(f"best_linear: no minimiser reached (gradient norm {g:.2g}); the loss "
                           "may have no minimum on this data (e.g. logistic loss, separable data)")
    return (res.x[:-1].copy(), float(res.x[-1])) if bias else (res.x.copy(), 0.0)


def halfspace_direction(X):
    """A vector u with uᵀxᵢ ≥ 1 for every row xᵢ (smallest max-norm, by a linear program).

    It exists exactly when the data lies in an open half-space through the origin; then
    weights −κu make every neuron of the ReLU class dead on all samples (icml-prop-2), and
    weights +κu make every leaky-ReLU neuron linear on all samples (icml-prop-3).
    Raises ValueError when no such u exists.
    """
    X = check_X(X)
    if onp.all(X[:, 0] > 0):
        return onp.eye(X.shape[1])[0] / X[:, 0].min()
    d = X.shape[1]
    # variables (u, s): minimise s subject to Xu >= 1, -s <= u_k <= s
    c = onp.zeros(d + 1)
    c[-1] = 1.0
    A = onp.vstack([onp.hstack([-X, onp.zeros((len(X), 1))]),
                    onp.hstack([onp.eye(d), -onp.ones((d, 1))]),
                    onp.hstack([-onp.eye(d), -onp.ones((d, 1))])])
    b = onp.concatenate([-onp.ones(len(X)), onp.zeros(2 * d)])
    res = linprog(c, A_ub=A, b_ub=b, bounds=[(None, None)] * (d + 1), method="highs")
    if res.status != 0:
        raise ValueError("X: the samples do not lie in an open half-space through the origin, "
                         "so no direction u has u·x > 0 for all of them")
    return res.x[:d]


# -- points -------------------------------------------------------------------------------------
def _check_kappa(kappa):
    return check_real(kappa, "kappa", minimum=0.0, strict=True)


def _dead_first_layer(params, X, kappa):
    """Set b1 so that the largest first-layer pre-activation of each neuron is −κ."""
    pre = X @ params["W1"]
    params["b1"] = -(pre.max(axis=0) + kappa)
    return params


def _hidden_at_zero(params, n_hidden, sigma):
    """The last hidden layer's output when the first layer outputs 0 (it is dead)."""
    h = onp.zeros(params["W1"].shape[1])
    for i in range(2, n_hidden + 1):
        h = onp.asarray(sigma(h @ params[f"W{i}"] + params[f"b{i}"]), dtype=float)
    return h


def dead_relu_point(X, y, loss, *, hidden=(4,), activation="relu", kappa=1.0, random_state=0):
    """A bad local minimum of a feed-forward network with no shortcut (icml-prop-6).

    Weights are drawn from ``model.init(random_state)``; then the first-layer biases are
    set to b₁ⱼ = −(maxᵢ w₁ⱼᵀxᵢ + κ), so every first-layer pre-activation is ≤ −κ < 0. For σ
    in the ReLU class (σ(z) = 0 for z ≤ 0) the first layer outputs 0 on every sample, and
    it still does after any perturbation of size < κ / (1 + maxᵢ‖xᵢ‖): the network is a
    constant that depends only on the later layers. The output bias c is set so that this
    constant is t* (:func:`best_constant`), the best constant; so θ* is a local minimum,
    for ANY dataset, with training error ≥ min(n₊, n₋)/n.

    Returns ``(model, params)`` with ``model = feedforward(d, hidden, activation)``.
    """
    X, y = check_Xy(X, y)
    kappa = _check_kappa(kappa)
    act = get_activation(activation)
    if "relu" not in act.classes:
        raise ValueError(f"activation: expected a neuron of the ReLU class (σ = 0 on z <= 0), "
                         f"got {act.name}")
    model = feedforward(X.shape[1], hidden, act)
    params = {k: onp.array(v, dtype=float) for k, v in model.init(random_state).items()}
    params = _dead_first_layer(params, X, kappa)
    n_hidden = sum(1 for k in params if k.startswith("W"))
    h = _hidden_at_zero(params, n_hidden, act)
    params["c"] = onp.array(best_constant(loss, y) - float(h @ params["v"]))
    return model, params


def _f_D(d, X, y, loss, f_D, kappa, random_state):
    """f_D as a constant (default) or a dead ReLU network; returns (model, params, value)."""
    if isinstance(f_D, str) and f_D == "constant":
        return constant(d), {"c": onp.array(0.0)}, 0.0
    if isinstance(f_D, (tuple, list)):
        if not f_D or any(isinstance(h, bool) or not isinstance(h, (int, onp.integer)) or h < 1
                          for h in f_D):
            raise ValueError(f"f_D: expected 'constant' or a non-empty tuple of hidden widths "
                             f"(ints >= 1), got {f_D!r}")
        model, params = dead_relu_point(X, y, loss, hidden=tuple(f_D), kappa=kappa,
                                        random_state=random_state)
        value = float(onp.asarray(model.apply(params, X[:1]))[0])
        return model, params, value
    raise ValueError(f"f_D: expected 'constant' or a tuple of hidden widths, got {f_D!r}")


def dead_neuron_point(X, y, loss, *, n_neurons=3, activation="relu", f_D="constant",
                      kappa=1.0, direction=None, random_state=0):
    """A bad local minimum of f_S + f_D when the neurons of f_S are in the ReLU class (icml-prop-2).

    With a direction u such that uᵀxᵢ ≥ 1 for all samples (``direction``, default
    :func:`halfspace_direction`; e.g. u = e1 / minᵢ xᵢ₁ when every x₁ > 0), every column
    wⱼ = −κu gives pre-activations wⱼᵀxᵢ ≤ −κ < 0: σ(z) = 0 there, every neuron is dead on a
    neighbourhood, f_S ≡ a0, and the network is the constant a0 + f_D. The output a
    is arbitrary (drawn with ``random_state``); a0 makes the constant t*. ``f_D`` is
    ``'constant'`` or a tuple of hidden widths (a ReLU network with a dead first layer).

    Returns ``(model, params)`` with ``model = shortcut(single_layer(...), f_D)``.
    """
    X, y = check_Xy(X, y)
    kappa = _check_kappa(kappa)
    m = check_int(n_neurons, "n_neurons", minimum=1)
    act = get_activation(activation)
    if "relu" not in act.classes:
        raise ValueError(f"activation: expected a neuron of the ReLU class (σ = 0 on z <= 0), "
                         f"got {act.name}")
    u = _direction(X, direction)
    d = X.shape[1]
    rng = check_random_state(random_state)
    fD, pD, value = _f_D(d, X, y, loss, f_D, kappa, random_state)
    S = {"W": onp.outer(-kappa * u, onp.ones(m)), "a": rng.standard_normal(m),
         "a0": onp.array(best_constant(loss, y) - value)}
    return shortcut(single_layer(d, m, act), fD), {"S": S, "D": pD}


def _direction(X, direction):
    if direction is None:
        return halfspace_direction(X)
    u = check_array(direction, "direction")
    if u.shape != (X.shape[1],):
        raise ValueError(f"direction: expected a vector of length {X.shape[1]}, "
                         f"got shape {u.shape}")
    low = float(onp.min(X @ u))
    if not low > 0:
        raise ValueError("direction: expected u·x > 0 for every sample")
    return u / low


def linear_region_point(X, y, loss, *, n_neurons=3, activation="leaky_relu", f_D="constant",
                        kappa=0.5, direction=None, **options):
    """A bad local minimum of f_S + f_D when σ(z) = z for z ≥ 0 (the Leaky-ReLU class, icml-prop-3).

    Take the best affine model (v*, c*) (:func:`best_linear`) and u with uᵀxᵢ ≥ 1. With
    K = max(0, maxᵢ(−v*ᵀxᵢ)) + κ set w₁ = v* + Ku, wⱼ = Ku (j ≥ 2), a = (1, −1, 0, …, 0),
    a0 + f_D = c*. Every pre-activation is ≥ κ > 0, so near θ* every neuron is the identity
    and f(x) = a0 + f_D + (Σⱼ aⱼwⱼ)ᵀx is affine, and at θ* it is the best affine model. When
    the data is not linearly separable (with a bias) that model misclassifies some sample:
    a bad local minimum. Needs ``n_neurons >= 2``. ``options`` go to the activation
    (e.g. ``slope=0.1``).

    Returns ``(model, params)`` with ``model = shortcut(single_layer(...), f_D)``.
    """
    X, y = check_Xy(X, y)
    kappa = _check_kappa(kappa)
    m = check_int(n_neurons, "n_neurons", minimum=2)
    act = get_activation(activation, **options)
    if "leaky_relu" not in act.classes:
        raise ValueError(f"activation: expected a neuron of the Leaky-ReLU class (σ(z) = z on "
                         f"z >= 0), got {act.name}")
    u = _direction(X, direction)
    v, c = best_linear(loss, X, y)
    K = max(0.0, float(onp.max(-(X @ v)))) + kappa
    W = onp.outer(K * u, onp.ones(m))
    W[:, 0] += v
    a = onp.zeros(m)
    a[:2] = (1.0, -1.0)
    d = X.shape[1]
    fD, pD, value = _f_D(d, X, y, loss, f_D, kappa, 0)
    S = {"W": W, "a": a, "a0": onp.array(c - value)}
    return shortcut(single_layer(d, m, act), fD), {"S": S, "D": pD}


def odd_symmetric_point(X, y, loss, *, n_neurons=3, activation="sigmoid", random_state=0):
    """A bad local minimum for the sigmoid class, σ(z) + σ(−z) ≡ c_σ (icml-prop-4).

    At W = 0 every neuron outputs σ(0) = c_σ/2 and the network is a constant; a0 makes it t*
    (any a). Why no nearby point does better: write f(x) = A + Σⱼ aⱼ(σ(wⱼᵀx) − c_σ/2); the
    sum h(x) is odd in x. If the dataset is symmetric — for every label, x and −x occur equally
    often (:func:`is_symmetric_dataset`) — pair x with −x: by convexity
    ℓ(−y(A + h)) + ℓ(−y(A − h)) ≥ 2ℓ(−yA), so L(θ) ≥ (1/n)Σᵢ ℓ(−yᵢA) ≥ L(θ*). The constant
    point is a *global* minimum, with training error ≥ min(n₊, n₋)/n. f_D is a constant.

    Returns ``(model, params)`` with ``model = shortcut(single_layer(...), constant(d))``.
    """
    X, y = check_Xy(X, y)
    m = check_int(n_neurons, "n_neurons", minimum=1)
    act = get_activation(activation)
    if "sigmoid" not in act.classes:
        raise ValueError(f"activation: expected a neuron of the sigmoid class (σ(z) + σ(−z) "
                         f"constant), got {act.name}")
    d = X.shape[1]
    rng = check_random_state(random_state)
    a = rng.standard_normal(m)
    half = float(act(onp.array(0.0)))
    S = {"W": onp.zeros((d, m)), "a": a, "a0": onp.array(best_constant(loss, y) - half * a.sum())}
    return shortcut(single_layer(d, m, act), constant(d)), {"S": S, "D": {"c": onp.array(0.0)}}


def quadratic_bowl_point(X, y, loss, *, n_neurons=3, activation="quadratic", alpha=1.0):
    """A bad local minimum for the quadratic family on linearly separable data (icml-prop-5).

    At W = 0 the network is the constant a0 + σ(0)Σaⱼ, set to t*. With λᵢ = ℓ'(−yᵢt*) and
    S = Σᵢ λᵢyᵢxᵢxᵢᵀ, a perturbation δW changes L, to second order, by
    −(σ''(0)/2n) Σⱼ aⱼ δwⱼᵀ S δwⱼ (σ'(0) = 0 at the minimum of σ). When S is definite, the
    choice aⱼ = −α·sign(S) (α > 0) makes every such change an increase: each neuron's bowl
    is turned against the data. The a-directions only move the constant. Raises ValueError
    if S is not definite (then this point is a saddle; compare icml-prop-11, icml-prop-12).

    Returns ``(model, params)`` with ``model = shortcut(single_layer(...), constant(d))``.
    """
    X, y = check_Xy(X, y)
    m = check_int(n_neurons, "n_neurons", minimum=1)
    alpha = check_real(alpha, "alpha", minimum=0.0, strict=True)
    act = get_activation(activation)
    if "quadratic" not in act.classes:
        raise ValueError(f"activation: expected a neuron of the quadratic family, got {act.name}")
    t = best_constant(loss, y)
    lam = loss_weights(loss, y, t)
    S = (X * (lam * y)[:, None]).T @ X
    ev = onp.linalg.eigvalsh(S)
    if ev[0] > 0:
        sign = 1.0
    elif ev[-1] < 0:
        sign = -1.0
    else:
        raise ValueError("X: the matrix S = Σ λᵢ yᵢ xᵢ xᵢᵀ is not definite, so the constant point "
                         "is not a local minimum for quadratic neurons")
    d = X.shape[1]
    a = onp.full(m, -alpha * sign)
    base = float(act(onp.array(0.0)))
    params = {"S": {"W": onp.zeros((d, m)), "a": a, "a0": onp.array(t - base * a.sum())},
              "D": {"c": onp.array(0.0)}}
    return shortcut(single_layer(d, m, act), constant(d)), params


def identity_shortcut_point(X, y, loss, *, hidden=(4,), kappa=1.0, random_state=0):
    """A bad local minimum of f(x) = aᵀ(x + H(x)) + b, H a ReLU network (icml-prop-7).

    H's first-layer biases are set as in :func:`dead_relu_point`, so near θ* H(x) is a
    constant vector h and f(x) = aᵀx + (aᵀh + b) is affine. Set a = v*, b = c* − aᵀh, the
    best affine model (:func:`best_linear`): a local minimum, and a bad one when the data is
    not linearly separable with a bias.

    Returns ``(model, params)`` with ``model = identity_shortcut(d, hidden)``.
    """
    X, y = check_Xy(X, y)
    kappa = _check_kappa(kappa)
    d = X.shape[1]
    model = identity_shortcut(d, hidden)
    params = {k: onp.array(v, dtype=float) for k, v in model.init(random_state).items()}
    params = _dead_first_layer(params, X, kappa)
    n_hidden = sum(1 for k in params if k.startswith("W"))
    h = _hidden_at_zero(params, n_hidden, get_activation("relu")) @ params["V"] + params["c"]
    v, c = best_linear(loss, X, y)
    params["a"] = v
    params["b"] = onp.array(c - float(v @ h))
    return model, params


# -- datasets of the counterexamples ------------------------------------------------------------
def make_signed_axes_data(n_samples=10, *, random_state=None):
    """The distribution of icml-prop-4: y = ±1 with probability 1/2; a positive sits at +e1 or
    −e1, a negative at +e2 or −e2, each sign with probability 1/2 (d = 2, r₊ = r₋ = 1, r = 2).

    Returns ``(X, y)``; both labels are guaranteed only with high probability.
    """
    n = check_int(n_samples, "n_samples", minimum=1)
    rng = check_random_state(random_state)
    y = onp.where(rng.random(n) < 0.5, 1.0, -1.0)
    sign = onp.where(rng.random(n) < 0.5, 1.0, -1.0)
    X = onp.zeros((n, 2))
    X[y > 0, 0] = sign[y > 0]
    X[y < 0, 1] = sign[y < 0]
    return X, y


def is_symmetric_dataset(X, y):
    """True when, for each label, every point x occurs exactly as often as −x (icml-prop-4)."""
    X, y = check_Xy(X, y)
    for label in (-1.0, 1.0):
        P = X[y == label]
        rows, counts = onp.unique(P, axis=0, return_counts=True)
        table = {tuple(r): c for r, c in zip(rows, counts, strict=True)}
        if any(table.get(tuple(-onp.asarray(r)), 0) != c for r, c in table.items()):
            return False
    return True


def symmetric_probability(n_samples):
    """P(a sample of :func:`make_signed_axes_data` is symmetric), exactly, as a Fraction.

    Four atoms of probability 1/4 each; symmetric means k at +e1, k at −e1, m at +e2, m at
    −e2 with 2k + 2m = N. Zero for odd N; for N = 2n, Σₖ N!/(k!² (n−k)!²) / 4^N, and since
    Σₖ C(n, k)² = C(2n, n) this is C(2n, n)² / 16^n ≈ 1/(πn) (icml-prop-4's "positive
    probability").
    """
    N = check_int(n_samples, "n_samples", minimum=1)
    if N % 2:
        return Fraction(0)
    n = N // 2
    return Fraction(comb(2 * n, n) ** 2, 16 ** n)


def make_halfspace_data(n_samples=40, *, n_features=2, margin=0.2, pos_fraction=0.5,
                        random_state=None):
    """Linearly separable data in the half-space x₁ > 0 (ICML Assumption 6; icml-prop-2 for Thm 2).

    x₁ ~ U(0.5, 1.5); the label is the sign of x₂ with |x₂| = margin + |N(0, 1)|; any further
    coordinates are N(0, 1). Separated through the origin by e2, and every sample has x₁ > 0,
    so a ReLU with weight −e1 is dead on all of them.
    """
    d = check_int(n_features, "n_features", minimum=2)
    n = check_int(n_samples, "n_samples", minimum=2)
    margin = check_real(margin, "margin", minimum=0.0, strict=True, maximum=DATA_LIMIT / 100)
    frac = check_real(pos_fraction, "pos_fraction")
    if not 0 < frac < 1:
        raise ValueError(f"pos_fraction: expected a number in (0, 1), got {frac}")
    rng = check_random_state(random_state)
    n_pos = min(max(int(round(frac * n)), 1), n - 1)
    y = onp.concatenate([onp.ones(n_pos), -onp.ones(n - n_pos)])
    X = rng.standard_normal((n, d))
    X[:, 0] = rng.uniform(0.5, 1.5, n)
    X[:, 1] = y * (margin + onp.abs(X[:, 1]))
    return X, y


def make_interval_data(n_samples=40, *, pos_interval=(1.0, 2.0), neg_interval=(0.2, 1.0),
                       pos_fraction=0.5, random_state=None):
    """One-dimensional separable data of icml-prop-5: positives x ~ U(pos_interval), negatives
    x ~ −U(neg_interval); separated by the sign of x, through the origin."""
    n = check_int(n_samples, "n_samples", minimum=2)
    for name, iv in (("pos_interval", pos_interval), ("neg_interval", neg_interval)):
        lo, hi = check_pair(iv, name)
        if not 0 < lo < hi <= DATA_LIMIT:
            raise ValueError(f"{name}: expected (low, high) with 0 < low < high <= {DATA_LIMIT:g}, "
                             f"got {iv}")
    frac = check_real(pos_fraction, "pos_fraction")
    if not 0 < frac < 1:
        raise ValueError(f"pos_fraction: expected a number in (0, 1), got {frac}")
    rng = check_random_state(random_state)
    n_pos = min(max(int(round(frac * n)), 1), n - 1)
    x = onp.concatenate([rng.uniform(*pos_interval, n_pos), -rng.uniform(*neg_interval, n - n_pos)])
    y = onp.concatenate([onp.ones(n_pos), -onp.ones(n - n_pos)])
    return x[:, None], y



# -- one entry point for the book: the standard dataset and point of each proposition --------
#: Result IDs of the counterexamples this module constructs (Part III of the book).
COUNTEREXAMPLE_IDS = ("icml-prop-2", "icml-prop-3", "icml-prop-4", "icml-prop-5", "icml-prop-6",
                      "icml-prop-7")
_DEFAULT_ACTIVATION = {"icml-prop-2": "relu", "icml-prop-3": "leaky_relu",
                       "icml-prop-4": "sigmoid", "icml-prop-5": "quadratic",
                       "icml-prop-6": "relu", "icml-prop-7": "relu"}


def symmetric_sample(n_samples=10, *, random_state=None, max_tries=100_000):
    """Draw from :func:`make_signed_axes_data` until the sample is symmetric
    (:func:`is_symmetric_dataset`) and has both labels: the event of icml-prop-4, which has
    probability about 1/(π n_samples/2). Returns ``(X, y)``."""
    n = check_int(n_samples, "n_samples", minimum=2)
    if n % 2:
        raise ValueError(f"n_samples: a symmetric sample needs an even size, got {n}")
    rng = check_random_state(random_state)
    for _ in range(check_int(max_tries, "max_tries", minimum=1)):
        X, y = make_signed_axes_data(n, random_state=rng)
        if 0 < onp.sum(y > 0) < n and is_symmetric_dataset(X, y):
            return X, y
    raise ValueError(f"max_tries: no symmetric sample with both labels in {max_tries} draws; "
                     "expected more tries (or a smaller n_samples)")


def counterexample(result_id, activation=None, *, theorem=1, n_samples=None, p=6,
                   random_state=0, **options):
    """The dataset and the constructed bad point of one ICML counterexample, ready to certify.

    ``result_id`` is one of ``COUNTEREXAMPLE_IDS``; ``activation`` a member of the class the
    proposition is about (default: ReLU, leaky ReLU, sigmoid, quadratic). The data is drawn as
    the proposition needs it (``random_state``; loss ℓ_p with ``p``):

    - icml-prop-2: :func:`make_shared_coordinate_data` (Theorem 1's assumptions) or, with
      ``theorem=2``, :func:`make_halfspace_data` (linearly separable); :func:`dead_neuron_point`.
    - icml-prop-3: shared-coordinate data; :func:`linear_region_point`.
    - icml-prop-4: a symmetric sample (:func:`symmetric_sample`); :func:`odd_symmetric_point`.

    Unless ``n_neurons`` is given, f_S gets the width Theorem 1 asks for on the drawn data,
    M = 2·max(n/Δr, r₊, r₋) (for Theorem-2 data, and for icml-prop-5, 3 neurons): the
    counterexamples live in the over-parametrised regime of the theorem they break.
    - icml-prop-5: :func:`make_interval_data` (separable); :func:`quadratic_bowl_point`.
    - icml-prop-6: shared-coordinate (``theorem=1``) or half-space data; :func:`dead_relu_point`.
    - icml-prop-7: shared-coordinate data; :func:`identity_shortcut_point`.

    ``options`` go to the point builder (e.g. ``n_neurons``, ``kappa``, ``slope``).
    Returns ``(objective, params)`` with an :class:`~lossbook.landscape.Objective` (mean loss).
    """
    from .data import make_shared_coordinate_data
    from .landscape import Objective

    if not isinstance(result_id, str) or result_id not in COUNTEREXAMPLE_IDS:
        raise ValueError(f"result_id: expected one of {', '.join(COUNTEREXAMPLE_IDS)}, "
                         f"got {result_id!r}")
    if isinstance(theorem, bool) or not isinstance(theorem, int) or theorem not in (1, 2):
        raise ValueError(f"theorem: expected 1 or 2, got {theorem!r}")
    loss = get_loss("polynomial_hinge", p=check_int(p, "p", minimum=2))
    activation = _DEFAULT_ACTIVATION[result_id] if activation is None else activation
    rs = random_state

    def width(X, y):
        from .data import check_assumptions
        if theorem == 2:
            return 3
        return int(check_assumptions(X, y).thm1_neurons)
    if result_id == "icml-prop-4":
        X, y = symmetric_sample(10 if n_samples is None else n_samples, random_state=rs)
        options.setdefault("n_neurons", width(X, y))
        model, params = odd_symmetric_point(X, y, loss, activation=activation, **options)
    elif result_id == "icml-prop-5":
        X, y = make_interval_data(20 if n_samples is None else n_samples, random_state=rs)
        model, params = quadratic_bowl_point(X, y, loss, activation=activation, **options)
    else:
        n = 16 if n_samples is None else n_samples
        if theorem == 2 and result_id in ("icml-prop-2", "icml-prop-6"):
            X, y = make_halfspace_data(n, random_state=rs)
        else:
            X, y = make_shared_coordinate_data(n, random_state=rs)
        if result_id in ("icml-prop-2", "icml-prop-3"):
            options.setdefault("n_neurons", width(X, y))
        if result_id == "icml-prop-2":
            model, params = dead_neuron_point(X, y, loss, activation=activation, **options)
        elif result_id == "icml-prop-3":
            model, params = linear_region_point(X, y, loss, activation=activation, **options)
        elif result_id == "icml-prop-6":
            model, params = dead_relu_point(X, y, loss, activation=activation, **options)
        else:
            model, params = identity_shortcut_point(X, y, loss, **options)
    return Objective(model, loss, X, y), params
