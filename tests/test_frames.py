"""Precomputed frames for the static book (lossbook.frames) and their player, offline.

The frames are the widget's own figure (the draw function the notebook widget uses) for each
control value; the player swaps them on a range input. The browser tests open the player with
every request outside file:// blocked, move a control with the keyboard and check that the
image changed to the frame for that value, that the frame loaded, and that the alt text and
the control's readout state the value.
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
from lossbook.frames import frame_grid, player_html, write_frames  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
BUILT = Path(os.environ.get("LOSSBOOK_HTML",
                   Path(__file__).resolve().parents[1] / "_build" / "html"))


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


@pytest.mark.built_book
def test_every_player_in_the_built_book_moves_offline():
    pages = sorted(p for p in BUILT.rglob("*.html") if "lb-frames" in p.read_text())
    if not pages:
        pytest.skip("no built book with frames (make frames, then the book build)")
    sync_playwright = _browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM)
        for path in pages:
            page = browser.new_page()
            blocked = []
            page.route("**/*", lambda r, b=blocked: r.continue_()
                       if r.request.url.startswith("file://")
                       else (b.append(r.request.url), r.abort()))
            page.goto(path.as_uri())
            for k in range(page.locator("figure.lb-frames").count()):
                _move_and_check(page, k, blocked)
            page.close()
        browser.close()
