"""RT005 routing-dimension-uncovered: a documented routing dimension is used by nothing that routes leads.

What: for each dimension of ``routing.dimensions`` in the process file (geography, sector,
deal_size, installed_base, partner) with its fields, nothing that assigns owners reads any of
those fields: no criteria item or formula of the active Lead assignment rule, and no active
record-triggered Lead flow that sets OwnerId (through its start conditions, decisions or
formulas). Only flows whose owner survives the save count: in the order of execution
(Apex Developer Guide, "Triggers and Order of Execution") before-save flows run before the
assignment rule, which then overwrites the owner, and after-save flows run after it and override
it. So an after-save flow always counts, a before-save flow only when the source holds no active
assignment rule; a before-save flow that reads the dimension but is overwritten is named in the
finding. The installed base also needs lead-to-account matching: an active Lead duplicate rule
with an Account matching rule, or an active Lead flow that looks up Accounts; without it the
finding says so even when an entry tests the customer flag.

What the source cannot show is not claimed: when the source holds no flows at all, or a formula
that would decide it cannot be parsed, that dimension is skipped; when the source holds neither
duplicate rules nor flows, the matching is not judged.

Why it matters: DOMAIN: round robin alone sends the automotive lead in the north to the furniture
specialist in the south. A dimension the business agreed on but nothing applies means leads go
to the wrong rep; an installed base without matching means existing customers are treated as
strangers instead of reaching their account manager.

How to fix: add assignment entries (or a routing flow) that test the dimension's fields, ordered
by the documented precedence; for the installed base, add a Lead duplicate rule with an Account
matching rule or a flow that finds the lead's Account.

Failing example: ``installed_base: {fields: [Existing_Customer__c]}`` and no entry or routing flow
reads Existing_Customer__c.

Passing example: an entry ``Existing_Customer__c equals True`` assigns to Account_Managers, and an
active Lead duplicate rule matches leads against Accounts.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.logic import field_key
from auditor.model import Flow, LeadRule, Model, SourceRef
from checks._routing import flow_reads, formula_keys, owner_flows, routing_flows

RULE = Rule(
    id="RT005",
    name="routing-dimension-uncovered",
    severity=Severity.MEDIUM,
    category="routing",
    summary="A documented routing dimension is read by no assignment entry or routing flow",
    needs_process=True,
)

CONSEQUENCE = {
    "geography": "leads do not reach the rep who covers their country or region",
    "sector": "an automotive lead can reach the furniture specialist (sector often matters more than region)",
    "deal_size": "enterprise deals do not go to the senior reps",
    "installed_base": "existing customers do not reach their account manager: they are treated as strangers",
    "partner": "partner and dealer leads do not reach the partner manager or go back to the dealer",
}
NO_MATCHING = (
    "nothing in the source matches leads to accounts (no active Lead duplicate rule uses an Account matching "
    "rule, and no active Lead flow looks up Accounts)"
)
MATCHING_FIX = (
    "Add lead-to-account matching: an active Lead duplicate rule with an Account matching rule, or a Lead flow "
    "that looks up the Account (by company or e-mail domain) and sets the customer field."
)


def _rule_reads(rule: LeadRule | None) -> tuple[dict[str, list[int]], list[int]]:
    """Field key -> entry numbers reading it; and the entries whose formula cannot be parsed."""
    reads: dict[str, list[int]] = {}
    unreadable: list[int] = []
    for entry in rule.entries if rule else ():
        keys = {field_key(item.field) for item in entry.criteria}
        found = formula_keys(entry.formula)
        if found is None:
            unreadable.append(entry.order)
        else:
            keys |= found
        for key in keys:
            reads.setdefault(key, []).append(entry.order)
    return reads, unreadable


def _matching(model: Model) -> str:
    """"found", "absent", or "unknown" when the source cannot show it."""
    for dup in model.duplicate_rules:
        if dup.active and dup.object.lower() == "lead" and any(o.lower() == "account" for _, o in dup.matching_rules):
            return "found"
    for flow in model.lead_flows:
        if flow.is_active and any(
            e.kind == "recordLookups" and (e.object or "").lower() == "account" for e in flow.elements
        ):
            return "found"
    kinds = {record.kind for record in model.files}
    if "flow" not in kinds or not ({"duplicateRule", "matchingRule"} & kinds):
        return "unknown"
    return "absent"


def _matching_location(model: Model, fallback: SourceRef | None) -> SourceRef | None:
    lead_rules = [d for d in model.duplicate_rules if d.object.lower() == "lead"]
    return lead_rules[0].source if lead_rules else fallback


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    dimensions = process.routing.dimensions
    if not dimensions:
        raise NotApplicable(f"{process.path} defines no routing dimensions (routing.dimensions)")
    model = ctx.model
    if model.assignment_rules_source is None:
        raise NotApplicable("no Lead assignment rules in the source (assignmentRules/Lead.assignmentRules)")
    rule = model.active_assignment_rule
    rule_reads, unreadable_entries = _rule_reads(rule)
    flows = routing_flows(model)
    flow_readers: dict[str, list[str]] = {}
    unreadable_flows: list[str] = []
    for flow in flows:
        read, unreadable = flow_reads(flow)
        if unreadable:
            unreadable_flows.append(flow.name)
        for key in read:
            flow_readers.setdefault(key, []).append(flow.name)
    # before-save flows an active rule overwrites: named in the message, never counted as routing
    overwritten: dict[str, list[str]] = {}
    for flow in owner_flows(model):
        if flow not in flows:
            for key in flow_reads(flow)[0]:
                overwritten.setdefault(key, []).append(flow.name)
    has_flows = any(record.kind == "flow" for record in model.files)
    where = f"active assignment rule '{rule.name}'" if rule else "any active Lead assignment rule (none is active)"
    location = rule.source if rule else model.assignment_rules_source

    skipped: list[str] = []
    found = 0
    for dim, fields in dimensions.items():
        keys = {field_key(f) for f in fields}
        entries = sorted({n for k in keys for n in rule_reads.get(k, [])})
        readers = sorted({name for k in keys for name in flow_readers.get(k, [])})
        named = " or ".join(fields)
        subject = f"RoutingDimension:{dim}"
        if not entries and not readers:
            unknown = _unknown(unreadable_entries, unreadable_flows, has_flows)
            if unknown:
                skipped.append(f"{dim}: {unknown}")
                continue
            yield ctx.checked(subject, location)
            ignored = sorted({name for k in keys for name in overwritten.get(k, [])})
            flows_part = "no active record-triggered Lead flow that sets the owner reads it"
            if ignored and rule is not None:
                flows_part = (
                    f"no after-save Lead flow that sets the owner reads it (before-save flow {', '.join(ignored)} "
                    f"reads it, but assignment rule '{rule.name}' runs after before-save flows and "
                    "overwrites the owner they set)"
                )
            message = (
                f"routing dimension {dim} ({', '.join(fields)}) is not used: no entry of {where} tests {named}, "
                f"and {flows_part}, so {CONSEQUENCE[dim]}"
            )
            if dim == "installed_base" and _matching(model) == "absent":
                message += f"; {NO_MATCHING} either"
            found += 1
            yield ctx.finding(
                subject,
                message,
                fix=(
                    f"Add entries to the active assignment rule that test {named} (above the catch-all, in the "
                    "documented precedence), or route on them in a record-triggered Lead flow that sets OwnerId."
                ),
                location=location,
            )
            continue
        used_at = _first_use(rule, entries, flows, readers) or location
        if dim != "installed_base":
            yield ctx.checked(subject, used_at)
            continue
        matching = _matching(model)
        if matching == "unknown":
            skipped.append(
                "installed_base: the source holds no duplicate rules or no flows, so lead-to-account matching "
                "cannot be judged"
            )
            continue
        yield ctx.checked(subject, used_at)
        if matching == "absent":
            numbers = ", ".join(map(str, entries))
            used = [f"entry {numbers} of {where} tests {named}"] if entries else []
            used += [f"routing flow {name} reads {'it' if used else named}" for name in readers]
            found += 1
            yield ctx.finding(
                subject,
                f"routing dimension installed_base: {' and '.join(used)}, but {NO_MATCHING}: the "
                "field is only as good as whoever fills it in by hand, so existing customers whose lead arrives "
                "without it are treated as strangers and miss their account manager",
                fix=MATCHING_FIX,
                location=_matching_location(model, location),
            )
    if skipped and not found:
        raise NotApplicable("cannot judge " + "; ".join(skipped))


def _first_use(rule: LeadRule | None, entries: list[int], flows: list[Flow], readers: list[str]) -> SourceRef | None:
    """Where a used dimension is read: its first assignment entry, else its first routing flow."""
    if rule is not None and entries:
        return next((e.source for e in rule.entries if e.order == entries[0]), None)
    return next((f.source for f in flows if readers and f.name == readers[0]), None)


def _unknown(unreadable_entries: list[int], unreadable_flows: list[str], has_flows: bool) -> str | None:
    """Why an unused-looking dimension cannot be called unused, or None when it can."""
    if unreadable_entries:
        return f"the formula of entry {', '.join(map(str, unreadable_entries))} could not be parsed (see VR003)"
    if unreadable_flows:
        return f"a formula of routing flow {', '.join(unreadable_flows)} could not be parsed"
    if not has_flows:
        return "the source holds no flows, so a routing flow that reads it cannot be ruled out"
    return None
