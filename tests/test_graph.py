"""The process graph: transitions from the process and from automation, blocks, requires, alerts."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import pytest
from lxml import etree

from auditor.cli import main
from auditor.graph import blocks, build_graph, timed_alerts, transitions
from auditor.process import load_process
from auditor.sources import load_model
from tests.conftest import REPO

DEMO = REPO / "examples" / "demo-org"


@pytest.fixture(scope="module")
def demo_graph() -> nx.MultiDiGraph:
    return build_graph(load_model(DEMO), load_process(DEMO / "process.yaml"))


def test_flow_transitions_are_guarded_by_start_filter_and_decision(demo_graph: nx.MultiDiGraph) -> None:
    by_flow = {(t.source_status, t.target_status) for t in transitions(demo_graph) if t.via == "Flow:Lead_Set_MQL"}
    assert by_flow, "Lead_Set_MQL sets Status to MQL"
    assert all(target == "MQL" for _, target in by_flow)
    # its start condition allows only some statuses: the set is a strict subset of the org's
    assert {source for source, _ in by_flow} < {s.api_name for s in load_model(DEMO).statuses}


def test_documented_transitions(demo_graph: nx.MultiDiGraph) -> None:
    documented = {(t.source_status, t.target_status) for t in transitions(demo_graph) if t.via == "process"}
    assert ("New", "Contacted") in documented and ("MQL", "SAL") in documented
    assert not [t for t in documented if t[0] == "Converted"], "terminal statuses are not left"


def test_sla_alert_of_the_demo_flow(demo_graph: nx.MultiDiGraph) -> None:
    (alert,) = [a for a in timed_alerts(demo_graph) if a.automation == "Flow:Lead_SLA_Alerts"]
    assert alert.statuses == frozenset({"MQL"})
    assert alert.offset_hours == 4 and alert.clock == "status change"
    assert alert.notifies == ("email alert",)
    assert alert.recipients, "the email alert's recipients come from the workflow alert it names"


def test_prior_value_rule_blocks_one_transition(tmp_path: Path) -> None:
    from auditor.parse import load_files

    model = load_files("t", [
        ("standardValueSets/LeadStatus.standardValueSet", b"""<?xml version="1.0"?>
<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
<standardValue><fullName>New</fullName><default>true</default></standardValue>
<standardValue><fullName>MQL</fullName><default>false</default></standardValue>
<standardValue><fullName>SQL</fullName><default>false</default></standardValue></StandardValueSet>"""),
        ("objects/Lead/validationRules/No_Skip.validationRule-meta.xml", b"""<?xml version="1.0"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>No_Skip</fullName><active>true</active>
<errorConditionFormula>AND(ISPICKVAL(Status, "SQL"), NOT(ISPICKVAL(PRIORVALUE(Status), "MQL")))</errorConditionFormula>
<errorMessage>x</errorMessage></ValidationRule>"""),
        ("objects/Lead/validationRules/Reason.validationRule-meta.xml", b"""<?xml version="1.0"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>Reason</fullName><active>true</active>
<errorConditionFormula>AND(ISPICKVAL(Status, "SQL"), ISBLANK(Budget__c))</errorConditionFormula>
<errorMessage>x</errorMessage></ValidationRule>"""),
    ])
    process_file = tmp_path / "p.yaml"
    process_file.write_text("version: 1\nstatuses:\n  - {api_name: New, entry: true}\n  - {api_name: MQL}\n  - {api_name: SQL}\n")
    graph = build_graph(model, load_process(process_file))
    assert {(b.rule, b.source_status, b.target_status) for b in blocks(graph)} == {("No_Skip", "New", "SQL")}
    requires = [(u, v, d["status"]) for u, v, d in graph.edges(data=True) if d["kind"] == "requires"]
    assert requires == [("ValidationRule:Reason", "Field:budget__c", "SQL")]


def test_a_blank_named_status_is_not_taken_for_a_new_lead(tmp_path: Path) -> None:
    """Moves are judged in groups of alike facts; a status value without a name ('') is an
    existing lead's status, not the missing prior status of a lead being created."""
    from auditor.parse import load_files

    model = load_files("t", [
        ("standardValueSets/LeadStatus.standardValueSet", b"""<?xml version="1.0"?>
<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
<standardValue><fullName>New</fullName><default>true</default></standardValue>
<standardValue><default>false</default><label>Blank</label></standardValue>
<standardValue><fullName>Disqualified</fullName><default>false</default></standardValue></StandardValueSet>"""),
        ("objects/Lead/validationRules/No_Reopen.validationRule-meta.xml", b"""<?xml version="1.0"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata"><fullName>No_Reopen</fullName><active>true</active>
<errorConditionFormula>AND(ISPICKVAL(Status, "Disqualified"), NOT(ISNEW()))</errorConditionFormula>
<errorMessage>x</errorMessage></ValidationRule>"""),
        ("flows/Disqualify.flow-meta.xml", b"""<?xml version="1.0"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>Disqualify</label><processType>AutoLaunchedFlow</processType>
<status>Active</status><start><object>Lead</object><recordTriggerType>Update</recordTriggerType>
<triggerType>RecordAfterSave</triggerType><connector><targetReference>Set</targetReference></connector></start>
<recordUpdates><name>Set</name><label>Set</label><inputReference>$Record</inputReference>
<inputAssignments><field>Status</field><value><stringValue>Disqualified</stringValue></value></inputAssignments>
</recordUpdates></Flow>"""),
    ])
    process_file = tmp_path / "p.yaml"
    process_file.write_text("version: 1\nstatuses:\n  - {api_name: New}\n  - {api_name: Disqualified, entry: true}\n")
    graph = build_graph(model, load_process(process_file))
    found = {(b.source_status, b.target_status) for b in blocks(graph) if b.rule == "No_Reopen"}
    assert ("", "Disqualified") in found and ("New", "Disqualified") in found
    assert (None, "Disqualified") not in found  # a new lead is not blocked: NOT(ISNEW()) is false


@pytest.mark.parametrize("fmt", ["graphml", "dot", "json"])
def test_graph_export(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / f"g.{fmt}"
    assert main(["graph", str(DEMO), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    if fmt == "graphml":
        graph = nx.read_graphml(out)
        assert "Status:MQL" in graph and any(d.get("kind") == "alerts_on" for _, _, d in graph.edges(data=True))
        etree.fromstring(text.encode())
    elif fmt == "json":
        data = json.loads(text)
        assert {n["id"] for n in data["nodes"]} >= {"Status:New", "Flow:Lead_SLA_Alerts"}
    else:
        assert text.startswith("digraph leadaudit {") and '"Status:MQL"' in text
    # deterministic: a second export is byte-identical
    assert main(["graph", str(DEMO), "--format", fmt]) == 0
    assert capsys.readouterr().out == text
