"""Precomputed frames for the static book (lossbook.frames), their content keys and check
(lossbook.frames_store), and their player (lossbook.player), offline.

The frames are the widget's own figure (the draw function the notebook widget uses) for each
control value; the player swaps them on a range input. The browser test here opens the player
with every request outside file:// blocked, moves a control with the keyboard and checks that
the image changed to the frame for that value, that the frame loaded, and that the alt text and
the control's readout state the value (tests/test_browser.py does the same for every player of
the built book). ``test_stored_frames_are_current`` fails when book/_frames is stale: run
``make frames``.
"""
import io
import json
import os
import shutil
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import lossbook as lb  # noqa: E402
from lossbook import frames_store  # noqa: E402
from lossbook.frames import frame_grid, write_frames  # noqa: E402
from lossbook.player import player_html  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]


def _pixels(data):
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=float)


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    """The population widget's frames over a small grid of two controls."""
    box = lb.population_explorer()
    grid = {"pos_point": [1.0, 1.25, 2.0], "neg_width": [0.5, 1.0]}
    out = tmp_path_factory.mktemp("frames") / "population_explorer"
    return box, grid, out, write_frames(box, out, "population_explorer", grid=grid)


def test_frame_grid_keeps_defaults_and_every_option():
    box = lb.sphere_condition_explorer(2.0, n_samples=16, seed=0)
    grid = frame_grid(box, max_per_control=10)
    assert set(grid) == {"ratio", "seed"}
    assert 2.0 in grid["ratio"] and 0 in grid["seed"]
    assert len(grid["ratio"]) <= 11 and len(grid["seed"]) <= 11
    assert grid["seed"][0] == 0 and grid["seed"][-1] == 20  # the ends of the range
    assert all(isinstance(s, int) for s in grid["seed"])
    box = lb.neuron_loss_explorer()
    assert frame_grid(box)["activation"] == list(box.controls["activation"].options)


def test_frames_are_the_widget_figure_for_each_value(population):
    box, grid, out, m = population
    assert m["rendered"] and (out / "manifest.json").exists()
    c = m["controls"][0]
    assert c["name"] == "pos_point" and c["values"] == ["1", "1.25", "2"]
    assert c["files"][1] == m["default"]  # the default value shows the default view
    frame = _pixels((out / c["files"][2]).read_bytes())  # pos_point = 2.0
    want, default = _pixels(box.png(pos_point=2.0, neg_low=0.0, neg_width=1.0)), \
        _pixels(box.png(**box.defaults))
    assert frame.shape == want.shape
    # lossy WebP: close to the figure for its value, far from the default view
    assert np.abs(frame - want).mean() < 0.25 * np.abs(frame - default).mean()


def test_unchanged_widget_is_not_rendered_again(population):
    box, grid, out, m = population
    again = write_frames(box, out, "population_explorer", grid=grid)
    assert not again["rendered"] and again["key"] == m["key"]
    changed = write_frames(box, out, "population_explorer", grid={"pos_point": [1.25, 2.5]})
    assert changed["rendered"] and changed["key"] != m["key"]
    write_frames(box, out, "population_explorer", grid=grid)  # back, for the other tests


def _browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    return sync_playwright


def _move_and_check(page, fig_index, blocked):
    """Move every control of a player one step; check image, frame, alt text and readout."""
    fig = page.locator("figure.lb-frames").nth(fig_index)
    m = json.loads(fig.get_attribute("data-manifest"))
    base = fig.get_attribute("data-base")
    for k, c in enumerate(m["controls"]):
        if len(c["values"]) < 2:
            continue
        i = c["default"] + 1 if c["default"] + 1 < len(c["values"]) else c["default"] - 1
        before = fig.locator("img").get_attribute("src")
        control = fig.locator("input[type=range]").nth(k)
        control.focus()
        control.press("ArrowRight" if i > c["default"] else "ArrowLeft")
        img = fig.locator("img")
        src = img.get_attribute("src")
        assert src == f"{base}/{c['files'][i]}"
        if c["files"][i] != c["files"][c["default"]]:
            assert src != before
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                               arg=img.element_handle())
        assert f"{c['label']} = {c['values'][i]}" in img.get_attribute("alt")
        assert control.get_attribute("aria-valuetext") == f"{c['label']} = {c['values'][i]}"
        # back to the default, so the next control starts from the default view
        control.press("ArrowLeft" if i > c["default"] else "ArrowRight")
    assert not blocked, f"requests outside file:// were made: {blocked[:3]}"


def test_player_moves_offline(population, tmp_path):
    sync_playwright = _browser()
    box, grid, out, m = population
    site = tmp_path / "site"
    shutil.copytree(out, site / "frames")
    page_path = site / "page.html"
    page_path.write_text("<!doctype html><meta charset=utf-8><body>"
                         + player_html(m, "frames") + "</body>")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page()
        blocked, errors = [], []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                   else (blocked.append(r.request.url), r.abort()))
        page.goto(page_path.as_uri())
        _move_and_check(page, 0, blocked)
        browser.close()
    assert not errors


def test_stored_frames_are_current():
    """book/_frames holds every chapter's frames for the current library, constraints and
    chapter code (content keys), with every file as recorded, within the 25 MB budget."""
    problems = frames_store.stale_frames(ROOT / "book")
    assert not problems, ("the stored frames of the static book are not current; run "
                          "`make frames` (re-renders only the stale chapters) and commit "
                          "book/_frames:\n" + "\n".join(problems))


def test_every_widget_names_its_frames():
    """Each public widget passes its own name to make_widget, the name its frames, the key's
    widget cells and the book's player use."""
    import inspect

    names = frames_store._framed_widgets()
    assert len(names) >= 10
    for name in names:
        assert f'name="{name}"' in inspect.getsource(getattr(lb, name)) or \
            f'name="{name}"' in inspect.getsource(lb.widgets), name


def _chapter(tmp_path, cells):
    book = tmp_path / "book"
    (book / "data").mkdir(parents=True, exist_ok=True)
    nb = {"cells": [{"cell_type": t, "source": s, "metadata": {}} for t, s in cells],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = book / "ch.ipynb"
    path.write_text(json.dumps(nb))
    return path


def test_chapter_key_covers_what_the_frames_depend_on(tmp_path, monkeypatch):
    before = [("code", "import lossbook as lb"), ("markdown", "Explore."),
              ("code", "lb.population_explorer(pos_point=1.25)")]
    after = [("markdown", "Later."), ("code", "x = 1")]
    path = _chapter(tmp_path, before + after)
    key = frames_store.chapter_key(path)
    assert frames_store.widget_cells(json.loads(path.read_text())) == [(2, "population_explorer")]
    # cells after the last widget, and markdown, change no frame
    _chapter(tmp_path, before + [("markdown", "Changed."), ("code", "x = 2")])
    assert frames_store.chapter_key(path) == key
    _chapter(tmp_path, [before[0], ("markdown", "Look."), before[2]] + after)
    assert frames_store.chapter_key(path) == key
    # a code cell up to the widget, the chapter's data, the constraints, the library do
    _chapter(tmp_path, [("code", "import lossbook as lb  # changed")] + before[1:] + after)
    assert frames_store.chapter_key(path) != key
    _chapter(tmp_path, before + after)
    assert frames_store.chapter_key(path) == key
    (path.parent / "data" / "ch-census.npz").write_bytes(b"data")
    assert frames_store.chapter_key(path) not in (key, None)
    (path.parent / "data" / "ch-census.npz").unlink()
    (tmp_path / "constraints.txt").write_text("matplotlib==0\n")
    assert frames_store.chapter_key(path) != key
    (tmp_path / "constraints.txt").unlink()
    monkeypatch.setattr(frames_store, "library_hash", lambda: "another library")
    assert frames_store.chapter_key(path) != key
    # a chapter without widgets has no key
    _chapter(tmp_path, after)
    assert frames_store.chapter_key(path) is None


def test_library_hash_leaves_out_only_modules_that_change_no_frame():
    import lossbook.frames as fr

    src = Path(fr.__file__).parent
    assert set(frames_store.NOT_IN_KEY) == {"player.py", "frames_store.py"}
    assert {p.name for p in src.glob("*.py")} >= {"frames.py", "widgets.py", "player.py"}
    assert fr.library_hash is frames_store.library_hash


def test_stale_and_altered_frames_are_reported(tmp_path, population):
    """A chapter whose key or files differ from its frames.json is reported, naming why."""
    box, grid, out, m = population
    path = _chapter(tmp_path, [("code", "lb.population_explorer()")])
    frames_dir = path.parent / "_frames"
    assert "no frames" in frames_store.chapter_problem(path, frames_dir)
    chapter_dir = frames_dir / "ch"
    shutil.copytree(out, chapter_dir / "population_explorer")
    record = {"key": frames_store.chapter_key(path), "widgets": ["population_explorer"],
              "files": frames_store.chapter_files(chapter_dir)}
    (chapter_dir / frames_store.CHAPTER_FILE).write_text(json.dumps(record))
    assert frames_store.chapter_problem(path, frames_dir) is None
    assert frames_store.stale_frames(path.parent) == []
    one = next(chapter_dir.glob("population_explorer/*.webp"))
    one.write_bytes(one.read_bytes() + b"\0")
    assert "differ" in frames_store.chapter_problem(path, frames_dir)
    one.write_bytes(one.read_bytes()[:-1])
    assert frames_store.chapter_problem(path, frames_dir) is None
    _chapter(tmp_path, [("code", "import numpy"), ("code", "lb.population_explorer()")])
    assert "stale" in frames_store.chapter_problem(path, frames_dir)
    (frames_dir / "gone").mkdir()
    assert any("no chapter" in p for p in frames_store.stale_frames(path.parent))


def test_identical_frames_stored_once_and_inert_controls_left_out(tmp_path):
    """At the default neuron (softplus) the Leaky-ReLU slope changes nothing: its frames are the
    default view, stored once, and the control is listed as inert instead of offered."""
    box = lb.neuron_loss_explorer()
    grid = {"p": [1, 2, 3], "slope": [0.1, 0.3, 0.5]}
    m = write_frames(box, tmp_path / "w", "neuron_loss_explorer", grid=grid)
    assert [c["name"] for c in m["controls"]] == ["p"] and m["inert"] == ["slope"]
    assert m["frames"] == 3 == len(list((tmp_path / "w").glob("*.webp")))
    shas = {frames_store._sha256(p) for p in (tmp_path / "w").glob("*.webp")}
    assert len(shas) == 3  # no file is stored twice


def test_code_digest_ignores_docstrings_and_comments_only():
    d = frames_store.code_digest
    base = 'def f(x):\n    """Doc."""\n    return x  # note\n'
    assert d(base) == d('def f(x):\n    """Another doc, longer."""\n\n    return x\n')
    assert d(base) == d('"""Module doc."""\n' + base)
    assert d(base) != d('def f(x):\n    """Doc."""\n    return x + 1\n')
    assert d(base) != d('def f(y):\n    """Doc."""\n    return y\n')
    assert d('X = "text"\n') != d('X = "other text"\n')  # a string that is a value counts
