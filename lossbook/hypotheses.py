"""Check every hypothesis a result keeps, at the point and on the data a chapter uses.

A counterexample drops one hypothesis of a theorem and keeps the others; it only says
something if the kept ones really hold on its data, model and loss. :func:`check_hypotheses`
checks them, one line each, for the results of Parts III and IV (issue 11):

>>> objective, params = lb.counterexample("icml-prop-2")
>>> report = lb.check_hypotheses("icml-prop-2", objective, activation="relu")
>>> print(report.summary()); assert report.holds

Every check is deterministic (exact tests, linear programs, the model evaluated at a point
drawn with a fixed seed, a parameter point supplied by the caller) and its text is rounded,
so nbval compares the printed report exactly. Realizability is never decided by training:
the caller gives an explicit point (``realizer``) and the check verifies that it classifies
every sample correctly, y_i f(x_i) > 0.
"""
from dataclasses import dataclass
from itertools import combinations_with_replacement

import numpy as onp

from ._validation import check_int, check_params, check_Xy
from .activations import check_neuron, get_activation
from .data import check_assumptions, is_linearly_separable
from .losses import check_loss_assumption, get_loss
from .models import Model

__all__ = ["Hypothesis", "HypothesisReport", "HYPOTHESIS_RESULTS", "check_hypotheses",
           "is_polynomially_separable"]


@dataclass(frozen=True)
class Hypothesis:
    """One checked hypothesis: ``name``, ``holds`` (bool), ``evidence`` (deterministic text),
    ``kept`` (False for the hypothesis the result drops, shown for contrast)."""

    name: str
    holds: bool
    evidence: str
    kept: bool = True

    def line(self):
        tag = "yes" if self.holds else "NO "
        return f"[{tag}] {self.name}: {self.evidence}" if self.kept else \
            f"[{'yes' if self.holds else 'no '}] (dropped) {self.name}: {self.evidence}"


@dataclass(frozen=True)
class HypothesisReport:
    """The answer of :func:`check_hypotheses`.

    ``kept``: the hypotheses the result keeps, each checked; ``dropped``: the one(s) it drops,
    checked too, for contrast (a counterexample is expected to violate them). ``holds`` is
    True exactly when every kept hypothesis holds; ``summary()`` is the printable text.
    """

    result_id: str
    theorem: str
    kept: tuple
    dropped: tuple = ()

    @property
    def holds(self):
        return all(h.holds for h in self.kept)

    @property
    def failed(self):
        """Names of the kept hypotheses that do not hold."""
        return tuple(h.name for h in self.kept if not h.holds)

    def __getitem__(self, name):
        for h in self.kept + self.dropped:
            if h.name == name:
                return h
        raise KeyError(f"name: no hypothesis {name!r} in the report of {self.result_id}; "
                       f"expected one of {[h.name for h in self.kept + self.dropped]}")

    def summary(self):
        head = f"hypotheses kept by {self.result_id} ({self.theorem}):"
        lines = [head] + ["  " + h.line() for h in self.kept] + ["  " + h.line() for h in self.dropped]
        lines.append(f"  all kept hypotheses hold: {self.holds}")
        return "\n".join(lines)

    def __repr__(self):
        return (f"HypothesisReport({self.result_id!r}, holds={self.holds}, "
                f"kept={len(self.kept)}, failed={list(self.failed)})")


# -- the building blocks -------------------------------------------------------------------------
def _fmt(x):
    return f"{float(x):.4g}"


def is_polynomially_separable(X, y, degree):
    """Whether a polynomial P of total degree ≤ ``degree`` (constant term included) has
    y_i P(x_i) > 0 for every sample, decided by the linear program of
    :func:`~lossbook.data.is_linearly_separable` on the monomial features (ni-prop-1,
    ni-prop-3). ``degree = 1`` is separability by an affine function (with a bias)."""
    X, y = check_Xy(X, y)
    degree = check_int(degree, "degree", minimum=1)
    feats = [onp.ones(len(X))]
    for k in range(1, degree + 1):
        for idx in combinations_with_replacement(range(X.shape[1]), k):
            feats.append(onp.prod(X[:, list(idx)], axis=1))
    return is_linearly_separable(onp.stack(feats, axis=1), y, bias=False)


def _structure(params):
    """The kind of model a parameter dict belongs to, from its keys."""
    keys = set(params)
    if {"a0", "a", "W"} == keys:
        return "single_layer"
    if {"S", "D"} == keys and {"a0", "a", "W"} == set(params["S"]):
        return "shortcut"
    if {"net", "a", "w", "b"} == keys:
        return "extra_neuron"
    if {"a", "b", "V", "c"} <= keys and "W1" in keys:
        return "identity_shortcut"
    if {"v", "c"} <= keys and all(k[0] in "Wb" and k[1:].isdigit() for k in keys - {"v", "c"}):
        return "feedforward"
    return "unknown"


def _n_hidden(params):
    return sum(1 for k in params if k[0] == "W" and k[1:].isdigit())


def _recompute(params, X, sigma):
    """The model's output recomputed from its formula with the declared neuron σ, or None."""
    kind = _structure(params)
    if kind == "single_layer":
        return sigma(X @ params["W"]) @ params["a"] + params["a0"]
    if kind in ("feedforward", "identity_shortcut"):
        h = X
        for i in range(1, _n_hidden(params) + 1):
            h = sigma(h @ params[f"W{i}"] + params[f"b{i}"])
        if kind == "feedforward":
            return h @ params["v"] + params["c"]
        return (X + h @ params["V"] + params["c"]) @ params["a"] + params["b"]
    return None


def _neuron_of_model(model, activation, X):
    """Evidence that ``model`` computes with the neuron ``activation``: its output at a point
    drawn with seed 0 equals the formula recomputed with σ (in f_S for a shortcut model)."""
    sigma = get_activation(activation)
    params = model.init(0)
    kind = _structure(params)
    with onp.errstate(over="ignore", invalid="ignore"):
        if kind == "shortcut":
            zero_S = {k: onp.zeros_like(v) for k, v in params["S"].items()}
            got = onp.asarray(model.apply(params, X), dtype=float) - onp.asarray(
                model.apply({"S": zero_S, "D": params["D"]}, X), dtype=float)
            want = _recompute(params["S"], X, sigma)
        else:
            got = onp.asarray(model.apply(params, X), dtype=float)
            want = _recompute(params, X, sigma)
    if want is None:
        return None
    want = onp.asarray(want, dtype=float)
    return bool(onp.allclose(got, want, rtol=1e-9, atol=1e-12))


def _width(model):
    params = model.init(0)
    kind = _structure(params)
    S = params["S"] if kind == "shortcut" else params if kind == "single_layer" else None
    return None if S is None else int(onp.shape(S["W"])[-1])


class _Inputs:
    """The arguments of one check_hypotheses call, with errors naming what is missing."""

    def __init__(self, result_id, **kw):
        self.result_id = result_id
        self.__dict__.update(kw)

    def need(self, *names, why):
        missing = [n for n in names if getattr(self, n) is None]
        if missing:
            raise ValueError(f"{', '.join(missing)}: check_hypotheses({self.result_id!r}) needs "
                             f"{' and '.join(missing)} to check '{why}', got None")


def _loss_icml(inp, p_min, name="ICML Assumption 1 (loss)"):
    inp.need("loss", why=name)
    chk = check_loss_assumption(inp.loss, paper="icml", p=p_min)
    parts = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in chk.conditions.items())
    return Hypothesis(f"{name}, p >= {p_min}", chk.holds, f"{chk.loss}: {parts}")


def _loss_neurips(inp):
    name = "NeurIPS Assumption 1 (loss)"
    inp.need("loss", why=name)
    chk = check_loss_assumption(inp.loss, paper="neurips")
    parts = ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in chk.conditions.items())
    return Hypothesis(name, chk.holds, f"{chk.loss}: {parts}")


def _convex_loss(inp):
    name = "convex loss"
    inp.need("loss", why=name)
    z = onp.linspace(-10, 10, 4001)
    v = onp.asarray(inp.loss(z), dtype=float)
    second = v[2:] - 2 * v[1:-1] + v[:-2]
    ok = bool(inp.loss.convex) and bool(onp.all(second >= -1e-9 * max(1.0, onp.abs(v).max())))
    return Hypothesis(name, ok, f"{inp.loss.name}: declared convex {'yes' if inp.loss.convex else 'no'}, "
                      f"second differences >= 0 on [-10, 10]: {'yes' if ok or not inp.loss.convex else 'no'}")


def _data_thm1(inp):
    inp.need("X", "y", why="ICML Theorem 1's data assumptions")
    rep = check_assumptions(inp.X, inp.y)
    pos, neg = inp.X[inp.y > 0], inp.X[inp.y < 0]
    rk_p, rk_n = int(onp.linalg.matrix_rank(pos)), int(onp.linalg.matrix_rank(neg))
    return [
        Hypothesis("ICML Assumption 2 (full rank)", rep.full_rank,
                   f"rank of positives {rk_p} (r+ = {rep.r_pos}), of negatives {rk_n} (r- = {rep.r_neg})"),
        Hypothesis("ICML Assumption 3 (r > max(r+, r-))", rep.asm3,
                   f"r = {rep.r}, r+ = {rep.r_pos}, r- = {rep.r_neg}, delta_r = {rep.delta_r}"),
    ], rep


def _width_thm1(inp, rep):
    name = "width M >= 2 max(n/delta_r, r+, r-)"
    inp.need("model", why=name)
    M = _width(inp.model)
    bound = rep.thm1_neurons
    ok = M is not None and onp.isfinite(bound) and M >= bound
    b = "inf" if not onp.isfinite(bound) else f"{bound:g}"
    return Hypothesis(name, bool(ok), f"M = {M}, bound {b}")


def _separable(inp, bias):
    name = ("linearly separable with a bias" if bias
            else "ICML Assumption 6 (linearly separable through the origin)")
    inp.need("X", "y", why=name)
    ok = is_linearly_separable(inp.X, inp.y, bias=bias)
    how = "y_i (w.x_i + b) >= 1 feasible" if bias else "y_i w.x_i >= 1 feasible"
    return Hypothesis(name, ok, f"linear program {how}: {'yes' if ok else 'no'}")


def _poly_separable(inp, degree, label):
    name = f"separable by a polynomial of degree {degree} ({label})"
    inp.need("X", "y", why=name)
    ok = is_polynomially_separable(inp.X, inp.y, degree)
    return Hypothesis(name, ok, f"linear program on the monomials of degree <= {degree}: "
                      f"{'yes' if ok else 'no'}")


def _architecture(inp, kind):
    names = {"shortcut": "ICML Assumption 4 (shortcut-like f = f_S + f_D)",
             "feedforward": "feed-forward network, >= 1 hidden layer, no shortcut",
             "identity_shortcut": "identity shortcut f = a.(x + H(x)) + b",
             "extra_neuron": "an extra neuron with a skip connection, f~ = f + a.u(w.x + b)"}
    name = names[kind]
    inp.need("model", why=name)
    params = inp.model.init(0)
    got = _structure(params)
    if kind == "shortcut":
        ok = got in ("shortcut", "single_layer")
    elif kind == "feedforward":
        ok = got == "feedforward" and _n_hidden(params) >= 1
    else:
        ok = got == kind
    extra = f", {_n_hidden(params)} hidden layer(s)" if got in ("feedforward", "identity_shortcut") else ""
    return Hypothesis(name, ok, f"{inp.model.name}: parameters of the {got} form{extra}")


def _neuron(inp, cls, label):
    name = f"neuron in the {label}"
    inp.need("activation", why=name)
    act = get_activation(inp.activation)
    chk = check_neuron(act)
    ok = cls in chk.classes
    ev = f"{act.name}: measured classes {'/'.join(chk.classes) or 'none'}"
    if inp.model is not None:
        used = _neuron_of_model(inp.model, act, inp.X if inp.X is not None else
                                onp.random.default_rng(0).standard_normal((5, inp.model.n_features)))
        if used is not None:
            ok = ok and used
            ev += f"; the model computes with it: {'yes' if used else 'no'}"
    return Hypothesis(name, ok, ev)


def _continuous(inp):
    name = "neuron continuous"
    inp.need("activation", why=name)
    act = get_activation(inp.activation)
    z = onp.linspace(-3, 3, 60001)
    jump = float(onp.max(onp.abs(onp.diff(onp.asarray(act(z), dtype=float) + 0 * z))))
    ok = jump < 1e-3
    return Hypothesis(name, ok, f"{act.name}: largest step on a grid of spacing 1e-4 is "
                      f"{'< 1e-3' if ok else _fmt(jump)}")


def _assumption5(inp, kept=True):
    name = "ICML Assumption 5 (real analytic, sigma'' > 0)"
    inp.need("activation", why=name)
    chk = check_neuron(inp.activation)
    return Hypothesis(name, chk.satisfies_assumption_5,
                      f"{chk.name}: real analytic {'yes' if chk.real_analytic else 'no'}, "
                      f"sigma'' > 0 {'yes' if chk.strictly_convex else 'no'}", kept=kept)


def _increasing(inp, kept=True):
    name = "neuron increasing, sigma' > 0 (ICML Theorem 2)"
    inp.need("activation", why=name)
    chk = check_neuron(inp.activation)
    return Hypothesis(name, chk.increasing, f"{chk.name}: sigma' > 0 on the grid "
                      f"{'yes' if chk.increasing else 'no'}", kept=kept)


def _width_at_least(inp, m_min, strict_dim=False):
    name = "width M > d" if strict_dim else f"width M >= {m_min}"
    inp.need("model", why=name)
    M = _width(inp.model)
    d = inp.model.n_features
    ok = M is not None and (M > d if strict_dim else M >= m_min)
    return Hypothesis(name, bool(ok), f"M = {M}, d = {d}" if strict_dim else f"M = {M}")


def _even_symmetric(inp):
    from .constructions import is_symmetric_dataset
    name = "2n samples, symmetric (the positive-probability event)"
    inp.need("X", "y", why=name)
    n = len(inp.y)
    sym = is_symmetric_dataset(inp.X, inp.y)
    return Hypothesis(name, n % 2 == 0 and sym, f"{n} samples, symmetric: {'yes' if sym else 'no'}")


def _realizable(inp, label):
    name = f"{label} (realizability)"
    inp.need("realizer", why=name)
    model = inp.realizer_model if inp.realizer_model is not None else inp.model
    if model is None:
        raise ValueError(f"realizer_model: check_hypotheses({inp.result_id!r}) needs the model the "
                         "realizer belongs to (realizer_model or model), got None")
    inp.need("X", "y", why=name)
    with onp.errstate(over="ignore", invalid="ignore"):
        f = onp.asarray(model.apply(inp.realizer, inp.X), dtype=float)
    margins = inp.y * f
    ok = bool(onp.all(onp.isfinite(margins)) and onp.all(margins > 0))
    err = float(onp.mean(margins <= 0))
    return Hypothesis(name, ok, f"the given point of {model.name}: min_i y_i f(x_i) = "
                      f"{_fmt(margins.min())}, training error {_fmt(err)}")


def _both_labels(inp):
    name = "both labels present"
    inp.need("y", why=name)
    n_pos, n_neg = int(onp.sum(inp.y > 0)), int(onp.sum(inp.y < 0))
    return Hypothesis(name, n_pos > 0 and n_neg > 0, f"n+ = {n_pos}, n- = {n_neg}")


def _regulariser(inp, kept=True):
    name = "regulariser lambda a^2/2 with lambda > 0"
    inp.need("model", why=name)
    params = inp.model.init(0)
    if _structure(params) != "extra_neuron":
        return Hypothesis(name, False, f"{inp.model.name} has no extra neuron", kept=kept)
    p1, p0 = dict(params, a=onp.array(1.0)), dict(params, a=onp.array(0.0))
    lam = 2.0 * float(inp.model.penalty(p1) - inp.model.penalty(p0))
    return Hypothesis(name, lam > 0, f"lambda = {_fmt(lam)}", kept=kept)


def _exp_neuron(inp):
    name = "the extra neuron is exponential"
    inp.need("model", "X", why=name)
    params = inp.model.init(0)
    if _structure(params) != "extra_neuron":
        return Hypothesis(name, False, f"{inp.model.name} has no extra neuron")
    a1 = dict(params, a=onp.array(1.0))
    a0 = dict(params, a=onp.array(0.0))
    with onp.errstate(over="ignore", invalid="ignore"):
        unit = onp.asarray(inp.model.apply(a1, inp.X), dtype=float) - onp.asarray(
            inp.model.apply(a0, inp.X), dtype=float)
    want = onp.exp(inp.X @ params["w"] + params["b"])
    ok = bool(onp.allclose(unit, want, rtol=1e-9))
    return Hypothesis(name, ok, f"u(z) = e^z at a point drawn with seed 0: {'yes' if ok else 'no'}")


def _monomial_degree(inp, t):
    name = f"monomial neuron of degree p >= t = {t}"
    inp.need("model", "X", why=name)
    params = inp.model.init(0)
    if _structure(params) != "extra_neuron":
        return Hypothesis(name, False, f"{inp.model.name} has no extra neuron")
    a1, a0 = dict(params, a=onp.array(1.0)), dict(params, a=onp.array(0.0))
    unit = onp.asarray(inp.model.apply(a1, inp.X), dtype=float) - onp.asarray(
        inp.model.apply(a0, inp.X), dtype=float)
    z = inp.X @ params["w"] + params["b"]
    for p in range(1, 64):
        if onp.allclose(unit, z ** p, rtol=1e-9, atol=1e-12):
            return Hypothesis(name, p >= t, f"u(z) = z^{p}")
    return Hypothesis(name, False, "the extra neuron is not a monomial of degree < 64")


# -- which result keeps which hypotheses ----------------------------------------------------------
_THEOREMS = {1: "ICML Theorem 1", 2: "ICML Theorem 2"}
_PROPS = {  # result -> (theorems it can break, neuron class kept, label)
    "icml-prop-2": ((1, 2), "relu", "ReLU class, sigma(z) = 0 for z <= 0"),
    "icml-prop-3": ((1,), "leaky_relu", "leaky-ReLU class, sigma(z) = z for z >= 0"),
    "icml-prop-4": ((1,), "sigmoid", "sigmoid class, sigma(z) + sigma(-z) constant"),
    "icml-prop-5": ((2,), "quadratic", "quadratic family, strongly convex with minimum at 0"),
    "icml-prop-6": ((1, 2), "relu", "ReLU class, sigma(z) = 0 for z <= 0"),
    "icml-prop-7": ((1,), "relu", "ReLU class, sigma(z) = 0 for z <= 0"),
}
#: Result IDs :func:`check_hypotheses` knows, with the theorem each is read against.
HYPOTHESIS_RESULTS = tuple(_PROPS) + ("icml-ex-b8", "icml-prop-11", "icml-prop-12", "ni-thm-1",
                                      "ni-reg", "ni-prop-1", "ni-prop-2", "ni-prop-3")


def _theorem_data(inp, theorem):
    if theorem == 1:
        hyps, rep = _data_thm1(inp)
        return hyps + [_width_thm1(inp, rep)]
    return [_separable(inp, bias=False), _width_at_least(inp, 1)]


def _icml_prop(inp, theorem):
    thms, cls, label = _PROPS[inp.result_id]
    rid = inp.result_id
    kept = [_loss_icml(inp, 6 if theorem == 1 else 3)]
    if rid in ("icml-prop-2", "icml-prop-3", "icml-prop-4", "icml-prop-5"):
        kept.append(_architecture(inp, "shortcut"))
        kept.append(_neuron(inp, cls, label))
        kept += _theorem_data(inp, theorem)
        if rid == "icml-prop-4":
            kept.append(_even_symmetric(inp))
        dropped = [_assumption5(inp, kept=False) if theorem == 1 else _increasing(inp, kept=False)]
        if rid == "icml-prop-5":  # Thm 2's σ' > 0 is what the quadratic family breaks
            dropped = [_increasing(inp, kept=False)]
    elif rid == "icml-prop-6":
        kept.append(_architecture(inp, "feedforward"))
        kept.append(_neuron(inp, cls, label))
        kept.append(_continuous(inp))
        if theorem == 1:
            kept += _data_thm1(inp)[0]
        else:
            kept.append(_separable(inp, bias=False))
        dropped = [_architecture(inp, "shortcut")]
        dropped = [Hypothesis(h.name, h.holds, h.evidence, kept=False) for h in dropped]
    else:  # icml-prop-7
        kept.append(_architecture(inp, "identity_shortcut"))
        kept.append(_neuron(inp, cls, label + " (in H)"))
        kept += _data_thm1(inp)[0]
        dropped = [Hypothesis(h.name, h.holds, h.evidence, kept=False)
                   for h in [_architecture(inp, "shortcut")]]
    return kept, dropped


def check_hypotheses(result_id, objective=None, *, theorem=None, model=None,
                     loss=None, X=None, y=None, activation=None, realizer=None,
                     realizer_model=None, degree=None):
    """Check each hypothesis that the result ``result_id`` keeps, and the one(s) it drops.

    ``objective`` (an :class:`~lossbook.landscape.Objective`) supplies ``model``, ``loss``,
    ``X``, ``y``; each may also be given directly (explicit arguments win). The hypotheses
    are about the data, the loss and the architecture, not about the constructed point (its
    certificate is :func:`~lossbook.landscape.certify`'s job). A check that needs an argument
    that is missing raises ValueError naming it.

    Per result (``theorem`` picks the theorem a counterexample is read against, default the
    first one listed):

    - icml-prop-2 (Thm 1 or 2), -3, -4 (Thm 1), -5 (Thm 2): ICML Assumption 1 with the
      theorem's p (6 or 3), the shortcut-like architecture (Assumption 4), the neuron class
      (``activation``; the model must compute with it), and the theorem's data hypotheses —
      Thm 1: Assumptions 2 (full rank), 3 and the width M ≥ 2·max(n/Δr, r₊, r₋); Thm 2:
      separability through the origin (Assumption 6) and M ≥ 1. icml-prop-4 adds the
      symmetric 2n-sample event. Dropped, shown for contrast: Assumption 5 (Thm 1) or σ' > 0
      (Thm 2).
    - icml-prop-6 (Thm 1 or 2): the loss, a feed-forward network with ≥ 1 hidden layer, a
      continuous ReLU-class neuron, the theorem's data hypotheses (Thm 1: Assumptions 2, 3;
      Thm 2: Assumption 6). Dropped: the shortcut-like architecture.
    - icml-prop-7 (Thm 1): the loss, an identity-shortcut network with ReLU units in H,
      Assumptions 2, 3. Dropped: the shortcut-like architecture.
    - icml-ex-b8 (Thm 1 or 2): quadratic neurons, M ≥ 2, Assumptions 2, 3 (Thm 1, WS
      Example 1) or σ' > 0 and separability through the origin (Thm 2); dropped: Assumption
      1 (the loss is quadratic).
    - icml-prop-11: the loss (p ≥ 6), Assumptions 4 and 5. icml-prop-12: the loss (p ≥ 6),
      Assumption 4, quadratic neurons, M > d.
    - ni-thm-1: NeurIPS Assumptions 1 and 2 (realizability: ``realizer``, a point of
      ``realizer_model`` — the original network f — with y_i f(x_i) > 0 for all i), an
      exponential neuron with a skip connection and λ > 0. ni-reg: the same with λ > 0
      dropped. ni-prop-1: Assumptions 1, 2, separability by a polynomial of degree
      ``degree`` = t and a monomial neuron of degree p ≥ t. ni-prop-2: Assumption 1 and a
      convex loss (realizability not needed). ni-prop-3: Assumptions 1, 2 and separability
      by a polynomial of degree ``degree``.

    Returns a :class:`HypothesisReport`: ``.holds``, ``.kept``, ``.dropped``, ``.failed``,
    ``report[name]``, ``.summary()``.
    """
    if not isinstance(result_id, str) or result_id not in HYPOTHESIS_RESULTS:
        raise ValueError(f"result_id: expected one of {', '.join(HYPOTHESIS_RESULTS)}, got {result_id!r}")
    if objective is not None:
        from .landscape import Objective
        if not isinstance(objective, Objective):
            raise TypeError(f"objective: expected a lossbook Objective, got {type(objective).__name__}")
        model = objective.model if model is None else model
        loss = objective.loss if loss is None else loss
        X = objective.X if X is None else X
        y = objective.y if y is None else y
    if model is not None and not isinstance(model, Model):
        raise TypeError(f"model: expected a lossbook Model, got {type(model).__name__}")
    if realizer_model is not None and not isinstance(realizer_model, Model):
        raise TypeError(f"realizer_model: expected a lossbook Model, got {type(realizer_model).__name__}")
    if realizer is not None and not isinstance(realizer, dict):
        raise TypeError(f"realizer: expected a parameter dict, got {type(realizer).__name__}")
    if realizer is not None and realizer_model is not None:
        check_params(realizer, realizer_model.init(0), "realizer", model_name=realizer_model.name)
    if (X is None) != (y is None):
        raise ValueError("X, y: expected both or neither")
    if X is not None:
        X, y = check_Xy(X, y)
    loss = get_loss(loss) if loss is not None else None
    if activation is not None:
        activation = get_activation(activation)
    if degree is not None:
        degree = check_int(degree, "degree", minimum=1)
    if theorem is not None:
        theorem = check_int(theorem, "theorem", minimum=1, maximum=2)
    inp = _Inputs(result_id, model=model, loss=loss, X=X, y=y, activation=activation,
                  realizer=realizer, realizer_model=realizer_model, degree=degree)

    if result_id in _PROPS:
        allowed = _PROPS[result_id][0]
        theorem = allowed[0] if theorem is None else theorem
        if theorem not in allowed:
            raise ValueError(f"theorem: {result_id} is read against ICML Theorem "
                             f"{' or '.join(map(str, allowed))}, got {theorem!r}")
        kept, dropped = _icml_prop(inp, theorem)
        return HypothesisReport(result_id, _THEOREMS[theorem], tuple(kept), tuple(dropped))

    if result_id == "icml-ex-b8":
        theorem = 1 if theorem is None else theorem
        if theorem not in (1, 2):
            raise ValueError(f"theorem: expected 1 or 2, got {theorem!r}")
        kept = [_architecture(inp, "shortcut")]
        if theorem == 1:
            kept.append(_neuron(inp, "quadratic", "quadratic family (sigma(z) = z^2)"))
            kept += _data_thm1(inp)[0]
            kept.append(_width_at_least(inp, 2))
        else:
            kept.append(_increasing(inp))
            kept += [_separable(inp, bias=False), _width_at_least(inp, 1)]
        dropped = [Hypothesis(h.name, h.holds, h.evidence, kept=False)
                   for h in [_loss_icml(inp, 6 if theorem == 1 else 3)]]
        label = "ICML Theorem 1 / WS Theorem 1" if theorem == 1 else "ICML Theorem 2"
        return HypothesisReport(result_id, label, tuple(kept), tuple(dropped))

    if result_id == "icml-prop-11":
        kept = [_loss_icml(inp, 6), _architecture(inp, "shortcut"), _assumption5(inp)]
        return HypothesisReport(result_id, "ICML Proposition 11", tuple(kept))
    if result_id == "icml-prop-12":
        kept = [_loss_icml(inp, 6), _architecture(inp, "shortcut"),
                _neuron(inp, "quadratic", "quadratic family (sigma(z) = z^2)"),
                _width_at_least(inp, None, strict_dim=True)]
        return HypothesisReport(result_id, "ICML Proposition 12", tuple(kept))

    # NeurIPS results
    if result_id in ("ni-thm-1", "ni-reg"):
        kept = [_loss_neurips(inp), _realizable(inp, "NeurIPS Assumption 2"),
                _architecture(inp, "extra_neuron"), _exp_neuron(inp)]
        reg = _regulariser(inp, kept=result_id == "ni-thm-1")
        if result_id == "ni-thm-1":
            return HypothesisReport(result_id, "NeurIPS Theorem 1", tuple(kept + [reg]))
        return HypothesisReport(result_id, "NeurIPS Theorem 1 without its regulariser",
                                tuple(kept), (reg,))
    if result_id == "ni-prop-2":
        kept = [_loss_neurips(inp), _convex_loss(inp), _architecture(inp, "extra_neuron"),
                _exp_neuron(inp), _regulariser(inp)]
        return HypothesisReport(result_id, "NeurIPS Proposition 2", tuple(kept))
    inp.need("degree", why="the degree of the separating polynomial")
    kept = [_loss_neurips(inp), _realizable(inp, "NeurIPS Assumption 2"),
            _poly_separable(inp, degree, "NeurIPS " + ("Proposition 1" if result_id == "ni-prop-1"
                                                       else "Proposition 3"))]
    if result_id == "ni-prop-1":
        kept += [_architecture(inp, "extra_neuron"), _monomial_degree(inp, degree),
                 _regulariser(inp)]
        return HypothesisReport(result_id, "NeurIPS Proposition 1", tuple(kept))
    kept += [_architecture(inp, "extra_neuron"), _exp_neuron(inp), _regulariser(inp)]
    return HypothesisReport(result_id, "NeurIPS Proposition 3", tuple(kept))
