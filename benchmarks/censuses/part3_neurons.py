"""Census specs of book/part3_neurons.ipynb (mirroring the notebook's cells exactly).

Each entry of ``CENSUSES`` maps a name to a function returning the census's inputs:
``dict(model=, loss=, X=, y=, options=)``; the stored file is
``book/data/<key>.npz`` (keys ``part3_neurons-<name>``, read by benchmarks/census_bands.py).
"""
import numpy as np

import lossbook as lb


def model4():
    """icml-prop-4: 100 random starts of the sigmoid network on the symmetric sample (cell
    "A census of 100 random initialisations of the same network"); the lower bound is the
    best-constant loss, which no odd network beats on a symmetric sample (eq-odd-pairing)."""
    loss = lb.get_loss("polynomial_hinge", p=6)
    X4, y4 = lb.symmetric_sample(10, random_state=0)
    M4 = int(lb.check_assumptions(X4, y4).thm1_neurons)
    model4, _ = lb.odd_symmetric_point(X4, y4, loss, n_neurons=M4, activation="sigmoid")
    bound = float(np.mean(loss(-y4 * lb.best_constant(loss, y4))))
    return dict(model=model4, loss=loss, X=X4, y=y4,
                options=dict(n_runs=100, random_state=0, n_probes=20, maxiter=300, lower_bound=bound))


CENSUSES = {"part3_neurons-model4": model4}
