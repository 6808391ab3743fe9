"""Questions several rules and the report ask of a scoring model, answered once.

Criteria are what "less is more" counts: every scoring rule, every grading criterion, and every
field a Salesforce score formula or scoring flow judges. Automation rules are not criteria: they
act on the score, they do not make it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from auditor.model import SourceRef
from auditor.scoring.model import DAYS_INACTIVE, SCORE, AutomationRule, ScoringModel


@dataclass(frozen=True)
class Contributor:
    what: str  # "grading profile 'ICP'", "category 'Email'", "formula field Fit_Score__c"
    criteria: int
    source: SourceRef


def criteria_contributors(scoring: ScoringModel) -> list[Contributor]:
    """Who adds criteria, biggest first (then by name, so messages are stable)."""
    found: list[Contributor] = []
    by_category = Counter(rule.category for rule in scoring.scoring_rules)
    first_rule: dict[str | None, SourceRef] = {}
    for rule in scoring.scoring_rules:
        first_rule.setdefault(rule.category, rule.source)
    for category, count in by_category.items():
        what = f"category '{category}'" if category else "uncategorised scoring rules"
        found.append(Contributor(what, count, first_rule[category]))
    for profile in scoring.grading_profiles:
        found.append(Contributor(f"grading profile '{profile.name}'", len(profile.criteria), profile.source))
    for formula in scoring.score_formulas:
        found.append(Contributor(f"{formula.kind} {formula.name}", len(formula.criteria_fields), formula.source))
    return sorted((c for c in found if c.criteria), key=lambda c: (-c.criteria, c.what))


def criteria_count(scoring: ScoringModel) -> int:
    return sum(c.criteria for c in criteria_contributors(scoring))


def sets_status(rule: AutomationRule, status: str) -> bool:
    return any(
        (a.kind == "set_status" and a.value == status) or (a.kind == "set_field" and (a.field or "").lower() == "status"
                                                           and a.value == status)
        for a in rule.actions
    )


def score_threshold(rule: AutomationRule) -> float | None:
    """The score at which the rule fires (``score >= 100`` and ``score > 99`` both say 100)."""
    for criterion in rule.criteria:
        if criterion.field == SCORE and isinstance(criterion.value, float):
            if criterion.operator == ">=":
                return criterion.value
            if criterion.operator == ">":
                return criterion.value + 1
    return None


def mql_automations(scoring: ScoringModel, mql_status: str) -> list[AutomationRule]:
    """Active rules and flows that set the MQL status on a score threshold."""
    return [
        r for r in scoring.automation_rules
        if r.active and sets_status(r, mql_status) and score_threshold(r) is not None
    ]


def decay_days(rule: AutomationRule) -> float | None:
    """The inactivity (in days) after which an active rule lowers the score; None: not a decay rule."""
    lowers = any(
        (a.kind == "adjust_score" and isinstance(a.value, float) and a.value < 0) or a.kind == "set_score"
        for a in rule.actions
    )
    if not rule.active or not lowers:
        return None
    days = [c.value for c in rule.criteria if c.field == DAYS_INACTIVE and isinstance(c.value, float)
            and c.operator in (">=", ">", "=")]
    return min(days) if days else None


def decay_rules(scoring: ScoringModel) -> list[tuple[float, AutomationRule]]:
    found = [(days, rule) for rule in scoring.automation_rules for days in [decay_days(rule)] if days is not None]
    return sorted(found, key=lambda item: (item[0], item[1].name))


def describe(rule: AutomationRule) -> str:
    """``automation rule 'MQL at 100' (scoring file)`` or ``flow Lead_Set_MQL``."""
    if rule.kind == "flow":
        return f"flow {rule.name}"
    return f"{rule.kind} '{rule.name}'"


def knows_account_engagement(scoring: ScoringModel) -> bool:
    """True when something reports Account Engagement's own configuration (rules, profiles, forms,
    programs): the scoring model file or the live API. Salesforce metadata never holds them, so
    without either, their absence proves nothing."""
    return scoring.file is not None or "account engagement api" in scoring.origins


def subject_of(rule: AutomationRule) -> str:
    return f"Flow:{rule.name}" if rule.kind == "flow" else f"AutomationRule:{rule.name}"


def limits_location(process_path: str | None, line: int | None, scoring: ScoringModel) -> SourceRef | None:
    """Where the limits are written (``scoring:`` in the process file), else the scoring file."""
    if process_path and line:
        return SourceRef(process_path, line)
    return scoring.file or (SourceRef(process_path) if process_path else None)
