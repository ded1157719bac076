"""Census specs of the chapter part4_variations (the monomial-neuron census of ni-prop-1 and
the noisy-label census of ni-prop-2).

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options), keyed ``part4_variations-<name>``: ``benchmarks/census_bands.py`` trains it, saves
its end points to ``book/data/<key>.npz`` and measures its band over perturbed reruns.
"""
import numpy as np

import lossbook as lb

_OPTIONS = dict(n_runs=100, reduction="sum", random_state=0, n_probes=50, maxiter=1000)


def _loss():
    return lb.get_loss("neurips_hinge", p=3)


def _interval_data():
    x13 = np.linspace(-1.5, 1.5, 13)
    return x13[:, None], np.where(np.abs(x13) > 0.75, 1.0, -1.0)


def _relu_net():
    return lb.feedforward(1, hidden=(2,), activation="relu")


def plain():
    """Two ReLU units on 13 points needing degree t = 2: bad minima, a sample."""
    X, y = _interval_data()
    return dict(model=_relu_net(), loss=_loss(), X=X, y=y, options=dict(_OPTIONS))


def _monomial(q):
    X, y = _interval_data()
    return dict(model=lb.add_monomial_neuron(_relu_net(), degree=q, lam=1.0), loss=_loss(),
                X=X, y=y, options=dict(_OPTIONS))


def q1():
    """The same network plus a monomial neuron of degree q = 1 < t (ni-prop-1 does not apply)."""
    return _monomial(1)


def q2():
    """The same network plus a monomial neuron of degree q = 2 = t (ni-prop-1)."""
    return _monomial(2)


def noisy_data():
    """Five inputs with both labels at four of them (the noisy-label data of ni-prop-2)."""
    xs = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    n_pos = np.array([3, 1, 2, 0, 1])
    n_neg = np.array([1, 2, 1, 2, 3])
    X = np.concatenate([np.repeat(xs, n_pos), np.repeat(xs, n_neg)])[:, None]
    y = np.concatenate([np.ones(n_pos.sum()), -np.ones(n_neg.sum())])
    return X, y


def noisy():
    """A tanh network (3 units) plus the exponential neuron, lambda = 1, on contradicting labels."""
    X, y = noisy_data()
    model = lb.add_exponential_neuron(lb.feedforward(1, hidden=(3,), activation="tanh"), lam=1.0)
    return dict(model=model, loss=_loss(), X=X, y=y, options=dict(_OPTIONS))


CENSUSES = {"part4_variations-plain": plain, "part4_variations-q1": q1, "part4_variations-q2": q2,
            "part4_variations-noisy": noisy}
