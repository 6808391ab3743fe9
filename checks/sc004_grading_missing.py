"""SC004 grading-missing: no grading profile, or the grade does not reach the Lead.

What: the scoring model must have a grading profile with criteria (fit against the ideal customer
profile), and the Lead must carry the grade: the connector's ``pi__grade__c`` or the fit field
the process names (``scoring.fit_field``). The grade field is judged here, not by SC006, so one
missing field is one finding.

Why it matters: fit and sales-readiness are two separate dimensions (DOMAIN). A score without a
grade makes a student who downloads everything an MQL; a grade that stays in Account Engagement
is invisible to the SDR who works the lead in Salesforce.

How to fix: create a grading profile with a handful of firmographic criteria (industry, company
size, job level), assign it to prospects, and map the grade to the Lead (``pi__grade__c``, or a
Fit Score field named in ``scoring.fit_field``).

Failing example: a scoring model with scoring rules and no ``grading_profiles``.

Passing example: the profile "Manufacturing ICP" with 4 criteria, and ``Fit_Score__c`` on Lead
named as ``scoring.fit_field``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.scoring.queries import knows_account_engagement
from auditor.scoring.settings import PARDOT_GRADE, scoring_settings

RULE = Rule(
    id="SC004",
    name="grading-missing",
    severity=Severity.MEDIUM,
    category="scoring",
    summary="The scoring model has no grading profile, or the grade does not reach the Lead",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    scoring = ctx.require_scoring()
    settings = scoring_settings(ctx.process)
    if not knows_account_engagement(scoring):
        raise NotApplicable(
            "grading profiles are known only from a scoring model file or the Account Engagement API"
        )
    profiles = [p for p in scoring.grading_profiles if p.criteria]
    yield ctx.checked("Grading:profiles", profiles[0].source if profiles else scoring.file)
    if not profiles:
        yield ctx.finding(
            "Grading:profiles",
            "the scoring model has no grading profile with criteria: leads are scored on activity only, "
            "never graded on fit",
            fix="Add a grading profile with a few firmographic criteria (industry, company size, job level).",
            location=scoring.file,
        )
    if not ctx.model.fields:
        return  # the source holds no Lead fields: whether the grade reaches the Lead is unknown
    grades = scoring.fields_in_role("grade")
    yield ctx.checked("Grading:grade field", grades[0].source if grades else scoring.file)
    if not grades:
        named = f" nor the fit field '{settings.fit_field}'" if settings.fit_field else ""
        yield ctx.finding(
            "Grading:grade field",
            f"the grade does not reach the Lead: neither {PARDOT_GRADE}{named} is a Lead field",
            fix=(
                "Map the grade to the Lead (the Account Engagement connector's pi__grade__c) or name the "
                "Lead field that carries the fit in scoring.fit_field."
            ),
            location=scoring.file,
        )
