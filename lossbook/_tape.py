"""Reverse-mode gradients replayed from a recorded tape: autograd's arithmetic, without re-tracing.

Training calls ``value_and_gradient`` thousands of times on tiny models, and most of that time
is autograd's bookkeeping per primitive (boxing, finding boxed arguments, building nodes and a
topological order), not arithmetic. A :class:`Tape` records one trace of ``fun`` — the
primitives called, their constant arguments, which arguments came from ``x`` — and replays it
at a new ``x`` of the same shape: the same raw numpy functions in the same order forward, the
same vjp makers and the same accumulation (``autograd.core.add_outgrads``) in autograd's own
topological order backward. So a replay computes what autograd computes, bit for bit.

A trace is replayable only when nothing in it depends on the values of ``x`` except through
the recorded primitives. Autograd evaluates its non-differentiable primitives (comparisons,
``sign``, ``isnan``, …) on raw values; here they are recorded as forward-only steps, so a mask
such as ``where(z > 0, …)`` is recomputed at every replay and, as in autograd, carries no
gradient. A trace in which such a primitive gives a scalar (which could steer Python control
flow, ``if z > 0:``), or which fails to record, is refused: ``Tape.record`` returns None and the
caller keeps using autograd. Every tape is also checked on the point it was recorded at: the
replayed value and gradient must equal autograd's bit for bit.
"""
import numpy as onp
from autograd.core import VJPNode, add_outgrads, make_vjp, primitive_vjps
from autograd.tracer import Node, new_box, notrace_primitives, toposort, trace_stack

__all__ = ["Tape"]


class _NotReplayable(Exception):
    """The function's trace depends on the input's values beyond its primitives."""


class _Record(Node):
    """A node of the recording trace: what autograd's VJPNode would see, kept for replay.

    Autograd evaluates its non-differentiable primitives (comparisons, ``sign``, ``isnan``, …)
    on raw values, and their results enter the trace as constants. Here they are recorded
    too, as *forward-only* nodes, so that a mask such as ``where(z > 0, …)`` is recomputed at
    every replay; like any node whose traced inputs are all forward-only, they take no part in
    the reverse pass, exactly as in autograd. A forward-only result of size ≤ 1 could steer
    Python control flow (``if z > 0:``) and makes the trace not replayable."""

    __slots__ = ["index", "fun", "args", "kwargs", "argnums", "parents", "live", "live_parents"]
    _ops = None  # the list being recorded

    def __init__(self, value, fun, args, kwargs, parent_argnums, parents):
        self.fun, self.args, self.kwargs = fun, args, kwargs
        self.argnums, self.parents = parent_argnums, parents
        nondiff = set.__contains__(notrace_primitives[VJPNode], fun)
        if nondiff and not (isinstance(value, onp.ndarray) and value.size > 1):
            raise _NotReplayable(getattr(fun, "__name__", str(fun)))
        self.live_parents = tuple(p for p in parents if p.live)
        self.live = not nondiff and bool(self.live_parents)
        self.index = len(_Record._ops) + 1  # 0 is the input
        _Record._ops.append(self)

    def initialize_root(self):
        self.index, self.fun, self.args, self.kwargs, self.argnums, self.parents = 0, None, (), {}, (), ()
        self.live, self.live_parents = True, ()


class _Traced(set):
    """No primitive is evaluated untraced for the recording node type (see :class:`_Record`)."""

    def __contains__(self, fun):
        return False


notrace_primitives[_Record] = _Traced()


class Tape:
    """One recorded trace of a scalar- or array-valued ``fun`` of an array ``x``.

    ``Tape.record(fun, x)`` → a Tape, or None when the trace cannot be replayed (see the
    module docstring); ``tape(x)`` → ``(value, vjp)`` like ``autograd.make_vjp(fun)(x)``, for
    an ``x`` of the recorded shape and dtype.
    """

    __slots__ = ["shape", "dtype", "ops", "order", "end"]

    def __init__(self, shape, dtype, ops, order):
        self.shape, self.dtype, self.ops, self.order = shape, dtype, ops, order
        self.end = order[0]  # the output's node

    def __repr__(self):
        return f"Tape(shape={self.shape}, {len(self.ops)} primitives)"

    @classmethod
    def record(cls, fun, x):
        x = onp.asarray(x)
        _Record._ops = []
        try:
            with trace_stack.new_trace() as t:
                root = _Record.new_root()
                end = fun(new_box(x, t, root))
                if getattr(end, "_trace", None) != t:
                    return None  # the output does not depend on x
                end_node = end._node
            ops = []
            for node in _Record._ops:
                slots = tuple((argnum, parent.index) for argnum, parent in zip(node.argnums, node.parents,
                                                                                strict=True))
                template = list(node.args)
                for argnum, _ in slots:
                    template[argnum] = None  # no reference to the recorded values
                live = tuple((a, p.index) for a, p in zip(node.argnums, node.parents, strict=True) if p.live)
                if node.live and node.fun not in primitive_vjps:
                    return None  # autograd raises for it; let it
                ops.append((node.fun.fun, primitive_vjps[node.fun] if node.live else None, tuple(template),
                            node.kwargs, slots, tuple(a for a, _ in live), tuple(j for _, j in live)))
            if not end_node.live:
                return None
            order = [n.index for n in toposort(end_node, parents=lambda n: n.live_parents)]
        except Exception:  # _NotReplayable, or a trace autograd would run but this one cannot
            return None
        finally:
            _Record._ops = None
        if order[-1] != 0:
            return None
        tape = cls(x.shape, x.dtype, ops, order)
        # the check that makes it trustworthy: bit for bit autograd's at the recorded point
        vjp, value = make_vjp(fun, x)
        g = onp.ones_like(value)
        rvalue, rvjp = tape(x)
        if not (_same(rvalue, value) and _same(rvjp(g), vjp(g))):
            return None
        return tape

    def __call__(self, x):
        # as autograd does: each primitive's vjp is made right after it runs (its operands
        # are still in cache)
        vals, vjps = [x], [None]
        for f_raw, vjpmaker, template, kwargs, slots, argnums, _ in self.ops:
            args = list(template)
            for argnum, j in slots:
                args[argnum] = vals[j]
            ans = f_raw(*args, **kwargs)
            vals.append(ans)
            vjps.append(None if vjpmaker is None else vjpmaker(argnums, ans, tuple(args), kwargs))
        ops, order, end = self.ops, self.order, self.end

        def vjp(g):
            outgrads = {end: (g, False)}
            out = None
            for i in order:
                out = outgrads.pop(i)
                if i == 0:
                    break
                for j, ingrad in zip(ops[i - 1][6], vjps[i](out[0]), strict=True):
                    outgrads[j] = add_outgrads(outgrads.get(j), ingrad)
            return out[0]

        return vals[self.end], vjp


def _same(a, b):
    a, b = onp.asarray(a), onp.asarray(b)
    return a.shape == b.shape and a.dtype == b.dtype and bool(onp.all((a == b) | (onp.isnan(a) & onp.isnan(b))))
