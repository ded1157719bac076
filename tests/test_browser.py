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

The book is taken from ``$LOSSBOOK_HTML`` (default ``_build/html``) and served from a local
``http.server`` on 127.0.0.1. Chromium is Debian's (``make setup`` installs it when run as
root), or ``$CHROMIUM``; without one the browser tests are skipped with a message. With
``LOSSBOOK_REQUIRE_BOOK=1`` (``make test``) a missing build fails instead of skipping.
A summary (pages, links, anchors, figures, ...) is printed and written to
``_build/browser-check.json``.
"""
import functools
import http.server
import json
import os
import re
import shutil
import struct
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

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


def _chromium():
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="session")
def crawl(html_dir, server, tmp_path_factory, request):
    """Load every page once; return {page path: what COLLECT_JS saw, plus errors}."""
    chromium = _chromium()
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
