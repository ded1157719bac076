"""Static-book frames: per widget the controls, frame count, bytes and render time (from the
stored book/_frames), and the move latency of its player in the built book, offline.

Reads every chapter's ``book/_frames/<chapter>/frames.json`` and widget manifests (written by
``make frames``; nothing is rendered here), then serves the built book (``_build/html``, or
``$LOSSBOOK_HTML``) on 127.0.0.1 and opens each page with a player in headless Chromium with
every other request refused. For every control of every player it times, MOVES times in a row,
a key press (ArrowRight, ArrowLeft at the end of the range) -> the new frame decoded and
painted (the next animation frame): the first move of each control ("first": the figure
scrolled into view, which fetches each control's neighbouring frames; the control's other
frames are fetched on the focus that precedes the key press), and the next ones ("next").
Also the bytes of frames each page loads before a control is touched (players in view). Prints a table
and the machine load; no assertion.
Run: python benchmarks/bench_frames.py [MOVES]
"""
import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FRAMES = ROOT / "book" / "_frames"
HTML = Path(os.environ.get("LOSSBOOK_HTML", ROOT / "_build" / "html")).resolve()

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


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def stored():
    """[(chapter, widget, manifest, frames.json record)] of book/_frames."""
    rows = []
    for record_path in sorted(FRAMES.glob("*/frames.json")):
        record = json.loads(record_path.read_text("utf8"))
        for name in record["widgets"]:
            m = json.loads((record_path.parent / name / "manifest.json").read_text("utf8"))
            rows.append((record["chapter"], name, m, record))
    return rows


def latencies(origin, page_rel, moves):
    """{widget: {"first": [ms], "next": [ms]}} and the bytes of frames loaded on first view."""
    from playwright.sync_api import sync_playwright

    out, first = {}, []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=os.environ.get("CHROMIUM",
                                                                    "/usr/bin/chromium"))
        page = browser.new_page()
        seen = []
        page.route("**/*", lambda r: (seen.append(r.request.url), r.continue_())
                   if r.request.url.startswith(origin) else r.abort())
        page.goto(f"{origin}/{page_rel}", wait_until="load")
        figs = page.evaluate("() => [...document.querySelectorAll('figure.lb-frames')]"
                             ".map(f => JSON.parse(f.dataset.manifest))")
        for f in range(len(figs)):  # the reader scrolls to the figure (no control touched)
            page.locator("figure.lb-frames").nth(f).scroll_into_view_if_needed()
            page.wait_for_timeout(200)
        page.wait_for_timeout(1000)
        first = [u for u in seen if "/_frames/" in u]
        for f, m in enumerate(figs):
            times = {"first": [], "next": []}
            page.locator("figure.lb-frames").nth(f).scroll_into_view_if_needed()
            for c, control in enumerate(m["controls"]):
                if len(control["values"]) < 2:
                    continue
                pos = control["default"]
                for n in range(moves):
                    key = "ArrowRight" if pos < len(control["values"]) - 1 else "ArrowLeft"
                    page.evaluate(MOVE, {"fig": f, "control": c})
                    page.keyboard.press(key)
                    pos += 1 if key == "ArrowRight" else -1
                    ms = page.evaluate("Promise.race([window.__move, new Promise((r) => "
                                       "setTimeout(() => r(null), 30000))])")
                    if ms is not None and ms >= 0:  # None: the same file (e.g. the default)
                        times["first" if n == 0 else "next"].append(ms)
            out[m["name"]] = times
        browser.close()
    return out, sum((HTML / u.split(origin + "/", 1)[1]).stat().st_size for u in set(first))


def main(moves=6):
    rows = stored()
    if not rows:
        sys.exit("no book/_frames: run `make frames`")
    print(f"load before: {load()}  ({os.cpu_count()} CPUs)")
    print(f"{'chapter':<18} {'widget':<28} {'controls (positions)':<48} {'frames':>6} "
          f"{'KB':>6} {'render s':>8}")
    for chapter, name, m, _ in rows:
        controls = ", ".join(f"{c['label']} ({len(c['values'])})" for c in m["controls"])
        print(f"{chapter:<18} {name:<28} {controls:<48} {m['frames']:6d} "
              f"{m['bytes'] / 1024:6.0f} {m['seconds']:8.1f}")
    total = sum(p.stat().st_size for p in FRAMES.rglob("*") if p.is_file())
    chapters = {chapter: record for chapter, _, _, record in rows}
    print(f"total: {sum(m['frames'] for _, _, m, _ in rows)} frames, "
          f"{sum(m['bytes'] for _, _, m, _ in rows) / 2**20:.2f} MB of WebP; book/_frames "
          f"{total / 2**20:.2f} MB on disk; render (make frames, every chapter run up to its "
          f"last widget) {sum(r['seconds'] for r in chapters.values()):.0f} s summed over "
          f"chapters")
    if not (HTML / "index.html").is_file():
        sys.exit(f"no built book at {HTML}: run `make book` for the latencies")
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{httpd.server_address[1]}"
    print(f"{'player move (built book, offline)':<44} {'first p50':>9} {'next p50':>8} "
          f"{'next p95':>8} {'max':>6} {'moves':>5} {'first view KB':>13}")
    every = []
    for chapter in chapters:
        page = f"book/{chapter}.html"
        if not (HTML / page).is_file():
            print(f"{chapter}: no page {page} in the build")
            continue
        lat, first = latencies(origin, page, moves)
        for name, t in lat.items():
            allt = t["first"] + t["next"]
            every += allt
            if not allt:
                continue
            cold = np.median(t["first"]) if t["first"] else float("nan")
            warm50, warm95 = (np.percentile(t["next"], [50, 95]) if t["next"]
                              else (float("nan"),) * 2)
            print(f"{chapter + ' ' + name:<44} {cold:9.0f} {warm50:8.0f} {warm95:8.0f} "
                  f"{max(allt):6.0f} {len(allt):5d} {first / 1024:13.0f}")
            sys.stdout.flush()
    httpd.shutdown()
    if every:
        p50, p95 = np.percentile(every, [50, 95])
        print(f"all moves: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {max(every):.0f} ms; "
              f"{sum(t > 100 for t in every)} of {len(every)} moves over 100 ms")
    print(f"load after: {load()}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
