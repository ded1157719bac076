"""Census specs of the chapter part1_certifying (the XOR-like data, "The census" section).

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options), keyed ``part1_certifying-<name>``: ``benchmarks/census_bands.py`` trains it, saves
its end points to ``book/data/<key>.npz`` and measures its band over perturbed reruns. ``LIVE``
holds the census the chapter runs live only (its claim holds for every run; nothing stored).
"""
import numpy as np

import lossbook as lb


def _xor_data():
    rng = np.random.default_rng(0)
    centers = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    cluster = np.repeat(np.arange(4), 5)
    X = centers[cluster] + 0.25 * rng.standard_normal((20, 2))
    y = np.array([1.0, 1.0, -1.0, -1.0])[cluster]
    return X, y


def _xor_census(activation):
    X, y = _xor_data()
    return dict(model=lb.feedforward(2, (3,), activation), loss=lb.get_loss("polynomial_hinge", p=2),
                X=X, y=y, options=dict(n_runs=100, random_state=0, n_probes=50, maxiter=500))


def relu_xor():
    """ReLU hidden layer of width 3 on the XOR clusters: bad local minima, a sample of them."""
    return _xor_census("relu")


def softplus_xor():
    """The same network with softplus neurons."""
    return _xor_census("softplus")


#: Stored: book/data/<key>.npz (the chapter prints its re-certified counts and band).
CENSUSES = {"part1_certifying-relu-xor": relu_xor}
#: Run live only: every run reaches zero training error, a claim for every run (no stored file).
LIVE = {"part1_certifying-softplus-xor": softplus_xor}
