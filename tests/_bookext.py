"""Import one of the book's Sphinx extensions (book/_ext/<name>.py) in a test."""
import sys
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[1] / "book" / "_ext"


def import_book_ext(name, *, requires):
    """The module book/_ext/``name``.py; the test is skipped when ``requires`` is missing."""
    pytest.importorskip(requires)
    sys.path.insert(0, str(EXT))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(EXT))
