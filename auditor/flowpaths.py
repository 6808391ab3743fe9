"""What a flow does on each path: the condition guarding an element, and what a path notifies.

A flow is a small directed graph of elements joined by connectors. An element that sets Status
runs only when the start condition and every decision outcome taken on the way to it hold, so
its guard is the AND of those. Paths are enumerated depth-first with a bound, since real flows
can loop; past the bound the guard is unknown rather than wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from auditor.formula import Call, FormulaError, Literal, Node
from auditor.logic import flow_conditions_formula, flow_entry_formula
from auditor.model import (
    Flow,
    FlowCondition,
    FlowDecision,
    FlowElement,
    FlowFieldAssignment,
)

MAX_PATHS = 64
TRUE = Literal(True, "boolean")

# Process Builder names the triggering record's variables; they mean $Record and its prior value.
_PB_PREFIXES = (("myvariable_current.", "$Record."), ("myvariable_old.", "$Record__Prior."))

NOTIFYING_ACTIONS = {"emailalert": "email alert", "emailsimple": "email", "customnotificationaction": "custom notification",
                     "chatterpost": "Chatter post", "sendemail": "email"}


@dataclass(frozen=True)
class Guard:
    """When an element runs: every condition of at least one of the paths to it holds.

    Kept as paths rather than one formula because an element may be reached on hundreds of paths
    that share their conditions: a question about the guard (which statuses can it hold in?) is
    answered once per condition and combined per path, where the OR-of-ANDs formula would be
    evaluated whole. A condition is a formula or the guard of an earlier walk (a Pause's resume
    path starts under the guard of the Pause).
    """

    paths: tuple[tuple[Node | Guard, ...], ...]

    def formula(self) -> Node:
        """The guard as one formula: the OR of each path's AND, each distinct path once."""
        ands = list(dict.fromkeys(_and([c.formula() if isinstance(c, Guard) else c for c in path]) for path in self.paths))
        return ands[0] if len(ands) == 1 else Call("OR", tuple(ands))


@dataclass(frozen=True)
class GuardedElement:
    element: FlowElement
    guard: Guard | None  # None: the guard could not be built (unparseable, too many paths)


def _pb_name(reference: str) -> str:
    lowered = reference.lower()
    for prefix, replacement in _PB_PREFIXES:
        if lowered.startswith(prefix):
            return replacement + reference[len(prefix):]
    return reference


def _normalise_condition(condition: FlowCondition) -> FlowCondition:
    return replace(condition, left=_pb_name(condition.left))


def _and(parts: list[Node]) -> Node:
    parts = [p for p in parts if p != TRUE]
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else Call("AND", tuple(parts))


def _outcome_formula(decision: FlowDecision, index: int) -> Node:
    outcome = decision.outcomes[index]
    conditions = [_normalise_condition(c) for c in outcome.conditions]
    return flow_conditions_formula(conditions, outcome.condition_logic)


def _default_formula(decision: FlowDecision) -> Node:
    """The default outcome runs when no outcome matched."""
    return _and([Call("NOT", (_outcome_formula(decision, i),)) for i in range(len(decision.outcomes))])


class _Walker:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.elements = {e.name: e for e in flow.elements}
        self.decisions = {d.name: d for d in flow.decisions}
        # a decision is passed on many paths: build its outcome formulas once
        self._branches: dict[str, list[tuple[str | None, Node]]] = {}

    def branches(self, decision: FlowDecision) -> list[tuple[str | None, Node]]:
        """(target, condition) of the default connector, then of each outcome in order."""
        found = self._branches.get(decision.name)
        if found is None:
            found = [(decision.default_target, _default_formula(decision))]
            found += [(outcome.target, _outcome_formula(decision, i)) for i, outcome in enumerate(decision.outcomes)]
            self._branches[decision.name] = found
        return found

    def paths_to(self, start: str | None, guard: Node | Guard) -> Iterator[tuple[FlowElement, tuple[Node | Guard, ...]]]:
        """Each element reachable from ``start`` with the conditions taken to get there."""
        count = 0
        stack: list[tuple[str | None, tuple[Node | Guard, ...], frozenset[str]]] = [(start, (guard,), frozenset())]
        while stack:
            name, conditions, seen = stack.pop()
            if name is None or name in seen:
                continue
            count += 1
            if count > MAX_PATHS * 8:
                return
            seen = seen | {name}
            if name in self.elements:
                element = self.elements[name]
                yield element, conditions
                stack.append((element.target, conditions, seen))
                # a Pause resumes through its events (Process Builder's scheduled actions)
                stack.extend((event.target, conditions, seen) for event in element.wait_events)
            elif name in self.decisions:
                for target, condition in self.branches(self.decisions[name]):
                    stack.append((target, conditions + (condition,), seen))


def _entry(flow: Flow) -> Node:
    formula = flow_entry_formula(flow)
    return formula if formula is not None else TRUE


def guarded_elements(flow: Flow, start: str | None = None, guard: Guard | None = None) -> list[GuardedElement]:
    """Every element reachable from the flow's start (or ``start``), with its guard.

    The guard starts as ``guard`` (by default the flow's start condition); an element reached on
    several paths is guarded by the OR of the paths' conditions.
    """
    try:
        initial: Node | Guard = guard if guard is not None else _entry(flow)
        found: dict[str, list[tuple[Node | Guard, ...]]] = {}
        for element, conditions in _Walker(flow).paths_to(start or flow.start_target, initial):
            found.setdefault(element.name, []).append(conditions)
    except FormulaError:
        return [GuardedElement(e, None) for e in flow.elements]
    by_name = {e.name: e for e in flow.elements}
    return [GuardedElement(by_name[name], Guard(tuple(paths))) for name, paths in found.items()]


_TRIGGERING = ("$record", "myvariable_current")


def targets_triggering_lead(element: FlowElement) -> bool:
    """An Update Records on the lead that started the flow: $Record, or Lead filtered by its Id.

    Creating a Lead, or updating other Lead records, does not move the triggering lead.
    """
    if element.kind != "recordUpdates":
        return False
    reference = (element.input_reference or "").lower()
    if reference in _TRIGGERING:
        return True
    if (element.object or "").lower() != "lead" or reference:
        return False
    return any(
        f.field.lower() == "id"
        and f.operator == "EqualTo"
        and f.value is not None
        and f.value.text.lower().split(".", 1)[0] in _TRIGGERING
        for f in element.filters
    )


def saves_triggering_lead(flow: Flow) -> bool:
    """Whether $Record assignments persist: always before save; after save only through an update."""
    return flow.trigger_type == "RecordBeforeSave" or any(targets_triggering_lead(e) for e in flow.elements)


def writes_lead(element: FlowElement) -> bool:
    """An element that sets fields of the triggering lead: a $Record assignment or an update of it."""
    return element.kind == "assignments" or targets_triggering_lead(element)


def field_of(assignment: FlowFieldAssignment, element: FlowElement) -> str | None:
    """The Lead field an assignment sets, or None when it sets something else (a variable)."""
    name = _pb_name(assignment.field)
    if element.kind == "assignments":
        return name[len("$Record."):] if name.lower().startswith("$record.") else None
    return name


def status_values_set(element: FlowElement, flow: Flow) -> list[tuple[str, FlowFieldAssignment]]:
    """The literal Status values an element writes on the triggering lead (and that persist)."""
    if not writes_lead(element) or (element.kind == "assignments" and not saves_triggering_lead(flow)):
        return []
    found = []
    for assignment in element.field_assignments:
        target = field_of(assignment, element)
        value = assignment.value
        if target and target.lower() == "status" and value is not None and value.kind == "stringValue" and value.text:
            if assignment.operator == "Assign":
                found.append((value.text, assignment))
    return found


def sets_owner(element: FlowElement) -> bool:
    return writes_lead(element) and any(
        (field_of(a, element) or "").lower() == "ownerid" for a in element.field_assignments
    )


def notifications(flow: Flow, start: str | None, guard: Guard | None = None) -> list[tuple[str, GuardedElement]]:
    """What a path starting at ``start`` does to tell someone: (kind, guarded element) pairs."""
    found = []
    for guarded in guarded_elements(flow, start, guard):
        element = guarded.element
        kind = NOTIFYING_ACTIONS.get((element.action_type or "").lower())
        if element.kind == "actionCalls" and kind:
            found.append((kind, guarded))
        elif element.kind == "recordCreates" and (element.object or "").lower() == "task":
            found.append(("task", guarded))
        elif sets_owner(element):
            found.append(("owner change", guarded))
    return found


def reachable(flow: Flow, start: str | None) -> set[str]:
    """Names of the elements and decisions reachable from ``start`` along every connector kept.

    Success, fault, decision-outcome and default connectors, a loop's next-value connector and a
    wait's default connector; a loop's "no more values" exit is not in the model, so the set may
    be short of elements placed after a loop.
    """
    elements = {e.name: e for e in flow.elements}
    decisions = {d.name: d for d in flow.decisions}
    seen: set[str] = set()
    stack = [start]
    while stack:
        name = stack.pop()
        if name is None or name in seen:
            continue
        seen.add(name)
        if name in elements:
            stack.extend((elements[name].target, elements[name].fault_target))
        elif name in decisions:
            stack.append(decisions[name].default_target)
            stack.extend(outcome.target for outcome in decisions[name].outcomes)
    return seen
