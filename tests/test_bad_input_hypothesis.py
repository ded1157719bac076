"""Property-based sweep of every public callable with generated bad values (issue 13).

For each callable of ``lossbook.__all__`` (found by introspection, so a new public function
is swept as soon as it is exported; give its required arguments a baseline in
tests/_badinput.py) hypothesis picks one argument and replaces it by a generated value: one
of the table's bad values for any kind of argument, or a generated number, string, None or
array. The call must then either raise a ValueError/TypeError naming that argument, or
return without any warning and without NaN in its result. The "ci" profile of
tests/conftest.py derandomizes the examples (12 per callable), so a run is reproducible;
``HYPOTHESIS_PROFILE=thorough`` draws 60 fresh random examples per callable.
"""
import numpy as np
import pytest
from _badinput import BAD, BASELINE, _has_nan, call, fx, names_argument, signature, targets
from hypothesis import given
from hypothesis import strategies as st

_POOL = None


def pool():
    global _POOL
    if _POOL is None:
        values = []
        for kind in sorted(BAD):
            values.extend(v for _, v in BAD[kind](fx()))
        _POOL = values
    return _POOL


numbers = st.one_of(
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 0.0, -1.0, 2.5, 1e300, -1e300,
                     1e-300, 0, -1, 1, 2, True, False]),
    st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5))
values = st.one_of(
    st.integers(0, 10_000).map(lambda i: pool()[i % len(pool())]),
    numbers, st.text(max_size=4), st.none(),
    st.lists(numbers, max_size=4).map(lambda v: np.array(v, dtype=float)))


@pytest.mark.parametrize("name", [name for name in targets() if signature(name)])
@given(data=st.data())
def test_generated_bad_input(name, data):
    params = [p for p in signature(name) if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    arg = data.draw(st.sampled_from([p.name for p in params]), label="argument")
    value = data.draw(values, label="value")
    kwargs = dict(BASELINE.get(name, lambda f: {})(fx()))
    kwargs[arg] = value
    result, err = call(name, kwargs)
    if err is None:
        assert not _has_nan(result), f"{name}({arg}={value!r}) returned NaN"
        return
    assert isinstance(err, (ValueError, TypeError)) and not isinstance(err, Warning), (
        f"{name}({arg}={value!r}) raised {type(err).__name__}: {err}")
    assert names_argument(str(err), arg), (
        f"{name}({arg}={value!r}): the message does not name {arg!r}: {err}")
