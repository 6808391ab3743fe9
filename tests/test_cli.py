"""The commands as a user runs them: exit codes, reports written, init, rules, manifest."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from auditor.cli import main
from auditor.process import load_process
from tests.conftest import FIXTURE_ORGS, REPO

DEMO = REPO / "examples" / "demo-org"


def _planted_defects() -> list[tuple[str, str]]:
    """The (rule id, subject) rows of the planted-defects table in examples/demo-org/README.md."""
    rows = []
    for line in (DEMO / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| \*\*([A-Z]{2}\d{3})\*\* [a-z-]+ \| ([^|]+) \|", line)
        if match:
            rows.append((match.group(1), match.group(2).strip()))
    return sorted(rows)


def _readme_summary() -> str:
    return (DEMO / "README.md").read_text(encoding="utf-8").rstrip().splitlines()[-1]


def test_demo_org_reports_exactly_the_defects_its_readme_lists(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["audit", str(DEMO), "--html", str(tmp_path / "out" / "report.html"),
                 "--junit", str(tmp_path / "out" / "report.xml"), "--json", str(tmp_path / "r.json")])
    out = capsys.readouterr().out
    assert code == 1
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["complete"] is True
    got = sorted((f["rule_id"], f["subject"]) for f in report["findings"])
    planted = _planted_defects()
    assert len(planted) >= 20, "the README's table is read"
    assert got == planted
    assert "lifecycle" in out and "routing" in out and "sla" in out  # grouped by area
    assert out.rstrip().splitlines()[-1] == _readme_summary()
    rt009 = next(f for f in report["findings"] if f["rule_id"] == "RT009")
    assert "instead of" in rt009["message"], "the wrong-way example lead is named"
    junit = etree.parse(str(tmp_path / "out" / "report.xml"))
    assert int(junit.getroot().get("failures") or -1) == len(planted)
    assert "Northwind Routing" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_audit_defaults_to_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    shutil.copytree(DEMO, project)
    monkeypatch.chdir(project)
    assert main(["audit", "--fail-on", "never"]) == 0
    assert capsys.readouterr().out.rstrip().splitlines()[-1] == _readme_summary()


def test_fail_on_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(FIXTURE_ORGS / "acme-sfdx"), "--fail-on", "high", "-q"]) == 0
    assert "audit complete" in capsys.readouterr().out


def test_without_a_process_file_process_rules_are_not_applicable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["audit", str(FIXTURE_ORGS / "acme-mdapi"), "--json", "r.json", "--fail-on", "never"])
    report = json.loads(Path("r.json").read_text(encoding="utf-8"))
    statuses = {r["id"]: (r["status"], r["reason"]) for r in report["rules"]}
    assert statuses["LC001"] == ("not-applicable", "no process file: this rule compares the org with the documented process")
    assert statuses["RT002"][0] == "ran"
    assert code == 0
    assert "no process file found" in capsys.readouterr().err


def test_invalid_process_file_exits_2_naming_key_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "process.yaml"
    bad.write_text("version: 1\nstatuses:\n  - api_name: New\n    entry: yes please\n")
    assert main(["audit", str(DEMO), "--process", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: statuses/0/entry: 'yes please' is not of type 'boolean'" in err


def test_missing_source_and_unwritable_output_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(tmp_path / "nope")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["audit", str(DEMO), "--html", str(blocker / "sub" / "r.html")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_init_writes_the_reference_process_and_refuses_to_overwrite(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "process.yaml"
    assert main(["init", "--out", str(target)]) == 0
    assert load_process(target).entry_status.api_name == "New"  # type: ignore[union-attr]
    assert main(["init", "--out", str(target)]) == 2
    assert "use --force" in capsys.readouterr().err


def test_init_from_the_org_statuses(tmp_path: Path) -> None:
    target = tmp_path / "process.yaml"
    assert main(["init", "--from", str(DEMO), "--out", str(target)]) == 0
    process = load_process(target)
    assert process.entry_status.api_name == "Contacted"  # type: ignore[union-attr]  # the org's default
    assert "Working" in [s.api_name for s in process.statuses]
    assert [s.api_name for s in process.statuses if s.converted] == ["Converted"]


def test_rules_lists_the_catalogue_and_documents_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    listing = capsys.readouterr().out
    for rule_id in ("CF001", "CF002", "LC001", "LC008", "RT001", "RT002", "VR003"):
        assert rule_id in listing
    assert main(["rules", "RT002"]) == 0
    doc = capsys.readouterr().out
    assert doc.startswith("RT002 assignment-fallback-missing (severity high, area routing)")
    for section in ("Why it matters", "How to fix", "Failing example", "Passing example"):
        assert section in doc
    assert main(["rules", "status-missing"]) == 0 and "LC001" in capsys.readouterr().out
    assert main(["rules", "XX999"]) == 2


def test_every_rule_is_documented() -> None:
    from auditor.registry import catalogue

    for rule, doc in catalogue():
        assert doc.startswith(f"{rule.id} {rule.name}:"), rule.id
        for section in ("Why it matters", "How to fix"):
            assert section in doc, f"{rule.id} lacks '{section}'"


def test_manifest_is_a_package_xml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest"]) == 0
    root = etree.fromstring(capsys.readouterr().out.encode())
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    types = {t.findtext("m:name", namespaces=ns): [m.text for m in t.findall("m:members", ns)]
             for t in root.findall("m:types", ns)}
    assert types["StandardValueSet"] == ["LeadSource", "LeadStatus"]
    assert types["AssignmentRules"] == ["Lead"] and types["Flow"] == ["*"] and types["Workflow"] == ["Lead"]
    assert root.findtext("m:version", namespaces=ns) == "62.0"


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed entry point, as the README's quickstart runs it."""
    exe = Path(sys.executable).with_name("leadaudit")
    if not exe.exists():
        pytest.skip(f"leadaudit is not installed beside {sys.executable} (pip install -e .)")
    done = subprocess.run([str(exe), "audit", str(DEMO), "-q", "--junit", str(tmp_path / "r.xml")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.strip().endswith("audit complete")


def test_the_command_line_starts_without_loading_the_tool() -> None:
    """'leadaudit --version' (a pre-commit hook's first call) must not import the engine, networkx,
    jsonschema or the HTTP stack; their import time is most of a run's start-up (see bench/)."""
    code = ("import sys; from auditor.cli import main; main(['--version']); "
            "heavy = sorted(m for m in ('networkx', 'jsonschema', 'requests', 'simple_salesforce', 'lxml', "
            "'auditor.engine', 'auditor.graph') if m in sys.modules); print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout


def test_an_audit_of_a_folder_does_not_load_the_http_stack() -> None:
    """Only a command that goes online needs requests, simple-salesforce and the JWT library; a
    folder audit in CI would otherwise pay their import time on every run."""
    code = ("import sys\nfrom auditor.cli import main\ntry:\n    main(['audit', 'examples/demo-org', '-q'])\n"
            "except SystemExit:\n    pass\n"
            "print(sorted(m for m in ('requests', 'simple_salesforce', 'jwt', 'zeep') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert done.stdout.splitlines()[-2].endswith("audit complete"), done.stdout
    assert done.stdout.splitlines()[-1] == "[]", done.stdout


def test_the_installed_command_flushes_everything_before_it_exits(tmp_path: Path) -> None:
    """``leadaudit`` ends the process without tearing down its heap (auditor.cli.console): every
    report file and the whole of standard output must be complete, and the exit code kept."""
    command = Path(sys.executable).with_name("leadaudit")
    if not command.exists():
        pytest.skip("needs the 'leadaudit' console script installed beside this Python (pip install -e .)")
    done = subprocess.run(
        [str(command), "audit", str(REPO / "examples" / "demo-org"), "--format", "json",
         "--html", str(tmp_path / "r.html"), "--junit", str(tmp_path / "r.xml"), "--sarif", str(tmp_path / "r.sarif")],
        capture_output=True, text=True, cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout)["findings"]  # the whole document reached the pipe
    assert (tmp_path / "r.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert (tmp_path / "r.xml").read_text(encoding="utf-8").rstrip().endswith("</testsuites>")
    assert json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))["runs"]
    quiet = subprocess.run([str(command), "audit", str(REPO / "examples" / "demo-org"), "-q"],
                           capture_output=True, text=True, cwd=tmp_path)
    assert quiet.returncode == 1 and quiet.stdout.strip().endswith("audit complete"), quiet.stdout


def test_the_installed_command_copes_with_a_closed_standard_output(tmp_path: Path) -> None:
    command = Path(sys.executable).with_name("leadaudit")
    if not command.exists():
        pytest.skip("needs the 'leadaudit' console script installed beside this Python (pip install -e .)")
    done = subprocess.run(["bash", "-c", f"'{command}' rules >&-"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
