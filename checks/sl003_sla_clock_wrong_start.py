"""SL003 sla-clock-wrong-start: an SLA alert counts from the wrong moment.

What: a timed alert that watches a status with an SLA, but whose clock does not start when the
lead enters that status: it counts from the lead's creation (CreatedDate) for a status that is not
the entry status, or runs only when a lead is created (a flow that starts on create, a workflow
rule evaluated only on create), so it never sees leads that move into the status later (SL001
then reports the status as unwatched too), or counts from the last edit
(LastModifiedDate, or a flow that runs on every save), which any edit restarts. A clock on a
custom date field is not judged: leadaudit cannot know what fills it.

Why it matters: the alert fires at the wrong time. A lead created on Monday and made MQL on
Friday is "4 hours past its MQL SLA" on Monday, before it was an MQL; a clock that restarts on every
edit never fires for a lead someone keeps touching without working it.

How to fix: start the clock at the status change: in a record-triggered flow, start when Status
changes to the status (only when a record is updated to meet the condition) and schedule the
path from the trigger; in a workflow rule, use the rule trigger date with "created, and any time
it's edited to subsequently meet criteria".

Failing example: an MQL alert scheduled 4 hours after ``CreatedDate``.

Passing example: an MQL alert scheduled 4 hours after the flow was triggered by the change to MQL.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from checks._sla import covering, first_alert_location, sla_statuses

RULE = Rule(
    id="SL003",
    name="sla-clock-wrong-start",
    severity=Severity.MEDIUM,
    category="sla",
    summary="An SLA alert counts from a moment that is not the status change",
    needs_process=True,
)

CONSEQUENCE = {
    "created only": (
        "the lead's creation and runs only for leads created in '{status}': leads that move into it later "
        "are never watched"
    ),
    "record created": "the lead's creation, not its arrival in '{status}', so it fires at the wrong time",
    "last modified": "the last edit, which every edit restarts, so a lead someone keeps touching never alerts",
    "record saved": "each save that meets the condition, not the change to '{status}'",
}


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    entry = process.entry_status.api_name if process.entry_status else None
    for status in sla_statuses(ctx):
        subject = f"Status:{status.api_name}"
        alerts = covering(ctx, status.api_name)
        if alerts:  # a status no alert covers has no clock to judge (SL001 reports it)
            yield ctx.checked(subject, first_alert_location(alerts))
        for alert in alerts:
            if alert.clock in ("record created", "created only") and status.api_name == entry:
                continue  # a new lead enters the entry status when it is created
            if alert.clock not in CONSEQUENCE:
                continue
            yield ctx.finding(
                subject,
                f"{alert.what} watches '{status.api_name}' but counts from "
                + CONSEQUENCE[alert.clock].format(status=status.api_name),
                fix=(
                    f"Count from the change to '{status.api_name}': start the flow when Status changes to it "
                    "(only when updated to meet the condition) and schedule the path from the trigger."
                ),
                location=alert.location,
            )
