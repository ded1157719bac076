"""Census specs of book/part3_datasets.ipynb (mirroring the notebook's cells exactly).

The checker-and-census table: for each dataset whose condition fails, a census of 100
quadratic networks with M = d + 1 neurons. Each entry of ``CENSUSES`` maps a name to a
function returning ``dict(model=, loss=, X=, y=, options=)``; the stored file is
``book/data/<key>.npz`` (keys ``part3_datasets-<name>``, read by benchmarks/census_bands.py).
"""
import numpy as np

import lossbook as lb

FAILING = {
    "circles-2-1": lambda: lb.make_sphere_data(12, radii=(2.0, 1.0), random_state=1),
    "circles-1-2": lambda: lb.make_sphere_data(12, radii=(1.0, 2.0), random_state=1),
    "circles-1.1-1": lambda: lb.make_sphere_data(12, radii=(1.1, 1.0), random_state=0),
    "gaussian": lambda: (np.random.default_rng(0).standard_normal((12, 2)), np.repeat([1.0, -1.0], 6)),
}


def _spec(make):
    def spec():
        X, y = make()
        return dict(model=lb.single_layer(X.shape[1], X.shape[1] + 1, "quadratic"),
                    loss=lb.get_loss("polynomial_hinge", p=6), X=X, y=y,
                    options=dict(n_runs=100, random_state=0, n_probes=50))
    spec.__doc__ = "icml-prop-12: census of quadratic networks, M = d + 1, on a failing dataset."
    return spec


CENSUSES = {f"part3_datasets-{name}": _spec(make) for name, make in FAILING.items()}
