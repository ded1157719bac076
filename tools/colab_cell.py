"""Write (or check) the first cell of every chapter: the Colab install cell.

    python tools/colab_cell.py [--check] [NOTEBOOK...]     (make colab-cells / make test)

A chapter opened on Colab (the launch button) runs alone, without the repository: its first
cell, which does nothing anywhere else, clones the repository named in ``_config.yml``
(``repository.url``, ``repository.branch``: the one place the URL is written), installs
lossbook from it and changes into its ``book/`` folder, where the chapters find their data
files. The cell is tagged ``remove-cell`` (hidden in the static book) and ``lossbook-colab``
(so that this script finds and updates it). Without ``--check`` the cell is inserted, or
updated in place, in every chapter notebook (default: ``book/*.ipynb``); with ``--check``
nothing is written and the exit status says whether every chapter's first cell is up to date.
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TAG = "lossbook-colab"
TAGS = ["remove-cell", TAG]


def repository(config=ROOT / "_config.yml"):
    """(url, branch) from the book's configuration."""
    import yaml

    repo = (yaml.safe_load(Path(config).read_text("utf8")) or {}).get("repository") or {}
    url, branch = repo.get("url"), repo.get("branch") or "main"
    if not url:
        raise ValueError(f"{config}: repository.url is not set")
    return url.rstrip("/"), branch


def cell_source(url, branch):
    return "\n".join([
        "# On Colab only (this cell does nothing elsewhere, and is hidden in the book): fetch the",
        "# book's repository for its data files, install lossbook from it, work in its book/ folder.",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        "    import os",
        "    import subprocess",
        "",
        '    if not os.path.isdir("/content/lossbook"):',
        f'        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", "{branch}",',
        f'                        "{url}", "/content/lossbook"], check=True)',
        "    %pip install --quiet /content/lossbook",
        '    os.chdir("/content/lossbook/book")',
    ])


def is_colab_cell(cell):
    return cell.get("cell_type") == "code" and TAG in cell.get("metadata", {}).get("tags", [])


def up_to_date(nb, source):
    if not nb.cells or not is_colab_cell(nb.cells[0]):
        return False
    cell = nb.cells[0]
    return cell.source == source and all(t in cell.metadata.get("tags", []) for t in TAGS)


def apply(nb, source):
    """Insert or update the Colab cell as ``nb``'s first cell; return whether ``nb`` changed."""
    import nbformat

    if up_to_date(nb, source):
        return False
    nb.cells = [c for c in nb.cells if not is_colab_cell(c)]  # one, and first
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": list(TAGS)})
    cell.pop("id", None)
    if nb.nbformat_minor >= 5:
        cell["id"] = "lossbook-colab"
    nb.cells.insert(0, cell)
    return True


def main(argv=None):
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if out of date")
    args = parser.parse_args(argv)
    source = cell_source(*repository())
    paths = args.notebooks or sorted(str(p) for p in (ROOT / "book").glob("*.ipynb"))
    stale = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            if not up_to_date(nb, source):
                stale.append(path)
        elif apply(nb, source):
            nbformat.write(nb, path)
            print(f"{path}: Colab cell written")
    if stale:
        print("first cell is not the current Colab cell (run `make colab-cells`): "
              + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
