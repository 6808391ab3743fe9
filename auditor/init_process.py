"""Writes a commented process.yaml: the reference lifecycle, or the org's own statuses to complete."""

from __future__ import annotations

import json
from dataclasses import dataclass

from auditor.model import Model


@dataclass(frozen=True)
class StatusDraft:
    api_name: str
    label: str
    owner: str | None
    sla_hours: float | None
    next: tuple[str, ...]
    entry: bool = False
    terminal: bool = False
    converted: bool = False
    required_fields: tuple[str, ...] = ()
    comment: str = ""


# The reference lifecycle of the lead process documents (owners and SLAs per status).
REFERENCE: tuple[StatusDraft, ...] = (
    StatusDraft("New", "New", "Marketing Ops", 1, ("Contacted", "Nurture", "Disqualified"), entry=True,
                comment="inbound leads: ideally first touch within 5 minutes"),
    StatusDraft("Contacted", "Contacted", "SDR", 24, ("Engaged", "Nurture", "Disqualified")),
    StatusDraft("Engaged", "Engaged", "SDR", 48, ("MQL", "Nurture", "Disqualified")),
    StatusDraft("MQL", "Marketing Qualified", "SDR / Marketing", 4, ("SAL", "Nurture", "Disqualified"),
                comment="fits the ideal customer profile, engaged, buying signals: accept or reject in 4 h"),
    StatusDraft("SAL", "Sales Accepted", "AE", 24, ("SQL", "Nurture", "Disqualified"),
                comment="a rep committed to work it: first meeting planned within 24 h"),
    StatusDraft("SQL", "Sales Qualified", "AE", None, ("Converted", "Nurture", "Disqualified"),
                comment="discovery done (budget, timeline, need): converts to an Opportunity"),
    StatusDraft("Nurture", "Nurture", "Marketing", None, ("Contacted", "MQL", "Disqualified"),
                comment="drip campaigns, monthly review, a re-engagement date"),
    StatusDraft("Disqualified", "Disqualified", "SDR / Marketing", None, (), terminal=True,
                required_fields=("Disqualification_Reason__c",), comment="the reason must be logged, every time"),
    StatusDraft("Converted", "Converted", "AE", None, (), terminal=True, converted=True),
)

HEADER = """\
# leadaudit process file: the lead process as documented, which the org is audited against.
# Validated by schemas/process.schema.json. Edit it to match your own process; names may be in
# any language, but api_name must be the API name of the org's Lead Status value.
version: 1

# The lifecycle. For each status:
#   api_name         the Lead Status API name (not the label)
#   owner            who works leads in this status
#   sla_hours        the most hours a lead may stay in it (leave out where there is no SLA)
#   entry: true      exactly one status: where every new lead starts (the picklist default)
#   terminal: true   a lead does not leave it;  converted: true  the status of converted leads
#   required_fields  Lead fields that must be filled when a lead enters it
#   next             the statuses a lead may move to from here
statuses:
"""

TAIL = """
# Routing: the dimensions your assignment rules must read (with the Lead fields that carry
# them), who wins a conflict (first wins), and whether a catch-all entry is required.
routing:
  fallback_required: true
  dimensions:
    geography: {fields: [Country, State]}
    sector: {fields: [Industry]}
  precedence: [sector, geography]
  # hand-raisers (asked for a demo or a price) bypass scoring:
  # hand_raiser: {fields: [Hand_Raiser__c]}

# The SLA escalation ladder: a reminder, then the manager, who reassigns.
escalation: {reminder_after_hours: 24, manager_after_hours: 48}

# Account Engagement scoring: less is more. Also: decay_days (default [15, 30, 45]),
# mql_threshold, mql_status (MQL), nurture_status (Nurture), fit_field, engagement_field,
# hot_sla_hours (4: the SLA of a hand-raiser's fast route).
scoring: {max_categories: 8, max_criteria: 20}
# The scoring model file ('leadaudit init --scoring' writes one), relative to this file:
# scoring_model: scoring.yaml

# Reports the process requires (group_by uses report column names such as STATUS).
reports:
  - {name: Lead funnel by status, group_by: [STATUS]}

# Per-rule settings by id or name, e.g.  LC002: {enabled: false}  or  RT002: {severity: medium}
rules: {}

# Accepted findings, each with a reason and an expiry date (YYYY-MM-DD), e.g.
#   - {rule: LC002, subject: "Status:Working", reason: "migrated in Q1", expires: 2027-03-31}
waivers: []
"""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def _render(status: StatusDraft, todo: bool) -> str:
    lines = [f"  - api_name: {_q(status.api_name)}" + (f"    # {status.comment}" if status.comment else "")]
    lines.append(f"    label: {_q(status.label)}")
    if status.owner:
        lines.append(f"    owner: {_q(status.owner)}")
    elif todo:
        lines.append("    # owner: TODO who works leads in this status")
    if status.sla_hours is not None:
        lines.append(f"    sla_hours: {status.sla_hours:g}")
    elif todo and not status.terminal:
        lines.append("    # sla_hours: TODO the most hours a lead may stay here")
    for flag in ("entry", "terminal", "converted"):
        if getattr(status, flag):
            lines.append(f"    {flag}: true")
    if status.required_fields:
        lines.append(f"    required_fields: [{', '.join(_q(f) for f in status.required_fields)}]")
    if status.next:
        lines.append(f"    next: [{', '.join(_q(n) for n in status.next)}]")
    elif todo and not status.terminal:
        lines.append("    # next: [TODO the statuses a lead may move to]")
    return "\n".join(lines)


def reference_process() -> str:
    return HEADER + "\n".join(_render(s, todo=False) for s in REFERENCE) + "\n" + TAIL


def process_from_org(model: Model) -> str:
    """The org's active statuses as a draft: flags taken from the org, the rest left to complete."""
    active = [s for s in model.statuses if s.active]
    if not active:
        raise ValueError("the source holds no active Lead Status values (standardValueSets/LeadStatus)")
    has_default = any(s.default for s in active)
    drafts = [
        StatusDraft(
            api_name=s.api_name,
            label=s.label,
            owner=None,
            sla_hours=None,
            next=(),
            entry=s.default or (not has_default and i == 0),
            terminal=s.closed or s.converted,
            converted=s.converted,
        )
        for i, s in enumerate(active)
    ]
    note = f"# Drafted from the Lead Status values of {model.source_name}: complete every TODO.\n"
    return note + HEADER + "\n".join(_render(d, todo=True) for d in drafts) + "\n" + TAIL
