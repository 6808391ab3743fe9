"""SC008 nurture-program-missing: a Nurture status with no active nurture program or no
re-engagement date.

What: the process's nurture status (``scoring.nurture_status``, default ``Nurture``) needs an
active nurture program (an Engagement Studio program of the scoring model for that status, or
for no status in particular) and a re-engagement date: the program's ``re_engagement_days``, or
a date field the process requires in that status (``required_fields``) that exists on Lead.

Why it matters: Nurture is not a bin. Leads there need drip campaigns, a monthly review and a
re-engagement date (DOMAIN); without a running program nothing brings them back, and the
MQLs sales rejected never feed back into the funnel.

How to fix: activate (or build) an Engagement Studio program for nurtured leads, and give them a
re-engagement date: a required date field on Lead or the program's re-engagement wait.

Failing example: the program "Nurture drip" is paused (``active: false``).

Passing example: "Nurture drip" is active for status Nurture, and Nurture requires
``Re_Engagement_Date__c``, a Date field on Lead.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import SourceRef
from auditor.scoring.queries import knows_account_engagement
from auditor.scoring.settings import scoring_settings

RULE = Rule(
    id="SC008",
    name="nurture-program-missing",
    severity=Severity.MEDIUM,
    category="scoring",
    summary="A Nurture status has no active nurture program or no re-engagement date",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    scoring = ctx.require_scoring()
    settings = scoring_settings(process)
    status = process.status(settings.nurture_status)
    if status is None:
        raise NotApplicable(f"the process has no status '{settings.nurture_status}' (scoring.nurture_status names it)")
    if not knows_account_engagement(scoring):
        raise NotApplicable("nurture programs are known only from a scoring model file or the Account Engagement API")
    subject = f"Status:{status.api_name}"
    documented = SourceRef(process.path, status.line)
    programs = [p for p in scoring.nurture_programs if p.status in (None, status.api_name)]
    active = [p for p in programs if p.active]
    date_fields = [
        f for name in status.required_fields for f in [ctx.model.field_named(name)]
        if f is not None and f.type in ("Date", "DateTime")
    ]
    yield ctx.checked(subject, active[0].source if active else documented)
    problems: list[str] = []
    if not active:
        paused = ", ".join(f"'{p.name}'" for p in programs)
        problems.append("no active nurture program" + (f" ({paused} {'is' if len(programs) == 1 else 'are'} paused)"
                                                       if programs else ""))
    if not date_fields and not any(p.re_engagement_days for p in active):
        problems.append("no re-engagement date (no required date field on Lead, no program re-engagement wait)")
    if problems:
        yield ctx.finding(
            subject,
            f"status '{status.api_name}' has " + " and ".join(problems) + ": nurtured leads are never brought back",
            fix=(
                "Activate an Engagement Studio program for nurtured leads and give them a re-engagement date "
                "(a required date field on Lead or the program's re-engagement wait)."
            ),
            location=programs[0].source if programs and not active else documented,
        )
