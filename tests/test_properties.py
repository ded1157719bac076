"""Property-based tests (hypothesis)."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import lossbook as lb

finite = st.floats(-50, 50, allow_nan=False)


@given(arrays(float, st.integers(1, 30), elements=finite), st.integers(1, 8))
def test_hinge_is_a_surrogate(z, p):
    assert np.all(lb.get_loss("polynomial_hinge", p=p)(z) >= (z >= 0))


@given(arrays(float, st.integers(1, 30), elements=finite))
def test_losses_nondecreasing_where_assumed(z):
    z = np.sort(z)
    for loss in (lb.get_loss("polynomial_hinge", p=3), lb.get_loss("logistic")):
        assert np.all(np.diff(loss(z)) >= -1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 20), st.integers(1, 5))
def test_training_error_at_most_loss(seed, n, m):
    X, y = lb.make_subspace_data(n, n_features=4, pos_basis=(0, 1), neg_basis=(1, 2, 3), random_state=seed)
    model = lb.single_layer(4, m, "softplus")
    obj = lb.Objective(model, lb.get_loss("polynomial_hinge", p=2), X, y)
    T = obj.flatten(model.init(seed, batch=4))
    assert np.all(obj.error(T) <= obj.value(T) + 1e-12)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_flatten_roundtrip(seed):
    model = lb.shortcut(lb.single_layer(3, 2), lb.feedforward(3, (2, 2)))
    p = model.init(seed)
    theta, unflatten = lb.flatten(p)
    q = unflatten(theta)
    assert np.allclose(lb.flatten(q)[0], theta)
    assert np.allclose(model.apply(p, np.eye(3)), model.apply(q, np.eye(3)))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.integers(4, 30))
def test_separable_generator_always_separable(seed, n):
    X, y = lb.make_separable_data(n, n_features=3, random_state=seed)
    assert lb.is_linearly_separable(X, y)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000))
def test_same_seed_same_data(seed):
    a = lb.make_subspace_data(10, n_features=5, neg_basis=(2, 4), random_state=seed)
    b = lb.make_subspace_data(10, n_features=5, neg_basis=(2, 4), random_state=seed)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
