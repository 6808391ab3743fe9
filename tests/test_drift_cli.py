"""``leadaudit snapshot`` and ``leadaudit diff`` end to end, with the exact expected diff of the
two fixture org versions in every output format (golden files under tests/fixtures/drift/).

After an intended change, regenerate the golden files with
``LEADAUDIT_UPDATE_GOLDEN=1 python -m pytest tests/test_drift_cli.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from auditor.drift_cli import diff, snapshot
from tests.conftest import REPO

DRIFT = REPO / "tests" / "fixtures" / "drift"
V1 = "tests/fixtures/orgs/drift-v1"
V2 = "tests/fixtures/orgs/drift-v2"
APPROVED = "tests/fixtures/drift/approved-drift.yaml"
GOLDEN = ("diff.txt", "diff.json", "diff.junit.xml", "diff.html")


def _run(command: object, args: list[str]) -> Result:
    return CliRunner().invoke(command, args)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    out = tmp_path_factory.mktemp("drift")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = _run(diff, [V1, V2, "--approved", APPROVED, "--json", str(out / "diff.json"),
                             "--junit", str(out / "diff.junit.xml"), "--html", str(out / "diff.html")])
    assert result.exit_code == 1, result.output  # 11 of the 14 changes are not approved
    (out / "diff.txt").write_text(result.stdout, encoding="utf-8")
    yield {name: (out / name).read_bytes() for name in GOLDEN}


@pytest.mark.parametrize("name", GOLDEN)
def test_diff_matches_its_golden_file(name: str, outputs: dict[str, bytes]) -> None:
    golden = DRIFT / name
    if os.environ.get("LEADAUDIT_UPDATE_GOLDEN"):
        golden.write_bytes(outputs[name])
    assert outputs[name].decode("utf-8") == golden.read_text(encoding="utf-8")


def test_every_format_prints_the_same_on_standard_output(outputs: dict[str, bytes]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        for fmt, name in (("json", "diff.json"), ("junit", "diff.junit.xml"), ("html", "diff.html")):
            result = _run(diff, [V1, V2, "--approved", APPROVED, "--format", fmt])
            assert result.exit_code == 1
            assert result.stdout.encode("utf-8") == outputs[name], fmt


def test_json_diff_is_valid_against_its_schema(outputs: dict[str, bytes]) -> None:
    schema = json.loads((REPO / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    document = json.loads(outputs["diff.json"])
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["summary"] == {"changes": 14, "approved": 3, "not_approved": 11}


def test_junit_diff_has_a_failing_testcase_per_unapproved_change(outputs: dict[str, bytes]) -> None:
    xsd = etree.XMLSchema(etree.parse(str(REPO / "tests" / "data" / "junit-10.xsd")))
    root = etree.fromstring(outputs["diff.junit.xml"])
    xsd.assertValid(root)
    cases = root.findall(".//testcase")
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert len(cases) == 15 and len(failed) == 12  # 14 changes + the verdict; 11 changes + the verdict fail
    assert "status.renamed Status:Contacted" not in failed
    assert "assignment_rule.fallback_removed AssignmentRule:Contoso Lead Routing" in failed
    assert root.get("tests") == "15" and root.get("failures") == "12"


def test_all_approved_passes_and_no_drift_passes(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        document = json.loads(_run(diff, [V1, V2, "--format", "json"]).stdout)
        approvals = [{"kind": c["kind"], "subject": c["subject"], "who": "jane.doe@contoso.example",
                      "when": "2026-06-01", "why": "release 2026.06"} for c in document["changes"]]
        path = tmp_path / "approved.yaml"
        path.write_text(json.dumps({"approved": approvals}), encoding="utf-8")  # JSON is YAML
        assert _run(diff, [V1, V2, "--approved", str(path)]).exit_code == 0
        same = _run(diff, [V1, V1, "--format", "junit"])
        assert same.exit_code == 0
        root = etree.fromstring(same.stdout_bytes)
        assert [c.get("name") for c in root.findall(".//testcase")] == ["no unapproved drift"]


def test_snapshots_and_folders_diff_alike(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        old, new = tmp_path / "drift-v1.json", tmp_path / "drift-v2.json"
        assert _run(snapshot, [V1, "-o", str(old)]).exit_code == 0
        assert _run(snapshot, [V2, "--output", str(new)]).exit_code == 0
        folders = json.loads(_run(diff, [V1, V2, "--format", "json"]).stdout)
        snaps = json.loads(_run(diff, [str(old), str(new), "--format", "json"]).stdout)
        mixed = json.loads(_run(diff, [str(old), V2, "--format", "json"]).stdout)
    assert snaps["changes"] == folders["changes"] == mixed["changes"]
    assert (snaps["old"], snaps["new"]) == ("drift-v1.json", "drift-v2.json")


def test_snapshot_prints_to_standard_output_without_output_option() -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = _run(snapshot, [V1])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["source"] == "drift-v1"


@pytest.mark.parametrize("args", [
    ["tests/fixtures/orgs/no-such-org", V2],
    [V1, V2, "--approved", "tests/fixtures/drift/no-such-file.yaml"],
    [V1, V2, "--format", "pdf"],
    [V1],
])
def test_usage_errors_exit_2(args: list[str]) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        assert _run(diff, args).exit_code == 2


def test_an_unreadable_file_makes_the_diff_incomplete(tmp_path: Path) -> None:
    broken = tmp_path / "drift-v2"
    shutil.copytree(REPO / V2, broken)
    (broken / "force-app/main/default/flows/Contoso_MQL_SLA_Alert.flow-meta.xml").write_text("<Flow><oops", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = _run(diff, [V1, str(broken)])
        assert result.exit_code == 3
        assert "the diff is incomplete" in result.stderr and "Contoso_MQL_SLA_Alert" in result.stderr
        assert _run(snapshot, [str(broken), "-o", str(tmp_path / "s.json")]).exit_code == 3


def test_metadata_text_is_escaped_in_the_html(tmp_path: Path) -> None:
    org = tmp_path / "evil"
    shutil.copytree(REPO / V1, org)
    values = org / "force-app/main/default/standardValueSets/LeadStatus.standardValueSet-meta.xml"
    evil = "&lt;script&gt;alert(1)&lt;/script&gt;"
    text = values.read_text(encoding="utf-8").replace("<fullName>Working</fullName>", f"<fullName>{evil}</fullName>")
    values.write_text(text, encoding="utf-8")
    result = _run(diff, [str(REPO / V1), str(org), "--format", "html"])
    assert result.exit_code == 1
    assert "<script>" not in result.stdout and "&lt;script&gt;alert(1)&lt;/script&gt;" in result.stdout
    from auditor.diff import diff as diff_models
    from auditor.drift import review
    from auditor.sources import load_model
    from reports.diff_html import render_section

    fragment = render_section(review(diff_models(load_model(REPO / V1), load_model(org)), (), old="a", new="b"))
    assert fragment.startswith('<section class="drift" id="drift">') and "<script>" not in fragment


# --- scoring: snapshots written with a process file -------------------------------------------

PROCESS_V1 = "tests/fixtures/drift/process-v1.yaml"
PROCESS_V2 = "tests/fixtures/drift/process-v2.yaml"
APPROVED_SCORING = "tests/fixtures/drift/approved-scoring-drift.yaml"
SCORING_GOLDEN = ("scoring-diff.txt", "scoring-diff.json", "scoring-diff.junit.xml", "scoring-diff.html")


@pytest.fixture(scope="module")
def scoring_outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    """The May snapshot (drift-v1 with process-v1) against tonight's (drift-v2 with process-v2)."""
    out = tmp_path_factory.mktemp("scoring-drift")
    old, new = out / "drift-v1.json", out / "drift-v2.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        assert _run(snapshot, [V1, "--process", PROCESS_V1, "-o", str(old)]).exit_code == 0
        assert _run(snapshot, [V2, "--process", PROCESS_V2, "-o", str(new)]).exit_code == 0
        result = _run(diff, [str(old), str(new), "--approved", APPROVED_SCORING,
                             "--json", str(out / "scoring-diff.json"), "--junit", str(out / "scoring-diff.junit.xml"),
                             "--html", str(out / "scoring-diff.html")])
    assert result.exit_code == 1, result.output
    assert result.stderr == ""  # both sides have a scoring part: nothing to warn about
    (out / "scoring-diff.txt").write_text(result.stdout, encoding="utf-8")
    yield {name: (out / name).read_bytes() for name in SCORING_GOLDEN}


@pytest.mark.parametrize("name", SCORING_GOLDEN)
def test_scoring_diff_matches_its_golden_file(name: str, scoring_outputs: dict[str, bytes]) -> None:
    golden = DRIFT / name
    if os.environ.get("LEADAUDIT_UPDATE_GOLDEN"):
        golden.write_bytes(scoring_outputs[name])
    assert scoring_outputs[name].decode("utf-8") == golden.read_text(encoding="utf-8")


def test_scoring_diff_json_and_junit_count_the_scoring_changes(scoring_outputs: dict[str, bytes]) -> None:
    schema = json.loads((REPO / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    document = json.loads(scoring_outputs["scoring-diff.json"])
    jsonschema.Draft202012Validator(schema).validate(document)
    assert document["summary"] == {"changes": 38, "approved": 4, "not_approved": 34}  # 14 org + 24 scoring changes
    scoring = [c for c in document["changes"] if c["area"] == "scoring"]
    assert len(scoring) == 24 and all(c["kind"].startswith("scoring.") for c in scoring)
    assert document["unused_approvals"] == []
    threshold = next(c for c in scoring if c["subject"] == "Process:scoring.mql_threshold")
    assert (threshold["before"], threshold["after"], threshold["approved"]) == ("75 points", "100 points", True)
    assert threshold["location"] == {"path": "process-v2.yaml", "line": 13}
    root = etree.fromstring(scoring_outputs["scoring-diff.junit.xml"])
    suite = root.find("testsuite[@name='leadaudit.drift.scoring']")
    assert suite is not None and suite.get("tests") == "24" and suite.get("failures") == "20"
    html = scoring_outputs["scoring-diff.html"].decode("utf-8")
    assert "scoring.limit_crossed" in html and "ScoringModel:criteria" in html


def test_a_snapshot_without_a_process_file_is_as_before(tmp_path: Path) -> None:
    from auditor.snapshot import dumps, snapshot as snapshot_of
    from auditor.sources import load_model

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)  # no process file here, none beside the fixture org
        result = _run(snapshot, [V1])
    assert result.exit_code == 0
    assert "scoring" not in json.loads(result.stdout)
    assert result.stdout == dumps(snapshot_of(load_model(REPO / V1)))


def _org_with_process(tmp_path: Path, org: str, version: int) -> Path:
    """A copy of a fixture org with its process file (as process.yaml) and scoring file beside it."""
    folder = tmp_path / Path(org).name
    shutil.copytree(REPO / org, folder)
    text = (DRIFT / f"process-v{version}.yaml").read_text(encoding="utf-8")
    (folder / "process.yaml").write_text(text, encoding="utf-8")
    shutil.copy(DRIFT / f"scoring-v{version}.yaml", folder / f"scoring-v{version}.yaml")
    return folder


def test_the_process_file_beside_the_source_or_in_the_current_folder_is_found(tmp_path: Path) -> None:
    org = _org_with_process(tmp_path, V1, 1)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        beside = _run(snapshot, [str(org)])
        explicit = _run(snapshot, [V1, "--process", str(org / "process.yaml")])
        patch.chdir(org)
        from_here = _run(snapshot, [str(REPO / V1)])
    assert beside.exit_code == explicit.exit_code == from_here.exit_code == 0
    scoring = json.loads(beside.stdout)["scoring"]
    assert scoring["process"] == "process.yaml"
    assert scoring["model"]["file"] == {"path": "scoring-v1.yaml", "line": 1}
    assert json.loads(explicit.stdout)["scoring"] == scoring == json.loads(from_here.stdout)["scoring"]


def test_scoring_snapshots_are_byte_identical_wherever_they_are_written_from(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        first = _run(snapshot, [V1, "--process", PROCESS_V1]).stdout_bytes
        second = _run(snapshot, [V1, "--process", PROCESS_V1]).stdout_bytes
        patch.chdir(tmp_path)
        elsewhere = _run(snapshot, [str(REPO / V1), "--process", str(REPO / PROCESS_V1)]).stdout_bytes
    assert first == second == elsewhere
    text = first.decode("utf-8")
    assert str(REPO) not in text and str(tmp_path) not in text and '"scoring"' in text


def test_folders_with_their_process_files_diff_like_their_snapshots(tmp_path: Path) -> None:
    old_org, new_org = _org_with_process(tmp_path / "a", V1, 1), _org_with_process(tmp_path / "b", V2, 2)
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        assert _run(snapshot, [str(old_org), "-o", str(old)]).exit_code == 0
        assert _run(snapshot, [str(new_org), "-o", str(new)]).exit_code == 0
        folders = json.loads(_run(diff, [str(old_org), str(new_org), "--format", "json"]).stdout)
        snaps = json.loads(_run(diff, [str(old), str(new), "--format", "json"]).stdout)
        again = _run(snapshot, [str(old)])  # a snapshot of a snapshot keeps its scoring part
    assert folders["changes"] == snaps["changes"]
    assert sum(c["area"] == "scoring" for c in snaps["changes"]) == 24
    assert again.stdout_bytes == old.read_bytes()


def test_scoring_on_one_side_only_is_not_compared_and_said(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        assert _run(snapshot, [V1, "--process", PROCESS_V1, "-o", str(old)]).exit_code == 0
        result = _run(diff, [str(old), V2, "--format", "json"])
    assert result.exit_code == 1
    assert "scoring not compared: NEW has no scoring part" in result.stderr
    changes = json.loads(result.stdout)["changes"]
    assert len(changes) == 14 and not any(c["area"] == "scoring" for c in changes)


def test_a_broken_process_file_is_a_usage_error(tmp_path: Path) -> None:
    broken = tmp_path / "process.yaml"
    broken.write_text("version: 1\nstatuses: []\nscoring_model: missing.yaml\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = _run(snapshot, [V1, "--process", str(broken)])
    assert result.exit_code == 2 and "invalid process file" in result.output
