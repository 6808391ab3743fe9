"""SC001 scoring-criteria-limit: more scoring and grading criteria than the process allows.

What: counts the criteria of the scoring model: every scoring rule of the scoring model file,
every criterion of its grading profiles, and every field a Salesforce score formula field or
scoring flow judges; the count is compared with ``scoring.max_criteria`` of the process file
(default 20). The scoring categories are compared with ``scoring.max_categories`` (default 8).
The message gives the count, the limit and the biggest contributors.

Why it matters: less is more. A model with too many criteria cuts the number of leads and nobody
can explain why a lead scored what it did (DOMAIN: a client wanted 8 profile categories; 50
criteria is the cautionary tale).

How to fix: drop the criteria that do not separate good leads from bad ones, starting with the
biggest contributors; merge categories; move routing criteria (country, region) out of the score.

Failing example: ``max_criteria: 20`` and a grading profile with 14 criteria next to 9 scoring
rules: 23 criteria.

Passing example: 6 scoring rules in 3 categories and a grading profile with 5 criteria: 11.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.scoring.queries import criteria_contributors, limits_location
from auditor.scoring.settings import scoring_settings

RULE = Rule(
    id="SC001",
    name="scoring-criteria-limit",
    severity=Severity.MEDIUM,
    category="scoring",
    summary="The scoring model has more scoring and grading criteria than the process allows",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    scoring = ctx.require_scoring()
    settings = scoring_settings(ctx.process)
    limits = limits_location(ctx.process.path if ctx.process else None, settings.source_line, scoring)
    said = "max_criteria" in (ctx.process.scoring if ctx.process else {})
    contributors = criteria_contributors(scoring)
    count = sum(c.criteria for c in contributors)
    yield ctx.checked("Scoring:criteria", limits)
    if count > settings.max_criteria:
        biggest = ", ".join(f"{c.what} ({c.criteria})" for c in contributors[:3])
        yield ctx.finding(
            "Scoring:criteria",
            f"the scoring model has {count} scoring and grading criteria, more than the limit of "
            f"{settings.max_criteria}{'' if said else ' (the default; set scoring.max_criteria)'}; "
            f"the biggest contributors: {biggest}",
            fix=(
                f"Cut {count - settings.max_criteria} or more criteria that do not separate good leads from bad "
                f"ones, starting with {contributors[0].what}; move country and region into routing."
            ),
            location=contributors[0].source,
        )
    if not scoring.categories:
        return
    yield ctx.checked("Scoring:categories", scoring.categories[0].source)
    if len(scoring.categories) > settings.max_categories:
        yield ctx.finding(
            "Scoring:categories",
            f"the scoring model has {len(scoring.categories)} scoring categories, more than the limit of "
            f"{settings.max_categories}",
            fix="Merge categories that measure the same interest (email, web, forms are usually enough).",
            location=scoring.categories[settings.max_categories].source,
        )
