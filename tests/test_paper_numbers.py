"""Results numbered as in the papers, citations told apart (book/_ext/lossbook_papers.py; issue 11).

The table of paper labels covers exactly the labelled results of the chapters; a small Sphinx
project with sphinx-proof, sphinxcontrib-bibtex and the extension shows the box headings, the
ref texts and the lettered citations; the built book (marker built_book) shows them too.
"""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from _bookext import import_book_ext

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("LOSSBOOK_HTML", ROOT / "_build" / "html")).resolve()
BOX = re.compile(r"^(`{3,}|:{3,})\{prf:(\w+)\}([^\n]*)\n((?::[\w-]+:[^\n]*\n)*)", re.M)


@pytest.fixture(scope="module")
def ext():
    return import_book_ext("lossbook_papers", requires="sphinx_proof")


def _boxes():
    """(file, label, type, title) of every sphinx-proof box in the chapters and pages."""
    out = []
    for path in sorted((ROOT / "book").glob("*.ipynb")) + sorted((ROOT / "book").glob("*.md")):
        if path.suffix == ".ipynb":
            texts = ["".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                     if c["cell_type"] == "markdown"]
        else:
            texts = [path.read_text()]
        for text in texts:
            for m in BOX.finditer(text):
                label = re.search(r":label:\s*(\S+)", m.group(4))
                out.append((path.name, label.group(1) if label else "", m.group(2),
                            m.group(3).strip()))
    return out


def test_every_result_box_has_its_paper_label_and_every_label_a_box(ext):
    labels = [b[1] for b in _boxes() if ext.RESULT_ID.match(b[1])]
    assert len(labels) == len(set(labels)), "a result ID labels two boxes"
    assert set(labels) == set(ext.PAPER_LABELS)


def test_labels_name_the_paper_and_its_number(ext):
    for rid, names in ext.PAPER_LABELS.items():
        paper = {"icml": "ICML", "ni": "NeurIPS", "ext": "Remark"}[rid.split("-")[0]]
        assert names[0].startswith(paper), rid
        kind = rid.split("-")[1]
        word = {"asm": "Assumption", "thm": "Theorem", "prop": "Proposition", "cor": "Corollary",
                "lem": "Lemma", "def": "Definition", "ex": "Example"}.get(kind)
        if word and rid != "icml-ex-b8":
            num = rid.split("-")[2]
            assert names[0] == f"{paper} {word} {num}", rid
    assert ext.box_label("icml-thm-1") == "ICML Theorem 1 / WS Theorem 1"
    assert ext.ref_label("icml-thm-1") == "ICML Theorem 1"


def test_year_letters_follow_the_bibliography_order(ext):
    from pybtex.database import parse_file
    entries = parse_file(str(ROOT / "book" / "references.bib")).entries
    letters = ext.year_suffixes(entries.values())
    assert letters == {"liang2018adding": "a", "liang2018understanding": "b",
                       "liang2018workshop": "c"}
    assert ext.author_text(entries["liang2018understanding"]) == "Liang et al."
    assert ext.author_text(entries["safran2018spurious"]) == "Safran and Shamir"


@pytest.fixture(scope="module")
def mini_build(tmp_path_factory, ext):
    src = tmp_path_factory.mktemp("papers_mini")
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'sphinx_proof', 'sphinxcontrib.bibtex', 'lossbook_papers']\n"
        f"bibtex_bibfiles = [{str(ROOT / 'book' / 'references.bib')!r}]\n"
        "bibtex_reference_style = 'author_year'\n"
        "html_theme = 'basic'\n")
    (src / "index.md").write_text(
        "# Mini\n\n```{toctree}\nboxes\nbib\n```\n\n"
        "Bare {prf:ref}`icml-asm-1`; explicit {prf:ref}`icml-asm-1 <icml-asm-1>`; "
        "{prf:ref}`icml-thm-1`; {prf:ref}`own-def`.\n\n"
        "Cited {cite:p}`liang2018understanding,liang2018workshop` and {cite:t}`liang2018adding`.\n")
    (src / "boxes.md").write_text(
        "# Boxes\n\n```{prf:assumption} Surrogate losses\n:label: icml-asm-1\n\nOne.\n```\n\n"
        "```{prf:theorem} Subspace data\n:label: icml-thm-1\n\nTwo.\n```\n\n"
        "```{prf:definition} The neuron classes\n:label: own-def\n\nThree.\n```\n")
    (src / "bib.md").write_text("# Bib\n\n```{bibliography}\n:all:\n:style: lossbook\n```\n")
    out = src / "_build"
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-q", "-W", "-b", "html", str(src), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return {name: re.sub(r"\s+", " ", (out / f"{name}.html").read_text())
            for name in ("index", "boxes", "bib")}


def _text(html):
    return re.sub(r"<[^>]+>", "", html)


def test_boxes_are_headed_by_the_paper_number(mini_build):
    heads = [_text(h) for h in re.findall(r'<p class="admonition-title"[^>]*>(.*?)</p>',
                                          mini_build["boxes"])]
    assert heads == ["ICML Assumption 1 (Surrogate losses)",
                     "ICML Theorem 1 / WS Theorem 1 (Subspace data)",
                     "Definition (The neuron classes)"]
    assert 'id="icml-asm-1"' in mini_build["boxes"]


def test_refs_show_the_paper_label_or_the_explicit_text(mini_build):
    links = [_text(a) for a in re.findall(r'<a class="reference internal" href="boxes.html#[^"]*"[^>]*>(.*?)</a>',
                                          mini_build["index"])]
    assert links == ["ICML Assumption 1", "icml-asm-1", "ICML Theorem 1",
                     "Definition (The neuron classes)"]


def test_citations_are_lettered_in_text_and_bibliography(mini_build):
    text = _text(mini_build["index"])
    assert "[Liang et al., 2018b, Liang et al., 2018c]" in text
    assert "Liang et al. [2018a]" in text
    labels = [_text(x) for x in re.findall(r'<span class="label">(.*?)</span></span>', mini_build["bib"])]
    assert "[Liang et al., 2018a" in labels[0] and "[Liang et al., 2018b" in labels[1]


@pytest.mark.built_book
def test_built_book_boxes_and_map():
    page = HTML / "book" / "part1_setting.html"
    if not page.exists():
        pytest.skip(f"no built book at {HTML} (make book)")
    setting = re.sub(r"\s+", " ", page.read_text())
    heads = [_text(h) for h in re.findall(r'<p class="admonition-title"[^>]*>(.*?)</p>', setting)]
    assert any(h.startswith("ICML Assumption 1") for h in heads)
    assert not any(re.match(r"Assumption \d", h) for h in heads), heads
    intro = re.sub(r"\s+", " ", (HTML / "book" / "intro.html").read_text())
    assert re.search(r'href="part4_one_neuron.html#ni-thm-1"[^>]*>NeurIPS Theorem 1</a>', intro)
    assert "Liang et al., 2018, Liang et al., 2018" not in _text(intro)
