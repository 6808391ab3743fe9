"""Flow parsing through the whole dispatcher: inline fixtures for every shape, then the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.model import Flow, FlowElement, FlowFieldAssignment, FlowFilter, FlowValue, Model, SourceRef
from auditor.parse import load_files

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
FLOW_SCANNER = CORPUS / "Flow-Scanner__lightning-flow-scanner" / "example-flows" / "force-app"
NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def load(path: str, xml: str, crlf: bool = False) -> Model:
    data = xml.encode("utf-8")
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    return load_files("t", [(path, data)])


def line(xml: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line containing ``needle``: what a SourceRef must point to."""
    hits = [i for i, text in enumerate(xml.split("\n"), start=1) if needle in text]
    return hits[occurrence - 1]


def only_flow(model: Model) -> Flow:
    assert model.problems == ()
    assert len(model.flows) == 1
    return model.flows[0]


def element(flow: Flow, name: str) -> FlowElement:
    return next(e for e in flow.elements if e.name == name)


LEAD_FLOW = f"""<?xml version="1.0" encoding="UTF-8"?>
<Flow {NS}>
    <actionCalls>
        <name>Send_MQL_Alert</name>
        <label>Send MQL Alert</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <actionName>Lead.MQL_Alert</actionName>
        <actionType>emailAlert</actionType>
        <connector>
            <targetReference>Call_Plugin</targetReference>
        </connector>
        <faultConnector>
            <targetReference>Log_Error</targetReference>
        </faultConnector>
        <inputParameters>
            <name>SObjectRowId</name>
            <value>
                <elementReference>$Record.Id</elementReference>
            </value>
        </inputParameters>
    </actionCalls>
    <apexPluginCalls>
        <name>Call_Plugin</name>
        <label>Call Plugin</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <apexClass>ns__LeadPlugin</apexClass>
    </apexPluginCalls>
    <apiVersion>60.0</apiVersion>
    <assignments>
        <name>Set_Status</name>
        <label>Set Status</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <assignmentItems>
            <assignToReference>$Record.Status</assignToReference>
            <operator>Assign</operator>
            <value>
                <stringValue>Working - Contacted</stringValue>
            </value>
        </assignmentItems>
        <assignmentItems>
            <assignToReference>ErrorMessage</assignToReference>
            <operator>Assign</operator>
            <value>
                <stringValue>none</stringValue>
            </value>
        </assignmentItems>
        <assignmentItems>
            <assignToReference>varLead.ns__Score__c</assignToReference>
            <operator>Add</operator>
            <value>
                <numberValue>10.0</numberValue>
            </value>
        </assignmentItems>
        <connector>
            <targetReference>Update_Lead</targetReference>
        </connector>
    </assignments>
    <decisions>
        <name>Is_MQL</name>
        <label>Is MQL?</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <defaultConnector>
            <targetReference>Log_Error</targetReference>
        </defaultConnector>
        <defaultConnectorLabel>Default Outcome</defaultConnectorLabel>
        <rules>
            <name>Score_High</name>
            <conditionLogic>1 AND (2 OR 3)</conditionLogic>
            <conditions>
                <leftValueReference>$Record.ns__Score__c</leftValueReference>
                <operator>GreaterThanOrEqualTo</operator>
                <rightValue>
                    <numberValue>50.0</numberValue>
                </rightValue>
            </conditions>
            <conditions>
                <leftValueReference>$Record.Status</leftValueReference>
                <operator>IsChanged</operator>
                <rightValue>
                    <booleanValue>true</booleanValue>
                </rightValue>
            </conditions>
            <conditions>
                <leftValueReference>$Record.Company</leftValueReference>
                <operator>EqualTo</operator>
                <rightValue>
                    <stringValue></stringValue>
                </rightValue>
            </conditions>
            <connector>
                <targetReference>Set_Status</targetReference>
            </connector>
            <label>Score High</label>
        </rules>
        <rules>
            <name>No_Conditions</name>
            <conditionLogic>and</conditionLogic>
            <label>No Conditions</label>
        </rules>
    </decisions>
    <formulas>
        <name>DaysOpen</name>
        <dataType>Number</dataType>
        <expression>TODAY() - DATEVALUE({{!$Record.CreatedDate}})</expression>
        <scale>0</scale>
    </formulas>
    <label>Lead: MQL routing $1</label>
    <loops>
        <name>Each_Task</name>
        <label>Each Task</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <collectionReference>Get_Tasks</collectionReference>
        <nextValueConnector>
            <targetReference>Delete_Tasks</targetReference>
        </nextValueConnector>
        <noMoreValuesConnector>
            <targetReference>Create_Task</targetReference>
        </noMoreValuesConnector>
    </loops>
    <processType>AutoLaunchedFlow</processType>
    <recordCreates>
        <name>Create_Task</name>
        <label>Create Task</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <inputAssignments>
            <field>Subject</field>
            <value>
                <formulaExpression>&quot;Call &quot; &amp; {{!$Record.Name}}</formulaExpression>
            </value>
        </inputAssignments>
        <inputAssignments>
            <field>ActivityDate</field>
            <value>
                <dateValue>2024-01-31</dateValue>
            </value>
        </inputAssignments>
        <object>Task</object>
    </recordCreates>
    <recordDeletes>
        <name>Delete_Tasks</name>
        <label>Delete Tasks</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <inputReference>Get_Tasks</inputReference>
    </recordDeletes>
    <recordLookups>
        <name>Get_Tasks</name>
        <label>Get Tasks</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <connector>
            <targetReference>Each_Task</targetReference>
        </connector>
        <faultConnector>
            <isGoTo>true</isGoTo>
            <targetReference>Log_Error</targetReference>
        </faultConnector>
        <filterLogic>and</filterLogic>
        <filters>
            <field>WhoId</field>
            <operator>EqualTo</operator>
            <value>
                <elementReference>$Record.Id</elementReference>
            </value>
        </filters>
        <getFirstRecordOnly>false</getFirstRecordOnly>
        <object>Task</object>
    </recordLookups>
    <recordUpdates>
        <name>Update_Lead</name>
        <label>Update Lead</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <inputAssignments>
            <field>Status</field>
            <value>
                <stringValue>MQL</stringValue>
            </value>
        </inputAssignments>
        <inputAssignments>
            <field>ns__Routing_Date__c</field>
        </inputAssignments>
        <inputReference>$Record</inputReference>
    </recordUpdates>
    <recordUpdates>
        <name>Update_Other_Leads</name>
        <label>Update Other Leads</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <filters>
            <field>Email</field>
            <operator>EqualTo</operator>
            <value>
                <elementReference>$Record.Email</elementReference>
            </value>
        </filters>
        <inputAssignments>
            <field>Status</field>
            <value>
                <elementReference>DuplicateStatus</elementReference>
            </value>
        </inputAssignments>
        <object>Lead</object>
    </recordUpdates>
    <recordUpdates>
        <name>Update_Var</name>
        <label>Update Var</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <inputReference>varLead</inputReference>
    </recordUpdates>
    <start>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <connector>
            <targetReference>Is_MQL</targetReference>
        </connector>
        <filterFormula>ISCHANGED({{!$Record.Status}})</filterFormula>
        <filterLogic>1 OR 2</filterLogic>
        <filters>
            <field>Status</field>
            <operator>EqualTo</operator>
            <value>
                <stringValue>Open - Not Contacted</stringValue>
            </value>
        </filters>
        <filters>
            <field>ns__Score__c</field>
            <operator>IsNull</operator>
            <value>
                <booleanValue>false</booleanValue>
            </value>
        </filters>
        <object>Lead</object>
        <recordTriggerType>CreateAndUpdate</recordTriggerType>
        <scheduledPaths>
            <name>Two_Days_After_Created</name>
            <connector>
                <targetReference>Send_MQL_Alert</targetReference>
            </connector>
            <label>2 days after created</label>
            <offsetNumber>2</offsetNumber>
            <offsetUnit>Days</offsetUnit>
            <recordField>CreatedDate</recordField>
            <timeSource>RecordField</timeSource>
        </scheduledPaths>
        <scheduledPaths>
            <connector>
                <targetReference>Create_Task</targetReference>
            </connector>
            <pathType>AsyncAfterCommit</pathType>
        </scheduledPaths>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
    <subflows>
        <name>Run_Scoring</name>
        <label>Run Scoring</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <flowName>ns__Score_Lead</flowName>
    </subflows>
    <variables>
        <name>varLead</name>
        <dataType>SObject</dataType>
        <isCollection>false</isCollection>
        <isInput>false</isInput>
        <isOutput>false</isOutput>
        <objectType>Lead</objectType>
    </variables>
    <waits>
        <name>Wait_For_Reply</name>
        <label>Wait For Reply</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <defaultConnector>
            <targetReference>Log_Error</targetReference>
        </defaultConnector>
        <defaultConnectorLabel>Default Path</defaultConnectorLabel>
        <faultConnector>
            <targetReference>Log_Error</targetReference>
        </faultConnector>
    </waits>
</Flow>
"""
LEAD_FLOW_PATH = "force-app/main/default/flows/Lead_MQL_Routing.flow-meta.xml"


@pytest.fixture(scope="module")
def lead_flow() -> Flow:
    return only_flow(load(LEAD_FLOW_PATH, LEAD_FLOW))


def ref(needle: str, occurrence: int = 1) -> SourceRef:
    return SourceRef(LEAD_FLOW_PATH, line(LEAD_FLOW, needle, occurrence))


def test_flow_header_and_start(lead_flow: Flow) -> None:
    assert lead_flow.name == "Lead_MQL_Routing"
    assert lead_flow.label == "Lead: MQL routing $1"
    assert lead_flow.process_type == "AutoLaunchedFlow"
    assert lead_flow.status == "Active" and lead_flow.is_active
    assert lead_flow.api_version == "60.0"
    assert lead_flow.object == "Lead"
    assert lead_flow.trigger_type == "RecordAfterSave"
    assert lead_flow.record_trigger_type == "CreateAndUpdate"
    assert lead_flow.filter_logic == "1 OR 2"
    assert lead_flow.filter_formula == "ISCHANGED({!$Record.Status})"
    assert lead_flow.source == SourceRef(LEAD_FLOW_PATH, 2)
    assert lead_flow.filters == (
        FlowFilter("Status", "EqualTo", FlowValue("stringValue", "Open - Not Contacted"), ref("<filters>", 3)),
        FlowFilter("ns__Score__c", "IsNull", FlowValue("booleanValue", "false"), ref("<filters>", 4)),
    )
    assert lead_flow.formulas == (("DaysOpen", "TODAY() - DATEVALUE({!$Record.CreatedDate})"),)


def test_scheduled_paths(lead_flow: Flow) -> None:
    timed, asynchronous = lead_flow.scheduled_paths
    assert timed.name == "Two_Days_After_Created"
    assert timed.label == "2 days after created"
    assert timed.offset_number == 2
    assert timed.offset_unit == "Days"
    assert timed.time_source == "RecordField"
    assert timed.record_field == "CreatedDate"
    assert timed.target == "Send_MQL_Alert"
    assert timed.source == ref("<scheduledPaths>", 1)
    # an asynchronous path has no name, label or offset: empty, never an exception
    assert (asynchronous.name, asynchronous.label, asynchronous.offset_number) == ("", "", None)
    assert (asynchronous.offset_unit, asynchronous.time_source, asynchronous.record_field) == (None, None, None)
    assert asynchronous.target == "Create_Task"
    assert asynchronous.source == ref("<scheduledPaths>", 2)


def test_decisions(lead_flow: Flow) -> None:
    (decision,) = lead_flow.decisions
    assert (decision.name, decision.label, decision.default_target) == ("Is_MQL", "Is MQL?", "Log_Error")
    assert decision.source == ref("<decisions>")
    high, empty = decision.outcomes
    assert (high.name, high.label, high.condition_logic, high.target) == (
        "Score_High",
        "Score High",
        "1 AND (2 OR 3)",
        "Set_Status",
    )
    assert high.source == ref("<rules>", 1)
    assert [(c.left, c.operator, c.right) for c in high.conditions] == [
        ("$Record.ns__Score__c", "GreaterThanOrEqualTo", FlowValue("numberValue", "50.0")),
        ("$Record.Status", "IsChanged", FlowValue("booleanValue", "true")),
        ("$Record.Company", "EqualTo", FlowValue("stringValue", "")),
    ]
    assert [c.source.line for c in high.conditions] == [line(LEAD_FLOW, "<conditions>", n) for n in (1, 2, 3)]
    assert (empty.name, empty.conditions, empty.target) == ("No_Conditions", (), None)


def test_element_kinds_in_a_stable_order(lead_flow: Flow) -> None:
    assert [(e.kind, e.name) for e in lead_flow.elements] == [
        ("recordUpdates", "Update_Lead"),
        ("recordUpdates", "Update_Other_Leads"),
        ("recordUpdates", "Update_Var"),
        ("recordCreates", "Create_Task"),
        ("recordLookups", "Get_Tasks"),
        ("recordDeletes", "Delete_Tasks"),
        ("actionCalls", "Send_MQL_Alert"),
        ("apexPluginCalls", "Call_Plugin"),
        ("assignments", "Set_Status"),
        ("subflows", "Run_Scoring"),
        ("loops", "Each_Task"),
        ("waits", "Wait_For_Reply"),
    ]


def test_record_update_of_the_triggering_record(lead_flow: Flow) -> None:
    update = element(lead_flow, "Update_Lead")
    assert update.label == "Update Lead"
    assert update.object == "$Record"
    assert update.input_reference == "$Record"
    assert update.filters == ()
    assert update.field_assignments == (
        FlowFieldAssignment("Status", FlowValue("stringValue", "MQL"), ref("<inputAssignments>", 3)),
        # setting a field to null has no <value>
        FlowFieldAssignment("ns__Routing_Date__c", None, ref("<inputAssignments>", 4)),
    )
    assert (update.target, update.fault_target, update.can_fault) == (None, None, True)
    assert update.source == ref("<recordUpdates>", 1)


def test_record_update_by_filter_and_by_variable(lead_flow: Flow) -> None:
    others = element(lead_flow, "Update_Other_Leads")
    assert others.object == "Lead" and others.input_reference is None
    assert others.filters == (
        FlowFilter("Email", "EqualTo", FlowValue("elementReference", "$Record.Email"), ref("<filters>", 2)),
    )
    assert others.field_assignments == (
        FlowFieldAssignment("Status", FlowValue("elementReference", "DuplicateStatus"), ref("<inputAssignments>", 5)),
    )
    by_variable = element(lead_flow, "Update_Var")
    assert (by_variable.object, by_variable.input_reference) == ("Lead", "varLead")


def test_create_lookup_delete(lead_flow: Flow) -> None:
    create = element(lead_flow, "Create_Task")
    assert create.object == "Task"
    assert [(a.field, a.value) for a in create.field_assignments] == [
        ("Subject", FlowValue("formulaExpression", '"Call " & {!$Record.Name}')),
        ("ActivityDate", FlowValue("dateValue", "2024-01-31")),
    ]
    lookup = element(lead_flow, "Get_Tasks")
    assert (lookup.object, lookup.target, lookup.fault_target) == ("Task", "Each_Task", "Log_Error")
    assert [(f.field, f.operator, f.value) for f in lookup.filters] == [
        ("WhoId", "EqualTo", FlowValue("elementReference", "$Record.Id"))
    ]
    assert lookup.filters[0].source == ref("<filters>", 1)
    assert lookup.field_assignments == ()
    delete = element(lead_flow, "Delete_Tasks")
    # deleting a lookup's result: the object is not named in the element itself
    assert (delete.object, delete.input_reference) == (None, "Get_Tasks")


def test_actions_plugins_subflows(lead_flow: Flow) -> None:
    action = element(lead_flow, "Send_MQL_Alert")
    assert (action.action_name, action.action_type) == ("Lead.MQL_Alert", "emailAlert")
    assert (action.target, action.fault_target) == ("Call_Plugin", "Log_Error")
    assert action.object is None and action.field_assignments == ()
    assert action.source == ref("<actionCalls>")
    plugin = element(lead_flow, "Call_Plugin")
    assert (plugin.action_name, plugin.action_type, plugin.can_fault) == ("ns__LeadPlugin", None, True)
    subflow = element(lead_flow, "Run_Scoring")
    assert (subflow.action_name, subflow.can_fault) == ("ns__Score_Lead", False)


def test_assignments_keep_only_field_references(lead_flow: Flow) -> None:
    assignment = element(lead_flow, "Set_Status")
    assert assignment.field_assignments == (
        FlowFieldAssignment(
            "$Record.Status", FlowValue("stringValue", "Working - Contacted"), ref("<assignmentItems>", 1)
        ),
        FlowFieldAssignment("varLead.ns__Score__c", FlowValue("numberValue", "10.0"), ref("<assignmentItems>", 3), "Add"),
    )
    assert (assignment.object, assignment.target, assignment.can_fault) == (None, "Update_Lead", False)


def test_loops_and_waits(lead_flow: Flow) -> None:
    loop = element(lead_flow, "Each_Task")
    assert (loop.target, loop.fault_target) == ("Delete_Tasks", None)
    wait = element(lead_flow, "Wait_For_Reply")
    assert (wait.target, wait.fault_target) == ("Log_Error", "Log_Error")


CRLF_FLOW = f"""<?xml version="1.0" encoding="UTF-8"?>
<Flow {NS}>
    <label>Old flow</label>
    <processType>AutoLaunchedFlow</processType>
    <recordUpdates>
        <name>Touch</name>
        <label>Touch</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <inputAssignments>
            <field>ns__Touched__c</field>
            <value>
                <formulaDataType>Boolean</formulaDataType>
                <formulaExpression>TRUE</formulaExpression>
            </value>
        </inputAssignments>
        <object>Lead</object>
    </recordUpdates>
</Flow>
"""


def test_crlf_flow_without_api_version_or_start() -> None:
    flow = only_flow(load("flows/Old%20Flow%241.flow", CRLF_FLOW, crlf=True))
    assert flow.name == "Old Flow$1"
    assert flow.api_version is None
    assert flow.status is None and not flow.is_active
    assert (flow.object, flow.trigger_type, flow.record_trigger_type) == (None, None, None)
    assert (flow.filters, flow.scheduled_paths, flow.decisions, flow.formulas) == ((), (), (), ())
    (touch,) = flow.elements
    assert touch.source == SourceRef("flows/Old%20Flow%241.flow", 5)
    # the data type describing a formula is not the value
    assert touch.field_assignments == (
        FlowFieldAssignment(
            "ns__Touched__c", FlowValue("formulaExpression", "TRUE"), SourceRef("flows/Old%20Flow%241.flow", 10)
        ),
    )


def test_process_builder_object_comes_from_its_metadata() -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Flow {NS}>
    <label>Lead PB</label>
    <processMetadataValues>
        <name>ObjectType</name>
        <value>
            <stringValue>Lead</stringValue>
        </value>
    </processMetadataValues>
    <processType>Workflow</processType>
    <startElementReference>myDecision</startElementReference>
    <status>Active</status>
</Flow>
"""
    flow = only_flow(load("flows/Lead_PB-3.flow", xml))
    assert (flow.name, flow.object, flow.is_process_builder, flow.trigger_type) == ("Lead_PB-3", "Lead", True, None)


def test_empty_flow_gives_defaults() -> None:
    flow = only_flow(load("flows/Empty.flow", f"<Flow {NS}/>"))
    assert (flow.name, flow.label, flow.process_type, flow.elements) == ("Empty", "", None, ())
    assert flow.source == SourceRef("flows/Empty.flow", 1)


def test_wrong_root_is_a_located_problem() -> None:
    model = load("flows/Not_A_Flow.flow", f'<?xml version="1.0"?>\n<Workflow {NS}/>\n')
    assert model.flows == ()
    (problem,) = model.problems
    assert problem.source == SourceRef("flows/Not_A_Flow.flow", 1)
    assert "<Flow>" in problem.message and "<Workflow>" in problem.message
    assert [(f.kind, f.status) for f in model.files] == [("flow", "unreadable")]


# --- the shared corpus: real flows, read in place --------------------------------------------


@pytest.fixture(scope="module")
def corpus_flows() -> dict[str, Flow]:
    if not FLOW_SCANNER.is_dir():
        pytest.skip(f"shared corpus not found at {FLOW_SCANNER}")
    files = [
        (path.relative_to(FLOW_SCANNER).as_posix(), path.read_bytes())
        for path in sorted(FLOW_SCANNER.rglob("*.flow-meta.xml"))
    ]
    model = load_files("flow-scanner", files)
    assert model.problems == ()
    assert len(files) == 45
    assert [f.status for f in model.files] == ["read"] * 45
    return {flow.name: flow for flow in model.flows}


def test_corpus_every_flow_loads(corpus_flows: dict[str, Flow]) -> None:
    assert len(corpus_flows) == 45
    assert all(flow.label for flow in corpus_flows.values())
    assert corpus_flows["Outdated_API_Version"].api_version is None


def test_corpus_record_triggered_flow_with_entry_filter(corpus_flows: dict[str, Flow]) -> None:
    flow = corpus_flows["TriggerWithoutFilter_Fixed"]
    assert (flow.object, flow.trigger_type) == ("Account", "RecordAfterSave")
    assert flow.record_trigger_type == "CreateAndUpdate"
    assert (flow.status, flow.api_version, flow.filter_logic) == ("Active", "65.0", "or")
    path = "testing/TriggerWithoutFilter_Fixed.flow-meta.xml"
    assert flow.filters == (FlowFilter("Type", "EqualTo", FlowValue("stringValue", "Prospect"), SourceRef(path, 51)),)
    (action,) = flow.elements
    assert (action.kind, action.name, action.action_name, action.action_type) == (
        "actionCalls",
        "createTask",
        "NewTask",
        "quickAction",
    )
    assert action.source == SourceRef(path, 3)


def test_corpus_async_path_and_fault_connector(corpus_flows: dict[str, Flow]) -> None:
    flow = corpus_flows["Unconnected_Element_Async"]
    path = "testing/Unconnected_Element_Async.flow-meta.xml"
    assert (flow.object, flow.record_trigger_type, flow.status) == ("User", "Update", "InvalidDraft")
    (scheduled,) = flow.scheduled_paths
    assert (scheduled.target, scheduled.offset_number) == ("Get_Standard_User", None)
    assert scheduled.source == SourceRef(path, 131)
    lookup = element(flow, "Get_Standard_User")
    assert (lookup.object, lookup.target, lookup.fault_target) == ("Profile", "Validate_User_is_Inactive", "Error")
    update = element(flow, "Update_User_Information")
    assert (update.object, update.source) == ("$Record", SourceRef(path, 109))
    assert [(a.field, a.value) for a in update.field_assignments] == [
        ("ProfileId", FlowValue("elementReference", "ProfileId")),
        ("UserRoleId", None),
    ]
    # plain-variable assignments are not field writes
    assert all(e.field_assignments == () for e in flow.elements if e.kind == "assignments")
    (decision,) = flow.decisions
    assert [(c.left, c.operator, c.right) for c in decision.outcomes[0].conditions] == [
        ("$Record.IsActive", "EqualTo", FlowValue("booleanValue", "false")),
        ("Get_Standard_User", "IsNull", FlowValue("booleanValue", "false")),
    ]


def test_corpus_action_fault_connector(corpus_flows: dict[str, Flow]) -> None:
    flow = corpus_flows["Missing_Error_Handler_Fixed"]
    assert [(e.name, e.target, e.fault_target) for e in flow.elements] == [
        ("dosomethingelse", None, None),
        ("log_call", None, "dosomethingelse"),
    ]


def test_corpus_before_save_update_and_formulas(corpus_flows: dict[str, Flow]) -> None:
    flow = corpus_flows["Same_Record_Field_Updates"]
    assert (flow.trigger_type, flow.record_trigger_type) == ("RecordBeforeSave", "Create")
    (update,) = flow.elements
    assert (update.kind, update.object, update.input_reference) == ("recordUpdates", "$Record", "$Record")
    assert [(a.field, a.value) for a in update.field_assignments] == [("Active__c", FlowValue("stringValue", "Yes"))]
    assert corpus_flows["Make_Recursive"].formulas == (("RandomString", "TEXT(NOW())"),)
    assert corpus_flows["HardcodedUrl"].formulas == (
        ("HardcodedURL", '"https://mydomain.sandbox.my.salesforce.com/"&{!$User.Id}'),
    )


def test_wait_events_in_both_forms() -> None:
    """Process Builder writes the delay as input parameters, Flow Builder as offset elements."""
    from auditor.model import FlowWaitEvent

    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Waits</label>
    <waits>
        <name>myWait_myRule_1</name>
        <label>myWait_myRule_1</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <defaultConnectorLabel>defaultLabel</defaultConnectorLabel>
        <waitEvents>
            <name>pb_event</name>
            <connector><targetReference>Alert</targetReference></connector>
            <eventType>DateRefAlarmEvent</eventType>
            <inputParameters><name>TimeFieldColumnEnumOrId</name><value><stringValue>CreatedDate</stringValue></value></inputParameters>
            <inputParameters><name>TimeOffsetUnit</name><value><stringValue>Days</stringValue></value></inputParameters>
            <inputParameters><name>TimeOffset</name><value><numberValue>-2.0</numberValue></value></inputParameters>
            <label>pb_event</label>
        </waitEvents>
        <waitEvents>
            <name>builder_event</name>
            <connector><targetReference>Other</targetReference></connector>
            <eventType>AlarmEvent</eventType>
            <label>builder_event</label>
            <offset>2</offset>
            <offsetUnit>Hours</offsetUnit>
        </waitEvents>
    </waits>
</Flow>
"""
    (flow,) = load_files("t", [("flows/Waits.flow", data)]).flows
    (wait,) = flow.elements
    assert wait.wait_events == (
        FlowWaitEvent("pb_event", "DateRefAlarmEvent", -2.0, "Days", "CreatedDate", "Alert",
                      SourceRef("flows/Waits.flow", 10)),
        FlowWaitEvent("builder_event", "AlarmEvent", 2.0, "Hours", None, "Other", SourceRef("flows/Waits.flow", 19)),
    )
