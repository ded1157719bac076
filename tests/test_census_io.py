"""Census files and bands (issue 10 item 2): save / load_census / census_band."""
import json

import numpy as np
import pytest

import lossbook as lb

HINGE3 = lb.get_loss("polynomial_hinge", p=3)


@pytest.fixture(scope="module")
def small():
    X, y = lb.make_xor_data(random_state=0)
    model = lb.feedforward(2, (3,), "relu")
    c = lb.census(model, HINGE3, X, y, n_runs=8, maxiter=150, n_probes=10, random_state=3)
    return model, X, y, c


def test_save_load_round_trip_recertifies_exactly(small, tmp_path):
    model, X, y, c = small
    path = tmp_path / "xor.npz"
    c.save(path)
    back = lb.load_census(path, model, HINGE3, X, y)
    np.testing.assert_array_equal(back.thetas, c.thetas)
    np.testing.assert_array_equal(back.iterations, c.iterations)
    np.testing.assert_array_equal(back.converged, c.converged)
    np.testing.assert_array_equal(back.initial, c.initial)
    assert back.counts == c.counts and back.categories == c.categories
    assert back.verdicts == c.verdicts
    assert back.summary() == c.summary()
    assert back.band is None
    meta = back.meta
    assert meta["format"] == "lossbook-census/1" and meta["lossbook"] == lb.__version__
    assert meta["model"] == model.name and meta["loss"] == HINGE3.name
    assert (meta["n"], meta["d"], meta["P"]) == (32, 2, 13)
    assert meta["options"]["n_runs"] == 8 and meta["options"]["random_state"] == 3
    assert meta["options"]["radii"] == [0.1, 0.01, 0.001]


def test_load_rejects_other_data_model_loss(small, tmp_path):
    model, X, y, c = small
    path = tmp_path / "xor.npz"
    c.save(path)
    with pytest.raises(ValueError, match="X: .*sha256"):
        lb.load_census(path, model, HINGE3, lb.nudge(X, 1), y)
    with pytest.raises(ValueError, match="y: .*sha256"):
        lb.load_census(path, model, HINGE3, X, -y)
    with pytest.raises(ValueError, match="model"):
        lb.load_census(path, lb.feedforward(2, (4,), "relu"), HINGE3, X, y)
    with pytest.raises(ValueError, match="loss"):
        lb.load_census(path, model, lb.get_loss("polynomial_hinge", p=4), X, y)
    with pytest.raises(ValueError, match="reduction"):
        lb.load_census(path, model, HINGE3, X, y, reduction="sum")
    np.savez_compressed(tmp_path / "other.npz", thetas=c.thetas, iterations=c.iterations,
                        converged=c.converged, meta=np.array(json.dumps({"format": "x"})))
    with pytest.raises(ValueError, match="format"):
        lb.load_census(tmp_path / "other.npz", model, HINGE3, X, y)


def test_band_measure_contains_and_json_round_trip(small, tmp_path):
    model, X, y, c = small
    band = lb.census_band(model, HINGE3, X, y, n_reruns=2, base=c, n_runs=8, maxiter=150,
                          n_probes=10, random_state=3)
    assert band.n_reruns == 2 and "1e-15" in band.how
    assert set(band.lo) == set(lb.COUNT_KEYS)
    for k in band.lo:
        assert band.lo[k] <= c.counts[k] <= band.hi[k]
        assert len(band.samples[k]) == 3 and band.samples[k][0] == c.counts[k]
    assert band.contains(c)
    # the slack: max(1, hi − lo) beyond each end, and no more
    k = "zero training error"
    s = band.slack(k)
    assert s == max(1, band.hi[k] - band.lo[k])
    inside = dict(c.counts, **{k: band.hi[k] + s})
    outside = dict(c.counts, **{k: band.hi[k] + s + 1})
    assert band.contains(inside) and not band.contains(outside)
    back = lb.CensusBand.from_json(json.loads(json.dumps(band.to_json())))
    assert back == band and list(back.lo) == list(lb.COUNT_KEYS)
    assert "max(1, hi − lo)" in band.summary()
    path = tmp_path / "banded.npz"
    c.save(path, band=band)
    loaded = lb.load_census(path, model, HINGE3, X, y)
    assert loaded.band == band and loaded.band.contains(loaded)


def test_nudge_is_rounding_level_and_keeps_repeated_rows():
    X = np.vstack([np.eye(3), np.eye(3)[:1]])
    Z = lb.nudge(X, 4)
    assert not np.array_equal(Z, X)
    assert np.max(np.abs(Z - X)) <= 2e-15
    np.testing.assert_array_equal(Z[0], Z[3])  # identical rows stay identical
    np.testing.assert_array_equal(lb.nudge(X, 4), Z)  # seeded


def test_save_rejects_a_band_of_the_wrong_type(small, tmp_path):
    c = small[3]
    with pytest.raises(TypeError, match="band"):
        c.save(tmp_path / "x.npz", band={"lo": {}})
