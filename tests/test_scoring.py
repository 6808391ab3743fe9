"""The scoring model: its file (located errors, like the process file's), what the Salesforce
metadata adds, the merge the checks read, the report's scoring overview, and init --scoring."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from auditor.cli import main
from auditor.engine import run_audit
from auditor.init_scoring import scoring_template
from auditor.model import SourceRef
from auditor.parse import load_files
from auditor.located_yaml import LocatedError
from auditor.process import ProcessError, load_process
from auditor.scoring.build import build_scoring
from auditor.scoring.file import load_scoring_file
from auditor.scoring.model import Action, AutomationRule, Criterion, ScoringModel, merge
from auditor.scoring.queries import criteria_count, decay_rules, mql_automations
from auditor.scoring.settings import scoring_settings
from checks import ALL_CHECKS
from reports.json_report import render as render_json
from tests.conftest import REPO

PROCESS = "version: 1\nstatuses:\n  - {api_name: New, entry: true, next: [MQL]}\n  - {api_name: MQL}\n"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)

ENGAGEMENT_FIELD = b"""<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Engagement_Score__c</fullName>
    <label>Engagement Score</label>
    <precision>4</precision>
    <scale>0</scale>
    <type>Number</type>
</CustomField>
"""
FIT_FORMULA = b"""<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Fit_Score__c</fullName>
    <formula>IF(ISPICKVAL(Industry, &quot;Mining&quot;), 40, 0) + IF(NumberOfEmployees &gt; 500, 30, 0) + IF(ISPICKVAL(Industry, &quot;Forestry&quot;), 30, 0)</formula>
    <label>Fit Score</label>
    <precision>18</precision>
    <scale>0</scale>
    <type>Number</type>
</CustomField>
"""
MQL_FLOW = b"""<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <assignments>
        <name>Set_MQL</name>
        <label>Set MQL</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <assignmentItems>
            <assignToReference>$Record.Status</assignToReference>
            <operator>Assign</operator>
            <value><stringValue>MQL</stringValue></value>
        </assignmentItems>
    </assignments>
    <label>Lead Set MQL</label>
    <processType>AutoLaunchedFlow</processType>
    <start>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <connector><targetReference>Set_MQL</targetReference></connector>
        <filterLogic>and</filterLogic>
        <filters>
            <field>Engagement_Score__c</field>
            <operator>GreaterThan</operator>
            <value><numberValue>59.0</numberValue></value>
        </filters>
        <object>Lead</object>
        <recordTriggerType>CreateAndUpdate</recordTriggerType>
        <triggerType>RecordBeforeSave</triggerType>
    </start>
    <status>Active</status>
</Flow>
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- the scoring model file -------------------------------------------------------------------


def test_file_errors_name_the_key_path_and_the_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "scoring.yaml",
        "version: 1\n"
        "scoring_rules:\n"
        "  - {activity: Email click, points: lots}\n"
        "automation_rules:\n"
        "  - name: MQL\n"
        "    criteria: [{field: score, operator: '>=', value: 100}]\n"
        "    actions: [{action: make_mql}]\n",
    )
    with pytest.raises(LocatedError) as err:
        load_scoring_file(path)
    assert str(err.value).splitlines() == [
        f"{path}:3: scoring_rules/0/points: 'lots' is not of type 'number'",
        f"{path}:7: automation_rules/0/actions/0/action: 'make_mql' is not one of "
        "['adjust_score', 'set_score', 'set_status', 'set_field', 'assign_user', 'assign_queue', 'assign_rule', "
        "'notify_user', 'create_task', 'add_to_list', 'remove_from_list', 'add_to_program', 'remove_from_program', "
        "'add_tag', 'add_to_campaign']",
    ]


def test_consistency_errors_are_located(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "scoring.yaml",
        "version: 1\n"
        "categories: [{name: Email}]\n"
        "scoring_rules:\n"
        "  - activity: Email click\n"
        "    points: 3\n"
        "    category: Emails\n"
        "forms:\n"
        "  - {name: Contact}\n"
        "  - {name: Contact}\n"
        "automation_rules:\n"
        "  - name: Decay\n"
        "    criteria: [{field: days_since_last_activity, operator: '>=', value: thirty}]\n"
        "    actions: [{action: adjust_score, value: -5}]\n",
    )
    with pytest.raises(LocatedError) as err:
        load_scoring_file(path)
    text = str(err.value)
    assert f"{path}:6: scoring_rules/0/category: 'Emails' is not one of the categories" in text
    assert f"{path}:9: forms: 'Contact' is listed twice" in text
    assert f"{path}:12: automation_rules/0/criteria/0/value: days_since_last_activity is compared with a number" in text


def test_set_field_needs_its_field(tmp_path: Path) -> None:
    path = _write(tmp_path, "scoring.yaml",
                  "version: 1\nforms:\n  - name: Demo\n    completion_actions:\n      - {action: set_field, value: x}\n")
    with pytest.raises(LocatedError, match=r"scoring\.yaml:5: forms/0/completion_actions/0: 'field' is a required"):
        load_scoring_file(path)


def test_every_piece_says_where_it_came_from(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "scoring.json",
        json.dumps({
            "version": 1,
            "grading_profiles": [{"name": "ICP", "criteria": [
                {"field": "Industry", "operator": "is", "value": "Mining"},
                {"field": "NumberOfEmployees", "operator": ">=", "value": 500},
            ]}],
            "forms": [{"name": "Contact", "hand_raiser": True,
                       "completion_actions": [{"action": "set_field", "field": "Hand_Raiser__c", "value": True}]}],
        }, indent=1),
    )
    model = load_scoring_file(path)
    profile = model.grading_profiles[0]
    assert profile.origin == "scoring file" and profile.source.path == str(path)
    assert profile.criteria[1] == Criterion("NumberOfEmployees", ">=", 500.0)
    assert [ref.line for ref in profile.criterion_sources] == [7, 12]
    assert model.forms[0].completion_actions == (Action("set_field", "true", "Hand_Raiser__c"),)
    assert model.origins == ("scoring file",) and model.file == SourceRef(str(path), 1)


def test_the_process_names_the_file_relative_to_itself(tmp_path: Path) -> None:
    _write(tmp_path, "config/scoring.yaml", "version: 1\ncategories: [{name: Email}]\n")
    process_file = _write(tmp_path, "config/process.yaml", PROCESS + "scoring_model: scoring.yaml\n")
    process = load_process(process_file)
    assert process.scoring_model is not None
    assert process.scoring_model.categories[0].source == SourceRef(str(tmp_path / "config" / "scoring.yaml"), 2)


def test_a_missing_or_broken_scoring_file_is_a_process_error(tmp_path: Path) -> None:
    process_file = _write(tmp_path, "process.yaml", PROCESS + "scoring_model: nope.yaml\n")
    with pytest.raises(ProcessError, match=r"process\.yaml:5: scoring_model: 'nope.yaml' is not a file"):
        load_process(process_file)
    _write(tmp_path, "nope.yaml", "version: 2\n")
    with pytest.raises(ProcessError, match=r"nope\.yaml:1: version: 1 was expected"):
        load_process(process_file)


def test_the_process_scoring_settings_have_defaults(tmp_path: Path) -> None:
    assert scoring_settings(None).decay_days == (15, 30, 45)
    process = load_process(_write(tmp_path, "process.yaml", PROCESS + "scoring: {decay_days: [45, 15], mql_threshold: 60}\n"))
    settings = scoring_settings(process)
    assert settings.decay_days == (15, 45) and settings.mql_threshold == 60.0 and settings.max_criteria == 20
    assert settings.source_line == 5
    with pytest.raises(ProcessError, match=r"bad\.yaml:5: scoring/mql_threshold: 0 is less than or equal"):
        load_process(_write(tmp_path, "bad.yaml", PROCESS + "scoring: {mql_threshold: 0}\n"))


# --- Salesforce metadata and the merge ---------------------------------------------------------


def test_salesforce_metadata_adds_fields_formulas_and_flows(tmp_path: Path) -> None:
    model = load_files("org", [
        ("objects/Lead/fields/Engagement_Score__c.field-meta.xml", ENGAGEMENT_FIELD),
        ("objects/Lead/fields/Fit_Score__c.field-meta.xml", FIT_FORMULA),
        ("flows/Lead_Set_MQL.flow-meta.xml", MQL_FLOW),
    ])
    process = load_process(_write(tmp_path, "process.yaml", PROCESS + "scoring: {engagement_field: Engagement_Score__c}\n"))
    scoring = build_scoring(model, process)
    assert scoring is not None and scoring.origins == ("salesforce metadata",)
    assert [(f.role, f.field) for f in scoring.score_fields] == [("score", "Engagement_Score__c"),
                                                                 ("engagement", "Engagement_Score__c")]
    (formula,) = scoring.score_formulas
    assert formula.kind == "formula field" and formula.criteria_fields == ("Industry", "NumberOfEmployees")
    (mql,) = mql_automations(scoring, "MQL")
    assert mql.kind == "flow" and mql.criteria == (Criterion("score", ">", 59.0),)
    assert criteria_count(scoring) == 2


def test_no_source_says_anything_about_scoring() -> None:
    assert build_scoring(load_files("org", []), None) is None


def test_merge_keeps_every_piece_and_orders_the_origins() -> None:
    rule = AutomationRule("Decay", True, (Criterion("days_since_last_activity", ">=", 30.0),),
                          (Action("adjust_score", -5.0),), "account engagement api", SourceRef("api"))
    live = ScoringModel(automation_rules=(rule,), origins=("account engagement api",))
    from_file = ScoringModel(automation_rules=(rule,), origins=("scoring file",), file=SourceRef("s.yaml", 1))
    merged = merge([live, from_file])
    assert merged.origins == ("scoring file", "account engagement api")
    assert len(merged.automation_rules) == 2 and merged.file == SourceRef("s.yaml", 1)
    assert [days for days, _ in decay_rules(merged)] == [30.0, 30.0]


def test_live_parts_reach_the_checks(tmp_path: Path) -> None:
    """The live Account Engagement source hands its part to the engine; SC008 then judges it."""
    from checks import sc008_nurture_program_missing
    from auditor.scoring.model import NurtureProgram

    process = load_process(_write(tmp_path, "process.yaml",
                                  "version: 1\nstatuses:\n  - {api_name: New, entry: true, next: [Nurture]}\n"
                                  "  - {api_name: Nurture, next: [New]}\n"))
    live = ScoringModel(nurture_programs=(NurtureProgram("Drip", False, "Nurture", 60, "account engagement api",
                                                         SourceRef("accountEngagement/programs.json", 3)),),
                        origins=("account engagement api",))
    result = run_audit(load_files("org", []), process, [sc008_nurture_program_missing], now=NOW,
                       tool_version="test", scoring_parts=[live])
    (finding,) = result.findings
    assert "'Drip' is paused" in finding.message
    assert finding.location == SourceRef("accountEngagement/programs.json", 3)


# --- the report and init -----------------------------------------------------------------------


def test_the_json_report_carries_the_scoring_overview_and_stays_valid() -> None:
    process = load_process(REPO / "examples" / "demo-org" / "process.yaml")
    from auditor.sources import load_model

    result = run_audit(load_model(REPO / "examples" / "demo-org"), process, ALL_CHECKS, now=NOW, tool_version="t")
    document = json.loads(render_json(result))
    schema = json.loads((REPO / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(document)
    scoring = document["overview"]["scoring"]
    assert (scoring["criteria"], scoring["max_criteria"], scoring["mql_threshold"]) == (22, 20, 50.0)
    assert [(a["what"], a["value"]) for a in scoring["mql_automations"]] == [
        ("automation rule 'MQL at 75'", 75.0), ("flow Lead_Set_MQL", 50.0)]
    assert [d["value"] for d in scoring["decay_rules"]] == [15.0, 30.0] and scoring["decay_days"] == [15, 30, 45]
    assert [c["name"] for c in scoring["categories"]] == ["Email engagement", "Web activity", "Form submissions", "Events"]


def test_the_template_is_a_valid_sound_scoring_model(tmp_path: Path) -> None:
    model = load_scoring_file(_write(tmp_path, "scoring.yaml", scoring_template()))
    assert criteria_count(model) <= 20  # the template follows its own advice
    assert [days for days, _ in decay_rules(model)] == [15.0, 30.0, 45.0]
    assert mql_automations(model, "MQL") and any(f.hand_raiser for f in model.forms)


def test_init_scoring_writes_the_template_beside_the_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init", "--scoring"]) == 0
    assert "scoring_model: scoring.yaml" in capsys.readouterr().out
    assert (tmp_path / "scoring.yaml").read_text(encoding="utf-8") == scoring_template()
    assert main(["init", "--scoring"]) == 2  # never overwrites without --force
    assert main(["init", "--scoring", "--from", str(tmp_path)]) == 2
    assert main(["init"]) == 0
    process_file = tmp_path / "process.yaml"
    process_file.write_text(process_file.read_text(encoding="utf-8").replace("# scoring_model:", "scoring_model:"),
                            encoding="utf-8")
    assert load_process(process_file).scoring_model is not None
