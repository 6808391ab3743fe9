"""The documented process (process.yaml or .json): validated, located, turned into records.

Errors name the key path and the line, because a consultant edits this file by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from auditor.findings import Severity

Path_ = tuple[str | int, ...]


class ProcessError(Exception):
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

    @property
    def entry_status(self) -> ProcessStatus | None:
        return next((s for s in self.statuses if s.entry), None)

    def status(self, api_name: str) -> ProcessStatus | None:
        return next((s for s in self.statuses if s.api_name == api_name), None)


def schema() -> dict[str, Any]:
    text = resources.files("schemas").joinpath("process.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _scalar(node: yaml.Node) -> Any:
    # SafeLoader resolves tags (int, float, bool, null, date) exactly as yaml.safe_load would
    return yaml.SafeLoader("").construct_object(node)  # type: ignore[no-untyped-call]


def _to_data(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> Any:
    """Convert a composed YAML node, remembering the line of every key path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node))
            result[key] = _to_data(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, path + (i,), lines) for i, item in enumerate(node.value)]
    value = _scalar(node)
    # YAML reads 2027-01-31 as a date; the schema (and JSON) speak of ISO strings
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _error_path(error: jsonschema.ValidationError) -> Path_:
    """The key path of an error; for an unknown key, the key itself, so its line is exact."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(k for k in error.instance if k not in known)
        if extra:
            return path + (extra[0],)
    return path


def _line_for(path: Path_, lines: dict[Path_, int]) -> int:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def _where(path: Path_) -> str:
    return "/".join(str(p) for p in path) or "(top level)"


def load_process(file: Path) -> Process:
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ProcessError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ProcessError(f"{name}: not UTF-8 text ({exc.reason})") from None
    lines: dict[Path_, int] = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ProcessError(f"{name}{line}: not valid YAML or JSON: {problem}") from None
    if node is None:
        raise ProcessError(f"{name}:1: the process file is empty")
    data = _to_data(node, (), lines)
    validator = jsonschema.Draft202012Validator(schema())
    located = sorted(
        ((_line_for(p, lines), p, e.message) for e in validator.iter_errors(data) for p in [_error_path(e)]),
        key=lambda item: (item[0], item[2]),
    )
    if located:
        raise ProcessError("\n".join(f"{name}:{line}: {_where(p)}: {msg}" for line, p, msg in located))
    return _build(name, data, lines)


def _build(name: str, data: dict[str, Any], lines: dict[Path_, int]) -> Process:
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
