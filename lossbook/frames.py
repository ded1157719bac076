"""Precomputed frames: a widget made explorable in the static book, with no kernel and no network.

At build-pipeline time (``make frames``, which runs the chapters with ``LOSSBOOK_FRAMES`` set)
every widget built by :func:`lossbook.make_widget` renders its own figure — the same draw
function the notebook widget and ``render_*`` use — over a grid of control values: one control
at a time, the others at their defaults (:func:`frame_grid`). Each frame is a small WebP file;
``manifest.json`` lists the controls, their values and the files. The book's extension
``book/_ext/lossbook_frames.py`` puts a player after the widget's cell: a range input per
control that swaps the image (frames loaded lazily, on the first touch of a control).

Frames are cached by content hash (:func:`frames_key`: the library's source, the widget's
name, its controls and grid, and its default view): an unchanged widget is not re-rendered.

(In-browser Python — JupyterLite with Pyodide — would make every combination explorable, but
the WebAssembly builds of numpy, scipy and matplotlib are on no registry this project can
reach; frames are the offline path until they are.)
"""
import hashlib
import io
import json
import os
import re
from pathlib import Path

import ipywidgets as W
import numpy as onp

__all__ = ["frame_grid", "frames_key", "write_frames", "player_html", "FRAMES_ENV", "FRAMES_PAGE_ENV"]

FRAMES_ENV = "LOSSBOOK_FRAMES"  # directory the frames are written to (unset: no frames)
FRAMES_PAGE_ENV = "LOSSBOOK_FRAMES_PAGE"  # the chapter (docname) whose widgets are rendered
MAX_PER_CONTROL = 25  # positions per slider (a longer range is subsampled, keeping the default)
WEBP_QUALITY = 80


def _slider_values(control):
    if isinstance(control, W.FloatLogSlider):
        n = int(round((control.max - control.min) / control.step))
        exps = control.min + control.step * onp.arange(n + 1)
        return [float(control.base ** e) for e in exps], float(onp.log(control.value) /
                                                               onp.log(control.base))
    n = int(round((control.max - control.min) / control.step))
    values = control.min + control.step * onp.arange(n + 1)
    if isinstance(control, W.IntSlider):
        return [int(v) for v in values], None
    return [float(round(v, 10)) for v in values], None


def frame_grid(box, *, max_per_control=MAX_PER_CONTROL):
    """Control name → the values its frames show (each with the other controls at defaults).

    Sliders: every position if there are at most ``max_per_control``, else evenly spaced
    positions plus the default; dropdowns: every option. The default value is always in.
    """
    grid = {}
    for name, control in box.controls.items():
        default = box.defaults[name]
        if isinstance(control, (W.IntSlider, W.FloatSlider, W.FloatLogSlider)):
            values, _ = _slider_values(control)
            if len(values) > max_per_control:
                keep = onp.unique(onp.linspace(0, len(values) - 1, max_per_control).round())
                values = [values[int(i)] for i in keep]
            close = [abs(v - default) <= 1e-9 * max(1.0, abs(default)) for v in values]
            if any(close):
                values[close.index(True)] = default
            else:
                values = sorted(values + [default])
        elif hasattr(control, "options"):
            values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        else:
            continue
        grid[name] = values
    return grid


def _library_hash():
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def frames_key(name, box, grid, default_png):
    """The content hash of a widget's frames: library source, name, controls, grid, default view."""
    h = hashlib.sha256(_library_hash().encode())
    h.update(name.encode())
    h.update(repr(sorted((k, repr(v)) for k, v in grid.items())).encode())
    h.update(repr([(k, type(c).__name__, getattr(c, "description", ""))
                   for k, c in box.controls.items()]).encode())
    h.update(hashlib.sha256(default_png).digest())
    return h.hexdigest()[:20]


def _label(value):
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _webp(png, quality=WEBP_QUALITY):
    from PIL import Image

    buf = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(buf, format="webp", quality=quality,
                                                    method=4)
    return buf.getvalue()


def write_frames(box, directory, name, *, grid=None, title=None):
    """Render ``box``'s frames into ``directory`` (made if needed) unless they are up to date.

    ``grid``: control name → values (default :func:`frame_grid`). Returns the manifest (a dict,
    also written as ``manifest.json``) with ``"rendered"``: False when the cache was used.
    """
    directory = Path(directory)
    grid = frame_grid(box) if grid is None else grid
    default_png = box.png(**box.defaults)
    key = frames_key(name, box, grid, default_png)
    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        try:
            old = json.loads(manifest_path.read_text())
        except ValueError:
            old = {}
        files = [directory / f for c in old.get("controls", []) for f in c["files"]]
        if old.get("key") == key and all(f.exists() for f in files):
            old["rendered"] = False
            return old
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.webp"):
        stale.unlink()
    default_file = "default.webp"
    (directory / default_file).write_bytes(_webp(default_png))
    controls = []
    for cname, values in grid.items():
        files = []
        for i, value in enumerate(values):
            if value == box.defaults[cname]:
                files.append(default_file)
                continue
            png = box.png(**{**box.defaults, cname: value})
            fname = f"{re.sub(r'[^A-Za-z0-9]+', '_', cname)}-{i:02d}.webp"
            (directory / fname).write_bytes(_webp(png))
            files.append(fname)
        control = box.controls[cname]
        controls.append({"name": cname, "label": getattr(control, "description", "") or cname,
                         "values": [_label(v) for v in values], "files": files,
                         "default": values.index(box.defaults[cname])})
    box.png(**box.defaults)  # leave the live widget's figure on its default view
    from PIL import Image

    width, height = Image.open(directory / default_file).size
    manifest = {"name": name, "title": title or name, "key": key, "default": default_file,
                "width": width, "height": height, "controls": controls,
                "bytes": sum(p.stat().st_size for p in directory.glob("*.webp"))}
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    manifest["rendered"] = True
    return manifest


def maybe_write_frames(box, name):
    """Called by every widget: writes its frames when ``LOSSBOOK_FRAMES`` is set (make frames)."""
    root = os.environ.get(FRAMES_ENV)
    if not root:
        return None
    page = os.environ.get(FRAMES_PAGE_ENV, "") or "unknown"
    return write_frames(box, Path(root) / page / name, name)


#: The player's script: one copy per page serves every player on it (idempotent).
PLAYER_JS = r"""(function () {
  document.querySelectorAll('figure.lb-frames:not([data-ready])').forEach(function (fig) {
    fig.dataset.ready = '1';
    var m = JSON.parse(fig.dataset.manifest), base = fig.dataset.base;
    var img = fig.querySelector('img'), inputs = fig.querySelectorAll('input[type=range]');
    var loaded = {};
    function url(f) { return base + '/' + f; }
    function preload(c) {  // a control's frames are fetched on its first touch only
      if (loaded[c.name]) return;
      loaded[c.name] = c.files.map(function (f) { var im = new Image(); im.src = url(f); return im; });
    }
    function show(input, c, i) {
      input.value = i;
      input.setAttribute('aria-valuetext', c.label + ' = ' + c.values[i]);
      input.parentNode.querySelector('output').textContent = c.values[i];
    }
    inputs.forEach(function (input, k) {
      var c = m.controls[k];
      ['pointerdown', 'focus', 'mouseenter', 'touchstart'].forEach(function (ev) {
        input.addEventListener(ev, function () { preload(c); }, {passive: true});
      });
      input.addEventListener('input', function () {
        var i = +input.value;
        inputs.forEach(function (other, j) {  // one control at a time: the others at defaults
          if (j !== k) show(other, m.controls[j], m.controls[j].default);
        });
        show(input, c, i);
        img.src = url(c.files[i]);
        img.alt = m.title + ': ' + m.controls.map(function (d, j) {
          return d.label + ' = ' + d.values[j === k ? i : d.default];
        }).join(', ');
        fig.dataset.frame = c.files[i];
      });
    });
  });
})();"""


def player_html(manifest, base):
    """HTML of the static player for ``manifest`` whose files are under the URL ``base``."""
    from html import escape

    m = {k: manifest[k] for k in ("name", "title", "default", "controls")}
    alt = manifest["title"] + ": " + ", ".join(
        f"{c['label']} = {c['values'][c['default']]}" for c in manifest["controls"])
    n = len({f for c in manifest["controls"] for f in c["files"]})
    rows = []
    for c in manifest["controls"]:
        v = c["values"][c["default"]]
        rows.append(
            f'<label class="lb-frames-control">{escape(c["label"])} '
            f'<input type="range" min="0" max="{len(c["values"]) - 1}" step="1" '
            f'value="{c["default"]}" aria-valuetext="{escape(c["label"] + " = " + v)}">'
            f' <output>{escape(v)}</output></label>')
    return (f'<figure class="lb-frames" data-base="{escape(base)}" '
            f'data-manifest="{escape(json.dumps(m, ensure_ascii=False))}" '
            f'data-frame="{escape(manifest["default"])}">\n'
            f'<img src="{escape(base)}/{escape(manifest["default"])}" alt="{escape(alt)}" '
            f'width="{manifest["width"]}" height="{manifest["height"]}" '
            f'style="max-width: 100%; height: auto">\n'
            f'<div class="lb-frames-controls" style="display: flex; flex-wrap: wrap; '
            f'gap: 0.5em 1.5em">{"".join(rows)}</div>\n'
            f'<figcaption>Explore without a kernel: {n} precomputed frames of the widget above, '
            f'one control at a time (moving one puts the others back to their defaults); '
            f'arrow keys move a focused control.</figcaption>\n'
            f'</figure>\n<script>{PLAYER_JS}</script>\n')
