"""Functional models as ``(init, apply)`` pairs, in the style of ``jax.example_libraries.stax``.

A :class:`Model` unpacks as ``init, apply = model``. ``init(random_state, batch=K)``
draws parameters (a dict of arrays; with ``batch=K`` every array gets a leading axis of
length K). ``apply(params, X)`` maps data ``X`` of shape (n, d) to outputs of shape
``batch_shape + (n,)``: any leading axes on the parameters are carried through, so K
parameter sets are evaluated in one vectorised pass. ``penalty(params)`` is the
regulariser the model brings (0 unless a combinator adds one).

Notation follows ICML §2–3: f_S(x) = a0 + aᵀσ(Wᵀx) (no bias inside σ), f_D a feed-forward
network with biases, f = f_S + f_D (the shortcut-like architecture, Assumption 4).
"""
import autograd.numpy as np
import numpy as onp

from ._validation import (
    check_callable,
    check_int,
    check_params,
    check_random_state,
    check_real,
    check_str,
    check_X,
)
from .activations import get_activation


class Model:
    """A model: ``init(random_state=None, *, batch=None)``, ``apply(params, X)``, ``penalty(params)``."""

    def __init__(self, name, init, apply, penalty=None, *, n_features):
        check_str(name, "name")
        check_callable(init, "init")
        check_callable(apply, "apply")
        check_callable(penalty, "penalty", optional=True)
        n_features = check_int(n_features, "n_features", minimum=1)
        self.name = name
        self._init = init
        self._apply = apply
        self._penalty = penalty
        self.n_features = n_features

    def init(self, random_state=None, *, batch=None):
        """Random parameters (a dict of arrays); ``batch=K`` adds a leading axis of length K."""
        rng = check_random_state(random_state)
        shape = () if batch is None else (check_int(batch, "batch", minimum=1),)
        return self._init(rng, shape)

    def apply(self, params, X):
        """Outputs f(x_i; params), shape ``batch_shape + (n,)``; params as from ``init``."""
        if not isinstance(X, (list, tuple, onp.ndarray)) or np.ndim(X) != 2:
            X = check_X(X)  # raises for anything that is not an (n, d) array
        if np.shape(X)[1] != self.n_features:
            raise ValueError(f"X: expected shape (n, {self.n_features}) for {self.name}, "
                             f"got {np.shape(X)}")
        if not type(X).__module__.startswith("autograd"):
            X = check_X(X)
        self.check_params(params)
        return self._apply(params, X)

    def check_params(self, params, name="params"):
        """Raise a ValueError/TypeError naming ``name`` unless ``params`` has the structure of
        ``init()`` (optionally with leading batch axes) and finite values; returns the batch
        shape."""
        if getattr(self, "_template", None) is None:
            self._template = self._init(onp.random.default_rng(0), ())
        return check_params(params, self._template, name, model_name=self.name)

    def penalty(self, params):
        """The model's regulariser: shape ``batch_shape`` (zeros when the model has none)."""
        batch = self.check_params(params)
        return onp.zeros(batch) if self._penalty is None else self._penalty(params)

    __call__ = apply

    def __iter__(self):
        yield self.init
        yield self.apply

    def __repr__(self):
        return f"Model({self.name})"


def _normal(rng, shape, scale):
    return scale * rng.standard_normal(shape)


def _dot_last(h, v):
    """Σ_j h[..., n, j] v[..., j]: a vector per sample, batch axes carried."""
    # a matrix-vector product: ~5x faster than multiplying and summing, gradients included
    return (h @ v[..., :, None])[..., 0]


def single_layer(n_features, n_neurons, activation="softplus", *, init_scale=1.0, **options):
    """f_S(x) = a0 + Σ_j a_j σ(w_jᵀx) with M = n_neurons neurons (ICML eq. of Assumption 4).

    Parameters: ``a0`` (), ``a`` (M,), ``W`` (d, M).
    """
    d = check_int(n_features, "n_features", minimum=1)
    m = check_int(n_neurons, "n_neurons", minimum=1)
    sigma = get_activation(activation, **options)
    scale = check_real(init_scale, "init_scale", minimum=0.0)

    def init(rng, batch):
        return {"a0": _normal(rng, batch, scale), "a": _normal(rng, batch + (m,), scale / np.sqrt(m)),
                "W": _normal(rng, batch + (d, m), scale / np.sqrt(d))}

    def apply(params, X):
        return _dot_last(sigma(X @ params["W"]), params["a"]) + params["a0"][..., None]

    return Model(f"single_layer(d={d}, M={m}, {sigma.name})", init, apply, n_features=d)


def _dense_init(rng, batch, sizes, scale):
    params = {}
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        params[f"W{i}"] = _normal(rng, batch + (fan_in, fan_out), scale / np.sqrt(fan_in))
        params[f"b{i}"] = _normal(rng, batch + (fan_out,), scale * 0.1)
    return params


def _dense_hidden(params, X, n_hidden, sigma):
    h = X
    for i in range(1, n_hidden + 1):
        h = sigma(h @ params[f"W{i}"] + params[f"b{i}"][..., None, :])
    return h


def feedforward(n_features, hidden=(8,), activation="relu", *, init_scale=1.0, **options):
    """f_D(x) = vᵀσ(… σ(W1ᵀx + b1) …) + c: any depth, biases in every layer.

    ``hidden`` lists the widths of the hidden layers (empty: an affine model vᵀx + c).
    Parameters: ``W1, b1, …, WL, bL`` for the hidden layers, ``v`` and ``c`` for the output.
    """
    d = check_int(n_features, "n_features", minimum=1)
    hidden = _check_hidden(hidden)
    sigma = get_activation(activation, **options)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    sizes = (d,) + hidden
    L = len(hidden)

    def init(rng, batch):
        params = _dense_init(rng, batch, sizes, scale)
        params["v"] = _normal(rng, batch + (sizes[-1],), scale / np.sqrt(sizes[-1]))
        params["c"] = _normal(rng, batch, scale * 0.1)
        return params

    def apply(params, X):
        return _dot_last(_dense_hidden(params, X, L, sigma), params["v"]) + params["c"][..., None]

    return Model(f"feedforward(d={d}, hidden={list(hidden)}, {sigma.name})", init, apply, n_features=d)


def _check_hidden(hidden):
    if isinstance(hidden, (int, np.integer)):
        hidden = (hidden,)
    if not isinstance(hidden, (tuple, list)):
        raise TypeError(f"hidden: expected a tuple of layer widths, got {type(hidden).__name__}")
    return tuple(check_int(h, "hidden", minimum=1) for h in hidden)


def constant(n_features):
    """f_D(x) = c: the 'f_D constant' case, where Theorem 1 reduces to the workshop's single layer."""
    d = check_int(n_features, "n_features", minimum=1)
    return Model("constant", lambda rng, batch: {"c": _normal(rng, batch, 0.1)},
                 lambda params, X: params["c"][..., None] + 0.0 * X[:, 0], n_features=d)


def shortcut(f_S, f_D):
    """The shortcut-like architecture f = f_S + f_D (ICML Fig. 1b, Assumption 4).

    Parameters: ``{'S': params of f_S, 'D': params of f_D}``.
    """
    _check_model(f_S, "f_S")
    _check_model(f_D, "f_D")
    if f_S.n_features != f_D.n_features:
        raise ValueError(f"f_D: expected {f_S.n_features} features like f_S, got {f_D.n_features}")

    def init(rng, batch):
        return {"S": f_S._init(rng, batch), "D": f_D._init(rng, batch)}

    def apply(params, X):
        return f_S._apply(params["S"], X) + f_D._apply(params["D"], X)

    def penalty(params):
        return f_S.penalty(params["S"]) + f_D.penalty(params["D"])

    return Model(f"{f_S.name} + {f_D.name}", init, apply, penalty, n_features=f_S.n_features)


def identity_shortcut(n_features, hidden=(8,), activation="relu", *, init_scale=1.0):
    """f(x) = aᵀ(x + H(x)) + b with H: R^d → R^d a feed-forward network (ICML Fig. 1a, Prop 7).

    Parameters: ``a`` (d,), ``b`` (), and H's ``W1, b1, …`` plus output ``V`` (h_L, d), ``c`` (d,).
    """
    d = check_int(n_features, "n_features", minimum=1)
    hidden = _check_hidden(hidden)
    sigma = get_activation(activation)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    sizes = (d,) + hidden
    L = len(hidden)

    def init(rng, batch):
        params = _dense_init(rng, batch, sizes, scale)
        params["V"] = _normal(rng, batch + (sizes[-1], d), scale / np.sqrt(sizes[-1]))
        params["c"] = _normal(rng, batch + (d,), scale * 0.1)
        params["a"] = _normal(rng, batch + (d,), scale / np.sqrt(d))
        params["b"] = _normal(rng, batch, scale * 0.1)
        return params

    def apply(params, X):
        H = _dense_hidden(params, X, L, sigma) @ params["V"] + params["c"][..., None, :]
        return _dot_last(X + H, params["a"]) + params["b"][..., None]

    return Model(f"identity_shortcut(d={d}, hidden={list(hidden)}, {sigma.name})", init, apply,
                 n_features=d)


def _check_model(model, name):
    if not isinstance(model, Model):
        raise TypeError(f"{name}: expected a lossbook Model, got {type(model).__name__}")


def _extra_neuron(model, unit, label, lam, init_scale):
    _check_model(model, "model")
    lam = check_real(lam, "lam", minimum=0.0)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    d = model.n_features

    def init(rng, batch):
        return {"net": model._init(rng, batch), "a": _normal(rng, batch, scale),
                "w": _normal(rng, batch + (d,), scale / np.sqrt(d)), "b": _normal(rng, batch, scale)}

    def apply(params, X):
        pre = _dot_last(X, params["w"]) + params["b"][..., None]
        return model._apply(params["net"], X) + params["a"][..., None] * unit(pre)

    def penalty(params):
        return model.penalty(params["net"]) + 0.5 * lam * params["a"] ** 2

    return Model(f"{model.name} + {label} (lam={lam:g})", init, apply, penalty, n_features=d)


def add_exponential_neuron(model, *, lam=1.0, init_scale=1.0):
    """f̃(x) = f(x) + a·exp(wᵀx + b), with the regulariser λa²/2 (NeurIPS eqs. 3–4, ni-thm-1).

    Parameters: ``{'net': params of f, 'a': (), 'w': (d,), 'b': ()}``. ``lam = 0`` drops the
    regulariser (the ni-reg setting).
    """
    return _extra_neuron(model, get_activation("exponential"), "a·exp(wᵀx+b)", lam, init_scale)


def add_monomial_neuron(model, *, degree=2, lam=1.0, init_scale=1.0):
    """f̃(x) = f(x) + a·(wᵀx + b)^degree with λa²/2 (NeurIPS eq. 7, ni-prop-1)."""
    degree = check_int(degree, "degree", minimum=1)
    return _extra_neuron(model, lambda z: z ** degree, f"a·(wᵀx+b)^{degree}", lam, init_scale)


def exponential_per_layer(n_features, hidden=(4, 4), activation="tanh", *, lam=1.0,
                          power=None, init_scale=1.0):
    """A feed-forward network with one extra exponential neuron in every hidden layer (NeurIPS eq. 5).

    Layer l has ``hidden[l-1]`` neurons σ plus one neuron exp. The regulariser (NeurIPS eq. 6)
    is (λ/2)·Σ_{l=2}^{L+1} ‖w̃_l‖_{2L}^power, where w̃_l are the weights leaving the exponential
    neuron of layer l−1 and L = len(hidden). ``power`` defaults to 2L: only then does the
    regulariser vanish to the same order as the data term along the path the proof uses (the
    text's exponent 2 is discussed in the book, ni-thm-2). Parameters: ``W1 … W{L+1}``
    ((widths + 1) columns per hidden layer; the last row of W2 … W{L+1} is w̃), ``b1 … b{L+1}``.
    """
    d = check_int(n_features, "n_features", minimum=1)
    hidden = _check_hidden(hidden)
    sigma = get_activation(activation)
    lam = check_real(lam, "lam", minimum=0.0)
    L = len(hidden)
    q = 2 * L
    power = q if power is None else check_real(power, "power", minimum=0.0, strict=True)
    scale = check_real(init_scale, "init_scale", minimum=0.0)
    sizes = (d,) + tuple(h + 1 for h in hidden) + (1,)

    def init(rng, batch):
        return _dense_init(rng, batch, sizes, scale)

    def apply(params, X):
        h = X
        for i in range(1, L + 1):
            z = h @ params[f"W{i}"] + params[f"b{i}"][..., None, :]
            h = np.concatenate([sigma(z[..., :-1]), np.exp(np.minimum(z[..., -1:], 709.0))], axis=-1)
        out = h @ params[f"W{L + 1}"] + params[f"b{L + 1}"][..., None, :]
        return out[..., 0]

    def penalty(params):
        total = 0.0
        for i in range(2, L + 2):
            s = np.sum(np.abs(params[f"W{i}"][..., -1, :]) ** q, axis=-1)  # ‖w̃‖_q^q
            # ‖w̃‖^power = s^(power/q); the where keeps the gradient finite at w̃ = 0
            safe = np.where(s > 0, s, 1.0)
            total = total + np.where(s > 0, safe ** (power / q), 0.0)
        return 0.5 * lam * total

    return Model(f"exponential_per_layer(d={d}, hidden={list(hidden)}, {sigma.name}, lam={lam:g})",
                 init, apply, penalty, n_features=d)
