"""Tokenizer and Pratt parser for Salesforce formulas; use ``auditor.formula.parse_formula``.

Hand-written rather than generated: the messages matter as much as the tree, because a formula
that does not parse becomes a finding a person must fix, so each error says what was expected,
what was found, and where (line and column). The tokenizer stops at the first bad character and
leaves an error token there; the parser raises when it reaches it, so the error reported is
always the leftmost one.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from auditor.formula import (
    BINARY_OPERATORS,
    UNARY_BINDING_POWER,
    UNARY_OPERATORS,
    BinaryOp,
    Call,
    FieldRef,
    FormulaError,
    Literal,
    Node,
    UnaryOp,
)

# Deeper trees than this are refused: no real formula comes near it, and it keeps every
# recursive walk over the AST (here, in to_source, in checks) far from Python's recursion limit.
MAX_DEPTH = 200

# Whitespace (any Unicode space, CRLF included) and complete /* */ comments, skipped as one run.
_SKIP = re.compile(r"(?:\s+|/\*.*?\*/)*", re.DOTALL)
# A merge field: segments joined by '.' (relationships) or ':' (polymorphic Owner:User), each
# optionally starting with '$' ($User.Id, $Setup.X__c.Y__c, $Record__Prior.Status).
_NAME = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*(?:[.:]\$?[A-Za-z_][A-Za-z0-9_]*)*")
_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_STRINGS = {
    '"': re.compile(r'"((?:[^"\\]|\\.)*)"', re.DOTALL),
    "'": re.compile(r"'((?:[^'\\]|\\.)*)'", re.DOTALL),
}
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
# An unknown escape such as "\d" (common in REGEX patterns) keeps its backslash.
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\"}
_TWO_CHAR_OPS = frozenset({"||", "&&", "==", "!=", "<>", "<=", ">=", "{!"})
_ONE_CHAR_OPS = frozenset("=<>&+-*/^!(),}")
_ALIASES = {"==": "=", "<>": "!="}
_HINTS = {"|": " (OR is written '||')", "{": " (merge fields are written {!Name})"}


class Token(NamedTuple):
    kind: str  # "number", "string", "name", "op", "end" or "error"
    value: str  # the operator, name, decoded string, or the error message
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """Tokens up to the end, or up to and including an "error" token at the first bad input."""
    tokens: list[Token] = []
    pos, size, last_end = 0, len(text), 0
    while True:
        pos = _SKIP.match(text, pos).end()  # type: ignore[union-attr]  # always matches
        if pos >= size:
            tokens.append(Token("end", "", last_end, last_end))
            return tokens
        char = text[pos]
        match = None
        if char in _STRINGS:
            match = _STRINGS[char].match(text, pos)
            if match is None:
                message = f"unclosed string: no closing {char} for the string that starts here"
                tokens.append(Token("error", message, pos, pos + 1))
                return tokens
            value = match.group(1)
            if "\\" in value:
                value = _ESCAPE.sub(lambda m: _UNESCAPE.get(m.group(1), m.group(0)), value)
            tokens.append(Token("string", value, pos, match.end()))
        elif (match := _NUMBER.match(text, pos)) is not None:
            tokens.append(Token("number", match.group(), pos, match.end()))
        elif (match := _NAME.match(text, pos)) is not None:
            tokens.append(Token("name", match.group(), pos, match.end()))
        elif text.startswith("/*", pos):
            message = "unclosed comment: '/*' without a closing '*/'"
            tokens.append(Token("error", message, pos, pos + 2))
            return tokens
        elif text[pos : pos + 2] in _TWO_CHAR_OPS:
            tokens.append(Token("op", text[pos : pos + 2], pos, pos + 2))
        elif char in _ONE_CHAR_OPS:
            tokens.append(Token("op", char, pos, pos + 1))
        else:
            message = f"unexpected character {char!r}{_HINTS.get(char, '')}"
            tokens.append(Token("error", message, pos, pos + 1))
            return tokens
        last_end = pos = tokens[-1].end


class _Parser:
    """Precedence climbing over the token list; every method consumes what it parses."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    # -- token access -----------------------------------------------------------------------

    def peek(self) -> Token:
        token = self.tokens[self.index]
        if token.kind == "error":
            raise FormulaError.at(self.text, token.start, token.value)
        return token

    def advance(self) -> Token:
        token = self.peek()
        if token.kind != "end":
            self.index += 1
        return token

    def is_op(self, value: str) -> bool:
        token = self.peek()
        return token.kind == "op" and token.value == value

    def describe(self, token: Token) -> str:
        if token.kind == "end":
            return "end of formula"
        shown = self.text[token.start : token.end]
        return repr(shown if len(shown) <= 30 else shown[:27] + "...")

    def fail(self, token: Token, message: str) -> FormulaError:
        return FormulaError.at(self.text, token.start, message)

    def expected(self, what: str, token: Token | None = None) -> FormulaError:
        """``expected <what>, found <token>``, located at the token (the next one by default)."""
        token = self.peek() if token is None else token
        return self.fail(token, f"expected {what}, found {self.describe(token)}")

    def too_deep(self, token: Token) -> FormulaError:
        return self.fail(token, f"formula is nested too deeply (more than {MAX_DEPTH} levels)")

    def where(self, token: Token) -> str:
        error = FormulaError.at(self.text, token.start, "")
        return f"line {error.line}, column {error.column}"

    # -- grammar ----------------------------------------------------------------------------

    def formula(self) -> Node:
        if self.peek().kind == "end":
            raise FormulaError("formula is empty")
        node, _ = self.expression(0, 0, "")
        if self.peek().kind != "end":
            raise self.expected("an operator or end of formula")
        return node

    def expression(self, min_power: int, depth: int, context: str) -> tuple[Node, int]:
        """Parse operators binding tighter than ``min_power``; return the tree and its height."""
        if depth > MAX_DEPTH:
            raise self.too_deep(self.peek())
        left, height = self.prefix(depth, context)
        while True:
            token = self.peek()
            if token.kind != "op":
                return left, height
            op = _ALIASES.get(token.value, token.value)
            info = BINARY_OPERATORS.get(op)
            if info is None or info[0] <= min_power:
                return left, height
            power, right_assoc = info
            self.advance()
            # Right-associative: let an operator of the same power continue on the right.
            right_power = power - 1 if right_assoc else power
            right, right_height = self.expression(right_power, depth + 1, f" after '{token.value}'")
            height = max(height, right_height) + 1
            if height > MAX_DEPTH:  # long left-deep chains (a + b + c ...) grow the tree here
                raise self.too_deep(token)
            left = BinaryOp(op, left, right, offset=token.start)

    def prefix(self, depth: int, context: str) -> tuple[Node, int]:
        token = self.advance()
        if token.kind == "number":
            value = float(token.value)
            if math.isinf(value):  # 400 digits: no Salesforce number is that large
                raise self.fail(token, f"number is too large: {self.describe(token)}")
            return Literal(value, "number", offset=token.start), 1
        if token.kind == "string":
            return Literal(token.value, "string", offset=token.start), 1
        if token.kind == "name":
            return self.name(token, depth)
        if token.kind == "op":
            if token.value == "(":
                inner, height = self.expression(0, depth + 1, " after '('")
                if not self.is_op(")"):
                    raise self.expected(f"')' to close the '(' at {self.where(token)}")
                self.advance()
                return inner, height
            if token.value in UNARY_OPERATORS:
                context = f" after '{token.value}'"
                operand, height = self.expression(UNARY_BINDING_POWER, depth + 1, context)
                return UnaryOp(token.value, operand, offset=token.start), height + 1
            if token.value == "{!":
                return self.merge_field(token)
        raise self.expected(f"an expression{context}", token)

    def name(self, token: Token, depth: int) -> tuple[Node, int]:
        word = token.value
        upper = word.upper()
        if self.is_op("(") and _SIMPLE_NAME.match(word):
            return self.call(token, depth)
        if upper in ("TRUE", "FALSE"):
            return Literal(upper == "TRUE", "boolean", offset=token.start), 1
        if upper == "NULL":
            return Literal(None, "null", offset=token.start), 1
        if upper in ("NOT", "AND", "OR"):
            raise self.expected(f"'(' after {upper} (a function, not an operator)")
        return FieldRef(word, offset=token.start), 1

    def call(self, name_token: Token, depth: int) -> tuple[Node, int]:
        name = name_token.value.upper()
        self.advance()  # the '('
        args: list[Node] = []
        height = 0
        if self.is_op(")"):
            self.advance()
            return Call(name, (), offset=name_token.start), 1
        context = f" in the arguments of {name}"
        while True:
            arg, arg_height = self.expression(0, depth + 1, context)
            args.append(arg)
            height = max(height, arg_height)
            if self.is_op(","):
                self.advance()
                continue
            if self.is_op(")"):
                self.advance()
                return Call(name, tuple(args), offset=name_token.start), height + 1
            raise self.expected(f"')' after arguments of {name}")

    def merge_field(self, open_token: Token) -> tuple[Node, int]:
        """``{!Status}`` as flows write it: the same field as bare ``Status``."""
        token = self.advance()
        if token.kind != "name":
            raise self.expected("a field name after '{!'", token)
        if not self.is_op("}"):
            raise self.expected(f"'}}' to close the '{{!' at {self.where(open_token)}")
        self.advance()
        return FieldRef(token.value, offset=open_token.start), 1


def parse(text: str) -> Node:
    """Parse ``text``; raises FormulaError only."""
    try:
        return _Parser(text).formula()
    except RecursionError:  # a last guard: MAX_DEPTH should make this unreachable
        raise FormulaError(f"formula is nested too deeply (more than {MAX_DEPTH} levels)") from None
