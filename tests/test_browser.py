"""The built book in a real browser: every page of ``_build/html`` in headless Chromium.

Checks, on every page: no JavaScript console error, uncaught exception or failed request;
no request leaves the local server (the book must read offline); every internal link and
``#anchor`` resolves; every ``{prf:ref}`` resolves to a proof directive; every image loads
(``naturalWidth > 0``); every math element is typeset by MathJax (served from ``_static``);
no page embeds widget state.

Legibility, at a 1280-px window: each figure's displayed width is compared with its natural
width, and the size its smallest text is shown at is computed from the font size that
``lossbook.plotting.figure_png`` records in the PNG (tEXt ``lossbook:smallest-text-pt``) and
the PNG's resolution (pHYs): ``pt · dpi / 72 · displayed / natural`` CSS px, which must be at
least 9. Display math, at 1280 px and again at 390 px (a phone): an equation wider than the
text must sit in a box that scrolls sideways (``overflow-x: auto``), never be cut off by a box
that hides the overflow or by the window's edge.
Without a browser: no page loads a script or stylesheet from an http(s) URL.

The widgets' static players (issue 15; ``lossbook.player``, frames from ``make frames``): every
chapter that builds a widget shows a player for it; on its first view (players scrolled into
view, no control touched) a page loads only each player's default frame and each control's
two neighbouring frames, and its players add at most 1 MB; every control is a focusable,
labelled range input, and one step of each, by the keyboard with the network blocked, shows
the frame file of that value (the bytes ``make frames`` recorded, the pixels drawn on screen),
changes the image, and states the values in the readout, ``aria-valuetext`` and the alt text.
(The move latency is measured by ``benchmarks/bench_frames.py``, not here.)

The book is taken from ``$LOSSBOOK_HTML`` (default ``_build/html``) and served from a local
``http.server`` on 127.0.0.1. Chromium is Debian's (``make setup`` installs it when run as
root), or ``$CHROMIUM``; without one the browser tests are skipped with a message. With
``LOSSBOOK_REQUIRE_BOOK=1`` (``make test``) a missing build fails instead of skipping.
A summary (pages, links, anchors, figures, ...) is printed and written to
``_build/browser-check.json``.
"""
import functools
import hashlib
import http.server
import json
import os
import re
import struct
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from _chromium import find_chromium

pytestmark = pytest.mark.built_book

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("LOSSBOOK_HTML", ROOT / "_build" / "html")).resolve()
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads"}
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--disable-quic", "--disable-default-apps", "--disable-extensions"]

# Run in each page once it has loaded: wait for MathJax, force every image to load, and
# report what the checks need.
COLLECT_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const images = await Promise.all([...document.images].map(img => {
    img.loading = 'eager';
    return img.decode().then(() => null, () => null)
      .then(() => ({src: img.currentSrc || img.src, width: img.naturalWidth}));
  }));
  const figures = [...document.querySelectorAll('article img')].map(img => ({
    src: img.currentSrc || img.src, natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width}));
  const mathNodes = [...document.querySelectorAll('.math')];
  return {
    ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(e => e.name)),
    proofIds: [...document.querySelectorAll('.proof[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    images: images,
    figures: figures,
    widgetState: document.querySelectorAll(
      'script[type="application/vnd.jupyter.widget-state+json"]').length,
    math: mathNodes.length,
    untypeset: mathNodes.filter(e => !e.querySelector('mjx-container')
                                     && e.tagName !== 'MJX-CONTAINER')
      .map(e => e.textContent.slice(0, 80)),
    mjxContainers: document.querySelectorAll('mjx-container').length,
    mathErrors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent),
    unresolvedPrf: [...document.querySelectorAll('.xref.prf')]
      .filter(e => !e.closest('a')).map(e => e.textContent),
    mathjaxSrc: [...document.scripts].map(s => s.src).filter(s => /mathjax/i.test(s)),
  };
}
"""


# Every display equation of the page: its width, the box that scrolls it (if any), whether it
# is cut off (by a box hiding its overflow, or by the window's edge), and how to name it.
DISPLAY_MATH_JS = """
() => [...document.querySelectorAll('mjx-container[display="true"]')].map(m => {
  let box = (m.querySelector('mjx-math') || m).getBoundingClientRect();
  const width = box.width;
  let clipped = false, scroller = null;
  for (let e = m; e && e !== document.documentElement; e = e.parentElement) {
    const ox = getComputedStyle(e).overflowX;
    if (ox === 'visible') continue;
    const r = e.getBoundingClientRect();
    if (ox === 'auto' || ox === 'scroll') {
      // what overflows this box can be scrolled to; the box itself must then be visible
      if (!scroller) scroller = e;
      box = r;
      continue;
    }
    if (box.left < r.left - 1 || box.right > r.right + 1) { clipped = true; break; }
  }
  if (box.right > document.documentElement.clientWidth + 1 || box.left < -1) clipped = true;
  const scrolls = !!scroller && scroller.scrollWidth > scroller.clientWidth + 1;
  const div = m.closest('div.math');
  const eqno = div && div.querySelector('.eqno');
  const section = m.closest('section');
  return {
    label: (eqno ? eqno.textContent.replace('#', '').trim() + ' ' : '')
           + ((div && div.id) || (section && section.id ? 'in #' + section.id : '')),
    width: Math.round(width),
    available: Math.round(scroller ? scroller.clientWidth : document.documentElement.clientWidth),
    scrolls: scrolls,
    // a scrolling equation shows that it scrolls: the edge shadows of _static/lossbook.css
    cue: scrolls && getComputedStyle(scroller).backgroundImage !== 'none',
    clipped: clipped,
  };
})
"""
PHONE = {"width": 390, "height": 844}
MIN_TEXT_PX = 9.0


def _png_info(path):
    """(dpi, smallest text in points or None) of a PNG the book stores."""
    data = path.read_bytes()
    dpi, smallest, i = None, None, 8
    while i + 8 <= len(data):
        (length,), kind = struct.unpack(">I", data[i:i + 4]), data[i + 4:i + 8]
        chunk = data[i + 8:i + 8 + length]
        if kind == b"pHYs" and chunk[8:9] == b"\x01":  # unit: metre
            dpi = struct.unpack(">I", chunk[:4])[0] * 0.0254
        elif kind == b"tEXt" and chunk.startswith(b"lossbook:smallest-text-pt\x00"):
            value = chunk.split(b"\x00", 1)[1].decode("latin-1")
            smallest = None if value == "none" else float(value)
        elif kind == b"IEND":
            break
        i += 12 + length
    return dpi, smallest


def _figure_sizes(crawl, origin):
    """Per figure (PNG) of the book: page, widths, and the CSS px its smallest text is shown at."""
    rows = []
    for page, info in crawl.items():
        for fig in info.get("figures", []):
            target = _resolve(fig["src"], origin, HTML)
            if target is None or not target[0].endswith(".png") or not fig["natural"]:
                continue
            dpi, smallest = _png_info(HTML / target[0])
            px = None
            if dpi and smallest:
                px = round(smallest * dpi / 72 * fig["shown"] / fig["natural"], 1)
            rows.append({"page": page, "image": target[0].rsplit("/", 1)[-1],
                         "natural_px": fig["natural"], "shown_px": round(fig["shown"]),
                         "dpi": round(dpi) if dpi else None, "smallest_pt": smallest,
                         "smallest_text_px": px})
    return rows


REFRESH = re.compile(r'<meta[^>]+http-equiv="refresh"[^>]+url=([^"\'> ]+)', re.I)
EMPTY = {"ids": [], "proofIds": [], "links": [], "images": [], "figures": [], "widgetState": 0,
         "displayMath": [], "displayMath390": [], "math": 0, "untypeset": [],
         "mjxContainers": 0, "mathErrors": [], "unresolvedPrf": [], "mathjaxSrc": [],
         "errors": [], "external": []}


def _pages():
    return sorted(p for p in HTML.rglob("*.html")
                  if not SKIP_DIRS & set(p.relative_to(HTML).parts[:-1]))


@pytest.fixture(scope="session")
def html_dir():
    if not (HTML / "index.html").is_file():
        msg = f"no built book at {HTML}: run `make book` (or set LOSSBOOK_HTML)"
        if os.environ.get("LOSSBOOK_REQUIRE_BOOK") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return HTML


@pytest.fixture(scope="session")
def server(html_dir):
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def crawl(html_dir, server, tmp_path_factory, request):
    """Load every page once; return {page path: what COLLECT_JS saw, plus errors}."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium: the browser tests need Debian's `chromium` "
                    "(`make setup` installs it when run as root), or $CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    origin = server
    results = {}
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=chromium,
            headless=True, args=CHROMIUM_FLAGS, service_workers="block")
        external = []

        def route(r):  # the book must not need the internet: refuse and record
            if r.request.url.startswith(origin + "/") or r.request.url.startswith("data:"):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(
            f"console: {m.text} ({m.location.get('url', '')})"))
        page.on("pageerror", lambda e: errors.append(f"exception: {e}"))
        page.on("requestfailed", lambda r: errors.append(
            f"request failed: {r.url} ({r.failure})"))
        page.on("response", lambda r: r.status >= 400 and errors.append(
            f"HTTP {r.status}: {r.url}"))
        for path in _pages():
            rel = path.relative_to(html_dir).as_posix()
            errors.clear()
            external.clear()
            redirect = REFRESH.search(path.read_text("utf8"))
            if redirect:  # e.g. index.html → the root page: check its target as a link
                results[rel] = dict(EMPTY, links=[urljoin(f"{origin}/{rel}", redirect[1])])
                continue
            page.goto(f"{origin}/{rel}", wait_until="load")
            info = page.evaluate(COLLECT_JS)
            info["displayMath"] = page.evaluate(DISPLAY_MATH_JS)
            page.wait_for_timeout(50)  # let late console messages arrive
            info["errors"] = list(errors)
            info["external"] = list(external)
            results[rel] = info
        # the pages with display math once more, in a phone-sized window
        page.set_viewport_size(PHONE)
        for rel, info in results.items():
            if info.get("displayMath"):
                page.goto(f"{origin}/{rel}", wait_until="load")
                page.evaluate(COLLECT_JS)  # waits for MathJax
                info["displayMath390"] = page.evaluate(DISPLAY_MATH_JS)
        context.close()
    summary = _summary(results, origin)
    summary["figure_sizes"] = _figure_sizes(results, origin)
    summary["wide_equations"] = {
        f"{w}px": [dict(m, page=p) for p, i in results.items() for m in i.get(key, [])
                   if m["width"] > m["available"]]
        for w, key in ((1280, "displayMath"), (390, "displayMath390"))}
    out = HTML.parent / "browser-check.json"
    try:
        out.write_text(json.dumps(summary, indent=1), "utf8")
    except OSError:
        pass
    line = ("browser check: {pages} pages, {links} links ({internal} internal, {external} "
            "external not followed), {anchors} anchors, {prf_refs} prf:ref links, {figures} "
            "images, {math_pages} pages with math ({math} math elements)").format(**summary)
    known = [f["smallest_text_px"] for f in summary["figure_sizes"] if f["smallest_text_px"]]
    line += (f"\nfigures: {len(summary['figure_sizes'])} PNGs, smallest text "
             f"{min(known) if known else '?'} CSS px at 1280 px ({len(known)} with a recorded size); "
             "display equations wider than the text (they scroll): "
             + ", ".join(f"{len(v)} at {k}" for k, v in summary["wide_equations"].items()))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print("\n" + line)
    else:
        print(line)
    return results


def _resolve(link, origin, html_dir):
    """An internal link → (target file relative to the book, fragment); None if external."""
    if not link.startswith(origin + "/"):
        return None
    url, fragment = urldefrag(link)
    rel = unquote(urlsplit(url).path).lstrip("/")
    if rel == "" or rel.endswith("/"):
        rel += "index.html"
    return rel, unquote(fragment)


def _summary(results, origin):
    internal = external = anchors = prf = 0
    for info in results.values():
        for link in info["links"]:
            target = _resolve(link, origin, HTML)
            if target is None:
                external += link.startswith(("http:", "https:"))
                continue
            internal += 1
            rel, fragment = target
            if fragment:
                anchors += 1
                if fragment in results.get(rel, {}).get("proofIds", ()):
                    prf += 1
    return {
        "pages": len(results),
        "links": internal + external, "internal": internal, "external": external,
        "anchors": anchors, "prf_refs": prf,
        "figures": sum(len(i["images"]) for i in results.values()),
        "math_pages": sum(1 for i in results.values() if i["math"]),
        "math": sum(i["math"] for i in results.values()),
        "per_page": {p: {"links": len(i["links"]), "images": len(i["images"]),
                         "math": i["math"]} for p, i in results.items()},
    }


def test_every_page_was_checked(crawl):
    assert {"index.html", "genindex.html", "search.html"} <= set(crawl)
    assert len(crawl) == len(_pages())


def test_no_console_errors(crawl):
    bad = {page: info["errors"] for page, info in crawl.items() if info["errors"]}
    assert not bad, f"JavaScript errors or failed requests: {json.dumps(bad, indent=1)}"


def test_no_request_leaves_the_machine(crawl):
    bad = {page: info["external"] for page, info in crawl.items() if info["external"]}
    assert not bad, f"pages requested external URLs (the book must work offline): {bad}"


def test_internal_links_and_anchors_resolve(crawl, server):
    broken = []
    for page, info in crawl.items():
        for link in info["links"]:
            target = _resolve(link, server, HTML)
            if target is None:
                continue
            rel, fragment = target
            if not (HTML / rel).is_file():
                broken.append(f"{page}: {link} (no file {rel})")
            elif fragment and rel.endswith(".html") and fragment not in crawl[rel]["ids"]:
                broken.append(f"{page}: {link} (no anchor #{fragment} in {rel})")
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_prf_refs_resolve(crawl, server):
    unresolved = {page: info["unresolvedPrf"] for page, info in crawl.items()
                  if info["unresolvedPrf"]}
    assert not unresolved, f"{{prf:ref}} targets not found: {unresolved}"
    # a link to a result's label lands on the proof directive itself, on the right page
    labels = {i for info in crawl.values() for i in info["proofIds"]}
    wrong = []
    for page, info in crawl.items():
        for link in info["links"]:
            target = _resolve(link, server, HTML)
            if target and target[1] in labels and target[1] not in crawl.get(
                    target[0], {}).get("proofIds", ()):
                wrong.append(f"{page}: {link}")
    assert not wrong, "links to results that miss the result:\n" + "\n".join(wrong)


def test_images_load(crawl):
    broken = {page: [i["src"] for i in info["images"] if not i["width"]]
              for page, info in crawl.items()}
    broken = {page: srcs for page, srcs in broken.items() if srcs}
    assert not broken, f"images that did not load (naturalWidth 0): {broken}"


def test_no_widget_state_in_pages(crawl):
    bad = [page for page, info in crawl.items() if info.get("widgetState")]
    assert not bad, f"pages embedding (unused) widget state: {bad}"


def test_figure_text_is_legible_at_1280px(crawl, server):
    """Every figure's smallest text is shown at >= 9 CSS px in a 1280-px window."""
    rows = _figure_sizes(crawl, server)
    assert rows, "no figures found in the book"
    unknown = [f"{r['page']} {r['image']}" for r in rows if r["smallest_text_px"] is None]
    small = [f"{r['page']} {r['image']}: {r['smallest_pt']} pt at {r['dpi']} dpi, "
             f"{r['natural_px']} px shown at {r['shown_px']} px -> {r['smallest_text_px']} px"
             for r in rows if r["smallest_text_px"] is not None
             and r["smallest_text_px"] < MIN_TEXT_PX]
    assert not unknown, (
        f"{len(unknown)} figures without a recorded text size (stored before lossbook's "
        "set_style recorded it: re-execute them, `make execute`): " + "; ".join(unknown[:8]))
    assert not small, f"figure text under {MIN_TEXT_PX} CSS px:\n" + "\n".join(small)


@pytest.mark.parametrize("key, width", [("displayMath", 1280), ("displayMath390", 390)])
def test_display_math_is_never_cut_off(crawl, key, width):
    """An equation wider than the text scrolls inside its own box; none is clipped."""
    assert any(info.get(key) for info in crawl.values()), f"no display math measured at {width} px"
    clipped = [f"{page}: {m['label'] or '(unlabelled)'} ({m['width']} px in {m['available']} px)"
               for page, info in crawl.items() for m in info.get(key, []) if m["clipped"]]
    assert not clipped, f"display equations cut off at {width} px:\n" + "\n".join(clipped)
    hidden = [f"{page}: {m['label']}" for page, info in crawl.items() for m in info.get(key, [])
              if m["width"] > m["available"] + 1 and not m["scrolls"]]
    assert not hidden, f"equations wider than their box that cannot be scrolled at {width} px: {hidden}"
    no_cue = [f"{page}: {m['label']}" for page, info in crawl.items() for m in info.get(key, [])
              if m["scrolls"] and not m["cue"]]
    assert not no_cue, f"equations that scroll with no sign that they do at {width} px: {no_cue}"


def test_math_is_typeset_offline(crawl):
    for page, info in crawl.items():
        if not info["math"]:
            continue
        assert info["mjxContainers"] > 0, f"{page}: math present but MathJax rendered nothing"
        assert not info["untypeset"], f"{page}: math not typeset: {info['untypeset'][:5]}"
        assert not info["mathErrors"], f"{page}: TeX errors: {info['mathErrors'][:5]}"
        assert info["mathjaxSrc"], f"{page}: math present but no MathJax script"
        for src in info["mathjaxSrc"]:
            assert "/_static/mathjax/" in src, f"{page}: MathJax not served locally: {src}"


class _AssetParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.assets.append(a["href"])
        elif tag == "link" and (a.get("rel") or "") in ("preload", "modulepreload"):
            self.assets.append(a.get("href") or "")


CDN = re.compile(r"(?:https?:)?//[\w.-]*(?:cdn|unpkg|jsdelivr|cdnjs|googleapis)[\w.-]*/[^\s\"'<>]*")


# a stdout block directly followed by another: prints of one cell rendered as separate boxes
SPLIT_STREAM = re.compile(r'<div class="output stream[^"]*">(?:(?!<div class="output ).)*?</pre></div>\s*'
                          r'</div>\s*<div class="output stream', re.S)


def test_printed_output_is_one_block_per_cell(html_dir):
    """Static check: consecutive prints of a cell render as one block (nb_merge_streams)."""
    split = {path.relative_to(html_dir).as_posix(): len(SPLIT_STREAM.findall(path.read_text("utf8")))
             for path in _pages()}
    split = {page: n for page, n in split.items() if n}
    assert not split, f"cells whose printed output is split into several blocks: {split}"


def test_no_external_scripts_or_stylesheets(html_dir):
    """Static check (no browser needed): every script and stylesheet is served locally,
    and no page names a CDN at all (not even in inline JavaScript)."""
    bad = {}
    for path in _pages():
        text = path.read_text("utf8")
        parser = _AssetParser()
        parser.feed(text)
        remote = [u for u in parser.assets if u.startswith(("http:", "https:", "//"))]
        remote += CDN.findall(text)
        if remote:
            bad[path.relative_to(html_dir).as_posix()] = sorted(set(remote))
    assert not bad, f"pages loading scripts/stylesheets from the network: {bad}"
    assert (html_dir / "_static" / "mathjax" / "tex-chtml.js").is_file(), \
        "MathJax is not bundled in _static/mathjax (sphinx-mathjax-offline)"


# -- the static players of the widgets' frames (issue 15) -----------------------------------------
FRAMES_SRC = ROOT / "book" / "_frames"
FIRST_VIEW_BUDGET = 2**20  # bytes a page's players may add before a control is touched

# In the page: an 8x8 grid of the mean RGB of the player's image (as drawn), and whether its
# pixels differ from the previous call's (the image changed on screen, not only its src).
SIGNATURE_JS = """
([k, compare]) => {
  const img = document.querySelectorAll('figure.lb-frames')[k].querySelector('img');
  const c = document.createElement('canvas');
  c.width = img.naturalWidth; c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  let changed = null;
  if (compare && window.__lbPrev && window.__lbPrev.length === d.length) {
    changed = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i] !== window.__lbPrev[i] || d[i + 1] !== window.__lbPrev[i + 1]
          || d[i + 2] !== window.__lbPrev[i + 2]) changed++;
    }
  }
  window.__lbPrev = d;
  const sig = [];
  for (let by = 0; by < 8; by++) for (let bx = 0; bx < 8; bx++) {
    const x0 = Math.floor(bx * c.width / 8), x1 = Math.floor((bx + 1) * c.width / 8);
    const y0 = Math.floor(by * c.height / 8), y1 = Math.floor((by + 1) * c.height / 8);
    const s = [0, 0, 0];
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      const i = 4 * (y * c.width + x);
      s[0] += d[i]; s[1] += d[i + 1]; s[2] += d[i + 2];
    }
    const n = (x1 - x0) * (y1 - y0);
    sig.push(s[0] / n, s[1] / n, s[2] / n);
  }
  return {sig: sig, changed: changed, src: img.currentSrc || img.src, alt: img.alt,
          width: img.naturalWidth, complete: img.complete};
}
"""

# The players of the page, their controls and how a keyboard user reaches them.
PLAYERS_JS = """
() => [...document.querySelectorAll('figure.lb-frames')].map(fig => ({
  manifest: JSON.parse(fig.dataset.manifest), base: fig.dataset.base,
  alt: fig.querySelector('img').alt,
  html: fig.outerHTML.length + (fig.nextElementSibling && fig.nextElementSibling.tagName === 'SCRIPT'
                                 ? fig.nextElementSibling.outerHTML.length : 0),
  inputs: [...fig.querySelectorAll('input')].map(i => ({
    type: i.type, tabIndex: i.tabIndex, disabled: i.disabled,
    label: i.labels && i.labels.length ? i.labels[0].textContent.trim() : '',
    valuetext: i.getAttribute('aria-valuetext')})),
}))
"""


def _signature(path):
    """The 8x8 grid of mean RGB of an image file, as SIGNATURE_JS computes it in the page."""
    import numpy as np
    from PIL import Image

    a = np.asarray(Image.open(path).convert("RGB"), dtype=float)
    h, w = a.shape[:2]
    sig = []
    for by in range(8):
        for bx in range(8):
            block = a[by * h // 8:(by + 1) * h // 8, bx * w // 8:(bx + 1) * w // 8]
            sig.extend(block.reshape(-1, 3).mean(axis=0))
    return np.array(sig)


def _chapters_with_widgets():
    from lossbook.frames_store import widget_cells

    out = {}
    for nb in sorted((ROOT / "book").glob("*.ipynb")):
        cells = widget_cells(json.loads(nb.read_text("utf8")))
        if cells:
            out[nb.stem] = sorted({name for _, name in cells})
    return out


def _alt_for(manifest, values):
    return manifest["title"] + ": " + ", ".join(
        f"{c['label']} = {c['values'][i]}" for c, i in zip(manifest["controls"], values, strict=True))


@pytest.fixture(scope="session")
def players(html_dir, server, tmp_path_factory):
    """Every page with players, in headless Chromium with every request off 127.0.0.1 refused:
    its first view (what the players loaded before a control is touched), then every control
    of every player moved one step from its default with the keyboard and back."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium: the browser tests need Debian's `chromium`, or $CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api")
    pages = sorted(p.relative_to(html_dir).as_posix() for p in _pages()
                   if 'class="lb-frames"' in p.read_text("utf8"))
    results = {}
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-players")), executable_path=chromium,
            headless=True, args=CHROMIUM_FLAGS, service_workers="block")
        external, requested, errors = [], [], []

        def route(r):
            if r.request.url.startswith(server + "/"):
                requested.append(r.request.url)
                r.continue_()
            elif r.request.url.startswith("data:"):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        for rel in pages:
            page = context.new_page()
            external.clear(), requested.clear(), errors.clear()
            page.on("pageerror", lambda e: errors.append(f"exception: {e}"))
            page.on("console", lambda m: m.type == "error" and errors.append(f"console: {m.text}"))
            page.goto(f"{server}/{rel}", wait_until="load")
            info = {"players": page.evaluate(PLAYERS_JS), "moves": []}
            # the first view: every player scrolled into view, no control touched; what it
            # fetched in the next second (the frames are local files of a few KB)
            for k in range(len(info["players"])):
                page.locator("figure.lb-frames").nth(k).scroll_into_view_if_needed()
                page.wait_for_timeout(200)
            page.wait_for_timeout(1000)
            info["first_view"] = [u for u in requested if "/_frames/" in u]
            for k, player in enumerate(info["players"]):
                m = player["manifest"]
                fig = page.locator("figure.lb-frames").nth(k)
                fig.scroll_into_view_if_needed()
                img = fig.locator("img")
                page.wait_for_function("(img) => img.complete && img.naturalWidth > 0",
                                       arg=img.element_handle())
                default = page.evaluate(SIGNATURE_JS, [k, False])
                for j, c in enumerate(m["controls"]):
                    if len(c["values"]) < 2:
                        continue
                    i = c["default"] + 1 if c["default"] + 1 < len(c["values"]) else c["default"] - 1
                    control = fig.locator("input[type=range]").nth(j)
                    control.focus()
                    focused = page.evaluate("(el) => document.activeElement === el",
                                            control.element_handle())
                    control.press("ArrowRight" if i > c["default"] else "ArrowLeft")
                    page.wait_for_function(
                        "([img, src]) => img.src.endsWith(src) && img.complete && img.naturalWidth > 0",
                        arg=[img.element_handle(), f"{player['base']}/{c['files'][i]}".lstrip("./")])
                    moved = page.evaluate(SIGNATURE_JS, [k, True])
                    readout = control.locator("xpath=following-sibling::output").text_content()
                    valuetext = control.get_attribute("aria-valuetext")
                    control.press("ArrowLeft" if i > c["default"] else "ArrowRight")
                    page.wait_for_function(
                        "([img, src]) => img.src.endsWith(src) && img.complete",
                        arg=[img.element_handle(),
                             f"{player['base']}/{c['files'][c['default']]}".lstrip("./")])
                    back = page.evaluate(SIGNATURE_JS, [k, True])
                    values = [d["default"] for d in m["controls"]]
                    values[j] = i
                    info["moves"].append({
                        "player": k, "name": m["name"], "control": c["name"], "index": i,
                        "file": c["files"][i], "default_file": c["files"][c["default"]],
                        "focused": focused, "moved": moved, "back": back,
                        "default_sig": default["sig"], "readout": readout,
                        "valuetext": valuetext, "want_alt": _alt_for(m, values),
                        "want_valuetext": f"{c['label']} = {c['values'][i]}",
                        "want_value": c["values"][i]})
            info["external"], info["errors"] = list(external), list(errors)
            results[rel] = info
            page.close()
        context.close()
    return results


def test_every_widget_has_a_player(players):
    """Every chapter that builds a widget shows one player per widget, from stored frames."""
    want = _chapters_with_widgets()
    assert want, "no chapter builds a widget"
    got = {Path(rel).stem: sorted(p["manifest"]["name"] for p in info["players"])
           for rel, info in players.items()}
    assert got == want, (f"players per page {got} differ from the widgets per chapter {want} "
                         "(run `make frames`, then the book build)")


def test_players_move_offline_and_show_the_frame_for_the_value(players, html_dir):
    """One step of every control of every player: the image becomes the frame file of that
    value (same bytes as recorded by make frames, same pixels as drawn), it changes on screen,
    the readout and the alt text state the values; no request leaves 127.0.0.1."""
    import numpy as np

    bad = []
    n_moves = 0
    for rel, info in players.items():
        assert not info["external"], f"{rel}: requests off 127.0.0.1: {info['external'][:3]}"
        assert not info["errors"], f"{rel}: {info['errors'][:3]}"
        chapter = Path(rel).stem
        record = json.loads((FRAMES_SRC / chapter / "frames.json").read_text("utf8"))
        moved_players = set()
        for mv in info["moves"]:
            n_moves += 1
            where = f"{rel} {mv['name']} {mv['control']}={mv['want_value']}"
            rel_file = f"{mv['name']}/{mv['file']}"
            served = html_dir / "_frames" / chapter / rel_file
            if not mv["moved"]["src"].endswith(f"/_frames/{chapter}/{rel_file}"):
                bad.append(f"{where}: shows {mv['moved']['src']}, not {rel_file}")
                continue
            if hashlib.sha256(served.read_bytes()).hexdigest() != record["files"].get(rel_file):
                bad.append(f"{where}: the served {rel_file} is not the file make frames recorded")
            diff = np.abs(np.array(mv["moved"]["sig"]) - _signature(served)).max()
            if diff > 3:
                bad.append(f"{where}: the image drawn differs from {rel_file} (block mean off by {diff:.1f})")
            if mv["file"] != mv["default_file"]:
                if not mv["moved"]["changed"]:
                    bad.append(f"{where}: the image did not change on screen")
                else:
                    moved_players.add(mv["player"])
            if not mv["back"]["src"].endswith(f"/{mv['default_file']}"):
                bad.append(f"{where}: moving back did not show the default frame")
            if mv["moved"]["alt"] != mv["want_alt"]:
                bad.append(f"{where}: alt text {mv['moved']['alt']!r}, want {mv['want_alt']!r}")
            if mv["readout"].strip() != mv["want_value"] or mv["valuetext"] != mv["want_valuetext"]:
                bad.append(f"{where}: readout {mv['readout']!r} / aria-valuetext {mv['valuetext']!r}")
        for k in range(len(info["players"])):
            if k not in moved_players:
                bad.append(f"{rel}: no control of player {k} changed its image")
    assert n_moves, "no player control was moved"
    assert not bad, "players that do not show their frames:\n" + "\n".join(bad)


def test_player_controls_are_keyboard_operable_with_alt_text(players):
    """Each control is a focusable range input with a label; the image's alt text states
    every control's value, from the first view on."""
    bad = []
    for rel, info in players.items():
        for player in info["players"]:
            m = player["manifest"]
            if len(player["inputs"]) != len(m["controls"]):
                bad.append(f"{rel} {m['name']}: {len(player['inputs'])} inputs for "
                           f"{len(m['controls'])} controls")
            for inp, c in zip(player["inputs"], m["controls"], strict=False):  # counts checked above
                if inp["type"] != "range" or inp["tabIndex"] < 0 or inp["disabled"]:
                    bad.append(f"{rel} {m['name']} {c['name']}: not a focusable range input {inp}")
                if not inp["label"].startswith(c["label"]):
                    bad.append(f"{rel} {m['name']} {c['name']}: label {inp['label']!r}")
                if inp["valuetext"] != f"{c['label']} = {c['values'][c['default']]}":
                    bad.append(f"{rel} {m['name']} {c['name']}: aria-valuetext {inp['valuetext']!r}")
            want = _alt_for(m, [c["default"] for c in m["controls"]])
            if player["alt"] != want:
                bad.append(f"{rel} {m['name']}: first alt text {player['alt']!r}, want {want!r}")
        for mv in info["moves"]:
            if not mv["focused"]:
                bad.append(f"{rel} {mv['name']} {mv['control']}: could not take the focus")
    assert not bad, "\n".join(bad)


def test_players_first_view_is_light(players, html_dir):
    """Before a control is touched (every player scrolled into view) a page loads only each
    player's default frame and the first step either way of each control, and its players add
    at most 1 MB (frames fetched plus the players' HTML and script)."""
    bad = []
    for rel, info in players.items():
        allowed = set()
        for p in info["players"]:
            m = p["manifest"]
            allowed.add(f"{p['base']}/{m['default']}".lstrip("./"))
            for c in m["controls"]:
                allowed |= {f"{p['base']}/{c['files'][i]}".lstrip("./")
                            for i in (c["default"] - 1, c["default"] + 1) if 0 <= i < len(c["files"])}
        extra = [u for u in info["first_view"] if not any(u.endswith(a) for a in allowed)]
        if extra:
            bad.append(f"{rel}: frames loaded before any control was touched: {extra[:3]}")
        if not info["first_view"]:
            bad.append(f"{rel}: no frame loaded when the players came into view")
        fetched = sum((html_dir / unquote(urlsplit(u).path).lstrip("/")).stat().st_size
                      for u in set(info["first_view"]))
        added = fetched + sum(p["html"] for p in info["players"])
        if added > FIRST_VIEW_BUDGET:
            bad.append(f"{rel}: players add {added / 2**20:.2f} MB to the first view")
    assert not bad, "\n".join(bad)
