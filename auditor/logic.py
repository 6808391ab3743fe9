"""One predicate form for every condition, and a three-valued evaluator over it.

Assignment and workflow criteria items (with ``booleanFilter``), flow start filters and decision
conditions are all turned into formula ASTs (``auditor.formula``), so a single evaluator answers
"is this condition TRUE, FALSE or UNKNOWN for a lead in status S, coming from status P?".
Everything not given in the facts is UNKNOWN: the evaluator never guesses a field's value.

This module is the public API: the evaluator itself (``Tri``, ``Facts``, ``evaluate``) lives in
``auditor.logic_eval`` and is re-exported here; the builders that turn metadata into ASTs are
below. Anything that cannot be expressed as a known formula (a flow variable, a date value, a
``within`` criteria row) becomes a call to a function the evaluator does not know, so it reads
as UNKNOWN and still prints as formula text in a message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from auditor.formula import BinaryOp, Call, FieldRef, FormulaError, Literal, Node, UnaryOp, parse_formula
from auditor.logic_classes import status_classes, statuses_not_false, verdicts_by_status
from auditor.logic_eval import Facts, Tri, evaluate, field_key, status_values_where_true
from auditor.model import CriteriaItem, Flow, FlowCondition, FlowFilter, FlowValue, RuleEntry, WorkflowRule

__all__ = [
    "FLOW_OPERATOR",
    "FLOW_REFERENCE",
    "FLOW_VALUE",
    "UNSUPPORTED_OPERATION",
    "Facts",
    "Tri",
    "boolean_filter_formula",
    "criteria_formula",
    "evaluate",
    "field_key",
    "flow_conditions_formula",
    "flow_entry_formula",
    "rule_entry_formula",
    "split_values",
    "status_classes",
    "statuses_not_false",
    "verdicts_by_status",
    "status_values_where_true",
]

# Names of the calls that stand for what a formula cannot say; none is a Salesforce function,
# so the evaluator reads them as UNKNOWN and a reader of the printed formula sees why.
FLOW_REFERENCE = "FLOWREF"  # FLOWREF('varScore'): a flow variable, formula or element output
FLOW_VALUE = "FLOWVALUE"  # FLOWVALUE('dateValue', '2024-01-31'): a value kind not modelled
FLOW_OPERATOR = "FLOWOP"  # FLOWOP('WasSet', left, right): an operator with no formula meaning
UNSUPPORTED_OPERATION = "UNSUPPORTED_OPERATION"  # a criteria row with an unknown operation

TRUE = Literal(True, "boolean")
NULL = Literal(None, "null")
_NUMBER_TEXT = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*\Z")


def _string(value: str) -> Literal:
    return Literal(value, "string")


def _number(text: str) -> Node | None:
    """A number literal for text that spells one, or None.

    A negative value is built as ``-(5)``, the tree the parser makes for ``-5``, so printing
    and re-parsing the AST gives the same AST.
    """
    if not _NUMBER_TEXT.match(text):
        return None
    value = float(text)
    if not math.isfinite(value):
        return None
    literal = Literal(abs(value), "number")
    return UnaryOp("-", literal) if value < 0 else literal


def _combine(name: str, parts: Sequence[Node]) -> Node:
    """AND/OR of the parts, without a one-argument wrapper; TRUE when there are none."""
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else Call(name, tuple(parts))


def _not(node: Node) -> Node:
    return Call("NOT", (node,))


# --- boolean filters: "1 AND (2 OR NOT 3)" ----------------------------------------------------

_FILTER_TOKEN = re.compile(r"\s*(?:(?P<number>[0-9]+)|(?P<word>[A-Za-z]+)|(?P<paren>[()])|(?P<other>\S))")
_MAX_FILTER_DEPTH = 100  # Salesforce caps filter logic at a few hundred characters


class _FilterParser:
    """Recursive descent over ``or := and (OR and)*``, ``and := not (AND not)*``,
    ``not := NOT not | number | '(' or ')'``.

    AND binds tighter than OR, as in formulas, for the rare deployed filter that mixes them
    without parentheses.
    """

    def __init__(self, text: str, parts: Sequence[Node]) -> None:
        self.text = text
        self.parts = parts
        self.tokens: list[tuple[str, str, int]] = []  # (kind, text as written, offset)
        for match in _FILTER_TOKEN.finditer(text):
            kind = match.lastgroup or "other"
            self.tokens.append((kind, match.group(kind), match.start(kind)))
        self.tokens.append(("end", "", len(text.rstrip())))
        self.index = 0

    def error(self, offset: int, message: str) -> FormulaError:
        return FormulaError.at(self.text, offset, f"filter logic {self.text.strip()!r}: {message}")

    def peek(self) -> tuple[str, str, int]:
        """The next token, with keywords upper-cased: Salesforce accepts ``1 and 2``."""
        kind, value, offset = self.tokens[self.index]
        return kind, value.upper() if kind == "word" else value, offset

    def describe(self) -> str:
        """The next token as written, for "found ..." in a message."""
        kind, value, _ = self.tokens[self.index]
        return "end of filter logic" if kind == "end" else repr(value[:20])

    def parse(self) -> Node:
        node = self.disjunction(0)
        token = self.peek()
        if token[0] != "end":
            raise self.error(token[2], f"expected AND, OR or end of filter logic, found {self.describe()}")
        return node

    def disjunction(self, depth: int) -> Node:
        parts = [self.conjunction(depth)]
        while self.peek()[:2] == ("word", "OR"):
            self.index += 1
            parts.append(self.conjunction(depth))
        return _combine("OR", parts)

    def conjunction(self, depth: int) -> Node:
        parts = [self.negation(depth)]
        while self.peek()[:2] == ("word", "AND"):
            self.index += 1
            parts.append(self.negation(depth))
        return _combine("AND", parts)

    def negation(self, depth: int) -> Node:
        kind, value, offset = self.peek()
        if depth > _MAX_FILTER_DEPTH:
            raise self.error(offset, f"nested more than {_MAX_FILTER_DEPTH} levels deep")
        if (kind, value) == ("word", "NOT"):
            self.index += 1
            return _not(self.negation(depth + 1))
        if kind == "number":
            self.index += 1
            number = int(value)
            if not 1 <= number <= len(self.parts):
                count = len(self.parts)
                raise self.error(
                    offset, f"refers to condition {number}, but there {'is' if count == 1 else 'are'} "
                    f"{count} condition{'' if count == 1 else 's'} (numbered from 1)"
                )
            return self.parts[number - 1]
        if (kind, value) == ("paren", "("):
            self.index += 1
            inner = self.disjunction(depth + 1)
            if self.peek()[:2] != ("paren", ")"):
                column = FormulaError.at(self.text, offset, "").column
                raise self.error(self.peek()[2], f"expected ')' to close the '(' at column {column}, "
                                 f"found {self.describe()}")
            self.index += 1
            return inner
        raise self.error(offset, f"expected a condition number, NOT or '(', found {self.describe()}")


def boolean_filter_formula(logic: str, parts: Sequence[Node]) -> Node:
    """Combine ``parts`` (condition 1 is ``parts[0]``) as the filter logic says; FormulaError when
    the logic is malformed or names a condition that does not exist."""
    if not logic.strip():
        raise FormulaError("filter logic is empty")
    return _FilterParser(logic, parts).parse()


def _combine_by_logic(parts: Sequence[Node], logic: str | None) -> Node:
    """AND by default, ``and``/``or`` as flows write them, else custom filter logic."""
    if not parts:
        return TRUE
    keyword = (logic or "").strip().lower()
    if keyword in ("", "and"):
        return _combine("AND", parts)
    if keyword == "or":
        return _combine("OR", parts)
    return boolean_filter_formula(logic or "", parts)


# --- criteria items (assignment, auto-response and workflow rules) -----------------------------

_ORDERING = {"lessthan": "<", "greaterthan": ">", "lessorequal": "<=", "greaterorequal": ">="}


def split_values(raw: str | None) -> list[str]:
    """``Germany, "Bonn, Town",Austria`` -> three values; blank pieces are dropped.

    Salesforce separates criteria values with commas and lets a quoted value hold one.
    """
    if raw is None:
        return []
    values: list[str] = []
    current: list[str] = []
    quoted = False
    for char in raw:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return [v.strip() for v in values if v.strip()]


# Criteria rows (assignment, auto-response and workflow rules) compare text without regard to
# case, unlike formulas, whose ``=``, ISPICKVAL, CONTAINS and BEGINS are exact. Source: the
# answer at https://salesforce.stackexchange.com/questions/165231 quotes Salesforce Help's filter
# topic ("Filtering isn't case sensitive. For example, searching State contains ID returns ...
# Florida and Idaho") and notes that the same filter rules apply to list views, reports, workflow
# rules and criteria-based sharing; the operators themselves are in Salesforce Help, "Filter
# Operator Reference" (https://help.salesforce.com/articleView?id=filter_operators.htm). No page
# found says so of assignment rules in so many words; case-insensitive is also the choice that
# cannot cry wolf: an exact match would call a row that fires in the org dead ("never matches
# 'mql'"). So a text row is built as UPPER(field) = UPPER("value"); numbers, dates and checkboxes
# (no letters to fold) and rows that compare with another field stay as they are.
_TEXT_OPERATIONS = frozenset({"equals", "notequal", "contains", "notcontain", "startswith"})


def _case_folded(operation: str, value: Node) -> bool:
    """Whether the row compares text with letters in it, so case must not matter."""
    if operation not in _TEXT_OPERATIONS or not isinstance(value, Literal) or value.kind != "string":
        return False
    text = str(value.value)
    return text.upper() != text.lower()


def _equality_literal(value: str) -> Literal:
    # Checkbox rows say True/False: compare as a boolean so TRUE, 'true' and 'True' all match.
    flag = value.lower()
    if flag in ("true", "false"):
        return Literal(flag == "true", "boolean")
    return _string(value)


def _item_against(operation: str, subject: Node, other: Node) -> Node | None:
    """One criteria row against one value (a literal, or another field for valueField rows)."""
    if operation == "equals":
        return BinaryOp("=", subject, other)
    if operation == "notequal":
        return BinaryOp("!=", subject, other)
    if operation in _ORDERING:
        return BinaryOp(_ORDERING[operation], subject, other)
    if operation in ("contains", "notcontain"):
        return Call("CONTAINS", (subject, other))
    if operation == "startswith":
        return Call("BEGINS", (subject, other))
    if operation in ("includes", "excludes"):
        return Call("INCLUDES", (subject, other))
    return None


def _criteria_item(item: CriteriaItem) -> Node:
    subject = FieldRef((item.field or "").strip())
    operation = (item.operation or "").strip().lower()
    negated = operation in ("notcontain", "excludes")
    if operation == "within":
        # Geolocation distance: nothing the evaluator can know.
        return Call("WITHIN", (subject, _string(item.value or "")))
    if item.value_field and not (item.value or "").strip():
        node = _item_against(operation, subject, FieldRef(item.value_field.strip()))
        if node is None:
            return _unsupported(item)
        return _not(node) if negated else node
    values = split_values(item.value)
    values_nodes: list[Node]
    if not values:
        if operation in ("equals", "includes"):
            return Call("ISBLANK", (subject,))
        if operation in ("notequal", "excludes"):
            return _not(Call("ISBLANK", (subject,)))
        values_nodes = [NULL if operation in _ORDERING else _string("")]
    elif operation in ("equals", "notequal"):
        values_nodes = [_equality_literal(v) for v in values]
    elif operation in _ORDERING:
        values_nodes = [_number(v) or _string(v) for v in values]
    else:
        values_nodes = [_string(v) for v in values]
    parts = [
        _item_against(operation, Call("UPPER", (subject,)), Call("UPPER", (value,)))
        if _case_folded(operation, value)
        else _item_against(operation, subject, value)
        for value in values_nodes
    ]
    if any(part is None for part in parts):
        return _unsupported(item)
    nodes = [p for p in parts if p is not None]
    if operation == "notequal":
        return _combine("AND", nodes)  # not any of the listed values
    combined = _combine("OR", nodes)
    return _not(combined) if negated else combined


def _unsupported(item: CriteriaItem) -> Node:
    return Call(
        UNSUPPORTED_OPERATION,
        (_string(item.operation or ""), FieldRef((item.field or "").strip()), _string(item.value or "")),
    )


def criteria_formula(items: Sequence[CriteriaItem], boolean_filter: str | None) -> Node:
    """Criteria items (AND by default, or combined by ``1 AND (2 OR 3)``) as one formula AST."""
    parts = [_criteria_item(item) for item in items]
    if not parts:
        return TRUE
    if boolean_filter is None or not boolean_filter.strip():
        return _combine("AND", parts)
    return boolean_filter_formula(boolean_filter, parts)


# --- flow filters and decision conditions ------------------------------------------------------

_GLOBAL_CONSTANTS: dict[str, Node] = {
    "$globalconstant.true": Literal(True, "boolean"),
    "$globalconstant.false": Literal(False, "boolean"),
    "$globalconstant.emptystring": _string(""),
}
_FLOW_COMPARISONS = {
    "equalto": "=",
    "notequalto": "!=",
    "greaterthan": ">",
    "greaterthanorequalto": ">=",
    "lessthan": "<",
    "lessthanorequalto": "<=",
}


def _flow_reference(reference: str) -> Node:
    """``$Record.Status`` stays a field, ``$Record__Prior.Status`` is PRIORVALUE(Status), other
    globals stay merge fields (unknown when evaluated), and anything else is a flow resource."""
    name = reference.strip()
    if name.startswith("{!") and name.endswith("}"):
        name = name[2:-1].strip()
    lowered = name.lower()
    if lowered.startswith("$record__prior.") and len(name) > len("$record__prior."):
        return Call("PRIORVALUE", (FieldRef(name[len("$record__prior.") :]),))
    if lowered in _GLOBAL_CONSTANTS:
        return _GLOBAL_CONSTANTS[lowered]
    if lowered.startswith("$") and "." in lowered:
        return FieldRef(name)
    return Call(FLOW_REFERENCE, (_string(name),))


def _flow_value(value: FlowValue | None) -> Node:
    """A right-hand value; no value at all (``<rightValue/>``) compares with null."""
    if value is None:
        return NULL
    kind, text = value.kind, value.text
    if kind == "stringValue":
        return _string(text)
    if kind == "numberValue":
        number = _number(text)
        if number is not None:
            return number
    elif kind == "booleanValue" and text.strip().lower() in ("true", "false"):
        return Literal(text.strip().lower() == "true", "boolean")
    elif kind == "elementReference":
        return _flow_reference(text)
    elif kind == "formulaExpression":
        return parse_formula(text)
    return Call(FLOW_VALUE, (_string(kind), _string(text)))


def _flag_test(test: Node, right: Node) -> Node:
    """``IsNull``/``IsChanged`` with a boolean right side: the test, or its negation."""
    if isinstance(right, Literal) and right.kind == "boolean":
        return test if right.value else _not(test)
    # A variable on the right: which way the test goes is itself unknown.
    return Call("IF", (right, test, _not(test)))


def _flow_condition(condition: FlowCondition | FlowFilter) -> Node:
    if isinstance(condition, FlowFilter):
        # Start and record filters name a field of the record itself: ``Status``.
        name = condition.field.strip()
        left = _flow_reference(name) if name.lower().startswith("$record") else FieldRef(name)
        right = _flow_value(condition.value)
    else:
        left = _flow_reference(condition.left)
        right = _flow_value(condition.right)
    operator = condition.operator.strip()
    key = operator.lower()
    if key in _FLOW_COMPARISONS:
        return BinaryOp(_FLOW_COMPARISONS[key], left, right)
    if key == "startswith":
        return Call("BEGINS", (left, right))
    if key == "endswith":
        # No ENDS function in formulas: RIGHT(x, LEN(v)) = v says the same and still evaluates.
        return BinaryOp("=", Call("RIGHT", (left, Call("LEN", (right,)))), right)
    if key == "contains":
        return Call("CONTAINS", (left, right))
    if key in ("isnull", "isblank"):
        return _flag_test(Call("ISBLANK", (left,)), right)
    if key == "ischanged":
        return _flag_test(Call("ISCHANGED", (left,)), right)
    # WasSet, WasSelected, WasVisited, In, NotIn...: about the screen or a collection.
    return Call(FLOW_OPERATOR, (_string(operator), left, right))


def flow_conditions_formula(conditions: Sequence[FlowCondition | FlowFilter], logic: str | None) -> Node:
    """Flow start filters or decision conditions (``and``, ``or``, ``1 AND (2 OR 3)``) as one AST."""
    return _combine_by_logic([_flow_condition(c) for c in conditions], logic)


def flow_entry_formula(flow: Flow) -> Node | None:
    """The condition a record must meet to start the flow (filters or filterFormula); None: any record."""
    if flow.filter_formula is not None and flow.filter_formula.strip():
        return parse_formula(flow.filter_formula)
    if flow.filters:
        return flow_conditions_formula(flow.filters, flow.filter_logic)
    return None


def rule_entry_formula(entry: RuleEntry | WorkflowRule) -> Node | None:
    """A rule entry's or workflow rule's condition; None when it has no criteria (matches every lead)."""
    if entry.formula is not None and entry.formula.strip():
        return parse_formula(entry.formula)
    if entry.criteria:
        return criteria_formula(entry.criteria, entry.boolean_filter)
    return None
