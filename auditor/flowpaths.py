"""What a flow does on each path: the condition guarding an element, and what a path notifies.

A flow is a small directed graph of elements joined by connectors. An element that sets Status
runs only when the start condition and every decision outcome taken on the way to it hold: its
guard is the OR, over the paths to it, of the AND of the conditions on the path.

The paths of a flow with a few decisions in a row number in the thousands, so they are not
enumerated. A guard is asked one kind of question (in which situations can it hold?), and the
answer to it is a set of situations, a bit mask supplied by the caller for each condition. AND is
then intersection and OR union, so each element's set is the union over its incoming connectors
of the predecessor's set intersected with the connector's condition: one pass to a fixed point,
linear in the size of the flow. A loop adds nothing, since going round it only adds conditions;
the result is exactly the union over the simple paths.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
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

TRUE = Literal(True, "boolean")

# Process Builder names the triggering record's variables; they mean $Record and its prior value.
_PB_PREFIXES = (("myvariable_current.", "$Record."), ("myvariable_old.", "$Record__Prior."))

NOTIFYING_ACTIONS = {"emailalert": "email alert", "emailsimple": "email", "customnotificationaction": "custom notification",
                     "chatterpost": "Chatter post", "sendemail": "email"}

ConditionMask = Callable[[Node], int]  # the situations (bits) in which a condition may hold


@dataclass(frozen=True)
class GuardedElement:
    element: FlowElement
    guard: int | None  # the situations in which it may run; None: a condition could not be read


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


def _default_formula(decision: FlowDecision, outcomes: list[Node] | None = None) -> Node:
    """The default outcome runs when no outcome matched (``outcomes``: their formulas, if built)."""
    if outcomes is None:
        outcomes = [_outcome_formula(decision, i) for i in range(len(decision.outcomes))]
    return _and([Call("NOT", (outcome,)) for outcome in outcomes])


class FlowWalker:
    """The guards of one flow's elements, from its start or from any element (a scheduled path, a
    Pause's resume event), as the situations ``condition_mask`` says each condition may hold in."""

    def __init__(self, flow: Flow, condition_mask: ConditionMask) -> None:
        self.flow = flow
        self.condition_mask = condition_mask
        self.elements = {e.name: e for e in flow.elements}
        self.decisions = {d.name: d for d in flow.decisions}
        # a decision is passed on every walk: its connectors' masks are worked out once
        self._branches: dict[str, list[tuple[str | None, int]]] = {}

    def _branches_of(self, decision: FlowDecision) -> list[tuple[str | None, int]]:
        """(target, mask) of the default connector, then of each outcome in order."""
        found = self._branches.get(decision.name)
        if found is None:
            outcomes = [_outcome_formula(decision, i) for i in range(len(decision.outcomes))]
            found = [(decision.default_target, self.condition_mask(_default_formula(decision, outcomes)))]
            found += [(outcome.target, self.condition_mask(formula))
                      for outcome, formula in zip(decision.outcomes, outcomes)]
            self._branches[decision.name] = found
        return found

    def _successors(self, name: str) -> Sequence[tuple[str | None, int | None]]:
        """Where each connector of ``name`` leads and its condition's mask (None: no condition)."""
        element = self.elements.get(name)
        if element is not None:
            # a Pause resumes through its events (Process Builder's scheduled actions)
            return [(element.target, None), *((event.target, None) for event in element.wait_events)]
        decision = self.decisions.get(name)
        return self._branches_of(decision) if decision is not None else []

    def _discovery_order(self, start: str | None) -> list[str]:
        """The names reachable from ``start`` along the guarded connectors, in walk order."""
        return _depth_first(start, lambda name: (target for target, _ in self._successors(name)))

    def guarded_elements(self, start: str | None = None, guard: int | None = None) -> list[GuardedElement]:
        """Every element reachable from the flow's start (or ``start``), with its guard.

        The guard starts as ``guard`` (by default the flow's start condition's mask); an element
        reached on several paths may run in the union of the paths' situations.
        """
        begin = start or self.flow.start_target
        try:
            initial = guard if guard is not None else self.condition_mask(_entry(self.flow))
            order = self._discovery_order(begin)
            masks = self._fixed_point(begin, initial)
        except FormulaError:
            return [GuardedElement(e, None) for e in self.flow.elements]
        return [GuardedElement(self.elements[name], masks[name]) for name in order if name in self.elements]

    def _fixed_point(self, start: str | None, initial: int) -> dict[str, int]:
        masks: dict[str, int] = {}
        if start is None:
            return masks
        masks[start] = initial
        pending = [start]
        while pending:
            name = pending.pop()
            mask = masks[name]
            for target, condition in self._successors(name):
                if target is None:
                    continue
                reached = mask if condition is None else mask & condition
                known = masks.get(target)
                if known is None or reached | known != known:
                    masks[target] = reached if known is None else reached | known
                    pending.append(target)
        return masks

    def notifications(self, start: str | None, guard: int | None = None) -> list[tuple[str, GuardedElement]]:
        """What a path starting at ``start`` does to tell someone: (kind, guarded element) pairs."""
        found = []
        for guarded in self.guarded_elements(start, guard):
            element = guarded.element
            kind = NOTIFYING_ACTIONS.get((element.action_type or "").lower())
            if element.kind == "actionCalls" and kind:
                found.append((kind, guarded))
            elif element.kind == "recordCreates" and (element.object or "").lower() == "task":
                found.append(("task", guarded))
            elif sets_owner(element):
                found.append(("owner change", guarded))
        return found


def _entry(flow: Flow) -> Node:
    formula = flow_entry_formula(flow)
    return formula if formula is not None else TRUE


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


def reachable(flow: Flow, start: str | None) -> set[str]:
    """Names of the elements and decisions reachable from ``start`` along every connector kept.

    Success, fault, decision-outcome and default connectors, a loop's next-value connector and a
    wait's default connector; a loop's "no more values" exit is not in the model, so the set may
    be short of elements placed after a loop.
    """
    elements = {e.name: e for e in flow.elements}
    decisions = {d.name: d for d in flow.decisions}

    def connectors(name: str) -> list[str | None]:
        if name in elements:
            return [elements[name].target, elements[name].fault_target]
        if name in decisions:
            return [decisions[name].default_target, *(outcome.target for outcome in decisions[name].outcomes)]
        return []

    return set(_depth_first(start, connectors))


def _depth_first(start: str | None, targets: Callable[[str], Iterable[str | None]]) -> list[str]:
    """The names reachable from ``start``, depth first with the last connector taken first, each
    once, in the order first met (a missing target, None, ends its connector)."""
    order: list[str] = []
    seen: set[str] = set()
    stack = [start]
    while stack:
        name = stack.pop()
        if name is None or name in seen:
            continue
        seen.add(name)
        order.append(name)
        stack.extend(targets(name))
    return order
