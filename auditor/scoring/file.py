"""The scoring model file (YAML or JSON, schemas/scoring.schema.json) a consultant writes or exports.

Errors are located exactly like the process file's (``file:line: key/path: message``): the file
is edited by hand, and Account Engagement offers no export to compare it with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.contracts import load_schema
from auditor.located_yaml import LocatedError, Lines, load_validated, where
from auditor.model import SourceRef
from auditor.scoring.model import (
    Action,
    AutomationRule,
    Criterion,
    Form,
    GradingProfile,
    NurtureProgram,
    Origin,
    PageAction,
    ScoringCategory,
    ScoringModel,
    ScoringRule,
)

ORIGIN: Origin = "scoring file"


def load_scoring_file(file: Path) -> ScoringModel:
    """Read and validate the scoring model file; raises LocatedError naming every problem."""
    data, lines = load_validated(file, load_schema("scoring.schema.json"), "scoring model file")
    name = str(file)
    _check_consistency(name, data, lines)
    return _build(name, data, lines)


def _ref(name: str, lines: Lines, *path: str | int) -> SourceRef:
    return SourceRef(name, lines.get(tuple(path), 1))


def _value(raw: Any) -> str | float | None:
    if raw is None:
        return None
    if isinstance(raw, bool):  # a YAML true is a checkbox value, not the number 1
        return "true" if raw else "false"
    if isinstance(raw, (int, float)):
        return float(raw)
    return str(raw)


def _actions(raw: list[dict[str, Any]]) -> tuple[Action, ...]:
    return tuple(Action(kind=a["action"], value=_value(a.get("value")), field=a.get("field")) for a in raw)


def _criteria(raw: list[dict[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(Criterion(field=c["field"], operator=c["operator"], value=_value(c["value"])) for c in raw)


def _build(name: str, data: dict[str, Any], lines: Lines) -> ScoringModel:
    return ScoringModel(
        categories=tuple(
            ScoringCategory(c["name"], ORIGIN, _ref(name, lines, "categories", i))
            for i, c in enumerate(data.get("categories", []))
        ),
        scoring_rules=tuple(
            ScoringRule(r["activity"], float(r["points"]), r.get("category"), ORIGIN,
                        _ref(name, lines, "scoring_rules", i))
            for i, r in enumerate(data.get("scoring_rules", []))
        ),
        grading_profiles=tuple(
            GradingProfile(
                g["name"], _criteria(g["criteria"]), ORIGIN, _ref(name, lines, "grading_profiles", i),
                criterion_sources=tuple(
                    _ref(name, lines, "grading_profiles", i, "criteria", j) for j in range(len(g["criteria"]))
                ),
            )
            for i, g in enumerate(data.get("grading_profiles", []))
        ),
        automation_rules=tuple(
            AutomationRule(a["name"], a.get("active", True), _criteria(a["criteria"]), _actions(a["actions"]),
                           ORIGIN, _ref(name, lines, "automation_rules", i))
            for i, a in enumerate(data.get("automation_rules", []))
        ),
        page_actions=tuple(
            PageAction(p["name"], p.get("url"), _actions(p["actions"]), ORIGIN, _ref(name, lines, "page_actions", i))
            for i, p in enumerate(data.get("page_actions", []))
        ),
        forms=tuple(
            Form(f["name"], f.get("hand_raiser", False), _actions(f.get("completion_actions", [])), ORIGIN,
                 _ref(name, lines, "forms", i))
            for i, f in enumerate(data.get("forms", []))
        ),
        nurture_programs=tuple(
            NurtureProgram(n["name"], n.get("active", True), n.get("status"), n.get("re_engagement_days"), ORIGIN,
                           _ref(name, lines, "nurture_programs", i))
            for i, n in enumerate(data.get("nurture_programs", []))
        ),
        origins=(ORIGIN,),
        file=SourceRef(name, 1),
    )


def _check_consistency(name: str, data: dict[str, Any], lines: Lines) -> None:
    """What the schema cannot say: unique names per kind, categories that exist, numeric thresholds."""
    problems: list[tuple[int, str]] = []  # (line, message): reported in file order
    for key in ("categories", "grading_profiles", "automation_rules", "page_actions", "forms", "nurture_programs"):
        seen: set[str] = set()
        for i, item in enumerate(data.get(key, [])):
            if item["name"] in seen:
                problems.append((lines[(key, i)], f"{key}: '{item['name']}' is listed twice"))
            seen.add(item["name"])
    categories = {c["name"] for c in data.get("categories", [])}
    for i, rule in enumerate(data.get("scoring_rules", [])):
        category = rule.get("category")
        if category is not None and category not in categories:
            path: tuple[str | int, ...] = ("scoring_rules", i, "category")
            problems.append((lines[path], f"{where(path)}: '{category}' is not one of the categories"))
    for i, rule in enumerate(data.get("automation_rules", [])):
        for j, criterion in enumerate(rule["criteria"]):
            numeric = criterion["field"] in ("score", "days_since_last_activity")
            if numeric and (isinstance(criterion["value"], bool) or not isinstance(criterion["value"], (int, float))):
                value_path: tuple[str | int, ...] = ("automation_rules", i, "criteria", j, "value")
                problems.append((lines[value_path], f"{where(value_path)}: {criterion['field']} is compared with a number"))
    if problems:
        raise LocatedError("\n".join(f"{name}:{line}: {message}" for line, message in sorted(problems)))
