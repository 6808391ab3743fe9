"""Values inside the three-valued evaluator, and the comparisons and arithmetic on them.

A value is known (``str``, ``float``, ``bool``, or ``None`` for a known blank) or ``UNKNOWN``.
Every operation here is monotone: a known result never depends on an unknown input.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Union

from auditor.logic_tri import Tri

# --- values ---------------------------------------------------------------------------------


class Unknown:
    """The one unknown value; a class (not None) because None already means "known blank"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = Unknown()
Value = Union[str, float, bool, None, Unknown]

# Plain decimals only: no exponent, no "inf"/"nan" that Python's float() would also accept.
NUMBER_TEXT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*\Z")


def parse_number(text: str) -> float | Unknown:
    if not NUMBER_TEXT.match(text):
        return UNKNOWN
    value = float(text)
    return value if math.isfinite(value) else UNKNOWN


def known(value: object) -> Value:
    """A fact as an evaluator value; anything of an unexpected type is unknown, not an error."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        return number if math.isfinite(number) else UNKNOWN
    return UNKNOWN


def same(a: Value, b: Value) -> bool:
    """Identical known values; ``True == 1.0`` in Python, but a checkbox is not a number."""
    return a is not UNKNOWN and type(a) is type(b) and a == b


def as_tri(value: Value) -> Tri:
    return Tri.of(value) if isinstance(value, bool) else Tri.UNKNOWN


def from_tri(value: Tri) -> Value:
    return UNKNOWN if value is Tri.UNKNOWN else value is Tri.TRUE


def is_text(value: Value) -> bool:
    return value is None or isinstance(value, str)


def to_text(value: Value) -> str:
    # Salesforce reads a blank text field as the empty string.
    return "" if value is None else value  # type: ignore[return-value]


def to_number(value: Value) -> float | Unknown:
    """A number, or text that spells one: facts arrive as text, whatever the field's type."""
    if isinstance(value, bool) or value is None or value is UNKNOWN:
        return UNKNOWN
    if isinstance(value, float):
        return value
    return parse_number(value)  # type: ignore[arg-type]


def boolean_text(value: str) -> bool | None:
    lowered = value.strip().lower()
    return True if lowered == "true" else False if lowered == "false" else None


def finite(value: float) -> Value:
    return value if isinstance(value, float) and math.isfinite(value) else UNKNOWN


def format_number(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


# --- comparison and arithmetic ----------------------------------------------------------------


def coerce_pair(a: Value, b: Value) -> tuple[Value, Value] | None:
    """Bring two known values to one type, or None when Salesforce would not compare them.

    A blank next to text is ''. A blank next to a number depends on the field's "treat blanks
    as zeroes" setting, which the metadata here does not give, so it is not comparable. Text
    next to a number or a checkbox is converted, because facts carry every field as text.
    """
    if a is None and b is None:
        return a, b
    if a is None or b is None:
        other = b if a is None else a
        if not isinstance(other, str):
            return None
        return ("", b) if a is None else (a, "")
    if isinstance(a, bool) or isinstance(b, bool):
        if isinstance(a, bool) and isinstance(b, bool):
            return a, b
        text, flag = (a, b) if isinstance(b, bool) else (b, a)
        if not isinstance(text, str):
            return None  # a checkbox is not a number
        parsed = boolean_text(text)
        if parsed is None:
            return None
        return (parsed, flag) if isinstance(b, bool) else (flag, parsed)
    if isinstance(a, float) or isinstance(b, float):
        left, right = to_number(a), to_number(b)
        if left is UNKNOWN or right is UNKNOWN:
            return None
        return left, right
    return a, b


def compare(op: str, a: Value, b: Value) -> Tri:
    if a is UNKNOWN or b is UNKNOWN:
        return Tri.UNKNOWN
    pair = coerce_pair(a, b)
    if pair is None:
        return Tri.UNKNOWN
    left, right = pair
    if left is None:  # both blank: equal, but not ordered
        return Tri.of(op == "=") if op in ("=", "!=") else Tri.UNKNOWN
    if op == "=":
        return Tri.of(left == right)  # exact: picklist values are case-sensitive
    if op == "!=":
        return Tri.of(left != right)
    if isinstance(left, bool):
        return Tri.UNKNOWN  # checkboxes have no order
    if op == "<":
        return Tri.of(left < right)  # type: ignore[operator]
    if op == "<=":
        return Tri.of(left <= right)  # type: ignore[operator]
    if op == ">":
        return Tri.of(left > right)  # type: ignore[operator]
    if op == ">=":
        return Tri.of(left >= right)  # type: ignore[operator]
    return Tri.UNKNOWN


def concat(a: Value, b: Value) -> Value:
    if is_text(a) and is_text(b):
        return to_text(a) + to_text(b)
    return UNKNOWN


def arithmetic(op: str, a: Value, b: Value) -> Value:
    if a is UNKNOWN or b is UNKNOWN:
        return UNKNOWN
    if op == "&":
        return concat(a, b)
    if op == "+" and is_text(a) and is_text(b) and not (a is None and b is None):
        # Text + text concatenates; when one side is a real number, text is read as a number.
        return concat(a, b)
    left, right = to_number(a), to_number(b)
    if isinstance(left, Unknown) or isinstance(right, Unknown):
        return UNKNOWN
    try:
        if op == "+":
            return finite(left + right)
        if op == "-":
            return finite(left - right)
        if op == "*":
            return finite(left * right)
        if op == "/":
            return UNKNOWN if right == 0 else finite(left / right)
        if op == "^":
            # A negative base with a fractional exponent gives a complex: not a formula value.
            return finite(left**right)
    except (ArithmeticError, ValueError):  # 0 ^ -1, 10 ^ 400
        return UNKNOWN
    return UNKNOWN


