"""SC007 routing-criteria-in-score: the score judges criteria that belong in routing (country,
region).

What: looks at every grading profile criterion, every automation rule that changes the score,
and every Salesforce score formula field or scoring flow, for a geography field: Country, State,
City, PostalCode and their codes, any field named like a region, and the fields of the process's
``routing.dimensions.geography``.

Why it matters: things like country belong in routing, not in the score (DOMAIN: less is more).
A lead from the wrong region is not a worse lead; scoring it down hides it from the rep who
covers that region and makes the model harder to explain.

How to fix: remove the geography criteria from the score and route on them instead (an
assignment rule entry per region, with a fallback).

Failing example: the grading profile "Manufacturing ICP" gives +1/3 for ``Country is Germany``.

Passing example: the profile grades industry and company size; Country is read only by the
assignment rule.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import SourceRef
from auditor.scoring.queries import describe, subject_of
from auditor.scoring.salesforce import field_key

RULE = Rule(
    id="SC007",
    name="routing-criteria-in-score",
    severity=Severity.LOW,
    category="scoring",
    summary="The score judges criteria that belong in routing (country, region)",
)

GEOGRAPHY = frozenset({
    "country", "countrycode", "state", "statecode", "city", "postalcode", "address",
    "pi__country__c", "pi__state__c", "pi__city__c", "pi__zip__c",
})


def _is_geography(name: str, named: frozenset[str]) -> bool:
    key = field_key(name)
    return key in GEOGRAPHY or key in named or "region" in key


def _judged(ctx: CheckContext) -> Iterator[tuple[str, str, tuple[str, ...], SourceRef, tuple[SourceRef, ...]]]:
    """(subject, what, fields judged, where, where each field is judged) of everything that makes a score."""
    scoring = ctx.require_scoring()
    for profile in scoring.grading_profiles:
        yield (f"GradingProfile:{profile.name}", f"grading profile '{profile.name}'",
               tuple(c.field for c in profile.criteria), profile.source, profile.criterion_sources)
    for rule in scoring.automation_rules:
        if any(a.kind in ("adjust_score", "set_score") for a in rule.actions):
            yield subject_of(rule), describe(rule), tuple(c.field for c in rule.criteria), rule.source, ()
    for formula in scoring.score_formulas:
        prefix = "FormulaField" if formula.kind == "formula field" else "Flow"
        yield (f"{prefix}:{formula.name}", f"{formula.kind} {formula.name}", formula.criteria_fields,
               formula.source, ())


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    named = frozenset(
        field_key(f) for f in (ctx.process.routing.dimensions.get("geography", ()) if ctx.process else ())
    )
    for subject, what, fields, where, per_field in _judged(ctx):
        yield ctx.checked(subject, where)
        hits = [i for i, name in enumerate(fields) if _is_geography(name, named)]
        if not hits:
            continue
        names = ", ".join(dict.fromkeys(fields[i] for i in hits))
        yield ctx.finding(
            subject,
            f"{what} judges {names}: geography belongs in routing, not in the score",
            fix=f"Remove {names} from {what} and route on it in the assignment rule instead.",
            location=per_field[hits[0]] if per_field else where,
        )
