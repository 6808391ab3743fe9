"""Reading an earlier JSON report as a baseline: a faithful round trip, and clear refusals."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from auditor.baseline import BaselineError, load_baseline
from auditor.findings import AuditResult, Finding, Rule, RuleOutcome, Severity, WaivedFinding
from auditor.model import FileRecord, SourceRef
from reports import json_report

STATUS_VALUES = "force-app/main/default/standardValueSets/LeadStatus.standardValueSet-meta.xml"
ASSIGNMENT = "force-app/main/default/assignmentRules/Lead.assignmentRules-meta.xml"

LC002 = Rule("LC002", "status-undocumented", Severity.MEDIUM, "lifecycle", "An active org status the process does not document")
RT002 = Rule("RT002", "assignment-fallback-missing", Severity.HIGH, "routing", "No catch-all entry")
RT004 = Rule("RT004", "assignment-target-invalid", Severity.HIGH, "routing", "A queue cannot take leads")
SL002 = Rule("SL002", "sla-alert-late", Severity.MEDIUM, "sla", "The earliest alert fires after the SLA")


def _finding(rule: Rule, subject: str, message: str, location: SourceRef | None, severity: Severity | None = None) -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        severity=severity or rule.severity,
        category=rule.category,
        subject=subject,
        message=message,
        fix=f"Fix {subject} in Setup.",
        location=location,
    )


WORKING = _finding(
    LC002, "Status:Working", "active Lead Status 'Working' is not documented in process.yaml", SourceRef(STATUS_VALUES, 16)
)
FALLBACK = _finding(
    RT002,
    "AssignmentRule:Northwind Routing",
    "leads with Country = 'Müller Land' match no entry and stay with the Default Lead Owner",
    SourceRef(ASSIGNMENT, 81),
)
NO_LOCATION = _finding(RT002, "AssignmentRule:Lead", "no active assignment rule", None, severity=Severity.LOW)
LATE = _finding(
    SL002,
    "Status:Contacted",
    "the Contacted SLA is 24 hours, but its only alert fires 2 days after the change",
    SourceRef("force-app/main/default/flows/Lead_Contacted_SLA_Alert.flow-meta.xml", None),
)
WAIVED = WaivedFinding(
    _finding(RT004, "Queue:Empty_Queue", "queue Empty_Queue has no members", SourceRef("force-app/queues/Empty_Queue.queue-meta.xml", 4)),
    reason="queue is being retired in Q3",
    expires="2031-09-30",
)


def _result(**over: object) -> AuditResult:
    values: dict[str, object] = dict(
        source="examples/demo-org",
        process_file="examples/demo-org/process.yaml",
        generated_at="2030-01-02T03:04:05+00:00",
        tool_version="0.1.0",
        findings=(WORKING, FALLBACK, NO_LOCATION, LATE),
        waived=(WAIVED,),
        outcomes=(RuleOutcome(LC002, "ran"), RuleOutcome(RT002, "ran"), RuleOutcome(RT004, "ran"), RuleOutcome(SL002, "ran")),
        files=(FileRecord(STATUS_VALUES, "StandardValueSet", "read"), FileRecord(ASSIGNMENT, "AssignmentRules", "read")),
    )
    values.update(over)
    return AuditResult(**values)  # type: ignore[arg-type]


def _write(tmp_path: Path, text: str, name: str = "old.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_round_trip_rebuilds_every_finding(tmp_path: Path) -> None:
    result = _result()
    baseline = load_baseline(_write(tmp_path, json_report.render(result)))
    assert baseline.generated_at == "2030-01-02T03:04:05+00:00"
    assert baseline.path == str(tmp_path / "old.json")
    # Open and waived findings alike, field for field (severity, missing line, missing location).
    assert sorted(baseline.findings, key=Finding.sort_key) == sorted(
        (*result.findings, WAIVED.finding), key=Finding.sort_key
    )
    assert baseline.fingerprints == {f.fingerprint for f in (*result.findings, WAIVED.finding)}


def test_a_later_audit_compared_with_the_baseline(tmp_path: Path) -> None:
    baseline = load_baseline(_write(tmp_path, json_report.render(_result())))
    moved = dataclasses.replace(FALLBACK, location=SourceRef(ASSIGNMENT, 95))  # an entry was added above it
    reworded = dataclasses.replace(LATE, message="the Contacted SLA is 24 hours, but its only alert fires 3 days after the change")
    later = _result(findings=(moved, reworded, NO_LOCATION), waived=(), baseline=baseline)
    assert later.baseline_state(moved) == "unchanged"
    assert later.baseline_state(NO_LOCATION) == "unchanged"
    # the same rule on the same subject, reworded (a later version, another process path): the same finding
    assert later.baseline_state(reworded) == "unchanged"
    assert set(later.resolved_since_baseline) == {WORKING, WAIVED.finding}


def test_a_report_written_with_a_baseline_reads_back(tmp_path: Path) -> None:
    first = load_baseline(_write(tmp_path, json_report.render(_result()), "first.json"))
    second = _result(findings=(WORKING,), baseline=first)
    again = load_baseline(_write(tmp_path, json_report.render(second), "second.json"))
    assert again.fingerprints == {WORKING.fingerprint, WAIVED.finding.fingerprint}


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json_report.render(_result()).encode("utf-8"))
    assert len(load_baseline(path).findings) == 5


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match=r"missing\.json: cannot be read"):
        load_baseline(tmp_path / "missing.json")


def test_a_folder_is_not_a_report(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot be read"):
        load_baseline(tmp_path)


def test_not_json_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{\n  "tool": {"name": "leadaudit"},\n  oops\n}\n')
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    assert str(caught.value).startswith(f"{path}:3: not valid JSON")
    assert isinstance(caught.value, ValueError)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes('{"source": "Müller"}'.encode("latin-1"))
    with pytest.raises(BaselineError, match="not UTF-8 text"):
        load_baseline(path)


def test_deeply_nested_json_is_refused_cleanly(tmp_path: Path) -> None:
    path = _write(tmp_path, "[" * 100_000 + "]" * 100_000)
    with pytest.raises(BaselineError, match=r"old\.json"):
        load_baseline(path)


SARIF_LOG = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "leadaudit"}}, "results": []}]}


@pytest.mark.parametrize(
    "document",
    [
        SARIF_LOG,  # the other report format, given by mistake
        [],
        {"statuses": [{"api_name": "New", "entry": True}]},  # a process file as JSON
        {"tool": {"name": "another-linter", "version": "1.0"}, "findings": []},
        {"tool": "leadaudit"},
    ],
)
def test_other_documents_are_refused(tmp_path: Path, document: object) -> None:
    path = _write(tmp_path, json.dumps(document))
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    assert str(caught.value) == f"{path}: not a leadaudit JSON report (use a file written by 'leadaudit audit --json')"


def test_a_damaged_report_names_the_bad_key(tmp_path: Path) -> None:
    document = json.loads(json_report.render(_result()))
    document["findings"][1]["severity"] = "critical"
    del document["waived"][0]["subject"]
    path = _write(tmp_path, json.dumps(document))
    with pytest.raises(BaselineError) as caught:
        load_baseline(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: a leadaudit JSON report written by leadaudit 0.1.0 that does not match")
    assert "findings/1/severity: 'critical' is not one of" in message
    assert "waived/0: 'subject' is a required property" in message


def test_many_problems_are_summarised(tmp_path: Path) -> None:
    document = json.loads(json_report.render(_result()))
    for entry in document["findings"]:
        entry["severity"] = "critical"
    path = _write(tmp_path, json.dumps(document))
    with pytest.raises(BaselineError, match=r"\(and 1 more\)$"):
        load_baseline(path)
