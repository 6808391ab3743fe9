"""The process file: validation with located errors, YAML and JSON, and what init writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.init_process import process_from_org, reference_process
from auditor.parse import load_files
from auditor.process import ProcessError, load_process


def _write(tmp_path: Path, text: str, name: str = "process.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_errors_name_the_key_path_and_the_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "version: 1\n"
        "statuses:\n"
        "  - api_name: New\n"
        "    entry: true\n"
        "    sla_hours: -1\n"
        "  - api_name: MQL\n"
        "    colour: red\n",
    )
    with pytest.raises(ProcessError) as err:
        load_process(path)
    lines = str(err.value).splitlines()
    assert lines == [
        f"{path}:5: statuses/0/sla_hours: -1 is less than or equal to the minimum of 0",
        f"{path}:7: statuses/1/colour: Additional properties are not allowed ('colour' was unexpected)",
    ]


def test_consistency_errors_are_located(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "version: 1\nstatuses:\n  - api_name: New\n    next: [MQL, Gone]\n  - api_name: MQL\n  - api_name: MQL\n",
    )
    with pytest.raises(ProcessError) as err:
        load_process(path)
    text = str(err.value)
    assert f"{path}:6: statuses: 'MQL' is listed twice" in text
    assert "exactly one status must have 'entry: true' (found 0)" in text
    assert f"{path}:4: statuses/0/next: 'Gone' is not a status of this process" in text


def test_broken_yaml_gives_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "version: 1\nstatuses:\n  - api_name: [New\n")
    with pytest.raises(ProcessError, match=r"process\.yaml:4: not valid YAML or JSON"):
        load_process(path)


def test_json_process_file(tmp_path: Path) -> None:
    data = {"version": 1, "statuses": [{"api_name": "Nieuw", "entry": True, "sla_hours": 1, "next": ["Gediskwalificeerd"]},
                                       {"api_name": "Gediskwalificeerd", "terminal": True}],
            "waivers": [{"rule": "LC002", "subject": "Status:X", "reason": "r", "expires": "2027-01-31"}]}
    text = json.dumps(data, indent=2)
    process = load_process(_write(tmp_path, text, "process.json"))
    assert process.entry_status is not None and process.entry_status.api_name == "Nieuw"
    waiver_line = text.splitlines().index('  "waivers": [') + 2  # the line of the waiver's "{"
    assert process.waivers[0].expires.isoformat() == "2027-01-31" and process.waivers[0].line == waiver_line


def test_yaml_dates_are_read_as_dates(tmp_path: Path) -> None:
    path = _write(tmp_path, "version: 1\nstatuses: [{api_name: New, entry: true}]\n"
                            "waivers:\n  - {rule: RT002, subject: x, reason: y, expires: 2027-01-31}\n")
    assert load_process(path).waivers[0].expires.isoformat() == "2027-01-31"


def test_the_reference_template_is_a_valid_process(tmp_path: Path) -> None:
    process = load_process(_write(tmp_path, reference_process()))
    assert [s.api_name for s in process.statuses] == [
        "New", "Contacted", "Engaged", "MQL", "SAL", "SQL", "Nurture", "Disqualified", "Converted"
    ]
    assert process.status("MQL").sla_hours == 4  # type: ignore[union-attr]
    assert process.status("Disqualified").required_fields == ("Disqualification_Reason__c",)  # type: ignore[union-attr]
    assert "# The lifecycle." in reference_process()  # commented for the consultant


def test_a_draft_from_the_org_is_valid_and_keeps_the_org_flags(tmp_path: Path) -> None:
    model = load_files("org", [("standardValueSets/LeadStatus.standardValueSet", b"""<?xml version="1.0"?>
<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
  <standardValue><fullName>Nieuw</fullName><default>true</default><label>Nieuw</label></standardValue>
  <standardValue><fullName>Open - Not Contacted</fullName><default>false</default></standardValue>
  <standardValue><fullName>Retired</fullName><default>false</default><isActive>false</isActive></standardValue>
  <standardValue><fullName>Closed - Converted</fullName><default>false</default><closed>true</closed><converted>true</converted></standardValue>
</StandardValueSet>""")])
    text = process_from_org(model)
    assert "TODO" in text
    process = load_process(_write(tmp_path, text))
    assert [(s.api_name, s.entry, s.converted, s.terminal) for s in process.statuses] == [
        ("Nieuw", True, False, False),
        ("Open - Not Contacted", False, False, False),
        ("Closed - Converted", False, True, True),
    ]
