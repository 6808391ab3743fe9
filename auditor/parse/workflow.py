"""Read the Lead workflow file (``workflows/Lead.workflow``): legacy rules and their actions.

Workflow rules still run in many orgs next to flows, and they change Lead Status, send alerts and
create tasks: an audit that ignored them would miss writers of the status. Workflow files of
other objects are validated but contribute nothing, since only Lead automation is audited.
"""

from __future__ import annotations

from auditor.model import (
    ActionRef,
    WorkflowAlert,
    WorkflowFieldUpdate,
    WorkflowRule,
    WorkflowTask,
    WorkflowTimeTrigger,
)
from auditor.parse.base import Contribution, FileContext, decode_name, expect_root
from auditor.parse.rules import criteria_items
from auditor.xmlsafe import Node


def parse_workflow(root: Node, ctx: FileContext) -> Contribution:
    """Rules, alerts, field updates and tasks of the Lead object; nothing for other objects."""
    expect_root(root, "Workflow")
    if ctx.component.lower() != "lead":
        return {}
    return {
        "workflow_rules": [_rule(node, ctx) for node in root.children("rules")],
        "workflow_alerts": [_alert(node, ctx) for node in root.children("alerts")],
        "workflow_field_updates": [_field_update(node, ctx) for node in root.children("fieldUpdates")],
        "workflow_tasks": [_task(node, ctx) for node in root.children("tasks")],
    }


def _actions(node: Node) -> tuple[ActionRef, ...]:
    return tuple(
        ActionRef(name=decode_name(a.text("name")), type=a.text("type", "") or "") for a in node.children("actions")
    )


def _time_trigger(node: Node, ctx: FileContext) -> WorkflowTimeTrigger:
    return WorkflowTimeTrigger(
        offset_from_field=node.text("offsetFromField"),
        time_length=node.int_value("timeLength"),
        unit=node.text("workflowTimeTriggerUnit"),
        actions=_actions(node),
        source=ctx.ref(node),
    )


def _rule(node: Node, ctx: FileContext) -> WorkflowRule:
    return WorkflowRule(
        name=decode_name(node.text("fullName")),
        active=node.flag("active"),
        trigger_type=node.text("triggerType", "") or "",
        criteria=criteria_items(node, ctx),  # the FilterItem rows assignment rules use too
        boolean_filter=node.text("booleanFilter"),
        formula=node.text("formula"),
        actions=_actions(node),
        time_triggers=tuple(_time_trigger(t, ctx) for t in node.children("workflowTimeTriggers")),
        source=ctx.ref(node),
    )


def _recipient(node: Node) -> str:
    """``owner``, ``role:Sales_Manager``, ``email:Email``: the type, then whom or which field.

    A ccEmails address becomes ``email:<address>`` too (see ``_alert``).
    """
    kind = node.text("type", "") or ""
    whom = node.text("recipient") or node.text("field")
    return f"{kind}:{whom}" if whom else kind


def _alert(node: Node, ctx: FileContext) -> WorkflowAlert:
    recipients = [_recipient(r) for r in node.children("recipients")]
    # ccEmails are fixed addresses (up to five) that receive the alert too, often a manager's
    # list: dropping them would make an escalation alert look like it only reaches the owner.
    recipients += [f"email:{address}" for address in node.texts("ccEmails") if address]
    return WorkflowAlert(
        name=decode_name(node.text("fullName")),
        template=node.text("template"),
        recipients=tuple(recipients),
        source=ctx.ref(node),
    )


def _field_update(node: Node, ctx: FileContext) -> WorkflowFieldUpdate:
    return WorkflowFieldUpdate(
        name=decode_name(node.text("fullName")),
        field=node.text("field", "") or "",
        operation=node.text("operation", "") or "",
        literal_value=node.text("literalValue"),
        formula=node.text("formula"),
        lookup_value=node.text("lookupValue"),
        source=ctx.ref(node),
    )


def _task(node: Node, ctx: FileContext) -> WorkflowTask:
    return WorkflowTask(
        name=decode_name(node.text("fullName")),
        subject=node.text("subject", "") or "",
        assigned_to=node.text("assignedTo"),
        assigned_to_type=node.text("assignedToType"),
        source=ctx.ref(node),
    )
