"""The Tooling API's Flow Metadata (JSON) written back as Metadata API XML the loader reads."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from auditor.model import NO_SOURCE, SourceRef
from auditor.parse import load_files
from auditor.sources.org.flows import file_status, flow_files, metadata_xml, tooling_flow_soql
from tests.conftest import FIXTURE_ORGS
from tests.fakesf.tooling_json import metadata_json

FLOWS = sorted((FIXTURE_ORGS / "acme-mdapi" / "flows").glob("*.flow")) + sorted(
    (FIXTURE_ORGS / "messy" / "flows").glob("*.flow"))


def _without_sources(value: Any) -> Any:
    """A model record with every SourceRef blanked: regenerated XML has other line numbers."""
    if isinstance(value, SourceRef):
        return NO_SOURCE
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _without_sources(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, tuple):
        return tuple(_without_sources(item) for item in value)
    return value


@pytest.mark.parametrize("path", FLOWS, ids=lambda p: p.name)
def test_a_flow_survives_the_tooling_json_round_trip(path: Path) -> None:
    original = load_files("org", [(f"flows/{path.name}", path.read_bytes())])
    rebuilt_xml = metadata_xml(metadata_json(path.read_bytes()))
    rebuilt = load_files("org", [(f"flows/{path.name}", rebuilt_xml)])
    assert not rebuilt.problems
    assert _without_sources(rebuilt.flows) == _without_sources(original.flows)


def test_nulls_empty_lists_and_booleans_are_written_as_the_metadata_api_does() -> None:
    xml = metadata_xml({"label": "X", "description": None, "decisions": [], "isTemplate": False,
                        "start": {"locationX": 50, "filters": [{"field": "Status", "operator": "EqualTo"}]}})
    text = xml.decode()
    assert "<description" not in text and "<decisions" not in text
    assert "<isTemplate>false</isTemplate>" in text
    assert "<locationX>50</locationX>" in text
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>")
    assert 'xmlns="http://soap.sforce.com/2006/04/metadata"' in text


def test_only_record_ids_reach_the_tooling_query() -> None:
    assert tooling_flow_soql("3015g0000000001AAA").endswith("WHERE Id = '3015g0000000001AAA'")
    with pytest.raises(ValueError):
        tooling_flow_soql("x' OR Id != '")


def test_flow_files_are_found_in_either_layout(tmp_path: Path) -> None:
    mdapi = tmp_path / "flows" / "A.flow"
    source = tmp_path / "main" / "default" / "flows" / "B.flow-meta.xml"
    for path in (mdapi, source):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><status>Draft</status></Flow>')
    assert flow_files(tmp_path, "A") == [mdapi]
    assert flow_files(tmp_path, "B") == [source]
    assert file_status(source) == "Draft"
