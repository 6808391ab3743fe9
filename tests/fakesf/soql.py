"""A tiny SOQL reader: enough for the queries a metadata auditor issues, and strict about them.

Supported: ``SELECT f1, f2 FROM Object [WHERE c AND c ...] [ORDER BY f [ASC|DESC]] [LIMIT n]``
where a condition is ``Field = literal``, ``Field != literal``, ``Field IN (literal, ...)`` or a
semi-join ``Field IN (SELECT Id FROM Object WHERE ...)``. Keywords, objects and fields are
case-insensitive and string comparison is too, as in SOQL. Anything else is answered the way
Salesforce answers a query it cannot run (MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD), so a
client bug shows up as the error a real org would give.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^'\\]|\\.)*')|(?P<number>-?\d+(?:\.\d+)?)|(?P<op>!=|=|<|>|\(|\)|,)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)


class SoqlError(Exception):
    """A query Salesforce would refuse: carries its errorCode."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


@dataclass(frozen=True)
class Condition:
    field: str
    operator: str  # "=", "!=", "IN"
    values: tuple[Any, ...] = ()
    subquery: Query | None = None


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    sobject: str
    conditions: tuple[Condition, ...] = ()
    order_by: tuple[str, bool] | None = None  # (field, descending)
    limit: int | None = None


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
        elif kind == "number":
            items.append(("literal", float(raw) if "." in raw else int(raw)))
        elif kind == "word" and raw.lower() in ("true", "false", "null"):
            items.append(("literal", {"true": True, "false": False, "null": None}[raw.lower()]))
        else:
            items.append((kind, raw))
    return _Tokens(items, source=soql)


def _select(tokens: _Tokens) -> Query:
    tokens.expect("word", "SELECT")
    fields = [tokens.expect("word")]
    while tokens.peek() == ("op", ","):
        tokens.next()
        fields.append(tokens.expect("word"))
    tokens.expect("word", "FROM")
    sobject = tokens.expect("word")
    conditions: list[Condition] = []
    if tokens.keyword("WHERE"):
        tokens.next()
        conditions.append(_condition(tokens))
        while tokens.keyword("AND"):
            tokens.next()
            conditions.append(_condition(tokens))
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
    return Query(tuple(fields), sobject, tuple(conditions), order_by, limit)


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
    if operator not in ("=", "!="):
        raise SoqlError("MALFORMED_QUERY", f"operator '{operator}' is not supported by the fake")
    return Condition(field_name, operator, (tokens.expect("literal"),))


def parse(soql: str) -> Query:
    tokens = _tokenize(soql)
    query = _select(tokens)
    if tokens.peek() is not None:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token '{tokens.peek()[1]}' in: {soql}")  # type: ignore[index]
    return query


def _same(left: Any, right: Any) -> bool:
    if isinstance(left, str) and isinstance(right, str):
        return left.lower() == right.lower()
    return bool(left == right)


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
    """The records a query matched (all their fields) and the selected fields, canonically named."""

    rows: list[dict[str, Any]]
    fields: list[str]


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
        matches = [any(_same(row.get(name), value) for value in allowed) for row in rows]
        keep = [not m for m in matches] if condition.operator == "!=" else matches
        rows = [row for row, kept in zip(rows, keep) if kept]
    if query.order_by:
        name = _canonical(query.order_by[0], columns, query.sobject)
        rows = sorted(rows, key=lambda r: (r.get(name) is None, r.get(name)), reverse=query.order_by[1])
    if query.limit is not None:
        rows = rows[: query.limit]
    return Selection(rows, [_canonical(name, columns, query.sobject) for name in query.fields])
