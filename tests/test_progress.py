"""The census progress bar: on when it helps, never in tests or in a notebook's compared output."""
import sys

import pytest

import lossbook as lb
from lossbook import sweep


@pytest.fixture
def objective():
    X, y = lb.make_separable_data(12, n_features=2, random_state=0)
    return lb.Objective(lb.single_layer(2, 2, "softplus"), "logistic", X, y)


@pytest.fixture
def thetas(objective):
    model = lb.single_layer(2, 2, "softplus")
    return objective.flatten(model.init(0, batch=4))


def test_auto_is_off_under_pytest(monkeypatch):
    # pytest sets PYTEST_CURRENT_TEST; an nbval kernel inherits it from the pytest process
    monkeypatch.delenv("LOSSBOOK_PROGRESS", raising=False)
    assert "PYTEST_CURRENT_TEST" in __import__("os").environ
    assert sweep._progress(5, None) is None
    assert sweep._progress(5, False) is None


def test_auto_on_an_interactive_terminal(monkeypatch):
    monkeypatch.delenv("LOSSBOOK_PROGRESS", raising=False)
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert sweep._auto_progress() is True
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert sweep._auto_progress() is False  # a log file or a pipe: no bar


@pytest.mark.parametrize("value, expected", [("0", False), ("off", False), ("1", True)])
def test_environment_override(monkeypatch, value, expected):
    monkeypatch.setenv("LOSSBOOK_PROGRESS", value)
    assert sweep._auto_progress() is expected


def test_forced_bar_on_stderr_completes(objective, thetas, capsys, monkeypatch):
    bars = []
    monkeypatch.setattr(sweep, "_Progress", lambda *a, **k: bars.append(
        _Recorder(*a, **k)) or bars[-1])
    res = lb.train_batch(objective, thetas, maxiter=30, progress=True)
    out, err = capsys.readouterr()
    assert "runs finished" in err and out == ""  # a text bar, on stderr only
    (bar,) = bars
    assert bar.closed_at == (4, 4)  # closed at 100 %, not left part-way (tqdm's red bar)
    assert res.iterations.max() <= 30


class _Recorder(sweep._Progress):
    def close(self):
        super().close()
        self.closed_at = (self._bar.n, self._bar.total)


def test_quick_run_prints_nothing_and_stdout_stays_clean(objective, thetas, capsys,
                                                         monkeypatch):
    monkeypatch.setenv("LOSSBOOK_PROGRESS", "1")  # as if interactive: the 1 s delay applies
    # a frozen clock makes the run "quick" however loaded the machine is (no timing in tests):
    # tqdm reads the time through tqdm.std.time
    monkeypatch.setattr("tqdm.std.time", lambda: 1000.0)
    lb.train_batch(objective, thetas, maxiter=30)
    out, err = capsys.readouterr()
    assert out == "" and err == ""


def test_census_passes_progress_through(objective, monkeypatch):
    seen = []
    monkeypatch.setattr(sweep, "_progress", lambda n, p: seen.append((n, p)))
    X, y = lb.make_separable_data(12, n_features=2, random_state=0)
    lb.census(lb.single_layer(2, 2, "softplus"), "logistic", X, y, n_runs=3, maxiter=5,
              n_probes=4, progress=False)
    assert seen == [(3, False)]


def test_notebook_bar_has_no_text_plain(monkeypatch):
    """In Jupyter the bar is displayed as a widget view only: nbval skips that mime type
    when comparing outputs and the static book renders nothing for it."""
    pytest.importorskip("ipywidgets")
    from IPython.core.formatters import DisplayFormatter

    shown = []
    monkeypatch.setattr(sweep, "_in_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display",
                        lambda obj, **kw: shown.append(DisplayFormatter().format(obj, **kw)))
    bar = sweep._Progress(3, delay=0.0)
    bar.update(1, 1)
    bar.close()
    assert len(shown) == 1
    data, _ = shown[0]
    assert set(data) == {"application/vnd.jupyter.widget-view+json"}
