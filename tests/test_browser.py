"""The built book in a real browser: every page of ``_build/html`` in headless Chromium.

Checks, on every page: no JavaScript console error, uncaught exception or failed request;
no request leaves the local server (the book must read offline); every internal link and
``#anchor`` resolves; every ``{prf:ref}`` resolves to a proof directive; every image loads
(``naturalWidth > 0``); every math element is typeset by MathJax (served from ``_static``).
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
  const mathNodes = [...document.querySelectorAll('.math')];
  return {
    ids: [...document.querySelectorAll('[id]')].map(e => e.id)
      .concat([...document.querySelectorAll('a[name]')].map(e => e.name)),
    proofIds: [...document.querySelectorAll('.proof[id]')].map(e => e.id),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    images: images,
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


REFRESH = re.compile(r'<meta[^>]+http-equiv="refresh"[^>]+url=([^"\'> ]+)', re.I)
EMPTY = {"ids": [], "proofIds": [], "links": [], "images": [], "math": 0, "untypeset": [],
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
            page.wait_for_timeout(50)  # let late console messages arrive
            info["errors"] = list(errors)
            info["external"] = list(external)
            results[rel] = info
        context.close()
    summary = _summary(results, origin)
    out = HTML.parent / "browser-check.json"
    try:
        out.write_text(json.dumps(summary, indent=1), "utf8")
    except OSError:
        pass
    line = ("browser check: {pages} pages, {links} links ({internal} internal, {external} "
            "external not followed), {anchors} anchors, {prf_refs} prf:ref links, {figures} "
            "images, {math_pages} pages with math ({math} math elements)").format(**summary)
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
