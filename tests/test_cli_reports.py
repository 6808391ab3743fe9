"""The audit command's report options: --format, per-format paths, --baseline, --quiet, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.cli import main
from tests.conftest import REPO

DEMO = REPO / "examples" / "demo-org"


def test_format_prints_that_format_and_nothing_else(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(DEMO), "--format", "sarif"]) == 1
    log = json.loads(capsys.readouterr().out)  # the whole of stdout is one SARIF document
    assert log["version"] == "2.1.0" and len(log["runs"][0]["results"]) == 27
    assert main(["audit", str(DEMO), "--format", "junit"]) == 1
    assert capsys.readouterr().out.startswith("<?xml")


def test_quiet_prints_only_the_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(DEMO), "-q"]) == 1
    assert capsys.readouterr().out == "27 findings (12 high, 14 medium, 1 low), 0 waived, audit complete\n"


def test_every_format_goes_to_its_own_path_in_folders_that_did_not_exist(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    paths = {"--html": out / "r.html", "--junit": out / "r.xml", "--sarif": out / "sarif" / "r.sarif",
             "--json": out / "json" / "r.json"}
    args = [item for option, path in paths.items() for item in (option, str(path))]
    assert main(["audit", str(DEMO), "-q", *args]) == 1
    for path in paths.values():
        assert path.stat().st_size > 1000, path


def test_baseline_marks_new_and_unchanged_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.json"
    assert main(["audit", str(DEMO), "-q", "--json", str(old)]) == 1
    # The same org later, with one more status documented: one new finding (LC001), the rest unchanged.
    process = (DEMO / "process.yaml").read_text(encoding="utf-8")
    later = tmp_path / "process.yaml"
    shutil.copy(DEMO / "scoring.yaml", tmp_path / "scoring.yaml")  # the process file names it beside itself
    later.write_text(process.replace("statuses:\n", "statuses:\n  - api_name: Recycled\n    label: Recycled\n", 1),
                     encoding="utf-8")
    code = main(["audit", str(DEMO), "--process", str(later), "--baseline", str(old),
                 "--sarif", str(tmp_path / "r.sarif"), "--json", str(tmp_path / "new.json")])
    text = capsys.readouterr().out
    assert code == 1
    states = [r.get("baselineState") for r in json.loads((tmp_path / "r.sarif").read_text())["runs"][0]["results"]]
    assert states.count("new") >= 1 and states.count("unchanged") >= 15
    report = json.loads((tmp_path / "new.json").read_text(encoding="utf-8"))
    new = [f["subject"] for f in report["findings"] if f["baseline_state"] == "new"]
    assert "Status:Recycled" in new
    assert report["baseline"]["path"] == str(old)
    assert "LC001 status-missing: Status:Recycled [new]" in text


def test_a_baseline_that_is_not_a_report_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "old.json"
    bad.write_text('{"version": "2.1.0", "runs": []}', encoding="utf-8")
    assert main(["audit", str(DEMO), "--baseline", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err


def test_incomplete_audit_exits_3_and_says_so_in_every_format(tmp_path: Path) -> None:
    org = tmp_path / "org"
    (org / "flows").mkdir(parents=True)
    (org / "flows" / "Broken.flow").write_text("<Flow><oops></Flow>", encoding="utf-8")
    out = tmp_path / "out"
    args = ["--html", str(out / "r.html"), "--junit", str(out / "r.xml"), "--sarif", str(out / "r.sarif"),
            "--json", str(out / "r.json")]
    assert main(["audit", str(org), "--fail-on", "never", *args]) == 3
    assert json.loads((out / "r.json").read_text())["complete"] is False
    run = json.loads((out / "r.sarif").read_text())["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    junit = (out / "r.xml").read_text()
    assert 'name="audit completeness"' in junit and "audit incomplete" in junit
    html = (out / "r.html").read_text()
    assert html.index("Audit incomplete") < html.index('id="scores"')  # on the cover, before anything else


def test_json_carries_the_drawn_overview_and_validates(tmp_path: Path) -> None:
    from jsonschema import Draft202012Validator

    assert main(["audit", str(DEMO), "-q", "--json", str(tmp_path / "r.json")]) == 1
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    Draft202012Validator(json.loads((REPO / "schemas" / "report.schema.json").read_text())).validate(report)
    boxes = {box["name"]: box for box in report["overview"]["lifecycle"]["statuses"]}
    assert boxes["SQL"]["marks"] == ["unreachable"] and boxes["New"]["sla"] == "1 hour"
    routing = report["overview"]["routing"]
    assert routing["rule_name"] == "Northwind Routing" and routing["has_fallback"] is False
    assert [row["order"] for row in routing["rows"]] == list(range(1, len(routing["rows"]) + 1))


def test_fail_on_new_fails_only_for_findings_the_baseline_did_not_have(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    assert main(["audit", str(DEMO), "-q", "--json", str(old)]) == 1
    # the same 27 findings: none is new, so an org with history can adopt the audit
    assert main(["audit", str(DEMO), "-q", "--baseline", str(old), "--fail-on-new"]) == 0
    later = tmp_path / "process.yaml"
    shutil.copy(DEMO / "scoring.yaml", tmp_path / "scoring.yaml")  # the process file names it beside itself
    process = (DEMO / "process.yaml").read_text(encoding="utf-8")
    later.write_text(process.replace("statuses:\n", "statuses:\n  - api_name: Recycled\n    label: Recycled\n", 1),
                     encoding="utf-8")
    args = ["audit", str(DEMO), "-q", "--process", str(later), "--baseline", str(old), "--fail-on-new"]
    assert main(args) == 1  # LC001 Status:Recycled is new and high
    assert main([*args, "--fail-on", "never"]) == 0


def test_fail_on_new_without_a_baseline_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(DEMO), "--fail-on-new"]) == 2
    assert "--fail-on-new needs --baseline" in capsys.readouterr().err
