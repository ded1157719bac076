"""lossbook: build, find, certify and draw the minima of classification losses.

The public API, re-exported here; see the book's API reference page for each function.
"""
from .activations import ACTIVATIONS, CLASSES, Activation, get_activation
from .data import (
    AssumptionReport,
    check_assumptions,
    is_linearly_separable,
    make_separable_data,
    make_shared_coordinate_data,
    make_subspace_data,
)
from .landscape import (
    VERDICTS,
    Certificate,
    Objective,
    certify,
    certify_batch,
    empirical_loss,
    find_critical_point,
    loss_slice_1d,
    loss_slice_2d,
    training_error,
)
from .losses import LOSSES, Loss, LossCheck, check_loss_assumption, get_loss
from .misc.flatten import flatten
from .models import (
    Model,
    add_exponential_neuron,
    add_monomial_neuron,
    constant,
    exponential_per_layer,
    feedforward,
    identity_shortcut,
    shortcut,
    single_layer,
)
from .plotting import (
    COLORS,
    plot_activations,
    plot_architecture,
    plot_census,
    plot_data_2d,
    plot_decision_regions,
    plot_losses,
    plot_slice_1d,
    plot_slice_2d,
    set_style,
)
from .sweep import Census, TrainResult, census, train_batch
from .widgets import make_widget, render_slice, slice_explorer

__version__ = "0.1.0"

__all__ = [
    "ACTIVATIONS", "CLASSES", "Activation", "get_activation",
    "AssumptionReport", "check_assumptions", "is_linearly_separable", "make_separable_data",
    "make_shared_coordinate_data", "make_subspace_data",
    "VERDICTS", "Certificate", "Objective", "certify", "certify_batch", "empirical_loss",
    "find_critical_point", "loss_slice_1d", "loss_slice_2d", "training_error",
    "LOSSES", "Loss", "LossCheck", "check_loss_assumption", "get_loss",
    "flatten",
    "Model", "add_exponential_neuron", "add_monomial_neuron", "constant", "exponential_per_layer",
    "feedforward", "identity_shortcut", "shortcut", "single_layer",
    "COLORS", "plot_activations", "plot_architecture", "plot_census", "plot_data_2d",
    "plot_decision_regions", "plot_losses", "plot_slice_1d", "plot_slice_2d", "set_style",
    "Census", "TrainResult", "census", "train_batch",
    "make_widget", "render_slice", "slice_explorer",
]
