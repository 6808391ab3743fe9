"""The JSON report: valid against schemas/report.schema.json and faithful to the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from auditor.findings import AuditResult
from reports import json_report

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "report.schema.json"


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def _load(result: AuditResult, validator: Draft202012Validator) -> dict[str, Any]:
    out = json_report.render(result)
    assert out.endswith("}\n")
    document = json.loads(out)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(e.message for e in errors)
    return document


def test_complete_round_trip(complete_result: AuditResult, validator: Draft202012Validator) -> None:
    doc = _load(complete_result, validator)
    assert doc["tool"] == {"name": "leadaudit", "version": "0.1.0"}
    assert doc["source"] == "force-app"
    assert doc["process_file"] == "process.yaml"
    assert doc["generated_at"] == "2030-01-02T03:04:05+00:00"
    assert doc["complete"] is True and doc["incomplete_reasons"] == []
    summary = doc["summary"]
    assert (summary["findings"], summary["high"], summary["medium"], summary["low"], summary["waived"]) == (5, 3, 1, 1, 1)
    assert summary["by_area"] == {
        "configuration": 0, "lifecycle": 2, "sla": 1, "routing": 2,
        "automation": 0, "validation": 0, "scoring": 0, "reporting": 0,
    }
    assert [(f["rule_id"], f["subject"]) for f in doc["findings"]] == [
        ("LC001", "Status:Recycled"),
        ("LC001", "Status:Nurture"),
        ("SL001", "Status:Working"),
        ("RT002", "AssignmentRule:Lead.Standard"),
        ("RT005", "Queue:Empty_Queue"),
    ]
    first = doc["findings"][0]
    assert first.pop("baseline_state") is None  # no baseline given
    assert first.pop("fingerprint") == complete_result.findings[4].fingerprint  # Status:Recycled
    assert first == {
        "rule_id": "LC001",
        "rule_name": "status-not-in-process",
        "severity": "high",
        "category": "lifecycle",
        "area": "lifecycle",
        "subject": "Status:Recycled",
        "message": "Status Recycled is not in the process",
        "fix": "fix Status:Recycled",
        "location": {"path": "objects/Lead/fields/Status.field", "line": 31},
        "related": [],
    }
    assert doc["findings"][3]["location"] is None
    (waived,) = doc["waived"]
    assert (waived["rule_id"], waived["subject"], waived["reason"], waived["expires"]) == (
        "RT005", "Queue:Legacy", "being retired in Q3", "2031-09-30",
    )
    rules = {r["id"]: r for r in doc["rules"]}
    assert [r["id"] for r in doc["rules"]] == ["CF001", "LC001", "LC002", "SL001", "RT002", "RT005", "AU003", "SC001"]
    assert rules["SC001"] == {
        "id": "SC001", "name": "scoring-model-missing", "severity": "medium", "area": "scoring",
        "status": "not-applicable", "reason": "the source has no scoring model",
    }
    assert rules["AU003"]["status"] == "disabled"
    assert [f["path"] for f in doc["files"]] == sorted(f.path for f in complete_result.files)


def test_incomplete(incomplete_result: AuditResult, validator: Draft202012Validator) -> None:
    doc = _load(incomplete_result, validator)
    assert doc["complete"] is False
    assert doc["incomplete_reasons"] == sorted(incomplete_result.incomplete_reasons)
    assert doc["summary"]["by_area"]["configuration"] == 1
    assert doc["findings"][0]["rule_id"] == "CF001"
    assert {"path": "objects/Lead.object", "kind": "CustomObject", "status": "unreadable"} in doc["files"]
    assert {r["id"]: r["status"] for r in doc["rules"]}["AU007"] == "error"


def test_empty_and_hostile_validate(
    empty_result: AuditResult, hostile_result: AuditResult, validator: Draft202012Validator
) -> None:
    assert _load(empty_result, validator)["process_file"] is None
    doc = _load(hostile_result, validator)
    # JSON carries the text exactly; escaping is the consumer's job, the data is not altered.
    assert doc["findings"][0]["message"] == hostile_result.findings[0].message


def test_schema_rejects_drift(complete_result: AuditResult, validator: Draft202012Validator) -> None:
    doc = json.loads(json_report.render(complete_result))
    doc["findings"][0]["extra"] = 1
    assert not validator.is_valid(doc)
    doc = json.loads(json_report.render(complete_result))
    doc["complete"] = False  # incomplete without reasons contradicts itself
    assert not validator.is_valid(doc)
    doc = json.loads(json_report.render(complete_result))
    doc["findings"][0]["severity"] = "critical"
    assert not validator.is_valid(doc)
