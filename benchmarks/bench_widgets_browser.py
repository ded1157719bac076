"""End-to-end widget latency in JupyterLab: slider move -> the new image on screen.

For each chapter's widget a one-cell notebook (the chapter's explorer call, with the same kind
of arguments) is opened in JupyterLab served on 127.0.0.1 and driven by headless Chromium
(playwright). Each move presses an arrow key on one of the widget's sliders (round robin over
its sliders, or the ones listed for it; right until the end of the range, then left), the way
a keyboard reader moves it. The time is taken inside the page, from the keydown event to the first animation frame
after the widget's <img> has a new source and has decoded it: the whole path of kernel
message, computation, in-place update, PNG, comm message back and paint.

Prints p50/p95 per widget and the machine load (uptime) before and after. No assertion.
Needs jupyterlab (``pip install jupyterlab``) and Chromium (``/usr/bin/chromium`` or
``$CHROMIUM``). Run: python benchmarks/bench_widgets_browser.py [moves] [widget ...]

Old against new: ``BENCH_LOSSBOOK=DIR`` makes the kernels import the ``lossbook`` package in
DIR instead of the installed one, e.g. ``git archive <commit> lossbook | tar -x -C DIR``;
run both, one after the other, and compare them at the load each printed.
"""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

TOKEN = ""  # the JupyterLab server's token (set by main)
SETUP = "import lossbook as lb\nimport numpy as np\nlb.set_style()\n"
#: widget name -> (chapter, code building it); arguments as in the chapter's explorer cell
WIDGETS = {
    "slice_explorer": ("part1_certifying", (  # the chapter's dead ReLU network
        "X, y = lb.make_shared_coordinate_data(16, random_state=0)\n"
        "hinge = lb.get_loss('polynomial_hinge', p=6)\n"
        "net = lb.feedforward(3, hidden=(4,), activation='relu')\n"
        "p = net.init(1)\n"
        "p['b1'] = np.full(4, -10.0)\n"
        "p['c'] = np.array(lb.best_constant(hinge, y))\n"
        "w = lb.slice_explorer(lb.Objective(net, hinge, X, y), p)")),
    # its second slider (leaky slope) changes nothing for the default softplus: only p moves
    "neuron_loss_explorer": ("part1_setting", "w = lb.neuron_loss_explorer()", (0,)),
    "census_explorer": ("part2_subspace", (
        "w = lb.census_explorer(n_samples=20, n_neurons=4, p=6, activation='softplus', "
        "overlap=1)")),
    "census_explorer (separable)": ("part2_separable", (
        "w = lb.census_explorer(data='separable', n_samples=20, n_neurons=1, p=3, "
        "activation='softplus')")),
    "counterexample_explorer": ("part3_neurons",
                                "w = lb.counterexample_explorer('Prop 2 · ReLU', radius=0.5)"),
    "dead_relu_explorer": ("part3_shortcuts", "w = lb.dead_relu_explorer(1.0, radius=3.0)"),
    "population_explorer": ("part3_losses", (
        "w = lb.population_explorer(pos_point=1.25, neg_low=0.0, neg_width=1.0)")),
    "sphere_condition_explorer": ("part3_datasets",
                                  "w = lb.sphere_condition_explorer(2.0, n_samples=16, seed=0)"),
    "exponential_neuron_explorer": ("part4_one_neuron", (
        "X, y = lb.make_xor_data(32, noise=0.25, random_state=0)\n"
        "X_sep, y_sep = lb.make_separable_data(30, random_state=0)\n"
        "w = lb.exponential_neuron_explorer({'XOR (n = 32)': (X, y), "
        "'linearly separable (n = 30)': (X_sep, y_sep)})")),
    "chain_path_explorer": ("part4_per_layer", (
        "X, y = lb.make_xor_data(32, noise=0.25, random_state=0)\n"
        "w = lb.chain_path_explorer(X, y, depth=3, lam=1.0)")),
    "monomial_degree_explorer": ("part4_variations",
                                 "w = lb.monomial_degree_explorer(degree=1, data_degree=2)"),
}

# Installed in the page before each move: resolves with the milliseconds from the next keydown
# to the first frame painted after the widget image's source changed and the image decoded.
ARM = """(index) => {
  const img = document.querySelectorAll('.jp-OutputArea-output img')[0];
  const old = img.src;
  window.__move = new Promise((resolve) => {
    let t0 = null;
    const down = () => { t0 = performance.now(); };
    document.addEventListener('keydown', down, {capture: true, once: true});
    const obs = new MutationObserver(() => {
      if (img.src === old) return;
      obs.disconnect();
      img.decode().catch(() => {}).then(() => requestAnimationFrame(() =>
        resolve(performance.now() - t0)));
    });
    obs.observe(img, {attributes: true, attributeFilter: ['src']});
  });
}"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def notebook(code):
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": SETUP + code + "\nw"}
    return {"cells": [cell], "metadata": {"kernelspec": {"name": "python3",
                                                          "display_name": "Python 3",
                                                          "language": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def start_lab(root, port, token):
    jupyter = Path(sys.executable).with_name("jupyter")
    cmd = [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
           f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
           "--LabApp.expose_app_in_browser=True", "--ServerApp.allow_root=True",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(Path(root) / "lab.log", "w")
    env = dict(os.environ)
    other = os.environ.get("BENCH_LOSSBOOK")
    if other:  # the kernels import DIR/lossbook, ahead of the (editable) installed one
        site = Path(root) / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(
            "import sys\n"
            "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]\n"
            f"sys.path.insert(0, {str(Path(other).resolve())!r})\n")
        env["PYTHONPATH"] = os.pathsep.join([str(site)] + [p for p in [env.get("PYTHONPATH")] if p])
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root, env=env)
    url = f"http://127.0.0.1:{port}/api/status?token={token}"
    for _ in range(240):
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"JupyterLab did not start; see {root}/lab.log")


def log(*args):
    if os.environ.get("BENCH_VERBOSE"):
        print(f"[{time.strftime('%H:%M:%S')}]", *args, file=sys.stderr, flush=True)


def measure(page, base, name, code, n_moves, root, sliders=()):
    path = Path(root) / f"{name.split()[0]}{'_sep' if 'separable' in name else ''}.ipynb"
    path.write_text(json.dumps(notebook(code)))
    # the previous widget's notebook closed and its kernel stopped, whatever happened to it
    auth = {"Authorization": f"token {TOKEN}"}
    listing = urllib.request.Request(f"{base}/api/kernels", headers=auth)
    for kernel in json.loads(urllib.request.urlopen(listing).read() or "[]"):
        urllib.request.urlopen(urllib.request.Request(f"{base}/api/kernels/{kernel['id']}",
                                                      method="DELETE", headers=auth))
    page.goto(f"{base}/lab/tree/{path.name}?reset")  # a fresh workspace: this notebook only
    page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook')",
                           timeout=120_000)
    page.wait_for_function(
        f"(() => {{ const w = window.jupyterapp.shell.currentWidget;"
        f" if (!w || !w.context || w.context.path !== '{path.name}') return false;"
        " const k = w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel;"
        " return k && k.status === 'idle' && k.connectionStatus === 'connected'; })()",
        timeout=180_000)
    log(name, "notebook open, kernel idle")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    log(name, "running")
    page.wait_for_selector(".jp-OutputArea-output img", timeout=600_000)
    handles = page.query_selector_all(".jp-OutputArea-output .noUi-handle")
    handles = [handles[i] for i in sliders] if sliders else handles
    log(name, "widget shown,", len(handles), "sliders")
    if not handles:
        raise RuntimeError(f"{name}: no slider found")
    times, direction = [], {}
    for i in range(n_moves):
        k = i % len(handles)
        h = handles[k]
        now = float(h.get_attribute("aria-valuenow"))
        lo, hi = float(h.get_attribute("aria-valuemin")), float(h.get_attribute("aria-valuemax"))
        d = direction.get(k, "ArrowRight")
        if (d == "ArrowRight" and now >= hi) or (d == "ArrowLeft" and now <= lo):
            d = "ArrowLeft" if d == "ArrowRight" else "ArrowRight"
        direction[k] = d
        page.evaluate(ARM, 0)
        h.focus()
        h.press(d)
        ms = page.evaluate("Promise.race([window.__move, new Promise((r) => "
                           "setTimeout(() => r(null), 120000))])")
        if ms is None:
            raise RuntimeError(f"{name}: no new image within 120 s of a key press")
        times.append(ms)
    return times


def main(n_moves=20, only=()):
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        sys.exit(f"no Chromium at {chromium} (set CHROMIUM)")
    root = tempfile.mkdtemp(prefix="lossbook-lab-")
    global TOKEN
    port, token = free_port(), secrets.token_hex(16)
    TOKEN = token
    print(f"load before: {load()}  ({os.cpu_count()} CPUs)")
    if os.environ.get("BENCH_LOSSBOOK"):
        print(f"lossbook from {os.environ['BENCH_LOSSBOOK']}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop JupyterLab on a kill too
    lab = start_lab(root, port, token)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, headless=True)
            ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = ctx.new_page()
            page.goto(f"{base}/lab?token={token}")
            print(f"{'widget':<30} {'chapter':<18} {'p50 ms':>7} {'p95 ms':>7} {'max':>6}  moves")
            for name, (chapter, code, *sliders) in WIDGETS.items():
                if only and name.split()[0] not in only and name not in only:
                    continue
                try:
                    times = measure(page, base, name, code, n_moves, root, *sliders)
                except Exception as err:  # report and go on with the next widget
                    print(f"{name:<30} {chapter:<18} failed: {type(err).__name__}: {err}")
                    continue
                p50, p95 = np.percentile(times, [50, 95])
                print(f"{name:<30} {chapter:<18} {p50:7.0f} {p95:7.0f} {max(times):6.0f}  "
                      f"{len(times)}")
                sys.stdout.flush()
            browser.close()
    finally:
        lab.terminate()
        lab.wait(timeout=30)
        shutil.rmtree(root, ignore_errors=True)
    print(f"load after: {load()}")


if __name__ == "__main__":
    args = sys.argv[1:]
    n = int(args.pop(0)) if args and args[0].isdigit() else 20
    main(n, tuple(args))
