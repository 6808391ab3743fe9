"""SL001 sla-alert-missing: a status with an SLA and no timed alert that watches it.

What: a documented status with ``sla_hours`` for which no active time-based automation fires while
the lead is still in that status and notifies someone. Counted: scheduled paths of active
record-triggered Lead flows and time triggers of active Lead workflow rules, whose start condition
or a decision on the path holds only for that status (a status guard), leading to an email alert,
a custom notification, a task or an owner change; scheduled actions of active Process Builder
processes on Lead count the same way. A timed alert with no status guard fires whatever the
status and is not an SLA alert; the finding names it when one exists. An alert scheduled only
when a lead is created watches only the entry status (SL003 explains).

Why it matters: an SLA nothing enforces is a wish. When a lead sits past its SLA, the owner and
the owner's manager must be told automatically (DOMAIN: SLA breaches raise alerts).

How to fix: add a scheduled path to a record-triggered flow that starts when Status changes to
the status (run "only when a record is updated to meet the condition requirements"), with the SLA
as offset, sending an email alert or custom notification to the owner.

Failing example: MQL has ``sla_hours: 4`` and no flow or workflow rule watches MQL.

Passing example: flow Lead_MQL_SLA starts on ``Status = MQL`` and its scheduled path, 4 hours
after the trigger, sends an email alert to the owner.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.graph import timed_alerts
from auditor.model import SourceRef
from checks._sla import first_alert_location, hours, sla_statuses, watching

RULE = Rule(
    id="SL001",
    name="sla-alert-missing",
    severity=Severity.HIGH,
    category="sla",
    summary="A status with an SLA has no time-based alert while a lead is in it",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    unguarded = [a for a in timed_alerts(ctx.graph) if a.statuses is None and a.notifies]
    for status in sla_statuses(ctx):
        subject = f"Status:{status.api_name}"
        documented = SourceRef(process.path, status.line)
        alerts = watching(ctx, status.api_name)
        # a watched status points at the alert that watches it: the evidence a reviewer opens
        yield ctx.checked(subject, first_alert_location(alerts) or documented)
        if alerts:
            continue
        message = (
            f"status '{status.api_name}' has an SLA of {hours(status.sla_hours or 0)}, but no active flow or "
            "workflow rule fires a timed notification while a lead is in it"
        )
        if unguarded:
            message += f"; {unguarded[0].what} fires whatever the status, so it does not watch this SLA"
        when = (
            f"runs when a lead is created or updated to '{status.api_name}'"
            if status.entry
            else f"starts when Status changes to '{status.api_name}'"
        )
        yield ctx.finding(
            subject,
            message,
            fix=(
                f"Add a record-triggered flow on Lead that {when}, with a scheduled path "
                f"{hours(status.sla_hours or 0)} after the trigger that notifies the owner."
            ),
            location=documented,
        )
