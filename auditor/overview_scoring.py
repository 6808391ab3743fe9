"""The scoring section of the report: categories, criteria against the limit, MQL thresholds and
score decay windows, as the SC rules read them (the same queries, so report and rules agree)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.model import SourceRef
from auditor.scoring.model import ScoringModel
from auditor.scoring.queries import (
    criteria_contributors,
    decay_rules,
    describe,
    mql_automations,
    score_threshold,
)
from auditor.scoring.settings import scoring_settings

if TYPE_CHECKING:
    from auditor.findings import Finding
    from auditor.process import Process


@dataclass(frozen=True)
class CategoryRow:
    name: str
    rules: int  # scoring rules in the category
    origin: str  # "scoring file", "salesforce metadata", "account engagement api"
    location: SourceRef


@dataclass(frozen=True)
class ThresholdRow:
    """Something that acts at a number: an MQL threshold (score) or a decay window (days)."""

    what: str  # "automation rule 'MQL at 100'", "flow Lead_Set_MQL"
    value: float
    origin: str
    location: SourceRef


@dataclass(frozen=True)
class ScoringOverview:
    origins: tuple[str, ...]  # the sources the model was merged from
    categories: tuple[CategoryRow, ...]
    max_categories: int
    criteria: int  # scoring rules + grading criteria + fields judged by Salesforce score formulas and flows
    max_criteria: int
    contributors: tuple[str, ...]  # "grading profile 'ICP' (9)", biggest first
    mql_threshold: float | None  # the process's threshold; None when it does not say
    mql_automations: tuple[ThresholdRow, ...]  # what makes a lead MQL, at which score
    decay_days: tuple[int, ...]  # the process's inactivity windows
    decay_rules: tuple[ThresholdRow, ...]  # what lowers the score, after how many days
    notes: tuple[str, ...]  # the messages of the scoring findings (rule id first)
    location: SourceRef | None  # the scoring model file, when there is one


def build_scoring_overview(scoring: ScoringModel | None, process: "Process | None",
                           findings: Sequence["Finding"]) -> ScoringOverview | None:
    if scoring is None:
        return None
    settings = scoring_settings(process)
    per_category = Counter(rule.category for rule in scoring.scoring_rules)
    contributors = criteria_contributors(scoring)
    return ScoringOverview(
        origins=tuple(scoring.origins),
        categories=tuple(
            CategoryRow(c.name, per_category.get(c.name, 0), c.origin, c.source) for c in scoring.categories
        ),
        max_categories=settings.max_categories,
        criteria=sum(c.criteria for c in contributors),
        max_criteria=settings.max_criteria,
        contributors=tuple(f"{c.what} ({c.criteria})" for c in contributors),
        mql_threshold=settings.mql_threshold,
        mql_automations=tuple(
            ThresholdRow(describe(rule), score_threshold(rule) or 0.0, rule.origin, rule.source)
            for rule in mql_automations(scoring, settings.mql_status)
        ),
        decay_days=settings.decay_days,
        decay_rules=tuple(
            ThresholdRow(describe(rule), days, rule.origin, rule.source) for days, rule in decay_rules(scoring)
        ),
        notes=tuple(sorted({f"{f.rule_id}: {f.message}" for f in findings if f.rule_id.startswith("SC")})),
        location=scoring.file,
    )
