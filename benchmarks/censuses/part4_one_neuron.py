"""Census specs of the chapter part4_one_neuron ("A census before and after").

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options), keyed ``part4_one_neuron-<name>``: ``benchmarks/census_bands.py`` trains it, saves
its end points to ``book/data/<key>.npz`` and measures its band over perturbed reruns.
"""
import lossbook as lb


def _setting():
    loss = lb.get_loss("neurips_hinge", p=3)
    X, y = lb.make_xor_data(32, noise=0.25, random_state=0)
    plain = lb.feedforward(2, hidden=(4,), activation="relu")
    return loss, X, y, plain


_OPTIONS = dict(n_runs=100, reduction="sum", random_state=0, n_probes=50)


def plain():
    """The plain ReLU network (one hidden layer of 4) on XOR data: bad minima, a sample."""
    loss, X, y, net = _setting()
    return dict(model=net, loss=loss, X=X, y=y, options=dict(_OPTIONS))


def augmented():
    """The same network with one exponential neuron, lambda = 1 (ni-thm-1)."""
    loss, X, y, net = _setting()
    return dict(model=lb.add_exponential_neuron(net, lam=1.0), loss=loss, X=X, y=y,
                options=dict(_OPTIONS))


CENSUSES = {"part4_one_neuron-plain": plain, "part4_one_neuron-augmented": augmented}
