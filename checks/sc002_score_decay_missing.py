"""SC002 score-decay-missing: nothing lowers the score of a lead inactive for a decay window.

What: for each inactivity window of the process (``scoring.decay_days``, default 15, 30 and 45
days) an active rule must lower the score (a negative score adjustment or a new score) once a
lead has been inactive that long: an Account Engagement automation rule on
``days_since_last_activity``, or a Salesforce flow whose scheduled path, some days later,
subtracts from the score field. A window is covered by a rule acting after more days than the
previous window and at most its own (a 28-day rule covers the 30-day window).

Why it matters: interest fades. Without decay a lead that clicked a lot a year ago still looks
engaged, reaches the MQL threshold, and sales learn to ignore MQLs (DOMAIN: score decay).

How to fix: add an automation rule per window: "Prospect last activity days ago is greater than
15 days: adjust score -10", and the same for 30 and 45 days.

Failing example: only a 30-day decay rule, so nothing happens at 15 or 45 days.

Passing example: rules at 15, 30 and 45 days, each with ``adjust_score: -10``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.scoring.queries import decay_rules, describe, knows_account_engagement, limits_location
from auditor.scoring.settings import scoring_settings

RULE = Rule(
    id="SC002",
    name="score-decay-missing",
    severity=Severity.MEDIUM,
    category="scoring",
    summary="Nothing lowers the score of a lead inactive for the process's decay windows",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    scoring = ctx.require_scoring()
    settings = scoring_settings(ctx.process)
    rules = decay_rules(scoring)
    if not rules and not knows_account_engagement(scoring):
        raise NotApplicable(
            "Account Engagement automation rules are known only from a scoring model file or the "
            "Account Engagement API, and no Salesforce flow decays the score"
        )
    where = scoring.file or limits_location(ctx.process.path if ctx.process else None, settings.source_line, scoring)
    previous = 0
    for window in settings.decay_days:
        subject = f"ScoreDecay:{window} days"
        covering = [rule for days, rule in rules if previous < days <= window]
        yield ctx.checked(subject, covering[0].source if covering else where)
        if not covering:
            existing = "; ".join(f"{describe(rule)} acts at {days:g} days" for days, rule in rules)
            yield ctx.finding(
                subject,
                f"nothing lowers the score of a lead inactive for {window} days (no decay rule between "
                f"{previous + 1} and {window} days)" + (f"; {existing}" if existing else ""),
                fix=(
                    f"Add an automation rule: last activity more than {window} days ago, adjust score by a "
                    "negative number (or a scheduled flow that subtracts from the score)."
                ),
                location=where,
            )
        previous = window
