"""Census specs of book/part3_shortcuts.ipynb (mirroring the notebook's cells exactly).

Each entry of ``CENSUSES`` maps a name to a function returning the census's inputs:
``dict(model=, loss=, X=, y=, options=)``; the stored file is
``book/data/<key>.npz`` (keys ``part3_shortcuts-<name>``, read by benchmarks/census_bands.py).
"""
import lossbook as lb


def identity():
    """icml-prop-7: 100 random starts of the identity-shortcut network a(x + H(x)) + b, H a
    ReLU block of width 2, on the shared-coordinate data of Theorem 1."""
    X7, y7 = lb.make_shared_coordinate_data(16, random_state=0)
    return dict(model=lb.identity_shortcut(3, (2,)), loss=lb.get_loss("polynomial_hinge", p=6),
                X=X7, y=y7, options=dict(n_runs=100, random_state=0, n_probes=50, maxiter=1000))


CENSUSES = {"part3_shortcuts-identity": identity}
