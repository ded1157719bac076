"""A chapter in JupyterLab, the way a reader uses it (``make lab``): headless Chromium opens
``part1_setting`` in JupyterLab (with jupyterlab-myst), runs every cell, moves one slider of
the chapter's explorer widget and waits for its figure to change.

Also checked: every cell ran without an error, and the chapter's MyST markup is rendered, not
shown as source (no ``{prf:...}``, ``:::{...}`` or ``:label:`` text in rendered Markdown).

JupyterLab serves a copy of ``book/`` from a temporary directory on 127.0.0.1 (nothing is
written into the repository), without news, update checks or extension-manager requests.
Skipped, with a message, where Chromium or JupyterLab/jupyterlab-myst is missing.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from _chromium import find_chromium

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "part1_setting.ipynb"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic", "--disable-default-apps", "--disable-extensions"]
RUN_TIMEOUT_S = 600  # the whole chapter under a loaded machine


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    pytest.importorskip("jupyterlab", reason="no JupyterLab: `make setup` installs the lab extra")
    pytest.importorskip("jupyterlab_myst", reason="no jupyterlab-myst: `make setup` installs it")
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", root / "book", ignore=shutil.ignore_patterns("_build", "*.json"))
    # every cell in the page (no windowing: the widget far down is rendered too), no news
    settings = root / "settings" / "@jupyterlab"
    for rel, text in {"notebook-extension/tracker.jupyterlab-settings": '{"windowingMode": "none"}',
                      "apputils-extension/notification.jupyterlab-settings": '{"fetchNews": "false"}'
                      }.items():
        (settings / rel).parent.mkdir(parents=True, exist_ok=True)
        (settings / rel).write_text(text)
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(root / "runtime"),
               JUPYTER_CONFIG_DIR=str(root / "config"), LOSSBOOK_PROGRESS="0")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
           "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}", "--ServerApp.port_retries=0",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.extension_manager=readonly", f"--LabApp.user_settings_dir={root / 'settings'}",
           f"--LabApp.workspaces_dir={root / 'workspaces'}", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI and these machines run as root
    log = open(root / "lab.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5)
            break
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                proc.kill()
                pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
    yield {"url": f"{base}/lab/tree/book/{CHAPTER}?token={token}", "root": root}
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


WAIT_IDLE_JS = """
async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  return panel.context.path;
}
"""

RUN_ALL_JS = """
async () => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await app.commands.execute('notebook:run-all-cells');
  return panel.content.widgets.length;
}
"""

STATE_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const pending = cells.filter(c => c.model.executionCount === null
                                    || c.node.querySelector('.jp-InputArea-prompt')
                                         .textContent.includes('*')).length;
  const errors = [...panel.node.querySelectorAll(
      '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')]
    .map(e => e.textContent.slice(0, 300));
  return {code: cells.length, pending, errors,
          status: panel.sessionContext.kernelDisplayStatus};
}
"""

MARKUP_JS = """
() => [...document.querySelectorAll('.jp-MarkdownCell .myst')].map(e => e.innerText)
        .filter(t => /\\{prf:|:::\\{|```\\{|^:label:/m.test(t)).map(t => t.slice(0, 200))
"""


def test_a_chapter_runs_in_jupyterlab_and_its_slider_redraws_the_figure(lab):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium: the JupyterLab test needs Debian's `chromium` "
                    "(`make setup` installs it when run as root), or $CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(lab["url"], wait_until="load")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
                               " && window.jupyterapp.shell.currentWidget.content", timeout=120_000)
        assert page.evaluate(WAIT_IDLE_JS) == f"book/{CHAPTER}"
        # the MyST markup of the Markdown cells is rendered (jupyterlab-myst), not shown raw
        page.wait_for_selector(".jp-MarkdownCell .myst", timeout=60_000)
        raw = page.evaluate(MARKUP_JS)
        assert not raw, f"MyST markup shown as text in JupyterLab: {raw[:3]}"

        page.evaluate(RUN_ALL_JS)
        deadline = time.time() + RUN_TIMEOUT_S
        state = page.evaluate(STATE_JS)
        while state["pending"] or state["status"] != "idle":
            assert not state["errors"], f"a cell failed in JupyterLab: {state['errors'][:2]}"
            assert time.time() < deadline, f"the chapter did not finish in {RUN_TIMEOUT_S} s: {state}"
            page.wait_for_timeout(1000)
            state = page.evaluate(STATE_JS)
        assert not state["errors"], f"a cell failed in JupyterLab: {state['errors'][:2]}"

        # the explorer widget: its figure, then one slider moved with the keyboard
        widget = page.locator(".jupyter-widgets.widget-vbox").first
        widget.scroll_into_view_if_needed()
        figure = widget.locator("img").first
        figure.wait_for(timeout=60_000)
        before = figure.get_attribute("src")
        handle = widget.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "([root, before]) => { const img = root.querySelector('img');"
            " return img && img.src !== before; }",
            arg=[widget.element_handle(), before], timeout=120_000)
        after = widget.locator("img").first.get_attribute("src")
        assert after != before
        browser.close()
