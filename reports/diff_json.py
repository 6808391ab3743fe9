"""The drift report as JSON, valid against schemas/diff.schema.json: the contract for other tools."""

from __future__ import annotations

import json
from typing import Any

from auditor.drift import Approval, DriftReport, ReviewedChange

FORMAT = "leadaudit-diff"
FORMAT_VERSION = 1


def _approval(approval: Approval) -> dict[str, Any]:
    return {"kind": approval.kind, "subject": approval.subject, "who": approval.who, "when": approval.when,
            "why": approval.why}


def _change(item: ReviewedChange) -> dict[str, Any]:
    change = item.change
    location = change.location
    return {
        "kind": change.kind,
        "area": change.area,
        "subject": change.subject,
        "before": change.before,
        "after": change.after,
        "summary": change.summary,
        "location": None if location is None else {"path": location.path, "line": location.line},
        "approved": item.approved,
        "approval": None if item.approval is None else _approval(item.approval),
    }


def document(report: DriftReport) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "old": report.old,
        "new": report.new,
        "approvals_file": report.approvals_file,
        "passed": report.passed,
        "summary": {"changes": len(report.changes), "approved": len(report.changes) - len(report.unapproved),
                    "not_approved": len(report.unapproved)},
        "changes": [_change(item) for item in report.changes],
        "unused_approvals": [_approval(a) for a in report.unused_approvals],
    }


def render(report: DriftReport) -> str:
    return json.dumps(document(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
