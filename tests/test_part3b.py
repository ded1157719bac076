"""Part III (b): exact loss examples, the dataset-condition checker, scaling and descent paths."""
from fractions import Fraction

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import lossbook as lb  # noqa: E402


# -- icml-ex-1 -------------------------------------------------------------------------------
def test_example1_exact_values():
    m = lb.linear_population_minimiser("quadratic")
    assert (m.a, m.b) == (Fraction(72, 35), Fraction(-9, 5))
    assert m.threshold == Fraction(7, 8)
    assert m.error == Fraction(1, 16)
    assert m.loss == Fraction(8, 35)
    assert m.exact


def test_example1_threshold_is_midpoint():
    # second normal equation: threshold = (q + E[U]) / 2
    for q in (Fraction(11, 10), Fraction(5, 4), Fraction(7, 5)):
        m = lb.linear_population_minimiser("quadratic", pos_point=q, neg_interval=(0, 1))
        assert m.threshold == (q + Fraction(1, 2)) / 2
        assert m.error == (Fraction(3, 2) - q) / 4


def test_example1_hinge_has_zero_error():
    h = lb.linear_population_minimiser("polynomial_hinge", p=6)
    assert h.error == 0 and h.loss == 0 and not h.exact


def test_population_error_cases():
    q, iv = Fraction(5, 4), (0, 1)
    assert lb.linear_population_error(8, -9, pos_point=q, neg_interval=iv) == 0
    assert lb.linear_population_error(0, 1, pos_point=q, neg_interval=iv) == Fraction(1, 2)
    assert lb.linear_population_error(0, -1, pos_point=q, neg_interval=iv) == Fraction(1, 2)
    # a < 0: positives wrong, negatives on [0, 1/2] right: 1/2 + 1/4
    assert lb.linear_population_error(-2, 1, pos_point=q, neg_interval=iv) == Fraction(3, 4)


def test_example1_bad_input():
    with pytest.raises(ValueError, match="neg_interval"):
        lb.linear_population_minimiser("quadratic", neg_interval=(1, 0))
    with pytest.raises(TypeError, match="neg_interval"):
        lb.linear_population_minimiser("quadratic", neg_interval=1.0)
    with pytest.raises(ValueError, match="loss"):
        lb.linear_population_minimiser("logistic")
    with pytest.raises(TypeError, match="pos_point"):
        lb.linear_population_minimiser("quadratic", pos_point=[1.0])
    with pytest.raises(ValueError, match="pos_point"):
        lb.linear_population_minimiser("quadratic", pos_point=float("nan"))


def test_point_interval_data():
    X, y = lb.make_point_interval_data(200, random_state=0)
    assert X.shape == (200, 1) and set(np.unique(y)) == {-1.0, 1.0}
    assert np.all(X[y > 0, 0] == 1.25)
    assert np.all((X[y < 0, 0] >= 0) & (X[y < 0, 0] <= 1))
    with pytest.raises(ValueError, match="neg_interval"):
        lb.make_point_interval_data(10, neg_interval=(2, 1))


# -- icml-ex-b8 ------------------------------------------------------------------------------
def test_atom_least_squares_example():
    fit = lb.atom_least_squares((2, 1, 3, 2), Fraction(1, 10))
    assert fit.wrong == 2 and fit.error == Fraction(1, 4)
    assert float(fit.a0) == pytest.approx(-0.2000, abs=1e-4)
    assert float(fit.q11) == pytest.approx(1.2238, abs=1e-4)
    assert float(fit.q22) == pytest.approx(-0.8119, abs=1e-4)
    # the outputs satisfy the single linear relation of the model on the atoms
    u1, u2, v1, v2 = fit.values
    a2 = Fraction(1, 100)
    assert u1 - a2 * u2 == v1 - a2 * v2


def test_atom_least_squares_matches_lstsq():
    alpha = 0.3
    counts = (3, 2, 1, 4)
    atoms = np.array([[alpha, 0], [1, 0], [0, alpha], [0, 1.0]])
    X = np.repeat(atoms, counts, axis=0)
    y = np.repeat([1.0, 1, -1, -1], counts)
    A = np.column_stack([np.ones(len(X)), X[:, 0] ** 2, X[:, 1] ** 2])
    coef = np.linalg.lstsq(A, y, rcond=None)[0]
    fit = lb.atom_least_squares(counts, alpha)
    assert np.allclose(coef, [float(fit.a0), float(fit.q11), float(fit.q22)])


def test_atom_missing_atom_fits_exactly():
    fit = lb.atom_least_squares((0, 2, 3, 1), Fraction(1, 2))
    assert fit.wrong == 0 and fit.error == 0


def test_atom_probability_exact_and_float_agree():
    p = lb.atom_bad_event_probability(Fraction(1, 10), 8)
    assert p == Fraction(525, 4096)
    assert lb.atom_bad_event_probability(0.1, 8, exact=False) == pytest.approx(525 / 4096, rel=1e-12)
    assert lb.atom_bad_event_probability(Fraction(3, 10), 12) == pytest.approx(
        lb.atom_bad_event_probability(0.3, 12, exact=False), rel=1e-12)
    assert lb.atom_bad_event_probability(0.5, 4) == 0


def test_atom_bad_input():
    with pytest.raises(ValueError, match="alpha"):
        lb.atom_least_squares((1, 1, 1, 1), 1.5)
    with pytest.raises(TypeError, match="counts"):
        lb.atom_least_squares((1, 1, 1, 1.5), 0.5)
    with pytest.raises(ValueError, match="counts"):
        lb.atom_least_squares((0, 0, 0, 0), 0.5)
    with pytest.raises(ValueError, match="n_samples"):
        lb.atom_bad_event_probability(0.5, 0)
    with pytest.raises(ValueError, match="alpha"):
        lb.atom_bad_event_probability(0.0, 8, exact=False)
    with pytest.raises(ValueError, match="alpha"):
        lb.make_atom_data(8, alpha=2.0)


def test_atom_data_counts():
    X, y, counts = lb.make_atom_data(40, alpha=0.5, random_state=0)
    assert sum(counts) == 40 and X.shape == (40, 2)
    assert int(np.sum(y > 0)) == counts[0] + counts[1]


# -- icml-prop-11, icml-prop-12 -----------------------------------------------------------------
def test_checker_circles_fail_with_known_margin():
    # positives at (±2, 0), (0, ±2); negatives at (±1, 0), (0, ±1): S = (4 − 1)/2 · I at uniform λ
    P = np.array([[2.0, 0], [-2, 0], [0, 2], [0, -2]])
    X = np.vstack([P, P / 2])
    y = np.r_[np.ones(4), -np.ones(4)]
    c = lb.check_dataset_condition(X, y)
    assert c.fails and c.definite == "positive"
    assert c.margin == pytest.approx(1.5, abs=1e-6)
    assert c.margin_nd == pytest.approx(-1.5, abs=1e-6)
    assert np.allclose(c.uniform_eigenvalues, [1.5, 1.5])
    # the witness is admissible
    assert np.all(c.witness >= 0)
    assert c.witness[y > 0].sum() == pytest.approx(1) and c.witness[y < 0].sum() == pytest.approx(1)
    # swapping the labels flips the sign
    c2 = lb.check_dataset_condition(X, -y)
    assert c2.fails and c2.definite == "negative"


def test_checker_subspace_holds():
    X, y = lb.make_subspace_data(16, n_features=4, pos_basis=(0, 1), neg_basis=(2, 3), random_state=0)
    for kind in ("prop11", "prop12"):
        c = lb.check_dataset_condition(X, y, kind=kind)
        assert c.holds and c.margin < 0 and c.definite == "none"


def test_checker_one_dimensional_and_scs():
    # d = 1: S(λ) = Σ₊λx² − Σ₋λx²; positives at 2, negatives at 1 → max t = 4 − 1
    X = np.array([[2.0], [-2.0], [1.0], [-1.0]])
    y = np.array([1.0, 1, -1, -1])
    c = lb.check_dataset_condition(X, y)
    assert c.margin == pytest.approx(3.0, abs=1e-6)
    c_scs = lb.check_dataset_condition(X, y, solver="SCS")
    assert c_scs.margin == pytest.approx(3.0, abs=1e-3)


def test_checker_borderline_and_prop11_infeasible():
    # one coordinate unused by the negatives and one by nobody: best S is singular semidefinite
    X = np.array([[1.0, 0.0], [0.0, 0.0], [0.5, 0.0]])
    X[1] = [2.0, 0.0]
    y = np.array([1.0, -1.0, -1.0])
    c = lb.check_dataset_condition(X, y)
    # an admissible λ gives S(λ) = 0 here (4λ₂ + λ₃/4 = 1): not indefinite, Prop 12 fails
    assert c.outcome == "fails" and c.zero_witness is not None
    # S(λ) = diag(3/4, 0) for every admissible λ: singular semidefinite, margin 0, nothing exact
    c = lb.check_dataset_condition(np.array([[1.0, 0.0], [0.5, 0.0]]), np.array([1.0, -1.0]))
    assert c.verdict == "borderline" and not c.holds and not c.fails
    # Prop 11: Σλyx = 0 impossible when the classes sit in disjoint half-lines
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, -1.0])
    c = lb.check_dataset_condition(X, y, kind="prop11")
    assert c.holds and c.margin == -np.inf and c.witness is None


def test_checker_bad_input():
    X = np.eye(2)
    with pytest.raises(ValueError, match="kind"):
        lb.check_dataset_condition(X, [1, -1], kind="prop13")
    with pytest.raises(ValueError, match="solver"):
        lb.check_dataset_condition(X, [1, -1], solver="MOSEK")
    with pytest.raises(ValueError, match="y"):
        lb.check_dataset_condition(X, [1, 1])
    with pytest.raises(ValueError, match="y"):
        lb.check_dataset_condition(X, [1, 0])
    with pytest.raises(ValueError, match="X"):
        lb.check_dataset_condition(np.zeros((2, 2)), [1, -1])
    with pytest.raises(ValueError, match="tol"):
        lb.check_dataset_condition(X, [1, -1], tol=-1.0)
    with pytest.raises(TypeError, match="tol"):
        lb.check_dataset_condition(X, [1, -1], tol="a")


def test_sphere_data():
    X, y = lb.make_sphere_data(10, n_features=3, radii=(2.0, 0.5), random_state=0)
    norms = np.linalg.norm(X, axis=1)
    assert np.allclose(norms[y > 0], 2.0) and np.allclose(norms[y < 0], 0.5)
    with pytest.raises(ValueError, match="radii"):
        lb.make_sphere_data(10, radii=(1.0, -1.0))
    with pytest.raises(TypeError, match="radii"):
        lb.make_sphere_data(10, radii=1.0)


# -- icml-prop-9, icml-prop-10 ------------------------------------------------------------------
def _logistic_objective():
    X, y = lb.make_shared_coordinate_data(10, random_state=0)
    ff = lb.feedforward(3, hidden=(2,), activation="tanh")
    return ff, lb.Objective(ff, "logistic", X, y)


def test_output_scaling_derivative_matches_finite_difference():
    ff, obj = _logistic_objective()
    p = ff.init(3)
    h = 1e-6
    scaled = {**p, "v": (1 + h) * p["v"], "c": (1 + h) * p["c"]}
    fd = (float(obj(scaled)) - float(obj(p))) / h
    assert float(lb.output_scaling_derivative(obj, obj.flatten(p))) == pytest.approx(fd, abs=1e-5)
    # batched
    th = obj.flatten(ff.init(0, batch=3))
    assert lb.output_scaling_derivative(obj, th).shape == (3,)


def test_output_scaling_negative_at_zero_error():
    X = np.array([[1.0], [-1.0]])
    y = np.array([1.0, -1.0])
    lin = lb.feedforward(1, hidden=())
    obj = lb.Objective(lin, "logistic", X, y)
    th = obj.flatten({"v": np.array([2.0]), "c": np.array(0.0)})
    assert obj.error(th) == 0
    assert lb.output_scaling_derivative(obj, th) < 0


def test_gradient_descent_path():
    ff, obj = _logistic_objective()
    path = lb.gradient_descent(obj, obj.flatten(ff.init(0)), learning_rate=0.5, n_steps=50, record=5)
    assert path.steps[0] == 0 and path.steps[-1] == 50
    assert path.thetas.shape == (len(path.steps), obj.n_params)
    assert np.all(np.diff(path.losses) <= 1e-12)  # small steps on a smooth loss: monotone
    assert np.allclose(path.thetas[-1], path.theta)
    with pytest.raises(ValueError, match="learning_rate"):
        lb.gradient_descent(obj, path.theta, learning_rate=0.0)
    with pytest.raises(ValueError, match="theta"):
        lb.gradient_descent(obj, np.zeros((2, obj.n_params)))
    with pytest.raises(ValueError, match="record"):
        lb.gradient_descent(obj, path.theta, record=1)


# -- widgets ------------------------------------------------------------------------------------
def test_render_functions():
    fig = lb.render_population_minimisers(1.25, 0.0, 1.0)
    assert isinstance(fig, plt.Figure)
    plt.close(fig)
    fig = lb.render_sphere_condition(2.0, n_samples=12, seed=0, n_probes=10)
    assert isinstance(fig, plt.Figure)
    plt.close(fig)
    with pytest.raises(ValueError, match="neg_width"):
        lb.render_population_minimisers(1.25, 0.0, 0.0)
    with pytest.raises(ValueError, match="ratio"):
        lb.render_sphere_condition(0.0)
