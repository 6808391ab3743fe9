"""SL005 status-history-untracked: changes of Lead Status are not recorded in field history.

What: the Lead Status field does not have field history tracking (``trackHistory`` false on
``Lead.Status``), or Lead field history is switched off for the whole org (``doesTrackHistory``
false in ``settings/LeadConfig.settings``; the Metadata API documents it as "enables field history
tracking for leads", the switch that lets admins pick tracked fields at all). Each is reported on
its own, because each is a separate change. When the source holds neither the Status field
definition nor a LeadConfig value that says history is off, the rule is not applicable.

Why it matters: without Lead History rows for Status there is no record of when a lead entered
or left a status, so response time, time-in-status, SLA compliance and lead velocity cannot be
measured or proven; SLA alerts may still fire, but nobody can report on them afterwards.

How to fix: in Setup > Object Manager > Lead > Fields & Relationships > Set History Tracking,
enable Lead History and tick Lead Status (``<trackHistory>true</trackHistory>`` on
``objects/Lead/fields/Status.field-meta.xml``; ``<doesTrackHistory>true</doesTrackHistory>`` in
``settings/LeadConfig.settings``).

Failing example: ``Status.field-meta.xml`` with ``<trackHistory>false</trackHistory>``.

Passing example: ``Status.field-meta.xml`` with ``<trackHistory>true</trackHistory>`` and
LeadConfig ``doesTrackHistory`` true (or absent from the source).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity

RULE = Rule(
    id="SL005",
    name="status-history-untracked",
    severity=Severity.MEDIUM,
    category="sla",
    summary="Lead Status changes are not tracked in field history, so time in status cannot be measured",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    status_field = model.field_named("Status")
    config = next((s for s in model.settings if s.name == "LeadConfig"), None)
    # only an explicit false is a finding: a missing key says nothing about the org
    raw = config.get("doesTrackHistory") if config is not None else None
    history_off = raw is not None and raw.strip().lower() == "false"

    if status_field is None and not history_off:
        raise NotApplicable(
            "the source does not hold the Lead Status field definition; retrieve CustomObject:Lead"
        )
    if raw is not None and config is not None:  # an org-wide switch the source states, on or off
        yield ctx.checked("Setting:LeadConfig", config.source)
    if history_off and config is not None:
        yield ctx.finding(
            "Setting:LeadConfig",
            "field history tracking is switched off for Leads (LeadConfig doesTrackHistory is false): no "
            "Lead History is recorded, so time in each status, response time and SLA compliance cannot be "
            "measured",
            fix=(
                "Enable Lead History in Setup > Object Manager > Lead > Fields & Relationships > Set History "
                "Tracking (doesTrackHistory true in settings/LeadConfig.settings), then track Lead Status."
            ),
            location=config.source,
        )
    if status_field is not None:
        yield ctx.checked("Field:Status", status_field.source)
    if status_field is not None and not status_field.track_history:
        yield ctx.finding(
            "Field:Status",
            "the Lead Status field has no field history tracking (trackHistory is false): status changes "
            "leave no Lead History rows, so time in each status, response time and SLA compliance cannot be "
            "measured",
            fix=(
                "Tick Lead Status in Setup > Object Manager > Lead > Fields & Relationships > Set History "
                "Tracking (<trackHistory>true</trackHistory> on the Status field)."
            ),
            location=status_field.source,
        )
