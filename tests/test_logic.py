"""Tests for the three-valued evaluator and the builders that turn criteria and flows into formulas.

Tables first (each row a case a person can read: formula, facts, expected answer), then the
criteria, boolean-filter and flow tables, flows loaded from XML, and last the properties
(hypothesis): evaluation never raises, and learning more facts never flips a known answer.
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.formula import BinaryOp, Call, FieldRef, FormulaError, Literal, Node, UnaryOp, parse_formula, to_source
from auditor.logic import (
    Facts,
    Tri,
    criteria_formula,
    evaluate,
    field_key,
    flow_conditions_formula,
    flow_entry_formula,
    rule_entry_formula,
    split_values,
    status_values_where_true,
)
from auditor.model import CriteriaItem, Flow, FlowCondition, FlowFilter, FlowValue, RuleEntry, SourceRef
from auditor.parse import load_files

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN
SRC = SourceRef("t", 1)
TRUE_LITERAL = Literal(True, "boolean")


def fx(status: str | None = None, **fields: str | None) -> Facts:
    """Facts with a status and other fields by keyword: ``fx('Open', country='DE')``."""
    return Facts(status=status, fields=fields)


NONE = Facts()

# --- Tri ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "both", "either"),
    [
        (T, T, T, T),
        (T, F, F, T),
        (T, U, U, T),
        (F, F, F, F),
        (F, U, F, U),
        (U, U, U, U),
    ],
)
def test_kleene_tables(a: Tri, b: Tri, both: Tri, either: Tri) -> None:
    assert a & b is both and b & a is both
    assert a | b is either and b | a is either


def test_kleene_negation_and_of() -> None:
    assert (~T, ~F, ~U) == (F, T, U)
    assert (Tri.of(True), Tri.of(False), Tri.of(None)) == (T, F, U)


# --- field_key ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Status", "status"),
        ("Lead.Status", "status"),
        ("lead.status", "status"),
        ("$Record.Status", "status"),
        ("{!$Record.Status}", "status"),
        ("  {! $RECORD.Status }  ", "status"),
        ("Lead.ns__Score__c", "ns__score__c"),
        ("$Record__Prior.Status", "$record__prior.status"),  # the prior value, not the field
        ("$User.Id", "$user.id"),
        ("Lead.Owner.Name", "owner.name"),
    ],
)
def test_field_key(name: str, key: str) -> None:
    assert field_key(name) == key


# --- evaluate: formula text, facts, expected ------------------------------------------------------

OPEN = fx("Open")
MQL = fx("MQL")
CHANGED = Facts(status="MQL", prior_status="Open", status_changed=True)
UNCHANGED = Facts(status="Open", prior_status="Open", status_changed=False)

FORMULA_CASES: list[tuple[str, Facts, Tri]] = [
    # literals; a non-boolean result is not an answer
    ("TRUE", NONE, T),
    ("false", NONE, F),
    ("null", NONE, U),
    ("'Open'", OPEN, U),
    ("1 + 1", NONE, U),
    ("Status", OPEN, U),
    # AND / OR / NOT, functions and operators, any arity
    ("AND(TRUE, FALSE)", NONE, F),
    ("AND(TRUE, TRUE, TRUE)", NONE, T),
    ("AND(TRUE, Country = 'DE')", NONE, U),
    ("AND(FALSE, Country = 'DE')", NONE, F),
    ("AND(Country = 'DE', FALSE, TODAY() > 1)", NONE, F),
    ("OR(TRUE, Country = 'DE')", NONE, T),
    ("OR(FALSE, Country = 'DE')", NONE, U),
    ("OR(FALSE, FALSE, FALSE, FALSE)", NONE, F),
    ("NOT(Country = 'DE')", NONE, U),
    ("NOT(ISPICKVAL(Status, 'Open'))", OPEN, F),
    ("TRUE && FALSE", NONE, F),
    ("FALSE || TRUE", NONE, T),
    ("Country = 'DE' || Status = 'Open'", OPEN, T),
    ("Country = 'DE' && Status = 'Open'", OPEN, U),
    ("!TRUE", NONE, F),
    ("!(Country = 'DE')", fx(country="FR"), T),
    ("AND('text', FALSE)", NONE, F),  # a non-boolean operand is unknown, FALSE still decides
    # IF, with a known and an unknown condition
    ("IF(ISPICKVAL(Status, 'Open'), TRUE, FALSE)", OPEN, T),
    ("IF(ISPICKVAL(Status, 'Open'), TRUE, FALSE)", MQL, F),
    ("IF(Country = 'DE', TRUE, TRUE)", NONE, T),
    ("IF(Country = 'DE', TRUE, FALSE)", NONE, U),
    ("IF(Country = 'DE', 1, 1) = 1", NONE, T),
    ("IF(Country = 'DE', 'a', 'b') = 'a'", NONE, U),
    ("IF(Country = 'DE', TRUE, Country = 'DE')", NONE, U),
    ("IF(TRUE, TRUE)", NONE, U),  # IF needs three arguments
    # CASE
    ("CASE(Status, 'Open', 1, 'MQL', 2, 0) = 2", MQL, T),
    ("CASE(Status, 'Open', 1, 'MQL', 2, 0) = 2", OPEN, F),
    ("CASE(Status, 'Open', 1, 'MQL', 2, 0) = 0", fx("Nurture"), T),
    ("CASE(Status, 'Open', 1, 'MQL', 2, 0) = 2", NONE, U),
    ("CASE(Country, 'DE', TRUE, 'AT', TRUE, TRUE)", NONE, T),
    ("CASE(Status, 'Open', Country = 'DE', FALSE)", MQL, F),
    ("CASE(Status, 'Open', Country = 'DE', FALSE)", OPEN, U),
    ("CASE(Status, Country, TRUE, FALSE)", OPEN, U),  # an unknown candidate value
    ("CASE(Status, 'Open', TRUE)", OPEN, U),  # no default: not a valid CASE
    # ISPICKVAL: exact, case-sensitive, any spelling of the Status field
    ("ISPICKVAL(Status, 'Open')", OPEN, T),
    ("ISPICKVAL(Status, 'Open')", fx("open"), F),
    ("ISPICKVAL(Status, 'Open')", NONE, U),
    ("ISPICKVAL(Lead.Status, 'Open')", OPEN, T),
    ("ISPICKVAL({!$Record.Status}, 'Open')", OPEN, T),
    ("ISPICKVAL(Rating, '')", fx(rating=None), T),
    ("ISPICKVAL(Rating, 'Hot')", fx(rating="Hot"), T),
    ("ISPICKVAL(Rating, 'Hot')", fx(rating=None), F),
    # TEXT
    ("TEXT(Status) = 'Open'", OPEN, T),
    ("TEXT(Rating) = ''", fx(rating=None), T),
    ("ISBLANK(TEXT(Rating))", fx(rating=None), T),
    ("TEXT(5) = '5'", NONE, T),
    ("TEXT(2.5) = '2.5'", NONE, T),
    ("TEXT(TRUE) = 'true'", NONE, U),  # TEXT of a checkbox does not compile
    # blanks: ISBLANK, ISNULL, BLANKVALUE, NULLVALUE, comparisons with a blank
    ("ISBLANK(Country)", fx(country=None), T),
    ("ISBLANK(Country)", fx(country=""), T),
    ("ISBLANK(Country)", fx(country="DE"), F),
    ("ISBLANK(Country)", NONE, U),
    ("ISBLANK(Status)", OPEN, F),
    ("ISNULL(Country)", fx(country=None), T),
    ("BLANKVALUE(Country, 'none') = 'none'", fx(country=None), T),
    ("BLANKVALUE(Country, 'none') = 'none'", fx(country="DE"), F),
    ("BLANKVALUE(Country, 'none') = 'none'", NONE, U),
    ("NULLVALUE(Score__c, 0) = 0", fx(score__c=None), T),
    ("Country = ''", fx(country=None), T),
    ("Country != ''", fx(country=None), F),
    ("Country = 'DE'", fx(country=None), F),
    ("Country != 'DE'", fx(country=None), T),
    ("Country = null", fx(country=None), T),
    ("Score__c = 0", fx(score__c=None), U),  # blank number: depends on "treat blanks as zeroes"
    ("ISBLANK(null)", NONE, T),
    # ISCHANGED, PRIORVALUE, $Record__Prior, ISNEW
    ("ISCHANGED(Status)", CHANGED, T),
    ("ISCHANGED(Status)", UNCHANGED, F),
    ("ISCHANGED(Status)", OPEN, U),
    ("ISCHANGED($Record.Status)", CHANGED, T),
    ("ISCHANGED(Country)", Facts(status="Open", status_changed=True, fields={"country": "DE"}), U),
    ("PRIORVALUE(Status) = 'Open'", CHANGED, T),
    ("PRIORVALUE(Status) = 'Open'", MQL, U),
    ("ISPICKVAL(PRIORVALUE(Status), 'Open')", CHANGED, T),
    ("ISPICKVAL(PRIORVALUE(Status), 'MQL')", CHANGED, F),
    ("PRIORVALUE(Country) = 'DE'", fx(country="DE"), U),
    ("$Record__Prior.Status = 'Open'", CHANGED, T),
    ("{!$Record__Prior.Status} = 'Open'", CHANGED, T),
    ("$Record__Prior.Country = 'DE'", fx(country="DE"), U),
    ("ISNEW()", Facts(is_new=True), T),
    ("ISNEW()", Facts(is_new=False), F),
    ("ISNEW()", NONE, U),
    ("AND(ISCHANGED(Status), ISPICKVAL(Status, 'MQL'), NOT(ISPICKVAL(PRIORVALUE(Status), 'SQL')))", CHANGED, T),
    ("AND(NOT(ISNEW()), ISCHANGED(Status))", Facts(status="MQL", status_changed=True), U),
    # comparisons: = == != <> < <= > >=, exact for text, numbers read from text facts
    ("Status = 'Open'", OPEN, T),
    ("Status == 'Open'", OPEN, T),
    ("Status != 'Open'", OPEN, F),
    ("Status <> 'Open'", MQL, T),
    ("Status = 'OPEN'", OPEN, F),
    ("'Open' = Status", OPEN, T),
    ("Lead.Status = 'Open'", OPEN, T),
    ("Country = 'DE'", NONE, U),
    ("Country = Country", NONE, U),
    ("Score__c > 50", fx(score__c="60"), T),
    ("Score__c > 50", fx(score__c="40"), F),
    ("Score__c > 50", fx(score__c="lots"), U),
    ("Score__c > 50", fx(score__c=None), U),
    ("Score__c >= 50", fx(score__c="50"), T),
    ("Score__c < 50", fx(score__c="50"), F),
    ("Score__c <= 50", fx(score__c="50.0"), T),
    ("Score__c = 5", fx(score__c="5.0"), T),
    ("IsConverted = TRUE", fx(isconverted="true"), T),
    ("IsConverted = TRUE", fx(isconverted="false"), F),
    ("IsConverted = FALSE", fx(isconverted="FALSE"), T),
    ("IsConverted > TRUE", fx(isconverted="true"), U),  # checkboxes have no order
    ("1 < 2", NONE, T),
    ("2 <= 1", NONE, F),
    ("'b' > 'a'", NONE, T),
    ("1 = 'one'", NONE, U),
    ("TRUE = 1", NONE, U),
    ("Country = 'DE'", Facts(fields={"Lead.Country": "DE"}), T),  # fields keyed as written
    # CONTAINS, BEGINS, INCLUDES (multi-select), LEN: case-sensitive text
    ("CONTAINS(Country, 'erm')", fx(country="Germany"), T),
    ("CONTAINS(Country, 'erm')", fx(country="GERMANY"), F),
    ("CONTAINS(Country, 'x')", fx(country=None), F),
    ("CONTAINS(Country, 'x')", NONE, U),
    ("BEGINS(Status, 'Working')", fx("Working - Contacted"), T),
    ("BEGINS(Status, 'working')", fx("Working - Contacted"), F),
    ("INCLUDES(Interests__c, 'b')", fx(interests__c="a;b;c"), T),
    ("INCLUDES(Interests__c, 'b')", fx(interests__c="a;c"), F),
    ("INCLUDES(Interests__c, 'B')", fx(interests__c="a;b;c"), F),
    ("INCLUDES(Interests__c, 'b')", fx(interests__c=None), F),
    ("INCLUDES(Interests__c, 'b')", NONE, U),
    ("INCLUDES(Interests__c, 'a;c')", fx(interests__c="a;b;c"), T),
    ("LEN(Country) = 7", fx(country="Germany"), T),
    ("LEN(Country) = 0", fx(country=None), T),
    ("LEN(5) = 1", NONE, U),
    # concatenation and arithmetic
    ("Status & '-x' = 'Open-x'", OPEN, T),
    ("'a' + 'b' = 'ab'", NONE, T),
    ("Country & 'x' = 'x'", fx(country=None), T),
    ("1 + 2 * 3 = 7", NONE, T),
    ("(10 - 4) / 2 = 3", NONE, T),
    ("2 ^ 3 = 8", NONE, T),
    ("-Score__c < 0", fx(score__c="5"), T),
    ("Score__c + 1 = 6", fx(score__c="5"), T),
    ("Score__c - 1 = 4", NONE, U),
    ("1 / 0 = 1", NONE, U),
    ("1 / 0 > 0 || TRUE", NONE, T),
    ("10 ^ 400 > 1", NONE, U),
    ("(0 - 8) ^ 0.5 > 1", NONE, U),
    ("'a' * 2 = 2", NONE, U),
    # VALUE and the extra text functions
    ("VALUE('12') = 12", NONE, T),
    ("VALUE(Score__c) > 10", fx(score__c="12"), T),
    ("VALUE('abc') = 1", NONE, U),
    ("UPPER(Status) = 'OPEN'", OPEN, T),
    ("LOWER(Status) = 'open'", OPEN, T),
    ("TRIM('  x ') = 'x'", NONE, T),
    ("LEFT(Status, 2) = 'Op'", OPEN, T),
    ("RIGHT(Status, 2) = 'en'", OPEN, T),
    # everything about the user, the org, the clock or an unmodelled function is unknown
    ("$User.Id = '005000000000001'", NONE, U),
    ("$Profile.Name = 'System Administrator'", NONE, U),
    ("$Permission.Bypass_Validation", NONE, U),
    ("$Setup.Settings__c.Enabled__c = TRUE", NONE, U),
    ("$Label.Open_Status = Status", OPEN, U),
    ("$User.Id = '005'", Facts(fields={"$user.id": "005"}), U),  # a global is never a lead field
    ("TODAY() > DATE(2020, 1, 1)", NONE, U),
    ("NOW() = NOW()", NONE, U),
    ("REGEX(Country, '.*')", fx(country="DE"), U),
    ("NOSUCHFUNCTION(1)", NONE, U),
    ("OR($Permission.Bypass, ISPICKVAL(Status, 'Open'))", OPEN, T),
    ("AND($Permission.Bypass, ISPICKVAL(Status, 'Open'))", MQL, F),
]


@pytest.mark.parametrize(("text", "facts", "expected"), FORMULA_CASES, ids=[c[0] for c in FORMULA_CASES])
def test_evaluate(text: str, facts: Facts, expected: Tri) -> None:
    assert evaluate(parse_formula(text), facts) is expected


def test_formula_table_is_large() -> None:
    assert len(FORMULA_CASES) >= 60


def test_hand_built_trees_never_raise() -> None:
    odd: list[Node] = [
        Literal("x", "number"),  # a value of the wrong type for its kind
        Literal(float("inf"), "number"),
        Literal(1, "boolean"),
        FieldRef(None),  # type: ignore[arg-type]
        Call("AND", ()),
        Call("NOT", ()),
        Call("ISCHANGED", (Literal("Status", "string"),)),
        BinaryOp("%", Literal(1.0, "number"), Literal(2.0, "number")),
        UnaryOp("~", Literal(1.0, "number")),
        "not a node",  # type: ignore[list-item]
    ]
    deep: Node = Literal(True, "boolean")
    for _ in range(5000):
        deep = Call("NOT", (deep,))
    for node in [*odd, deep]:
        assert evaluate(node, NONE) in (T, F, U)


def test_status_values_where_true() -> None:
    node = parse_formula("AND(ISCHANGED(Status), ISPICKVAL(Status, 'MQL'))")
    assert status_values_where_true(node, ["Open", "MQL"], prior="Open") == {"Open": F, "MQL": T}
    # without a prior status nobody knows whether the status just changed
    assert status_values_where_true(node, ["Open", "MQL"]) == {"Open": F, "MQL": U}
    prior = parse_formula("PRIORVALUE(Status) = 'Open'")
    assert status_values_where_true(prior, ["MQL"], prior="Open") == {"MQL": T}
    assert status_values_where_true(prior, ["MQL"]) == {"MQL": U}
    assert status_values_where_true(node, []) == {}


# --- criteria items -----------------------------------------------------------------------------


def item(field: str, operation: str, value: str | None, value_field: str | None = None) -> CriteriaItem:
    return CriteriaItem(field, operation, value, value_field, SRC)


STATUS_IN = item("Lead.Status", "equals", "Open,Working")
COUNTRY_DE = item("Lead.Country", "equals", "DE")
SCORE_HIGH = item("Lead.Score__c", "greaterThan", "50")

CRITERIA_CASES: list[tuple[str, list[CriteriaItem], str | None, Facts, Tri]] = [
    ("equals list, first", [STATUS_IN], None, fx("Open"), T),
    ("equals list, second", [STATUS_IN], None, fx("Working"), T),
    ("equals list, neither", [STATUS_IN], None, fx("New"), F),
    ("equals list, unknown status", [STATUS_IN], None, NONE, U),
    # criteria rows ignore case (Salesforce filter rules; formulas stay exact), see logic.py
    ("equals ignores case", [STATUS_IN], None, fx("open"), T),
    ("equals ignores case, lower value", [item("Lead.Status", "equals", "mql")], None, fx("MQL"), T),
    ("equals ignores case, other", [item("Lead.Status", "equals", "mql")], None, fx("Open"), F),
    ("notEqual ignores case", [item("Lead.Country", "notEqual", "de,at")], None, fx(country="DE"), F),
    ("contains ignores case", [item("Lead.Company", "contains", "acme")], None, fx(company="ACME Corp"), T),
    ("notContain ignores case", [item("Lead.Company", "notContain", "ACME")], None, fx(company="acme"), F),
    ("startsWith ignores case", [item("Lead.Email", "startsWith", "INFO")], None, fx(email="info@x.com"), T),
    ("equals number text", [item("Lead.Score__c", "equals", "50")], None, fx(score__c="50"), T),
    ("equals spaces after commas", [item("Lead.Status", "equals", "Open, Working")], None, fx("Working"), T),
    ("equals quoted comma", [item("Lead.Company", "equals", '"Acme, Inc",Globex')], None, fx(company="Acme, Inc"), T),
    ("equals blank, blank", [item("Lead.Country", "equals", None)], None, fx(country=None), T),
    ("equals empty, blank", [item("Lead.Country", "equals", "")], None, fx(country=None), T),
    ("equals blank, set", [item("Lead.Country", "equals", "")], None, fx(country="DE"), F),
    ("notEqual list, other", [item("Lead.Country", "notEqual", "DE,AT")], None, fx(country="FR"), T),
    ("notEqual list, listed", [item("Lead.Country", "notEqual", "DE,AT")], None, fx(country="AT"), F),
    ("notEqual list, blank", [item("Lead.Country", "notEqual", "DE,AT")], None, fx(country=None), T),
    ("notEqual blank, set", [item("Lead.Country", "notEqual", "")], None, fx(country="DE"), T),
    ("notEqual blank, blank", [item("Lead.Country", "notEqual", None)], None, fx(country=None), F),
    ("contains", [item("Lead.Company", "contains", "Acme,Globex")], None, fx(company="Big Globex"), T),
    ("contains, none", [item("Lead.Company", "contains", "Acme,Globex")], None, fx(company="Initech"), F),
    ("notContain, listed", [item("Lead.Company", "notContain", "Acme,Globex")], None, fx(company="Acme"), F),
    ("notContain, other", [item("Lead.Company", "notContain", "Acme,Globex")], None, fx(company="Initech"), T),
    ("startsWith", [item("Lead.Email", "startsWith", "info,sales")], None, fx(email="sales@x.com"), T),
    ("startsWith, no", [item("Lead.Email", "startsWith", "info")], None, fx(email="jo@info.com"), F),
    ("includes", [item("Lead.Interests__c", "includes", "a,b")], None, fx(interests__c="b;c"), T),
    ("includes, no", [item("Lead.Interests__c", "includes", "a")], None, fx(interests__c="b;c"), F),
    ("excludes", [item("Lead.Interests__c", "excludes", "a")], None, fx(interests__c="b;c"), T),
    ("excludes, listed", [item("Lead.Interests__c", "excludes", "a,c")], None, fx(interests__c="b;c"), F),
    ("greaterThan number", [SCORE_HIGH], None, fx(score__c="60"), T),
    ("greaterThan number, lower", [SCORE_HIGH], None, fx(score__c="50"), F),
    ("greaterThan, unknown", [SCORE_HIGH], None, NONE, U),
    ("lessThan negative", [item("Lead.Score__c", "lessThan", "-5")], None, fx(score__c="-10"), T),
    ("lessOrEqual", [item("Lead.Score__c", "lessOrEqual", "50")], None, fx(score__c="51"), F),
    ("greaterOrEqual decimal", [item("Lead.Score__c", "greaterOrEqual", "49.5")], None, fx(score__c="50"), T),
    ("greaterThan text", [item("Lead.Rating", "greaterThan", "B")], None, fx(rating="C"), T),
    ("checkbox True", [item("Lead.IsConverted", "equals", "True")], None, fx(isconverted="true"), T),
    ("checkbox True, false", [item("Lead.IsConverted", "equals", "True")], None, fx(isconverted="false"), F),
    ("checkbox FALSE", [item("Lead.IsConverted", "equals", "FALSE")], None, fx(isconverted="false"), T),
    ("checkbox notEqual", [item("Lead.IsConverted", "notEqual", "true")], None, fx(isconverted="false"), T),
    ("value field", [item("Lead.City", "equals", None, "Lead.State")], None, fx(city="X", state="X"), T),
    ("value field, differ", [item("Lead.City", "equals", None, "Lead.State")], None, fx(city="X", state="Y"), F),
    ("within", [item("Lead.Address", "within", "10 mi")], None, fx(address="x"), U),
    ("unknown operation", [item("Lead.Country", "sortOf", "DE")], None, fx(country="DE"), U),
    ("default AND, both", [STATUS_IN, COUNTRY_DE], None, fx("Open", country="DE"), T),
    ("default AND, one", [STATUS_IN, COUNTRY_DE], None, fx("Open", country="FR"), F),
    ("default AND, unknown", [STATUS_IN, COUNTRY_DE], None, fx("Open"), U),
    ("default AND, false wins", [STATUS_IN, COUNTRY_DE], None, fx("New"), F),
    ("empty filter is AND", [STATUS_IN, COUNTRY_DE], "  ", fx("New"), F),
    ("1 AND (2 OR 3)", [STATUS_IN, COUNTRY_DE, SCORE_HIGH], "1 AND (2 OR 3)", fx("Open", score__c="90"), T),
    ("1 AND (2 OR 3), no", [STATUS_IN, COUNTRY_DE, SCORE_HIGH], "1 AND (2 OR 3)", fx("New", score__c="90"), F),
    ("1 AND (2 OR 3), unk", [STATUS_IN, COUNTRY_DE, SCORE_HIGH], "1 AND (2 OR 3)", fx("Open", score__c="1"), U),
    ("(1 OR 2) AND NOT 3", [STATUS_IN, COUNTRY_DE, SCORE_HIGH], "(1 OR 2) AND NOT 3", fx("New", country="DE", score__c="1"), T),
    ("(1 OR 2) AND NOT 3, no", [STATUS_IN, COUNTRY_DE, SCORE_HIGH], "(1 OR 2) AND NOT 3", fx("Open", score__c="99"), F),
    ("lower-case and", [STATUS_IN, COUNTRY_DE], "1 and 2", fx("Open", country="DE"), T),
    ("lower-case or", [STATUS_IN, COUNTRY_DE], "1 or 2", fx("New", country="DE"), T),
    ("NOT(1)", [STATUS_IN], "NOT(1)", fx("New"), T),
    ("AND binds tighter", [STATUS_IN, COUNTRY_DE, SCORE_HIGH], "1 AND 2 OR 3", fx("New", score__c="99"), T),
    ("no items", [], None, NONE, T),
]


@pytest.mark.parametrize(
    ("items", "boolean_filter", "facts", "expected"),
    [c[1:] for c in CRITERIA_CASES],
    ids=[c[0] for c in CRITERIA_CASES],
)
def test_criteria(items: list[CriteriaItem], boolean_filter: str | None, facts: Facts, expected: Tri) -> None:
    node = criteria_formula(items, boolean_filter)
    assert evaluate(node, facts) is expected
    # every built tree is formula text a person can read, and it reads back the same
    assert parse_formula(to_source(node)) == node


def test_criteria_trees() -> None:
    field = FieldRef("Lead.Country")
    assert criteria_formula([COUNTRY_DE], None) == BinaryOp(
        "=", Call("UPPER", (field,)), Call("UPPER", (Literal("DE", "string"),))
    )
    # no letters to fold: numbers and dates keep the plain comparison
    assert criteria_formula([item("Lead.Score__c", "equals", "50")], None) == BinaryOp(
        "=", FieldRef("Lead.Score__c"), Literal("50", "string")
    )
    assert criteria_formula([item("Lead.Country", "equals", "")], None) == Call("ISBLANK", (field,))
    assert criteria_formula([item("Lead.Country", "notEqual", None)], None) == Call(
        "NOT", (Call("ISBLANK", (field,)),)
    )
    assert criteria_formula([item("Lead.IsConverted", "equals", "True")], None) == BinaryOp(
        "=", FieldRef("Lead.IsConverted"), TRUE_LITERAL
    )
    assert criteria_formula([item("Lead.Score__c", "lessThan", "-5")], None) == BinaryOp(
        "<", FieldRef("Lead.Score__c"), UnaryOp("-", Literal(5.0, "number"))
    )
    within = criteria_formula([item("Lead.Address", "within", "10 mi")], None)
    assert isinstance(within, Call) and within.name == "WITHIN"
    assert criteria_formula([], None) == TRUE_LITERAL
    assert criteria_formula([], "1 AND 2") == TRUE_LITERAL
    both = criteria_formula([STATUS_IN, COUNTRY_DE], "1 OR 2")
    assert isinstance(both, Call) and both.name == "OR" and len(both.args) == 2


def test_criteria_case_folding_leaves_formulas_exact() -> None:
    # a criteria row 'mql' matches MQL; the same comparison written as a formula does not
    row = criteria_formula([item("Lead.Status", "equals", "mql")], None)
    assert evaluate(row, fx("MQL")) is T
    assert evaluate(parse_formula("TEXT(Status) = 'mql'"), fx("MQL")) is F
    assert evaluate(parse_formula("ISPICKVAL(Status, 'mql')"), fx("MQL")) is F


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, []),
        ("", []),
        ("MQL", ["MQL"]),
        ('MQL,"New, Old"', ["MQL", "New, Old"]),
        (' Germany , "Bonn, Town",Austria,', ["Germany", "Bonn, Town", "Austria"]),
    ],
)
def test_split_values(raw: str | None, expected: list[str]) -> None:
    assert split_values(raw) == expected


@pytest.mark.parametrize(
    ("logic", "message"),
    [
        ("1 AND 4", "refers to condition 4, but there are 3 conditions"),
        ("0", "refers to condition 0"),
        ("1 AND", "expected a condition number, NOT or '(', found end of filter logic"),
        ("(1 OR 2", "expected ')' to close the '(' at column 1"),
        ("1 OR 2)", "expected AND, OR or end of filter logic, found ')'"),
        ("1 XOR 2", "expected AND, OR or end of filter logic, found 'XOR'"),
        ("1 & 2", "found '&'"),
        ("AND 1", "found 'AND'"),
        ("1 2", "found '2'"),
        ("()", "found ')'"),
        ("(" * 150 + "1" + ")" * 150, "nested more than"),
    ],
)
def test_boolean_filter_errors(logic: str, message: str) -> None:
    with pytest.raises(FormulaError) as raised:
        criteria_formula([STATUS_IN, COUNTRY_DE, SCORE_HIGH], logic)
    assert message in str(raised.value)
    assert "filter logic" in str(raised.value)


def test_boolean_filter_error_is_located() -> None:
    with pytest.raises(FormulaError) as raised:
        criteria_formula([STATUS_IN, COUNTRY_DE], "1 AND\n 7")
    assert (raised.value.line, raised.value.column) == (2, 2)


def test_rule_entry_formula() -> None:
    def entry(criteria: tuple[CriteriaItem, ...] = (), formula: str | None = None, bf: str | None = None) -> RuleEntry:
        return RuleEntry(1, criteria, bf, formula, "Queue_A", "Queue", None, False, SRC)

    assert rule_entry_formula(entry()) is None
    assert rule_entry_formula(entry(formula="   ")) is None
    by_formula = rule_entry_formula(entry(formula="ISPICKVAL(Status, 'MQL')"))
    assert by_formula is not None and evaluate(by_formula, MQL) is T
    by_criteria = rule_entry_formula(entry((STATUS_IN, COUNTRY_DE), bf="1 OR 2"))
    assert by_criteria is not None and evaluate(by_criteria, fx("New", country="DE")) is T
    with pytest.raises(FormulaError):
        rule_entry_formula(entry(formula="AND(Status = 'x'"))
    with pytest.raises(FormulaError):
        rule_entry_formula(entry((STATUS_IN,), bf="1 AND 2"))


# --- flow conditions ----------------------------------------------------------------------------


def cond(left: str, operator: str, kind: str | None = None, text: str = "") -> FlowCondition:
    return FlowCondition(left, operator, FlowValue(kind, text) if kind else None, SRC)


STATUS_IS_MQL = cond("$Record.Status", "EqualTo", "stringValue", "MQL")
WAS_OPEN = cond("$Record__Prior.Status", "EqualTo", "stringValue", "Open")
STATUS_CHANGED = cond("$Record.Status", "IsChanged", "booleanValue", "true")

FLOW_CASES: list[tuple[str, list[FlowCondition | FlowFilter], str | None, Facts, Tri]] = [
    ("EqualTo $Record.Status", [STATUS_IS_MQL], None, MQL, T),
    ("EqualTo $Record.Status, other", [STATUS_IS_MQL], None, OPEN, F),
    ("EqualTo $Record.Status, unknown", [STATUS_IS_MQL], None, NONE, U),
    ("EqualTo case-sensitive", [STATUS_IS_MQL], None, fx("mql"), F),
    ("NotEqualTo", [cond("$Record.Status", "NotEqualTo", "stringValue", "MQL")], None, OPEN, T),
    ("$Record__Prior.Status", [WAS_OPEN], None, CHANGED, T),
    ("$Record__Prior.Status, other", [WAS_OPEN], None, Facts(status="MQL", prior_status="New"), F),
    ("$Record__Prior.Status, unknown", [WAS_OPEN], None, MQL, U),
    ("IsChanged true", [STATUS_CHANGED], None, CHANGED, T),
    ("IsChanged true, unchanged", [STATUS_CHANGED], None, UNCHANGED, F),
    ("IsChanged false", [cond("$Record.Status", "IsChanged", "booleanValue", "false")], None, UNCHANGED, T),
    ("IsChanged unknown", [STATUS_CHANGED], None, MQL, U),
    ("IsChanged other field", [cond("$Record.Country", "IsChanged", "booleanValue", "true")], None, CHANGED, U),
    ("IsChanged by variable", [cond("$Record.Status", "IsChanged", "elementReference", "varFlag")], None, CHANGED, U),
    ("IsNull true, blank", [cond("$Record.Company", "IsNull", "booleanValue", "true")], None, fx(company=None), T),
    ("IsNull true, set", [cond("$Record.Company", "IsNull", "booleanValue", "true")], None, fx(company="Acme"), F),
    ("IsNull false, set", [cond("$Record.Company", "IsNull", "booleanValue", "false")], None, fx(company="Acme"), T),
    ("IsBlank true", [cond("$Record.Company", "IsBlank", "booleanValue", "true")], None, fx(company=""), T),
    ("variable reference", [cond("$Record.Status", "EqualTo", "elementReference", "varTarget")], None, MQL, U),
    ("variable on the left", [cond("varScore", "GreaterThan", "numberValue", "5")], None, fx(varscore="9"), U),
    ("element output on the left", [cond("Get_Lead.Status", "EqualTo", "stringValue", "MQL")], None, MQL, U),
    ("$Record reference on the right", [cond("$Record.Status", "EqualTo", "elementReference", "$Record.Rating")],
     None, fx("Hot", rating="Hot"), T),
    ("prior reference on the right", [cond("$Record.Status", "NotEqualTo", "elementReference", "$Record__Prior.Status")],
     None, CHANGED, T),
    ("EmptyString constant", [cond("$Record.Company", "EqualTo", "elementReference", "$GlobalConstant.EmptyString")],
     None, fx(company=None), T),
    ("True constant", [cond("$Record.IsConverted", "EqualTo", "elementReference", "$GlobalConstant.True")],
     None, fx(isconverted="true"), T),
    ("formulaExpression", [cond("$Record.Status", "EqualTo", "formulaExpression", "'M' & 'QL'")], None, MQL, T),
    ("formulaExpression unknown", [cond("$Record.Status", "EqualTo", "formulaExpression", "$User.Title")], None, MQL, U),
    ("GreaterThanOrEqualTo", [cond("$Record.ns__Score__c", "GreaterThanOrEqualTo", "numberValue", "50.0")],
     None, fx(ns__score__c="50"), T),
    ("GreaterThan", [cond("$Record.Score__c", "GreaterThan", "numberValue", "50")], None, fx(score__c="50"), F),
    ("LessThan", [cond("$Record.Score__c", "LessThan", "numberValue", "-1")], None, fx(score__c="-3"), T),
    ("LessThanOrEqualTo", [cond("$Record.Score__c", "LessThanOrEqualTo", "numberValue", "7")], None, fx(score__c="8"), F),
    ("StartsWith", [cond("$Record.Status", "StartsWith", "stringValue", "Work")], None, fx("Working"), T),
    ("EndsWith", [cond("$Record.Email", "EndsWith", "stringValue", "@acme.com")], None, fx(email="jo@acme.com"), T),
    ("EndsWith, no", [cond("$Record.Email", "EndsWith", "stringValue", "@acme.com")], None, fx(email="jo@acme.co"), F),
    ("EndsWith, blank", [cond("$Record.Email", "EndsWith", "stringValue", "@acme.com")], None, fx(email=None), F),
    ("Contains", [cond("$Record.Company", "Contains", "stringValue", "cme")], None, fx(company="Acme"), T),
    ("WasSet", [cond("$Record.Status", "WasSet", "booleanValue", "true")], None, MQL, U),
    ("date value", [cond("$Record.CreatedDate", "GreaterThan", "dateValue", "2024-01-01")], None,
     fx(createddate="2024-02-01"), U),
    ("no right value is null", [cond("$Record.Company", "EqualTo")], None, fx(company=None), T),
    ("empty string value", [cond("$Record.Company", "EqualTo", "stringValue", "")], None, fx(company=None), T),
    ("start filter", [FlowFilter("Status", "EqualTo", FlowValue("stringValue", "MQL"), SRC)], None, MQL, T),
    ("start filter IsNull", [FlowFilter("Score__c", "IsNull", FlowValue("booleanValue", "false"), SRC)], None,
     fx(score__c="3"), T),
    ("logic and", [STATUS_IS_MQL, WAS_OPEN], "and", CHANGED, T),
    ("logic AND, one false", [STATUS_IS_MQL, WAS_OPEN], "AND", Facts(status="MQL", prior_status="New"), F),
    ("logic or", [STATUS_IS_MQL, WAS_OPEN], "or", Facts(status="MQL", prior_status="New"), T),
    ("logic or, unknown", [STATUS_IS_MQL, WAS_OPEN], "or", OPEN, U),
    ("1 OR (2 AND 3)", [STATUS_IS_MQL, WAS_OPEN, STATUS_CHANGED], "1 OR (2 AND 3)", Facts(status="New",
     prior_status="Open", status_changed=True), T),
    ("1 OR (2 AND 3), no", [STATUS_IS_MQL, WAS_OPEN, STATUS_CHANGED], "1 OR (2 AND 3)", Facts(status="New",
     prior_status="Open", status_changed=False), F),
    ("1 OR (2 AND 3), unk", [STATUS_IS_MQL, WAS_OPEN, STATUS_CHANGED], "1 OR (2 AND 3)", fx("New"), U),
    ("no conditions", [], "and", NONE, T),
]


@pytest.mark.parametrize(
    ("conditions", "logic", "facts", "expected"), [c[1:] for c in FLOW_CASES], ids=[c[0] for c in FLOW_CASES]
)
def test_flow_conditions(
    conditions: list[FlowCondition | FlowFilter], logic: str | None, facts: Facts, expected: Tri
) -> None:
    node = flow_conditions_formula(conditions, logic)
    assert evaluate(node, facts) is expected
    assert parse_formula(to_source(node)) == node


def test_flow_condition_trees() -> None:
    assert flow_conditions_formula([WAS_OPEN], None) == BinaryOp(
        "=", Call("PRIORVALUE", (FieldRef("Status"),)), Literal("Open", "string")
    )
    assert flow_conditions_formula([STATUS_CHANGED], None) == Call("ISCHANGED", (FieldRef("$Record.Status"),))
    variable = flow_conditions_formula([cond("$Record.Status", "EqualTo", "elementReference", "varTarget")], None)
    assert variable == BinaryOp("=", FieldRef("$Record.Status"), Call("FLOWREF", (Literal("varTarget", "string"),)))
    assert flow_conditions_formula([], None) == TRUE_LITERAL
    assert flow_conditions_formula([], "1 AND 2") == TRUE_LITERAL


def test_flow_condition_errors_propagate() -> None:
    with pytest.raises(FormulaError):
        flow_conditions_formula([STATUS_IS_MQL], "1 OR 2")
    with pytest.raises(FormulaError):
        flow_conditions_formula([cond("$Record.Status", "EqualTo", "formulaExpression", "AND(")], None)


# --- flows from XML -----------------------------------------------------------------------------

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def flow_xml(start: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Flow {NS}>
    <apiVersion>60.0</apiVersion>
    <label>Lead Flow</label>
    <processType>AutoLaunchedFlow</processType>
    <start>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <object>Lead</object>
        <recordTriggerType>CreateAndUpdate</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
{start}
    </start>
    <status>Active</status>
</Flow>
""".encode()


FILTERS = """
        <filterLogic>1 OR (2 AND 3)</filterLogic>
        <filters>
            <field>Status</field>
            <operator>EqualTo</operator>
            <value><stringValue>MQL</stringValue></value>
        </filters>
        <filters>
            <field>ns__Score__c</field>
            <operator>IsNull</operator>
            <value><booleanValue>false</booleanValue></value>
        </filters>
        <filters>
            <field>Status</field>
            <operator>IsChanged</operator>
            <value><booleanValue>true</booleanValue></value>
        </filters>"""
AND_FILTERS = """
        <filterLogic>and</filterLogic>
        <filters>
            <field>Status</field>
            <operator>EqualTo</operator>
            <value><stringValue>Working</stringValue></value>
        </filters>
        <filters>
            <field>Rating</field>
            <operator>EqualTo</operator>
            <value><stringValue>Hot</stringValue></value>
        </filters>"""
FORMULA = """
        <filterFormula>AND(ISCHANGED({!$Record.Status}), ISPICKVAL({!$Record.Status}, 'MQL'))</filterFormula>"""
BAD_FORMULA = """
        <filterFormula>AND(ISCHANGED({!$Record.Status})</filterFormula>"""


def load_flows() -> dict[str, Flow]:
    files = [
        ("flows/Filters.flow-meta.xml", flow_xml(FILTERS)),
        ("flows/And_Filters.flow-meta.xml", flow_xml(AND_FILTERS)),
        ("flows/Formula.flow-meta.xml", flow_xml(FORMULA)),
        ("flows/Bad_Formula.flow-meta.xml", flow_xml(BAD_FORMULA)),
        ("flows/Any_Record.flow-meta.xml", flow_xml("")),
    ]
    model = load_files("t", files)
    assert model.problems == ()
    return {flow.name: flow for flow in model.flows}


FLOWS = load_flows()

ENTRY_CASES: list[tuple[str, Facts, Tri]] = [
    ("Filters", fx("MQL"), T),
    ("Filters", Facts(status="Open", status_changed=True, fields={"ns__score__c": "5"}), T),
    ("Filters", Facts(status="Open", status_changed=False, fields={"ns__score__c": "5"}), F),
    ("Filters", Facts(status="Open", status_changed=True, fields={"ns__score__c": None}), F),
    ("Filters", Facts(status="Open", status_changed=True), U),
    ("And_Filters", fx("Working", rating="Hot"), T),
    ("And_Filters", fx("Working", rating="Cold"), F),
    ("And_Filters", fx("Working"), U),
    ("And_Filters", fx("MQL"), F),
    ("Formula", Facts(status="Open", prior_status="MQL", status_changed=True), F),
    ("Formula", Facts(status="MQL", prior_status="Open", status_changed=True), T),
    ("Formula", Facts(status="MQL"), U),
    ("Formula", UNCHANGED, F),
]


@pytest.mark.parametrize(("name", "facts", "expected"), ENTRY_CASES)
def test_flow_entry_formula(name: str, facts: Facts, expected: Tri) -> None:
    node = flow_entry_formula(FLOWS[name])
    assert node is not None
    assert evaluate(node, facts) is expected


def test_flow_entry_formula_edges() -> None:
    assert flow_entry_formula(FLOWS["Any_Record"]) is None
    with pytest.raises(FormulaError):
        flow_entry_formula(FLOWS["Bad_Formula"])
    filters = flow_entry_formula(FLOWS["Filters"])
    assert isinstance(filters, Call) and filters.name == "OR"
    assert status_values_where_true(filters, ["MQL", "Open"]) == {"MQL": T, "Open": U}


# --- properties ---------------------------------------------------------------------------------

FIELD_NAMES = ["Status", "Lead.Status", "$Record.Status", "$Record__Prior.Status", "Country", "Score__c",
               "IsConverted", "Interests__c", "$User.Id"]
FIELD_KEYS = ["country", "score__c", "isconverted", "interests__c"]
TEXTS = ["Open", "MQL", "", "DE", "5", "-2", "true", "a;b", "open"]
FUNCTIONS = ["AND", "OR", "NOT", "IF", "CASE", "ISPICKVAL", "TEXT", "ISBLANK", "ISNULL", "BLANKVALUE", "NULLVALUE",
             "ISCHANGED", "PRIORVALUE", "ISNEW", "CONTAINS", "BEGINS", "INCLUDES", "LEN", "VALUE", "LEFT", "RIGHT",
             "UPPER", "TODAY", "REGEX"]
OPERATORS = ["&&", "||", "=", "!=", "<", "<=", ">", ">=", "&", "+", "-", "*", "/", "^"]

leaves = st.one_of(
    st.sampled_from(FIELD_NAMES).map(FieldRef),
    st.sampled_from(TEXTS).map(lambda v: Literal(v, "string")),
    st.sampled_from([0.0, 1.0, 2.0, 5.0, 2.5, 50.0]).map(lambda v: Literal(v, "number")),
    st.booleans().map(lambda v: Literal(v, "boolean")),
    st.just(Literal(None, "null")),
)


def _extend(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Call, st.sampled_from(FUNCTIONS), st.lists(children, max_size=5).map(tuple)),
        st.builds(BinaryOp, st.sampled_from(OPERATORS), children, children),
        st.builds(UnaryOp, st.sampled_from(["-", "+", "!"]), children),
    )


formulas = st.recursive(leaves, _extend, max_leaves=25)

# Mostly well-typed conditions, so that many results are known and monotonicity is really tested
# (random trees above are mostly type errors, hence UNKNOWN).
text_values = st.one_of(
    st.sampled_from(FIELD_NAMES).map(FieldRef),
    st.sampled_from(TEXTS).map(lambda v: Literal(v, "string")),
    st.just(Call("PRIORVALUE", (FieldRef("Status"),))),
    st.just(Call("TEXT", (FieldRef("Status"),))),
)
atoms = st.one_of(
    st.builds(BinaryOp, st.sampled_from(["=", "!=", "<", ">="]), text_values, text_values),
    st.builds(lambda f, v: Call("ISPICKVAL", (f, v)), text_values, text_values),
    st.builds(lambda f: Call("ISBLANK", (f,)), text_values),
    st.builds(lambda f, v: Call("CONTAINS", (f, v)), text_values, text_values),
    st.builds(lambda f, v: Call("INCLUDES", (f, v)), text_values, text_values),
    st.sampled_from(["Status", "Country"]).map(lambda f: Call("ISCHANGED", (FieldRef(f),))),
    st.just(Call("ISNEW", ())),
    st.booleans().map(lambda v: Literal(v, "boolean")),
    formulas,
)


def _combine_conditions(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(Call, st.sampled_from(["AND", "OR"]), st.lists(children, min_size=1, max_size=4).map(tuple)),
        st.builds(lambda c: Call("NOT", (c,)), children),
        st.builds(lambda c, a, b: Call("IF", (c, a, b)), children, children, children),
        st.builds(lambda x, v, r, d: Call("CASE", (x, v, r, d)), text_values, text_values, children, children),
        st.builds(BinaryOp, st.sampled_from(["&&", "||"]), children, children),
    )


conditions = st.recursive(atoms, _combine_conditions, max_leaves=12)


@st.composite
def fact_pairs(draw: st.DrawFn) -> tuple[Facts, Facts]:
    """Complete facts, and the same facts with some of them forgotten."""
    statuses = st.sampled_from(["Open", "MQL", "open", ""])
    values = st.sampled_from([None, *TEXTS])
    full_fields: Mapping[str, str | None] = draw(st.fixed_dictionaries({k: values for k in FIELD_KEYS}))
    full = Facts(
        status=draw(statuses),
        prior_status=draw(statuses),
        status_changed=draw(st.booleans()),
        is_new=draw(st.booleans()),
        fields=full_fields,
    )
    keep = draw(st.lists(st.booleans(), min_size=4 + len(FIELD_KEYS), max_size=4 + len(FIELD_KEYS)))
    partial = Facts(
        status=full.status if keep[0] else None,
        prior_status=full.prior_status if keep[1] else None,
        status_changed=full.status_changed if keep[2] else None,
        is_new=full.is_new if keep[3] else None,
        fields={k: full_fields[k] for k, kept in zip(FIELD_KEYS, keep[4:]) if kept},
    )
    return partial, full


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(formulas, conditions), fact_pairs())
def test_evaluate_is_total_and_monotone(node: Node, facts: tuple[Facts, Facts]) -> None:
    partial, full = facts
    less, more = evaluate(node, partial), evaluate(node, full)
    assert isinstance(less, Tri) and isinstance(more, Tri)
    assert evaluate(node, Facts()) in (less, U)  # knowing nothing is the least one can know
    if less is not U:
        assert more is less, (to_source(node), partial, full)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 ()ANDORNTandort&|", max_size=30))
def test_boolean_filter_never_raises_anything_else(logic: str) -> None:
    try:
        node = criteria_formula([STATUS_IN, COUNTRY_DE, SCORE_HIGH], logic)
    except FormulaError:
        return
    assert evaluate(node, fx("Open", country="DE", score__c="1")) in (T, F, U)
