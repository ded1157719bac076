"""The bad-input sweep shared by tests/test_bad_input_sweep.py and test_bad_input_hypothesis.py.

Every public callable of ``lossbook.__all__`` is found by introspection (constants and the
dataclass records the library returns are skipped; classes a user constructs are swept, and
so are the methods of :class:`~lossbook.Model` and :class:`~lossbook.Objective`). A call is
built from a *baseline* of valid arguments, one argument is replaced by a bad value, and the
outcome is classified:

- ``clear``       ValueError/TypeError whose message names the argument
- ``wrong name``  ValueError/TypeError that does not name it
- ``raw``         any other exception (KeyError, ZeroDivisionError, scipy's own, ...)
- ``warning``     a warning was raised (every warning is an error during the call)
- ``nan``         the call returned, with a NaN somewhere in its result
- ``accepted``    the call returned a result for the bad value
- ``hang``        the call did not finish within the hang guard (an alarm that only
                  detects loops that never end; it is not a timing assertion)

Baselines: :data:`BASELINE` holds the valid required arguments of each callable (and small
sizes so that a call is quick); arguments not listed there keep their defaults. The kind of
each argument (:data:`KINDS`, per-callable overrides in :data:`KIND_OVERRIDES`) selects its
bad values (:data:`BAD`). A new public function whose required arguments have no baseline
makes :func:`missing_baselines` report it, so it cannot escape the sweep.
"""
import atexit
import contextlib
import dataclasses
import inspect
import math
import re
import shutil
import signal
import tempfile
import warnings
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import lossbook as lb  # noqa: E402

HANG_SECONDS = 300  # only to detect a loop that never ends; a healthy case takes < 1 s
OUTCOMES = ("clear", "wrong name", "raw", "warning", "nan", "accepted", "hang")


class _Hang(BaseException):
    """Raised by the hang guard (a BaseException so that no library ``except`` swallows it)."""


# -- fixtures ---------------------------------------------------------------------------------
class _Fixtures:
    """Valid inputs, built once on first use."""

    def __init__(self):
        X, Y = lb.make_subspace_data(10, n_features=4, pos_basis=(0, 1), neg_basis=(1, 2, 3),
                                     random_state=0)
        self.X, self.Y = X, Y
        self.X2, self.Y2 = lb.make_separable_data(10, n_features=2, random_state=0)
        self.XS, self.YS = lb.make_shared_coordinate_data(10, random_state=0)
        self.XI, self.YI = lb.make_interval_data(10, random_state=0)
        self.XSYM, self.YSYM = lb.symmetric_sample(6, random_state=0)
        self.MODEL = lb.single_layer(4, 2, "softplus")
        self.MODEL2 = lb.single_layer(2, 2, "softplus")
        self.LOSS = lb.get_loss("polynomial_hinge", p=2)
        self.OBJ = lb.Objective(self.MODEL, self.LOSS, X, Y)
        self.PARAMS = self.MODEL.init(0)
        self.PARAMS2 = self.MODEL2.init(0)
        self.THETA = np.asarray(self.OBJ.flatten(self.PARAMS), dtype=float)
        self.P = self.THETA.shape[0]
        self.AUG = lb.with_exponential_neuron(self.PARAMS, np.zeros(4))
        self.EPL = lb.exponential_per_layer(4, (2, 2)).init(0)
        self.CENSUS = lb.census(self.MODEL, self.LOSS, X, Y, n_runs=2, maxiter=5, n_probes=3,
                                radii=(1e-2,))
        self.TS = np.linspace(-1.0, 1.0, 5)
        self.VALUES = self.TS ** 2
        self.GRID = np.linspace(-1.0, 1.0, 4)
        self.VALUES2 = np.add.outer(self.GRID, self.GRID) ** 2
        self.TMP = tempfile.mkdtemp(prefix="lossbook-badinput-")
        atexit.register(shutil.rmtree, self.TMP, ignore_errors=True)
        self.CENSUS_PATH = f"{self.TMP}/census.npz"
        self.CENSUS.save(self.CENSUS_PATH)
        self.NOT_CENSUS = f"{self.TMP}/other.npz"
        np.savez(self.NOT_CENSUS, a=np.zeros(2))
        self.TEXT_FILE = f"{self.TMP}/text.npz"
        with open(self.TEXT_FILE, "w") as fh:
            fh.write("not a census")
        self.FLAT = np.eye(self.P)[:, :2]
        self.TANGENTS = np.eye(self.P)[:1]


_FX = None


def fx():
    global _FX
    if _FX is None:
        _FX = _Fixtures()
    return _FX


def _widget_controls():
    import ipywidgets as W
    return {"a": W.IntSlider(value=1, min=0, max=3)}


def _render_a(a):
    return plt.figure()


# name -> function of the fixtures returning the baseline keyword arguments
BASELINE = {
    "get_activation": lambda f: {"name": "relu"},
    "check_neuron": lambda f: {"activation": "relu", "grid": np.linspace(0.0, 3.0, 31)},
    "best_constant": lambda f: {"loss": f.LOSS, "y": f.Y},
    "best_linear": lambda f: {"loss": f.LOSS, "X": f.X, "y": f.Y},
    "dead_neuron_point": lambda f: {"X": f.XS, "y": f.YS, "loss": f.LOSS},
    "dead_relu_point": lambda f: {"X": f.XS, "y": f.YS, "loss": f.LOSS},
    "halfspace_direction": lambda f: {"X": f.XS},
    "identity_shortcut_point": lambda f: {"X": f.XS, "y": f.YS, "loss": f.LOSS},
    "is_symmetric_dataset": lambda f: {"X": f.X, "y": f.Y},
    "linear_region_point": lambda f: {"X": f.XS, "y": f.YS, "loss": f.LOSS},
    "loss_weights": lambda f: {"loss": f.LOSS, "y": f.Y, "outputs": np.zeros(10)},
    "odd_symmetric_point": lambda f: {"X": f.XSYM, "y": f.YSYM, "loss": f.LOSS},
    "quadratic_bowl_point": lambda f: {"X": f.XI, "y": f.YI, "loss": f.LOSS},
    "symmetric_probability": lambda f: {"n_samples": 10},
    "symmetric_sample": lambda f: {"n_samples": 6},
    "counterexample": lambda f: {"result_id": "icml-prop-2", "n_neurons": 2},
    "check_assumptions": lambda f: {"X": f.X, "y": f.Y},
    "is_linearly_separable": lambda f: {"X": f.X, "y": f.Y},
    "make_separable_data": lambda f: {"n_samples": 10},
    "make_shared_coordinate_data": lambda f: {"n_samples": 10},
    "make_subspace_data": lambda f: {"n_samples": 10},
    "make_xor_data": lambda f: {"n_samples": 8},
    "make_halfspace_data": lambda f: {"n_samples": 10},
    "make_interval_data": lambda f: {"n_samples": 10},
    "make_signed_axes_data": lambda f: {"n_samples": 10},
    "directional_moments": lambda f: {"c": np.ones(10), "X": f.X, "directions": np.eye(4)},
    "exponential_slope": lambda f: {"base_model": f.MODEL, "net_params": f.PARAMS, "loss": f.LOSS,
                                    "X": f.X, "y": f.Y, "W": np.zeros(4)},
    "exponential_weights": lambda f: {"base_model": f.MODEL, "params": f.AUG, "loss": f.LOSS,
                                      "X": f.X, "y": f.Y},
    "phi_probe": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "n_probes": 3},
    "symmetric_tensor": lambda f: {"c": np.ones(10), "X": f.X, "k": 2},
    "tensor_form": lambda f: {"T": np.eye(4), "u": np.ones(4)},
    "with_exponential_neuron": lambda f: {"net_params": f.PARAMS, "w": np.zeros(4)},
    "rescale_exponential_neuron": lambda f: {"params": f.AUG, "s": 0.5},
    "drop_exponential_neurons": lambda f: {"params": f.EPL},
    "exponential_chain_direction": lambda f: {"params": f.EPL},
    "rescale_exponential_layers": lambda f: {"params": f.EPL, "s": 0.5},
    "Objective": lambda f: {"model": f.MODEL, "loss": f.LOSS, "X": f.X, "y": f.Y},
    "certify": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "n_probes": 3},
    "certify_batch": lambda f: {"objective": f.OBJ, "thetas": f.THETA[None], "n_probes": 3},
    "empirical_loss": lambda f: {"params": f.PARAMS, "model": f.MODEL, "loss": f.LOSS, "X": f.X,
                                 "y": f.Y},
    "find_critical_point": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "maxiter": 3},
    "loss_slice_1d": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "ts": f.TS},
    "loss_slice_2d": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "s": f.GRID, "t": f.GRID},
    "training_error": lambda f: {"params": f.PARAMS, "model": f.MODEL, "X": f.X, "y": f.Y},
    "check_loss_assumption": lambda f: {"loss": f.LOSS},
    "get_loss": lambda f: {"name": "polynomial_hinge"},
    "flatten": lambda f: {"params": f.PARAMS},
    "glue": lambda f: {"name": "sweep", "value": 1},
    "Model": lambda f: {"name": "m", "init": f.MODEL._init, "apply": f.MODEL._apply,
                        "n_features": 4},
    "add_exponential_neuron": lambda f: {"model": f.MODEL},
    "add_monomial_neuron": lambda f: {"model": f.MODEL},
    "constant": lambda f: {"n_features": 4},
    "exponential_per_layer": lambda f: {"n_features": 4},
    "feedforward": lambda f: {"n_features": 4},
    "identity_shortcut": lambda f: {"n_features": 4},
    "shortcut": lambda f: {"f_S": f.MODEL, "f_D": lb.constant(4)},
    "single_layer": lambda f: {"n_features": 4, "n_neurons": 2},
    "plot_activations": lambda f: {"names": ("relu",)},
    "plot_census": lambda f: {"census": f.CENSUS},
    "plot_data_2d": lambda f: {"X": f.X2, "y": f.Y2},
    "plot_decision_regions": lambda f: {"model": f.MODEL2, "params": f.PARAMS2, "X": f.X2,
                                        "y": f.Y2, "resolution": 5},
    "plot_slice_1d": lambda f: {"ts": f.TS, "values": f.VALUES},
    "plot_slice_2d": lambda f: {"s": f.GRID, "t": f.GRID, "values": f.VALUES2, "levels": 5},
    "census": lambda f: {"model": f.MODEL, "loss": f.LOSS, "X": f.X, "y": f.Y, "n_runs": 2,
                         "maxiter": 3, "n_probes": 3, "radii": (1e-2,)},
    "train_batch": lambda f: {"objective": f.OBJ, "thetas": f.THETA[None], "maxiter": 3},
    "curve_test": lambda f: {"fun": f.OBJ, "theta": f.THETA, "curve": np.ones(f.P), "order": 2},
    "taylor_coefficients": lambda f: {"fun": f.OBJ, "theta": f.THETA, "curve": np.ones(f.P),
                                      "order": 2},
    "descent_rate": lambda f: {"fun": f.OBJ, "theta": f.THETA, "radii": (0.1, 0.05),
                               "n_starts": 1, "maxiter": 3},
    "make_binomial_alternating_data": lambda f: {"degree": 3},
    "render_monomial_degree": lambda f: {"n_probes": 3},
    "make_widget": lambda f: {"render": _render_a, "controls": _widget_controls()},
    "render_slice": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "resolution": 5},
    "slice_explorer": lambda f: {"objective": f.OBJ, "params": f.PARAMS},
    "render_census": lambda f: {"n_samples": 8, "n_runs": 2, "maxiter": 3, "n_probes": 3},
    "render_counterexample": lambda f: {"n_neurons": 2, "n_probes": 3, "resolution": 5},
    "render_dead_relu": lambda f: {"resolution": 5, "n_samples": 8},
    "render_neuron_loss": lambda f: {},
    "exponential_neuron_explorer": lambda f: {"datasets": {"d": (f.X2, f.Y2)}},
    "render_exponential_neuron": lambda f: {"X": f.X2, "y": f.Y2},
    "chain_path_explorer": lambda f: {"X": f.X2, "y": f.Y2},
    "render_chain_path": lambda f: {"X": f.X2, "y": f.Y2, "depth": 2},
    "one_sided_derivatives": lambda f: {"objective": f.OBJ, "params": f.PARAMS,
                                        "direction": np.ones(f.P)},
    "perturbation_probe": lambda f: {"objective": f.OBJ, "params": f.PARAMS, "n_probes": 3},
    "check_dataset_condition": lambda f: {"X": f.X, "y": f.Y},
    "make_atom_data": lambda f: {"n_samples": 8},
    "make_point_interval_data": lambda f: {"n_samples": 10},
    "make_sphere_data": lambda f: {"n_samples": 10},
    "atom_bad_event_probability": lambda f: {"alpha": 0.5, "n_samples": 4},
    "atom_least_squares": lambda f: {"counts": (1, 2, 3, 4), "alpha": 0.5},
    "linear_population_error": lambda f: {"a": 1, "b": 0},
    "gradient_descent": lambda f: {"objective": f.OBJ, "theta": f.THETA, "n_steps": 3,
                                   "record": 2},
    "output_scaling_derivative": lambda f: {"objective": f.OBJ, "theta": f.THETA},
    "render_sphere_condition": lambda f: {"n_samples": 8, "n_probes": 3},
    "sphere_condition_explorer": lambda f: {"n_samples": 8},
    "check_hypotheses": lambda f: {"result_id": "icml-prop-2", "model": f.MODEL, "loss": f.LOSS,
                                   "X": f.X, "y": f.Y, "activation": "softplus",
                                   "realizer_model": f.MODEL},
    "is_polynomially_separable": lambda f: {"X": f.X, "y": f.Y, "degree": 2},
    "loss_lower_bound": lambda f: {"loss": f.LOSS, "X": f.X, "y": f.Y},
    "Invariances": lambda f: {"n_params": f.P},
    "invariance_tangents": lambda f: {"objective": f.OBJ, "theta": f.THETA},
    "unexplained_directions": lambda f: {"flat": f.FLAT, "tangents": f.TANGENTS},
    "census_band": lambda f: {"model": f.MODEL, "loss": f.LOSS, "X": f.X, "y": f.Y, "n_reruns": 1,
                              "n_runs": 2, "maxiter": 3, "n_probes": 3, "radii": (1e-2,)},
    "load_census": lambda f: {"path": f.CENSUS_PATH, "model": f.MODEL, "loss": f.LOSS, "X": f.X,
                              "y": f.Y},
    "nudge": lambda f: {"X": f.X, "seed": 1},
    "exponential_dead_point": lambda f: {"X": f.XS, "y": f.YS, "loss": f.LOSS},
    "augmented_direction": lambda f: {"params": f.AUG},
    "precise_loss": lambda f: {"params": f.PARAMS, "X": f.X, "y": f.Y, "activation": "softplus",
                               "loss": f.LOSS},
    "unit_rescaling": lambda f: {"params": f.PARAMS, "X": f.X, "y": f.Y, "unit": 0,
                                 "activation": "softplus", "loss": f.LOSS},
    "rescaling_descent": lambda f: {"params": f.PARAMS, "X": f.X, "y": f.Y,
                                    "activation": "softplus", "loss": f.LOSS},
    # methods
    "Model.init": lambda f: {"random_state": 0},
    "Model.apply": lambda f: {"params": f.PARAMS, "X": f.X},
    "Model.penalty": lambda f: {"params": f.PARAMS},
    "Objective.__call__": lambda f: {"params": f.PARAMS},
    "Objective.flatten": lambda f: {"params": f.PARAMS},
    "Objective.value": lambda f: {"theta": f.THETA},
    "Objective.outputs": lambda f: {"theta": f.THETA},
    "Objective.error": lambda f: {"theta": f.THETA},
    "Objective.gradient": lambda f: {"theta": f.THETA},
    "Objective.value_and_gradient": lambda f: {"theta": f.THETA},
    "Objective.hessian": lambda f: {"theta": f.THETA},
    "Census.save": lambda f: {"path": f"{f.TMP}/saved.npz"},
}

# methods swept besides the names of __all__: name -> (function of the fixtures giving the
# bound method, the unbound function whose signature is read)
METHODS = {
    "Model.init": (lambda f: f.MODEL.init, lb.Model.init),
    "Model.apply": (lambda f: f.MODEL.apply, lb.Model.apply),
    "Model.penalty": (lambda f: f.MODEL.penalty, lb.Model.penalty),
    "Objective.__call__": (lambda f: f.OBJ, lb.Objective.__call__),
    "Objective.flatten": (lambda f: f.OBJ.flatten, lb.Objective.flatten),
    "Objective.value": (lambda f: f.OBJ.value, lb.Objective.value),
    "Objective.outputs": (lambda f: f.OBJ.outputs, lb.Objective.outputs),
    "Objective.error": (lambda f: f.OBJ.error, lb.Objective.error),
    "Objective.gradient": (lambda f: f.OBJ.gradient, lb.Objective.gradient),
    "Objective.value_and_gradient": (lambda f: f.OBJ.value_and_gradient,
                                     lb.Objective.value_and_gradient),
    "Objective.hessian": (lambda f: f.OBJ.hessian, lb.Objective.hessian),
    "Census.save": (lambda f: f.CENSUS.save, lb.Census.save),
}


def public_callables():
    """Names of the callables of ``lossbook.__all__`` that a user calls with arguments."""
    names = []
    for name in lb.__all__:
        obj = getattr(lb, name)
        if not callable(obj):
            continue  # constants
        if inspect.isclass(obj) and dataclasses.is_dataclass(obj):
            continue  # result records, built by the library
        names.append(name)
    return names


def targets():
    return public_callables() + list(METHODS)


def signature(name):
    if name in METHODS:
        params = list(inspect.signature(METHODS[name][1]).parameters.values())[1:]
        return params
    return list(inspect.signature(getattr(lb, name)).parameters.values())


def callable_for(name):
    if name in METHODS:
        return METHODS[name][0](fx())
    return getattr(lb, name)


def missing_baselines():
    """(callable, argument) pairs with no default and no baseline value."""
    missing = []
    for name in targets():
        base = BASELINE.get(name, lambda f: {})(fx()) if name in BASELINE else None
        for p in signature(name):
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.default is not p.empty:
                continue
            if base is None or p.name not in base:
                missing.append((name, p.name))
    return missing


# -- kinds of arguments and their bad values -----------------------------------------------
class _Opaque:
    def __repr__(self):
        return "<object>"


OPAQUE = _Opaque()
NAN, INF = float("nan"), float("inf")

KINDS = {
    # counts
    "n_samples": "count", "n_features": "count", "n_neurons": "count", "n_runs": "count",
    "n_probes": "count", "n_steps": "count", "batch": "count", "history": "count",
    "max_tries": "count", "resolution": "count", "degree": "count", "data_degree": "count",
    "depth": "count", "width": "count", "subspace_dim": "count", "order": "count0",
    "maxiter": "count0", "n_starts": "count0", "k": "count0", "record": "count",
    "overlap": "count0", "batch_ndim": "count0", "seed": "count0", "p": "count",
    # reals
    "margin": "posreal", "scale": "posreal", "kappa": "posreal", "radius": "posreal",
    "alpha": "posreal", "h": "posreal", "learning_rate": "posreal", "tau_max": "posreal",
    "ratio": "posreal", "neg_width": "posreal", "strong_convexity": "posreal",
    "gtol": "nonneg", "grad_tol": "nonneg", "eig_tol": "nonneg", "probe_tol": "nonneg",
    "tol": "nonneg", "lam": "nonneg", "init_scale": "nonneg", "noise": "nonneg",
    "power": "posreal", "pad": "nonneg", "levels": "count",
    "pos_fraction": "fraction", "s": "real", "a": "real", "b": "real", "angle": "real",
    "pos_point": "real", "neg_low": "real", "slope": "fraction0", "max_elements": "count",
    # data
    "X": "X", "y": "y", "c": "weights", "W": "vectors", "w": "vector", "u": "vector",
    "T": "array", "outputs": "outputs", "ts": "grid", "s_grid": "grid", "t": "grid",
    "values": "array", "curve": "vectors", "theta": "theta", "thetas": "theta",
    "direction": "direction", "directions": "directions", "grid": "grid",
    "counts": "counts",
    # objects
    "model": "model", "base_model": "model", "f_S": "model", "f_D": "model",
    "loss": "loss", "activation": "activation", "objective": "objective", "fun": "objective",
    "params": "params", "net_params": "params", "census": "census",
    "random_state": "random_state", "radii": "radii", "hidden": "hidden",
    "bias": "bool", "exact": "bool", "backtrack": "bool", "display": "bool",
    "progress": "optbool", "name": "str", "kind": "choice", "paper": "choice",
    "solver": "choice", "reduction": "choice", "method": "choice", "target": "choice",
    "data": "choice", "result_id": "choice", "choice": "choice", "theorem": "choice",
    "sign": "sign", "pos_basis": "basis", "neg_basis": "basis",
    "pos_interval": "interval", "neg_interval": "interval", "threshold": "real",
    "render": "callable", "controls": "controls", "datasets": "datasets",
    "init": "callable", "apply": "callable", "penalty": "optcallable",
    "names": "activations", "losses": "losses", "z": "grid", "ax": "ax", "title": "optstr",
    "label": "optstr", "bins": "bins", "value": "any",
    # added with the certificate/census API, hypotheses and invariances
    "lower_bound": "optreal", "kink_tol": "nonneg", "units": "optcallable",
    "tangents": "optcallable", "output_bias": "optcallable", "penalised": "optbool",
    "curvature": "optcallable",
    "input_weights": "optcallable", "inputs_only_via_weights": "bool",
    "draw": "optcallable", "dpi": "count", "realizer": "optparams", "realizer_model": "optmodel",
    "n_params": "count0", "gradient": "optgradient", "hessian": "opthessian", "index": "optindex",
    "fibre": "optfibre", "flat": "flatbasis", "n_reruns": "count0", "base": "optcensus",
    "path": "path", "band": "optband",
    # lossbook.precision
    "dps": "count", "max_dps": "count", "unit": "unitindex", "scales": "scales",
}

KIND_OVERRIDES = {
    ("linear_population_minimiser", "loss"): "choice",
    ("get_loss", "name"): "choice",
    ("get_activation", "name"): "choice",
    ("glue", "name"): "str",
    ("Model", "name"): "str",
    ("loss_slice_2d", "s"): "grid",
    ("plot_slice_2d", "s"): "grid",
    ("plot_slice_2d", "values"): "values2",
    ("plot_slice_1d", "values"): "values1",
    ("plot_slice_1d", "ts"): "grid",
    ("tensor_form", "T"): "tensor",
    ("exponential_slope", "b"): "real",
    ("make_sphere_data", "radii"): "radii_pair",
    ("dead_neuron_point", "f_D"): "f_D",
    ("linear_region_point", "f_D"): "f_D",
    ("dead_neuron_point", "direction"): "halfdir",
    ("linear_region_point", "direction"): "halfdir",
    ("one_sided_derivatives", "direction"): "direction",
    ("descent_rate", "radii"): "radii2",
    ("linear_population_error", "a"): "exactreal",
    ("linear_population_error", "b"): "exactreal",
    ("linear_population_error", "pos_point"): "exactreal",
    ("linear_population_minimiser", "pos_point"): "exactreal",
    ("atom_bad_event_probability", "threshold"): "exactreal",
    ("atom_bad_event_probability", "alpha"): "unit",
    ("atom_least_squares", "alpha"): "unit",
    ("make_atom_data", "alpha"): "unit",
    ("quadratic_bowl_point", "alpha"): "posreal",
    ("check_loss_assumption", "p"): "optcount",
    ("counterexample", "n_samples"): "optcount",
    ("counterexample", "activation"): "optactivation",
    ("counterexample", "p"): "count2",
    ("Model.init", "random_state"): "random_state",
    ("render_census", "hidden"): "hidden0",
    ("census_explorer", "hidden"): "hidden0",
    ("render_slice", "seed"): "count0",
    ("phi_probe", "random_state"): "random_state",
    ("make_xor_data", "n_samples"): "count4",
    ("exponential_per_layer", "power"): "optposreal",
    ("plot_census", "bins"): "bins",
    ("plot_decision_regions", "pad"): "nonneg",
    ("directional_moments", "degrees"): "degrees",
    ("Objective.flatten", "params"): "params",
    ("Model.penalty", "params"): "params",
    ("Model.init", "batch"): "optcount",
    ("find_critical_point", "method"): "optchoice",
    ("flatten", "params"): "anyparams",
    ("with_exponential_neuron", "net_params"): "anyparams",
    ("with_exponential_neuron", "w"): "anyvector",
    ("render_exponential_neuron", "radius"): "nonneg",
    ("invariance_tangents", "units"): "optunits",
    ("unexplained_directions", "tangents"): "tangentrows",
    ("load_census", "path"): "path_in",
    ("load_census", "reduction"): "optchoice",
    ("check_hypotheses", "objective"): "optobjective",
    ("check_hypotheses", "activation"): "optactivation",
    ("check_hypotheses", "theorem"): "optchoice",
    ("check_hypotheses", "degree"): "optcount",
    ("census_band", "random_state"): "random_state",
    ("make_widget", "name"): "optstr",
    ("augmented_direction", "w"): "optvector",
}

_ARR_NAN = np.array([[NAN, 1.0], [0.0, 1.0]])


def _X_bad(f):
    X = f.X
    return [("1-D X", X[:, 0]), ("3-D X", X[None]), ("empty X", np.empty((0, X.shape[1]))),
            ("X with NaN", np.where(X == X[0, 0], NAN, X)), ("X with inf", np.where(X == X[0, 0], INF, X)),
            ("X of strings", np.full(X.shape, "a")), ("X = None", None), ("X one row short", X[:-1]),
            ("X = 'data'", "data"), ("X huge 1e300", X * 1e300 + 1e300)]


def _y_bad(f):
    Y = f.Y
    return [("y in {0, 1}", (Y > 0).astype(float)), ("y of wrong length", Y[:-1]),
            ("2-D y", Y[:, None]), ("y with NaN", np.where(Y > 0, NAN, -1.0)),
            ("y of strings", np.full(Y.shape, "a")), ("y = None", None), ("y = 2.5", 2.5 * Y),
            ("empty y", np.empty(0))]


def _params_bad(f):
    p = f.PARAMS
    return [("params = {}", {}), ("params missing a key", {k: v for k, v in list(p.items())[1:]}),
            ("params with a wrong shape", {k: np.zeros((7, 7)) for k in p}),
            ("params = list", [1.0, 2.0]), ("params = None", None),
            ("params with NaN", {k: np.full(np.shape(v), NAN) for k, v in p.items()}),
            ("params with strings", {k: "a" for k in p})]


def _theta_bad(f):
    return [("theta too long", np.zeros(f.P + 1)), ("theta with NaN", np.full(f.P, NAN)),
            ("theta with inf", np.full(f.P, INF)), ("theta = 'x'", "x"), ("theta = None", None),
            ("empty theta", np.empty(0)), ("theta 4-D", np.zeros((1, 1, 1, f.P)))]


BAD = {
    "count": lambda f: [("0", 0), ("-1", -1), ("2.5", 2.5), ("'3'", "3"), ("True", True),
                        ("NaN", NAN), ("1e300", 1e300), ("None", None)],
    "count0": lambda f: [("-1", -1), ("2.5", 2.5), ("'3'", "3"), ("NaN", NAN), ("1e300", 1e300),
                         ("object", OPAQUE)],
    "count2": lambda f: [("1", 1), ("0", 0), ("2.5", 2.5), ("'6'", "6"), ("NaN", NAN)],
    "count4": lambda f: [("0", 0), ("6 (not a multiple of 4)", 6), ("2.5", 2.5), ("'8'", "8")],
    "optcount": lambda f: [("0", 0), ("-1", -1), ("2.5", 2.5), ("'3'", "3"), ("NaN", NAN)],
    "posreal": lambda f: [("0", 0.0), ("-1", -1.0), ("NaN", NAN), ("inf", INF), ("'1'", "1"),
                          ("None", None), ("object", OPAQUE), ("1e300", 1e300)],
    "optposreal": lambda f: [("0", 0.0), ("-1", -1.0), ("NaN", NAN), ("inf", INF), ("'1'", "1")],
    "nonneg": lambda f: [("-1", -1.0), ("NaN", NAN), ("inf", INF), ("'1'", "1"), ("None", None),
                         ("object", OPAQUE), ("1e300", 1e300)],
    "fraction": lambda f: [("0", 0.0), ("1", 1.0), ("-0.5", -0.5), ("NaN", NAN), ("'0.5'", "0.5")],
    "fraction0": lambda f: [("1", 1.0), ("-0.5", -0.5), ("NaN", NAN), ("'0.5'", "0.5")],
    "unit": lambda f: [("0", 0.0), ("1", 1.0), ("-0.5", -0.5), ("NaN", NAN), ("'abc'", "abc"),
                       ("object", OPAQUE)],
    "real": lambda f: [("NaN", NAN), ("inf", INF), ("'1'", "1"), ("object", OPAQUE), ("None", None),
                       ("1e300", 1e300)],
    "exactreal": lambda f: [("NaN", NAN), ("inf", INF), ("'abc'", "abc"), ("object", OPAQUE),
                            ("None", None)],
    "X": _X_bad,
    "y": _y_bad,
    "weights": lambda f: [("c of wrong length", np.ones(3)), ("c with NaN", np.full(10, NAN)),
                          ("c = 'a'", "a"), ("c = None", None), ("2-D c", np.ones((10, 2)))],
    "vectors": lambda f: [("wrong length", np.ones(7)), ("NaN", np.full(4, NAN)), ("'a'", "a"),
                          ("None", None), ("3-D", np.ones((2, 2, 4)))],
    "vector": lambda f: [("wrong length", np.ones(7)), ("NaN", np.full(4, NAN)), ("'a'", "a"),
                         ("None", None), ("2-D", np.ones((2, 4)))],
    "array": lambda f: [("NaN", np.full(3, NAN)), ("'a'", "a"), ("None", None)],
    "tensor": lambda f: [("NaN", np.full((4, 4), NAN)), ("'a'", "a"), ("None", None),
                         ("non-cubic", np.ones((4, 3)))],
    "values1": lambda f: [("wrong length", np.ones(3)), ("NaN", np.full(5, NAN)), ("'a'", "a"),
                          ("None", None)],
    "values2": lambda f: [("wrong shape", np.ones((3, 3))), ("NaN", np.full((4, 4), NAN)),
                          ("'a'", "a"), ("None", None)],
    "outputs": lambda f: [("wrong length", np.ones(3)), ("NaN", np.full(10, NAN)), ("'a'", "a"),
                          ("None", None), ("inf", np.full(10, INF))],
    "grid": lambda f: [("NaN", np.array([0.0, NAN])), ("'a'", "a"), ("empty", np.empty(0)),
                       ("2-D", np.ones((2, 2))), ("inf", np.array([0.0, INF]))],
    "theta": _theta_bad,
    "direction": lambda f: [("zero", np.zeros(f.P)), ("wrong length", np.ones(f.P + 1)),
                            ("NaN", np.full(f.P, NAN)), ("'a'", "a")],
    "halfdir": lambda f: [("zero", np.zeros(3)), ("wrong length", np.ones(5)),
                          ("NaN", np.full(3, NAN)), ("'a'", "a"), ("not positive", -np.ones(3))],
    "directions": lambda f: [("zero rows", np.zeros((2, f.P))), ("wrong length", np.ones((2, 99))),
                             ("NaN", np.full((2, f.P), NAN)), ("'a'", "a")],
    "counts": lambda f: [("three counts", (1, 2, 3)), ("negative", (1, -2, 3, 4)), ("'abcd'", "abcd"),
                         ("non-integer", (1.5, 2, 3, 4)), ("all zero", (0, 0, 0, 0)), ("None", None)],
    "model": lambda f: [("'net'", "net"), ("None", None), ("3", 3)],
    "loss": lambda f: [("'hinge'", "hinge"), ("3", 3), ("None", None)],
    "activation": lambda f: [("'swish'", "swish"), ("3", 3), ("None", None)],
    "optactivation": lambda f: [("'swish'", "swish"), ("3", 3)],
    "objective": lambda f: [("'obj'", "obj"), ("None", None), ("a model", f.MODEL)],
    "params": _params_bad,
    "census": lambda f: [("'census'", "census"), ("None", None)],
    "random_state": lambda f: [("-1", -1), ("'seed'", "seed"), ("2.5", 2.5), ("NaN", NAN)],
    "radii": lambda f: [("()", ()), ("(-1,)", (-1.0,)), ("(NaN,)", (NAN,)), ("(0,)", (0.0,)),
                        ("'abc'", "abc"), ("None", None), ("(inf,)", (INF,))],
    "radii2": lambda f: [("()", ()), ("(0.1,)", (0.1,)), ("(-1, 0.1)", (-1.0, 0.1)),
                         ("(NaN, 0.1)", (NAN, 0.1)), ("'abc'", "abc")],
    "radii_pair": lambda f: [("()", ()), ("(1,)", (1.0,)), ("(-1, 1)", (-1.0, 1.0)),
                             ("(NaN, 1)", (NAN, 1.0)), ("'ab'", "ab")],
    "hidden": lambda f: [("(0,)", (0,)), ("'wide'", "wide"), ("(2.5,)", (2.5,)), ("(-1,)", (-1,)),
                         ("None", None)],
    "hidden0": lambda f: [("(0,)", (0,)), ("'wide'", "wide"), ("(2.5,)", (2.5,))],
    "bool": lambda f: [("'yes'", "yes"), ("None", None), ("2", 2)],
    "optbool": lambda f: [("'yes'", "yes"), ("2", 2)],
    "str": lambda f: [("3", 3), ("None", None), ("''", "")],
    "optstr": lambda f: [("3", 3), ("object", OPAQUE)],
    "choice": lambda f: [("'nope'", "nope"), ("3", 3), ("None", None), ("an array", np.ones(3))],
    "optchoice": lambda f: [("'nope'", "nope"), ("3", 3), ("an array", np.ones(3))],
    "anyparams": lambda f: [("params = None", None), ("params = 'x'", "x"), ("params = {}", {}),
                            ("params with NaN", {k: np.full(np.shape(v), NAN) for k, v in f.PARAMS.items()}),
                            ("params with strings", {k: "a" for k in f.PARAMS})],
    "anyvector": lambda f: [("NaN", np.full(4, NAN)), ("'a'", "a"), ("None", None),
                            ("2-D", np.ones((2, 4)))],
    "sign": lambda f: [("0", 0.0), ("2", 2.0), ("NaN", NAN), ("'+'", "+")],
    "basis": lambda f: [("()", ()), ("out of range", (0, 99)), ("repeated", (1, 1)),
                        ("'ab'", "ab"), ("(-1,)", (-1,))],
    "interval": lambda f: [("reversed", (2.0, 1.0)), ("'ab'", "ab"), ("(NaN, 1)", (NAN, 1.0)),
                           ("(1,)", (1.0,)), ("None", None)],
    "callable": lambda f: [("3", 3), ("None", None), ("'f'", "f")],
    "optcallable": lambda f: [("3", 3), ("'f'", "f")],
    "controls": lambda f: [("{}", {}), ("list", [1]), ("{'a': 3}", {"a": 3}), ("None", None)],
    "datasets": lambda f: [("{}", {}), ("list", [1]), ("{'d': 3}", {"d": 3}),
                           ("{'d': (X, y in {0,1})}", {"d": (f.X2, (f.Y2 > 0).astype(float))})],
    "activations": lambda f: [("('swish',)", ("swish",)), ("3", 3), ("()", ())],
    "losses": lambda f: [("('hinge',)", ("hinge",)), ("3", 3)],
    "ax": lambda f: [("'ax'", "ax"), ("3", 3)],
    "bins": lambda f: [("'a'", "a"), ("0", 0), ("-1", -1)],
    "f_D": lambda f: [("'deep'", "deep"), ("(0,)", (0,)), ("3", 3)],
    "degrees": lambda f: [("(-1,)", (-1,)), ("(2.5,)", (2.5,)), ("'ab'", "ab"), ("()", ())],
    "any": lambda f: [],
    "optreal": lambda f: [("NaN", NAN), ("inf", INF), ("'1'", "1"), ("object", OPAQUE)],
    "optparams": lambda f: [("'x'", "x"), ("3", 3), ("params missing a key",
                            {k: v for k, v in list(f.PARAMS.items())[1:]})],
    "optmodel": lambda f: [("'net'", "net"), ("3", 3)],
    "optobjective": lambda f: [("'obj'", "obj"), ("a model", f.MODEL)],
    "optcensus": lambda f: [("'census'", "census"), ("3", 3)],
    "optband": lambda f: [("'band'", "band"), ("3", 3), ("a dict", {"lo": {}})],
    "optgradient": lambda f: [("wrong length", np.ones(f.P + 1)), ("NaN", np.full(f.P, NAN)),
                              ("'a'", "a"), ("2-D", np.ones((2, f.P)))],
    "opthessian": lambda f: [("wrong shape", np.ones((f.P, f.P + 1))),
                             ("NaN", np.full((f.P, f.P), NAN)), ("'a'", "a"),
                             ("1-D", np.ones(f.P))],
    "optindex": lambda f: [("'a'", "a"), ("3", 3), ("{}", {})],
    "optfibre": lambda f: [("wrong rows", np.ones((f.P + 1, 1))), ("NaN", np.full((f.P, 1), NAN)),
                           ("'a'", "a"), ("1-D", np.ones(f.P))],
    "optunits": lambda f: [("'a'", "a"), ("3", 3), ("[3]", [3])],
    "flatbasis": lambda f: [("1-D", np.ones(f.P)), ("NaN", np.full((f.P, 1), NAN)), ("'a'", "a"),
                            ("None", None), ("wrong rows", np.ones((f.P + 1, 1)))],
    "tangentrows": lambda f: [("wrong length", np.ones((1, f.P + 1))),
                              ("NaN", np.full((1, f.P), NAN)), ("'a'", "a"), ("None", None),
                              ("a zero row", np.zeros((1, f.P)))],
    "unitindex": lambda f: [("-1", -1), ("2.5", 2.5), ("'0'", "0"), ("NaN", NAN), ("None", None),
                            ("99 (no such unit)", 99)],
    "scales": lambda f: [("()", ()), ("(0.5,)", (0.5,)), ("(1,)", (1.0,)), ("(NaN,)", (NAN,)),
                         ("(inf,)", (INF,)), ("'abc'", "abc"), ("None", None), ("3", 3)],
    "optvector": lambda f: [("wrong length", np.ones(7)), ("NaN", np.full(4, NAN)), ("'a'", "a"),
                            ("2-D", np.ones((2, 4)))],
    "path": lambda f: [("3", 3), ("None", None), ("''", "")],
    "path_in": lambda f: [("3", 3), ("None", None), ("''", ""), ("not a census", f.NOT_CENSUS),
                          ("not an npz", f.TEXT_FILE)],
}


def kind_of(name, param):
    return KIND_OVERRIDES.get((name, param), KINDS.get(param))


def is_huge(label):
    """A finite but huge value (1e300, data scaled by 1e300): the call may refuse it clearly or
    accept it, but it must not warn or return NaN."""
    return "1e300" in label


_NEEDS_XY = ("y of wrong length", "empty y", "X one row short")


def cases():
    """Every (callable, argument, label, value) of the explicit table."""
    out = []
    f = fx()
    for name in targets():
        params = signature(name)
        has_xy = {"X", "y"} <= {p.name for p in params}
        for p in params:
            if p.kind == p.VAR_POSITIONAL:
                continue
            if p.kind == p.VAR_KEYWORD:
                out.append((name, "bogus_option", "unknown keyword", 1.0))
                continue
            kind = kind_of(name, p.name)
            if kind is None:
                raise KeyError(f"no kind for argument {p.name!r} of {name}: add it to KINDS")
            for label, value in BAD[kind](f):
                if label in _NEEDS_XY and not has_xy:
                    continue  # a length mismatch needs both X and y
                out.append((name, p.name, label, value))
    return out


# -- running one case ------------------------------------------------------------------------
def _has_nan(obj, depth=0):
    if depth > 6:
        return False
    if isinstance(obj, (bool, Fraction, str, bytes)) or obj is None:
        return False
    if isinstance(obj, float):
        return math.isnan(obj)
    if isinstance(obj, np.ndarray):
        return obj.dtype.kind in "fc" and bool(np.isnan(obj).any())
    if isinstance(obj, np.generic):
        return bool(np.isnan(obj)) if obj.dtype.kind in "fc" else False
    if isinstance(obj, dict):
        return any(_has_nan(v, depth + 1) for v in obj.values())
    if isinstance(obj, (list, tuple)):
        return any(_has_nan(v, depth + 1) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return any(_has_nan(getattr(obj, fl.name), depth + 1) for fl in dataclasses.fields(obj))
    return False


def _alarm(signum, frame):
    raise _Hang()


def call(name, kwargs, hang_seconds=HANG_SECONDS):
    """Run one call with every warning an error; returns (result, exception). The call runs in
    a temporary directory, so a generated file name (Census.save) cannot write into the repo."""
    fn = callable_for(name)
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(hang_seconds)
    try:
        with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn"), \
                contextlib.chdir(fx().TMP):
            warnings.simplefilter("error")
            return fn(**kwargs), None
    except _Hang as err:
        return None, err
    except Exception as err:  # noqa: BLE001 - classified by the caller
        return None, err
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
        plt.close("all")


def names_argument(message, arg):
    return re.search(rf"(?<![\w.]){re.escape(arg)}(?!\w)", message) is not None


def classify(arg, result, err):
    if isinstance(err, _Hang):
        return "hang"
    if isinstance(err, Warning):
        return "warning"
    if isinstance(err, (ValueError, TypeError)):
        return "clear" if names_argument(str(err), arg) else "wrong name"
    if err is not None:
        return "raw"
    return "nan" if _has_nan(result) else "accepted"


def run_case(name, arg, value):
    kwargs = dict(BASELINE.get(name, lambda f: {})(fx()))
    kwargs[arg] = value
    result, err = call(name, kwargs)
    return classify(arg, result, err), err


def allowed(label):
    """The outcomes that pass for a case: a clear error, or for a huge finite value also a
    result (without warning or NaN)."""
    return ("clear", "accepted") if is_huge(label) else ("clear",)
