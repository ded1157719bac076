"""Census specs of book/part3_losses.ipynb (mirroring the notebook's cells exactly).

Each entry of ``CENSUSES`` maps a name to a function returning the census's inputs:
``dict(model=, loss=, X=, y=, options=)``; the stored file is
``book/data/<key>.npz`` (keys ``part3_losses-<name>``, read by benchmarks/census_bands.py).
"""
import numpy as np

import lossbook as lb


def quadratic():
    """icml-ex-b8: the quadratic loss, M = 3 quadratic neurons, the eight samples with counts
    (2, 1, 3, 2) on the atoms (α, 0), (1, 0), (0, α), (0, 1), α = 1/10."""
    atoms = np.array([[0.1, 0.0], [1.0, 0.0], [0.0, 0.1], [0.0, 1.0]])
    X8 = np.repeat(atoms, (2, 1, 3, 2), axis=0)
    y8 = np.repeat([1.0, 1.0, -1.0, -1.0], (2, 1, 3, 2))
    M8 = lb.check_assumptions(X8, y8).prop1_neurons
    return dict(model=lb.single_layer(2, M8, "quadratic"), loss="quadratic", X=X8, y=y8,
                options=dict(n_runs=100, random_state=0, n_probes=50))


def hinge_nonrealizable():
    """icml-prop-8: l_6, three softplus neurons, separable data whose second positive is
    replaced by a copy of the first with the opposite label (not realizable)."""
    Xs, ys = lb.make_separable_data(12, n_features=2, margin=0.2, random_state=3)
    Xn, yn = Xs.copy(), ys.copy()
    Xn[1] = Xn[0]
    yn[1] = -1.0
    return dict(model=lb.single_layer(2, 3, "softplus"), loss=lb.get_loss("polynomial_hinge", p=6),
                X=Xn, y=yn, options=dict(n_runs=100, random_state=0, n_probes=50))


CENSUSES = {"part3_losses-quadratic": quadratic, "part3_losses-hinge-nonrealizable": hinge_nonrealizable}
