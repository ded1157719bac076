"""What every chapter notebook must (not) store: the Colab cell first, no widget state, no
progress bars; and the tools that keep it so (tools/colab_cell.py, tools/execute.py)."""
import importlib.util
import os
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "book").glob("*.ipynb"))


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "tools"))
    return module


colab = _tool("colab_cell")
execute = _tool("execute")


def test_the_colab_cell_names_the_configured_repository(tmp_path):
    config = tmp_path / "_config.yml"
    config.write_text("repository:\n  url: https://example.org/someone/fork/\n  branch: dev\n")
    url, branch = colab.repository(config)
    assert (url, branch) == ("https://example.org/someone/fork", "dev")
    source = colab.cell_source(url, branch)
    assert '"https://example.org/someone/fork"' in source and '"dev"' in source
    config.write_text("title: x\n")
    with pytest.raises(ValueError, match="repository.url"):
        colab.repository(config)


def test_the_colab_cell_is_inserted_once_and_updated_in_place():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title"),
                                         nbformat.v4.new_code_cell("1 + 1")])
    old, new = colab.cell_source("https://a/b", "main"), colab.cell_source("https://c/d", "main")
    assert colab.apply(nb, old) and not colab.apply(nb, old)
    assert colab.up_to_date(nb, old) and not colab.up_to_date(nb, new)
    assert colab.apply(nb, new) and colab.up_to_date(nb, new)
    assert [c.cell_type for c in nb.cells] == ["code", "markdown", "code"]
    assert sum(colab.is_colab_cell(c) for c in nb.cells) == 1
    assert "remove-cell" in nb.cells[0].metadata["tags"]  # hidden in the static book
    nbformat.validate(nb)


def test_the_colab_cell_does_nothing_outside_colab():
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(colab.cell_source(*colab.repository()))
    assert "google.colab" not in sys.modules
    cwd = os.getcwd()
    exec(compile(code, "<colab cell>", "exec"), {"get_ipython": lambda: pytest.fail("ran %pip")})
    assert os.getcwd() == cwd


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_every_chapter_starts_with_the_current_colab_cell(path):
    nb = nbformat.read(path, as_version=4)
    assert colab.up_to_date(nb, colab.cell_source(*colab.repository())), (
        f"{path.name}: the first cell is not the Colab cell for _config.yml's repository: "
        "run `make colab-cells`")


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_no_widget_state_and_no_progress_bars_are_stored(path):
    nb = nbformat.read(path, as_version=4)
    assert not execute.progress_widgets(nb), f"{path.name}: progress-bar widgets stored"
    assert "widgets" not in nb.metadata, (
        f"{path.name}: widget state stored in the notebook's metadata (unused by the book): "
        "run `make strip-widgets` (make execute strips it too)")


def test_stripping_finds_progress_bars_and_widget_state():
    bar = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"},
        "text/plain": "HBox(children=(HTML(value=''), FloatProgress(value=0.0, max=100.0)))"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[bar])])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    assert execute.progress_widgets(nb) == [0]
    assert execute.strip(nb) and "widgets" not in nb.metadata and not execute.strip(nb)
