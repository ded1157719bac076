"""Precomputed frames: a widget made explorable in the static book, with no kernel and no network.

At build-pipeline time (``make frames``, ``tools/frames.py``, which runs each chapter up to its
last widget with ``LOSSBOOK_FRAMES`` set) every widget built by :func:`lossbook.make_widget`
renders its own figure — the same draw function the notebook widget and ``render_*`` use —
over a grid of control values: one control at a time, the others at their defaults
(:func:`frame_grid`). Each frame is a small WebP file; ``manifest.json`` lists the controls,
their values and the files. The book's extension ``book/_ext/lossbook_frames.py`` puts a player
(:mod:`lossbook.player`) after the widget's cell: a range input per control that swaps the
image (a control's frames are loaded on its first touch).

The frames are stored in the repository (``book/_frames/<chapter>/``), so the book build renders
nothing; each chapter's frames carry a content key computed without executing anything
(:mod:`lossbook.frames_store`), so ``make frames`` re-renders only stale chapters and
``make test`` fails on a stale one.

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

from .frames_store import library_hash

__all__ = ["frame_grid", "frames_key", "write_frames", "FRAMES_ENV", "FRAMES_PAGE_ENV"]

FRAMES_ENV = "LOSSBOOK_FRAMES"  # directory the frames are written to (unset: no frames)
FRAMES_PAGE_ENV = "LOSSBOOK_FRAMES_PAGE"  # the chapter (docname) whose widgets are rendered
MAX_PER_CONTROL = 25  # positions per slider (a longer range is subsampled, keeping the default)
WEBP_QUALITY = 80


def grid_value(control, k):
    """The value at position k of a slider's grid: min + k·step (base to that power for a log
    slider; a float slider's rounded to 10 decimals). The frames and a live widget
    (``widgets._on_grid``) both take a slider's values from here."""
    x = control.min + control.step * onp.int64(k)
    if isinstance(control, W.FloatLogSlider):
        return float(control.base ** x)
    if isinstance(control, W.IntSlider):
        return int(x)
    return float(round(x, 10))


def _slider_values(control):
    n = int(round((control.max - control.min) / control.step))
    return [grid_value(control, k) for k in range(n + 1)]


def frame_grid(box, *, max_per_control=MAX_PER_CONTROL):
    """Control name → the values its frames show (each with the other controls at defaults).

    Sliders: every position if there are at most ``max_per_control``, else evenly spaced
    positions plus the default; dropdowns: every option. The default value is always in.
    """
    grid = {}
    for name, control in box.controls.items():
        default = box.defaults[name]
        if isinstance(control, (W.IntSlider, W.FloatSlider, W.FloatLogSlider)):
            values = _slider_values(control)
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


def frames_key(name, box, grid, default_png):
    """The content hash of a widget's frames: library source, name, controls, grid, default view."""
    h = hashlib.sha256(library_hash().encode())
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

    ``grid``: control name → values (default :func:`frame_grid`). A frame identical to one
    already written is stored once; a control none of whose values changes the figure (with
    the others at their defaults) is left out of ``controls`` and listed in ``inert``. Returns
    the manifest (a dict, also written as ``manifest.json``) with ``"rendered"``: False when
    the cache was used.
    """
    import time

    start = time.perf_counter()
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
    data = _webp(default_png)
    (directory / default_file).write_bytes(data)
    written = {hashlib.sha256(data).digest(): default_file}  # a frame already stored is reused
    controls, inert = [], []
    for cname, values in grid.items():
        files = []
        for i, value in enumerate(values):
            if value == box.defaults[cname]:
                files.append(default_file)
                continue
            data = _webp(box.png(**{**box.defaults, cname: value}))
            digest = hashlib.sha256(data).digest()
            if digest not in written:
                written[digest] = f"{re.sub(r'[^A-Za-z0-9]+', '_', cname)}-{i:02d}.webp"
                (directory / written[digest]).write_bytes(data)
            files.append(written[digest])
        if set(files) == {default_file}:  # changes nothing at the other controls' defaults
            inert.append(cname)
            continue
        control = box.controls[cname]
        controls.append({"name": cname, "label": getattr(control, "description", "") or cname,
                         "values": [_label(v) for v in values], "files": files,
                         "default": values.index(box.defaults[cname])})
    box.png(**box.defaults)  # leave the live widget's figure on its default view
    from PIL import Image

    width, height = Image.open(directory / default_file).size
    manifest = {"name": name, "title": title or name, "key": key, "default": default_file,
                "width": width, "height": height, "controls": controls, "inert": inert,
                "frames": len({f for c in controls for f in c["files"]}),
                "bytes": sum(p.stat().st_size for p in directory.glob("*.webp")),
                "seconds": round(time.perf_counter() - start, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
    manifest["rendered"] = True
    return manifest


def maybe_write_frames(box, name):
    """Called by every widget: writes its frames when ``LOSSBOOK_FRAMES`` is set (make frames)."""
    root = os.environ.get(FRAMES_ENV)
    if not root:
        return None
    page = os.environ.get(FRAMES_PAGE_ENV, "") or "unknown"
    return write_frames(box, Path(root) / page / name, name, title=name.replace("_", " "))
