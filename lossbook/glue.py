"""Hand a computed value to the book's text: ``{glue:text}`name``` in a chapter's Markdown.

Prose never states a computed number by hand: a cell computes it and glues it, and the text
refers to the glued name, so text and output cannot disagree. In the book (myst-nb) this is
``myst_nb.glue``; in a plain Jupyter or Colab session without myst-nb it stores nothing and,
with ``display=True``, just shows the value.
"""


def glue(name, value, *, display=False):
    """Glue ``value`` under ``name`` (a str) for ``{glue:text}`name``` in the chapter's text.

    Glue only deterministic values (exact counts of stored census end points, closed forms,
    certificates of constructed points): nbval compares what is glued like any other output.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name: expected a non-empty str, got {name!r}")
    if not isinstance(display, bool):
        raise TypeError(f"display: expected a bool, got {type(display).__name__}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:  # no myst-nb (Colab, a bare Jupyter): nothing to glue into
        if display:
            from IPython.display import display as show
            show(value)
        return
    myst_glue(name, value, display=display)
