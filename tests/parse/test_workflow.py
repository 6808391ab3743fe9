"""Lead workflow parsing through the whole dispatcher: inline fixtures, then the corpus file."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import (
    ActionRef,
    CriteriaItem,
    Model,
    SourceRef,
    WorkflowAlert,
    WorkflowFieldUpdate,
    WorkflowTask,
    WorkflowTimeTrigger,
)
from auditor.parse import load_files

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
VOLUNTEERS = CORPUS / "SalesforceFoundation__Volunteers-for-Salesforce" / "src"
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
PATH = "force-app/main/default/workflows/Lead.workflow-meta.xml"

LEAD_WORKFLOW = f"""<?xml version="1.0" encoding="UTF-8"?>
<Workflow {NS}>
    <alerts>
        <fullName>MQL_Alert</fullName>
        <description>MQL</description>
        <protected>false</protected>
        <recipients>
            <type>owner</type>
        </recipients>
        <recipients>
            <recipient>Sales_Manager</recipient>
            <type>role</type>
        </recipients>
        <recipients>
            <recipient>jane@x.com</recipient>
            <type>user</type>
        </recipients>
        <recipients>
            <field>ns__Partner_Email__c</field>
            <type>email</type>
        </recipients>
        <senderType>CurrentUser</senderType>
        <template>Sales/MQL_Template</template>
    </alerts>
    <alerts>
        <fullName>Escalation_Alert</fullName>
        <ccEmails>sales-managers@northwind.example</ccEmails>
        <ccEmails> vp.sales@northwind.example </ccEmails>
        <ccEmails></ccEmails>
        <description>Escalation</description>
        <protected>false</protected>
        <recipients>
            <type>owner</type>
        </recipients>
        <senderType>CurrentUser</senderType>
        <template>Sales/Escalation</template>
    </alerts>
    <alerts>
        <fullName>Cc_Only</fullName>
        <ccEmails>ops@northwind.example</ccEmails>
        <description>cc only</description>
        <protected>false</protected>
        <template>Sales/Cc</template>
    </alerts>
    <alerts>
        <fullName>No_Recipients</fullName>
        <description>none</description>
        <protected>false</protected>
        <template>Sales/Other</template>
    </alerts>
    <fieldUpdates>
        <fullName>Set_Status_MQL</fullName>
        <field>Status</field>
        <literalValue>MQL</literalValue>
        <name>Set Status MQL</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>Literal</operation>
        <protected>false</protected>
    </fieldUpdates>
    <fieldUpdates>
        <fullName>Stamp_Date</fullName>
        <field>ns__MQL_Date__c</field>
        <formula>NOW()</formula>
        <name>Stamp Date</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>Formula</operation>
        <protected>false</protected>
    </fieldUpdates>
    <fieldUpdates>
        <fullName>Route_To_Queue</fullName>
        <field>OwnerId</field>
        <lookupValue>SDR_Queue</lookupValue>
        <lookupValueType>Queue</lookupValueType>
        <name>Route To Queue</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>LookupValue</operation>
        <protected>false</protected>
    </fieldUpdates>
    <fieldUpdates>
        <fullName>Clear_Reason</fullName>
        <field>ns__Reason__c</field>
        <name>Clear Reason</name>
        <notifyAssignee>false</notifyAssignee>
        <operation>Null</operation>
        <protected>false</protected>
    </fieldUpdates>
    <rules>
        <fullName>Lead%2ENew Rule $1</fullName>
        <actions>
            <name>Set_Status_MQL</name>
            <type>FieldUpdate</type>
        </actions>
        <active>true</active>
        <booleanFilter>1 AND (2 OR 3)</booleanFilter>
        <criteriaItems>
            <field>Lead.ns__Score__c</field>
            <operation>greaterOrEqual</operation>
            <value>50</value>
        </criteriaItems>
        <criteriaItems>
            <field>Lead.Status</field>
            <operation>equals</operation>
            <value>Open - Not Contacted,Working - Contacted</value>
        </criteriaItems>
        <criteriaItems>
            <field>Lead.Email</field>
            <operation>equals</operation>
            <valueField>Lead.ns__Partner_Email__c</valueField>
        </criteriaItems>
        <description>Score crossed the MQL threshold</description>
        <triggerType>onCreateOrTriggeringUpdate</triggerType>
        <workflowTimeTriggers>
            <actions>
                <name>MQL_Alert</name>
                <type>Alert</type>
            </actions>
            <actions>
                <name>Follow_Up</name>
                <type>Task</type>
            </actions>
            <offsetFromField>Lead.CreatedDate</offsetFromField>
            <timeLength>2</timeLength>
            <workflowTimeTriggerUnit>Days</workflowTimeTriggerUnit>
        </workflowTimeTriggers>
        <workflowTimeTriggers>
            <timeLength>-4</timeLength>
            <workflowTimeTriggerUnit>Hours</workflowTimeTriggerUnit>
        </workflowTimeTriggers>
    </rules>
    <rules>
        <fullName>Formula Rule</fullName>
        <active>false</active>
        <formula>ISCHANGED(Status)</formula>
        <triggerType>onAllChanges</triggerType>
    </rules>
    <tasks>
        <fullName>Follow_Up</fullName>
        <assignedTo>jane@x.com</assignedTo>
        <assignedToType>user</assignedToType>
        <dueDateOffset>1</dueDateOffset>
        <notifyAssignee>true</notifyAssignee>
        <priority>High</priority>
        <protected>false</protected>
        <status>Not Started</status>
        <subject>Call the MQL</subject>
    </tasks>
</Workflow>
"""


def load(path: str, xml: str, crlf: bool = False) -> Model:
    data = xml.encode("utf-8")
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    return load_files("t", [(path, data)])


def line(xml: str, needle: str, occurrence: int = 1) -> int:
    hits = [i for i, text in enumerate(xml.split("\n"), start=1) if needle in text]
    return hits[occurrence - 1]


def ref(needle: str, occurrence: int = 1) -> SourceRef:
    return SourceRef(PATH, line(LEAD_WORKFLOW, needle, occurrence))


@pytest.fixture(scope="module")
def model() -> Model:
    loaded = load(PATH, LEAD_WORKFLOW, crlf=True)
    assert loaded.problems == ()
    return loaded


def test_rule_with_encoded_name_criteria_and_time_triggers(model: Model) -> None:
    rule, formula_rule = model.workflow_rules
    assert rule.name == "Lead.New Rule $1"
    assert (rule.active, rule.trigger_type, rule.boolean_filter, rule.formula) == (
        True,
        "onCreateOrTriggeringUpdate",
        "1 AND (2 OR 3)",
        None,
    )
    assert rule.source == ref("<rules>", 1)
    assert rule.criteria == (
        CriteriaItem("Lead.ns__Score__c", "greaterOrEqual", "50", None, ref("<criteriaItems>", 1)),
        CriteriaItem(
            "Lead.Status", "equals", "Open - Not Contacted,Working - Contacted", None, ref("<criteriaItems>", 2)
        ),
        CriteriaItem("Lead.Email", "equals", None, "Lead.ns__Partner_Email__c", ref("<criteriaItems>", 3)),
    )
    assert rule.actions == (ActionRef("Set_Status_MQL", "FieldUpdate"),)
    assert rule.time_triggers == (
        WorkflowTimeTrigger(
            "Lead.CreatedDate",
            2,
            "Days",
            (ActionRef("MQL_Alert", "Alert"), ActionRef("Follow_Up", "Task")),
            ref("<workflowTimeTriggers>", 1),
        ),
        WorkflowTimeTrigger(None, -4, "Hours", (), ref("<workflowTimeTriggers>", 2)),
    )
    assert formula_rule.name == "Formula Rule"
    assert (formula_rule.active, formula_rule.formula, formula_rule.criteria, formula_rule.actions) == (
        False,
        "ISCHANGED(Status)",
        (),
        (),
    )


def test_alerts_render_recipients_and_cc_emails(model: Model) -> None:
    assert model.workflow_alerts == (
        WorkflowAlert(
            "MQL_Alert",
            "Sales/MQL_Template",
            ("owner", "role:Sales_Manager", "user:jane@x.com", "email:ns__Partner_Email__c"),
            SourceRef(PATH, 3),
        ),
        WorkflowAlert(
            "Escalation_Alert",
            "Sales/Escalation",
            ("owner", "email:sales-managers@northwind.example", "email:vp.sales@northwind.example"),
            ref("<alerts>", 2),
        ),
        WorkflowAlert("Cc_Only", "Sales/Cc", ("email:ops@northwind.example",), ref("<alerts>", 3)),
        WorkflowAlert("No_Recipients", "Sales/Other", (), ref("<alerts>", 4)),
    )


def test_field_updates(model: Model) -> None:
    assert model.workflow_field_updates == (
        WorkflowFieldUpdate("Set_Status_MQL", "Status", "Literal", "MQL", None, None, ref("<fieldUpdates>", 1)),
        WorkflowFieldUpdate("Stamp_Date", "ns__MQL_Date__c", "Formula", None, "NOW()", None, ref("<fieldUpdates>", 2)),
        WorkflowFieldUpdate(
            "Route_To_Queue", "OwnerId", "LookupValue", None, None, "SDR_Queue", ref("<fieldUpdates>", 3)
        ),
        WorkflowFieldUpdate("Clear_Reason", "ns__Reason__c", "Null", None, None, None, ref("<fieldUpdates>", 4)),
    )


def test_tasks(model: Model) -> None:
    assert model.workflow_tasks == (WorkflowTask("Follow_Up", "Call the MQL", "jane@x.com", "user", ref("<tasks>")),)


def test_other_objects_are_validated_but_ignored() -> None:
    model = load("workflows/Case.workflow", LEAD_WORKFLOW)
    assert model.problems == ()
    assert (model.workflow_rules, model.workflow_alerts, model.workflow_field_updates, model.workflow_tasks) == (
        (),
        (),
        (),
        (),
    )
    assert [(f.kind, f.status) for f in model.files] == [("workflow", "read")]
    wrong = load("workflows/Case.workflow", f"<Flow {NS}/>")
    assert [p.source for p in wrong.problems] == [SourceRef("workflows/Case.workflow", 1)]


def test_wrong_root_for_lead_is_a_problem() -> None:
    model = load("workflows/Lead.workflow", f'<?xml version="1.0"?>\n<AssignmentRules {NS}/>')
    assert model.workflow_rules == ()
    (problem,) = model.problems
    assert "<Workflow>" in problem.message


def test_empty_workflow_and_sparse_rule() -> None:
    xml = f"<Workflow {NS}><rules><fullName>Bare</fullName></rules></Workflow>"
    model = load("workflows/lead.workflow", xml)
    assert model.problems == ()
    (rule,) = model.workflow_rules
    assert (rule.name, rule.active, rule.trigger_type, rule.criteria, rule.time_triggers) == ("Bare", False, "", (), ())


def test_corpus_volunteers_lead_workflow() -> None:
    path = VOLUNTEERS / "workflows" / "Lead.workflow"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path}")
    model = load_files("volunteers", [("workflows/Lead.workflow", path.read_bytes())])
    assert model.problems == ()
    (rule,) = model.workflow_rules
    assert (rule.name, rule.active, rule.trigger_type) == ("Volunteer Signup - Lead", True, "onCreateOnly")
    assert rule.source == SourceRef("workflows/Lead.workflow", 24)
    assert rule.criteria == (
        CriteriaItem(
            "Lead.Volunteer_Status__c", "equals", "New Sign Up", None, SourceRef("workflows/Lead.workflow", 39)
        ),
    )
    assert rule.actions == (
        ActionRef("Volunteer_Signup_Notification_Email_Alert_Lead", "Alert"),
        ActionRef("Volunteer_Signup_Thank_You_Email_Alert_Lead", "Alert"),
        ActionRef("Volunteer_Signup_Thank_You_Sent_Lead", "Task"),
    )
    assert [(a.name, a.recipients, a.template, a.source.line) for a in model.workflow_alerts] == [
        (
            "Volunteer_Signup_Notification_Email_Alert_Lead",
            ("owner",),
            "Volunteers_Email_Templates/Volunteer_Signup_Notification",
            3,
        ),
        (
            "Volunteer_Signup_Thank_You_Email_Alert_Lead",
            ("email:Email",),
            "Volunteers_Email_Templates/Volunteer_Signup_Thank_You",
            13,
        ),
    ]
    assert model.workflow_tasks == (
        WorkflowTask(
            "Volunteer_Signup_Thank_You_Sent_Lead",
            "Volunteer Signup Thank You Sent - Lead",
            None,
            "owner",
            SourceRef("workflows/Lead.workflow", 47),
        ),
    )
    assert model.workflow_field_updates == ()
