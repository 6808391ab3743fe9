"""Statuses a formula cannot tell apart, and the status masks built on them.

Both are shortcuts: the properties check them against plain evaluation, status by status, over
random formulas, facts and guards.
"""

from __future__ import annotations

from collections.abc import Mapping

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor import flowpaths
from auditor.flowpaths import FlowWalker
from auditor.formula import BinaryOp, Call, FieldRef, Literal, Node, parse_formula
from auditor.logic import Facts, Tri, evaluate, status_classes
from auditor.model import (
    Flow,
    FlowCondition,
    FlowDecision,
    FlowElement,
    FlowFilter,
    FlowOutcome,
    FlowValue,
    FlowWaitEvent,
    SourceRef,
)
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


PRIOR_REFS = st.sampled_from([FieldRef("$Record__Prior.Status"), Call("PRIORVALUE", (FieldRef("Status"),)),
                              Call("TEXT", (Call("PRIORVALUE", (FieldRef("$Record.Status"),)),))])
prior_readings = st.one_of(
    st.builds(lambda op, ref, lit, flip: BinaryOp(op, lit, ref) if flip else BinaryOp(op, ref, lit),
              st.sampled_from(["=", "!=", "<", ">="]), PRIOR_REFS, LITERALS, st.booleans()),
    st.builds(lambda ref, lit: Call("ISPICKVAL", (ref, lit)), PRIOR_REFS, LITERALS),
    st.builds(lambda ref, a, r, d: Call("CASE", (ref, a, r, d)), PRIOR_REFS, LITERALS, conditions, conditions),
)
prior_conditions = st.recursive(st.one_of(prior_readings, status_readings, conditions), lambda children: st.one_of(
    st.builds(Call, st.sampled_from(["AND", "OR"]), st.lists(children, min_size=1, max_size=3).map(tuple)),
    st.builds(lambda c: Call("NOT", (c,)), children)), max_leaves=6)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(formulas, conditions, prior_conditions), facts_without_status(), st.permutations(STATUSES),
       st.sampled_from([None, "Open", "MQL"]))
def test_members_of_a_prior_class_evaluate_alike_under_any_facts(
    node: Node, facts: Facts, statuses: list[str], now: str | None
) -> None:
    groups = status_classes(node, statuses, prior=True)
    assert sorted(s for group in groups for s in group) == sorted(statuses)
    for group in groups:
        first = evaluate(node, Facts(**{**facts.__dict__, "status": now, "prior_status": group[0]}))
        for status in group[1:]:
            assert evaluate(node, Facts(**{**facts.__dict__, "status": now, "prior_status": status})) is first, (
                node, status, group)


def _formula_possible(formula: Node, statuses: list[str]) -> frozenset[str] | None:
    """The definition the masks shortcut: the whole formula evaluated status by status."""
    if evaluate(formula, Facts(status=OTHER_STATUS)) is not Tri.FALSE:
        return None
    return frozenset(s for s in statuses if evaluate(formula, Facts(status=s)) is not Tri.FALSE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(conditions, status_conditions))
def test_a_conditions_mask_agrees_with_evaluating_it(node: Node) -> None:
    statuses = ["Open", "MQL", "Qualified", "open", ""]
    assert StatusSpace(statuses).possible(node) == _formula_possible(node, statuses)


# --- the walk of a flow: one pass to a fixed point, checked against every simple path ------------

FLOW_STATUSES = ["Open", "MQL", "SAL", "Qualified"]
HERE = SourceRef("flows/Random.flow-meta.xml", 1)


def _status_test(value: str, operator: str = "EqualTo") -> FlowCondition:
    return FlowCondition("$Record.Status", operator, FlowValue("stringValue", value), HERE)


@st.composite
def random_flows(draw: st.DrawFn) -> Flow:
    """Up to 7 elements and decisions wired at random: loops, dead ends and shared branches."""
    size = draw(st.integers(1, 7))
    names = [f"n{i}" for i in range(size)]
    targets = st.one_of(st.none(), st.sampled_from(names))
    tests = st.builds(_status_test, st.sampled_from(FLOW_STATUSES), st.sampled_from(["EqualTo", "NotEqualTo"]))
    elements, decisions = [], []
    for name in names:
        if draw(st.booleans()):
            outcomes = tuple(
                FlowOutcome(f"{name}_o{i}", "", draw(st.sampled_from(["and", "or"])),
                            tuple(draw(st.lists(tests, min_size=1, max_size=2))), draw(targets), HERE)
                for i in range(draw(st.integers(1, 3))))
            decisions.append(FlowDecision(name, name, outcomes, draw(targets), HERE))
        else:
            waits = tuple(FlowWaitEvent(f"{name}_w{i}", None, 1, "Hours", None, draw(targets), HERE)
                          for i in range(draw(st.integers(0, 1))))
            elements.append(FlowElement("assignments", name, name, None, None, (), (), None, None,
                                        draw(targets), None, HERE, waits))
    entry = tuple(FlowFilter("Status", test.operator, test.right, HERE) for test in draw(st.lists(tests, max_size=1)))
    return Flow("Random", "Random", "AutoLaunchedFlow", "Active", "62.0", "Lead", "RecordAfterSave", "Update",
                entry, None, None, (), tuple(decisions), tuple(elements), (), HERE, start_target=draw(targets))


def _every_simple_path(flow: Flow, start: str | None) -> tuple[list[str], dict[str, list[list[Node]]]]:
    """The elements in the order a depth-first enumeration of the paths first meets them, and
    the conditions of every simple path to each (the definition the fixed point must match)."""
    elements = {e.name: e for e in flow.elements}
    decisions = {d.name: d for d in flow.decisions}
    order: list[str] = []
    paths: dict[str, list[list[Node]]] = {}
    entry = flowpaths._entry(flow)
    stack: list[tuple[str | None, list[Node], frozenset[str]]] = [(start, [entry], frozenset())]
    while stack:
        name, taken, seen = stack.pop()
        if name is None or name in seen:
            continue
        seen = seen | {name}
        if name in elements:
            if name not in paths:
                order.append(name)
            paths.setdefault(name, []).append(taken)
            element = elements[name]
            stack.append((element.target, taken, seen))
            stack.extend((event.target, taken, seen) for event in element.wait_events)
        elif name in decisions:
            decision = decisions[name]
            stack.append((decision.default_target, [*taken, flowpaths._default_formula(decision)], seen))
            stack.extend((outcome.target, [*taken, flowpaths._outcome_formula(decision, i)], seen)
                         for i, outcome in enumerate(decision.outcomes))
    return order, paths


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(random_flows())
def test_the_fixed_point_gives_the_guard_of_every_simple_path(flow: Flow) -> None:
    space = StatusSpace(FLOW_STATUSES)
    found = FlowWalker(flow, space.mask).guarded_elements()
    order, paths = _every_simple_path(flow, flow.start_target)
    assert [g.element.name for g in found] == order
    for guarded in found:
        guard = Call("OR", tuple(Call("AND", tuple(path)) for path in paths[guarded.element.name]))
        assert space.statuses_in(guarded.guard) == _formula_possible(guard, FLOW_STATUSES), guarded.element.name


def test_a_guard_that_holds_nowhere_still_reaches_its_element() -> None:
    """An element behind contradictory decisions is reachable but runs in no status: an empty set,
    not a missing element (the walk must not drop it)."""
    after = FlowElement("assignments", "Set_SAL", "", None, None, (), (), None, None, None, None, HERE)
    outcome = FlowOutcome("Is_MQL", "", "and", (_status_test("MQL"), _status_test("SAL")), "Set_SAL", HERE)
    flow = Flow("F", "F", "AutoLaunchedFlow", "Active", "62.0", "Lead", "RecordAfterSave", "Update", (), None, None,
                (), (FlowDecision("Check", "", (outcome,), None, HERE),), (after,), (), HERE, start_target="Check")
    space = StatusSpace(FLOW_STATUSES)
    [guarded] = FlowWalker(flow, space.mask).guarded_elements()
    assert guarded.element.name == "Set_SAL" and space.statuses_in(guarded.guard) == frozenset()


def test_function_names_are_read_as_the_evaluator_reads_them() -> None:
    """The evaluator looks functions up upper-cased; a hand-built tree may spell them otherwise."""
    prior_is_mql = BinaryOp("=", Call("PriorValue", (FieldRef("Status"),)), Literal("MQL", "string"))
    assert status_classes(prior_is_mql, ["New", "MQL", "SAL"], prior=True) == [["New", "SAL"], ["MQL"]]
    picked = Call("ispickval", (FieldRef("Status"), Literal("SAL", "string")))
    assert status_classes(picked, ["New", "MQL", "SAL"]) == [["New", "MQL"], ["SAL"]]
