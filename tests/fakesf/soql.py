"""A tiny SOQL reader: enough for the queries a metadata auditor issues, and strict about them.

Supported: ``SELECT f1, f2 FROM Object [WHERE c AND c ...] [GROUP BY f, ...] [ORDER BY f [ASC|DESC]]
[LIMIT n]``. A selected item is a field, a parent relationship field (``Owner.IsActive``) or
``COUNT(field) [alias]``; a condition is ``Field = literal``, ``!=``, ``<``, ``<=``, ``>``, ``>=``,
``Field IN (literal, ...)`` or a semi-join ``Field IN (SELECT Id FROM Object WHERE ...)``.
Literals are strings, numbers, ``true``/``false``/``null`` and dateTime literals
(``2024-12-01T00:00:00Z``). Keywords, objects and fields are case-insensitive and string
comparison is too, as in SOQL. Anything else is answered the way Salesforce answers a query it
cannot run (MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD), so a client bug shows up as the error a
real org would give.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')"
    r"|(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))"
    r"|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>!=|<=|>=|=|<|>|\(|\)|,)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
_COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
_AGGREGATES = ("COUNT",)
_CLAUSE_WORDS = ("FROM", "WHERE", "GROUP", "ORDER", "LIMIT")


class SoqlError(Exception):
    """A query Salesforce would refuse: carries its errorCode."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str  # "=", "!=", "<", "<=", ">", ">=", "IN"
    values: tuple[Any, ...] = ()
    subquery: Query | None = None


@dataclass(frozen=True)
class Aggregate:
    """``COUNT(field) alias``; Salesforce names an unaliased one expr0, expr1, ... in select order."""

    function: str
    field: str
    alias: str


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]  # the plain (not aggregated) selected fields
    sobject: str
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[str, bool] | None = None  # (field, descending)
    limit: int | None = None
    aggregates: tuple[Aggregate, ...] = ()
    group_by: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()  # every selected item in select order (fields and aliases)

    @property
    def is_aggregate(self) -> bool:
        return bool(self.aggregates or self.group_by)


@dataclass
class _Tokens:
    items: list[tuple[str, Any]]
    position: int = 0
    source: str = field(default="")

    def peek(self) -> tuple[str, Any] | None:
        return self.items[self.position] if self.position < len(self.items) else None

    def next(self) -> tuple[str, Any]:
        token = self.peek()
        if token is None:
            raise SoqlError("MALFORMED_QUERY", f"unexpected end of query: {self.source}")
        self.position += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "word" and str(token[1]).upper() in words

    def expect(self, kind: str, value: str | None = None) -> Any:
        token = self.next()
        matches = token[0] == kind and (value is None or str(token[1]).upper() == value)
        if not matches:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token '{token[1]}' in: {self.source}")
        return token[1]


def _datetime(raw: str) -> dt.datetime:
    return dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))


def _tokenize(soql: str) -> _Tokens:
    items: list[tuple[str, Any]] = []
    position = 0
    text = soql.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise SoqlError("MALFORMED_QUERY", f"unexpected character at {position} in: {soql}")
        position = match.end()
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            items.append(("literal", re.sub(r"\\(.)", r"\1", raw[1:-1])))
        elif kind == "datetime":
            items.append(("literal", _datetime(raw)))
        elif kind == "number":
            items.append(("literal", float(raw) if "." in raw else int(raw)))
        elif kind == "word" and raw.lower() in ("true", "false", "null"):
            items.append(("literal", {"true": True, "false": False, "null": None}[raw.lower()]))
        else:
            items.append((kind, raw))
    return _Tokens(items, source=soql)


def _select_item(tokens: _Tokens, fields: list[str], aggregates: list[Aggregate], columns: list[str]) -> None:
    name = tokens.expect("word")
    if tokens.peek() != ("op", "("):
        fields.append(name)
        columns.append(name)
        return
    if str(name).upper() not in _AGGREGATES:
        raise SoqlError("MALFORMED_QUERY", f"function '{name}' is not supported by the fake: {tokens.source}")
    tokens.next()
    if tokens.peek() == ("op", ")"):
        # COUNT() answers with totalSize only; no client of the fake needs it
        raise SoqlError("MALFORMED_QUERY", f"COUNT() is not supported by the fake: {tokens.source}")
    argument = tokens.expect("word")
    tokens.expect("op", ")")
    alias = f"expr{len(aggregates)}"
    following = tokens.peek()
    if following is not None and following[0] == "word" and not tokens.keyword(*_CLAUSE_WORDS):
        alias = tokens.expect("word")
    aggregates.append(Aggregate(str(name).upper(), argument, alias))
    columns.append(alias)


def _select(tokens: _Tokens) -> Query:
    tokens.expect("word", "SELECT")
    fields: list[str] = []
    aggregates: list[Aggregate] = []
    columns: list[str] = []
    _select_item(tokens, fields, aggregates, columns)
    while tokens.peek() == ("op", ","):
        tokens.next()
        _select_item(tokens, fields, aggregates, columns)
    tokens.expect("word", "FROM")
    sobject = tokens.expect("word")
    conditions: list[Condition] = []
    if tokens.keyword("WHERE"):
        tokens.next()
        conditions.append(_condition(tokens))
        while tokens.keyword("AND"):
            tokens.next()
            conditions.append(_condition(tokens))
    group_by: list[str] = []
    if tokens.keyword("GROUP"):
        tokens.next()
        tokens.expect("word", "BY")
        group_by.append(tokens.expect("word"))
        while tokens.peek() == ("op", ","):
            tokens.next()
            group_by.append(tokens.expect("word"))
    order_by = None
    if tokens.keyword("ORDER"):
        tokens.next()
        tokens.expect("word", "BY")
        order_field = tokens.expect("word")
        descending = False
        if tokens.keyword("ASC", "DESC"):
            descending = str(tokens.next()[1]).upper() == "DESC"
        order_by = (order_field, descending)
    limit = None
    if tokens.keyword("LIMIT"):
        tokens.next()
        limit = tokens.expect("literal")
        if not isinstance(limit, int):
            raise SoqlError("MALFORMED_QUERY", f"LIMIT must be an integer in: {tokens.source}")
    if aggregates or group_by:
        grouped = {name.lower() for name in group_by}
        loose = [name for name in fields if name.lower() not in grouped]
        if loose:
            raise SoqlError("MALFORMED_QUERY", f"Field must be grouped or aggregated: {loose[0]}")
    return Query(tuple(fields), sobject, tuple(conditions), order_by, limit, tuple(aggregates), tuple(group_by),
                 tuple(columns))


def _condition(tokens: _Tokens) -> Condition:
    field_name = tokens.expect("word")
    if tokens.keyword("IN"):
        tokens.next()
        tokens.expect("op", "(")
        if tokens.keyword("SELECT"):
            subquery = _select(tokens)
            tokens.expect("op", ")")
            return Condition(field_name, "IN", subquery=subquery)
        values = [tokens.expect("literal")]
        while tokens.peek() == ("op", ","):
            tokens.next()
            values.append(tokens.expect("literal"))
        tokens.expect("op", ")")
        return Condition(field_name, "IN", tuple(values))
    operator = tokens.expect("op")
    if operator not in _COMPARISONS:
        raise SoqlError("MALFORMED_QUERY", f"operator '{operator}' is not supported by the fake")
    return Condition(field_name, operator, (tokens.expect("literal"),))


def parse(soql: str) -> Query:
    tokens = _tokenize(soql)
    query = _select(tokens)
    if tokens.peek() is not None:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token '{tokens.peek()[1]}' in: {soql}")  # type: ignore[index]
    return query


def value_of(row: dict[str, Any], name: str) -> Any:
    """A field of a record; ``Owner.IsActive`` reads the parent record nested under ``Owner``."""
    value: Any = row
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return bool(left == right)


def _compare(left: Any, operator: str, right: Any) -> bool:
    if operator == "=":
        return _same(left, right)
    if operator == "!=":
        return not _same(left, right)
    if left is None or right is None or type(left) is not type(right):
        return False  # SOQL: a null is neither before nor after anything
    if isinstance(left, str):
        left, right = left.lower(), right.lower()
    return bool({"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator])


Table = Callable[[str], list[dict[str, Any]]]  # object name (as typed) -> its records


def _canonical(name: str, row_fields: list[str], sobject: str) -> str:
    for candidate in row_fields:
        if candidate.lower() == name.lower():
            return candidate
    raise SoqlError(
        "INVALID_FIELD",
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom "
        "field, be sure to append the '__c' after the custom field name.",
    )


@dataclass(frozen=True)
class Selection:
    """The records a query matched (all their fields) and the selected fields, canonically named.

    For an aggregate query the rows are the AggregateResult records themselves (group fields and
    aliases, nothing else) and ``aggregate`` is true.
    """

    rows: list[dict[str, Any]]
    fields: list[str]
    aggregate: bool = False


def _matches(row: dict[str, Any], name: str, condition: Condition, allowed: tuple[Any, ...]) -> bool:
    value = value_of(row, name)
    if condition.operator == "IN":
        return any(_same(value, candidate) for candidate in allowed)
    return _compare(value, condition.operator, allowed[0])


def _aggregate(query: Query, rows: list[dict[str, Any]], columns: list[str]) -> Selection:
    group_fields = [_canonical(name, columns, query.sobject) for name in query.group_by]
    counted = [_canonical(item.field, columns, query.sobject) for item in query.aggregates]
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        key = tuple(value_of(row, name) for name in group_fields)
        groups.setdefault(key, []).append(row)
    if not group_fields:
        groups = {(): rows}
    plain = [_canonical(name, columns, query.sobject) for name in query.fields]
    results: list[dict[str, Any]] = []
    for key, members in groups.items():
        by_field = dict(zip(group_fields, key))
        result: dict[str, Any] = {}
        for column in query.columns:
            aggregate = next((a for a in query.aggregates if a.alias == column), None)
            if aggregate is None:
                name = plain[query.fields.index(column)]
                result[name.split(".")[-1]] = by_field[name]  # Salesforce names a grouped parent field by its last part
            else:
                field_name = counted[query.aggregates.index(aggregate)]
                result[aggregate.alias] = sum(1 for member in members if value_of(member, field_name) is not None)
        results.append(result)
    return Selection(results, list(results[0]) if results else [], aggregate=True)


def run(query: Query, table: Table, known_fields: Callable[[str], list[str]]) -> Selection:
    columns = known_fields(query.sobject)
    rows = table(query.sobject)
    for condition in query.conditions:
        name = _canonical(condition.field, columns, query.sobject)
        if condition.subquery is not None:
            inner = run(condition.subquery, table, known_fields)
            allowed = tuple(row.get(inner.fields[0]) for row in inner.rows)
        else:
            allowed = condition.values
        rows = [row for row in rows if _matches(row, name, condition, allowed)]
    if query.is_aggregate:
        return _aggregate(query, rows, columns)
    if query.order_by:
        name = _canonical(query.order_by[0], columns, query.sobject)
        rows = sorted(rows, key=lambda r: (value_of(r, name) is None, value_of(r, name)), reverse=query.order_by[1])
    if query.limit is not None:
        rows = rows[: query.limit]
    return Selection(rows, [_canonical(name, columns, query.sobject) for name in query.fields])
