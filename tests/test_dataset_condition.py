"""check_dataset_condition decides margins with a tolerance (icml-prop-11, icml-prop-12;
issue 11, erratum 2): a margin within tol of 0 is never read by its sign."""
import numpy as np
import pytest

import lossbook as lb


def _ratio_sweep_point(ratio):
    # the data of book/part3_datasets.ipynb's ratio sweep: 16 samples on two circles,
    # negatives at radius 1, positives scaled to radius `ratio`
    X0, y0 = lb.make_sphere_data(16, radii=(1.0, 1.0), random_state=0)
    return X0 * np.where(y0 > 0, ratio, 1.0)[:, None], y0


def test_ratio_one_fails_prop12_although_the_margin_is_negative():
    X, y = _ratio_sweep_point(1.0)
    c = lb.check_dataset_condition(X, y)
    # the solver returns a tiny negative number for an exact 0; the old cell read it as "holds"
    assert abs(c.margin) <= c.tol and c.tol > 0
    assert not c.holds and c.outcome != "holds"
    # an admissible λ with S(λ) = 0 exists: 0 is not indefinite, so Proposition 12 fails
    assert c.outcome == "fails" and c.fails and c.verdict == "fails"
    lam = c.zero_witness
    assert lam is not None and np.all(lam >= 0)
    assert lam[y > 0].sum() == pytest.approx(1) and lam[y < 0].sum() == pytest.approx(1)
    S = (X * (lam * y)[:, None]).T @ X
    assert np.linalg.norm(S, 2) < 1e-8
    assert "zero witness" in c.summary() and "-0.0000" not in c.summary()


def test_ratio_one_is_borderline_for_prop11():
    # trace S(λ) = 0 for every admissible λ at equal radii, so S is never definite; the SDP
    # margin is 0 up to solver noise and no exact certificate separates 0 from a small t > 0
    X, y = _ratio_sweep_point(1.0)
    c = lb.check_dataset_condition(X, y, kind="prop11")
    assert c.outcome == "borderline" and c.borderline
    assert not c.holds and not c.fails and "why:" in c.summary()


@pytest.mark.parametrize("ratio", [0.95, 1.05])
def test_neighbours_of_ratio_one_fail_by_a_clear_margin(ratio):
    X, y = _ratio_sweep_point(ratio)
    c = lb.check_dataset_condition(X, y)
    assert c.fails and c.margin > 100 * c.tol and c.zero_witness is None
    assert c.definite in ("positive", "negative")


def test_holds_needs_a_margin_below_minus_tol():
    X, y = lb.make_subspace_data(16, n_features=4, pos_basis=(0, 1), neg_basis=(2, 3),
                                 random_state=0)
    c = lb.check_dataset_condition(X, y)
    assert c.holds and c.margin < -c.tol
    # with a tolerance larger than the margin the same data is borderline, not "holds"
    c_wide = lb.check_dataset_condition(X, y, tol=1.0)
    assert c_wide.outcome == "borderline" and not c_wide.holds


def test_compiled_sdps_give_the_same_condition():
    """The widgets' path (SDPs compiled once per shape, the data as cvxpy Parameters) decides as
    check_dataset_condition does, with the same margins to the solver's tolerance."""
    from lossbook import data

    for seed, ratio in [(0, 2.0), (1, 0.5), (2, 1.02), (3, 1.0), (4, 2.9)]:
        X, y = lb.make_sphere_data(16, radii=(ratio, 1.0), random_state=seed)
        for kind in ("prop12", "prop11"):
            plain = lb.check_dataset_condition(X, y, kind=kind)
            fast = data._dataset_condition(X, y, kind=kind, compiled=True)
            assert fast.outcome == plain.outcome
            assert abs(fast.margin_pd - plain.margin_pd) <= 1e-6
            assert abs(fast.margin_nd - plain.margin_nd) <= 1e-6
            assert np.array_equal(fast.uniform_eigenvalues, plain.uniform_eigenvalues)
            if fast.witness is not None:  # a maximiser: its S has the margin as its bound
                sign = 1.0 if fast.definite != "negative" else -1.0
                ev = np.linalg.eigvalsh(sign * (X * (fast.witness * y)[:, None]).T @ X)
                assert ev[0] >= max(fast.margin_pd, fast.margin_nd) - 1e-6
    assert sum(1 for key in data._SDP_PROBLEMS if key[:2] == (16, 2)) == 2  # prop12, prop11
