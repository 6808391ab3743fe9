"""SL004 sla-escalation-missing: the escalation ladder of the process is not built.

What: the process file's ``escalation`` asks for a reminder after ``reminder_after_hours`` and an
escalation to the manager after ``manager_after_hours``. leadaudit looks at the timed alerts that
watch a status (see SL001): a reminder is one that fires within the reminder time; an escalation
is one that fires within the manager time and reaches someone other than the owner (a role, a
group, a named user, a user lookup field, or a reassignment). When the only candidates notify
people the metadata does not name (custom notifications set their recipients at run time), the
rule says it cannot judge instead of guessing.

Why it matters: DOMAIN: assigned and no action in 24 hours, a reminder; still nothing at 48
hours, the manager is told and reassigns. Without the second step, a rep who ignores reminders
holds leads indefinitely.

How to fix: add a second scheduled path (or time trigger) at the manager time that emails the
owner's manager (a role or a user lookup such as Owner Manager) or reassigns the lead to a queue.

Failing example: only a 24-hour email alert to the owner exists.

Passing example: a 24-hour alert to the owner and a 48-hour alert to the role Sales_Manager.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.graph import TimedAlert, timed_alerts
from auditor.model import SourceRef
from checks._sla import first_alert_location, hours, require_automation_in_source

RULE = Rule(
    id="SL004",
    name="sla-escalation-missing",
    severity=Severity.MEDIUM,
    category="sla",
    summary="The escalation ladder (a reminder, then the manager) is not built",
    needs_process=True,
)

BEYOND_OWNER = ("role:", "roleSubordinates", "group:", "user:", "userLookup", "email:")


def _reaches_manager(alert: TimedAlert) -> bool | None:
    """True/False from the metadata; None when the recipients are not in it."""
    if "owner change" in alert.notifies:
        return True
    if any(r.startswith(BEYOND_OWNER) or r in ("role", "group", "user") for r in alert.recipients):
        return True
    return False if alert.recipients else None


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    reminder_after = process.escalation.get("reminder_after_hours")
    manager_after = process.escalation.get("manager_after_hours")
    if reminder_after is None and manager_after is None:
        raise NotApplicable(f"{process.path} defines no escalation ladder (escalation: reminder_after_hours, manager_after_hours)")
    require_automation_in_source(ctx)
    alerts = [a for a in timed_alerts(ctx.graph) if a.statuses is not None and a.notifies and a.offset_hours is not None]
    where = SourceRef(process.path)
    # a passing step points at the alert that builds it: the evidence a reviewer opens
    if reminder_after is not None:
        reminders = [a for a in alerts if (a.offset_hours or 0) <= reminder_after]
        yield ctx.checked("Escalation:reminder", first_alert_location(reminders) or where)
        if not reminders:
            yield ctx.finding(
                "Escalation:reminder",
                f"no timed alert reminds anyone within {hours(reminder_after)} of a lead entering a status "
                f"({len(alerts)} status alert(s) in the source, none that early)",
                fix=f"Add a scheduled path {hours(reminder_after)} after the status change that notifies the owner.",
                location=where,
            )
    if manager_after is None:
        return
    candidates = [a for a in alerts if (a.offset_hours or 0) <= manager_after]
    verdicts = [_reaches_manager(a) for a in candidates]
    escalations = [a for a, v in zip(candidates, verdicts) if v is True]
    if not escalations and any(v is None for v in verdicts):
        unknown = [a.what for a, v in zip(candidates, verdicts) if v is None]
        raise NotApplicable(
            f"cannot tell whom {', '.join(unknown)} notify (recipients are set at run time), so whether the "
            "manager is told cannot be judged"
        )
    yield ctx.checked("Escalation:manager", first_alert_location(escalations) or where)
    if escalations:
        return
    yield ctx.finding(
        "Escalation:manager",
        f"no timed alert within {hours(manager_after)} reaches anyone but the lead owner: the manager is never "
        "told about leads left unworked, and nobody reassigns them",
        fix=(
            f"Add a scheduled path {hours(manager_after)} after the status change that emails the owner's manager "
            "(a role or a user lookup) or reassigns the lead to a queue."
        ),
        location=where,
    )
