"""The explicit bad-input table (issue 13): every public callable, every argument, many bad values.

The cases come from tests/_badinput.py: for each callable of ``lossbook.__all__`` (and the
methods of Model and Objective) each argument is replaced, one at a time, by the bad values of
its kind. A case passes only with a ValueError/TypeError naming the argument; a huge finite
value (1e300) may instead be accepted, but without a warning and without NaN in the result.
Hangs are detected by an alarm far above any case's run time (not a timing assertion).
"""
import collections

import pytest
from _badinput import OUTCOMES, allowed, cases, missing_baselines, run_case, signature, targets

CASES = cases()
BY_TARGET = {}  # a plain dict: looking a name up must not add it (tests run in any order)
for _case in CASES:
    BY_TARGET.setdefault(_case[0], []).append(_case)
_RESULTS = {}


def _run(name):
    if name not in _RESULTS:
        _RESULTS[name] = [(arg, label, *run_case(name, arg, value))
                          for _, arg, label, value in BY_TARGET.get(name, [])]
    return _RESULTS[name]


def test_table_is_large_and_covers_every_public_callable():
    assert len(CASES) >= 600
    # every callable that takes an argument has cases (set_style takes none)
    assert set(BY_TARGET) == {name for name in targets() if signature(name)}
    assert missing_baselines() == []


@pytest.mark.parametrize("name", targets())
def test_bad_input_is_refused_clearly(name):
    failures = [f"{arg} = {label}: {outcome} ({type(err).__name__}: {err})"
                for arg, label, outcome, err in _run(name) if outcome not in allowed(label)]
    assert not failures, f"{name}:\n" + "\n".join(failures)


def test_outcome_table():
    table = collections.Counter()
    for name in targets():
        for _, label, outcome, _ in _run(name):
            table[outcome if outcome in allowed(label) and outcome != "accepted"
                  else "huge value accepted (no warning, no NaN)" if outcome == "accepted"
                  and outcome in allowed(label) else f"FAIL: {outcome}"] += 1
    report = "\n".join(f"{k:<45} {v}" for k, v in sorted(table.items()))
    print(f"\n{len(CASES)} bad-input cases over {len(targets())} callables\n{report}")
    assert not [k for k in table if k.startswith("FAIL")], report
    assert set(OUTCOMES) >= {"clear", "accepted"}
