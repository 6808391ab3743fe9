"""Three-valued evaluation of formula ASTs; import it through ``auditor.logic``.

Values inside the evaluator are either known (``str``, ``float``, ``bool``, or ``None`` for a
known blank) or the private ``UNKNOWN`` marker. Every operation is *monotone*: when it returns
a known value while some input is unknown, it returns that same value whatever the unknown turns
out to be. That is what lets a check trust a TRUE or FALSE answer: learning more about the lead
can only turn UNKNOWN into an answer, never flip an answer. Type errors (text minus a number,
TEXT of a checkbox) count as unknown rather than raising, so no AST can make evaluation fail.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.formula import BinaryOp, Call, FieldRef, Literal, Node, UnaryOp
from auditor.logic_tri import Tri
from auditor.logic_values import (
    UNKNOWN,
    Unknown,
    Value,
    arithmetic,
    as_tri,
    compare,
    format_number,
    from_tri,
    is_text,
    known,
    parse_number,
    same,
    to_number,
    to_text,
)

__all__ = ["Facts", "Tri", "evaluate", "field_key", "status_values_where_true"]


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


@functools.lru_cache(maxsize=1 << 16)  # pure, and asked for the same few names at every evaluation
def field_key(name: str) -> str:
    """Normalise a field reference: ``{!$Record.Status}``, ``Lead.Status``, ``status`` -> ``status``."""
    text = _strip_merge(name)
    lowered = text.lower()
    for prefix in _RECORD_PREFIXES:
        # Only one prefix is removed: ``Lead.Owner.Name`` is the owner's name, not a Lead field.
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return lowered[len(prefix) :]
    return lowered


@functools.lru_cache(maxsize=1 << 16)
def _reference(name: str) -> tuple[bool, str]:
    """(True, field) for the value before the change (``$Record__Prior.Status``), else (False, key)."""
    raw = _strip_merge(name).lower()
    if raw.startswith(_PRIOR_PREFIX):
        return True, raw[len(_PRIOR_PREFIX) :]
    return False, field_key(name)


# --- the evaluator -----------------------------------------------------------------------------


class _Evaluator:
    """Evaluates nodes under one set of facts; stateless apart from the normalised field map."""

    def __init__(self, facts: Facts) -> None:
        # Built for every status a guard is tried in, so it does no more than it must: the
        # function table is shared (_FUNCTIONS), only the fields are per facts.
        self.facts = facts
        # Callers may key fields as written (``Lead.Country``); look them up by field_key.
        self.fields: dict[str, Value] = {}
        for name, value in (facts.fields or {}).items():
            if isinstance(name, str):
                self.fields[field_key(name)] = known(value)
    # -- nodes ---------------------------------------------------------------------------------

    def value(self, node: Node) -> Value:
        # by exact type: the evaluator's innermost call, made hundreds of thousands of times
        kind = type(node)
        if kind is Literal:
            return self._literal(node)  # type: ignore[arg-type]
        if kind is FieldRef:
            return self._field(node.name)  # type: ignore[union-attr]
        if kind is Call:
            return self._call(node)  # type: ignore[arg-type]
        if kind is BinaryOp:
            return self._binary(node)  # type: ignore[arg-type]
        if kind is UnaryOp:
            return self._unary(node)  # type: ignore[arg-type]
        return UNKNOWN

    def _call(self, node: Call) -> Value:
        name = node.name
        if not isinstance(name, str):
            return UNKNOWN
        handler = _FUNCTIONS.get(name) or _FUNCTIONS.get(name.upper())  # the parser upper-cases names
        # Anything this evaluator does not model (TODAY(), REGEX, ...) is simply unknown.
        return handler(self, tuple(node.args)) if handler is not None else UNKNOWN

    def truth(self, node: Node) -> Tri:
        return as_tri(self.value(node))

    @staticmethod
    def _literal(node: Literal) -> Value:
        value = node.value
        if node.kind == "null" or value is None:
            return None
        if node.kind == "boolean":
            return value if isinstance(value, bool) else UNKNOWN
        if node.kind == "number":
            return known(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN
        if node.kind == "string":
            return value if isinstance(value, str) else UNKNOWN
        return UNKNOWN

    def _field(self, name: object) -> Value:
        if not isinstance(name, str):
            return UNKNOWN
        prior, key = _reference(name)
        if prior:
            return self._prior(key)
        if key == "status" and self.facts.status is not None:
            return self.facts.status
        if not key or key.startswith("$"):
            # $User, $Profile, $Setup, $Label, $Flow...: about the running user or the org.
            return UNKNOWN
        return self.fields.get(key, UNKNOWN)

    def _prior(self, key: str) -> Value:
        if key == "status" and self.facts.prior_status is not None:
            return self.facts.prior_status
        return UNKNOWN

    def _binary(self, node: BinaryOp) -> Value:
        op = node.op
        if op == "&&":
            left = self.truth(node.left)
            # FALSE AND anything is FALSE (Kleene): the right side cannot change the answer
            return False if left is Tri.FALSE else from_tri(left & self.truth(node.right))
        if op == "||":
            left = self.truth(node.left)
            return True if left is Tri.TRUE else from_tri(left | self.truth(node.right))
        a, b = self.value(node.left), self.value(node.right)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return from_tri(compare(op, a, b))
        return arithmetic(op, a, b)

    def _unary(self, node: UnaryOp) -> Value:
        if node.op == "!":
            return from_tri(~self.truth(node.operand))
        number = to_number(self.value(node.operand))
        if isinstance(number, Unknown):
            return UNKNOWN
        return -number if node.op == "-" else number if node.op == "+" else UNKNOWN

    # -- logic -----------------------------------------------------------------------------------

    def _fold(self, start: Tri, args: tuple[Node, ...]) -> Value:
        """AND (from TRUE) or OR (from FALSE) of any number of arguments, in Kleene logic."""
        if not args:
            return UNKNOWN  # AND() and OR() do not compile in Salesforce
        result = start
        # once AND is FALSE or OR is TRUE (Kleene), no later argument changes the answer
        settled = ~start
        for arg in args:
            result = result & self.truth(arg) if start is Tri.TRUE else result | self.truth(arg)
            if result is settled:
                break
        return from_tri(result)

    def _not(self, args: tuple[Node, ...]) -> Value:
        return from_tri(~self.truth(args[0])) if len(args) == 1 else UNKNOWN

    def _agreed(self, candidates: Sequence[Node]) -> Value:
        """The value every candidate has, when they agree on a known one: then it is the result
        whichever candidate the unknown test would pick."""
        values = [self.value(node) for node in candidates]
        first = values[0]
        return first if all(same(first, other) for other in values[1:]) else UNKNOWN

    def _if(self, args: tuple[Node, ...]) -> Value:
        if len(args) != 3:
            return UNKNOWN
        test = self.truth(args[0])
        if test is Tri.TRUE:
            return self.value(args[1])
        if test is Tri.FALSE:
            return self.value(args[2])
        return self._agreed(args[1:])

    def _case(self, args: tuple[Node, ...]) -> Value:
        # CASE(x, v1, r1, ..., default): x, at least one pair, and the default.
        if len(args) < 4 or len(args) % 2 != 0:
            return UNKNOWN
        subject = self.value(args[0])
        candidates: list[Node] = []
        for index in range(1, len(args) - 1, 2):
            match = compare("=", subject, self.value(args[index]))
            if match is Tri.FALSE:
                continue
            candidates.append(args[index + 1])
            if match is Tri.TRUE:
                return self._agreed(candidates)
        candidates.append(args[-1])  # no value matched for certain: the default is possible
        return self._agreed(candidates)

    # -- blanks and picklists ----------------------------------------------------------------------

    def _text_of(self, args: tuple[Node, ...]) -> Value:
        if len(args) != 1:
            return UNKNOWN
        value = self.value(args[0])
        if isinstance(value, float):
            return format_number(value)
        if is_text(value):
            return value  # a blank picklist stays blank, so ISBLANK(TEXT(f)) still works
        return UNKNOWN  # TEXT of a checkbox does not compile

    def _isblank(self, args: tuple[Node, ...]) -> Value:
        if len(args) != 1:
            return UNKNOWN
        value = self.value(args[0])
        if value is UNKNOWN:
            return UNKNOWN
        return value is None or value == ""

    def _blankvalue(self, args: tuple[Node, ...]) -> Value:
        if len(args) != 2:
            return UNKNOWN
        value = self.value(args[0])
        if value is UNKNOWN:
            return UNKNOWN
        return self.value(args[1]) if value is None or value == "" else value

    @staticmethod
    def _status_argument(args: tuple[Node, ...]) -> bool:
        """Whether the only argument is the Status field (ISCHANGED(Status), PRIORVALUE(Status))."""
        only = args[0] if len(args) == 1 else None
        return isinstance(only, FieldRef) and isinstance(only.name, str) and field_key(only.name) == "status"

    def _ischanged(self, args: tuple[Node, ...]) -> Value:
        if self._status_argument(args) and self.facts.status_changed is not None:
            return self.facts.status_changed
        return UNKNOWN

    def _priorvalue(self, args: tuple[Node, ...]) -> Value:
        if self._status_argument(args):
            return self._prior("status")
        return UNKNOWN

    def _isnew(self, args: tuple[Node, ...]) -> Value:
        if args or self.facts.is_new is None:
            return UNKNOWN
        return self.facts.is_new

    # -- text ------------------------------------------------------------------------------------

    def _texts(self, args: tuple[Node, ...], count: int) -> list[str] | None:
        """The arguments as text (a blank reads as ''), or None when one is unknown or not text."""
        if len(args) != count:
            return None
        values = [self.value(arg) for arg in args]
        if any(v is UNKNOWN or not is_text(v) for v in values):
            return None
        return [to_text(v) for v in values]

    def _text_function(self, function: Callable[..., Value], count: int, args: tuple[Node, ...]) -> Value:
        texts = self._texts(args, count)
        return UNKNOWN if texts is None else function(*texts)

    def _value_of(self, args: tuple[Node, ...]) -> Value:
        if len(args) != 1:
            return UNKNOWN
        value = self.value(args[0])
        return value if isinstance(value, float) else parse_number(value) if isinstance(value, str) else UNKNOWN

    def _slice(self, from_right: bool, args: tuple[Node, ...]) -> Value:
        """LEFT(text, n) / RIGHT(text, n); a negative n reads as 0."""
        if len(args) != 2:
            return UNKNOWN
        texts, count = self._texts(args[:1], 1), to_number(self.value(args[1]))
        if texts is None or isinstance(count, Unknown):
            return UNKNOWN
        text = texts[0]
        size = int(max(0.0, min(count, float(len(text)))))  # clamp before int(): 1e300 stays cheap
        return text[len(text) - size :] if from_right else text[:size]


def _includes(selected: str, wanted: str) -> Value:
    """INCLUDES on a multi-select stored as 'a;b;c'; 'a;b' asks for both, as a criteria row does."""
    if not wanted:
        return UNKNOWN
    values = set(selected.split(";")) if selected else set()
    return all(part in values for part in wanted.split(";"))


# Text functions by name and arity; all case-sensitive, as in Salesforce.
_TEXT_FUNCTIONS: dict[str, tuple[Callable[..., Value], int]] = {
    "ISPICKVAL": (lambda value, wanted: value == wanted, 2),  # API names: exact match
    "CONTAINS": (lambda text, part: part in text, 2),
    "BEGINS": (lambda text, start: text.startswith(start), 2),
    "INCLUDES": (_includes, 2),
    "LEN": (lambda text: float(len(text)), 1),
    "LOWER": (str.lower, 1),
    "UPPER": (str.upper, 1),
    "TRIM": (str.strip, 1),
}


# The functions the evaluator models, each called as handler(evaluator, args).
_Handler = Callable[[_Evaluator, tuple[Node, ...]], Value]
_FUNCTIONS: dict[str, _Handler] = {
    "AND": lambda ev, args: ev._fold(Tri.TRUE, args),
    "OR": lambda ev, args: ev._fold(Tri.FALSE, args),
    "NOT": _Evaluator._not,
    "IF": _Evaluator._if,
    "CASE": _Evaluator._case,
    "TEXT": _Evaluator._text_of,
    "ISBLANK": _Evaluator._isblank,
    "ISNULL": _Evaluator._isblank,
    "BLANKVALUE": _Evaluator._blankvalue,
    "NULLVALUE": _Evaluator._blankvalue,
    "ISCHANGED": _Evaluator._ischanged,
    "PRIORVALUE": _Evaluator._priorvalue,
    "ISNEW": _Evaluator._isnew,
    "VALUE": _Evaluator._value_of,
    "LEFT": lambda ev, args: ev._slice(False, args),
    "RIGHT": lambda ev, args: ev._slice(True, args),
}


def _text_handler(function: Callable[..., Value], count: int) -> _Handler:
    return lambda ev, args: ev._text_function(function, count, args)


for _name, (_function, _count) in _TEXT_FUNCTIONS.items():
    _FUNCTIONS[_name] = _text_handler(_function, _count)


def evaluate(node: Node, facts: Facts) -> Tri:
    """Three-valued evaluation of a formula AST under the given facts.

    Only a known boolean is an answer: a formula that yields text or a number is UNKNOWN.
    """
    try:
        return as_tri(_Evaluator(facts).value(node))
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
