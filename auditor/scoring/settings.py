"""What the process says the scoring model must respect, with the documented defaults.

DOMAIN.md: "less is more" (50 criteria is the cautionary tale, 8 profile categories too many),
decay over 15, 30 and 45 days, hot leads (demo or price) worked within 4 hours.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.process import Process

DEFAULT_MAX_CRITERIA = 20
DEFAULT_MAX_CATEGORIES = 8
DEFAULT_DECAY_DAYS = (15, 30, 45)
DEFAULT_HOT_SLA_HOURS = 4.0

# The Lead fields the Account Engagement connector writes (the managed package's pi__ namespace).
PARDOT_SCORE = "pi__score__c"
PARDOT_GRADE = "pi__grade__c"
PARDOT_LAST_ACTIVITY = "pi__last_activity__c"


@dataclass(frozen=True)
class ScoringSettings:
    max_criteria: int
    max_categories: int
    decay_days: tuple[int, ...]
    mql_threshold: float | None  # None: the process does not say; automations are then compared with each other
    mql_status: str
    nurture_status: str
    fit_field: str | None
    engagement_field: str | None
    hot_sla_hours: float
    source_line: int | None  # the line of ``scoring:`` in the process file, for findings on the limits

    @property
    def score_fields(self) -> tuple[str, ...]:
        """Lead fields whose value is the engagement score (what an MQL threshold is compared with)."""
        return (PARDOT_SCORE,) + ((self.engagement_field,) if self.engagement_field else ())

    @property
    def grade_fields(self) -> tuple[str, ...]:
        return (PARDOT_GRADE,) + ((self.fit_field,) if self.fit_field else ())


def scoring_settings(process: Process | None) -> ScoringSettings:
    raw = process.scoring if process else {}
    return ScoringSettings(
        max_criteria=int(raw.get("max_criteria", DEFAULT_MAX_CRITERIA)),
        max_categories=int(raw.get("max_categories", DEFAULT_MAX_CATEGORIES)),
        decay_days=tuple(sorted(raw.get("decay_days", DEFAULT_DECAY_DAYS))),
        mql_threshold=float(raw["mql_threshold"]) if "mql_threshold" in raw else None,
        mql_status=str(raw.get("mql_status", "MQL")),
        nurture_status=str(raw.get("nurture_status", "Nurture")),
        fit_field=raw.get("fit_field"),
        engagement_field=raw.get("engagement_field"),
        hot_sla_hours=float(raw.get("hot_sla_hours", DEFAULT_HOT_SLA_HOURS)),
        source_line=process.scoring_line if process else None,
    )
