"""The band engine benchmarks/census_bands.py and benchmarks/list_bands.py (issue 10, item 2)."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import lossbook as lb

ROOT = Path(__file__).resolve().parents[1]

SPEC = '''
import lossbook as lb


def _xor():
    X, y = lb.make_xor_data(random_state=0)
    return dict(model=lb.feedforward(2, (3,), "relu"), loss=lb.get_loss("polynomial_hinge", p=3),
                X=X, y=y, options=dict(n_runs=4, maxiter=40, n_probes=5, random_state=1))


CENSUSES = {"tiny-xor": _xor}
LIVE = {"tiny-live": _xor}
'''


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def specs(tmp_path):
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "tiny.py").write_text(SPEC)
    return tmp_path / "specs"


def test_census_specs_match_the_stored_files_one_to_one(capsys):
    engine = _load("census_bands")
    assert engine.main(["--list"]) == 0
    listed = capsys.readouterr().out.split()
    stored = sorted(p.stem for p in (ROOT / "book" / "data").glob("*.npz"))
    assert len(listed) == len(set(listed)) and sorted(listed) == stored
    assert not set(engine.live_keys(ROOT / "benchmarks" / "censuses")) & set(stored)


def test_census_band_engine_jobs_do_not_change_the_band(specs, tmp_path):
    engine = _load("census_bands")
    common = ["tiny-xor", "--reruns", "2", "--kernels", "Nehalem", "--kernel-reruns", "1",
              "--specs", str(specs)]
    bands = []
    for jobs in ("1", "3"):
        out = tmp_path / f"data{jobs}"
        assert engine.main(common + ["--jobs", jobs, "--out", str(out)]) == 0
        X, y = lb.make_xor_data(random_state=0)
        c = lb.load_census(out / "tiny-xor.npz", lb.feedforward(2, (3,), "relu"),
                           lb.get_loss("polynomial_hinge", p=3), X, y)
        assert c.band.n_reruns == 2 + 2 and "Nehalem" in c.band.how and "reruns 1…1" in c.band.how
        assert [c.band.samples[k][0] for k in c.band.lo] == [c.counts[k] for k in c.band.lo]
        bands.append((c.band.to_json(), c.thetas))
    assert bands[0][0] == bands[1][0]
    assert np.array_equal(bands[0][1], bands[1][1])


def test_census_band_engine_keys_and_live_censuses(specs, tmp_path, capsys):
    engine = _load("census_bands")
    assert engine.main(["tiny-live", "--live", "--reruns", "1", "--specs", str(specs),
                        "--out", str(tmp_path / "data")]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("tiny-live")
    assert not (tmp_path / "data").exists()  # a live census is measured, never saved
    (specs / "other.py").write_text(SPEC.replace('"tiny-xor"', '"xor"'))
    with pytest.raises(ValueError, match="should be 'other-<name>'"):
        engine.load_specs(specs)


def test_list_bands_recertifies_and_flags_a_changed_base(specs, tmp_path, capsys):
    engine, lister = _load("census_bands"), _load("list_bands")
    data = tmp_path / "data"
    assert engine.main(["tiny-xor", "--reruns", "1", "--specs", str(specs), "--out", str(data)]) == 0
    capsys.readouterr()
    assert lister.main(["--data", str(data), "--specs", str(specs)]) == 0
    text = capsys.readouterr().out
    row = next(line for line in text.splitlines() if line.startswith("tiny-xor"))
    assert row.split()[1:3] == ["4", "[4]"] and "re-certified" in text and "!" not in text
    # a file whose band's base run disagrees with its re-certified counts is flagged
    path = data / "tiny-xor.npz"
    X, y = lb.make_xor_data(random_state=0)
    c = lb.load_census(path, lb.feedforward(2, (3,), "relu"), lb.get_loss("polynomial_hinge", p=3), X, y)
    counts = dict(c.counts, runs=5)
    c.save(path, band=lb.CensusBand.from_counts([counts, c.counts], "edited"))
    assert lister.main(["--data", str(data), "--specs", str(specs)]) == 1
    assert "runs (4 vs 5)" in capsys.readouterr().out


def test_census_bands_engine_stores_a_loadable_banded_census(tmp_path, capsys):
    engine = _load("census_bands")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "tiny.py").write_text(SPEC)
    assert engine.main(["tiny", "--reruns", "1", "--kernels", "Nehalem", "--specs",
                        str(tmp_path / "specs"), "--out", str(tmp_path / "data")]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[1].startswith("tiny-xor")
    X, y = lb.make_xor_data(random_state=0)
    c = lb.load_census(tmp_path / "data" / "tiny-xor.npz", lb.feedforward(2, (3,), "relu"),
                       lb.get_loss("polynomial_hinge", p=3), X, y)
    assert c.band.n_reruns == 2 and "Nehalem" in c.band.how and c.band.contains(c)
    assert c.options["n_runs"] == 4 and c.n_runs == 4


def test_census_bands_merge_keeps_the_end_points_and_widens_the_band(specs, tmp_path):
    """``--merge``: another machine's runs join the stored band; the stored end points (what a
    chapter re-certifies and prints) stay as they were, bit for bit."""
    engine = _load("census_bands")
    data = tmp_path / "data"
    assert engine.main(["tiny-xor", "--reruns", "1", "--specs", str(specs), "--out", str(data)]) == 0
    path = data / "tiny-xor.npz"
    with np.load(path) as f:
        before = {k: f[k].copy() for k in ("thetas", "iterations", "converged")}
    X, y = lb.make_xor_data(random_state=0)
    args = (lb.feedforward(2, (3,), "relu"), lb.get_loss("polynomial_hinge", p=3), X, y)
    old = lb.load_census(path, *args).band
    assert engine.main(["tiny-xor", "--merge", "--reruns", "2", "--specs", str(specs),
                        "--out", str(data)]) == 0
    with np.load(path) as f:
        assert all(np.array_equal(f[k], v) for k, v in before.items())
    new = lb.load_census(path, *args).band
    assert new.n_reruns == old.n_reruns + 2 + 1 and "on another machine (" in new.how
    assert old.how in new.how
    assert all(new.lo[k] <= old.lo[k] and new.hi[k] >= old.hi[k] for k in old.lo)
    assert all(len(new.samples[k]) == len(old.samples[k]) + 3 for k in old.lo)
