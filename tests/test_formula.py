"""Tests for the Salesforce formula parser: exact trees, located errors, and what checks ask.

Tables first (each row is a case a person can read), then properties (hypothesis) that no input
crashes the parser with anything but FormulaError and that printing and parsing agree, then the
real formulas in the shared corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from auditor.formula import (
    BINARY_OPERATORS,
    BinaryOp,
    Call,
    FieldRef,
    FormulaError,
    Literal,
    Node,
    UnaryOp,
    fields_read,
    is_always_true,
    parse_formula,
    picklist_comparisons,
    to_source,
)

# --- tree builders: short names keep the expected trees readable ------------------------------


def f(name: str) -> FieldRef:
    return FieldRef(name)


def n(value: float) -> Literal:
    return Literal(float(value), "number")


def s(value: str) -> Literal:
    return Literal(value, "string")


def b(op: str, left: Node, right: Node) -> BinaryOp:
    return BinaryOp(op, left, right)


def u(op: str, operand: Node) -> UnaryOp:
    return UnaryOp(op, operand)


def c(name: str, *args: Node) -> Call:
    return Call(name, tuple(args))


T, F, NULL = Literal(True, "boolean"), Literal(False, "boolean"), Literal(None, "null")


# --- parsing: exact trees ---------------------------------------------------------------------

PARSE_CASES: list[tuple[str, Node]] = [
    # precedence and associativity
    ("a || b && c", b("||", f("a"), b("&&", f("b"), f("c")))),
    ("a && b || c", b("||", b("&&", f("a"), f("b")), f("c"))),
    ("1 + 2 * 3 ^ 2", b("+", n(1), b("*", n(2), b("^", n(3), n(2))))),
    ("a & b = c", b("=", b("&", f("a"), f("b")), f("c"))),
    ("a = b < c", b("=", f("a"), b("<", f("b"), f("c")))),
    ("a < b + 1", b("<", f("a"), b("+", f("b"), n(1)))),
    ("a = b && c != d", b("&&", b("=", f("a"), f("b")), b("!=", f("c"), f("d")))),
    ("-x^2", b("^", u("-", f("x")), n(2))),
    ("2^3^2", b("^", n(2), b("^", n(3), n(2)))),
    ("2^-1", b("^", n(2), u("-", n(1)))),
    ("a - b - c", b("-", b("-", f("a"), f("b")), f("c"))),
    ("a / b * c", b("*", b("/", f("a"), f("b")), f("c"))),
    ("a - b & c", b("&", b("-", f("a"), f("b")), f("c"))),
    ("(a + b) * c", b("*", b("+", f("a"), f("b")), f("c"))),
    ("!a", u("!", f("a"))),
    ("!a && b", b("&&", u("!", f("a")), f("b"))),
    ("!!a", u("!", u("!", f("a")))),
    ("- -1", u("-", u("-", n(1)))),
    ("+5", u("+", n(5))),
    ("a == b", b("=", f("a"), f("b"))),
    ("a <> b", b("!=", f("a"), f("b"))),
    ("a<=b", b("<=", f("a"), f("b"))),
    ("a>=b", b(">=", f("a"), f("b"))),
    # functions: any name, any case, nested
    ("ispickval(Status, 'MQL')", c("ISPICKVAL", f("Status"), s("MQL"))),
    ("IsBlank(Email)", c("ISBLANK", f("Email"))),
    ("TODAY()", c("TODAY")),
    ("NOW ( )", c("NOW")),
    ("My_Custom_Fn(1, 'x', TRUE)", c("MY_CUSTOM_FN", n(1), s("x"), T)),
    ("NOT(ISNEW())", c("NOT", c("ISNEW"))),
    ("AND(a, OR(b, c))", c("AND", f("a"), c("OR", f("b"), f("c")))),
    (
        "IF(ISCHANGED(Status), IF(ISPICKVAL(PRIORVALUE(Status), 'New'), 1, 2), 0)",
        c(
            "IF",
            c("ISCHANGED", f("Status")),
            c("IF", c("ISPICKVAL", c("PRIORVALUE", f("Status")), s("New")), n(1), n(2)),
            n(0),
        ),
    ),
    (
        "CASE(TEXT(Status), 'A', 1, 'B', CASE(Rating, 'Hot', 3, 4), 0)",
        c(
            "CASE",
            c("TEXT", f("Status")),
            s("A"),
            n(1),
            s("B"),
            c("CASE", f("Rating"), s("Hot"), n(3), n(4)),
            n(0),
        ),
    ),
    ("VALUE(LEFT(Zip, 2)) > 10", b(">", c("VALUE", c("LEFT", f("Zip"), n(2))), n(10))),
    ("TODAY() - DATEVALUE(CreatedDate)", b("-", c("TODAY"), c("DATEVALUE", f("CreatedDate")))),
    # literals
    ("12", n(12)),
    ("3.25", n(3.25)),
    ("0.5", n(0.5)),
    (".5", n(0.5)),
    ("true", T),
    ("True", T),
    ("FALSE", F),
    ("null", NULL),
    ("NULL", NULL),
    ('"double"', s("double")),
    ("'single'", s("single")),
    ("''", s("")),
    (r'"say \"hi\""', s('say "hi"')),
    (r"'it\'s'", s("it's")),
    (r'"back\\slash"', s("back\\slash")),
    (r'"a\nb\tc"', s("a\nb\tc")),
    (r'"\d+"', s("\\d+")),  # unknown escape (REGEX patterns) keeps its backslash
    ('"it\'s"', s("it's")),
    ("'say \"hi\"'", s('say "hi"')),
    ('"line\nbreak"', s("line\nbreak")),
    ('"/* not a comment */"', s("/* not a comment */")),
    ('"{!Status}"', s("{!Status}")),
    # merge fields of every shape
    ("Status", f("Status")),
    ("Owner:User.IsActive", f("Owner:User.IsActive")),
    ("Owner:Queue.DeveloperName", f("Owner:Queue.DeveloperName")),
    ("RecordType.DeveloperName", f("RecordType.DeveloperName")),
    ("$User.Id", f("$User.Id")),
    ("$Profile.Name", f("$Profile.Name")),
    ("$Setup.Bypass__c.Disable_Validation__c", f("$Setup.Bypass__c.Disable_Validation__c")),
    ("$Permission.Bypass", f("$Permission.Bypass")),
    ("$Label.Lead_Error", f("$Label.Lead_Error")),
    ("ns__Field__c", f("ns__Field__c")),
    ("Lead.Status", f("Lead.Status")),
    ("{!Status}", f("Status")),
    ("{!$Record.Status}", f("$Record.Status")),
    ("{! $Flow.CurrentDate }", f("$Flow.CurrentDate")),
    ("{!$Record__Prior.Status}", f("$Record__Prior.Status")),
    ("{!TRUE}", f("TRUE")),  # inside {! } a reserved word is a field name
    ('"https://x.example/"&{!$User.Id}', b("&", s("https://x.example/"), f("$User.Id"))),
    # comments, whitespace, CRLF
    ("/* catch-all */ true", T),
    ("a /* one */ + /* two\nlines */ b", b("+", f("a"), f("b"))),
    ("a/**/+b", b("+", f("a"), f("b"))),
    (
        "AND(\r\n  ISPICKVAL(Status, 'MQL'),\r\n\tNOT(ISBLANK(Email))\r\n)\r\n",
        c("AND", c("ISPICKVAL", f("Status"), s("MQL")), c("NOT", c("ISBLANK", f("Email")))),
    ),
    ("\u00a0a\u00a0=\u00a01", b("=", f("a"), n(1))),  # non-breaking spaces pasted from a doc
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES, ids=[case[0] for case in PARSE_CASES])
def test_parse_exact_tree(text: str, expected: Node) -> None:
    tree = parse_formula(text)
    assert tree == expected
    assert parse_formula(to_source(tree)) == tree


def test_offsets_are_kept_but_do_not_affect_equality() -> None:
    tree = parse_formula("  a +\n b")
    assert isinstance(tree, BinaryOp)
    assert (tree.offset, tree.left.offset, tree.right.offset) == (4, 2, 7)
    assert tree == parse_formula("a+b")
    assert hash(tree) == hash(parse_formula("a+b"))


def test_nodes_are_frozen() -> None:
    with pytest.raises(AttributeError):
        f("Status").name = "Other"  # type: ignore[misc]


# --- parsing: located errors ------------------------------------------------------------------

ERROR_CASES: list[tuple[str, int, int, str]] = [
    ("", 1, 1, "formula is empty"),
    ("   \r\n  ", 1, 1, "formula is empty"),
    ("/* only a comment */", 1, 1, "formula is empty"),
    (
        "IF(ISPICKVAL(Status, 'MQL'),\n  TRUE",
        2,
        7,
        "expected ')' after arguments of IF, found end of formula",
    ),
    ("IF(a, b c)", 1, 9, "expected ')' after arguments of IF, found 'c'"),
    ("(a + b", 1, 7, "expected ')' to close the '(' at line 1, column 1, found end of formula"),
    ("x = (\n  (a)", 2, 6, "expected ')' to close the '(' at line 1, column 5, found end of formula"),
    ("a)", 1, 2, "expected an operator or end of formula, found ')'"),
    ("Status = 'MQL", 1, 10, "unclosed string: no closing ' for the string that starts here"),
    ('AND(\n  Name = "abc)', 2, 10, 'unclosed string: no closing " for the string that starts here'),
    ('"ends with backslash\\"', 1, 1, 'unclosed string: no closing " for the string that starts here'),
    ("a + * b", 1, 5, "expected an expression after '+', found '*'"),
    ("* a", 1, 1, "expected an expression, found '*'"),
    ("a +", 1, 4, "expected an expression after '+', found end of formula"),
    ("a && || b", 1, 6, "expected an expression after '&&', found '||'"),
    ("IF(a,)", 1, 6, "expected an expression in the arguments of IF, found ')'"),
    ("IF(,a)", 1, 4, "expected an expression in the arguments of IF, found ','"),
    ("()", 1, 2, "expected an expression after '(', found ')'"),
    ("a b", 1, 3, "expected an operator or end of formula, found 'b'"),
    ("TEXT(Status) = 'a' 'b'", 1, 20, "expected an operator or end of formula, found \"'b'\""),
    ("ISBLANK(#Name)", 1, 9, "unexpected character '#'"),
    ("a = 1 ;", 1, 7, "unexpected character ';'"),
    ("a | b", 1, 3, "unexpected character '|' (OR is written '||')"),
    ("{Status}", 1, 1, "unexpected character '{' (merge fields are written {!Name})"),
    ("Lead. Status", 1, 5, "unexpected character '.'"),
    ("$ = 1", 1, 1, "unexpected character '$'"),
    ('Name = "é" @', 1, 12, "unexpected character '@'"),  # columns count characters
    ("NOT a", 1, 5, "expected '(' after NOT (a function, not an operator), found 'a'"),
    ("a AND b", 1, 3, "expected an operator or end of formula, found 'AND'"),
    ("{!Status", 1, 9, "expected '}' to close the '{!' at line 1, column 1, found end of formula"),
    ("{!}", 1, 3, "expected a field name after '{!', found '}'"),
    ("{!'x'}", 1, 3, "expected a field name after '{!', found \"'x'\""),
    ("a = 1 /* open", 1, 7, "unclosed comment: '/*' without a closing '*/'"),
    ("1" * 400, 1, 1, f"number is too large: '{'1' * 27}...'"),
    (
        "AND(\r\n  ISPICKVAL(Status, 'MQL'),\r\n  Amount > > 5\r\n)",
        3,
        12,
        "expected an expression after '>', found '>'",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"), ERROR_CASES, ids=[case[0][:40] for case in ERROR_CASES]
)
def test_parse_error_is_located(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    error = caught.value
    assert (error.line, error.column, error.message) == (line, column, message)
    assert str(error) == f"line {line}, column {column}: {message}"


def test_error_offset_matches_line_and_column() -> None:
    text = "OR(\n  a,\n  b +\n)"
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    error = caught.value
    assert (error.line, error.column, error.offset) == (4, 1, text.index(")"))


def test_none_is_an_empty_formula() -> None:
    # An empty XML element's .text is None; callers need not special-case it.
    with pytest.raises(FormulaError, match="formula is empty"):
        parse_formula(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "a" + ")" * 5000,
        "-" * 5000 + "a",
        "!" * 5000 + "a",
        "IF(" * 3000 + "a" + ")" * 3000,
        "a" + " ^ a" * 3000,
        "a" + " + a" * 3000,
    ],
    ids=["parens", "minus", "not", "calls", "power", "sum"],
)
def test_absurd_nesting_is_a_formula_error(text: str) -> None:
    with pytest.raises(FormulaError, match="nested too deeply"):
        parse_formula(text)


def test_long_but_reasonable_chains_parse() -> None:
    text = " & ".join(f"Field{i}__c" for i in range(150))
    tree = parse_formula(text)
    assert len(fields_read(tree)) == 150
    assert parse_formula(to_source(tree)) == tree


# --- printing -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tree", "source"),
    [
        (b("*", b("+", f("a"), f("b")), f("c")), "(a + b) * c"),
        (b("-", f("a"), b("-", f("b"), f("c"))), "a - (b - c)"),
        (b("^", b("^", n(2), n(3)), n(2)), "(2 ^ 3) ^ 2"),
        (u("-", b("^", f("x"), n(2))), "-(x ^ 2)"),
        (s('quote " back \\ nl \n tab \t'), r'"quote \" back \\ nl \n tab \t"'),
        (n(1e20), "100000000000000000000"),
        (n(1e-7), "0.0000001"),
        (n(2.5), "2.5"),
        (c("ISPICKVAL", f("Status"), s("MQL")), 'ISPICKVAL(Status, "MQL")'),
        (f("null"), "{!null}"),
        (NULL, "NULL"),
    ],
)
def test_to_source(tree: Node, source: str) -> None:
    assert to_source(tree) == source
    assert parse_formula(source) == tree


# --- picklist comparisons and fields read ---------------------------------------------------------

PICKLIST_CASES: list[tuple[str, dict[str, set[str]]]] = [
    ("ISPICKVAL(Status, 'MQL')", {"Status": {"MQL"}}),
    ("TEXT(Status) = 'MQL'", {"Status": {"MQL"}}),
    ("'MQL' = TEXT(Status)", {"Status": {"MQL"}}),
    ("Status = \"MQL\"", {"Status": {"MQL"}}),
    ("Status <> 'Closed' && Status != 'Dead'", {"Status": {"Closed", "Dead"}}),
    ("CASE(Status, 'A', 1, 'B', 2, 0)", {"Status": {"A", "B"}}),
    ("CASE(TEXT(Status), 'A', 'x', 'B', 'y', 'C')", {"Status": {"A", "B"}}),  # results are not values
    ("ISPICKVAL(PRIORVALUE(Status), 'New') && ISPICKVAL(Status, 'MQL')", {"Status": {"New", "MQL"}}),
    ("TEXT(PRIORVALUE(Status)) = 'New'", {"Status": {"New"}}),
    ("PRIORVALUE(Status) = 'New'", {"Status": {"New"}}),
    ("INCLUDES(Interests__c, 'Demo')", {"Interests__c": {"Demo"}}),
    ("{!$Record.Status} = 'MQL'", {"Status": {"MQL"}}),
    ("ISPICKVAL({!$Record.Status}, 'SAL')", {"Status": {"SAL"}}),
    ("ISPICKVAL(Lead.Status, 'SQL')", {"Status": {"SQL"}}),
    ("TEXT($Record__Prior.Status) = 'New'", {"Status": {"New"}}),
    ("ISPICKVAL(Owner:User.Region__c, 'EMEA')", {"Owner:User.Region__c": {"EMEA"}}),
    (
        "OR(ISPICKVAL(Status, 'A'), AND(ISPICKVAL(LeadSource, 'Web'), IF(Rating = 'Hot', TRUE, FALSE)))",
        {"Status": {"A"}, "LeadSource": {"Web"}, "Rating": {"Hot"}},
    ),
    ("CONTAINS(TEXT(Status), 'MQ')", {}),
    ("Status = Other__c", {}),
    ("TEXT(Status) = ''", {}),  # a blank check, not a value
    ("Amount = 5", {}),
    ("LEN(TEXT(Status)) = 'x'", {}),
    ("'ISPICKVAL(Status, \"MQL\")'", {}),
    ("/* ISPICKVAL(Status, 'MQL') */ TRUE", {}),
]


@pytest.mark.parametrize(
    ("text", "expected"), PICKLIST_CASES, ids=[case[0][:50] for case in PICKLIST_CASES]
)
def test_picklist_comparisons(text: str, expected: dict[str, set[str]]) -> None:
    assert picklist_comparisons(parse_formula(text)) == expected


FIELDS_CASES: list[tuple[str, set[str]]] = [
    ("ISPICKVAL(Status, 'MQL') && Owner:User.IsActive", {"Status", "Owner:User.IsActive"}),
    ("$User.Id = OwnerId", {"$User.Id", "OwnerId"}),
    (
        "NOT($Setup.Bypass__c.Active__c) && !$Permission.Bypass",
        {"$Setup.Bypass__c.Active__c", "$Permission.Bypass"},
    ),
    ("IF(ISBLANK(ns__Score__c), $Label.Missing, '')", {"ns__Score__c", "$Label.Missing"}),
    ("TODAY() - DATEVALUE(CreatedDate) > 3", {"CreatedDate"}),
    ("{!$Record.Status} = 'x' || {!myVar}", {"$Record.Status", "myVar"}),
    ("ISPICKVAL(PRIORVALUE(Status), 'New')", {"Status"}),
    (
        "RecordType.DeveloperName = 'Partner' && $Profile.Name <> 'Admin'",
        {"RecordType.DeveloperName", "$Profile.Name"},
    ),
    ("'Status' & \"Email\"", set()),
    ("/* Status */ TRUE", set()),
    ("status = STATUS", {"status", "STATUS"}),  # as written: callers compare case-insensitively
]


@pytest.mark.parametrize(("text", "expected"), FIELDS_CASES, ids=[case[0][:50] for case in FIELDS_CASES])
def test_fields_read(text: str, expected: set[str]) -> None:
    assert fields_read(parse_formula(text)) == frozenset(expected)


# --- always true ---------------------------------------------------------------------------------

ALWAYS_TRUE = [
    "true", "TRUE", "True", " true ", "/* catch-all */ true", "(TRUE)",
    "1=1", "1 == 1", "'a' = 'a'", "2 > 1", "-1 < 0", "1 <> 2", "TRUE = TRUE",
    "NOT(FALSE)", "!FALSE", "NOT(NOT(TRUE))",
    "OR(TRUE, x)", "OR(x, TRUE)", "x || TRUE", "AND(TRUE, TRUE)", "TRUE && 1=1",
    "IF(TRUE, TRUE, x)", "IF(x, TRUE, TRUE)", "IF(FALSE, x, TRUE)",
]
NOT_ALWAYS_TRUE = [
    "FALSE", "1=2", "'a' = 'A'", "AND(TRUE, x)", "OR(FALSE, x)", "x", "NOT(TRUE)", "!TRUE",
    "ISPICKVAL(Status, 'MQL')", "1", "'true'", "NULL", "x = x", "NULL = NULL", "1 = '1'",
    "IF(x, TRUE, FALSE)", "ISBLANK(NULL)", "'b' > 'a'", "$Permission.Bypass", "OR(FALSE, FALSE)",
]


@pytest.mark.parametrize("text", ALWAYS_TRUE)
def test_is_always_true(text: str) -> None:
    assert is_always_true(parse_formula(text)) is True


@pytest.mark.parametrize("text", NOT_ALWAYS_TRUE)
def test_is_not_always_true(text: str) -> None:
    assert is_always_true(parse_formula(text)) is False


# --- properties ------------------------------------------------------------------------------------

REAL_FORMULAS = [
    "ISPICKVAL(Status, 'MQL')",
    "true",
    "AND(ISPICKVAL(Status, 'Disqualified'), ISBLANK(TEXT(Disqualification_Reason__c)))",
    "AND(\r\n  NOT($Setup.Bypass_Settings__c.Disable_Validation__c),\r\n  ISCHANGED(Status),\r\n"
    "  ISPICKVAL(PRIORVALUE(Status), 'New'),\r\n  ISPICKVAL(Status, 'SQL')\r\n)",
    "OR(ISPICKVAL(LeadSource, 'Web'), ISPICKVAL(LeadSource, 'Partner Referral')) && Country = 'NL'",
    "AND(ISPICKVAL(Status, 'Nurture'), ISBLANK(Re_Engagement_Date__c),\n"
    "    NOT($Permission.Bypass_Lead_Rules))",
    "IF(ISBLANK(Fit_Score__c), 0, Fit_Score__c)\n"
    "  + IF(ISBLANK(Engagement_Score__c), 0, Engagement_Score__c) >= 100",
    "CASE(TEXT(Rating), 'Hot', 4, 'Warm', 24, 'Cold', 72, 48)",
    "AND(ISCHANGED(OwnerId), NOT(ISNEW()), Owner:User.IsActive = FALSE)",
    "TODAY() - DATEVALUE(CreatedDate) > 2 && ISPICKVAL(Status, 'Contacted')",
    "AND(NumberOfEmployees >= 1000, AnnualRevenue > 50000000, NOT(CONTAINS(Email, '@gmail.com')))",
    "{!$Record.Status} = 'MQL' && {!$Record__Prior.Status} <> 'MQL'",
    "\"https://mydomain.sandbox.my.salesforce.com/\"&{!$User.Id}",
    "TEXT(NOW())",
    "IF(AND(ISPICKVAL(Status, 'MQL'), NOW() - LastModifiedDate > 4/24), 'SLA breached', 'OK')",
    "/* hand-raisers bypass scoring */ OR(Demo_Requested__c, Pricing_Requested__c)",
    "RecordType.DeveloperName = 'Partner_Lead' && ISBLANK(Partner_Account__c)",
    "AND($Profile.Name <> 'System Administrator', ISCHANGED(Status), ISPICKVAL(Status, 'Converted'))",
    "LEN(Phone) < 10 || NOT(REGEX(Phone, \"\\\\D*(\\\\d\\\\D*){10}\"))",
    "INCLUDES(Interests__c, 'Demo') || INCLUDES(Interests__c, 'Pricing')",
    "BEGINS(PostalCode, '10') && VALUE(LEFT(PostalCode, 4)) < 1100",
    "$Label.Lead_Error & ': ' & Name",
    "-Amount__c * 2 ^ 2 / (1 + Discount__c)",
    "IF(x, 1, IF(y, 2, IF(z, 3, 4)))",
    "1=1",
]

TOKENS = [
    "(", ")", ",", '"', "'", "\\", "/*", "*/", "{!", "}", "{", "IF", "and", "NOT", "TRUE", "null",
    "Status", "$Record.Status", "Owner:User.X", "1", "2.5", ".", ":", "$", " ", "\r\n", "\t", "&&",
    "||", "=", "==", "<>", "!=", "<", ">=", "&", "+", "-", "*", "/", "^", "!", "#", "é", "\x00",
    "'MQL'", '"a\\"b"', "ISPICKVAL(", "CASE(", "\u2028", "\u00a0",
]
formula_like = st.lists(st.sampled_from(TOKENS), max_size=30).map("".join)


def _check_error(text: str, error: FormulaError) -> None:
    assert 0 <= error.offset <= len(text)
    assert error.line == text.count("\n", 0, error.offset) + 1
    assert error.column >= 1
    assert str(error) == f"line {error.line}, column {error.column}: {error.message}"


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.text(),
        formula_like,
        # truncated real formulas: unclosed calls, strings and comments
        st.sampled_from(REAL_FORMULAS).map(lambda x: x[: len(x) // 2]),
    )
)
def test_any_text_parses_or_raises_formula_error(text: str) -> None:
    try:
        tree = parse_formula(text)
    except FormulaError as error:
        _check_error(text, error)
        return
    # Whatever parses must print back to the same tree.
    assert parse_formula(to_source(tree)) == tree


SEGMENT = r"\$?[A-Za-z_][A-Za-z0-9_]{0,6}"
names = st.from_regex(rf"{SEGMENT}(?:[.:]{SEGMENT}){{0,3}}", fullmatch=True)
function_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).map(str.upper)
leaves = st.one_of(
    st.builds(Literal, st.text(max_size=8), st.just("string")),
    # The parser never builds a negative literal: -5 is a unary minus on 5.
    st.builds(Literal, st.floats(min_value=0, allow_nan=False, allow_infinity=False), st.just("number")),
    st.builds(Literal, st.booleans(), st.just("boolean")),
    st.just(NULL),
    st.builds(FieldRef, names | st.sampled_from(["true", "NULL", "Not", "and", "OR"])),
)
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(Call, function_names, st.lists(children, max_size=4).map(tuple)),
        st.builds(BinaryOp, st.sampled_from(sorted(BINARY_OPERATORS)), children, children),
        st.builds(UnaryOp, st.sampled_from(["-", "+", "!"]), children),
    ),
    max_leaves=25,
)


@settings(max_examples=400)
@given(trees)
def test_random_tree_prints_and_parses_back(tree: Node) -> None:
    assert parse_formula(to_source(tree)) == tree


@given(st.sampled_from(REAL_FORMULAS))
def test_real_formula_round_trips(text: str) -> None:
    tree = parse_formula(text)
    assert parse_formula(to_source(tree)) == tree


# --- the shared corpus of real metadata -----------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parents[1]
CORPUS = REPO_ROOT.parent / "shared" / "corpus"
FORMULA_TAGS = {"formula", "errorConditionFormula", "filterFormula"}


def _corpus_formulas() -> list[tuple[str, int, str]]:
    """(file, line, text) of every formula in the corpus's metadata files."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    found: list[tuple[str, int, str]] = []
    for path in sorted(CORPUS.rglob("*")):
        if not path.is_file() or not path.name.endswith((".xml", ".object", ".workflow")):
            continue
        root = etree.parse(str(path), parser).getroot()
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            tag = etree.QName(element).localname
            parent = element.getparent()
            in_flow_formula = (
                tag == "expression"
                and parent is not None
                and etree.QName(parent).localname == "formulas"
            )
            if (tag in FORMULA_TAGS or in_flow_formula) and element.text and element.text.strip():
                found.append((str(path.relative_to(CORPUS)), element.sourceline or 0, element.text))
    return found


def test_every_corpus_formula_parses() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    formulas = _corpus_formulas()
    assert formulas, f"no formulas found under {CORPUS}"
    failures = []
    for path, line, text in formulas:
        try:
            tree = parse_formula(text)
        except FormulaError as error:
            failures.append(f"{path}:{line}: {error}")
            continue
        assert parse_formula(to_source(tree)) == tree
    assert not failures, "\n".join(failures)
