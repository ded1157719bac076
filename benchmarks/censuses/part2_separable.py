"""Census specs of the chapter part2_separable: the censuses outside icml-thm-2.

Each entry of ``CENSUSES`` builds exactly the census the chapter runs (data, model, loss,
options), keyed ``part2_separable-<name>``: ``benchmarks/census_bands.py`` trains it, saves
its end points to ``book/data/<key>.npz`` and measures its band over perturbed reruns.
"""
import lossbook as lb


def _deep(d):
    return lb.feedforward(d, hidden=(3, 3), activation="relu")


def _census(model, d, n):
    X, y = lb.make_separable_data(n, n_features=d, random_state=0)
    return dict(model=model, loss=lb.get_loss("polynomial_hinge", p=3), X=X, y=y,
                options=dict(n_runs=100, random_state=0, n_probes=50))


def relu_alone():
    """The ReLU network f_D alone (no single layer beside it), d = 10, n = 100."""
    return _census(_deep(10), 10, 100)


def relu_neuron():
    """One ReLU neuron in f_S beside f_D: sigma' = 0 on half the line."""
    return _census(lb.shortcut(lb.single_layer(10, 1, "relu"), _deep(10)), 10, 100)


def quadratic_neuron():
    """One quadratic neuron in f_S beside f_D: sigma'(z) = 2z changes sign."""
    return _census(lb.shortcut(lb.single_layer(10, 1, "quadratic"), _deep(10)), 10, 100)


def plane_relu_alone():
    """The ReLU network alone in the plane, d = 2, n = 40."""
    return _census(_deep(2), 2, 40)


CENSUSES = {"part2_separable-relu-alone": relu_alone, "part2_separable-relu-neuron": relu_neuron,
            "part2_separable-quadratic-neuron": quadratic_neuron,
            "part2_separable-plane-relu-alone": plane_relu_alone}
