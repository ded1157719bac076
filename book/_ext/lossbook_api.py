"""Sphinx extension behind the book's API reference page (book/api.md).

A page containing the fence ```` ```{lossbook-api} ```` gets, in its place, one section per
lossbook module with an autodoc entry for every name in ``lossbook.__all__`` defined there,
in ``__all__`` order. The page is therefore complete by construction, and it is re-read on
every build so that it never shows a stale API. Data constants (``ACTIVATIONS``, ...) are
documented from their ``#:`` doc comment in the defining module.

References such as ``:func:`lossbook.landscape.certify``` in docstrings are resolved to the
re-exported ``lossbook.certify`` entry when both are the same object, and a bar in a
docstring (``|x|``, an absolute value) is taken literally, not as a reST substitution.
"""
import importlib
import inspect
import re
import sys
from pathlib import Path

from sphinx.pycode import ModuleAnalyzer

MARKER = re.compile(r"^```\{lossbook-api\}[^\n]*\n```[ \t]*$", re.M)


def _defining_module(name, obj):
    """The lossbook submodule that defines ``obj`` (for data, the one that assigns it)."""
    mod = getattr(obj, "__module__", None)
    if (inspect.isclass(obj) or inspect.isroutine(obj)) and mod and mod.startswith("lossbook"):
        return mod
    holders = [modname for modname, module in sorted(sys.modules.items())
               if modname.startswith("lossbook.") and getattr(module, name, None) is obj]
    documented = [modname for modname in holders if _attr_doc(modname, name)]
    return (documented or holders or ["lossbook"])[0]


def _attr_doc(modname, name):
    """The ``#:`` doc comment (or string after the assignment) of a module-level name."""
    try:
        docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
    except Exception:  # no source (a compiled module): no doc comment
        return None
    lines = docs.get(("", name))
    return list(lines) if lines else None


def _summary(module):
    doc = inspect.getdoc(module) or ""
    return doc.split("\n\n")[0].strip()


def api_markdown():
    """The generated MyST text: a section per module, autodoc directives inside."""
    importlib.invalidate_caches()
    lossbook = importlib.import_module("lossbook")
    groups = {}
    for name in lossbook.__all__:
        obj = getattr(lossbook, name)
        groups.setdefault(_defining_module(name, obj), []).append((name, obj))
    out = []
    for modname, members in groups.items():
        module = importlib.import_module(modname)
        out.append(f"## `{modname}`\n")
        rst = []
        summary = _summary(module)
        if summary:
            rst += summary.splitlines() + [""]
        for name, obj in members:
            if inspect.isclass(obj):
                rst += [f".. autoclass:: lossbook.{name}", "   :members:", ""]
            elif inspect.isroutine(obj):
                rst += [f".. autofunction:: lossbook.{name}", ""]
            else:
                rst += [f".. py:data:: lossbook.{name}", ""]
                doc = _attr_doc(modname, name) or []
                rst += ["   " + line if line.strip() else "" for line in doc] + [""]
        out.append("```{eval-rst}\n" + "\n".join(rst).rstrip() + "\n```\n")
    return "\n".join(out)


_CODE_OR_ROLE = re.compile(r"(:[\w:+-]+:)?(``.+?``|`[^`]+`)")


def _escape_bars(line):
    """``|x|`` in a docstring is an absolute value or norm, not a reST substitution."""
    if line.lstrip().startswith("|") or "|" not in line:
        return line  # reST line blocks and tables start with a bar: leave them alone
    parts, pos = [], 0
    for m in _CODE_OR_ROLE.finditer(line):
        parts.append(line[pos:m.start()].replace("|", r"\|"))
        parts.append(m.group(0))
        pos = m.end()
    parts.append(line[pos:].replace("|", r"\|"))
    return "".join(parts)


def _process_docstring(app, what, name, obj, options, lines):
    if name.startswith("lossbook"):
        lines[:] = [_escape_bars(line) for line in lines]


def _source_read(app, docname, source):
    if MARKER.search(source[0]):
        source[0] = MARKER.sub(lambda _: api_markdown(), source[0])


def _always_reread(app, env, added, changed, removed):
    """The API page depends on the library's code, which Sphinx does not track."""
    outdated = []
    for docname in env.found_docs:
        path = Path(env.doc2path(docname))
        if path.suffix == ".md" and path.is_file() and MARKER.search(path.read_text("utf8")):
            outdated.append(docname)
    return outdated


def _resolve_alias(app, env, node, contnode):
    """``lossbook.module.name`` → the documented ``lossbook.name`` when it is the same object."""
    if node.get("refdomain") != "py":
        return None
    target = node.get("reftarget", "")
    if target.startswith("~"):
        target = target[1:]
    if not target.startswith("lossbook.") or target.count(".") < 2:
        return None
    modname, _, name = target.rpartition(".")
    try:
        lossbook = importlib.import_module("lossbook")
        obj = getattr(importlib.import_module(modname), name)
    except (ImportError, AttributeError):
        return None
    if name not in getattr(lossbook, "__all__", ()) or getattr(lossbook, name) is not obj:
        return None
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                               f"lossbook.{name}", node, contnode)


def setup(app):
    app.connect("source-read", _source_read)
    app.connect("autodoc-process-docstring", _process_docstring)
    app.connect("env-get-outdated", _always_reread)
    app.connect("missing-reference", _resolve_alias)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}

