"""SC006 score-fields-unmapped: the score is not on the Lead, or the Fit and Engagement fields the
process names are missing.

What: the Lead must carry the score: the Account Engagement connector's ``pi__score__c`` or the
engagement field the process names (``scoring.engagement_field``); and every field the process
names as ``scoring.fit_field`` or ``scoring.engagement_field`` must be a Lead field. The grade is
judged by SC004, which knows whether there is a grading profile.

Why it matters: the SDR works the lead in Salesforce. A score that stays in Account Engagement
cannot drive a list view, a flow or a report, and a flow that reads a field that does not exist
fails at run time (DOMAIN: sync and field mapping to the Lead).

How to fix: install or repair the connector's field mapping (score to ``pi__score__c``), or create
the fields the process names and map the Account Engagement values to them.

Failing example: ``engagement_field: Engagement_Score__c`` and no such field on Lead.

Passing example: ``Engagement_Score__c`` and ``Fit_Score__c`` are Lead fields, named in the process.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import SourceRef
from auditor.scoring.settings import PARDOT_SCORE, scoring_settings

RULE = Rule(
    id="SC006",
    name="score-fields-unmapped",
    severity=Severity.MEDIUM,
    category="scoring",
    summary="The score is not on the Lead, or the Fit and Engagement fields the process names are missing",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    scoring = ctx.require_scoring()
    if not ctx.model.fields:
        raise NotApplicable("the source holds no Lead fields (objects/Lead): retrieve CustomObject:Lead to judge this")
    settings = scoring_settings(ctx.process)
    where = (
        SourceRef(ctx.process.path, settings.source_line) if ctx.process and settings.source_line else scoring.file
    )
    if settings.engagement_field is None:  # a named engagement field is the score's carrier, judged below
        scores = scoring.fields_in_role("score")
        yield ctx.checked("Field:score", scores[0].source if scores else where)
        if not scores:
            yield ctx.finding(
                "Field:score",
                f"the score does not reach the Lead: {PARDOT_SCORE} is not a Lead field and the process names "
                "no engagement field",
                fix="Map the Account Engagement score to the Lead (pi__score__c), or name the Lead field that "
                "carries it in scoring.engagement_field.",
                location=where,
            )
    for role, name in (("fit", settings.fit_field), ("engagement", settings.engagement_field)):
        if name is None:
            continue
        found = ctx.model.field_named(name)
        yield ctx.checked(f"Field:{name}", found.source if found else where)
        if found is None:
            yield ctx.finding(
                f"Field:{name}",
                f"the process names '{name}' as the {role} field, but it is not a Lead field",
                fix=f"Create the Lead field {name} and map the Account Engagement {role} value to it, or correct "
                f"scoring.{role}_field.",
                location=where,
            )
