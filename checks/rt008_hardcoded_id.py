"""RT008 hardcoded-id: a rule, formula or flow compares with or sets a literal Salesforce record id.

What: a 15- or 18-character record id (a known key prefix such as 005 User, 00G Queue/Group,
00E Role, 00e Profile, 012 Record Type, 00X E-mail Template, 001 Account, 00Q Lead, 701 Campaign,
followed by characters that include a digit; an 18-character id must carry a valid check sum) in
assignment and auto-response criteria values or formulas, workflow rule criteria and formulas,
field updates, validation rule formulas, and Lead flows (start conditions, decisions, record
filters, values written, formulas). Formulas are read through the parser: only their string
constants are searched, never their field names or comments. Each id is reported once per rule,
entry or flow, with every place it appears. Inactive rules and flows are reported at low severity.

Why it matters: record ids differ between a sandbox and production and change when a record is
recreated (a refreshed sandbox, a rebuilt queue), so a routing entry that compares OwnerId with
``00G...`` or a flow that assigns record type ``012...`` silently stops matching, or fails, the
day it is deployed. DOMAIN: automation not tested with realistic data breaks at go-live.

How to fix: compare a stable attribute instead (``RecordType.DeveloperName``,
``$Profile.Name``, ``$UserRole.DeveloperName``, a queue's API name), or keep the id per org in
custom metadata or a custom label.

Failing example: a validation rule ``RecordTypeId = "0125g000000AbCdAAK"``.

Passing example: ``RecordType.DeveloperName = "Inbound"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import CriteriaItem, Flow, FlowValue, Model, SourceRef
from checks._routing import entry_subject, plain_field, string_literals

RULE = Rule(
    id="RT008",
    name="hardcoded-id",
    severity=Severity.MEDIUM,
    category="routing",
    summary="A rule, formula or flow hard-codes a Salesforce record id",
)

KEY_PREFIXES: dict[str, str] = {
    "001": "Account",
    "003": "Contact",
    "005": "User",
    "006": "Opportunity",
    "00Q": "Lead",
    "00G": "Queue/Group",
    "00E": "Role",
    "00e": "Profile",
    "012": "Record Type",
    "00X": "E-mail Template",
    "00D": "Organization",
    "00O": "Report",
    "00T": "Task",
    "00U": "Event",
    "00N": "Custom Field",
    "00l": "Folder",
    "015": "Document",
    "01I": "Custom Object",
    "01Z": "Dashboard",
    "01m": "Business Hours",
    "01s": "Price Book",
    "01t": "Product",
    "0PS": "Permission Set",
    "0Q0": "Quote",
    "500": "Case",
    "701": "Campaign",
    "800": "Contract",
}
FIXES: dict[str, str] = {
    "012": "compare RecordType.DeveloperName (or $RecordType.DeveloperName) instead of the record type id",
    "00e": "compare $Profile.Name instead of the profile id",
    "00E": "compare $UserRole.DeveloperName instead of the role id",
    "005": "route to a queue or public group, or keep the user's id per org in custom metadata",
    "00G": "name the queue by its API name, or keep its id per org in custom metadata or a custom label",
}
_ID = re.compile(r"\b[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?\b")
_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _checksum(id15: str) -> str:
    """The three characters Salesforce appends to make an id case-insensitive."""
    out = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        out += _CHECKSUM[bits]
    return out


def record_ids(text: str) -> list[str]:
    """Record ids in a piece of text, in order, without repeats."""
    found: list[str] = []
    for match in _ID.finditer(text):
        candidate = match.group(0)
        if candidate[:3] not in KEY_PREFIXES or not any(ch.isdigit() for ch in candidate[3:]):
            continue  # a word or a name, not an id
        if len(candidate) == 18 and _checksum(candidate[:15]) != candidate[15:]:
            continue
        if candidate not in found:
            found.append(candidate)
    return found


@dataclass(frozen=True)
class _Place:
    subject: str
    what: str  # "assignment rule Standard, entry 2"
    where: str  # "criteria OwnerId", "its formula"
    text: str
    location: SourceRef
    active: bool


def _criteria(subject: str, what: str, items: tuple[CriteriaItem, ...], active: bool) -> Iterator[_Place]:
    for item in items:
        if item.value:
            yield _Place(subject, what, f"criteria {plain_field(item.field)}", item.value, item.source, active)


def _formula(
    subject: str, what: str, where: str, text: str | None, location: SourceRef, active: bool
) -> Iterator[_Place]:
    for literal in string_literals(text or "") or []:  # unparseable formulas are VR003's
        yield _Place(subject, what, where, literal, location, active)


def _value(
    subject: str, what: str, where: str, value: FlowValue | None, location: SourceRef, active: bool
) -> Iterator[_Place]:
    if value is None or not value.text:
        return
    if value.kind == "formulaExpression":
        yield from _formula(subject, what, where, value.text, location, active)
    elif value.kind == "stringValue":
        yield _Place(subject, what, where, value.text, location, active)


def _flow_places(flow: Flow) -> Iterator[_Place]:
    subject, what, on = f"Flow:{flow.name}", f"flow {flow.name}", flow.is_active
    for flt in flow.filters:
        yield from _value(subject, what, f"start condition on {flt.field}", flt.value, flt.source, on)
    yield from _formula(subject, what, "start formula", flow.filter_formula, flow.source, on)
    for decision in flow.decisions:
        for outcome in decision.outcomes:
            for cond in outcome.conditions:
                where = f"decision {decision.name} on {cond.left}"
                yield from _value(subject, what, where, cond.right, cond.source, on)
    for element in flow.elements:
        for flt in element.filters:
            where = f"{element.kind} {element.name} filter on {flt.field}"
            yield from _value(subject, what, where, flt.value, flt.source, on)
        for assignment in element.field_assignments:
            where = f"{element.kind} {element.name} setting {assignment.field}"
            yield from _value(subject, what, where, assignment.value, assignment.source, on)
    for name, expression in flow.formulas:
        yield from _formula(subject, what, f"formula {name}", expression, flow.source, on)


def _places(model: Model) -> Iterator[_Place]:
    for rule in (*model.assignment_rules, *model.auto_response_rules):
        for entry in rule.entries:
            subject = entry_subject(rule, entry)
            what = f"{rule.kind} rule '{rule.name}', entry {entry.order}"
            yield from _criteria(subject, what, entry.criteria, rule.active)
            yield from _formula(subject, what, "its formula", entry.formula, entry.source, rule.active)
    for wf in model.workflow_rules:
        subject, what = f"WorkflowRule:{wf.name}", f"workflow rule '{wf.name}'"
        yield from _criteria(subject, what, wf.criteria, wf.active)
        yield from _formula(subject, what, "its formula", wf.formula, wf.source, wf.active)
    for fu in model.workflow_field_updates:
        subject, what = f"WorkflowFieldUpdate:{fu.name}", f"field update '{fu.name}'"
        if fu.literal_value:
            yield _Place(subject, what, f"the value set on {fu.field}", fu.literal_value, fu.source, True)
        yield from _formula(subject, what, "its formula", fu.formula, fu.source, True)
    for vr in model.validation_rules:
        what = f"validation rule '{vr.name}'"
        yield from _formula(f"ValidationRule:{vr.name}", what, "its formula", vr.formula, vr.source, vr.active)
    for flow in model.lead_flows:
        yield from _flow_places(flow)


def _searched(model: Model) -> Iterator[tuple[str, SourceRef]]:
    """Every component searched, by the subject its findings use: each is a checked subject."""
    for rule in (*model.assignment_rules, *model.auto_response_rules):
        for entry in rule.entries:
            yield entry_subject(rule, entry), entry.source
    yield from ((f"WorkflowRule:{wf.name}", wf.source) for wf in model.workflow_rules)
    yield from ((f"WorkflowFieldUpdate:{fu.name}", fu.source) for fu in model.workflow_field_updates)
    yield from ((f"ValidationRule:{vr.name}", vr.source) for vr in model.validation_rules)
    yield from ((f"Flow:{flow.name}", flow.source) for flow in model.lead_flows)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    searched = (
        model.assignment_rules, model.auto_response_rules, model.workflow_rules, model.workflow_field_updates,
        model.validation_rules, model.lead_flows,
    )
    if not any(searched):
        raise NotApplicable("the source holds no Lead rules, validation rules, workflow or Lead flows to search")
    for subject, location in _searched(model):
        yield ctx.checked(subject, location)
    grouped: dict[tuple[str, str], list[_Place]] = {}
    for place in _places(model):
        for record_id in record_ids(place.text):
            grouped.setdefault((place.subject, record_id), []).append(place)
    for (subject, record_id), places in grouped.items():
        first = places[0]
        kind = KEY_PREFIXES[record_id[:3]]
        wheres = list(dict.fromkeys(p.where for p in places))
        state = "" if first.active else " (inactive)"
        how = FIXES.get(
            record_id[:3],
            "compare a stable field (DeveloperName, Name) instead, or keep the id per org in custom metadata or "
            "a custom label",
        )
        yield ctx.finding(
            subject,
            f"{first.what}{state} hard-codes the {kind} id {record_id} (in {', '.join(wheres)}): record ids differ "
            "between sandbox and production and change when a record is recreated, so it stops matching or fails "
            "once deployed or after a refresh",
            fix=f"In {first.what}, {how}.",
            location=first.location,
            # an inactive rule or flow does nothing wrong today; it will when someone activates it
            severity=None if first.active else Severity.LOW,
        )
