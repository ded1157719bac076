"""Census specs of the chapter part2_subspace: the censuses below the bound of icml-thm-1.

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options): ``benchmarks/census_bands.py`` trains it, saves its end points to
``book/data/part2_subspace-<name>.npz`` and measures its band over perturbed reruns.
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


CENSUSES = {"M4": M4, "M2": M2, "p2": p2, "plane-M2": plane_M2}
