"""Static-book frames: count, bytes and render time per widget, and the move latency of the player.

Renders each widget's frames (lossbook.frames.write_frames, one control at a time from the
defaults, the grid of frame_grid) for the widgets of bench_widgets.builders into OUT (default
_build/frames-bench), then opens one page with every player in headless Chromium with every
request outside file:// blocked and times, for every control of every player, ArrowRight
(ArrowLeft at the end) -> the new frame decoded and painted. A second run reuses the cache.
Prints a table and the machine load. No assertion.
Run: python benchmarks/bench_frames.py [OUT] [widget ...]
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402

import lossbook as lb  # noqa: E402
from lossbook.frames import player_html, write_frames  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_widgets import builders  # noqa: E402

MOVE = """(k) => {
  const fig = document.querySelectorAll('figure.lb-frames')[k.fig];
  const img = fig.querySelector('img'), input = fig.querySelectorAll('input')[k.control];
  input.focus();
  const old = img.src;
  window.__move = new Promise((resolve) => {
    let t0 = null;
    document.addEventListener('keydown', () => { t0 = performance.now(); },
                              {capture: true, once: true});
    const obs = new MutationObserver(() => {
      if (img.src === old) return;
      obs.disconnect();
      img.decode().then(() => requestAnimationFrame(() => resolve(performance.now() - t0)),
                        () => resolve(-1));
    });
    obs.observe(img, {attributes: true, attributeFilter: ['src']});
  });
}"""


def load():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def latencies(page_path, manifests, moves=4):
    from playwright.sync_api import sync_playwright

    out = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM",
                                                                    "/usr/bin/chromium"))
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file://")
                   else r.abort())
        page.goto(page_path.as_uri())
        for f, m in enumerate(manifests):
            times = []
            for c, control in enumerate(m["controls"]):
                if len(control["values"]) < 2:
                    continue
                pos = control["default"]
                for _ in range(moves):
                    key = "ArrowRight" if pos < len(control["values"]) - 1 else "ArrowLeft"
                    page.evaluate(MOVE, {"fig": f, "control": c})
                    page.keyboard.press(key)
                    pos += 1 if key == "ArrowRight" else -1
                    ms = page.evaluate("Promise.race([window.__move, new Promise((r) => "
                                       "setTimeout(() => r(null), 30000))])")
                    if ms is not None and ms >= 0:  # None: the frame is the same file
                        times.append(ms)
            out[m["name"]] = times
        browser.close()
    return out


def main(out="_build/frames-bench", only=()):
    out = Path(out)
    lb.set_style()
    print(f"load before: {load()}  ({os.cpu_count()} CPUs)")
    manifests = []
    print(f"{'widget':<30} {'frames':>6} {'KB':>7} {'render s':>8} {'cached s':>8}")
    for name, build in builders().items():
        if only and name.split()[0] not in only:
            continue
        box = build()
        slug = name.replace(" ", "_").replace("(", "").replace(")", "")
        t = time.perf_counter()
        m = write_frames(box, out / slug, slug)
        t1 = time.perf_counter()
        again = write_frames(box, out / slug, slug)
        t2 = time.perf_counter()
        assert not again["rendered"]
        n = len({f for c in m["controls"] for f in c["files"]})
        manifests.append(m)
        print(f"{name:<30} {n:6d} {m['bytes'] / 1024:7.0f} "
              f"{t1 - t if m['rendered'] else float('nan'):8.1f} {t2 - t1:8.1f}")
        sys.stdout.flush()
    total = sum(m["bytes"] for m in manifests)
    print(f"total: {total / 2**20:.2f} MB")
    page = out / "players.html"
    page.write_text("<!doctype html><meta charset=utf-8><body>" + "".join(
        player_html(m, m["name"]) for m in manifests) + "</body>")
    lat = latencies(page.resolve(), manifests)
    print(f"{'player move (offline)':<30} {'p50 ms':>7} {'p95 ms':>7} {'moves':>6}")
    for name, times in lat.items():
        if not times:
            continue
        p50, p95 = np.percentile(times, [50, 95])
        print(f"{name:<30} {p50:7.0f} {p95:7.0f} {len(times):6d}")
    print(f"load after: {load()}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "_build/frames-bench", tuple(args[1:]))
