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
