"""Every place in the model that holds a formula or names a Lead Status value.

Several rules (unknown status references, unparseable formulas, and the graph) walk the same
places; listing them once keeps those rules from drifting apart.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.formula import FormulaError, Node, parse_formula, picklist_comparisons
from auditor.logic import split_values
from auditor.model import CriteriaItem, FlowValue, Model, SourceRef

STATUS_FIELD_NAMES = {"status", "lead.status", "$record.status", "$record__prior.status", "{!$record.status}"}


def is_status_field(name: str) -> bool:
    return name.strip().lower() in STATUS_FIELD_NAMES


@dataclass(frozen=True)
class FormulaSite:
    subject: str  # "ValidationRule:Require_Reason"
    what: str  # "validation rule Require_Reason"
    text: str
    location: SourceRef
    active: bool = True  # False for an inactive rule or flow: nothing runs it today


@dataclass(frozen=True)
class StatusMention:
    subject: str
    what: str  # "assignment rule Northwind Routing, entry 3"
    value: str
    location: SourceRef
    active: bool = True
    # False for criteria items (assignment, auto-response, workflow rows): Salesforce compares
    # their text without regard to case (see auditor.logic), so 'mql' there does match MQL;
    # formulas, flows and field updates use the exact API name.
    case_sensitive: bool = True


@functools.lru_cache(maxsize=8192)
def parse_cached(text: str) -> Node:
    return parse_formula(text)


def try_parse(text: str) -> Node | None:
    try:
        return parse_cached(text)
    except FormulaError:
        return None


def formula_sites(model: Model) -> Iterator[FormulaSite]:
    for rule in model.validation_rules:
        yield FormulaSite(
            f"ValidationRule:{rule.name}", f"validation rule {rule.name}", rule.formula, rule.source, rule.active
        )
    for lead_rule in (*model.assignment_rules, *model.auto_response_rules):
        for entry in lead_rule.entries:
            if entry.formula:
                yield FormulaSite(
                    _entry_subject(lead_rule.kind, lead_rule.name, entry.order),
                    f"{lead_rule.kind} rule {lead_rule.name}, entry {entry.order}",
                    entry.formula,
                    entry.source,
                    lead_rule.active,
                )
    for wf in model.workflow_rules:
        if wf.formula:
            yield FormulaSite(f"WorkflowRule:{wf.name}", f"workflow rule {wf.name}", wf.formula, wf.source, wf.active)
    for fu in model.workflow_field_updates:
        if fu.formula:
            yield FormulaSite(f"WorkflowFieldUpdate:{fu.name}", f"field update {fu.name}", fu.formula, fu.source)
    for flow in model.lead_flows:
        if flow.filter_formula:
            yield FormulaSite(
                f"Flow:{flow.name}", f"start condition of flow {flow.name}", flow.filter_formula, flow.source,
                flow.is_active,
            )
        for name, expression in flow.formulas:
            yield FormulaSite(
                f"Flow:{flow.name}", f"formula {name} of flow {flow.name}", expression, flow.source, flow.is_active
            )
    for fld in model.fields:
        if fld.formula:
            yield FormulaSite(f"Field:{fld.name}", f"formula field {fld.name}", fld.formula, fld.source)


def _entry_subject(kind: str, rule_name: str, order: int) -> str:
    prefix = "AssignmentRule" if kind == "assignment" else "AutoResponseRule"
    return f"{prefix}:{rule_name}#{order}"


def _criteria_values(items: tuple[CriteriaItem, ...]) -> Iterator[tuple[str, SourceRef]]:
    for item in items:
        if is_status_field(item.field) and item.value:
            # the same quote-aware split the evaluator uses: "New, Old" is one value
            for value in split_values(item.value):
                yield value, item.source


def _flow_text(value: FlowValue | None) -> str | None:
    return value.text if value is not None and value.kind == "stringValue" and value.text else None


def status_mentions(model: Model) -> Iterator[StatusMention]:
    """Each literal Lead Status value the configuration compares to or sets."""
    for site in formula_sites(model):
        ast = try_parse(site.text)
        if ast is None:
            continue  # reported by the formula-unparseable rule
        for fld, values in picklist_comparisons(ast).items():
            if is_status_field(fld):
                for value in sorted(values):
                    yield StatusMention(site.subject, site.what, value, site.location, site.active)
    for lead_rule in (*model.assignment_rules, *model.auto_response_rules):
        for entry in lead_rule.entries:
            subject = _entry_subject(lead_rule.kind, lead_rule.name, entry.order)
            what = f"{lead_rule.kind} rule {lead_rule.name}, entry {entry.order}"
            for value, where in _criteria_values(entry.criteria):
                yield StatusMention(subject, what, value, where, lead_rule.active, case_sensitive=False)
    for wf in model.workflow_rules:
        for value, where in _criteria_values(wf.criteria):
            yield StatusMention(
                f"WorkflowRule:{wf.name}", f"workflow rule {wf.name}", value, where, wf.active, case_sensitive=False
            )
    for fu in model.workflow_field_updates:
        if is_status_field(fu.field) and fu.operation == "Literal" and fu.literal_value:
            yield StatusMention(
                f"WorkflowFieldUpdate:{fu.name}", f"field update {fu.name}", fu.literal_value, fu.source
            )
    yield from _flow_status_mentions(model)


def _flow_status_mentions(model: Model) -> Iterator[StatusMention]:
    for flow in model.lead_flows:
        subject = f"Flow:{flow.name}"
        for flt in flow.filters:
            text = _flow_text(flt.value)
            if is_status_field(flt.field) and text:
                yield StatusMention(subject, f"start condition of flow {flow.name}", text, flt.source, flow.is_active)
        for decision in flow.decisions:
            for outcome in decision.outcomes:
                for cond in outcome.conditions:
                    text = _flow_text(cond.right)
                    if is_status_field(cond.left) and text:
                        yield StatusMention(
                            subject, f"decision {decision.name} of flow {flow.name}", text, cond.source,
                            flow.is_active,
                        )
        for element in flow.elements:
            for flt in element.filters:
                text = _flow_text(flt.value)
                if is_status_field(flt.field) and text and (element.object or "").lower() in ("lead", ""):
                    yield StatusMention(
                        subject, f"{element.kind} {element.name} of flow {flow.name}", text, flt.source,
                        flow.is_active,
                    )
            writes_lead = element.kind == "assignments" or _updates_lead(element.object, element.input_reference)
            for assignment in element.field_assignments:
                text = _flow_text(assignment.value)
                target = assignment.field if element.kind == "assignments" else f"$Record.{assignment.field}"
                if writes_lead and is_status_field(target) and text:
                    yield StatusMention(
                        subject, f"{element.kind} {element.name} of flow {flow.name}", text, assignment.source,
                        flow.is_active,
                    )


def _updates_lead(obj: str | None, input_reference: str | None) -> bool:
    # a Lead flow's record update on $Record, or on Lead records it looks up; not a Task's Status
    return (obj or "").lower() == "lead" or (input_reference or "").lower() == "$record"
