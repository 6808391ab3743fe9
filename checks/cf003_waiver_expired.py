"""CF003 waiver-expired: a waiver in the process file has passed its expiry date.

What: an entry under ``waivers:`` whose ``expires`` date is before today.

Why it matters: a waiver is a decision with a deadline. Once expired it no longer hides its
finding, and the stale entry itself is reported so that someone decides again.

How to fix: fix the finding and delete the waiver, or renew it with a new reason and date.

Failing example: ``{rule: RT002, subject: "AssignmentRule:Standard", reason: "migration", expires: 2024-01-31}``.

Passing example: the same waiver with ``expires: 2099-01-31``, or no waiver.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import SourceRef

RULE = Rule(
    id="CF003",
    name="waiver-expired",
    severity=Severity.MEDIUM,
    category="configuration",
    summary="A waiver in the process file has expired",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    for waiver in process.waivers:
        subject = f"Waiver:{waiver.rule}:{waiver.subject}"
        location = SourceRef(process.path, waiver.line)
        yield ctx.checked(subject, location)
        if waiver.expires < ctx.today:
            yield ctx.finding(
                subject,
                f"the waiver of {waiver.rule} for {waiver.subject} expired on {waiver.expires.isoformat()} "
                f"(reason given: {waiver.reason}); the finding it covered is reported again",
                fix="Fix the finding and remove the waiver, or renew it with a new reason and expiry date.",
                location=location,
            )
