"""Plain records the engine produces and the reports format: rules, findings, the audit result."""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor.model import FileRecord, SourceRef

if TYPE_CHECKING:
    from auditor.measurements import Measurement
    from auditor.overview import Overview

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
    #: Other subjects the same defect affects and the message names ("so 'Converted', entered only
    #: after it, cannot be reached either"): drawn as affected, never counted as findings of their own.
    related: tuple[str, ...] = ()

    @property
    def area(self) -> str:
        return AREAS[self.rule_id[:2]]

    def sort_key(self) -> tuple[object, ...]:
        loc = self.location or SourceRef("")
        return (-int(self.severity), self.rule_id, loc.path, loc.line or 0, self.subject, self.message)

    @property
    def fingerprint(self) -> str:
        """Identity across runs: the rule and the subject it judged.

        Not the line (an edit above it moves it), and not the message: messages name the process
        file as the user typed its path and may be reworded between versions, and neither makes
        it another finding. Subjects are made to name what was judged (``Status:SQL``).
        """
        digest = hashlib.sha256("\x1f".join((self.rule_id, self.subject)).encode("utf-8"))
        return digest.hexdigest()[:32]


#: The subject of a rule that ran but found nothing in the source to judge (no flows, no entries).
#: JUnit shows it as skipped and the health score leaves it out: it is neither a pass nor a fail.
NOTHING_TO_CHECK = "(nothing to check)"


@dataclass(frozen=True)
class Checked:
    """A subject a rule examined. One with no finding passed: JUnit shows it as a passing case.

    Checks yield one per subject they judge (a status, an entry, a flow), before or after any
    finding on it, so reports can count what was checked and not only what failed.
    """

    rule_id: str
    subject: str
    location: SourceRef | None

    def sort_key(self) -> tuple[object, ...]:
        loc = self.location or SourceRef("")
        return (self.rule_id, self.subject, loc.path, loc.line or 0)


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


@dataclass(frozen=True)
class Baseline:
    """An earlier audit's findings, read from its JSON report, to tell new findings from old."""

    path: str
    generated_at: str
    findings: tuple[Finding, ...]

    @property
    def fingerprints(self) -> frozenset[str]:
        return frozenset(f.fingerprint for f in self.findings)


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
    #: (rule, subject) pairs checked with no finding and no waiver: the passing testcases.
    passed: tuple[Checked, ...] = field(default=())
    #: What was drawn from the org for people: the lifecycle and the routing table.
    overview: "Overview | None" = None
    #: The earlier result this one is compared with (``--baseline``); None without one.
    baseline: "Baseline | None" = None
    #: Live measurements of the org's leads (``--metrics``, or metrics.json in the source folder).
    measurements: tuple["Measurement", ...] = ()

    @property
    def complete(self) -> bool:
        return not self.incomplete_reasons

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def baseline_state(self, finding: Finding) -> str | None:
        """SARIF's baselineState: "new" or "unchanged"; None when there is no baseline."""
        if self.baseline is None:
            return None
        return "unchanged" if finding.fingerprint in self.baseline.fingerprints else "new"

    @property
    def resolved_since_baseline(self) -> tuple[Finding, ...]:
        """Findings of the baseline that this audit no longer reports (SARIF: "absent")."""
        if self.baseline is None:
            return ()
        now = {f.fingerprint for f in self.findings} | {w.finding.fingerprint for w in self.waived}
        return tuple(f for f in self.baseline.findings if f.fingerprint not in now)

    def fails(self, threshold: Severity | None) -> bool:
        """True when a finding is at or above the threshold (None: never fail on findings)."""
        return threshold is not None and any(f.severity >= threshold for f in self.findings)
