"""Results numbered as the papers number them, and citations that tell the papers apart.

Issue 11. Two things, both about how the book names the three 2018 papers' results:

1. **Paper numbers on the statement boxes** (sphinx-proof). sphinx-proof numbers its boxes
   through the book ("Assumption 3", "Theorem 3"), which collides with the papers' own
   numbers. Every box whose ``:label:`` is a result ID of the book (the table
   ``PAPER_LABELS`` below, derived from the "paper" column of the results list) is headed by
   the paper and its own number instead — "ICML Assumption 1 (Surrogate losses)",
   "NeurIPS Theorem 1 (…)", "ICML Theorem 1 / WS Theorem 1 (…)" — and a bare
   ``{prf:ref}`icml-asm-1``` shows "ICML Assumption 1" (the first, main label). A ref with
   an explicit text (``{prf:ref}`text <icml-asm-1>```) shows that text: sphinx-proof 0.4.0
   replaces it by its own number whenever the target's name occurs in the text, which made
   the intro's results map print "Assumption 3, 5, 6, 1, …" instead of the IDs.
   Boxes of the book's own (a remark, a definition that is not a result) carry no number:
   "Remark (The single-layer version)"; a bare ref to one shows "Remark (…)" too. A box
   labelled like a result ID (``icml-…``, ``ni-…``, ``ws-…``, ``ext-…``) that is missing from
   the table is a build warning, so the table cannot silently fall behind the chapters.

   Hooks: the ``prf`` domain is replaced by a subclass whose ``resolve_xref`` writes the ref
   text; at ``doctree-resolved`` (after numbering and reference resolution) every numbered
   sphinx-proof box is replaced by a ``paper_box`` node with the same ids, classes and
   children, whose title starts with the label in ``<span class="caption-number">`` — the
   markup sphinx-proof writes, so its CSS applies unchanged.

2. **Author-year citations with a/b/c** (sphinxcontrib-bibtex). The three papers are all
   "Liang et al., 2018". Entries whose author-year text collides get a letter after the
   year, assigned in the order the bibliography sorts them (authors, year, title): in the
   text "Liang et al., 2018a", and the bibliography page labels each entry with the same
   text ("[Liang et al., 2018a]", style ``lossbook`` on book/bibliography.md). The referencing
   style ``lossbook_author_year`` is ``author_year`` with that year; when the configuration
   asks for ``author_year`` it is used in its place (one letter per paper everywhere).
"""
import re
from dataclasses import dataclass

from docutils import nodes
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

logger = logging.getLogger(__name__)

# -- 1. paper numbers ---------------------------------------------------------------------------
#: result ID -> its name in the papers (main label first; a second paper's number after it).
#: From the "paper" column of the book's list of results (ICML = Liang, Sun, Li, Srikant,
#: ICML 2018; WS = its ICLR 2018 workshop version; NeurIPS = Liang, Sun, Lee, Srikant,
#: NeurIPS 2018). IDs without a number of their own get a descriptive label.
PAPER_LABELS = {
    "icml-asm-1": ("ICML Assumption 1",),
    "icml-asm-2": ("ICML Assumption 2",),
    "icml-asm-3": ("ICML Assumption 3",),
    "icml-asm-4": ("ICML Assumption 4",),
    "icml-asm-5": ("ICML Assumption 5",),
    "icml-asm-6": ("ICML Assumption 6",),
    "ni-asm-1": ("NeurIPS Assumption 1",),
    "ni-asm-2": ("NeurIPS Assumption 2",),
    "icml-thm-1": ("ICML Theorem 1", "WS Theorem 1"),
    "icml-prop-1": ("ICML Proposition 1",),
    "icml-thm-2": ("ICML Theorem 2",),
    "icml-table-1": ("ICML Table 1",),
    "icml-prop-2": ("ICML Proposition 2",),
    "icml-prop-3": ("ICML Proposition 3",),
    "icml-prop-4": ("ICML Proposition 4",),
    "icml-prop-5": ("ICML Proposition 5",),
    "icml-prop-6": ("ICML Proposition 6",),
    "icml-prop-7": ("ICML Proposition 7",),
    "icml-ex-1": ("ICML Example 1",),
    "icml-ex-b8": ("ICML App. B.8 example", "WS Example 1"),
    "icml-prop-8": ("ICML Proposition 8",),
    "icml-prop-9": ("ICML Proposition 9", "WS Proposition 1"),
    "icml-prop-10": ("ICML Proposition 10",),
    "icml-prop-11": ("ICML Proposition 11",),
    "icml-prop-12": ("ICML Proposition 12",),
    "ni-thm-1": ("NeurIPS Theorem 1",),
    "ni-cor-1": ("NeurIPS Corollary 1",),
    "ni-lem-1": ("NeurIPS Lemma 1",),
    "ni-lem-2": ("NeurIPS Lemma 2",),
    "ni-reg": ("NeurIPS §3 remark",),
    "ni-thm-2": ("NeurIPS Theorem 2",),
    "ni-cor-2": ("NeurIPS Corollary 2",),
    "ni-prop-1": ("NeurIPS Proposition 1",),
    "ni-prop-2": ("NeurIPS Proposition 2",),
    "ni-def-1": ("NeurIPS Definition 1",),
    "ni-prop-3": ("NeurIPS Proposition 3",),
    "ext-infinity": ("Remark beyond the papers",),
}

#: a label of this form names a result and must be in PAPER_LABELS
RESULT_ID = re.compile(r"^(icml|ni|ws|ext)-[a-z0-9-]+$")


def box_label(label):
    """The heading of a result's box: all its paper labels, e.g. 'ICML Theorem 1 / WS Theorem 1'."""
    return " / ".join(PAPER_LABELS[label])


def ref_label(label):
    """The text of a bare reference to a result: its main paper label."""
    return PAPER_LABELS[label][0]


class paper_box(nodes.Admonition, nodes.Element):
    """A sphinx-proof box headed by its paper label (or by its type alone, unnumbered)."""


def _visit_paper_box_html(self, node):
    self.body.append(self.starttag(node, "div", CLASS="admonition"))


def _depart_paper_box_html(self, node):
    self.body.append("</div>\n")


def _visit_paper_box_latex(self, node):
    self.body.append("\n\\begin{sphinxadmonition}{note}{" + self.encode(node["lossbook_caption"]) + "}")


def _depart_paper_box_latex(self, node):
    self.body.append("\\end{sphinxadmonition}\n")


def _visit_paper_box_text(self, node):
    self.visit_admonition(node)


def _depart_paper_box_text(self, node):
    self.depart_admonition(node)


def _proof_node_types():
    from sphinx_proof.nodes import NODE_TYPES, unenumerable_node
    return tuple(NODE_TYPES.values()), unenumerable_node


def _bare_title(title_node):
    """The title a box was given ('Surrogate losses'), without sphinx-proof's ' (…)'."""
    text = title_node.astext().strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    return text


def _type_title(realtype):
    from sphinx_proof.domain import translate
    return translate(realtype.title())


def record_titles(app, doctree):
    """doctree-read: remember each box's title and type (for refs to unnumbered boxes),
    and warn about a result-like label that the table does not know."""
    env = app.env
    titles = env.__dict__.setdefault("lossbook_prf_titles", {})
    numbered, unnumbered = _proof_node_types()
    for node in doctree.findall(lambda n: isinstance(n, numbered + (unnumbered,))):
        label = node.get("label", "")
        if not label:
            continue
        title = _bare_title(node[0]) if len(node) and isinstance(node[0], nodes.title) else ""
        titles[label] = (env.docname, node.get("realtype", ""), title)
        if RESULT_ID.match(label) and label not in PAPER_LABELS:
            logger.warning(f"lossbook_papers: box label {label!r} looks like a result ID but "
                           "has no paper label in book/_ext/lossbook_papers.py PAPER_LABELS",
                           location=node)


def purge_titles(app, env, docname):
    titles = getattr(env, "lossbook_prf_titles", {})
    for label in [k for k, v in titles.items() if v[0] == docname]:
        del titles[label]


def merge_titles(app, env, docnames, other):
    env.__dict__.setdefault("lossbook_prf_titles", {}).update(
        {k: v for k, v in getattr(other, "lossbook_prf_titles", {}).items() if v[0] in docnames})


def _unnumbered_text(realtype, title):
    return f"{_type_title(realtype)} ({title})" if title else _type_title(realtype)


def relabel_boxes(app, doctree, docname):
    """doctree-resolved: head every numbered sphinx-proof box by its paper label (results)
    or by its type alone (the book's own boxes), replacing sphinx-proof's book-wide number."""
    numbered, unnumbered = _proof_node_types()
    for node in list(doctree.findall(lambda n: isinstance(n, numbered + (unnumbered,)))):
        label = node.get("label", "")
        is_result = label in PAPER_LABELS
        if isinstance(node, unnumbered) and not is_result:
            continue  # :nonumber: boxes keep sphinx-proof's own rendering
        caption = box_label(label) if is_result else _type_title(node.get("realtype", ""))
        box = paper_box("", *node.children)
        box.attributes.update({k: v for k, v in node.attributes.items() if k != "backrefs"})
        box["lossbook_caption"] = caption
        if is_result:
            box["classes"] = box["classes"] + ["paper-result"]
        if len(box) and isinstance(box[0], nodes.title):
            title = box[0]
            if isinstance(node, unnumbered):  # the ids sphinx-proof put on the title
                title["ids"] = []
            title.insert(0, nodes.inline("", caption, classes=["caption-number"]))
        else:
            box.insert(0, nodes.title("", "", nodes.inline("", caption, classes=["caption-number"])))
        node.replace_self(box)


def _make_domain():
    from sphinx_proof.domain import ProofDomain

    class PaperProofDomain(ProofDomain):
        """sphinx-proof's domain; a bare ref shows the paper label, an explicit text stays."""

        def resolve_xref(self, env, fromdocname, builder, typ, target, node, contnode):
            if node.attributes.get("refdomain", "") != self.name:
                return None
            match = getattr(env, "proof_list", {}).get(target)
            if match is None:  # sphinx-proof's own warning for an unknown label
                return super().resolve_xref(env, fromdocname, builder, typ, target, node, contnode)
            if node.get("refexplicit"):
                title = contnode[0] if len(contnode) else contnode
            elif target in PAPER_LABELS:
                title = nodes.Text(ref_label(target))
            else:
                _, realtype, text = getattr(env, "lossbook_prf_titles", {}).get(
                    target, ("", match["realtype"], ""))
                title = nodes.Text(_unnumbered_text(realtype, text))
            return make_refnode(builder, fromdocname, match["docname"], target, title)

    return PaperProofDomain


# -- 2. citations -------------------------------------------------------------------------------
_SUFFIX = {}  # bib key -> "a", "b", ... for entries whose author-year text collides


def _last_names(entry):
    persons = entry.persons.get("author") or entry.persons.get("editor") or []
    return [" ".join(p.last_names) for p in persons]


def author_text(entry):
    """'Liang', 'Liang and Sun' or 'Liang et al.': the author part of an author-year citation."""
    names = _last_names(entry)
    if not names:
        return entry.fields.get("title", entry.key)
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def year_suffixes(entries):
    """{key: letter} for the entries whose (author text, year) collide, lettered in the order
    (all authors' names, year, title) — the order the bibliography sorts them."""
    groups = {}
    for e in entries:
        groups.setdefault((author_text(e), e.fields.get("year", "")), []).append(e)
    out = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: (" ".join(_last_names(e)).lower(), e.fields.get("year", ""),
                                  e.fields.get("title", "").lower()))
        for i, e in enumerate(group):
            out[e.key] = "abcdefghijklmnopqrstuvwxyz"[i]
    return out


def year_text(entry):
    return entry.fields.get("year", "n.d.") + _SUFFIX.get(entry.key, "")


def _register_citation_styles():
    import pybtex.plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.alpha import Style as AlphaStyle
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.template import node
    from sphinxcontrib.bibtex.plugin import register_plugin
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle
    from sphinxcontrib.bibtex.style.referencing.basic_author_year import (
        BasicAuthorYearParentheticalReferenceStyle,
        BasicAuthorYearTextualReferenceStyle,
    )
    from sphinxcontrib.bibtex.style.referencing.extra_year import ExtraYearReferenceStyle
    from sphinxcontrib.bibtex.style.template import join, join2, post_text, pre_text, reference

    @node
    def year_lettered(children, data):
        assert not children
        return Text(year_text(data["entry"]))

    @dataclass
    class Parenthetical(BasicAuthorYearParentheticalReferenceStyle):
        def inner(self, role_name):
            return join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                pre_text,
                reference[join(sep=self.author_year_sep)[
                    self.person.author_or_editor_or_title(full="s" in role_name), year_lettered]],
                post_text,
            ]

    @dataclass
    class Textual(BasicAuthorYearTextualReferenceStyle):
        def inner(self, role_name):
            return join(sep=self.text_reference_sep)[
                self.person.author_or_editor_or_title(full="s" in role_name),
                join[self.bracket.left,
                     join2(sep1=self.pre_text_sep, sep2=self.post_text_sep)[
                         pre_text, reference[year_lettered], post_text],
                     self.bracket.right],
            ]

    @dataclass
    class Year(ExtraYearReferenceStyle):
        def inner(self, role_name):
            return reference[year_lettered]

    @dataclass
    class LetteredAuthorYear(AuthorYearReferenceStyle):
        """author_year, with a letter after the year when author and year collide."""

        def __post_init__(self):
            super().__post_init__()
            for style in (
                    Parenthetical(bracket=self.bracket_parenthetical, person=self.person,
                                  author_year_sep=self.author_year_sep,
                                  pre_text_sep=self.pre_text_sep, post_text_sep=self.post_text_sep),
                    Textual(bracket=self.bracket_textual, person=self.person,
                            text_reference_sep=self.text_reference_sep,
                            pre_text_sep=self.pre_text_sep, post_text_sep=self.post_text_sep),
                    Year(bracket=self.bracket_year)):
                self.styles.append(style)
                self.role_style.update((role, style) for role in style.role_names())

    class AuthorYearLabels(BaseLabelStyle):
        """Bibliography labels 'Liang et al., 2018a', matching the text's citations."""

        def format_labels(self, sorted_entries):
            entries = list(sorted_entries)
            local = year_suffixes(entries) if not _SUFFIX else None
            for e in entries:
                suffix = local.get(e.key, "") if local is not None else _SUFFIX.get(e.key, "")
                yield f"{author_text(e)}, {e.fields.get('year', 'n.d.')}{suffix}"

    class LossbookStyle(AlphaStyle):
        """pybtex's alpha style with author-year labels (the bibliography page's style)."""

        default_label_style = AuthorYearLabels

    register_plugin("sphinxcontrib.bibtex.style.referencing", "lossbook_author_year",
                    LetteredAuthorYear, force=True)
    pybtex.plugin.register_plugin("pybtex.style.formatting", "lossbook", LossbookStyle, force=True)


def use_lettered_style(app, config):
    """config-inited: 'author_year' becomes 'lossbook_author_year' (the same, with letters)."""
    if getattr(config, "bibtex_reference_style", None) == "author_year":
        config.bibtex_reference_style = "lossbook_author_year"


def compute_suffixes(app):
    """builder-inited (after sphinxcontrib-bibtex has read the .bib files): the letters."""
    try:
        dom = app.env.get_domain("cite")
    except Exception:  # sphinxcontrib-bibtex not loaded: nothing to letter
        return
    _SUFFIX.clear()
    _SUFFIX.update(year_suffixes(dom.bibdata.data.entries.values()))


def setup(app):
    app.setup_extension("sphinx_proof")
    app.add_domain(_make_domain(), override=True)
    app.add_node(paper_box, html=(_visit_paper_box_html, _depart_paper_box_html),
                 latex=(_visit_paper_box_latex, _depart_paper_box_latex),
                 text=(_visit_paper_box_text, _depart_paper_box_text))
    app.connect("doctree-read", record_titles)
    app.connect("env-purge-doc", purge_titles)
    app.connect("env-merge-info", merge_titles)
    app.connect("doctree-resolved", relabel_boxes)
    app.setup_extension("sphinxcontrib.bibtex")
    _register_citation_styles()
    app.connect("config-inited", use_lettered_style)
    app.connect("builder-inited", compute_suffixes, priority=900)  # after the .bib files are read
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True,
            "env_version": 1}
