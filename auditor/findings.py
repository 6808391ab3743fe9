"""Plain records the engine produces and the reports format: rules, findings, the audit result."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from auditor.model import FileRecord, SourceRef

AREAS: dict[str, str] = {
    "CF": "configuration",
    "LC": "lifecycle",
    "SL": "sla",
    "RT": "routing",
    "AU": "automation",
    "VR": "validation",
    "SC": "scoring",
    "RP": "reporting",
}


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= threshold`` reads naturally."""

    LOW = 1
    MEDIUM = 2
    HIGH = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}: use high, medium or low") from None


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: Severity
    category: str
    summary: str
    needs_process: bool = False

    @property
    def area(self) -> str:
        return AREAS[self.id[:2]]


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    category: str
    subject: str
    message: str
    fix: str
    location: SourceRef | None

    @property
    def area(self) -> str:
        return AREAS[self.rule_id[:2]]

    def sort_key(self) -> tuple[object, ...]:
        loc = self.location or SourceRef("")
        return (-int(self.severity), self.rule_id, loc.path, loc.line or 0, self.subject, self.message)


@dataclass(frozen=True)
class WaivedFinding:
    finding: Finding
    reason: str
    expires: str


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule did: ran (with or without findings) or was not applicable, and why."""

    rule: Rule
    status: str  # "ran" | "not-applicable" | "disabled" | "error"
    reason: str = ""


class NotApplicable(Exception):
    """Raised by a check that has nothing to judge; the reason is shown to the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AuditResult:
    source: str
    process_file: str | None
    generated_at: str  # ISO 8601, from the injected clock
    tool_version: str
    findings: tuple[Finding, ...]
    waived: tuple[WaivedFinding, ...]
    outcomes: tuple[RuleOutcome, ...]
    files: tuple[FileRecord, ...]
    incomplete_reasons: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return not self.incomplete_reasons

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def fails(self, threshold: Severity | None) -> bool:
        """True when a finding is at or above the threshold (None: never fail on findings)."""
        return threshold is not None and any(f.severity >= threshold for f in self.findings)
