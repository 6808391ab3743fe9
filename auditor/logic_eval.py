"""Three-valued evaluation of formula ASTs; import it through ``auditor.logic``.

Values inside the evaluator are either known (``str``, ``float``, ``bool``, or ``None`` for a
known blank) or the private ``_UNKNOWN`` marker. Every operation is *monotone*: when it returns
a known value while some input is unknown, it returns that same value whatever the unknown turns
out to be. That is what lets a check trust a TRUE or FALSE answer: learning more about the lead
can only turn UNKNOWN into an answer, never flip an answer. Type errors (text minus a number,
TEXT of a checkbox) count as unknown rather than raising, so no AST can make evaluation fail.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Union

from auditor.formula import BinaryOp, Call, FieldRef, Literal, Node, UnaryOp

__all__ = ["Facts", "Tri", "evaluate", "field_key", "status_values_where_true"]


class Tri(enum.Enum):
    """Kleene's strong three-valued logic: UNKNOWN means "could be either"."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Tri:
        """TRUE/FALSE for a bool, UNKNOWN for None."""
        if value is None:
            return cls.UNKNOWN
        return cls.TRUE if value else cls.FALSE

    def __and__(self, other: Tri) -> Tri:
        if not isinstance(other, Tri):
            return NotImplemented
        # One FALSE decides an AND whatever the other side is.
        if self is Tri.FALSE or other is Tri.FALSE:
            return Tri.FALSE
        if self is Tri.TRUE and other is Tri.TRUE:
            return Tri.TRUE
        return Tri.UNKNOWN

    def __or__(self, other: Tri) -> Tri:
        if not isinstance(other, Tri):
            return NotImplemented
        # One TRUE decides an OR whatever the other side is.
        if self is Tri.TRUE or other is Tri.TRUE:
            return Tri.TRUE
        if self is Tri.FALSE and other is Tri.FALSE:
            return Tri.FALSE
        return Tri.UNKNOWN

    def __invert__(self) -> Tri:
        if self is Tri.TRUE:
            return Tri.FALSE
        if self is Tri.FALSE:
            return Tri.TRUE
        return Tri.UNKNOWN


@dataclass(frozen=True)
class Facts:
    """What is known about one lead at one moment; every other field is unknown.

    ``fields`` holds other known values by normalised field name (see ``field_key``); a value of
    None means the field is known to be blank.
    """

    status: str | None = None  # the Lead Status API name now (None: unknown)
    prior_status: str | None = None  # PRIORVALUE(Status) / $Record__Prior.Status
    status_changed: bool | None = None  # ISCHANGED(Status)
    is_new: bool | None = None  # ISNEW()
    fields: Mapping[str, str | None] = field(default_factory=dict)


_RECORD_PREFIXES = ("$record.", "lead.")
_PRIOR_PREFIX = "$record__prior."


def _strip_merge(name: str) -> str:
    """``{!$Record.Status}`` -> ``$Record.Status``: flows wrap references in merge syntax."""
    text = name.strip()
    if text.startswith("{!"):
        text = text[2:]
    if text.endswith("}"):
        text = text[:-1]
    return text.strip()


def field_key(name: str) -> str:
    """Normalise a field reference: ``{!$Record.Status}``, ``Lead.Status``, ``status`` -> ``status``."""
    text = _strip_merge(name)
    lowered = text.lower()
    for prefix in _RECORD_PREFIXES:
        # Only one prefix is removed: ``Lead.Owner.Name`` is the owner's name, not a Lead field.
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return lowered[len(prefix) :]
    return lowered


# --- values ---------------------------------------------------------------------------------


class _Unknown:
    """The one unknown value; a class (not None) because None already means "known blank"."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


_UNKNOWN = _Unknown()
_Value = Union[str, float, bool, None, _Unknown]

# Plain decimals only: no exponent, no "inf"/"nan" that Python's float() would also accept.
_NUMBER_TEXT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*\Z")


def _parse_number(text: str) -> float | _Unknown:
    if not _NUMBER_TEXT.match(text):
        return _UNKNOWN
    value = float(text)
    return value if math.isfinite(value) else _UNKNOWN


def _known(value: object) -> _Value:
    """A fact as an evaluator value; anything of an unexpected type is unknown, not an error."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        number = float(value)
        return number if math.isfinite(number) else _UNKNOWN
    return _UNKNOWN


def _same(a: _Value, b: _Value) -> bool:
    """Identical known values; ``True == 1.0`` in Python, but a checkbox is not a number."""
    return a is not _UNKNOWN and type(a) is type(b) and a == b


def _as_tri(value: _Value) -> Tri:
    return Tri.of(value) if isinstance(value, bool) else Tri.UNKNOWN


def _from_tri(value: Tri) -> _Value:
    return _UNKNOWN if value is Tri.UNKNOWN else value is Tri.TRUE


def _is_text(value: _Value) -> bool:
    return value is None or isinstance(value, str)


def _text(value: _Value) -> str:
    # Salesforce reads a blank text field as the empty string.
    return "" if value is None else value  # type: ignore[return-value]


def _number(value: _Value) -> float | _Unknown:
    """A number, or text that spells one: facts arrive as text, whatever the field's type."""
    if isinstance(value, bool) or value is None or value is _UNKNOWN:
        return _UNKNOWN
    if isinstance(value, float):
        return value
    return _parse_number(value)  # type: ignore[arg-type]


def _boolean_text(value: str) -> bool | None:
    lowered = value.strip().lower()
    return True if lowered == "true" else False if lowered == "false" else None


def _finite(value: float) -> _Value:
    return value if isinstance(value, float) and math.isfinite(value) else _UNKNOWN


def _format_number(value: float) -> str:
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


# --- comparison and arithmetic ----------------------------------------------------------------


def _coerce_pair(a: _Value, b: _Value) -> tuple[_Value, _Value] | None:
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
        parsed = _boolean_text(text)
        if parsed is None:
            return None
        return (parsed, flag) if isinstance(b, bool) else (flag, parsed)
    if isinstance(a, float) or isinstance(b, float):
        left, right = _number(a), _number(b)
        if left is _UNKNOWN or right is _UNKNOWN:
            return None
        return left, right
    return a, b


def _compare(op: str, a: _Value, b: _Value) -> Tri:
    if a is _UNKNOWN or b is _UNKNOWN:
        return Tri.UNKNOWN
    pair = _coerce_pair(a, b)
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


def _concat(a: _Value, b: _Value) -> _Value:
    if _is_text(a) and _is_text(b):
        return _text(a) + _text(b)
    return _UNKNOWN


def _arithmetic(op: str, a: _Value, b: _Value) -> _Value:
    if a is _UNKNOWN or b is _UNKNOWN:
        return _UNKNOWN
    if op == "&":
        return _concat(a, b)
    if op == "+" and _is_text(a) and _is_text(b) and not (a is None and b is None):
        # Text + text concatenates; when one side is a real number, text is read as a number.
        return _concat(a, b)
    left, right = _number(a), _number(b)
    if isinstance(left, _Unknown) or isinstance(right, _Unknown):
        return _UNKNOWN
    try:
        if op == "+":
            return _finite(left + right)
        if op == "-":
            return _finite(left - right)
        if op == "*":
            return _finite(left * right)
        if op == "/":
            return _UNKNOWN if right == 0 else _finite(left / right)
        if op == "^":
            # A negative base with a fractional exponent gives a complex: not a formula value.
            return _finite(left**right)
    except (ArithmeticError, ValueError):  # 0 ^ -1, 10 ^ 400
        return _UNKNOWN
    return _UNKNOWN


# --- the evaluator -----------------------------------------------------------------------------


class _Evaluator:
    """Evaluates nodes under one set of facts; stateless apart from the normalised field map."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        # Callers may key fields as written (``Lead.Country``); look them up by field_key.
        self.fields: dict[str, _Value] = {}
        for name, value in (facts.fields or {}).items():
            if isinstance(name, str):
                self.fields[field_key(name)] = _known(value)
        self.functions: dict[str, Callable[[tuple[Node, ...]], _Value]] = {
            "AND": partial(self._fold, Tri.TRUE),
            "OR": partial(self._fold, Tri.FALSE),
            "NOT": self._not,
            "IF": self._if,
            "CASE": self._case,
            "TEXT": self._text_of,
            "ISBLANK": self._isblank,
            "ISNULL": self._isblank,
            "BLANKVALUE": self._blankvalue,
            "NULLVALUE": self._blankvalue,
            "ISCHANGED": self._ischanged,
            "PRIORVALUE": self._priorvalue,
            "ISNEW": self._isnew,
            "VALUE": self._value_of,
            "LEFT": partial(self._slice, False),
            "RIGHT": partial(self._slice, True),
        }
        for name, (function, count) in _TEXT_FUNCTIONS.items():
            self.functions[name] = partial(self._text_function, function, count)

    # -- nodes ---------------------------------------------------------------------------------

    def value(self, node: Node) -> _Value:
        if isinstance(node, Literal):
            return self._literal(node)
        if isinstance(node, FieldRef):
            return self._field(node.name)
        if isinstance(node, Call):
            handler = self.functions.get(node.name.upper() if isinstance(node.name, str) else "")
            # Anything this evaluator does not model (TODAY(), REGEX, ...) is simply unknown.
            return handler(tuple(node.args)) if handler is not None else _UNKNOWN
        if isinstance(node, BinaryOp):
            return self._binary(node)
        if isinstance(node, UnaryOp):
            return self._unary(node)
        return _UNKNOWN

    def truth(self, node: Node) -> Tri:
        return _as_tri(self.value(node))

    @staticmethod
    def _literal(node: Literal) -> _Value:
        value = node.value
        if node.kind == "null" or value is None:
            return None
        if node.kind == "boolean":
            return value if isinstance(value, bool) else _UNKNOWN
        if node.kind == "number":
            return _known(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else _UNKNOWN
        if node.kind == "string":
            return value if isinstance(value, str) else _UNKNOWN
        return _UNKNOWN

    def _field(self, name: object) -> _Value:
        if not isinstance(name, str):
            return _UNKNOWN
        raw = _strip_merge(name).lower()
        if raw.startswith(_PRIOR_PREFIX):
            return self._prior(raw[len(_PRIOR_PREFIX) :])
        key = field_key(name)
        if key == "status" and self.facts.status is not None:
            return self.facts.status
        if not key or key.startswith("$"):
            # $User, $Profile, $Setup, $Label, $Flow...: about the running user or the org.
            return _UNKNOWN
        return self.fields.get(key, _UNKNOWN)

    def _prior(self, key: str) -> _Value:
        if key == "status" and self.facts.prior_status is not None:
            return self.facts.prior_status
        return _UNKNOWN

    def _binary(self, node: BinaryOp) -> _Value:
        op = node.op
        if op in ("&&", "||"):
            left, right = self.truth(node.left), self.truth(node.right)
            return _from_tri(left & right if op == "&&" else left | right)
        a, b = self.value(node.left), self.value(node.right)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return _from_tri(_compare(op, a, b))
        return _arithmetic(op, a, b)

    def _unary(self, node: UnaryOp) -> _Value:
        if node.op == "!":
            return _from_tri(~self.truth(node.operand))
        number = _number(self.value(node.operand))
        if isinstance(number, _Unknown):
            return _UNKNOWN
        return -number if node.op == "-" else number if node.op == "+" else _UNKNOWN

    # -- logic -----------------------------------------------------------------------------------

    def _fold(self, start: Tri, args: tuple[Node, ...]) -> _Value:
        """AND (from TRUE) or OR (from FALSE) of any number of arguments, in Kleene logic."""
        if not args:
            return _UNKNOWN  # AND() and OR() do not compile in Salesforce
        result = start
        for arg in args:
            result = result & self.truth(arg) if start is Tri.TRUE else result | self.truth(arg)
        return _from_tri(result)

    def _not(self, args: tuple[Node, ...]) -> _Value:
        return _from_tri(~self.truth(args[0])) if len(args) == 1 else _UNKNOWN

    def _agreed(self, candidates: Sequence[Node]) -> _Value:
        """The value every candidate has, when they agree on a known one: then it is the result
        whichever candidate the unknown test would pick."""
        values = [self.value(node) for node in candidates]
        first = values[0]
        return first if all(_same(first, other) for other in values[1:]) else _UNKNOWN

    def _if(self, args: tuple[Node, ...]) -> _Value:
        if len(args) != 3:
            return _UNKNOWN
        test = self.truth(args[0])
        if test is Tri.TRUE:
            return self.value(args[1])
        if test is Tri.FALSE:
            return self.value(args[2])
        return self._agreed(args[1:])

    def _case(self, args: tuple[Node, ...]) -> _Value:
        # CASE(x, v1, r1, ..., default): x, at least one pair, and the default.
        if len(args) < 4 or len(args) % 2 != 0:
            return _UNKNOWN
        subject = self.value(args[0])
        candidates: list[Node] = []
        for index in range(1, len(args) - 1, 2):
            match = _compare("=", subject, self.value(args[index]))
            if match is Tri.FALSE:
                continue
            candidates.append(args[index + 1])
            if match is Tri.TRUE:
                return self._agreed(candidates)
        candidates.append(args[-1])  # no value matched for certain: the default is possible
        return self._agreed(candidates)

    # -- blanks and picklists ----------------------------------------------------------------------

    def _text_of(self, args: tuple[Node, ...]) -> _Value:
        if len(args) != 1:
            return _UNKNOWN
        value = self.value(args[0])
        if isinstance(value, float):
            return _format_number(value)
        if _is_text(value):
            return value  # a blank picklist stays blank, so ISBLANK(TEXT(f)) still works
        return _UNKNOWN  # TEXT of a checkbox does not compile

    def _isblank(self, args: tuple[Node, ...]) -> _Value:
        if len(args) != 1:
            return _UNKNOWN
        value = self.value(args[0])
        if value is _UNKNOWN:
            return _UNKNOWN
        return value is None or value == ""

    def _blankvalue(self, args: tuple[Node, ...]) -> _Value:
        if len(args) != 2:
            return _UNKNOWN
        value = self.value(args[0])
        if value is _UNKNOWN:
            return _UNKNOWN
        return self.value(args[1]) if value is None or value == "" else value

    @staticmethod
    def _status_argument(args: tuple[Node, ...]) -> bool:
        """Whether the only argument is the Status field (ISCHANGED(Status), PRIORVALUE(Status))."""
        only = args[0] if len(args) == 1 else None
        return isinstance(only, FieldRef) and isinstance(only.name, str) and field_key(only.name) == "status"

    def _ischanged(self, args: tuple[Node, ...]) -> _Value:
        if self._status_argument(args) and self.facts.status_changed is not None:
            return self.facts.status_changed
        return _UNKNOWN

    def _priorvalue(self, args: tuple[Node, ...]) -> _Value:
        if self._status_argument(args):
            return self._prior("status")
        return _UNKNOWN

    def _isnew(self, args: tuple[Node, ...]) -> _Value:
        if args or self.facts.is_new is None:
            return _UNKNOWN
        return self.facts.is_new

    # -- text ------------------------------------------------------------------------------------

    def _texts(self, args: tuple[Node, ...], count: int) -> list[str] | None:
        """The arguments as text (a blank reads as ''), or None when one is unknown or not text."""
        if len(args) != count:
            return None
        values = [self.value(arg) for arg in args]
        if any(v is _UNKNOWN or not _is_text(v) for v in values):
            return None
        return [_text(v) for v in values]

    def _text_function(self, function: Callable[..., _Value], count: int, args: tuple[Node, ...]) -> _Value:
        texts = self._texts(args, count)
        return _UNKNOWN if texts is None else function(*texts)

    def _value_of(self, args: tuple[Node, ...]) -> _Value:
        if len(args) != 1:
            return _UNKNOWN
        value = self.value(args[0])
        return value if isinstance(value, float) else _parse_number(value) if isinstance(value, str) else _UNKNOWN

    def _slice(self, from_right: bool, args: tuple[Node, ...]) -> _Value:
        """LEFT(text, n) / RIGHT(text, n); a negative n reads as 0."""
        if len(args) != 2:
            return _UNKNOWN
        texts, count = self._texts(args[:1], 1), _number(self.value(args[1]))
        if texts is None or isinstance(count, _Unknown):
            return _UNKNOWN
        text = texts[0]
        size = int(max(0.0, min(count, float(len(text)))))  # clamp before int(): 1e300 stays cheap
        return text[len(text) - size :] if from_right else text[:size]


def _includes(selected: str, wanted: str) -> _Value:
    """INCLUDES on a multi-select stored as 'a;b;c'; 'a;b' asks for both, as a criteria row does."""
    if not wanted:
        return _UNKNOWN
    values = set(selected.split(";")) if selected else set()
    return all(part in values for part in wanted.split(";"))


# Text functions by name and arity; all case-sensitive, as in Salesforce.
_TEXT_FUNCTIONS: dict[str, tuple[Callable[..., _Value], int]] = {
    "ISPICKVAL": (lambda value, wanted: value == wanted, 2),  # API names: exact match
    "CONTAINS": (lambda text, part: part in text, 2),
    "BEGINS": (lambda text, start: text.startswith(start), 2),
    "INCLUDES": (_includes, 2),
    "LEN": (lambda text: float(len(text)), 1),
    "LOWER": (str.lower, 1),
    "UPPER": (str.upper, 1),
    "TRIM": (str.strip, 1),
}


def evaluate(node: Node, facts: Facts) -> Tri:
    """Three-valued evaluation of a formula AST under the given facts.

    Only a known boolean is an answer: a formula that yields text or a number is UNKNOWN.
    """
    try:
        return _as_tri(_Evaluator(facts).value(node))
    except RecursionError:  # a hand-built tree far deeper than the parser allows
        return Tri.UNKNOWN


def status_values_where_true(node: Node, statuses: Sequence[str], prior: str | None = None) -> dict[str, Tri]:
    """For each status, the formula's value for a lead in that status (coming from ``prior``).

    ISCHANGED(Status) is known only when the prior status is: without it, the lead may or may
    not have just moved into the status.
    """
    result: dict[str, Tri] = {}
    for status in statuses:
        changed = (prior != status) if prior is not None else None
        result[status] = evaluate(node, Facts(status=status, prior_status=prior, status_changed=changed))
    return result
