"""Salesforce formulas as data: the AST, parsing, printing, and what checks ask of a formula.

Validation rules, assignment and workflow criteria, flow filters and formula fields all hold
formulas. Checks must learn which fields a formula reads and which picklist values it compares
them to from a real parse, never from regexes: a regex cannot tell ``ISPICKVAL(Status, 'MQL')``
from the same text inside a string or a comment. The tokenizer and Pratt parser live in
``auditor.formula_parser``; this module is the public surface other code imports.

AST nodes are frozen dataclasses. ``offset`` (where the node starts in the text) is excluded from
equality and repr, so two parses of differently spaced text compare equal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal as _Kind
from typing import Union

__all__ = [
    "BinaryOp",
    "Call",
    "FieldRef",
    "FormulaError",
    "Literal",
    "Node",
    "UnaryOp",
    "fields_read",
    "is_always_true",
    "parse_formula",
    "picklist_comparisons",
    "to_source",
    "walk",
]


@dataclass(frozen=True)
class Literal:
    """A constant. Numbers are floats (``1`` and ``1.0`` are the same formula value)."""

    value: str | float | bool | None
    kind: _Kind["string", "number", "boolean", "null"]
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class FieldRef:
    """A merge field, named as written (``Owner:User.IsActive``, ``$Record.Status``)."""

    name: str
    offset: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class Call:
    """A function call; ``name`` is upper-cased because Salesforce ignores case in names."""

    name: str
    args: tuple[Node, ...]
    offset: int = field(default=0, compare=False, repr=False)

    def __hash__(self) -> int:
        return _cached_hash(self, (self.name, self.args))


@dataclass(frozen=True)
class BinaryOp:
    """An infix operator; ``==`` is stored as ``=`` and ``<>`` as ``!=`` (same meaning)."""

    op: str
    left: Node
    right: Node
    offset: int = field(default=0, compare=False, repr=False)

    def __hash__(self) -> int:
        return _cached_hash(self, (self.op, self.left, self.right))


@dataclass(frozen=True)
class UnaryOp:
    """A prefix ``-``, ``+`` or ``!``."""

    op: str
    operand: Node
    offset: int = field(default=0, compare=False, repr=False)

    def __hash__(self) -> int:
        return _cached_hash(self, (self.op, self.operand))


def _cached_hash(node: object, compared: tuple[object, ...]) -> int:
    """The hash of a compound node, computed once: flow guards are deep trees de-duplicated by
    value, and a frozen dataclass would otherwise re-hash the whole tree at every lookup. Only the
    compared fields are hashed, so equal nodes still hash alike."""
    cached: int | None = node.__dict__.get("_hash")
    if cached is None:
        cached = hash(compared)
        object.__setattr__(node, "_hash", cached)
    return cached


Node = Union[Literal, FieldRef, Call, BinaryOp, UnaryOp]

# Binding power and right-associativity of each canonical binary operator, lowest first.
# Shared by the parser (to build trees) and to_source (to decide where parentheses go).
BINARY_OPERATORS: dict[str, tuple[int, bool]] = {
    "||": (10, False),
    "&&": (20, False),
    "=": (30, False),
    "!=": (30, False),
    "<": (40, False),
    "<=": (40, False),
    ">": (40, False),
    ">=": (40, False),
    "&": (50, False),
    "+": (50, False),
    "-": (50, False),
    "*": (60, False),
    "/": (60, False),
    "^": (70, True),
}
UNARY_OPERATORS = frozenset({"-", "+", "!"})
UNARY_BINDING_POWER = 80
# Bare words the parser reads as something other than a field; to_source writes fields with
# these names as {!name} so they still parse back to a FieldRef.
RESERVED_WORDS = frozenset({"TRUE", "FALSE", "NULL", "NOT", "AND", "OR"})


class FormulaError(Exception):
    """A formula that cannot be parsed, located by offset and by 1-based line and column."""

    def __init__(self, message: str, offset: int = 0, line: int = 1, column: int = 1) -> None:
        super().__init__(f"line {line}, column {column}: {message}")
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column

    @classmethod
    def at(cls, text: str, offset: int, message: str) -> FormulaError:
        """Build the error for ``offset`` in ``text``; columns count characters, not bytes."""
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return cls(message, offset, line, column)


def parse_formula(text: str) -> Node:
    """Parse formula text into an AST; any bad input raises FormulaError, nothing else."""
    # Imported here, not at the top: the parser builds this module's nodes, so it imports us.
    from auditor.formula_parser import parse

    if not isinstance(text, str):
        # An empty XML element gives None; callers get the same located error as for "".
        if text is None:
            raise FormulaError("formula is empty")
        raise FormulaError(f"formula must be text, not {type(text).__name__}")
    return parse(text)


# --- printing -------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _string_source(value: str) -> str:
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def _number_source(value: float) -> str:
    # Formulas have no exponent notation: write every digit (1e20 -> 100000000000000000000).
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def to_source(node: Node) -> str:
    """Print a formula that parses back to an AST equal to ``node``.

    Parentheses are added only where precedence or associativity needs them. Negative number
    literals print as ``-5``, which parses as a unary minus: the parser never builds them.
    """
    if isinstance(node, Literal):
        if node.kind == "string":
            return _string_source(str(node.value))
        if node.kind == "number":
            return _number_source(float(node.value))  # type: ignore[arg-type]
        if node.kind == "boolean":
            return "TRUE" if node.value else "FALSE"
        return "NULL"
    if isinstance(node, FieldRef):
        return "{!" + node.name + "}" if node.name.upper() in RESERVED_WORDS else node.name
    if isinstance(node, Call):
        return f"{node.name}({', '.join(to_source(arg) for arg in node.args)})"
    if isinstance(node, UnaryOp):
        inner = to_source(node.operand)
        return f"{node.op}({inner})" if isinstance(node.operand, BinaryOp) else node.op + inner
    if isinstance(node, BinaryOp):
        power, right_assoc = BINARY_OPERATORS[node.op]
        left, right = to_source(node.left), to_source(node.right)
        if isinstance(node.left, BinaryOp):
            left_power = BINARY_OPERATORS[node.left.op][0]
            if left_power < power or (left_power == power and right_assoc):
                left = f"({left})"
        if isinstance(node.right, BinaryOp):
            right_power = BINARY_OPERATORS[node.right.op][0]
            if right_power < power or (right_power == power and not right_assoc):
                right = f"({right})"
        return f"{left} {node.op} {right}"
    raise TypeError(f"not a formula node: {node!r}")


# --- questions checks ask -------------------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    stack: list[Node] = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Call):
            stack.extend(reversed(current.args))
        elif isinstance(current, BinaryOp):
            stack.extend((current.right, current.left))
        elif isinstance(current, UnaryOp):
            stack.append(current.operand)


def fields_read(node: Node) -> frozenset[str]:
    """Names of all merge fields the formula references, as written (compare case-insensitively)."""
    return frozenset(n.name for n in walk(node) if isinstance(n, FieldRef))


# Prefixes that name the record the formula runs on: flows say $Record.Status (and
# $Record__Prior.Status for the value before the change), criteria say Lead.Status.
_RECORD_PREFIXES = ("$record__prior.", "$record.", "lead.")


def _field_key(name: str) -> str:
    lowered = name.lower()
    for prefix in _RECORD_PREFIXES:
        if lowered.startswith(prefix) and len(name) > len(prefix):
            return name[len(prefix):]
    return name


def _picklist_subject(node: Node) -> str | None:
    """The field behind ``Status``, ``TEXT(Status)``, ``PRIORVALUE(Status)`` and nestings."""
    while isinstance(node, Call) and node.name in ("TEXT", "PRIORVALUE") and len(node.args) == 1:
        node = node.args[0]
    return _field_key(node.name) if isinstance(node, FieldRef) else None


def _string_value(node: Node) -> str | None:
    # An empty string is a blank check (TEXT(Status) = ''), not a comparison with a value.
    if isinstance(node, Literal) and node.kind == "string" and node.value:
        return str(node.value)
    return None


def picklist_comparisons(node: Node) -> dict[str, set[str]]:
    """For each field, the string values the formula compares it to.

    Recognised: ``ISPICKVAL(f, 'v')``, ``INCLUDES(f, 'v')``, ``f = 'v'`` / ``f != 'v'`` (either
    side, with or without ``TEXT``), ``CASE(f, 'v1', r1, 'v2', r2, else)``; ``f`` may be wrapped
    in ``PRIORVALUE`` and is keyed without a ``$Record.``/``Lead.`` prefix.
    """
    found: dict[str, set[str]] = {}

    def add(subject: Node, value_node: Node) -> None:
        key, value = _picklist_subject(subject), _string_value(value_node)
        if key is not None and value is not None:
            found.setdefault(key, set()).add(value)

    for current in walk(node):
        if isinstance(current, Call):
            args = current.args
            if current.name in ("ISPICKVAL", "INCLUDES") and len(args) == 2:
                add(args[0], args[1])
            elif current.name == "CASE" and len(args) >= 3:
                for index in range(1, len(args) - 1, 2):
                    add(args[0], args[index])
        elif isinstance(current, BinaryOp) and current.op in ("=", "!="):
            add(current.left, current.right)
            add(current.right, current.left)
    return found


def _constant(node: Node) -> tuple[str, object] | None:
    """(kind, value) of a literal or signed number literal; None for anything data-dependent."""
    if isinstance(node, Literal) and node.kind != "null":
        return node.kind, node.value
    if isinstance(node, UnaryOp) and node.op in ("-", "+"):
        inner = _constant(node.operand)
        if inner is not None and inner[0] == "number":
            return "number", -inner[1] if node.op == "-" else inner[1]  # type: ignore[operator]
    return None


_COMPARE = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _truth(node: Node) -> bool | None:
    """The formula's boolean value when it needs no data, else None (unknown)."""
    if isinstance(node, Literal):
        return node.value if node.kind == "boolean" else None  # type: ignore[return-value]
    if isinstance(node, UnaryOp) and node.op == "!":
        inner = _truth(node.operand)
        return None if inner is None else not inner
    if isinstance(node, Call):
        if node.name == "NOT" and len(node.args) == 1:
            inner = _truth(node.args[0])
            return None if inner is None else not inner
        if node.name in ("AND", "OR") and node.args:
            return _combine(node.name == "AND", [_truth(arg) for arg in node.args])
        if node.name == "IF" and len(node.args) == 3:
            test = _truth(node.args[0])
            if test is not None:
                return _truth(node.args[1] if test else node.args[2])
            then, other = _truth(node.args[1]), _truth(node.args[2])
            return then if then is not None and then == other else None
        return None
    if isinstance(node, BinaryOp):
        if node.op in ("&&", "||"):
            return _combine(node.op == "&&", [_truth(node.left), _truth(node.right)])
        if node.op in _COMPARE:
            left, right = _constant(node.left), _constant(node.right)
            if left is None or right is None or left[0] != right[0]:
                return None
            if node.op not in ("=", "!=") and left[0] != "number":
                return None  # ordering of text or booleans: not worth guessing
            return bool(_COMPARE[node.op](left[1], right[1]))
    return None


def _combine(is_and: bool, values: list[bool | None]) -> bool | None:
    # AND is decided by any FALSE, OR by any TRUE, whatever the unknown operands are.
    decisive = not is_and
    if decisive in values:
        return decisive
    return None if None in values else not decisive


def is_always_true(node: Node) -> bool:
    """True only when the formula holds for every record (``TRUE``, ``1=1``, ``OR(TRUE, x)``).

    Conservative: anything that depends on data, or that this small folder does not understand,
    gives False. A catch-all assignment entry is written this way.
    """
    return _truth(node) is True
