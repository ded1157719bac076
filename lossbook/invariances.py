"""Exact invariances of a model at a point: the flat directions a certificate may explain.

A Hessian eigenvalue ≈ 0 at a critical point says nothing by itself: the loss may be flat
there because of a symmetry (then the point can still be a minimum "strict modulo
symmetries"), or it may descend at higher order (a saturated plateau sliding to infinity).
:func:`lossbook.certify` accepts a flat direction only when it lies in the span T of the
tangents of curves along which the network's outputs — hence the loss — are exactly
constant. The library knows these curves:

(i)   positive-homogeneity rescaling of a hidden unit (σ(s z) = s^q σ(z) for s > 0: ReLU and
      leaky ReLU q = 1, the quadratic neuron q = 2, z^q, the linear neuron): multiply the
      unit's incoming weights and bias by s and its outgoing weights by s^−q; tangent
      (+incoming, −q·outgoing);
(ii)  dead units (σ ≡ 0 below a threshold, e.g. a ReLU off on every sample): every incoming and
      outgoing coordinate is locally constant; and any coordinate whose ±h perturbation leaves
      the gradient row, the Hessian row, the outputs and the per-sample losses bit-for-bit
      unchanged (a locally constant region; float64 underflow of a unit that is not exactly
      flat, such as a saturated softplus or tanh, does not count);
(iii) the identity shortcut aᵀ(x + H(x)) + b: rows of V and c orthogonal to a, and the c/b
      trade-off;
(iv)  the quadratic single layer a0 + Σ a_j (w_jᵀx)²: the fibre of (a, W) ↦ Σ a_j w_j w_jᵀ;
(v)   an exponential neuron a·e^(wᵀx + b) without regulariser: (a, b) ↦ (a e^−t, b + t);
(vi)  for a piecewise-polynomial network without regulariser (every unit ReLU, leaky ReLU,
      linear, quadratic or z^q, :attr:`Activation.homogeneity` set; or an ELU with every
      pre-activation on its linear piece, ``Activation.linear_above``) at a smooth point: L
      depends on θ, near θ, only through the outputs f_A on the *active* samples (a sample
      strictly inside the loss's flat region z < −z0 has ℓ ≡ 0 nearby). Where the Jacobian
      of θ ↦ f_A has constant rank near θ (checked at a nearby random point), the fibre
      {f_A = f_A(θ)} is a manifold on which L is constant; its tangent, the kernel of that
      Jacobian, is exact invariance ("output fibre": units in their linear region, trade-offs
      between biases and outgoing weights, samples in the loss's flat region). Also
      the outputs' trade-off of two additive output biases (f_S + f_D).

(vii) a unit whose outgoing weights are all exactly 0: its incoming weights have no effect.

(ii) for a unit whose output is exactly 0 (pre-activations exactly 0, σ(0) = 0) and (vii) are
*strata*, not symmetries: L is constant on the set {outgoing = 0} (or {incoming = 0}), but off
θ the loss may depend on the coordinates normal to it at higher order than the Hessian sees
(an exponential neuron a·e^(wᵀx) at a = 0: ∂L/∂a ∝ Σλᵢyᵢe^(wᵀxᵢ) vanishes at w = 0 and grows
like |w|^p). For a unit that is linear on each piece (homogeneity 1: ReLU, leaky ReLU,
linear) the normal gradient is affine along the stratum and its slope is a Hessian entry, so
the Hessian test decides; for any other unit the stratum is recorded (``Invariances.strata``)
and :func:`lossbook.certify` certifies the point only after checking, at points of the stratum
near θ, that no descent starts there (``stratum_descent``).

Units whose coordinates enter the model's regulariser (``Unit.penalised``) give no
rescaling or dead-unit tangent (nor (vii) if an incoming weight is penalised).
"""
import numpy as onp

from ._validation import check_array, check_int, check_params, check_real

__all__ = ["Invariances", "invariance_tangents", "output_fibres", "unexplained_directions"]

def _pretty(name):
    if name.startswith("leaky_relu"):
        return "leaky ReLU"
    return {"relu": "ReLU"}.get(name, name)


class Invariances:
    """The exact invariance tangents at one point: ``kinds`` (one per row of ``tangents``,
    shape (m, P)) and ``names`` (human-readable, with counts, e.g. 'ReLU rescaling ×3')."""

    def __init__(self, n_params):
        self.n_params = check_int(n_params, "n_params", minimum=0)
        self._rows, self._kinds, self._counts = [], [], {}
        self.strata = []  # (kind, unit label, flat indices along which L is constant)

    def add(self, kind, indices, values, *, count=True):
        v = onp.zeros(self.n_params)
        v[onp.asarray(indices, dtype=int)] = values
        if onp.any(v != 0):
            self._rows.append(v)
            self._kinds.append(kind)
            if count:
                self._counts[kind] = self._counts.get(kind, 0) + 1

    def add_basis(self, kind, indices):
        """Every coordinate in ``indices`` is a locally constant direction; counted once."""
        indices = onp.unique(onp.asarray(indices, dtype=int))
        for i in indices:
            self.add(kind, [i], [1.0], count=False)
        if indices.size:
            self._counts[kind] = self._counts.get(kind, 0) + 1

    @property
    def tangents(self):
        return onp.array(self._rows).reshape(-1, self.n_params)

    @property
    def kinds(self):
        return tuple(self._kinds)

    @property
    def names(self):
        return tuple(f"{k} ×{n}" for k, n in self._counts.items())


def _index_tree(objective):
    return objective.unflatten(onp.arange(objective.n_params))


def invariance_tangents(objective, theta, *, units=None, gradient=None, hessian=None,
                        index=None, fibre=None):
    """The exact invariance tangents the library knows at one point θ (shape (P,)).

    ``units`` (from ``objective.model.hidden_units``) and ``gradient``/``hessian`` at θ may
    be passed to avoid recomputing them; the test for coordinates without effect (ii) runs
    only when both are given; ``fibre`` (P, m): a basis of the output fibre (vi) from
    ``output_fibres``. Returns an :class:`Invariances`.
    """
    from .landscape import _check_objective
    from .models import Unit

    _check_objective(objective)
    P = objective.n_params
    theta = check_array(theta, "theta", shape=(P,))
    if units is not None and (not isinstance(units, (list, tuple))
                              or not all(isinstance(u, Unit) for u in units)):
        raise TypeError("units: expected None or a list of lossbook Unit (from "
                        f"objective.model.hidden_units), got {units!r:.80}")
    if gradient is not None:
        gradient = check_array(gradient, "gradient", shape=(P,))
    if hessian is not None:
        hessian = check_array(hessian, "hessian", shape=(P, P))
    if index is not None:
        check_params(index, _index_tree(objective), "index", model_name=objective.model.name)
    if fibre is not None:
        fibre = check_array(fibre, "fibre", shape=(P, None), nonempty=False)
    return _invariance_tangents(objective, theta, units=units, gradient=gradient, hessian=hessian,
                                index=index, fibre=fibre)


def _invariance_tangents(objective, theta, *, units=None, gradient=None, hessian=None,
                         index=None, fibre=None):
    """:func:`invariance_tangents` without the argument checks (the certifier's inner loop)."""
    theta = onp.asarray(theta, dtype=float)
    P = theta.shape[-1]
    index = _index_tree(objective) if index is None else index
    params = objective.unflatten(theta)
    if units is None:
        units = objective.model.hidden_units(params, objective.X, index)
    inv = Invariances(P)
    used = _any_nonzero(theta, [u.outgoing for u in units])  # per unit: an outgoing weight ≠ 0
    for u, u_used in zip(units, used, strict=True):
        act = u.activation
        if not u_used and not onp.isin(u.incoming, u.penalised).any():  # outgoing all == 0
            inv.add_basis("unit with zero outgoing weights", u.incoming)
            if not _is_dead(u) and not _piecewise_linear(act):
                inv.strata.append(("unit with zero outgoing weights", u.label,
                                   onp.asarray(u.incoming, dtype=int)))
        if not u.free:
            continue
        if _is_dead(u):
            inv.add_basis("dead unit", onp.concatenate([u.incoming, u.outgoing]))
            continue
        if act.homogeneity is not None:
            idx = onp.concatenate([u.incoming, u.outgoing])
            vals = onp.concatenate([theta[u.incoming], -float(act.homogeneity) * theta[u.outgoing]])
            inv.add(f"{_pretty(act.name)} rescaling", idx, vals)
    for kind, idx, vals in objective.model.invariance_tangents(params, index):
        inv.add(kind, idx, vals)
    if gradient is not None and hessian is not None:
        covered = onp.zeros(P, dtype=bool)
        for u in units:
            if _is_dead(u) and u.free:
                covered[u.incoming] = covered[u.outgoing] = True
        const = _locally_constant(objective, theta, gradient, hessian, units, covered)
        for i in const:
            inv.add_basis("coordinate without effect", [i])
        for u in units if const.size else ():  # outgoing weights of a unit whose output is exactly 0: a stratum
            idx = onp.intersect1d(const, u.outgoing)
            if idx.size and u.activation.dead_below is None and not _piecewise_linear(u.activation):
                inv.strata.append(("unit with output exactly 0", u.label, idx))
    if fibre is not None and fibre.shape[1]:
        base = inv.tangents
        r0 = _rank(base)
        extra = _rank(onp.vstack([base, fibre.T])) - r0
        if extra:
            for v in fibre.T:
                inv.add("output fibre", onp.arange(P), v, count=False)
            inv._counts["output fibre"] = extra
    return inv


def _any_nonzero(values, groups):
    """Per group of flat indices: is any of ``values`` there non-zero (False for an empty group)."""
    groups = [onp.asarray(g, dtype=int).ravel() for g in groups]
    if not groups:
        return onp.zeros(0, dtype=bool)
    owner = onp.repeat(onp.arange(len(groups)), [len(g) for g in groups])
    hit = onp.asarray(values)[onp.concatenate(groups)] != 0
    return onp.bincount(owner[hit], minlength=len(groups)) > 0


def _piecewise_linear(act):
    """True for an activation that is linear on each piece (ReLU, leaky ReLU, linear)."""
    return act.homogeneity is not None and float(act.homogeneity) == 1.0


def _rank(T):
    if T.shape[0] == 0:
        return 0
    T = T / onp.linalg.norm(T, axis=1, keepdims=True)
    s = onp.linalg.svd(T, compute_uv=False)
    return int(onp.sum(s > 1e-8 * max(1.0, s[0])))


def _is_dead(unit):
    """True when the unit's activation is constant below a point (``dead_below``) and every
    pre-activation of the unit lies below it: the unit outputs a constant on every sample."""
    act = unit.activation
    return act.dead_below is not None and bool(onp.all(onp.asarray(unit.pre, dtype=float)
                                                       < act.dead_below))


def _polynomial(model, units):
    """Per point (shape (K,)): is the network piecewise polynomial near θ? Every unit
    homogeneous (ReLU, leaky ReLU, linear, quadratic, z^q), or on its linear piece on every
    sample (an ELU with every pre-activation > 0: there it is the identity)."""
    shape = onp.shape(units[0].pre)[:-1] if units else ()
    if not model.has_unit_hooks or model.penalised:
        return onp.zeros(shape, dtype=bool)
    ok = onp.ones(shape, dtype=bool)
    for u in units:
        act = u.activation
        if act.homogeneity is not None:
            continue
        if act.linear_above is None:
            return onp.zeros(shape, dtype=bool)
        ok = ok & onp.all(onp.asarray(u.pre, dtype=float) > act.linear_above, axis=-1)
    return ok


def output_fibres(objective, thetas, units, outputs, *, kink_tol=1e-9, random_state=0):
    """Bases of the output fibres (invariance (vi)) at K points θ (shape (K, P)).

    Returns a list of K arrays (P, m) — the kernel of the Jacobian of θ ↦ f_A(θ) on the active
    samples A — or None where (vi) does not apply (a model that is not piecewise polynomial or
    has a regulariser, or a Jacobian whose rank is not constant near θ).
    """
    from autograd import make_vjp

    K, P = thetas.shape
    poly = onp.broadcast_to(_polynomial(objective.model, units), (K,))
    if not poly.any():
        return [None] * K
    loss, y, X = objective.loss, objective.y, objective.X
    z = -y * outputs
    zscale = onp.maximum(1.0, onp.max(onp.abs(z), axis=1, keepdims=True))
    if loss.z0 is not None:
        active = z >= -loss.z0 - kink_tol * zscale
    else:
        active = onp.ones_like(z, dtype=bool)
    # a step that keeps every unit on its side of its kinks: far below the distance to them
    dist = onp.full(K, onp.inf)
    for u in units:
        pre = onp.asarray(u.pre, dtype=float).reshape(K, -1)
        for kink in u.activation.kinks:
            dist = onp.minimum(dist, onp.min(onp.abs(pre - kink), axis=1))
    if loss.z0 is not None:
        dist = onp.minimum(dist, onp.min(onp.abs(z + loss.z0), axis=1))
    xs = max(1.0, float(onp.max(onp.abs(X))))
    delta = 1e-3 * onp.minimum(1.0, dist) / xs
    rng = onp.random.default_rng(random_state)
    u = rng.standard_normal((K, P))
    u /= onp.linalg.norm(u, axis=1, keepdims=True)
    J0, J1 = _jacobian(objective, thetas, make_vjp), _jacobian(objective, thetas + delta[:, None] * u, make_vjp)
    out = []
    for k in range(K):
        A = active[k]
        if not poly[k]:
            out.append(None)
            continue
        if not A.any():
            out.append(onp.eye(P))
            continue
        _, s0, Vt = onp.linalg.svd(J0[k][A])
        s1 = onp.linalg.svd(J1[k][A], compute_uv=False)
        tol = 1e-9 * max(1.0, s0[0])
        r0, r1 = int(onp.sum(s0 > tol)), int(onp.sum(s1 > tol))
        out.append(Vt[r0:].T if r0 == r1 else None)
    return out


def _jacobian(objective, thetas, make_vjp):
    """Per-sample output Jacobians (K, n, P) by n batched reverse passes."""
    vjp, f = make_vjp(objective.outputs)(thetas)
    K, n = onp.shape(f)
    J = onp.empty((K, n, thetas.shape[1]))
    E = onp.zeros((K, n))
    for i in range(n):
        E[:, i] = 1.0
        J[:, i] = vjp(E)
        E[:, i] = 0.0
    return J


def _locally_constant(objective, theta, gradient, hessian, units, covered, rel_h=1e-6):
    """Coordinates along which L is constant in float64 near θ (see the module docstring);
    ``covered`` coordinates (of dead units) are skipped. ``hessian``: H at θ, or a function
    returning it (called only when a candidate is left for its rows to decide)."""
    cand = (onp.asarray(gradient) == 0) & ~covered
    # an exact zero may be float64 underflow of a unit that is never exactly flat (a saturated
    # softplus or tanh): only units with an exactly flat region count, or a unit whose
    # pre-activations are exactly 0 with σ(0) = 0 exactly (its output is 0, not tiny). Clearing
    # only removes candidates, so the units' order does not matter
    never_flat = [u for u in units if u.activation.dead_below is None] if cand.any() else []
    if never_flat:
        cand[onp.concatenate([onp.asarray(u.incoming, dtype=int) for u in never_flat])] = False
    for u, left in zip(never_flat, _any_nonzero(cand, [u.outgoing for u in never_flat]), strict=True):
        if left and (onp.asarray(u.pre, dtype=float).any()  # not all == 0
                     or float(onp.asarray(u.activation(onp.zeros(1)))[0]) != 0.0):
            cand[u.outgoing] = False  # else its output is 0: only its outgoing weights have no effect
    if cand.any():  # and a row of H that is not all 0 clears its coordinate
        cand[cand] = onp.all(onp.asarray(hessian() if callable(hessian) else hessian)[cand] == 0, axis=1)
    idx = onp.flatnonzero(cand)
    if idx.size == 0:
        return idx
    h = rel_h * onp.maximum(1.0, onp.abs(theta[idx]))
    pts = onp.repeat(theta[None], 2 * idx.size, axis=0)
    pts[onp.arange(idx.size), idx] += h
    pts[idx.size + onp.arange(idx.size), idx] -= h
    f0 = onp.asarray(objective.outputs(theta), dtype=float)
    f = onp.asarray(objective.outputs(pts), dtype=float)
    y = objective.y
    l0 = onp.asarray(objective.loss(-y * f0), dtype=float)
    losses = onp.asarray(objective.loss(-y * f), dtype=float)
    v0 = float(objective.value(theta))
    v = onp.asarray(objective.value(pts), dtype=float)
    same = onp.all(f == f0, axis=1) & onp.all(losses == l0, axis=1) & (v == v0)
    same = same[:idx.size] & same[idx.size:]
    return idx[same]


def unexplained_directions(flat, tangents, *, threshold=0.1):
    """The part of the flat space not explained by the invariance tangents.

    ``flat``: (P, k) orthonormal basis of the near-null Hessian eigenspace N; ``tangents``:
    (m, P). With Q an orthonormal basis of T = span(tangents), the residual R = N − QQᵀN has
    singular values = sines of the principal angles between N and T; a direction counts as
    unexplained when its sine exceeds ``threshold``. Returns (n_unexplained, B) with B (P, j)
    an orthonormal basis of the unexplained part (basis independent: a span of left singular
    vectors of R).
    """
    flat = check_array(flat, "flat", ndim=2, nonempty=False)
    T = check_array(tangents, "tangents", ndim=(1, 2), nonempty=False)
    if T.size and T.shape[-1] != flat.shape[0]:
        raise ValueError(f"tangents: expected rows of length P = {flat.shape[0]} (the rows of "
                         f"flat), got shape {T.shape}")
    if T.size and not onp.all(onp.any(T.reshape(-1, flat.shape[0]) != 0, axis=1)):
        raise ValueError("tangents: expected non-zero tangent vectors, got a zero row")
    threshold = check_real(threshold, "threshold", minimum=0.0, maximum=1.0)
    return _unexplained_directions(flat, tangents, threshold=threshold)


def _unexplained_directions(flat, tangents, *, threshold=0.1):
    """:func:`unexplained_directions` without the argument checks (the certifier's inner loop)."""
    P, k = flat.shape
    if k == 0:
        return 0, onp.zeros((P, 0))
    T = onp.asarray(tangents, dtype=float).reshape(-1, P)
    if T.shape[0] == 0:  # nothing explained: R = N, every sine is 1
        return k, flat
    T = T / onp.linalg.norm(T, axis=1, keepdims=True)
    U, s, _ = onp.linalg.svd(T.T, full_matrices=False)
    Q = U[:, s > 1e-8 * max(1.0, s[0])]
    R = flat - Q @ (Q.T @ flat)
    # singular values and left vectors of R (P, k) from the small Gram matrix RᵀR (k, k)
    w, V = onp.linalg.eigh(R.T @ R)
    keep = w > threshold ** 2
    B = R @ V[:, keep]
    B = B / onp.linalg.norm(B, axis=0, keepdims=True) if keep.any() else B
    return int(keep.sum()), B
