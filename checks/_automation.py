"""Helpers the automation rules (AU001-AU004) share: what the source holds, and how a flow runs.

Not a rule: it has no RULE. The walk over connectors lives here because the core model keeps
each element's connectors but offers no reachability; the flow paths a rule needs are small.
"""

from __future__ import annotations

from auditor.flowpaths import reachable
from auditor.model import Flow, FlowElement, Model

RECORD_TRIGGERS = ("RecordBeforeSave", "RecordAfterSave")
_TRIGGER_WORDS = {
    "RecordBeforeSave": "record-triggered before save",
    "RecordAfterSave": "record-triggered after save",
    "RecordBeforeDelete": "record-triggered before delete",
    "Scheduled": "scheduled",
}
_EVENT_WORDS = {
    "Create": "when a lead is created",
    "Update": "when a lead is updated",
    "CreateAndUpdate": "when a lead is created or updated",
    "Delete": "when a lead is deleted",
}


def has_kind(model: Model, kind: str) -> bool:
    """True when the source holds at least one file of this metadata kind (read or not)."""
    return any(record.kind == kind for record in model.files)


def has_lead_workflow(model: Model) -> bool:
    """True when the source holds the Lead workflow file (``workflows/Lead.workflow``)."""
    return any(record.kind == "workflow" and record.component.lower() == "lead" for record in model.files)


def describe_trigger(flow: Flow) -> str:
    """``record-triggered after save, when a lead is created or updated``."""
    if flow.is_process_builder:
        return "Process Builder process"
    kind = _TRIGGER_WORDS.get(flow.trigger_type or "", f"{flow.process_type or 'unknown type'} flow")
    event = _EVENT_WORDS.get(flow.record_trigger_type or "")
    return f"{kind}, {event}" if event and flow.trigger_type in (*RECORD_TRIGGERS, "RecordBeforeDelete") else kind


def describe_element(element: FlowElement) -> str:
    """``actionCalls Send_Alert ('Send Alert', emailAlert Lead.X)``: kind, name, label, what it calls."""
    details = [f"'{element.label}'"] if element.label and element.label != element.name else []
    if element.action_name:
        details.append(" ".join(p for p in (element.action_type, element.action_name) if p))
    elif element.object:
        details.append(f"on {element.object}")
    suffix = f" ({', '.join(details)})" if details else ""
    return f"{element.kind} {element.name}{suffix}"


def deferred_elements(flow: Flow) -> set[str]:
    """Elements that run only on a scheduled or asynchronous path, never in the triggering save.

    An element counts as deferred only when a scheduled path reaches it and the start does not:
    an element neither reaches (after a loop's exit) stays in the save, the cautious reading.
    """
    if not flow.scheduled_paths:
        return set()
    immediate = reachable(flow, flow.start_target)
    later: set[str] = set()
    for path in flow.scheduled_paths:
        later |= reachable(flow, path.target)
    return later - immediate
