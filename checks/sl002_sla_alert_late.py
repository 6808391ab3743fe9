"""SL002 sla-alert-late: the earliest alert for a status fires after its SLA has passed.

What: for a documented status with ``sla_hours`` that timed alerts do watch (see SL001), the
earliest of them is scheduled later than the SLA.

Why it matters: the alert should tell the owner before or when the SLA breaks, not after. A 4-hour
MQL SLA watched by a 24-hour reminder lets every breach go unnoticed for a day.

How to fix: set the scheduled path's (or time trigger's) offset to the SLA, or earlier for a
reminder before the breach.

Failing example: MQL has ``sla_hours: 4``; its only alert fires 1 day after the status change.

Passing example: the alert fires 4 hours after the status change.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from checks._sla import hours, sla_statuses, watching

RULE = Rule(
    id="SL002",
    name="sla-alert-late",
    severity=Severity.MEDIUM,
    category="sla",
    summary="The earliest alert for a status fires after its SLA has passed",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    for status in sla_statuses(ctx):
        timed = [a for a in watching(ctx, status.api_name) if a.offset_hours is not None]
        if not timed:
            continue  # nothing watches it: SL001's finding, not a lateness to judge
        earliest = min(timed, key=lambda a: (a.offset_hours or 0, a.what))
        subject = f"Status:{status.api_name}"
        yield ctx.checked(subject, earliest.location)
        sla = status.sla_hours or 0
        if (earliest.offset_hours or 0) > sla:
            yield ctx.finding(
                subject,
                f"the earliest alert for '{status.api_name}', {earliest.what}, fires after "
                f"{hours(earliest.offset_hours or 0)}; the SLA is {hours(sla)}, so every breach goes unnoticed "
                f"for {hours((earliest.offset_hours or 0) - sla)}",
                fix=f"Set the offset of {earliest.what} to {hours(sla)} or less.",
                location=earliest.location,
            )
