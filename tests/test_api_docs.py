"""Every public name of lossbook is documented, and appears on the book's API page.

The API page (book/api.md) is generated from ``lossbook.__all__`` by the Sphinx extension
book/_ext/lossbook_api.py; these tests use that extension's own lookup, so what they check
is what the page shows. A function or class needs its own docstring; a data constant
(``ACTIVATIONS``, ...) needs a ``#:`` doc comment above its assignment in its module.
"""
import inspect
import os
from pathlib import Path

import pytest
from _bookext import import_book_ext

import lossbook

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("LOSSBOOK_HTML", ROOT / "_build" / "html")).resolve()


@pytest.fixture(scope="module")
def api_ext():
    return import_book_ext("lossbook_api", requires="sphinx")


def _own_doc(name, obj):
    if inspect.isclass(obj):
        doc = obj.__dict__.get("__doc__") or ""
        # a dataclass without a docstring gets "Name(field: type, ...)" as its __doc__
        return "" if doc.startswith(f"{name}(") else doc.strip()
    return (getattr(obj, "__doc__", None) or "").strip()


def test_all_names_exist():
    missing = [n for n in lossbook.__all__ if not hasattr(lossbook, n)]
    assert not missing, f"in lossbook.__all__ but not defined: {missing}"
    assert len(set(lossbook.__all__)) == len(lossbook.__all__), "duplicates in __all__"


@pytest.mark.parametrize("name", [n for n in lossbook.__all__
                                  if inspect.isclass(getattr(lossbook, n, None))
                                  or inspect.isroutine(getattr(lossbook, n, None))])
def test_public_callables_have_docstrings(name):
    assert _own_doc(name, getattr(lossbook, name)), \
        f"lossbook.{name} has no docstring: say what it computes (and the result ID)"


@pytest.mark.parametrize("name", [n for n in lossbook.__all__
                                  if not inspect.isclass(getattr(lossbook, n, None))
                                  and not inspect.isroutine(getattr(lossbook, n, None))])
def test_public_constants_have_doc_comments(name, api_ext):
    obj = getattr(lossbook, name)
    module = api_ext._defining_module(name, obj)
    assert api_ext._attr_doc(module, name), (
        f"lossbook.{name} has no doc comment: add a '#: ...' line above '{name} = ...' "
        f"in {module}")


def test_generated_page_lists_every_name(api_ext):
    text = api_ext.api_markdown()
    for name in lossbook.__all__:
        assert f"lossbook.{name}\n" in text, f"lossbook.{name} missing from the API page source"


@pytest.mark.built_book
def test_built_api_page_documents_every_name():
    page = HTML / "book" / "api.html"
    if not page.is_file():
        msg = f"no built API page at {page}: build the book first"
        if os.environ.get("LOSSBOOK_REQUIRE_BOOK") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    html = page.read_text("utf8")
    missing = [n for n in lossbook.__all__ if f'id="lossbook.{n}"' not in html]
    assert not missing, f"not on the built API page (rebuild the book?): {missing}"
    for name in lossbook.__all__:  # and with its docstring, not just a bare signature
        start = html.index(f'id="lossbook.{name}"')
        entry = html[start:html.find("</dl>", start)]
        assert "<dd>" in entry and "<p>" in entry.split("<dd>", 1)[1], \
            f"lossbook.{name} has no description on the built API page"
