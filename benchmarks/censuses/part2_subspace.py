"""Census specs of the chapter part2_subspace: the censuses below the bound of icml-thm-1.

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options), keyed ``part2_subspace-<name>``: ``benchmarks/census_bands.py`` trains it, saves
its end points to ``book/data/<key>.npz`` and measures its band over perturbed reruns. ``LIVE``
holds the censuses the chapter runs live only (their claim holds for every run; nothing stored).
"""
import lossbook as lb


def _data():
    return lb.make_subspace_data(40, n_features=8, pos_basis=(0, 1, 2, 3), neg_basis=(2, 3, 4, 5),
                                 random_state=0)


def _below(M, p):
    X, y = _data()
    return dict(model=lb.single_layer(8, M, "softplus"), loss=lb.get_loss("polynomial_hinge", p=p),
                X=X, y=y, options=dict(n_runs=100, random_state=0, n_probes=50))


def M4():
    """M = 4 softplus neurons, p = 6: a tenth of the bound."""
    return _below(4, 6)


def M2():
    """M = 2 softplus neurons, p = 6: runs stall on saturated plateaus."""
    return _below(2, 6)


def p2():
    """M = 40 (the bound) with a C^2 loss, p = 2."""
    return _below(40, 2)


def plane_M2():
    """The planar data (d = 2, n = 20) with two softplus neurons, p = 6."""
    X, y = lb.make_subspace_data(20, n_features=2, pos_basis=(0,), neg_basis=(1,), random_state=0)
    return dict(model=lb.single_layer(2, 2, "softplus"), loss=lb.get_loss("polynomial_hinge", p=6),
                X=X, y=y, options=dict(n_runs=100, random_state=0, n_probes=50))


#: Stored: book/data/<key>.npz (the chapter prints its re-certified counts and band).
CENSUSES = {"part2_subspace-M2": M2, "part2_subspace-plane-M2": plane_M2}
#: Run live only: every run reaches zero training error, a claim for every run (no stored file).
LIVE = {"part2_subspace-M4": M4, "part2_subspace-p2": p2}
