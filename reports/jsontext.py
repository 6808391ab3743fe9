"""Indented JSON text, byte for byte what ``json.dumps(value, indent=2, sort_keys=True)`` writes.

Why not json.dumps: with ``indent`` set, the standard library drops its C encoder for the
pure-Python one, a generator per container and a yield per token, and that was most of the time
the JSON and SARIF reports took on a large org. Here containers are walked in Python, but every
string goes through the very C escaping function json.dumps would use, and numbers through the
same ``repr`` calls, so the text cannot differ (tests/reports/test_jsontext.py compares the two
over arbitrary values).

Besides lists and tuples, any other iterator (a generator, say) is written as an array: a report
can then build its long lists an entry at a time and drop each entry once written, instead of
holding thousands of dicts that the garbage collector would have to walk.
"""

from __future__ import annotations

import json.encoder
from collections.abc import Callable, Iterator
from typing import Any

INDENT = "  "  # indent=2

# The C escapers json.dumps itself uses (they fall back to Python where _json is missing).
_ESCAPERS: dict[bool, Callable[[str], str]] = {
    True: json.encoder.encode_basestring_ascii,
    False: json.encoder.encode_basestring,
}


def dumps(value: Any, *, ensure_ascii: bool) -> str:
    """``json.dumps(value, indent=2, sort_keys=True, ensure_ascii=ensure_ascii)``, only faster."""
    string = _ESCAPERS[ensure_ascii]

    def encode(value: Any, newline: str) -> str:
        # newline: "\n" and the indent of the line ``value`` starts on; its items go one deeper
        if isinstance(value, str):
            return string(value)
        if value is None or isinstance(value, (int, float)):  # bool is an int
            return _scalar(value)
        inner = newline + INDENT
        if isinstance(value, dict):
            items = [f"{string(_key(key))}: {encode(item, inner)}" for key, item in sorted(value.items())]
            return _bracket("{", items, "}", newline) if items else "{}"
        if isinstance(value, (list, tuple, Iterator)):
            items = [encode(item, inner) for item in value]
            return _bracket("[", items, "]", newline) if items else "[]"
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    return encode(value, "\n")


def _bracket(opening: str, items: list[str], closing: str, newline: str) -> str:
    inner = newline + INDENT
    return opening + inner + ("," + inner).join(items) + newline + closing


def _scalar(value: None | int | float) -> str:
    # json.encoder's tests in its order: True and False are ints, so they come first.
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)  # not repr(): an IntEnum is written as its number
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "Infinity"
    if value == float("-inf"):
        return "-Infinity"
    return float.__repr__(value)


def _key(key: Any) -> str:
    # json.dumps sorts the keys first and only then turns the scalar ones into strings.
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (int, float)):
        return _scalar(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
