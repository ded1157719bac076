"""Census specs of the chapter part4_per_layer ("A census before and after").

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options), keyed ``part4_per_layer-<name>``: ``benchmarks/census_bands.py`` trains it, saves
its end points to ``book/data/<key>.npz`` and measures its band over perturbed reruns.
"""
import lossbook as lb

_HIDDEN = (2, 2)


def _data():
    return lb.get_loss("neurips_hinge", p=3), *lb.make_xor_data(32, noise=0.25, random_state=0)


def plain():
    """The plain tanh network, hidden (2, 2), on XOR data: bad minima, a sample."""
    loss, X, y = _data()
    return dict(model=lb.feedforward(2, hidden=_HIDDEN, activation="tanh"), loss=loss, X=X, y=y,
                options=dict(n_runs=100, reduction="sum", random_state=0, n_probes=50))


def augmented():
    """One exponential neuron per hidden layer, lambda = 1, power 2L = 4 (ni-thm-2)."""
    loss, X, y = _data()
    return dict(model=lb.exponential_per_layer(2, hidden=_HIDDEN, activation="tanh", lam=1.0),
                loss=loss, X=X, y=y,
                options=dict(n_runs=100, reduction="sum", random_state=0, n_probes=50,
                             maxiter=1500))


CENSUSES = {"part4_per_layer-plain": plain, "part4_per_layer-augmented": augmented}
