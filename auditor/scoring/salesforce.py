"""What the Salesforce metadata says about scoring: score and grade fields on Lead, formula
fields and flows that compute a score, and flows that act on score or grade (setting MQL, decay).

A flow is read as an AutomationRule so checks compare it with Account Engagement's own rules
on one footing. Formulas go through auditor.formula, never through regexes.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.formula import FormulaError, fields_read, parse_formula
from auditor.model import Flow, FlowCondition, FlowFilter, FlowValue, LeadField, Model
from auditor.scoring.model import (
    DAYS_INACTIVE,
    GRADE,
    SCORE,
    Action,
    AutomationRule,
    Criterion,
    Origin,
    ScoreField,
    ScoreFormula,
    ScoringModel,
)
from auditor.scoring.settings import PARDOT_LAST_ACTIVITY, ScoringSettings

ORIGIN: Origin = "salesforce metadata"

# Flow operators as the comparison a person writes.
_OPERATORS = {
    "EqualTo": "=",
    "NotEqualTo": "!=",
    "GreaterThan": ">",
    "GreaterThanOrEqualTo": ">=",
    "LessThan": "<",
    "LessThanOrEqualTo": "<=",
    "Contains": "contains",
}
# Fields a score flow tests only to decide *whether* to run, not *how much* the lead is worth.
_GUARDS = frozenset({"status", "isconverted", "recordtypeid"})


def field_key(reference: str) -> str:
    """``$Record.Fit_Score__c`` and ``Lead.Fit_Score__c`` both name the Lead field ``fit_score__c``."""
    lowered = reference.strip().lower()
    for prefix in ("$record__prior.", "$record.", "lead."):
        if lowered.startswith(prefix):
            return lowered[len(prefix):]
    return lowered


def bare_name(reference: str) -> str:
    """``$Record.Fit_Score__c`` -> ``Fit_Score__c``: the field as a person names it, case kept."""
    text = reference.strip()
    return text[len(text) - len(field_key(text)):]


def _distinct(references: list[str], leave_out: set[str]) -> tuple[str, ...]:
    """Field names as first written, one per field (Salesforce ignores case), sorted by key."""
    found: dict[str, str] = {}
    for reference in references:
        key = field_key(reference)
        if key and key not in leave_out:
            found.setdefault(key, bare_name(reference))
    return tuple(found[key] for key in sorted(found))


def _is_score_like(name: str, settings: ScoringSettings) -> bool:
    """A field that holds a score or grade: the process's or the connector's, or one named so."""
    key = field_key(name)
    named = {f.lower() for f in settings.score_fields + settings.grade_fields}
    return key in named or key.endswith(("score__c", "grade__c"))


def salesforce_scoring(model: Model, settings: ScoringSettings) -> ScoringModel:
    part = ScoringModel(
        score_fields=tuple(_score_fields(model, settings)),
        score_formulas=tuple(_formula_fields(model, settings)) + tuple(_scoring_flows(model, settings)),
        automation_rules=tuple(_flow_rules(model, settings)),
    )
    return ScoringModel(
        score_fields=part.score_fields,
        score_formulas=part.score_formulas,
        automation_rules=part.automation_rules,
        origins=(ORIGIN,) if not part.is_empty else (),
    )


def _score_fields(model: Model, settings: ScoringSettings) -> Iterator[ScoreField]:
    roles = [(name, SCORE) for name in settings.score_fields] + [(name, GRADE) for name in settings.grade_fields]
    roles.append((PARDOT_LAST_ACTIVITY, "last activity"))
    if settings.fit_field:
        roles.append((settings.fit_field, "fit"))
    if settings.engagement_field:
        roles.append((settings.engagement_field, "engagement"))
    for name, role in roles:
        found: LeadField | None = model.field_named(name)
        if found is not None:
            yield ScoreField(role, found.name, ORIGIN, found.source)


def _formula_fields(model: Model, settings: ScoringSettings) -> Iterator[ScoreFormula]:
    for lead_field in model.fields:
        if not lead_field.formula or not _is_score_like(lead_field.name, settings):
            continue
        try:
            tree = parse_formula(lead_field.formula)
        except FormulaError:
            continue  # VR003 reports formulas that do not parse; an unread formula judges nothing here
        judged = _distinct(sorted(fields_read(tree)), {lead_field.name.lower()})
        yield ScoreFormula("formula field", lead_field.name, judged, ORIGIN, lead_field.source)


def _conditions(flow: Flow) -> list[FlowCondition | FlowFilter]:
    found: list[FlowCondition | FlowFilter] = list(flow.filters)
    for decision in flow.decisions:
        for outcome in decision.outcomes:
            found.extend(outcome.conditions)
    return found


def _left(condition: FlowCondition | FlowFilter) -> str:
    return condition.left if isinstance(condition, FlowCondition) else condition.field


def _right(condition: FlowCondition | FlowFilter) -> FlowValue | None:
    return condition.right if isinstance(condition, FlowCondition) else condition.value


def _writes(flow: Flow) -> list[tuple[str, str, FlowValue | None]]:
    """(field key, operator, value) of every write to a Lead field the flow makes."""
    return [
        (field_key(assignment.field), assignment.operator, assignment.value)
        for element in flow.elements
        for assignment in element.field_assignments
    ]


def _scoring_flows(model: Model, settings: ScoringSettings) -> Iterator[ScoreFormula]:
    """Active Lead flows that write a score: every field their conditions test is a criterion."""
    for flow in model.lead_flows:
        written = {key for key, _op, _value in _writes(flow) if _is_score_like(key, settings)}
        if not flow.is_active or not written:
            continue
        judged = _distinct([_left(c) for c in _conditions(flow)], written | _GUARDS)
        if judged:
            yield ScoreFormula("flow", flow.name, judged, ORIGIN, flow.source)


def _number(value: FlowValue | None) -> float | str | None:
    if value is None:
        return None
    try:
        return float(value.text)
    except ValueError:
        return value.text


def _flow_rules(model: Model, settings: ScoringSettings) -> Iterator[AutomationRule]:
    """Flows read as automation rules: MQL on score and grade, and score decay after inactivity."""
    score_keys = {f.lower() for f in settings.score_fields}
    grade_keys = {f.lower() for f in settings.grade_fields}
    for flow in model.lead_flows:
        criteria: list[Criterion] = []
        for condition in _conditions(flow):
            key = field_key(_left(condition))
            role = SCORE if key in score_keys else GRADE if key in grade_keys else None
            operator = _OPERATORS.get(condition.operator)
            if role and operator:
                criteria.append(Criterion(role, operator, _number(_right(condition))))
        actions: list[Action] = []
        for key, operator, value in _writes(flow):
            if key == "status" and operator == "Assign" and value is not None:
                actions.append(Action("set_status", value.text))
            elif key in score_keys and operator == "Subtract":
                number = _number(value)
                actions.append(Action("adjust_score", -number if isinstance(number, float) else number))
        decays = any(a.kind == "adjust_score" for a in actions)
        for path in flow.scheduled_paths:
            if decays and path.offset_unit == "Days" and path.offset_number:
                # a scheduled path N days after the last activity (or the trigger) that lowers the score
                criteria.append(Criterion(DAYS_INACTIVE, ">=", float(path.offset_number)))
        if actions and criteria:
            yield AutomationRule(flow.name, flow.is_active, tuple(criteria), tuple(actions), ORIGIN, flow.source,
                                 kind="flow")
