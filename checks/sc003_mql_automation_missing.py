"""SC003 mql-automation-missing: nothing makes a lead MQL when it reaches the threshold, or the
automations disagree with the process's threshold.

What: looks for active automations that set the MQL status (``scoring.mql_status``, default
``MQL``) on a score threshold: Account Engagement automation rules of the scoring model (``score
>= N`` and ``set_status MQL``) and Salesforce flows on Lead whose conditions compare a score
field (``pi__score__c`` or ``scoring.engagement_field``) and that set Status to MQL. Each must
fire at the process's ``scoring.mql_threshold``; with no threshold in the process, they must
agree with each other.

Why it matters: the MQL is created automatically when the threshold is reached (DOMAIN). A
threshold nobody automates means MQLs depend on someone noticing a number; two automations with
different thresholds mean marketing and sales count different MQLs.

How to fix: add one automation rule (or one flow) that sets the MQL status at the documented
threshold, and align or remove the others.

Failing example: the process says ``mql_threshold: 50``; the automation rule "MQL at 75" sets MQL
at score 75.

Passing example: the automation rule "MQL at 50" (``score >= 50``, ``set_status MQL``).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import SourceRef
from auditor.scoring.queries import (
    describe,
    knows_account_engagement,
    mql_automations,
    score_threshold,
    subject_of,
)
from auditor.scoring.settings import scoring_settings

RULE = Rule(
    id="SC003",
    name="mql-automation-missing",
    severity=Severity.HIGH,
    category="scoring",
    summary="Nothing sets the MQL status at the score threshold, or the automations disagree with it",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    scoring = ctx.require_scoring()
    settings = scoring_settings(process)
    mql = process.status(settings.mql_status)
    if mql is None:
        raise NotApplicable(f"the process has no status '{settings.mql_status}' (scoring.mql_status names it)")
    rules = mql_automations(scoring, mql.api_name)
    if not rules and not knows_account_engagement(scoring):
        raise NotApplicable(
            "no Salesforce flow sets MQL on the score, and Account Engagement automation rules are known "
            "only from a scoring model file or the Account Engagement API"
        )
    status_subject = f"Status:{mql.api_name}"
    documented = SourceRef(process.path, mql.line)
    yield ctx.checked(status_subject, rules[0].source if rules else documented)
    if not rules:
        at = f" at score {settings.mql_threshold:g}" if settings.mql_threshold else ""
        yield ctx.finding(
            status_subject,
            f"nothing makes a lead '{mql.api_name}' when it reaches the threshold{at}: no active Account "
            "Engagement automation rule or Salesforce flow on the score sets the status",
            fix=(
                f"Add an automation rule: score at least the threshold, set status {mql.api_name} "
                "(and assign the lead), or a record-triggered flow on the score field that does the same."
            ),
            location=documented,
        )
        return
    expected = settings.mql_threshold
    for rule in rules:
        threshold = score_threshold(rule) or 0.0
        yield ctx.checked(subject_of(rule), rule.source)
        if expected is not None and threshold != expected:
            yield ctx.finding(
                subject_of(rule),
                f"{describe(rule)} ({rule.origin}) makes a lead {mql.api_name} at score {threshold:g}, but the "
                f"process's threshold is {expected:g}",
                fix=f"Set the rule's score criterion to {expected:g}, or change scoring.mql_threshold if the process moved.",
                location=rule.source,
            )
    thresholds = sorted({score_threshold(rule) or 0.0 for rule in rules})
    if expected is None and len(thresholds) > 1:
        listed = ", ".join(f"{describe(r)} at {score_threshold(r) or 0:g}" for r in rules)
        yield ctx.finding(
            status_subject,
            f"the automations that make a lead {mql.api_name} disagree on the threshold: {listed}",
            fix="Agree on one threshold, write it as scoring.mql_threshold in the process file, and align the rules.",
            location=rules[0].source,
        )
