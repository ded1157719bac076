"""The tools of the NeurIPS paper's proof: the exponential neuron, Lemma 1's identity and
Lemma 2's symmetric tensors.

Setting (NeurIPS eqs. 3–4): a network f(x; θ) gets one extra neuron with a skip connection,
f̃(x; θ̃) = f(x; θ) + a·exp(wᵀx + b), and the summed loss gets the regulariser λa²/2
(:func:`lossbook.add_exponential_neuron`). Write ℓ'ᵢ = ℓ'(−yᵢ f(xᵢ; θ)) and

    cᵢ = ℓ'ᵢ · yᵢ · exp(wᵀxᵢ + b)                                          (the weights)

(:func:`exponential_weights`). Then ∂L̃/∂a at a = 0 is −Σᵢ cᵢ (:func:`exponential_slope`),
and Lemma 1 (ni-lem-1) says that at every local minimum a* = 0 and

    Σᵢ cᵢ (uᵀxᵢ)^k = 0   for every k ≥ 0 and every unit vector u   (:func:`directional_moments`)

Lemma 2 (ni-lem-2) turns this into the vanishing of the symmetric tensors
T_k = Σᵢ cᵢ xᵢ^⊗k (:func:`symmetric_tensor`), because T_k(u, …, u) = Σᵢ cᵢ(uᵀxᵢ)^k
(:func:`tensor_form`) and a symmetric tensor whose form vanishes on the sphere is zero.
Since every polynomial P(x) is a combination of tensor entries, Σᵢ cᵢ P(xᵢ) = 0 for all P;
a P with yᵢP(xᵢ) ≥ 1 (realizability) then forces every ℓ'ᵢ = 0 (ni-thm-1).
"""
import numpy as onp

from ._validation import check_array, check_int, check_radii, check_real, check_X, check_Xy
from .constructions import dead_relu_point
from .landscape import Objective
from .losses import get_loss, loss_weights
from .models import Model, add_exponential_neuron

#: symmetric_tensor refuses a tensor whose computation holds more numbers than this
#: (n·d^k; 10^7 float64 numbers are 80 MB)
TENSOR_LIMIT = 10_000_000

__all__ = ["exponential_weights", "exponential_slope", "directional_moments", "symmetric_tensor",
           "tensor_form", "with_exponential_neuron", "rescale_exponential_neuron", "phi_probe",
           "xor_relu_params", "drop_exponential_neurons", "exponential_chain_direction",
           "rescale_exponential_layers", "exponential_dead_point", "augmented_direction"]


def _check_model(model, name="model"):
    if not isinstance(model, Model):
        raise TypeError(f"{name}: expected a lossbook Model, got {type(model).__name__}")


def _net_outputs(base_model, params, X):
    """f(xᵢ; θ) of the ORIGINAL network, from the params of the augmented one."""
    if not isinstance(params, dict) or not {"net", "w", "b"} <= set(params):
        raise ValueError("params: expected the parameters of an augmented model, a dict with keys "
                         "'net', 'a', 'w', 'b' (see add_exponential_neuron)")
    base_model.check_params(params["net"], "params")
    return onp.asarray(base_model.apply(params["net"], X), dtype=float)


def exponential_weights(base_model, params, loss, X, y):
    """cᵢ = ℓ'(−yᵢ f(xᵢ; θ)) · yᵢ · exp(wᵀxᵢ + b): the weights of Lemma 1 (ni-lem-1).

    Parameters: ``base_model`` the original network f, ``params`` the parameters of
    f̃ = f + a·exp(wᵀx + b) (keys 'net', 'a', 'w', 'b'), a loss and the data. ℓ' is taken at
    the ORIGINAL network's outputs, as in NeurIPS eq. (8) (at a local minimum a* = 0, so
    f = f̃ on the data). Returns an array of shape (n,).
    """
    _check_model(base_model, "base_model")
    loss = get_loss(loss)
    X, y = check_Xy(X, y)
    dl = loss_weights(loss, y, _net_outputs(base_model, params, X))
    w = check_array(params["w"], "params")
    if w.shape != (X.shape[1],):
        raise ValueError(f"params: expected w of shape ({X.shape[1]},), got {w.shape}")
    b = check_real(onp.asarray(params["b"], dtype=float).item() if onp.size(params["b"]) == 1
                   else params["b"], "params")
    with onp.errstate(over="ignore"):
        out = dl * y * onp.exp(X @ w + b)
    return _finite_or_raise(out, "params", "c_i")


def exponential_slope(base_model, net_params, loss, X, y, W, b=0.0):
    """∂L̃/∂a at a = 0: −Σᵢ ℓ'(−yᵢ f(xᵢ; θ)) yᵢ exp(wᵀxᵢ + b), for one w or a batch of them.

    This is the first-order change of the augmented loss when the exponential neuron is
    switched on at the point θ of the original network (ni-thm-1): the regulariser λa²/2 has
    zero slope at a = 0, so any (w, b) with a non-zero value gives a descent direction ±a.
    ``W`` has shape (d,) or (K, d); returns a float or an array of shape (K,). Summed loss.
    """
    _check_model(base_model, "base_model")
    loss = get_loss(loss)
    X, y = check_Xy(X, y)
    W = check_array(W, "W", ndim=(1, 2))
    if W.shape[-1:] != (X.shape[1],) or W.ndim > 2:
        raise ValueError(f"W: expected shape ({X.shape[1]},) or (K, {X.shape[1]}), got {W.shape}")
    b = check_real(b, "b")
    base_model.check_params(net_params, "net_params")
    dl = loss_weights(loss, y, base_model.apply(net_params, X))
    with onp.errstate(over="ignore", invalid="ignore"):
        slope = -onp.exp(W @ X.T + b) @ (dl * y)
    slope = _finite_or_raise(slope, "W", "the slope")
    return float(slope) if W.ndim == 1 else slope


def _finite_or_raise(values, name, what):
    """``values`` if finite; otherwise exp(wᵀx + b) overflowed float64: a clear error."""
    if not onp.all(onp.isfinite(values)):
        raise ValueError(f"{name}: exp(wᵀx + b) overflows float64 on this data, so {what} is not "
                         "finite; expected smaller weights or bias")
    return values


def _check_weights(c, X):
    X = check_X(X)
    c = check_array(c, "c")
    if c.shape != (X.shape[0],):
        raise ValueError(f"c: expected one weight per sample (per row of X), shape ({X.shape[0]},), got {c.shape}")
    return c, X


def directional_moments(c, X, directions, degrees=(0, 1, 2, 3, 4)):
    """M[k, j] = Σᵢ cᵢ (u_jᵀxᵢ)^k for each degree k and each direction u_j (ni-lem-1, ni-lem-2).

    ``directions`` has shape (J, d) (normalised here to unit length); ``degrees`` is a
    sequence of non-negative ints. Returns an array of shape (len(degrees), J).
    """
    c, X = _check_weights(c, X)
    U = onp.atleast_2d(check_array(directions, "directions"))
    if U.ndim != 2 or U.shape[1] != X.shape[1]:
        raise ValueError(f"directions: expected shape (J, {X.shape[1]}), "
                         f"got {onp.shape(directions)}")
    if onp.any(onp.all(U == 0, axis=1)):
        raise ValueError("directions: expected non-zero vectors")
    big = onp.max(onp.abs(U), axis=1, keepdims=True)
    if onp.any(big > 1e150):  # the norm would overflow: scale such rows down first
        U = onp.where(big > 1e150, U / big, U)
    norms = onp.linalg.norm(U, axis=1, keepdims=True)
    if isinstance(degrees, (str, bytes)) or not hasattr(degrees, "__iter__"):
        raise TypeError(f"degrees: expected a sequence of non-negative ints, got {degrees!r}")
    degrees = [check_int(k, "degrees", minimum=0, maximum=1000) for k in degrees]
    if not degrees:
        raise ValueError("degrees: expected at least one degree")
    proj = X @ (U / norms).T  # (n, J)
    with onp.errstate(over="ignore", invalid="ignore"):
        moments = onp.array([c @ proj ** k for k in degrees])
    if not onp.all(onp.isfinite(moments)):
        raise ValueError("degrees: the moments overflow float64 on this data; expected lower degrees")
    return moments


def symmetric_tensor(c, X, k):
    """T_k = Σᵢ cᵢ xᵢ^⊗k, the symmetric k-th order tensor of Lemma 2 (ni-lem-2), shape (d,)*k.

    T_0 is the number Σᵢ cᵢ; T_1 the vector Σᵢ cᵢxᵢ; T_2 the matrix Σᵢ cᵢxᵢxᵢᵀ, and so on.
    The computation holds n·d^k numbers; beyond ``TENSOR_LIMIT`` (10^7) it raises a ValueError.
    """
    c, X = _check_weights(c, X)
    k = check_int(k, "k", minimum=0)
    size = X.shape[0] * X.shape[1] ** k if X.shape[1] > 1 or k < 64 else X.shape[0]
    if size > TENSOR_LIMIT:
        raise ValueError(f"k: a tensor of order {k} on {X.shape[0]} samples in d = {X.shape[1]} "
                         f"needs n·d^k = {size:.3g} numbers, more than the limit {TENSOR_LIMIT:.0e}; "
                         "expected a smaller k (use directional_moments for high orders)")
    T = onp.array(onp.sum(c))
    if k == 0:
        return T
    T = c[:, None] * X  # (n, d): one leg
    with onp.errstate(over="ignore", invalid="ignore"):
        for _ in range(k - 1):
            T = T[..., None] * X.reshape((X.shape[0],) + (1,) * (T.ndim - 1) + (X.shape[1],))
        T = T.sum(axis=0)
    if not onp.all(onp.isfinite(T)):
        raise ValueError(f"k: the tensor of order {k} overflows float64 on this data; "
                         "expected a smaller k")
    return T


def tensor_form(T, u):
    """T(u, …, u) = Σ T[i₁…i_k] u[i₁]⋯u[i_k]: the tensor contracted with u in every leg.

    For T = :func:`symmetric_tensor` (c, X, k) this equals Σᵢ cᵢ(uᵀxᵢ)^k (ni-lem-2). ``u`` is
    used as given (not normalised).
    """
    T = check_array(T, "T")
    u = check_array(u, "u")
    if T.ndim > 0 and any(s != T.shape[0] for s in T.shape):
        raise ValueError(f"T: expected a tensor with equal sides (d, …, d), got shape {T.shape}")
    if u.ndim != 1 or (T.ndim > 0 and any(s != u.shape[0] for s in T.shape)):
        raise ValueError(f"u: expected a vector of length {T.shape[0] if T.ndim else 'd'} (the side of T), "
                         f"got shape {u.shape}")
    with onp.errstate(over="ignore", invalid="ignore"):
        for _ in range(T.ndim):
            T = T @ u
    if not onp.isfinite(T):
        raise ValueError("u: T(u, …, u) overflows float64; expected a shorter u")
    return float(T)


def with_exponential_neuron(net_params, w, *, a=0.0, b=0.0):
    """The parameters of f̃ = f + a·exp(wᵀx + b) at the point θ of f: {'net', 'a', 'w', 'b'}.

    With a = 0 (the default) f̃ computes exactly f, whatever (w, b): the point of the original
    network seen inside the augmented loss (ni-thm-1).
    """
    if not isinstance(net_params, dict) or not net_params:
        raise TypeError(f"net_params: expected a non-empty dict of arrays, got {net_params!r:.60}")
    net = {}
    for k, v in net_params.items():
        if isinstance(v, dict):
            raise TypeError(f"net_params: expected a flat dict of arrays, got a dict at {k!r}")
        net[k] = check_array(v, "net_params", nonempty=False)
    w = check_array(w, "w", ndim=1)
    return {"net": net, "a": onp.array(check_real(a, "a")), "w": w.copy(),
            "b": onp.array(check_real(b, "b"))}


def exponential_dead_point(X, y, loss, *, hidden=(3,), lam=1.0, kappa=1.0, random_state=0):
    """A dead ReLU network with the exponential neuron attached, switched off (ni-prop-3).

    The network part is :func:`~lossbook.constructions.dead_relu_point` (every hidden unit
    off on every sample and under any perturbation of size < κ/(1 + maxᵢ‖xᵢ‖), output the
    best constant t*); the neuron a·exp(wᵀx + b) sits at a = 0, w = 0, b = 0. The augmented
    network computes exactly t* on every input, so the point has the loss and training
    error of the best constant: for data that a polynomial of degree p separates (and no lower
    degree), it is the (2p − 1)-th order stationary point of ni-prop-3 that is not a minimum.
    ``hidden`` must give the network enough units to realize the data (NeurIPS Assumption 2,
    kept by ni-prop-3: in 1-D, labels that change sign p times need p ReLU units).

    Returns ``(model, params)`` with ``model = add_exponential_neuron(feedforward(d, hidden,
    'relu'), lam=lam)`` and params {'net', 'a', 'w', 'b'}.
    """
    net, net_params = dead_relu_point(X, y, loss, hidden=hidden, kappa=kappa,
                                      random_state=random_state)
    d = onp.asarray(X).shape[1]
    return (add_exponential_neuron(net, lam=lam),
            with_exponential_neuron(net_params, onp.zeros(d), a=0.0, b=0.0))


def augmented_direction(params, *, a=0.0, w=None, b=0.0):
    """A direction in the parameters of f̃ = f + a·σ(wᵀx + b) that moves only the extra neuron.

    ``params`` is a point of the augmented model (keys 'net', 'a', 'w', 'b'; used for the
    shapes); the returned dict has zeros in 'net' and the given entries for a, w (default 0)
    and b. Flatten it with ``Objective.flatten`` to get a row of a curve for
    :func:`~lossbook.stationarity.curve_test` (ni-prop-3) or a slice direction.
    """
    if not isinstance(params, dict) or not {"net", "a", "w", "b"} <= set(params):
        raise ValueError("params: expected the parameters of an augmented model, a dict with keys "
                         "'net', 'a', 'w', 'b' (see add_exponential_neuron)")
    d = onp.asarray(params["w"]).shape
    w = onp.zeros(d) if w is None else check_array(w, "w", shape=d, nonempty=False)
    a, b = check_real(a, "a"), check_real(b, "b")
    return {"net": {k: onp.zeros_like(onp.asarray(v, dtype=float)) for k, v in params["net"].items()},
            "a": onp.array(float(a)), "w": w.copy(), "b": onp.array(float(b))}


def rescale_exponential_neuron(params, s):
    """(θ, a, w, b) ↦ (θ, a·e^(−s), w, b + s): the same network f̃, a smaller penalty for s > 0.

    Since a·e^(wᵀx + b) = (a e^(−s))·e^(wᵀx + b + s), this path leaves f̃ unchanged while the
    regulariser λa²/2 falls to λa²e^(−2s)/2. So a point with a ≠ 0 is never a local minimum of
    L̃ (the first half of ni-lem-1 seen along one path), and if the neuron carries a useful
    output the loss decreases along the path forever without reaching its infimum: a
    "minimum at infinity" (ext-infinity). ``s`` is a number; returns new parameters.
    """
    if not isinstance(params, dict) or not {"net", "a", "w", "b"} <= set(params):
        raise ValueError("params: expected the parameters of an augmented model, a dict with keys "
                         "'net', 'a', 'w', 'b' (see add_exponential_neuron)")
    s = check_real(s, "s", minimum=-700.0, maximum=700.0)
    out = dict(params)
    out["a"] = onp.asarray(params["a"], dtype=float) * onp.exp(-s)
    out["b"] = onp.asarray(params["b"], dtype=float) + s
    return out


def phi_probe(objective, params, *, radii=(1e-1, 1e-2, 1e-3), n_probes=500, random_state=0):
    """A local-minimum certificate by convexity of ℓ (constructions.md; used for ni-reg).

    With λᵢ = ℓ'(−yᵢ fᵢ(θ)) and ℓ convex, ℓ(−yᵢf'ᵢ) ≥ ℓ(−yᵢfᵢ) − λᵢyᵢ(f'ᵢ − fᵢ), so for the
    summed loss L(θ') − L(θ) ≥ −Φ(θ') + pen(θ') − pen(θ), Φ(θ') = Σᵢ λᵢyᵢ(fᵢ(θ') − fᵢ(θ))
    (divide by n for the mean). This lower bound is evaluated at ``n_probes`` random points
    on each sphere ‖θ' − θ‖ = r. Returns {r: min over probes of the bound}; a value ≥ 0 on
    every radius says that no probed point lowers L, by an argument that does not rely on
    the Hessian (it holds at degenerate points and kinks alike). Needs a convex loss.
    """
    if not isinstance(objective, Objective):
        raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
    if not objective.loss.convex:
        raise ValueError(f"objective: the bound needs a convex loss, got {objective.loss.name}")
    n_probes = check_int(n_probes, "n_probes", minimum=1)
    rng = onp.random.default_rng(check_int(random_state, "random_state", minimum=0))
    theta = onp.asarray(objective.flatten(params), dtype=float)
    if theta.ndim != 1:
        raise ValueError("params: phi_probe takes one parameter set")
    y = objective.y
    f0 = onp.asarray(objective.outputs(theta), dtype=float)
    lam = loss_weights(objective.loss, y, f0)
    scale = 1.0 / len(y) if objective.reduction == "mean" else 1.0
    pen0 = float(objective.model.penalty(objective.unflatten(theta)))
    out = {}
    # a sphere of radius > 1e8 is no local probe, and its outputs overflow float64
    for r in check_radii(radii, maximum=1e8):
        U = rng.standard_normal((n_probes, theta.size))
        pts = theta + r * U / onp.linalg.norm(U, axis=1, keepdims=True)
        f = onp.asarray(objective.outputs(pts), dtype=float)
        pen = onp.asarray(objective.model.penalty(objective.unflatten(pts)), dtype=float)
        bound = -scale * ((f - f0) @ (lam * y)) + pen - pen0
        out[float(r)] = float(onp.min(bound))
    return out


def xor_relu_params(*, scale=2.0):
    """Parameters of ``feedforward(2, hidden=(4,), activation='relu')`` computing
    f(x) = s·(relu(x₁+x₂) + relu(−x₁−x₂) − relu(x₁−x₂) − relu(x₂−x₁)) = s·(|x₁+x₂| − |x₁−x₂|).

    Since |x₁+x₂| − |x₁−x₂| = 2·sign(x₁x₂)·min(|x₁|, |x₂|), sign f = sign(x₁x₂): the XOR
    labelling, with margin y·f ≥ 2s·min(|x₁|, |x₂|). A network of this architecture that
    realizes XOR data (NeurIPS Assumption 2, ni-asm-2), built by hand; ``scale`` is s > 0.
    """
    s = check_real(scale, "scale", minimum=0.0, strict=True, maximum=1e100)
    W1 = onp.array([[1.0, -1.0, 1.0, -1.0], [1.0, -1.0, -1.0, 1.0]])
    return {"W1": W1, "b1": onp.zeros(4), "v": s * onp.array([1.0, 1.0, -1.0, -1.0]),
            "c": onp.array(0.0)}


def _per_layer_depth(params):
    if not isinstance(params, dict) or "W1" not in params or "b1" not in params:
        raise ValueError("params: expected the parameters of exponential_per_layer "
                         "(keys W1, b1, …, W{L+1}, b{L+1})")
    L = sum(1 for k in params if k.startswith("W")) - 1
    if L < 1 or any(f"W{i}" not in params or f"b{i}" not in params for i in range(1, L + 2)):
        raise ValueError("params: expected keys W1, b1, …, W{L+1}, b{L+1}")
    return L


def drop_exponential_neurons(params):
    """The parameters of the plain network f inside f̃ = exponential_per_layer(…) (ni-cor-2).

    Removes the exponential neuron of every hidden layer (the last column of W1 … WL and b1 …
    bL, the last row w̃ of W2 … W{L+1}) and returns parameters of
    ``feedforward(d, hidden, activation)`` (keys W1, b1, …, WL, bL, v, c). When every
    w̃_l = 0 the two networks compute the same function (NeurIPS Corollary 2).
    """
    L = _per_layer_depth(params)
    out = {}
    for i in range(1, L + 1):
        W = onp.asarray(params[f"W{i}"], dtype=float)
        out[f"W{i}"] = W[..., :-1] if i == 1 else W[..., :-1, :-1]
        out[f"b{i}"] = onp.asarray(params[f"b{i}"], dtype=float)[..., :-1]
    out["v"] = onp.asarray(params[f"W{L + 1}"], dtype=float)[..., :-1, 0]
    out["c"] = onp.asarray(params[f"b{L + 1}"], dtype=float)[..., 0]
    return out


def exponential_chain_direction(params, *, sign=1.0):
    """The direction that turns on the chain exp → exp → … → output (ni-thm-2, the power 2L).

    Returns a parameter dict (same keys and shapes as ``params`` of exponential_per_layer),
    zero except for: the weight from the exponential neuron of layer l−1 to that of layer l
    (entry [-1, -1] of W_l, l = 2 … L), the output weight of the last one (entry [-1, 0] of
    W{L+1}, equal to ``sign``), and the output bias b{L+1}, which moves by −sign·e^(β) with β
    the bias of the last exponential neuron, so that the constant part of the new output
    is cancelled (exactly so when that neuron's other incoming weights are zero).

    Moving by τ along it sets each of the L penalised chain weights to ±τ. The output then
    changes by about ±τ^L·e^(…)·E₁(x), E₁ the first exponential neuron: a data-term change of
    order τ^L, while the regulariser (λ/2)Σ‖w̃_l‖^power grows like L·τ^power. With the
    power 2L the data term wins for small τ; with the power 2 and L ≥ 3 the regulariser does.
    """
    L = _per_layer_depth(params)
    sign = check_real(sign, "sign")
    if sign not in (1.0, -1.0):
        raise ValueError(f"sign: expected +1 or -1, got {sign}")
    D = {k: onp.zeros_like(onp.asarray(v, dtype=float)) for k, v in params.items()}
    for i in range(2, L + 1):
        D[f"W{i}"][-1, -1] = 1.0
    D[f"W{L + 1}"][-1, 0] = sign
    D[f"b{L + 1}"][0] = -sign * float(onp.exp(onp.asarray(params[f"b{L}"], dtype=float)[-1]))
    return D


def rescale_exponential_layers(params, s):
    """For exponential_per_layer: raise the bias of every exponential neuron by s and scale the
    weights leaving it, w̃_l, by e^(−s). The network f̃ is unchanged (e^(z+s)·e^(−s) = e^z)
    while the regulariser (λ/2)Σ‖w̃_l‖^power falls by the factor e^(−power·s).

    So a point with some w̃_l ≠ 0 is not a local minimum (ni-cor-2 seen along one path); if
    the neurons carry a useful output the loss decreases along the path for ever: a minimum
    at infinity (ext-infinity). Returns new parameters.
    """
    L = _per_layer_depth(params)
    s = check_real(s, "s", minimum=-700.0, maximum=700.0)
    out = {k: onp.array(v, dtype=float) for k, v in params.items()}
    for i in range(1, L + 1):
        out[f"b{i}"][..., -1] += s
        out[f"W{i + 1}"][..., -1, :] *= onp.exp(-s)
    return out
