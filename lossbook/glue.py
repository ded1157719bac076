"""Hand a computed value to the book's text: ``{glue:text}`name``` in a chapter's Markdown.

Prose never states a computed number by hand: a cell computes it and glues it, and the text
refers to the glued name, so text and output cannot disagree. In the book (myst-nb installed)
this displays exactly what ``myst_nb.glue`` displays — the value's mimebundle, under myst-nb's
prefix when it is not shown, with the ``scrapbook`` metadata myst-nb reads — without importing
myst-nb: its import pulls in nbformat and jsonschema, whose grammar set-up took ~3–5 s of every
notebook's kernel. In a plain Jupyter or Colab session without myst-nb it stores nothing and,
with ``display=True``, just shows the value.
"""
from importlib.util import find_spec

#: myst-nb's mime-type prefix of a glued value that is not displayed (myst_nb.ext.glue)
GLUE_PREFIX = "application/papermill.record/"


def glue(name, value, *, display=False):
    """Glue ``value`` under ``name`` (a str) for ``{glue:text}`name``` in the chapter's text.

    Glue only deterministic values (exact counts of stored census end points, closed forms,
    certificates of constructed points): nbval compares what is glued like any other output.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty str, got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display: expected a bool, got {type(display).__name__}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as show

    if find_spec("myst_nb") is None:  # no myst-nb (Colab, a bare Jupyter): nothing to glue into
        if display:
            show(value)
        return
    # myst_nb.ext.glue.glue, line for line
    mimebundle, metadata = format_display_data(value)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = dict(name=name, mime_prefix=prefix)
    show({prefix + k: v for k, v in mimebundle.items()}, raw=True, metadata=metadata)
