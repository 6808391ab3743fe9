"""Statuses a formula cannot tell apart, and the status masks built on them.

Both are shortcuts: the properties check them against plain evaluation, status by status, over
random formulas, facts and guards.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.flowpaths import Guard
from auditor.formula import BinaryOp, Call, FieldRef, Literal, Node, parse_formula
from auditor.logic import Facts, Tri, evaluate, status_classes
from auditor.status_space import OTHER_STATUS, StatusSpace
from tests.test_logic import FIELD_KEYS, TEXTS, conditions, formulas

STATUSES = ["Open", "MQL", "open", "", "DE", "5", "-2", "true", "Qualified", OTHER_STATUS]


def classes(text: str, statuses: list[str] | None = None) -> list[list[str]]:
    return status_classes(parse_formula(text), statuses or ["New", "MQL", "SAL", "Qualified", "Nurture"])


def test_a_comparison_with_literals_sets_apart_only_the_statuses_compared() -> None:
    assert classes("AND(ISPICKVAL(Status, 'MQL'), ISBLANK(Company))") == [["New", "SAL", "Qualified", "Nurture"], ["MQL"]]
    assert classes("OR(TEXT(Status) = 'SAL', 'Qualified' != TEXT(Status))") == [
        ["New", "MQL", "Nurture"], ["SAL"], ["Qualified"]]
    assert classes("CASE(Status, 'MQL', 1, 'SAL', 2, 0) > 0") == [["New", "Qualified", "Nurture"], ["MQL"], ["SAL"]]


def test_a_formula_that_does_not_read_the_status_has_one_class() -> None:
    assert classes("ISBLANK(Company) && ISCHANGED(Status) && PRIORVALUE(Status) = 'MQL'") == [
        ["New", "MQL", "SAL", "Qualified", "Nurture"]]


def test_any_other_reading_of_the_status_keeps_every_status_apart() -> None:
    for text in ("CONTAINS(TEXT(Status), 'Q')", "LEN(TEXT(Status)) > 3", "TEXT(Status) = Company",
                 "BEGINS(TEXT(Status), 'S')", "CASE(Status, Company, 1, 0) = 1"):
        assert classes(text) == [["New"], ["MQL"], ["SAL"], ["Qualified"], ["Nurture"]], text


def test_text_is_compared_exactly() -> None:
    assert classes("ISPICKVAL(Status, 'mql')", ["MQL", "mql", "Open"]) == [["MQL", "Open"], ["mql"]]


@st.composite
def facts_without_status(draw: st.DrawFn) -> Facts:
    values = st.sampled_from([None, *TEXTS])
    fields: Mapping[str, str | None] = draw(st.dictionaries(st.sampled_from(FIELD_KEYS), values))
    return Facts(
        prior_status=draw(st.sampled_from([None, "Open", "MQL"])),
        status_changed=draw(st.sampled_from([None, True, False])),
        is_new=draw(st.sampled_from([None, True, False])),
        fields=fields,
    )


# Readings of the status in every form the classes recognise, so that those forms are well tried.
STATUS_REFS = st.sampled_from([FieldRef("Status"), FieldRef("$Record.Status"), FieldRef("{!Lead.Status}"),
                               Call("TEXT", (FieldRef("Status"),))])
LITERALS = st.one_of(st.sampled_from(STATUSES).map(lambda v: Literal(v, "string")),
                     st.sampled_from([5.0, -2.0]).map(lambda v: Literal(v, "number")),
                     st.booleans().map(lambda v: Literal(v, "boolean")), st.just(Literal(None, "null")))
status_readings = st.one_of(
    st.builds(lambda op, ref, lit, flip: BinaryOp(op, lit, ref) if flip else BinaryOp(op, ref, lit),
              st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), STATUS_REFS, LITERALS, st.booleans()),
    st.builds(lambda ref, lit: Call("ISPICKVAL", (ref, lit)), STATUS_REFS, LITERALS),
    st.builds(lambda ref, a, b, ra, rb, d: Call("CASE", (ref, a, ra, b, rb, d)),
              STATUS_REFS, LITERALS, LITERALS, conditions, conditions, conditions),
)
status_conditions = st.recursive(st.one_of(status_readings, conditions), lambda children: st.one_of(
    st.builds(Call, st.sampled_from(["AND", "OR"]), st.lists(children, min_size=1, max_size=3).map(tuple)),
    st.builds(lambda c: Call("NOT", (c,)), children)), max_leaves=6)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(formulas, conditions, status_conditions), facts_without_status(),
       st.permutations(STATUSES))
def test_members_of_a_class_evaluate_alike_under_any_facts(node: Node, facts: Facts, statuses: list[str]) -> None:
    groups = status_classes(node, statuses)
    assert sorted(s for group in groups for s in group) == sorted(statuses)  # a partition
    for group in groups:
        first = evaluate(node, Facts(**{**facts.__dict__, "status": group[0]}))
        for status in group[1:]:
            assert evaluate(node, Facts(**{**facts.__dict__, "status": status})) is first, (node, status, group)


def _formula_possible(guard: Node | Guard, statuses: list[str]) -> frozenset[str] | None:
    """The definition the masks shortcut: the whole formula evaluated status by status."""
    formula = guard.formula() if isinstance(guard, Guard) else guard
    if evaluate(formula, Facts(status=OTHER_STATUS)) is not Tri.FALSE:
        return None
    return frozenset(s for s in statuses if evaluate(formula, Facts(status=s)) is not Tri.FALSE)


STATUS_TESTS = st.one_of(
    st.sampled_from(["Open", "MQL", "Qualified", "x"]).map(
        lambda v: BinaryOp("=", FieldRef("$Record.Status"), Literal(v, "string"))),
    st.sampled_from(["Open", "MQL"]).map(lambda v: Call("NOT", (Call("ISPICKVAL", (FieldRef("Status"), Literal(v, "string"))),))),
    st.booleans().map(lambda v: Literal(v, "boolean")),
    conditions,
)
paths = st.lists(st.lists(STATUS_TESTS, min_size=1, max_size=4).map(tuple), min_size=1, max_size=5).map(tuple)
guards = st.one_of(paths.map(Guard), st.tuples(paths.map(Guard), paths).map(
    lambda pair: Guard(tuple((pair[0], *path) for path in pair[1]))))  # a resumed walk starts under a guard


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(guards)
def test_masks_agree_with_evaluating_the_whole_guard(guard: Guard) -> None:
    statuses = ["Open", "MQL", "Qualified", "open", ""]
    space = StatusSpace(statuses)
    assert space.possible(guard) == _formula_possible(guard, statuses)
    for path in guard.paths:  # and each condition on its own, from the cache the guard filled
        for condition in path:
            assert space.possible(condition) == _formula_possible(condition, statuses)
