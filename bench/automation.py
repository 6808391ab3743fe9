"""Lead automation of a generated org: record-triggered flows and the legacy workflow file.

A generated flow is what a stage's flow looks like after a few years: it starts on a status,
runs a chain of decisions, each leading to an assignment, a ``$Record`` update (with a fault
path to the shared handler) and a lookup; a scheduled path e-mails the owner when the lead is
still in the status after its SLA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.orgxml import block, connector, criteria_item, document, el, typed_value

if TYPE_CHECKING:
    from bench.orgfiles import OrgPlan

ROOT = "force-app/main/default"
FAULT_HANDLER = "Flow_Fault_Handler"
GROUP = 4  # decision, assignment, record update, lookup


def render(plan: OrgPlan) -> dict[str, str]:
    files = {f"{ROOT}/flows/{FAULT_HANDLER}.flow-meta.xml": fault_handler(),
             f"{ROOT}/workflows/Lead.workflow-meta.xml": workflow(plan)}
    for index in range(plan.size.flows):
        name = f"Lead_Stage_Flow_{index:04d}"
        files[f"{ROOT}/flows/{name}.flow-meta.xml"] = flow(plan, index)
    return files


def _alert_name(status: str) -> str:
    return f"Lead_{status}_SLA_Breach"


def _metadata_values() -> list[str]:
    return [block("processMetadataValues", [el("name", key, 2), typed_value("value", "stringValue", value, 2)], 1)
            for key, value in (("BuilderType", "LightningFlowBuilder"), ("CanvasMode", "AUTO_LAYOUT_CANVAS"))]


def flow(plan: OrgPlan, index: int) -> str:
    statuses = plan.working_statuses
    status = statuses[index % len(statuses)]
    following = plan.statuses[plan.statuses.index(status) + 1]
    numbers, flags = plan.of_type("Number"), plan.of_type("Checkbox")
    texts = plan.of_type("Text") or ["Description"]
    groups = max((plan.size.flow_elements - 2) // GROUP, 1)
    extra = max(plan.size.flow_elements - 2 - groups * GROUP, 0)  # padding assignments at the end

    decisions, assignments, updates, lookups = [], [], [], []
    for g in range(groups):
        after = f"Check_{g + 1:02d}" if g + 1 < groups else ("Tally_Extra_01" if extra else None)
        number, flag = numbers[(index + g) % len(numbers)], flags[(index + g) % len(flags)]
        rule = block("rules", [
            el("name", f"Qualifies_{g:02d}", 3), el("conditionLogic", "and", 3),
            block("conditions", [el("leftValueReference", f"$Record.{number}", 4), el("operator", "GreaterThanOrEqualTo", 4),
                                 typed_value("rightValue", "numberValue", f"{(index * 7 + g) % 90 + 10}.0", 4)], 3),
            block("conditions", [el("leftValueReference", f"$Record.{flag}", 4), el("operator", "EqualTo", 4),
                                 typed_value("rightValue", "booleanValue", True, 4)], 3),
            connector("connector", f"Tally_{g:02d}", 3), el("label", f"Qualifies {g}", 3)], 2)
        decisions.append(block("decisions", [
            el("name", f"Check_{g:02d}", 2), el("label", f"Check {g}", 2), el("locationX", 182, 2),
            el("locationY", 120 * (g + 1), 2), *([connector("defaultConnector", after, 2)] if after else []),
            el("defaultConnectorLabel", "Otherwise", 2), rule], 1))
        assignments.append(_tally(f"Tally_{g:02d}", f"Update_{g:02d}", g))
        writes = [("Status", "stringValue", following)] if g == 0 else []
        writes.append((texts[(index + g) % len(texts)], "stringValue", f"Stage {status} step {g}"))
        updates.append(block("recordUpdates", [
            el("name", f"Update_{g:02d}", 2), el("label", f"Update {g}", 2), el("locationX", 50, 2),
            el("locationY", 120 * (g + 1) + 40, 2), connector("connector", f"Find_Tasks_{g:02d}", 2),
            connector("faultConnector", "Log_Fault", 2),
            *[block("inputAssignments", [el("field", f, 3), typed_value("value", kind, v, 3)], 2) for f, kind, v in writes],
            el("inputReference", "$Record", 2)], 1))
        lookups.append(block("recordLookups", [
            el("name", f"Find_Tasks_{g:02d}", 2), el("label", f"Find Tasks {g}", 2), el("locationX", 50, 2),
            el("locationY", 120 * (g + 1) + 80, 2), el("assignNullValuesIfNoRecordsFound", False, 2),
            *([connector("connector", after, 2)] if after else []),
            # every tenth flow was built before the team added fault paths to lookups
            *([connector("faultConnector", "Log_Fault", 2)] if index % 10 != 3 else []),
            el("filterLogic", "and", 2),
            block("filters", [el("field", "WhoId", 3), el("operator", "EqualTo", 3),
                              typed_value("value", "elementReference", "$Record.Id", 3)], 2),
            el("getFirstRecordOnly", True, 2), el("object", "Task", 2), el("storeOutputAutomatically", True, 2)], 1))
    for n in range(1, extra + 1):
        assignments.append(_tally(f"Tally_Extra_{n:02d}", f"Tally_Extra_{n + 1:02d}" if n < extra else None, n))

    hours = 4 if status in ("New", "MQL") else 24
    alert = block("actionCalls", [
        el("name", "Send_SLA_Alert", 2), el("label", "Send SLA Alert", 2), el("locationX", 314, 2), el("locationY", 276, 2),
        el("actionName", f"Lead.{_alert_name(status)}", 2), el("actionType", "emailAlert", 2),
        connector("faultConnector", "Log_Fault", 2), el("flowTransactionModel", "CurrentTransaction", 2),
        block("inputParameters", [el("name", "SObjectRowId", 3), typed_value("value", "elementReference", "$Record.Id", 3)], 2),
        el("nameSegment", f"Lead.{_alert_name(status)}", 2), el("offset", 0, 2)], 1)
    start = block("start", [
        el("locationX", 56, 2), el("locationY", 0, 2), connector("connector", "Check_00", 2),
        el("doesRequireRecordChangedToMeetCriteria", True, 2), el("filterLogic", "and", 2),
        block("filters", [el("field", "Status", 3), el("operator", "EqualTo", 3),
                          typed_value("value", "stringValue", status, 3)], 2),
        el("object", "Lead", 2), el("recordTriggerType", "CreateAndUpdate", 2),
        block("scheduledPaths", [el("name", f"X{hours}_Hours_In_Status", 3), connector("connector", "Send_SLA_Alert", 3),
                                 el("label", f"{hours} Hours In Status", 3), el("offsetNumber", hours, 3),
                                 el("offsetUnit", "Hours", 3), el("timeSource", "RecordTriggerEvent", 3)], 2),
        el("triggerType", "RecordAfterSave", 2)], 1)
    subflow = block("subflows", [
        el("name", "Log_Fault", 2), el("label", "Log Fault", 2), el("locationX", 578, 2), el("locationY", 384, 2),
        el("flowName", FAULT_HANDLER, 2),
        block("inputAssignments", [el("name", "inFaultMessage", 3),
                                   typed_value("value", "elementReference", "$Flow.FaultMessage", 3)], 2)], 1)
    variable = block("variables", [el("name", "varScore", 2), el("dataType", "Number", 2), el("isCollection", False, 2),
                                   el("isInput", False, 2), el("isOutput", False, 2), el("scale", 0, 2)], 1)
    return document("Flow", [
        alert, el("apiVersion", "62.0", 1), *assignments, *decisions,
        el("description", f"Stage automation for leads in {status}: qualification steps and the SLA alert.", 1),
        el("environments", "Default", 1), el("interviewLabel", f"Lead Stage Flow {index} {{!$Flow.CurrentDateTime}}", 1),
        el("label", f"Lead Stage Flow {index}", 1), *_metadata_values(), el("processType", "AutoLaunchedFlow", 1),
        *lookups, *updates, start, el("status", "Draft" if index % 20 == 19 else "Active", 1), subflow,
        el("triggerOrder", 100 + index % 900, 1), variable])


def _tally(name: str, target: str | None, step: int) -> str:
    """An assignment to a flow variable: work that changes no record."""
    return block("assignments", [
        el("name", name, 2), el("label", name.replace("_", " "), 2), el("locationX", 50, 2), el("locationY", 60 * step, 2),
        block("assignmentItems", [el("assignToReference", "varScore", 3), el("operator", "Add", 3),
                                  typed_value("value", "numberValue", "1.0", 3)], 2),
        *([connector("connector", target, 2)] if target else [])], 1)


def fault_handler() -> str:
    action = block("actionCalls", [
        el("name", "Email_Sales_Ops", 2), el("label", "Email Sales Ops", 2), el("locationX", 176, 2),
        el("locationY", 134, 2), el("actionName", "emailSimple", 2), el("actionType", "emailSimple", 2),
        block("inputParameters", [el("name", "emailAddresses", 3),
                                  typed_value("value", "stringValue", "sales-ops@bench.example", 3)], 2),
        el("nameSegment", "emailSimple", 2), el("offset", 0, 2)], 1)
    variable = block("variables", [el("name", "inFaultMessage", 2), el("dataType", "String", 2),
                                   el("isCollection", False, 2), el("isInput", True, 2), el("isOutput", False, 2)], 1)
    return document("Flow", [
        action, el("apiVersion", "62.0", 1), el("description", "Shared fault handler of the Lead flows.", 1),
        el("label", "Flow Fault Handler", 1), *_metadata_values(), el("processType", "AutoLaunchedFlow", 1),
        block("start", [el("locationX", 50, 2), el("locationY", 0, 2), connector("connector", "Email_Sales_Ops", 2)], 1),
        el("status", "Active", 1), variable])


def workflow(plan: OrgPlan) -> str:
    statuses = plan.working_statuses
    alerts = [block("alerts", [
        el("fullName", _alert_name(s), 2), el("description", f"Lead {s} SLA Breach", 2), el("protected", False, 2),
        block("recipients", [el("type", "owner", 3)], 2), el("senderType", "CurrentUser", 2),
        el("template", "unfiled$public/Lead_SLA_Breach", 2)], 1) for s in statuses]
    updates, rules = [], []
    for n in range(plan.size.workflow_rules):
        status = statuses[n % len(statuses)]
        writes_status = n % 5 == 0  # legacy rules that still move leads along
        field, value = ("Status", "Nurture") if writes_status else ("Rating", "Warm")
        updates.append(block("fieldUpdates", [
            el("fullName", f"Set_{field}_{n:04d}", 2), el("field", field, 2), el("literalValue", value, 2),
            el("name", f"Set {field} {n}", 2), el("notifyAssignee", False, 2), el("operation", "Literal", 2),
            el("protected", False, 2), el("reevaluateOnChange", False, 2)], 1))
        body = [el("fullName", f"Legacy Lead Rule {n:04d}", 2),
                block("actions", [el("name", f"Set_{field}_{n:04d}", 3), el("type", "FieldUpdate", 3)], 2),
                el("active", n % 4 != 3, 2), criteria_item("Lead.Status", "equals", status, 2),
                criteria_item("Lead.LeadSource", "equals", "Web", 2),
                el("description", "Built years ago; still active in some regions.", 2),
                el("triggerType", "onCreateOrTriggeringUpdate", 2)]
        if n % 3 == 0:
            body.append(block("workflowTimeTriggers", [
                block("actions", [el("name", _alert_name(status), 4), el("type", "Alert", 4)], 3),
                el("timeLength", 48, 3), el("workflowTimeTriggerUnit", "Hours", 3)], 2))
        rules.append(block("rules", body, 1))
    task = block("tasks", [
        el("fullName", "Follow_Up_Call", 2), el("assignedToType", "owner", 2), el("dueDateOffset", 1, 2),
        el("notifyAssignee", False, 2), el("priority", "Normal", 2), el("protected", False, 2),
        el("status", "Not Started", 2), el("subject", "Follow-up call", 2)], 1)
    return document("Workflow", [*alerts, *updates, *rules, task])
