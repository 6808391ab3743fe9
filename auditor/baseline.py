"""Read an earlier audit's JSON report back as a Baseline, to tell new findings from known ones.

The JSON report is the contract (schemas/report.schema.json), so a baseline is checked against
that schema before anything is rebuilt from it: a file that is not a leadaudit report, or a
damaged one, is refused with the file and the problem named, rather than silently compared
with (a wrong baseline would mark every finding "unchanged", or every one "new").

Findings and waived findings are both rebuilt: a finding waived in the baseline and reported
again now is not new, and one that disappeared while waived is still fixed.
"""

from __future__ import annotations

import json
from auditor.contracts import load_schema
from pathlib import Path
from typing import Any

import jsonschema

from auditor.findings import Baseline, Finding, Severity
from auditor.model import SourceRef

#: How many schema errors a message lists; the rest are counted, so the message stays readable.
MAX_ERRORS_SHOWN = 3


class BaselineError(ValueError):
    """The baseline file cannot be used; the message names the file and the problem."""


def report_schema() -> dict[str, Any]:
    return load_schema("report.schema.json")


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise BaselineError(f"{path}: not valid JSON: nested too deeply") from None


def _where(error: jsonschema.ValidationError) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(top level)"


def _is_leadaudit_report(document: Any) -> bool:
    tool = document.get("tool") if isinstance(document, dict) else None
    return isinstance(tool, dict) and tool.get("name") == "leadaudit"


def _validate(path: Path, document: Any) -> None:
    if not _is_leadaudit_report(document):
        # Checked first: for another file (a SARIF log, a process file) a list of missing keys
        # would bury the one thing the user needs to hear.
        raise BaselineError(f"{path}: not a leadaudit JSON report (use a file written by 'leadaudit audit --json')")
    validator = jsonschema.Draft202012Validator(report_schema())
    errors = sorted(validator.iter_errors(document), key=lambda e: (_where(e), e.message))
    if not errors:
        return
    shown = "; ".join(f"{_where(e)}: {e.message}" for e in errors[:MAX_ERRORS_SHOWN])
    more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
    version = document["tool"].get("version")
    # The file's own text goes into a terminal message: shown only when short and printable.
    shown_version = isinstance(version, str) and version.isprintable() and len(version) <= 40
    written_by = f" written by leadaudit {version}" if shown_version else ""
    raise BaselineError(f"{path}: a leadaudit JSON report{written_by} that does not match the report schema: {shown}{more}")


def _finding(entry: dict[str, Any]) -> Finding:
    # Field for field the inverse of reports/json_report.py: the fingerprint is recomputed from
    # rule and subject, never trusted from the file.
    location = entry["location"]
    return Finding(
        rule_id=entry["rule_id"],
        rule_name=entry["rule_name"],
        severity=Severity.parse(entry["severity"]),
        category=entry["category"],
        subject=entry["subject"],
        message=entry["message"],
        fix=entry["fix"],
        location=None if location is None else SourceRef(location["path"], location["line"]),
        related=tuple(entry["related"]),
    )


def load_baseline(path: Path) -> Baseline:
    """The findings (open and waived) of the JSON report at ``path``; BaselineError if unusable."""
    document = _read_json(path)
    _validate(path, document)
    entries = [*document["findings"], *document["waived"]]
    return Baseline(
        path=str(path),
        generated_at=document["generated_at"],
        findings=tuple(_finding(entry) for entry in entries),
    )
