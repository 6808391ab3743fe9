"""Snapshots: deterministic, secret-free, valid against their schema, and auditable as a source.

The promise that makes drift detection trustworthy is that a snapshot *is* the org: auditing
the snapshot gives exactly the findings auditing the folder gives, for every fixture org.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import types
import typing
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from auditor.drift_cli import snapshot as snapshot_command
from auditor.engine import run_audit
from auditor.model import Model
from auditor.process import load_process
from auditor.registry import all_checks
from auditor.snapshot import ScoringSnapshot, SnapshotError, dumps, load_snapshot, snapshot, snapshot_schema
from auditor.sources import SourceError, load_model
from tests.conftest import FIXTURE_ORGS, REPO

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
DEMO = REPO / "examples" / "demo-org"
ORGS = sorted(p for p in FIXTURE_ORGS.iterdir() if p.is_dir()) + [DEMO]


def _write_snapshot(source: Path, out: Path) -> Path:
    result = CliRunner().invoke(snapshot_command, [str(source), "-o", str(out)])
    assert result.exit_code in (0, 3), result.output  # 3: a fixture with unreadable files on purpose
    return out


def _findings(model: Model) -> list[tuple[object, ...]]:
    process = load_process(DEMO / "process.yaml")
    result = run_audit(model, process, all_checks(), now=NOW, tool_version="t")
    found: list[tuple[object, ...]] = [
        (f.rule_id, f.severity.label, f.subject, f.message, f.location, f.related) for f in result.findings
    ]
    return found + [("incomplete", reason) for reason in result.incomplete_reasons]


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.name)
def test_auditing_a_snapshot_gives_the_findings_of_auditing_the_folder(org: Path, tmp_path: Path) -> None:
    path = _write_snapshot(org, tmp_path / f"{org.name}.json")
    from_folder = load_model(org)
    from_snapshot = load_model(path)
    assert from_snapshot.source_name == str(path)
    assert dataclasses.replace(from_snapshot, source_name=from_folder.source_name) == from_folder
    folder_findings = _findings(from_folder)
    assert folder_findings, f"{org.name} audited against the demo process has findings to compare"
    assert _findings(from_snapshot) == folder_findings


def test_audit_command_reads_a_snapshot_like_the_folder(tmp_path: Path) -> None:
    from auditor import cli

    org = FIXTURE_ORGS / "acme-sfdx"
    path = _write_snapshot(org, tmp_path / "acme.json")
    process = str(DEMO / "process.yaml")
    env = {"SOURCE_DATE_EPOCH": "1795478400", "NO_COLOR": "1"}
    runner = CliRunner()
    on_folder = runner.invoke(cli.cli, ["audit", str(org), "--process", process, "--format", "json"], env=env)
    on_snapshot = runner.invoke(cli.cli, ["audit", str(path), "--process", process, "--format", "json"], env=env)
    assert on_folder.exit_code == on_snapshot.exit_code == 1
    folder, snap = json.loads(on_folder.stdout), json.loads(on_snapshot.stdout)
    assert snap["findings"] == folder["findings"] and snap["findings"]


@pytest.mark.parametrize("org", ORGS, ids=lambda p: p.name)
def test_snapshot_is_valid_against_its_schema(org: Path) -> None:
    document = json.loads(dumps(snapshot(load_model(org))))
    jsonschema.Draft202012Validator(snapshot_schema()).validate(document)


def test_two_snapshot_runs_are_byte_identical_and_independent_of_where_the_org_lives(tmp_path: Path) -> None:
    first = _write_snapshot(DEMO, tmp_path / "one.json").read_bytes()
    second = _write_snapshot(DEMO, tmp_path / "two.json").read_bytes()
    assert first == second
    moved = tmp_path / "elsewhere" / "demo-org"
    shutil.copytree(DEMO, moved)
    assert _write_snapshot(moved, tmp_path / "three.json").read_bytes() == first
    text = first.decode("utf-8")
    assert str(REPO) not in text and str(tmp_path) not in text
    assert json.loads(text)["source"] == "demo-org"


SECRETS = {
    "access token": "00D5g000004xYz1!AQcAQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM",
    "password": "Tr0ub4dor&3-contoso",
    "private key": "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj",
    "consumer secret": "8C3B5E0F7A1D2C4B9E6F0A3D5C7B1E9F2A4C6E8B0D1F3A5C7E9B2D4F6A8C0E1",
}


def test_no_secret_reaches_a_snapshot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Secrets beside the metadata (an sfdx auth file, a JWT key, a .env) and in the environment
    stay out: a snapshot holds the model and facts, never a file's raw content."""
    org = tmp_path / "contoso"
    shutil.copytree(FIXTURE_ORGS / "drift-v1", org)
    (org / "server.key").write_text(
        f"-----BEGIN PRIVATE KEY-----\n{SECRETS['private key']}\n-----END PRIVATE KEY-----\n", encoding="utf-8")
    (org / ".env").write_text(f"SF_PASSWORD={SECRETS['password']}\nSF_CONSUMER_SECRET={SECRETS['consumer secret']}\n",
                              encoding="utf-8")
    auth = org / "force-app" / "main" / "default" / "sfdx-auth.json"
    auth.write_text(json.dumps({"accessToken": SECRETS["access token"]}), encoding="utf-8")
    (org / "facts.json").write_text(json.dumps({"org": {"id": "00D5g000004xYz1EAA", "name": "Contoso"}}), encoding="utf-8")
    monkeypatch.setenv("SF_ACCESS_TOKEN", SECRETS["access token"])
    monkeypatch.setenv("SF_PASSWORD", SECRETS["password"])
    text = _write_snapshot(org, tmp_path / "snap.json").read_text(encoding="utf-8")
    for what, secret in SECRETS.items():
        assert secret not in text, f"the {what} leaked into the snapshot"
    assert "BEGIN PRIVATE KEY" not in text
    document = json.loads(text)
    assert document["facts"] == {"org": {"id": "00D5g000004xYz1EAA", "name": "Contoso"}}
    listed = {"path": "force-app/main/default/sfdx-auth.json", "kind": "unused", "status": "unused", "component": ""}
    assert listed in document["model"]["files"]  # listed by path, as every file is; never its content


SCHEMA_FILE = REPO / "schemas" / "snapshot.schema.json"
_JSON_TYPES: dict[object, dict[str, object]] = {
    str: {"type": "string"}, int: {"type": "integer"}, float: {"type": "number"}, bool: {"type": "boolean"},
}


def _schema_of(hint: object, defs: dict[str, dict[str, object]]) -> dict[str, object]:
    """The JSON Schema of one type hint of the model, adding record definitions to ``defs``."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return {"enum": list(typing.get_args(hint))}
    if origin in (types.UnionType, typing.Union):
        options = [_schema_of(a, defs) for a in typing.get_args(hint) if a is not type(None)]
        nullable = type(None) in typing.get_args(hint)
        if all(isinstance(o.get("type"), str) and len(o) == 1 for o in options):
            return {"type": [o["type"] for o in options] + (["null"] if nullable else [])}
        if len(options) == 1 and isinstance(options[0].get("type"), str):
            return {**options[0], "type": [options[0]["type"], "null"]}
        return {"anyOf": options + ([{"type": "null"}] if nullable else [])}
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _schema_of(args[0], defs)}
        return {"type": "array", "prefixItems": [_schema_of(a, defs) for a in args], "minItems": len(args),
                "maxItems": len(args), "items": False}
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        _define(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    return dict(_JSON_TYPES[hint])


def _define(cls: type, defs: dict[str, dict[str, object]]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}
    hints = typing.get_type_hints(cls)  # in the record's own module: the scoring records name Origin, Criterion...
    names = [f.name for f in dataclasses.fields(cls)]
    definition: dict[str, object] = {}
    if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}("):  # a written docstring, not the default
        definition["description"] = " ".join(cls.__doc__.split())
    definition.update({"type": "object", "additionalProperties": False, "required": names,
                       "properties": {name: _schema_of(hints[name], defs) for name in names}})
    defs[cls.__name__] = definition


def _records(cls: type, found: set[type]) -> set[type]:
    """Every record type reachable from ``cls``'s fields."""
    if cls in found:
        return found
    found.add(cls)
    pending = list(typing.get_type_hints(cls).values())
    while pending:
        hint = pending.pop()
        if dataclasses.is_dataclass(hint) and isinstance(hint, type):
            _records(hint, found)
        pending.extend(typing.get_args(hint))
    return found


def test_schema_describes_the_model_exactly() -> None:
    """The snapshot schema's record definitions follow the Model's dataclasses field for field,
    and the scoring part's (ScoringSnapshot: the scoring model records and the settings) too.

    A field added to a model or scoring record must reach the schema too (its properties are
    closed), or every new snapshot would be refused. After changing auditor/model.py or
    auditor/scoring/, rewrite the definitions with
    ``LEADAUDIT_UPDATE_GOLDEN=1 python -m pytest tests/test_snapshot.py`` and review the diff.
    """
    defs: dict[str, dict[str, object]] = {}
    _define(Model, defs)
    _define(ScoringSnapshot, defs)
    records = _records(Model, set()) | _records(ScoringSnapshot, set())
    assert len(defs) == len(records), "two record types share a name: their schema definitions would collide"
    expected = dict(sorted(defs.items()))
    schema = snapshot_schema()
    if os.environ.get("LEADAUDIT_UPDATE_GOLDEN"):
        schema["$defs"] = expected
        SCHEMA_FILE.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert schema["$defs"] == expected


def test_load_snapshot_names_the_line_of_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "snap.json"
    path.write_text('{\n  "format": "leadaudit-snapshot",\n  "version": 1,,\n}\n', encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"snap\.json:3:\d+: not valid JSON"):
        load_snapshot(path)


def test_load_snapshot_names_the_place_that_breaks_the_schema(tmp_path: Path) -> None:
    document = json.loads(dumps(snapshot(load_model(FIXTURE_ORGS / "drift-v1"))))
    document["model"]["statuses"][2]["converted"] = "yes"
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"at /model/statuses/2/converted: 'yes' is not of type 'boolean'"):
        load_snapshot(path)


def test_another_json_file_is_refused_as_a_source(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"tool": {"name": "leadaudit"}, "findings": []}), encoding="utf-8")
    with pytest.raises(SourceError, match="not a leadaudit snapshot"):
        load_model(path)


def test_a_snapshot_of_a_snapshot_is_the_same_snapshot(tmp_path: Path) -> None:
    first = _write_snapshot(FIXTURE_ORGS / "acme-mdapi", tmp_path / "acme-mdapi.json")
    second = _write_snapshot(first, tmp_path / "again" / "acme-mdapi.json")
    assert first.read_bytes() == second.read_bytes()


# --- the scoring part ---------------------------------------------------------------------------


def test_the_scoring_part_round_trips_and_names_no_absolute_path(tmp_path: Path) -> None:
    from auditor.snapshot import scoring_of, scoring_snapshot

    model = load_model(DEMO)
    process_file = DEMO / "process.yaml"
    part = scoring_snapshot(model, load_process(process_file), process_file)
    assert part.model is not None and part.model.file is not None
    assert part.model.file.path == "scoring.yaml" and part.process == "process.yaml"
    assert part.settings.mql_threshold == 50.0 and part.settings.decay_days == (15, 30, 45)
    assert {r.origin for r in part.model.automation_rules} == {"scoring file", "salesforce metadata"}
    text = dumps(snapshot(model, scoring=part))
    assert str(REPO) not in text
    document = json.loads(text)
    jsonschema.Draft202012Validator(snapshot_schema()).validate(document)
    assert scoring_of(document) == part
    assert scoring_of(json.loads(dumps(snapshot(model)))) is None


def test_a_snapshot_with_a_scoring_part_audits_like_the_folder(tmp_path: Path) -> None:
    """The demo org has its process file beside it, so its snapshot keeps scoring: the audit
    ignores that part and reads the scoring model file of the process it is given."""
    path = _write_snapshot(DEMO, tmp_path / "demo.json")
    assert json.loads(path.read_text(encoding="utf-8"))["scoring"]["model"]["file"]["path"] == "scoring.yaml"
    from_snapshot = load_model(path)
    assert dataclasses.replace(from_snapshot, source_name="x") == dataclasses.replace(load_model(DEMO), source_name="x")
    assert any(str(f[0]).startswith("SC") for f in _findings(from_snapshot))  # the scoring rules did judge something


def test_load_snapshot_names_the_place_that_breaks_the_scoring_schema(tmp_path: Path) -> None:
    document = json.loads(_write_snapshot(DEMO, tmp_path / "demo.json").read_text(encoding="utf-8"))
    document["scoring"]["model"]["automation_rules"][0]["origin"] = "a spreadsheet"
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SnapshotError, match=r"at /scoring/model/automation_rules/0/origin: 'a spreadsheet' is not one of"):
        load_snapshot(path)
