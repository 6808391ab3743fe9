"""Both Salesforce layouts and a retrieve zip describe the same org the same way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

from auditor.engine import run_audit
from auditor.model import Model, SourceRef
from auditor.process import load_process
from auditor.registry import all_checks
from auditor.sources import load_model
from tests.conftest import FIXTURE_ORGS, REPO

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
LOCATION_KEYS = {"source", "status_source", "assignment_rules_source", "auto_response_rules_source", "files"}


def _without_locations(value: Any) -> Any:
    """The model's content: every SourceRef and the file list dropped (paths differ by layout)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _without_locations(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in LOCATION_KEYS and not isinstance(getattr(value, f.name), SourceRef)
        } | {"_type": type(value).__name__}
    if isinstance(value, (tuple, list)):
        return [_without_locations(v) for v in value]
    return value


def _content(model: Model) -> dict[str, Any]:
    data = _without_locations(model)
    data.pop("source_name")
    return data


def _findings(model: Model) -> list[tuple[str, str, str, str]]:
    process = load_process(REPO / "examples" / "demo-org" / "process.yaml")
    result = run_audit(model, process, all_checks(), now=NOW, tool_version="t")
    return [(f.rule_id, f.severity.label, f.subject, f.message.replace(process.path, "")) for f in result.findings]


def test_source_and_metadata_api_layouts_give_equal_models_and_findings() -> None:
    sfdx = load_model(FIXTURE_ORGS / "acme-sfdx")
    mdapi = load_model(FIXTURE_ORGS / "acme-mdapi")
    assert not sfdx.problems and not mdapi.problems
    assert _content(sfdx) == _content(mdapi)
    # the fixture is not empty: every kind the foundation reads is there
    assert len(sfdx.statuses) == 7 and len(sfdx.fields) >= 3 and len(sfdx.validation_rules) == 2
    assert sfdx.business_processes and sfdx.record_types and sfdx.workflow_rules
    assert len(sfdx.flows) == 2 and len(sfdx.queues) == 2 and sfdx.auto_response_rules
    findings = _findings(sfdx)
    assert findings == _findings(mdapi)
    assert findings, "the Acme org audited against the demo process has findings to compare"


def test_a_retrieve_zip_reads_like_its_folder(tmp_path: Path) -> None:
    folder = FIXTURE_ORGS / "acme-mdapi"
    archive = tmp_path / "retrieve.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, "unpackaged/" + path.relative_to(folder).as_posix())
    from_zip = load_model(archive)
    from_folder = load_model(folder)
    assert not from_zip.problems
    assert _content(from_zip) == _content(from_folder)
    assert from_zip.flows[0].source.path.startswith("unpackaged/flows/")


def test_sources_point_to_the_file_and_line() -> None:
    model = load_model(FIXTURE_ORGS / "acme-sfdx")
    rule = model.assignment_rules[0]
    assert rule.source.path == "force-app/main/default/assignmentRules/Lead.assignmentRules-meta.xml"
    text = (FIXTURE_ORGS / "acme-sfdx" / rule.source.path).read_text().splitlines()
    assert "<assignmentRule>" in text[rule.source.line - 1]  # type: ignore[operator]
    for entry in rule.entries:
        assert "<ruleEntry>" in text[entry.source.line - 1]  # type: ignore[operator]


def test_the_messy_org_loads_cleanly() -> None:
    model = load_model(FIXTURE_ORGS / "messy")
    assert not model.problems, model.problems
    statuses = {s.api_name: s for s in model.statuses}
    assert statuses["Closed - Converted"].converted
    assert "Working - Contacted" in statuses
    (rule,) = [r for r in model.assignment_rules if r.name == "FLEXcon Global 2.0"]
    assert rule.active
    kinds = {(f.kind, f.status) for f in model.files if f.path.startswith("assignmentRules/")}
    assert ("assignmentRules", "duplicate") in kinds and ("assignmentRules", "read") in kinds
    assert len(model.assignment_rules) == len({r.name for r in model.assignment_rules})  # read once, not twice
    assert all(r.source.path.endswith("Lead.assignmentRules") for r in model.assignment_rules)  # Case ignored
    no_version = [f for f in model.flows if f.api_version is None]
    assert no_version, "the flow without apiVersion is loaded"
    assert any(f.name.startswith("pkg__") for f in model.flows)


def test_sfdx_project_package_directories_limit_what_is_read(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "app", "default": true}]}')
    (tmp_path / "app" / "flows").mkdir(parents=True)
    (tmp_path / "scratch" / "flows").mkdir(parents=True)
    flow = b'<?xml version="1.0"?><Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>x</label></Flow>'
    (tmp_path / "app" / "flows" / "In.flow-meta.xml").write_bytes(flow)
    (tmp_path / "scratch" / "flows" / "Out.flow-meta.xml").write_bytes(flow)
    assert [f.name for f in load_model(tmp_path).flows] == ["In"]


def test_a_broken_sfdx_project_file_is_located_and_the_folder_still_read(tmp_path: Path) -> None:
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [\n  {"path": }\n]}')
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "A.flow").write_bytes(
        b'<?xml version="1.0"?><Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>x</label></Flow>'
    )
    model = load_model(tmp_path)
    assert [f.name for f in model.flows] == ["A"]
    (problem,) = model.problems
    assert problem.source == SourceRef("sfdx-project.json", 2)


def test_symbolic_links_out_of_the_source_or_in_a_loop_are_named_not_followed(tmp_path: Path) -> None:
    flow = b'<?xml version="1.0"?><Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>x</label></Flow>'
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Secret.flow-meta.xml").write_bytes(flow)
    org = tmp_path / "org"
    (org / "flows").mkdir(parents=True)
    (org / "flows" / "Real.flow-meta.xml").write_bytes(flow)
    (org / "flows" / "Alias.flow-meta.xml").symlink_to(org / "flows" / "Real.flow-meta.xml")  # inside: read
    (org / "flows" / "Leak.flow-meta.xml").symlink_to(outside / "Secret.flow-meta.xml")
    (org / "flows" / "Loop_A.flow-meta.xml").symlink_to(org / "flows" / "Loop_B.flow-meta.xml")
    (org / "flows" / "Loop_B.flow-meta.xml").symlink_to(org / "flows" / "Loop_A.flow-meta.xml")
    model = load_model(org)
    assert sorted(f.name for f in model.flows) == ["Alias", "Real"]
    problems = {p.source.path: p.message for p in model.problems}
    assert problems["flows/Leak.flow-meta.xml"] == "symbolic link to outside the source: not read"
    assert "loop" in problems["flows/Loop_A.flow-meta.xml"] and "loop" in problems["flows/Loop_B.flow-meta.xml"]
    result = run_audit(model, None, all_checks(), now=NOW, tool_version="test")
    assert not result.complete  # files it could not read: never a clean pass


def test_reading_an_org_leaves_a_host_applications_frozen_objects_frozen() -> None:
    import gc

    keep = [object() for _ in range(10)]  # tracked objects
    gc.collect()
    gc.freeze()
    try:
        load_model(REPO / "examples" / "demo-org")
        # frozen objects that die meanwhile leave the count, so it may shrink a little; an
        # unfreeze would empty it, releasing the ten kept alive here too
        assert gc.get_freeze_count() >= len(keep) and gc.isenabled()
    finally:
        gc.unfreeze()
    del keep
