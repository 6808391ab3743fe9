"""Hand-built audit results the report tests share.

The complete result has findings in three areas (lifecycle, sla, routing), one without a file
location, a waived finding, a not-applicable and a disabled rule. The incomplete one adds an
unreadable configuration file (CF001) and a rule that crashed. Expected counts in the tests are
derived by hand from this data, so change both together.
"""

from __future__ import annotations

import pytest

from auditor.findings import AuditResult, Finding, Rule, RuleOutcome, Severity, WaivedFinding
from auditor.model import FileRecord, SourceRef

CF001 = Rule("CF001", "config-file-unreadable", Severity.HIGH, "configuration", "A file could not be read")
LC001 = Rule("LC001", "status-not-in-process", Severity.HIGH, "lifecycle", "A status is not in the process", True)
LC002 = Rule("LC002", "default-status-missing", Severity.MEDIUM, "lifecycle", "No default Lead Status")
SL001 = Rule("SL001", "sla-without-alert", Severity.MEDIUM, "sla", "An SLA has no alert", True)
RT002 = Rule("RT002", "assignment-fallback-missing", Severity.HIGH, "routing", "No catch-all entry")
RT005 = Rule("RT005", "queue-without-members", Severity.LOW, "routing", "A queue has no members")
AU003 = Rule("AU003", "process-builder-on-lead", Severity.LOW, "automation", "Process Builder on Lead")
AU007 = Rule("AU007", "flow-without-fault-path", Severity.MEDIUM, "automation", "A flow has no fault path")
SC001 = Rule("SC001", "scoring-model-missing", Severity.MEDIUM, "scoring", "No scoring model", True)


def finding(rule: Rule, subject: str, message: str, location: SourceRef | None, **over: object) -> Finding:
    values: dict[str, object] = dict(
        rule_id=rule.id,
        rule_name=rule.name,
        severity=rule.severity,
        category=rule.category,
        subject=subject,
        message=message,
        fix=f"fix {subject}",
        location=location,
    )
    values.update(over)
    return Finding(**values)  # type: ignore[arg-type]


# Deliberately not in report order: the renderers must sort.
STATUS_FIELD = "objects/Lead/fields/Status.field"
BASE_FINDINGS: tuple[Finding, ...] = (
    finding(RT005, "Queue:Empty_Queue", "Queue Empty_Queue has no members", SourceRef("queues/Empty_Queue.queue", 4)),
    finding(SL001, "Status:Working", "No alert fires when a lead stays in Working", SourceRef("process.yaml", 12)),
    finding(RT002, "AssignmentRule:Lead.Standard", "The active rule has no catch-all entry", None),
    finding(LC001, "Status:Nurture", "Status Nurture is not in the process", SourceRef(STATUS_FIELD, 40)),
    finding(LC001, "Status:Recycled", "Status Recycled is not in the process", SourceRef(STATUS_FIELD, 31)),
)

WAIVED: tuple[WaivedFinding, ...] = (
    WaivedFinding(
        finding(RT005, "Queue:Legacy", "Queue Legacy has no members", SourceRef("queues/Legacy.queue", 2)),
        reason="being retired in Q3",
        expires="2031-09-30",
    ),
)

BASE_OUTCOMES: tuple[RuleOutcome, ...] = (
    RuleOutcome(SC001, "not-applicable", "the source has no scoring model"),
    RuleOutcome(RT005, "ran"),
    RuleOutcome(RT002, "ran"),
    RuleOutcome(LC002, "ran"),
    RuleOutcome(LC001, "ran"),
    RuleOutcome(SL001, "ran"),
    RuleOutcome(CF001, "ran"),
    RuleOutcome(AU003, "disabled", "disabled in process.yaml"),
)

BASE_FILES: tuple[FileRecord, ...] = (
    FileRecord("queues/Legacy.queue", "Queue", "read"),
    FileRecord("objects/Lead/fields/Status.field", "CustomField", "read"),
    FileRecord("queues/Empty_Queue.queue", "Queue", "read"),
    FileRecord("README.md", "unused", "unused"),
)

UNREADABLE = finding(
    CF001, "objects/Lead.object", "malformed XML: opening and ending tag mismatch", SourceRef("objects/Lead.object", 7)
)

INCOMPLETE_REASONS = (
    "rule AU007 crashed: KeyError 'fault'",
    "objects/Lead.object could not be read",
)


def make_result(**over: object) -> AuditResult:
    values: dict[str, object] = dict(
        source="force-app",
        process_file="process.yaml",
        generated_at="2030-01-02T03:04:05+00:00",
        tool_version="0.1.0",
        findings=BASE_FINDINGS,
        waived=WAIVED,
        outcomes=BASE_OUTCOMES,
        files=BASE_FILES,
    )
    values.update(over)
    return AuditResult(**values)  # type: ignore[arg-type]


@pytest.fixture
def complete_result() -> AuditResult:
    return make_result()


@pytest.fixture
def incomplete_result() -> AuditResult:
    return make_result(
        findings=(*BASE_FINDINGS, UNREADABLE),
        outcomes=(*BASE_OUTCOMES, RuleOutcome(AU007, "error", "internal error: KeyError 'fault'")),
        files=(*BASE_FILES, FileRecord("objects/Lead.object", "CustomObject", "unreadable")),
        incomplete_reasons=INCOMPLETE_REASONS,
    )


@pytest.fixture
def empty_result() -> AuditResult:
    return make_result(findings=(), waived=(), outcomes=(RuleOutcome(LC002, "ran"),), files=(), process_file=None)


SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT} {IMG}"


@pytest.fixture
def hostile_result() -> AuditResult:
    """Metadata text is user input: every free-text field carries markup and control chars."""
    evil_rule = Rule("RT009", f"name {PAYLOAD}", Severity.HIGH, "routing", "hostile")
    evil = finding(
        evil_rule,
        f"subject {PAYLOAD}",
        f"message {PAYLOAD} nul\x00 esc\x1b[2J end",
        SourceRef(f"queues/{IMG}.queue", 3),
        fix=f"fix {PAYLOAD}",
    )
    return make_result(
        source=f"src {PAYLOAD}",
        findings=(evil,),
        waived=(WaivedFinding(evil, reason=f"reason {PAYLOAD}", expires="2031-01-01"),),
        outcomes=(RuleOutcome(evil_rule, "ran"), RuleOutcome(SC001, "not-applicable", f"why {PAYLOAD}")),
        files=(FileRecord(f"queues/{IMG}.queue", "Queue", "unreadable"),),
        incomplete_reasons=(f"reason {PAYLOAD}\x00",),
    )
