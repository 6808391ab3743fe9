"""reports.jsontext writes exactly what json.dumps(indent=2, sort_keys=True) writes.

The JSON and SARIF reports are compared byte for byte by CI (and the golden files), so the fast
encoder must agree with the standard library on every value, not only on the reports' usual data:
strings with quotes, backslashes, control characters, non-ASCII and lone surrogates, big ints,
floats of every kind, non-string keys, empty and deeply nested containers.
"""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports import jsontext

# Every code point, surrogates included (a file name read with surrogateescape carries them).
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
TRICKY_TEXT = st.text(st.sampled_from(['"', "\\", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "é", "€", "😀",
                                       "\u2028", "\ud800", "/", "<", "&", " ", "a"]), max_size=8)
TEXT = ANY_TEXT | TRICKY_TEXT
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1e16, 1e-7, 0.1, 1.5e300])
SCALARS = st.none() | st.booleans() | st.integers() | st.integers(min_value=-(10**40), max_value=10**40) | FLOATS | TEXT

JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(TEXT, children, max_size=5)
    ),
    max_leaves=40,
)


def _standard(value: Any, ensure_ascii: bool) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)


@settings(max_examples=600, deadline=None)
@given(value=JSON_VALUES, ensure_ascii=st.booleans())
def test_same_text_as_json_dumps(value: Any, ensure_ascii: bool) -> None:
    assert jsontext.dumps(value, ensure_ascii=ensure_ascii) == _standard(value, ensure_ascii)


KEYS = st.one_of(
    st.dictionaries(st.integers(), st.integers(), max_size=5),
    st.dictionaries(FLOATS.filter(lambda f: not math.isnan(f)), st.integers(), max_size=5),
    st.dictionaries(st.booleans(), st.integers(), max_size=2),
    st.dictionaries(st.none(), st.integers(), max_size=1),
)


@settings(max_examples=200, deadline=None)
@given(value=KEYS, ensure_ascii=st.booleans())
def test_scalar_keys_are_sorted_then_written_as_json_dumps_does(value: dict[Any, int], ensure_ascii: bool) -> None:
    assert jsontext.dumps(value, ensure_ascii=ensure_ascii) == _standard(value, ensure_ascii)


@given(items=st.lists(JSON_VALUES, max_size=5))
def test_an_iterator_is_written_as_an_array(items: list[Any]) -> None:
    assert jsontext.dumps({"items": iter(items)}, ensure_ascii=False) == _standard({"items": items}, False)
    assert jsontext.dumps((item for item in items), ensure_ascii=True) == _standard(items, True)


class Level(enum.IntEnum):
    HIGH = 3


class Ratio(float):
    def __repr__(self) -> str:
        return "not this"


class Name(str):
    pass


def test_subclasses_are_written_as_their_base_type() -> None:
    value = {"level": Level.HIGH, "ratio": Ratio(0.5), Name("name"): Name('say "hi"'), "flag": True}
    assert jsontext.dumps(value, ensure_ascii=False) == _standard(value, False)


@pytest.mark.parametrize("value", [{1, 2}, object(), b"bytes", {"nested": [1, {"deeper": {2}}]}])
def test_what_json_cannot_write_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        _standard(value, False)
    with pytest.raises(TypeError):
        jsontext.dumps(value, ensure_ascii=False)


def test_mixed_key_types_are_refused_like_json_dumps() -> None:
    value = {"a": 1, 2: 3}
    with pytest.raises(TypeError):
        _standard(value, False)
    with pytest.raises(TypeError):
        jsontext.dumps(value, ensure_ascii=False)
