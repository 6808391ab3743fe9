"""JSON report: the whole result, the contract other tools read.

Its shape is fixed by schemas/report.schema.json; change both together. Keys are sorted and
lists ordered by reports.common, so two runs over the same org give identical files.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from auditor.findings import AuditResult, Checked, Finding, RuleOutcome, WaivedFinding
from auditor.measurements import Measurement
from auditor.model import FileRecord, SourceRef
from reports import jsontext
from reports.score import AreaScore, area_scores
from reports.common import (
    AREA_ORDER,
    SEVERITIES_DESC,
    ordered_findings,
    ordered_outcomes,
    ordered_reasons,
    ordered_waived,
)

TOOL_NAME = "leadaudit"

Document = dict[str, Any]


def _location(ref: SourceRef | None) -> Document | None:
    return None if ref is None else {"path": ref.path, "line": ref.line}


def _finding(finding: Finding, baseline_state: str | None = None) -> Document:
    return {
        "fingerprint": finding.fingerprint,
        "baseline_state": baseline_state,
        "rule_id": finding.rule_id,
        "rule_name": finding.rule_name,
        "severity": finding.severity.label,
        "category": finding.category,
        "area": finding.area,
        "subject": finding.subject,
        "message": finding.message,
        "fix": finding.fix,
        "location": _location(finding.location),
        "related": list(finding.related),
    }


def _waived(waived: WaivedFinding) -> Document:
    # Flat: a waived entry is a finding plus why and until when, so readers reuse one shape.
    return {**_finding(waived.finding), "reason": waived.reason, "expires": waived.expires}


def _passed(checked: Checked) -> Document:
    return {"rule_id": checked.rule_id, "subject": checked.subject, "location": _location(checked.location)}


def _score(score: AreaScore) -> Document:
    return {
        "area": score.area,
        "score": score.score,
        "checked": score.checked,
        "failed": score.failed,
        "checked_weight": score.checked_weight,
        "failed_weight": score.failed_weight,
    }


def _baseline(result: AuditResult) -> Document | None:
    if result.baseline is None:
        return None
    states = [result.baseline_state(f) for f in result.findings]
    return {
        "path": result.baseline.path,
        "generated_at": result.baseline.generated_at,
        "new": states.count("new"),
        "unchanged": states.count("unchanged"),
        "resolved": [_finding(f) for f in ordered_findings(result.resolved_since_baseline)],
    }


def _measurement(measurement: Measurement) -> Document:
    return {
        "id": measurement.id,
        "title": measurement.title,
        "available": measurement.available,
        "value": measurement.value,
        "unit": measurement.unit,
        "detail": measurement.detail,
        "breakdown": [{"status": status, "value": value} for status, value in measurement.breakdown],
    }


def _overview(result: AuditResult) -> Document | None:
    """The lifecycle and routing table the HTML report draws, as data (field names as in
    auditor/overview.py; tuples become lists, source references {path, line})."""
    if result.overview is None:
        return None
    overview: Document = _plain(result.overview)
    return overview


def _plain(value: Any) -> Any:
    if isinstance(value, SourceRef):
        return _location(value)
    names = _field_names(type(value))
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value


# A dataclass's field names (None: not a dataclass), looked up once per class: the overview of a
# large org holds thousands of instances of a handful of classes.
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELD_NAMES:
        is_dataclass = dataclasses.is_dataclass(cls)
        _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dataclass else None
    return _FIELD_NAMES[cls]


def _rule(outcome: RuleOutcome) -> Document:
    rule = outcome.rule
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity.label,
        "area": rule.area,
        "status": outcome.status,
        "reason": outcome.reason,
    }


def _file(record: FileRecord) -> Document:
    return {"path": record.path, "kind": record.kind, "status": record.status}


def _summary(result: AuditResult) -> Document:
    by_area = {area: 0 for area in AREA_ORDER}
    for finding in result.findings:
        by_area[finding.area] = by_area.get(finding.area, 0) + 1
    summary: Document = {
        "findings": len(result.findings),
        "waived": len(result.waived),
        "by_area": by_area,
    }
    summary.update({sev.label: result.count(sev) for sev in SEVERITIES_DESC})
    return summary


def _sections(result: AuditResult) -> Document:
    """The document, its long lists as generators: render() writes each entry and drops it.

    Why: held all at once, a large org's tens of thousands of entry dicts outlive the young
    generation, and promoting that many makes the garbage collector walk the whole heap (the
    parsed org included) in the middle of rendering.
    """
    return {
        "tool": {"name": TOOL_NAME, "version": result.tool_version},
        "source": result.source,
        "process_file": result.process_file,
        "generated_at": result.generated_at,
        "complete": result.complete,
        "incomplete_reasons": ordered_reasons(result),
        "summary": _summary(result),
        "findings": (_finding(f, result.baseline_state(f)) for f in ordered_findings(result.findings)),
        "waived": (_waived(w) for w in ordered_waived(result.waived)),
        "rules": [_rule(o) for o in ordered_outcomes(result.outcomes)],
        "files": (_file(r) for r in sorted(result.files, key=lambda r: (r.path, r.kind, r.status))),
        "passed": (_passed(c) for c in sorted(result.passed, key=Checked.sort_key)),
        "scores": [_score(s) for s in area_scores(result)],
        "baseline": _baseline(result),
        "overview": _overview(result),
        "measurements": [_measurement(m) for m in result.measurements],
    }


def as_document(result: AuditResult) -> Document:
    """The report as plain JSON-ready data (also what a baseline comparison can read back)."""
    return {key: list(value) if isinstance(value, Iterator) else value for key, value in _sections(result).items()}


def render(result: AuditResult) -> str:
    # ensure_ascii=False keeps names such as "Müller" readable in diffs; the writer must use UTF-8.
    # Keys sorted, indent 2: jsontext writes what json.dumps(..., indent=2) would, faster.
    return jsontext.dumps(_sections(result), ensure_ascii=False) + "\n"
