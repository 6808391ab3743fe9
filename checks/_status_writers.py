"""Which active automations write Lead Status in the save itself, on which trigger and condition.

Not a rule (no RULE): AU003 pairs these writers. Flows, workflow rules and Process Builder
processes are brought to one shape, so the pairing does not care which tool wrote Status.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.formula import FormulaError, Node
from auditor.logic import flow_entry_formula, rule_entry_formula
from auditor.model import Flow, FlowElement, FlowFieldAssignment, FlowValue, Model, SourceRef, WorkflowRule
from auditor.sites import is_status_field
from auditor.flowpaths import reachable, saves_triggering_lead, targets_triggering_lead
from checks._automation import RECORD_TRIGGERS, deferred_elements

_FLOW_EVENTS = {
    "Create": frozenset({"Create"}),
    "Update": frozenset({"Update"}),
    "CreateAndUpdate": frozenset({"Create", "Update"}),
}
_WORKFLOW_EVENTS = {"onCreateOnly": frozenset({"Create"})}  # every other trigger type also runs on update
_WORKFLOW_OPERATIONS = {
    "Formula": "a formula's result",
    "NextValue": "the next picklist value",
    "PreviousValue": "the previous picklist value",
    "Null": "blank",
}
_BOTH = frozenset({"Create", "Update"})
# the triggering lead, as flows and Process Builder name it


@dataclass(frozen=True)
class Writer:
    subject: str  # Flow:X, WorkflowRule:Y
    name: str
    kind: str  # "flow" | "process" | "workflow"
    what: str  # "before-save flow 'X'"
    trigger: str  # RecordBeforeSave | RecordAfterSave
    events: frozenset[str]  # Create, Update
    values: tuple[str, ...]  # "'MQL'", "{!fxStatus}"
    literals: frozenset[str] | None  # the values when all are literal, else None
    location: SourceRef
    entry: Node | None  # the start condition; None: any lead
    trigger_order: int | None = None


def _render(value: FlowValue | None) -> tuple[str, str | None]:
    """How a value reads in a message, and the literal it is (None when computed or blank)."""
    if value is None or not value.text:
        return "blank", None
    if value.kind == "stringValue":
        return f"'{value.text}'", value.text
    if value.kind in ("elementReference", "formulaExpression"):
        return f"{{!{value.text}}}", None
    return value.text, None  # already worded (a workflow field update's formula or next value)


def _flow_status_writes(flow: Flow, elements: list[FlowElement]) -> list[FlowFieldAssignment]:
    persists = saves_triggering_lead(flow)  # before save, or after save through an update of $Record
    found: list[FlowFieldAssignment] = []
    for element in elements:
        for assignment in element.field_assignments:
            if targets_triggering_lead(element):
                if is_status_field(assignment.field):
                    found.append(assignment)
            elif element.kind == "assignments" and assignment.operator == "Assign":
                if persists and assignment.field.strip().lower() == "$record.status":
                    found.append(assignment)
    return found


def _writer(
    subject: str, name: str, kind: str, what: str, trigger: str, events: frozenset[str],
    writes: list[tuple[FlowValue | None, SourceRef]], entry: Node | None, order: int | None = None,
) -> Writer:
    rendered = [_render(value) for value, _ in writes]
    values = tuple(dict.fromkeys(text for text, _ in rendered))
    literals = [literal for _, literal in rendered if literal is not None]
    return Writer(
        subject=subject, name=name, kind=kind, what=what, trigger=trigger, events=events, values=values,
        literals=frozenset(literals) if len(literals) == len(rendered) else None,
        location=writes[0][1], entry=entry, trigger_order=order,
    )


def _flow_entry(flow: Flow) -> Node | None:
    try:
        return flow_entry_formula(flow)
    except FormulaError:
        return None  # an unreadable start condition may hold for any lead (VR003 reports it)


def _flow_writers(model: Model) -> Iterator[Writer]:
    for flow in model.lead_flows:
        if not flow.is_active:
            continue
        if flow.is_process_builder:
            # processes act after the save; their scheduled actions hang off wait events the model
            # does not connect, so only what the start reaches runs in the save
            immediate = reachable(flow, flow.start_target) if flow.start_target else {e.name for e in flow.elements}
            elements = [e for e in flow.elements if e.name in immediate]
            writes = _flow_status_writes(flow, elements)
            if writes:
                yield _writer(
                    f"Flow:{flow.name}", flow.name, "process", f"Process Builder process '{flow.name}'",
                    "RecordAfterSave", frozenset({"Create"}), [(w.value, w.source) for w in writes], None,
                )
            continue
        events = _FLOW_EVENTS.get(flow.record_trigger_type or "")
        if flow.trigger_type not in RECORD_TRIGGERS or events is None:
            continue
        deferred = deferred_elements(flow)
        writes = _flow_status_writes(flow, [e for e in flow.elements if e.name not in deferred])
        if writes:
            when = "before-save" if flow.trigger_type == "RecordBeforeSave" else "after-save"
            yield _writer(
                f"Flow:{flow.name}", flow.name, "flow", f"{when} flow '{flow.name}'", flow.trigger_type or "", events,
                [(w.value, w.source) for w in writes], _flow_entry(flow), getattr(flow, "trigger_order", None),
            )


def _rule_entry(rule: WorkflowRule) -> Node | None:
    try:
        return rule_entry_formula(rule)
    except FormulaError:
        return None  # an unreadable condition may hold for any lead (VR003 reports it)


def _workflow_writers(model: Model) -> Iterator[Writer]:
    updates = {fu.name: fu for fu in model.workflow_field_updates}
    for rule in model.workflow_rules:
        if not rule.active:
            continue
        # only the immediate actions act in the save; time triggers run hours or days later
        status_updates = [
            updates[a.name] for a in rule.actions
            if a.type == "FieldUpdate" and a.name in updates and is_status_field(updates[a.name].field)
        ]
        if not status_updates:
            continue
        writes: list[tuple[FlowValue | None, SourceRef]] = []
        for fu in status_updates:
            if fu.operation == "Literal":
                value = FlowValue("stringValue", fu.literal_value or "") if fu.literal_value else None
            else:
                how = _WORKFLOW_OPERATIONS.get(fu.operation, f"a {fu.operation} value")
                value = FlowValue("worded", how)
            writes.append((value, fu.source))
        names = ", ".join(fu.name for fu in status_updates)
        yield _writer(
            f"WorkflowRule:{rule.name}", rule.name, "workflow", f"workflow rule '{rule.name}' (field update {names})",
            "RecordAfterSave", _WORKFLOW_EVENTS.get(rule.trigger_type, _BOTH), writes, _rule_entry(rule),
        )


def status_writers(model: Model) -> list[Writer]:
    """Every active automation that sets Lead Status in the save, one Writer each."""
    return [*_flow_writers(model), *_workflow_writers(model)]
