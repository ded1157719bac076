"""lb.glue displays exactly what myst_nb.glue displays (without importing myst-nb)."""
import sys

import IPython.display
import pytest

import lossbook as lb


def _captured(monkeypatch, fn, *args, **kwargs):
    calls = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    myst_glue = sys.modules.get("myst_nb.ext.glue")
    if myst_glue is not None:
        monkeypatch.setattr(myst_glue, "ipy_display", lambda *a, **k: calls.append((a, k)))
    fn(*args, **kwargs)
    return calls


@pytest.mark.parametrize("value", ["0.2500", 3, 1.5, [1, 2]])
@pytest.mark.parametrize("display", [False, True])
def test_glue_is_myst_nb_glue(monkeypatch, value, display):
    from myst_nb import glue as myst_glue

    ours = _captured(monkeypatch, lb.glue, "x", value, display=display)
    theirs = _captured(monkeypatch, myst_glue, "x", value, display=display)
    assert ours == theirs and len(ours) == 1


def test_glue_does_not_import_myst_nb():
    import subprocess

    code = ("import sys, lossbook as lb; lb.glue('x', 1); "
            "print(any(m.startswith(('myst_nb', 'nbformat', 'jsonschema')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_glue_bad_input():
    with pytest.raises(TypeError, match="name"):
        lb.glue("", 1)
    with pytest.raises(TypeError, match="display"):
        lb.glue("x", 1, display=1)
