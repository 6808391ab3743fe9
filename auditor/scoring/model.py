"""The Account Engagement scoring model: one set of records whatever source each piece came from.

Account Engagement has no API for scoring rules, grading profiles, automation rules, page actions
or completion actions, so the model is merged from a scoring model file a consultant writes, the
Salesforce metadata (score fields, score formulas, flows on score and grade) and, live, the
Account Engagement API (forms, nurture programs). Every piece says where it came from
(``origin`` and ``source``), so a finding can point to the file and line to open and a reader
knows whether to fix the file, the org or Account Engagement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditor.model import SourceRef

Origin = Literal["scoring file", "salesforce metadata", "account engagement api"]
ORIGINS: tuple[Origin, ...] = ("scoring file", "salesforce metadata", "account engagement api")

#: Criterion fields with a meaning of their own in automation rules (Account Engagement's
#: "Prospect score", "Prospect grade", "Prospect time: last activity N days ago").
SCORE = "score"
GRADE = "grade"
DAYS_INACTIVE = "days_since_last_activity"

#: Actions that move a lead to a person or queue at once: the fast route of a hand-raiser.
ROUTING_ACTIONS = frozenset({"assign_user", "assign_queue", "assign_rule", "notify_user", "create_task"})


@dataclass(frozen=True)
class Action:
    """What a rule or form does: ``adjust_score -10``, ``set_status MQL``, ``assign_queue Hot_Leads``."""

    kind: str  # adjust_score, set_score, set_status, set_field, assign_user, assign_queue, ...
    value: str | float | None
    field: str | None = None  # for set_field: the Lead or prospect field written

    def describe(self) -> str:
        value = f"{self.value:g}" if isinstance(self.value, float) else self.value
        target = f" {self.field} =" if self.field else ""
        return f"{self.kind}{target} {value}" if value is not None else self.kind


@dataclass(frozen=True)
class Criterion:
    """One condition: ``score >= 100``, ``grade >= B``, ``Country is Germany``."""

    field: str
    operator: str  # >=, >, <=, <, =, !=, is, is_not, contains
    value: str | float | None

    def describe(self) -> str:
        value = f"{self.value:g}" if isinstance(self.value, float) else self.value
        return f"{self.field} {self.operator} {value}"


@dataclass(frozen=True)
class ScoringCategory:
    name: str
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class ScoringRule:
    """Points for an activity (an email click, a pricing page visit), in a category or not."""

    activity: str
    points: float
    category: str | None
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class GradingProfile:
    name: str
    criteria: tuple[Criterion, ...]
    origin: Origin
    source: SourceRef
    criterion_sources: tuple[SourceRef, ...] = ()  # one per criterion, for findings on a single one


@dataclass(frozen=True)
class AutomationRule:
    """A rule that acts when its criteria hold: an Account Engagement automation rule, or a
    Salesforce flow read as one (its conditions as criteria, its status and field writes as actions)."""

    name: str
    active: bool
    criteria: tuple[Criterion, ...]
    actions: tuple[Action, ...]
    origin: Origin
    source: SourceRef
    kind: str = "automation rule"  # "automation rule" or "flow": how messages name it


@dataclass(frozen=True)
class PageAction:
    """Account Engagement page action: visiting a page (pricing, contact) changes score or status."""

    name: str
    url: str | None
    actions: tuple[Action, ...]
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class Form:
    """A form or form handler and its completion actions; a hand-raiser asks for contact, a demo or a price."""

    name: str
    hand_raiser: bool
    completion_actions: tuple[Action, ...]
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class NurtureProgram:
    """An Engagement Studio program; ``status`` is the Lead Status it nurtures (None: not said)."""

    name: str
    active: bool
    status: str | None
    re_engagement_days: int | None
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class ScoreField:
    """A Lead field that carries the score or the grade into Salesforce."""

    role: str  # "score", "grade", "last activity", "fit", "engagement"
    field: str
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class ScoreFormula:
    """A Salesforce formula field or flow that computes a score: each field it judges is a criterion."""

    kind: str  # "formula field" or "flow"
    name: str
    criteria_fields: tuple[str, ...]
    origin: Origin
    source: SourceRef


@dataclass(frozen=True)
class ScoringModel:
    """Everything known about scoring and grading, merged from every source that said something."""

    categories: tuple[ScoringCategory, ...] = ()
    scoring_rules: tuple[ScoringRule, ...] = ()
    grading_profiles: tuple[GradingProfile, ...] = ()
    automation_rules: tuple[AutomationRule, ...] = ()
    page_actions: tuple[PageAction, ...] = ()
    forms: tuple[Form, ...] = ()
    nurture_programs: tuple[NurtureProgram, ...] = ()
    score_fields: tuple[ScoreField, ...] = ()
    score_formulas: tuple[ScoreFormula, ...] = ()
    origins: tuple[Origin, ...] = ()  # the sources that contributed, in ORIGINS order
    file: SourceRef | None = None  # the scoring model file, when there is one

    @property
    def is_empty(self) -> bool:
        return not any((
            self.categories, self.scoring_rules, self.grading_profiles, self.automation_rules,
            self.page_actions, self.forms, self.nurture_programs, self.score_fields, self.score_formulas,
        )) and self.file is None

    def fields_in_role(self, role: str) -> tuple[ScoreField, ...]:
        return tuple(f for f in self.score_fields if f.role == role)


def merge(parts: tuple[ScoringModel, ...] | list[ScoringModel]) -> ScoringModel:
    """One model from several sources; pieces are kept side by side, never deduplicated away,
    so a rule that exists both in the file and in the org is seen twice and can disagree."""
    present = {origin for part in parts for origin in part.origins}
    return ScoringModel(
        categories=tuple(c for p in parts for c in p.categories),
        scoring_rules=tuple(r for p in parts for r in p.scoring_rules),
        grading_profiles=tuple(g for p in parts for g in p.grading_profiles),
        automation_rules=tuple(a for p in parts for a in p.automation_rules),
        page_actions=tuple(a for p in parts for a in p.page_actions),
        forms=tuple(f for p in parts for f in p.forms),
        nurture_programs=tuple(n for p in parts for n in p.nurture_programs),
        score_fields=tuple(f for p in parts for f in p.score_fields),
        score_formulas=tuple(f for p in parts for f in p.score_formulas),
        origins=tuple(o for o in ORIGINS if o in present),
        file=next((p.file for p in parts if p.file is not None), None),
    )
