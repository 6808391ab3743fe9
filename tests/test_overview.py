"""The lifecycle and routing table the report draws: built from the model, graph and findings.

The demo org is audited for real (every rule), so the marks asserted here are the ones the rules
made. A small org in metadata files covers what the demo lacks: a blocked move, a dead end, an
automation-only move, and an audit without a process file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from auditor.engine import run_audit
from auditor.findings import AuditResult, Finding, Severity
from auditor.graph import build_graph
from auditor.model import Model, SourceRef
from auditor.overview import MARKS, Arrow, Lifecycle, Overview, StatusBox, build_overview, sla_words
from auditor.parse import load_files
from auditor.process import Process, load_process
from auditor.registry import all_checks
from auditor.sources import load_model
from tests.conftest import REPO

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)
DEMO = REPO / "examples" / "demo-org"


@pytest.fixture(scope="module")
def demo() -> AuditResult:
    model = load_model(DEMO)
    process = load_process(DEMO / "process.yaml")
    return run_audit(model, process, all_checks(), now=NOW, tool_version="test")


def _box(lifecycle: Lifecycle, name: str) -> StatusBox:
    return next(b for b in lifecycle.statuses if b.name == name)


def _arrow(lifecycle: Lifecycle, source: str, target: str) -> Arrow:
    return next(a for a in lifecycle.arrows if (a.source, a.target) == (source, target))


# --- the demo org ---------------------------------------------------------------------------


def test_demo_statuses_in_process_order_then_undocumented_org_values(demo: AuditResult) -> None:
    assert demo.overview is not None and demo.overview.lifecycle is not None
    names = [b.name for b in demo.overview.lifecycle.statuses]
    assert names == ["New", "Contacted", "Engaged", "MQL", "SAL", "SQL", "Nurture", "Disqualified", "Converted",
                     "Working"]
    working = _box(demo.overview.lifecycle, "Working")
    assert (working.documented, working.in_org, working.label) == (False, True, "Working - Contacted")
    assert working.marks == ("undocumented", "not in a business process")


def test_demo_marks_come_from_the_rules(demo: AuditResult) -> None:
    assert demo.overview is not None and demo.overview.lifecycle is not None
    life = demo.overview.lifecycle
    assert "unreachable" in _box(life, "SQL").marks
    # entered only after SQL: LC005 names it in its SQL finding, so it is drawn as unreachable too
    assert "unreachable" in _box(life, "Converted").marks
    new = _box(life, "New")
    assert (new.entry, new.sla, new.sla_hours, new.alerts) == (True, "1 hour", 1, ())
    assert "no SLA alert" in new.marks
    sal = _box(life, "SAL")
    assert (sal.in_org, sal.label, sal.marks) == (False, "Sales Accepted", ("missing from org",))
    assert _box(life, "MQL").marks == ()  # its 4-hour alert is in place
    assert _box(life, "Converted").converted and _box(life, "Converted").terminal


def test_demo_alerts_are_the_timed_alerts_watching_each_status(demo: AuditResult) -> None:
    assert demo.overview is not None and demo.overview.lifecycle is not None
    contacted = _box(demo.overview.lifecycle, "Contacted")
    assert contacted.sla == "1 day"
    assert len(contacted.alerts) == 1 and "flow Lead_Contacted_SLA_Alert" in contacted.alerts[0]
    assert contacted.marks == ("alert too late",)  # 48 hours after a 24-hour SLA (SL002)
    assert _box(demo.overview.lifecycle, "Engaged").marks == ("alert counts from the wrong moment",)


def test_demo_arrows_merge_documented_and_automated_moves(demo: AuditResult) -> None:
    assert demo.overview is not None and demo.overview.lifecycle is not None
    life = demo.overview.lifecycle
    to_mql = _arrow(life, "Engaged", "MQL")
    assert to_mql.documented and to_mql.automations == ("flow Lead_Set_MQL (assignments Set_Status_MQL)",)
    assert _arrow(life, "New", "Contacted") == Arrow("New", "Contacted", True, (), ())
    opt_out = _arrow(life, "Working", "Disqualified")
    assert not opt_out.documented and opt_out.automations[0].startswith("flow Lead_Opt_Out_Disqualify")
    pairs = [(a.source, a.target) for a in life.arrows]
    assert len(pairs) == len(set(pairs)), "one arrow per (source, target)"
    order = [b.name for b in life.statuses]
    assert pairs == sorted(pairs, key=lambda p: (order.index(p[0]), order.index(p[1])))


def test_demo_routing_table(demo: AuditResult) -> None:
    assert demo.overview is not None and demo.overview.routing is not None
    table = demo.overview.routing
    assert table.rule_name == "Northwind Routing" and not table.has_fallback
    assert [r.order for r in table.rows] == list(range(1, 9))
    first, dach, nordics_mining = table.rows[0], table.rows[2], table.rows[4]
    assert (first.criteria, first.assignee) == ("Hand_Raiser__c equals True", "queue Hot_Leads")
    assert (dach.criteria, dach.assignee) == ("Country equals Germany,Austria,Switzerland,Liechtenstein",
                                              "queue DACH_Leads")
    assert nordics_mining.criteria == "Country equals Sweden,Norway,Denmark,Finland,Iceland AND Industry equals Mining,Forestry"
    assert nordics_mining.assignee == "user anna.berg@northwind.example"
    assert not any(r.catch_all for r in table.rows)
    assert table.rows[0].location.path.endswith("Lead.assignmentRules-meta.xml")


def test_demo_routing_findings_mark_their_rows(demo: AuditResult) -> None:
    assert demo.overview is not None and demo.overview.routing is not None
    rows = {f"AssignmentRule:Northwind Routing#{r.order}": r for r in demo.overview.routing.rows}
    entry_findings = [f for f in demo.findings if f.rule_id in ("RT003", "RT004", "RT009")]
    assert {f.rule_id for f in entry_findings} == {"RT003", "RT004", "RT009"}  # the demo has each
    for finding in entry_findings:
        row = rows[finding.subject]
        assert MARKS[finding.rule_id] in row.marks
        assert finding.message in row.notes
    assert rows["AssignmentRule:Northwind Routing#8"].marks == ("shadowed",)
    assert rows["AssignmentRule:Northwind Routing#2"].marks == ("invalid target",)
    assert rows["AssignmentRule:Northwind Routing#3"].marks == () and rows["AssignmentRule:Northwind Routing#3"].notes == ()


# --- a small org in metadata files ------------------------------------------------------------

STATUSES = """<?xml version="1.0" encoding="UTF-8"?>
<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <standardValue><fullName>New</fullName><default>true</default></standardValue>
    <standardValue><fullName>Working</fullName><default>false</default><label>Working - Contacted</label></standardValue>
    <standardValue><fullName>Nurture</fullName><default>false</default></standardValue>
    <standardValue><fullName>MQL</fullName><default>false</default></standardValue>
    <standardValue><fullName>Converted</fullName><default>false</default><converted>true</converted></standardValue>
    <standardValue><fullName>Recycled</fullName><default>false</default><closed>true</closed></standardValue>
</StandardValueSet>
"""
NURTURE_LOCK = """<?xml version="1.0" encoding="UTF-8"?>
<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Nurture_Lock</fullName>
    <active>true</active>
    <errorConditionFormula>AND(ISCHANGED(Status), TEXT(PRIORVALUE(Status)) = "Nurture")</errorConditionFormula>
    <errorMessage>Nurture leads stay in nurture</errorMessage>
</ValidationRule>
"""
WORKFLOW = """<?xml version="1.0" encoding="UTF-8"?>
<Workflow xmlns="http://soap.sforce.com/2006/04/metadata">
    <alerts>
        <fullName>Working_SLA_Breach</fullName>
        <description>Working SLA breached</description>
        <protected>false</protected>
        <recipients><type>owner</type></recipients>
        <senderType>CurrentUser</senderType>
        <template>unfiled$public/Working_SLA_Breach</template>
    </alerts>
    <fieldUpdates>
        <fullName>Set_MQL</fullName>
        <field>Status</field>
        <literalValue>MQL</literalValue>
        <name>Set MQL</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>Literal</operation>
        <protected>false</protected>
    </fieldUpdates>
    <fieldUpdates>
        <fullName>Reopen</fullName>
        <field>Status</field>
        <literalValue>New</literalValue>
        <name>Reopen</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>Literal</operation>
        <protected>false</protected>
    </fieldUpdates>
    <rules>
        <fullName>Score Makes MQL</fullName>
        <actions><name>Set_MQL</name><type>FieldUpdate</type></actions>
        <active>true</active>
        <formula>AND(ISPICKVAL(Status, "Working"), Score__c &gt;= 50)</formula>
        <triggerType>onCreateOrTriggeringUpdate</triggerType>
    </rules>
    <rules>
        <fullName>Reopen Recycled</fullName>
        <actions><name>Reopen</name><type>FieldUpdate</type></actions>
        <active>true</active>
        <formula>AND(ISPICKVAL(Status, "Recycled"), ISCHANGED(Email))</formula>
        <triggerType>onCreateOrTriggeringUpdate</triggerType>
    </rules>
    <rules>
        <fullName>Working SLA</fullName>
        <active>true</active>
        <formula>ISPICKVAL(Status, "Working")</formula>
        <triggerType>onCreateOrTriggeringUpdate</triggerType>
        <workflowTimeTriggers>
            <actions><name>Working_SLA_Breach</name><type>Alert</type></actions>
            <timeLength>20</timeLength>
            <workflowTimeTriggerUnit>Hours</workflowTimeTriggerUnit>
        </workflowTimeTriggers>
    </rules>
</Workflow>
"""
PROCESS = """version: 1
statuses:
  - {api_name: New, entry: true, sla_hours: 0.5, next: [Working, Nurture]}
  - {api_name: Working, label: Working, sla_hours: 24, next: [MQL, Nurture]}
  - {api_name: Nurture, next: [MQL]}
  - {api_name: MQL, label: Marketing Qualified, sla_hours: 36, next: [Converted]}
  - {api_name: Converted, converted: true}
"""


def _small_org() -> Model:
    return load_files("small", [
        ("standardValueSets/LeadStatus.standardValueSet", STATUSES.encode()),
        ("objects/Lead/validationRules/Nurture_Lock.validationRule-meta.xml", NURTURE_LOCK.encode()),
        ("workflows/Lead.workflow", WORKFLOW.encode()),
    ])


@pytest.fixture
def small(tmp_path: Path) -> tuple[Model, Process]:
    process_file = tmp_path / "process.yaml"
    process_file.write_text(PROCESS, encoding="utf-8")
    return _small_org(), load_process(process_file)


def test_blocked_dead_end_and_automation_only_moves(small: tuple[Model, Process]) -> None:
    model, process = small
    result = run_audit(model, process, all_checks(), now=NOW, tool_version="test")
    assert result.overview is not None and result.overview.lifecycle is not None
    life = result.overview.lifecycle
    assert [b.name for b in life.statuses] == ["New", "Working", "Nurture", "MQL", "Converted", "Recycled"]
    assert _arrow(life, "Nurture", "MQL").blocked_by == ("Nurture_Lock",)
    assert "dead end" in _box(life, "Nurture").marks  # LC006: every way out is blocked
    assert _arrow(life, "Working", "MQL") == Arrow(
        "Working", "MQL", True, ("workflow rule Score Makes MQL (field update Set_MQL)",), ())
    assert _arrow(life, "Recycled", "New") == Arrow(
        "Recycled", "New", False, ("workflow rule Reopen Recycled (field update Reopen)",), ())
    working = _box(life, "Working")
    assert working.label == "Working - Contacted"  # the picklist's label wins over the process's
    assert working.alerts == ("time trigger (20 Hours) of workflow rule Working SLA",)
    assert (_box(life, "New").sla, _box(life, "MQL").sla) == ("30 minutes", "36 hours")
    assert result.overview.routing is None  # no assignment rules in the source


def test_without_a_process_the_org_statuses_and_automated_moves(small: tuple[Model, Process]) -> None:
    model, _ = small
    overview = build_overview(model, build_graph(model, None), None, [])
    assert overview.lifecycle is not None
    life = overview.lifecycle
    assert [b.name for b in life.statuses] == ["New", "Working", "Nurture", "MQL", "Converted", "Recycled"]
    assert [b.name for b in life.statuses if b.entry] == ["New"]  # the picklist default
    assert [b.name for b in life.statuses if b.terminal] == ["Converted", "Recycled"]
    assert not any(b.documented or b.sla for b in life.statuses)
    assert all(a.automations and not a.documented for a in life.arrows)
    assert {(a.source, a.target) for a in life.arrows} == {("Working", "MQL"), ("Recycled", "New")}


def test_nothing_to_draw() -> None:
    model = Model(source_name="empty")
    assert build_overview(model, build_graph(model, None), None, []) == Overview(lifecycle=None, routing=None)


def _finding(rule_id: str, subject: str, message: str) -> Finding:
    return Finding(rule_id, rule_id.lower(), Severity.HIGH, "x", subject, message, "fix it", SourceRef("p", 1))


def test_marks_follow_the_table_whatever_the_order_of_findings(small: tuple[Model, Process]) -> None:
    model, process = small
    graph = build_graph(model, process)
    findings = [
        _finding("SL001", "Status:MQL", "no alert watches MQL"),
        _finding("LC005", "Status:MQL", "MQL cannot be reached"),
        _finding("VR001", "Status:MQL", "a rule without a mark"),
        _finding("LC005", "Status:Working", "on another status"),
        _finding("LC006", "Flow:MQL", "a subject that only looks alike"),
        _finding("LC005", "Status:MQL", "a second LC005 on MQL"),
    ]
    forward = build_overview(model, graph, process, findings)
    backward = build_overview(model, graph, process, list(reversed(findings)))
    assert forward == backward
    assert forward.lifecycle is not None
    assert _box(forward.lifecycle, "MQL").marks == ("unreachable", "no SLA alert")
    assert _box(forward.lifecycle, "Nurture").marks == ()


def test_routing_rows_from_hand_written_rules() -> None:
    rules = """<?xml version="1.0" encoding="UTF-8"?>
<AssignmentRules xmlns="http://soap.sforce.com/2006/04/metadata">
    <assignmentRule>
        <fullName>Old Routing</fullName>
        <active>false</active>
        <ruleEntry><assignedTo>Nowhere</assignedTo><assignedToType>Queue</assignedToType></ruleEntry>
    </assignmentRule>
    <assignmentRule>
        <fullName>EMEA Routing</fullName>
        <active>true</active>
        <ruleEntry>
            <assignedTo>DACH_Leads</assignedTo>
            <assignedToType>Queue</assignedToType>
            <booleanFilter>1 OR 2</booleanFilter>
            <criteriaItems><field>Lead.Country</field><operation>equals</operation><value>Germany</value></criteriaItems>
            <criteriaItems><field>Lead.Country</field><operation>equals</operation><value>Austria</value></criteriaItems>
        </ruleEntry>
        <ruleEntry>
            <assignedTo>00G000000000001</assignedTo>
            <assignedToType>Queue</assignedToType>
            <formula>ISPICKVAL(Industry, "Mining")</formula>
        </ruleEntry>
        <ruleEntry>
            <assignedTo>Triage</assignedTo>
            <assignedToType>Queue</assignedToType>
        </ruleEntry>
    </assignmentRule>
</AssignmentRules>
"""
    model = load_files("routing", [("assignmentRules/Lead.assignmentRules-meta.xml", rules.encode())])
    findings = [
        _finding("RT004", "AssignmentRule:EMEA Routing#2", "queue 00G000000000001 is not in the source"),
        _finding("RT008", "AssignmentRule:EMEA Routing#2", "hard-codes the Queue id 00G000000000001"),
        _finding("RT004", "AssignmentRule:Old Routing#1", "an inactive rule's entry"),
    ]
    overview = build_overview(model, build_graph(model, None), None, findings)
    assert overview.lifecycle is None and overview.routing is not None
    table = overview.routing
    assert table.rule_name == "EMEA Routing" and table.has_fallback
    assert [(r.order, r.criteria, r.assignee, r.catch_all) for r in table.rows] == [
        (1, "(Country equals Germany) OR (Country equals Austria)", "queue DACH_Leads", False),
        (2, 'formula ISPICKVAL(Industry, "Mining")', "queue 00G000000000001", False),
        (3, "no criteria", "queue Triage", True),
    ]
    assert table.rows[1].marks == ("invalid target", "hard-coded id")
    assert table.rows[1].notes == ("queue 00G000000000001 is not in the source",
                                   "hard-codes the Queue id 00G000000000001")
    assert table.rows[0].marks == () and table.rows[2].marks == ()


@pytest.mark.parametrize(("hours", "words"), [
    (0.25, "15 minutes"), (1, "1 hour"), (4, "4 hours"), (24, "1 day"), (36, "36 hours"), (48, "2 days"),
])
def test_sla_words(hours: float, words: str) -> None:
    assert sla_words(hours) == words


def test_overview_is_frozen_data(demo: AuditResult) -> None:
    assert demo.overview is not None
    with pytest.raises(dataclasses.FrozenInstanceError):
        demo.overview.routing = None  # type: ignore[misc]
