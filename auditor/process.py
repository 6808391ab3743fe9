"""The documented process (process.yaml or .json): validated, located, turned into records.

Errors name the key path and the line, because a consultant edits this file by hand.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.findings import Severity
from auditor.contracts import load_schema
from auditor.located_yaml import LocatedError, load_validated
from auditor.scoring.file import load_scoring_file
from auditor.scoring.model import ScoringModel

Path_ = tuple[str | int, ...]


class ProcessError(LocatedError):
    """The process file is unusable; the message names the file, line and key path."""


@dataclass(frozen=True)
class ProcessStatus:
    api_name: str
    label: str
    owner: str | None
    sla_hours: float | None
    entry: bool
    terminal: bool
    converted: bool
    required_fields: tuple[str, ...]
    next: tuple[str, ...] | None
    line: int


@dataclass(frozen=True)
class Routing:
    fallback_required: bool
    dimensions: dict[str, tuple[str, ...]]
    precedence: tuple[str, ...]
    hand_raiser_fields: tuple[str, ...]


@dataclass(frozen=True)
class RuleSetting:
    enabled: bool
    severity: Severity | None


@dataclass(frozen=True)
class Waiver:
    rule: str
    subject: str
    reason: str
    expires: dt.date
    line: int


@dataclass(frozen=True)
class Process:
    path: str
    statuses: tuple[ProcessStatus, ...]
    routing: Routing
    escalation: dict[str, float]
    scoring: dict[str, Any]
    reports: tuple[dict[str, Any], ...]
    rule_settings: dict[str, RuleSetting]
    waivers: tuple[Waiver, ...]
    # the scoring model file named by ``scoring_model``: the consultant's part of the merged
    # scoring model (auditor.scoring.build_scoring adds what the org itself says)
    scoring_model: ScoringModel | None = None
    scoring_line: int | None = None  # where ``scoring:`` is, for findings on its limits
    scoring_model_line: int | None = None  # where ``scoring_model:`` is

    @property
    def entry_status(self) -> ProcessStatus | None:
        return next((s for s in self.statuses if s.entry), None)

    def status(self, api_name: str) -> ProcessStatus | None:
        return next((s for s in self.statuses if s.api_name == api_name), None)


def schema() -> dict[str, Any]:
    return load_schema("process.schema.json")


def load_process(file: Path) -> Process:
    name = str(file)
    try:
        data, lines = load_validated(file, schema(), "process file")
    except LocatedError as exc:
        raise ProcessError(str(exc)) from None
    return _build(name, data, lines, _scoring_model(file, data, lines))


def _scoring_model(file: Path, data: dict[str, Any], lines: dict[Path_, int]) -> ScoringModel | None:
    """The scoring model file the process names, relative to the process file (like an include)."""
    relative = data.get("scoring_model")
    if relative is None:
        return None
    target = file.parent / relative
    if not target.is_file():
        raise ProcessError(
            f"{file}:{lines[('scoring_model',)]}: scoring_model: '{relative}' is not a file "
            f"(looked for {target}; the path is relative to the process file)"
        )
    try:
        return load_scoring_file(target)
    except LocatedError as exc:
        raise ProcessError(str(exc)) from None


def _build(name: str, data: dict[str, Any], lines: dict[Path_, int],
           scoring_model: ScoringModel | None = None) -> Process:
    statuses = []
    for i, raw in enumerate(data["statuses"]):
        statuses.append(
            ProcessStatus(
                api_name=raw["api_name"],
                label=raw.get("label", raw["api_name"]),
                owner=raw.get("owner"),
                sla_hours=raw.get("sla_hours"),
                entry=raw.get("entry", False),
                terminal=raw.get("terminal", False) or raw.get("converted", False),
                converted=raw.get("converted", False),
                required_fields=tuple(raw.get("required_fields", ())),
                next=tuple(raw["next"]) if "next" in raw else None,
                line=lines[("statuses", i)],
            )
        )
    _check_consistency(name, statuses, data, lines)
    routing = data.get("routing", {})
    waivers = tuple(
        Waiver(
            rule=w["rule"],
            subject=w["subject"],
            reason=w["reason"],
            expires=_date(name, w["expires"], lines[("waivers", i)]),
            line=lines[("waivers", i)],
        )
        for i, w in enumerate(data.get("waivers", []))
    )
    settings = {
        key: RuleSetting(
            enabled=value.get("enabled", True),
            severity=Severity.parse(value["severity"]) if "severity" in value else None,
        )
        for key, value in data.get("rules", {}).items()
    }
    return Process(
        path=name,
        statuses=tuple(statuses),
        routing=Routing(
            fallback_required=routing.get("fallback_required", True),
            dimensions={k: tuple(v["fields"]) for k, v in routing.get("dimensions", {}).items()},
            precedence=tuple(routing.get("precedence", ())),
            hand_raiser_fields=tuple(routing.get("hand_raiser", {}).get("fields", ())),
        ),
        escalation=dict(data.get("escalation", {})),
        scoring=dict(data.get("scoring", {})),
        reports=tuple(data.get("reports", ())),
        rule_settings=settings,
        waivers=waivers,
        scoring_model=scoring_model,
        scoring_line=lines.get(("scoring",)),
        scoring_model_line=lines.get(("scoring_model",)),
    )


def _date(name: str, text: str, line: int) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ProcessError(f"{name}:{line}: waivers: '{text}' is not a calendar date (YYYY-MM-DD)") from None


def _check_consistency(
    name: str, statuses: list[ProcessStatus], data: dict[str, Any], lines: dict[Path_, int]
) -> None:
    """What the schema cannot say: unique names, one entry status, known next statuses."""
    problems: list[str] = []
    seen: set[str] = set()
    for status in statuses:
        if status.api_name in seen:
            problems.append(f"{name}:{status.line}: statuses: '{status.api_name}' is listed twice")
        seen.add(status.api_name)
    entries = [s for s in statuses if s.entry]
    if len(entries) != 1:
        line = entries[1].line if len(entries) > 1 else lines[("statuses",)]
        problems.append(
            f"{name}:{line}: statuses: exactly one status must have 'entry: true' (found {len(entries)})"
        )
    for i, status in enumerate(statuses):
        for j, target in enumerate(status.next or ()):
            if target not in seen:
                line = lines.get(("statuses", i, "next", j), status.line)
                problems.append(
                    f"{name}:{line}: statuses/{i}/next: '{target}' is not a status of this process"
                )
    for dim in data.get("routing", {}).get("precedence", []):
        if dim not in data.get("routing", {}).get("dimensions", {}):
            problems.append(
                f"{name}:{lines.get(('routing', 'precedence'), 1)}: routing/precedence: "
                f"'{dim}' is not one of the routing dimensions"
            )
    if problems:
        raise ProcessError("\n".join(problems))
