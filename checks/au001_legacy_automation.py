"""AU001 legacy-automation: an active Workflow Rule or Process Builder process still automates Lead.

What: each active Lead workflow rule (``workflows/Lead.workflow``) and each active Process Builder
process on Lead (a flow with ``processType`` Workflow whose object is Lead). The finding lists
what it does (field updates, e-mail alerts, tasks, time triggers or scheduled actions), because
that is what the replacement flow must do too. Inactive rules and processes are not reported:
they do nothing, and can simply be deleted.

Why it matters: Salesforce ended support for Workflow Rules and Process Builder on 31 December
2025 (Salesforce Help, "Workflow Rules & Process Builder End of Support"; see
https://help.salesforce.com/apex/HTViewHelpDoc?id=platform.process_troubleshoot_design.htm:
"Support and updates for Process Builder have ended as of December 31, 2025 ... existing
processes continue to run"). They keep running, but their bugs are no longer fixed, they sit
outside the Flow Trigger Explorer's run order, and a workflow field update re-saves the lead and
fires its update automation again: the lead process depends on automation nobody maintains.

How to fix: in Setup > Migrate to Flow, convert the rule or process into a record-triggered
flow on Lead (time triggers and scheduled actions become scheduled paths); test it with
realistic leads, then activate the flow and deactivate the old rule in the same deployment.

Failing example: workflow rule ``Nurture Review Reminder`` is active, sets Rating to Cold and has
a 30-day time trigger that creates a review task.

Passing example: the same logic is a record-triggered flow with a 30-day scheduled path, and the
workflow rule is inactive (or deleted).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import ActionRef, Flow, WorkflowRule, WorkflowTimeTrigger
from checks._automation import has_kind, has_lead_workflow

RULE = Rule(
    id="AU001",
    name="legacy-automation",
    severity=Severity.MEDIUM,
    category="automation",
    summary="An active Workflow Rule or Process Builder process automates Lead after their end of support",
)

END_OF_SUPPORT = (
    "Salesforce ended support for Workflow Rules and Process Builder on 31 December 2025: it keeps "
    "running, but its bugs are no longer fixed and it runs outside the order set in the Flow Trigger Explorer"
)
_ACTION_WORDS = {
    "FieldUpdate": "field update",
    "Alert": "e-mail alert",
    "Task": "task",
    "OutboundMessage": "outbound message",
}


def _actions(actions: tuple[ActionRef, ...]) -> list[str]:
    return [f"{_ACTION_WORDS.get(a.type, a.type or 'action')} {a.name}" for a in actions]


def _time_trigger(trigger: WorkflowTimeTrigger) -> str:
    when = f"{trigger.time_length} {trigger.unit or ''}".strip() if trigger.time_length is not None else "a delay"
    after = f" after {trigger.offset_from_field}" if trigger.offset_from_field else ""
    done = ", ".join(_actions(trigger.actions)) or "no actions"
    return f"time trigger {when}{after} ({done})"


def _rule_finding(ctx: CheckContext, rule: WorkflowRule) -> Finding:
    does = _actions(rule.actions) + [_time_trigger(t) for t in rule.time_triggers]
    what = f"it runs {', '.join(does)}" if does else "it has no actions at all"
    later = " (its time triggers become scheduled paths)" if rule.time_triggers else ""
    return ctx.finding(
        f"WorkflowRule:{rule.name}",
        f"workflow rule '{rule.name}' on Lead is active: {what}. {END_OF_SUPPORT}",
        fix=(
            f"Use Setup > Migrate to Flow to rebuild '{rule.name}' as a record-triggered flow on Lead{later}; "
            "test it, then activate the flow and deactivate the workflow rule in the same deployment."
            if does
            else f"Deactivate or delete workflow rule '{rule.name}': it does nothing."
        ),
        location=rule.source,
    )


def _process_finding(ctx: CheckContext, flow: Flow) -> Finding:
    kinds: dict[str, int] = {}
    for element in flow.elements:
        kinds[element.kind] = kinds.get(element.kind, 0) + 1
    words = {
        "recordUpdates": "record update",
        "recordCreates": "record create",
        "actionCalls": "action",
        "waits": "scheduled action group",
        "apexPluginCalls": "Apex call",
        "subflows": "flow call",
    }
    does = [f"{n} {words[k]}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()) if k in words]
    what = f"it has {', '.join(does)}" if does else "it has no actions"
    later = " (its scheduled actions become scheduled paths)" if "waits" in kinds else ""
    return ctx.finding(
        f"Flow:{flow.name}",
        f"Process Builder process '{flow.name}' ('{flow.label}') on Lead is active: {what}. {END_OF_SUPPORT}",
        fix=(
            f"Use Setup > Migrate to Flow to rebuild '{flow.name}' as a record-triggered flow on Lead{later}; "
            "test it, then activate the new flow and deactivate the process in the same deployment."
        ),
        location=flow.source,
    )


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    if not has_lead_workflow(model) and not has_kind(model, "flow"):
        raise NotApplicable(
            "the source holds neither the Lead workflow file (workflows/Lead.workflow) nor any flow; "
            "retrieve Workflow:Lead and Flow:* to judge this"
        )
    # every workflow rule and process is judged; an inactive one passes, since it does nothing
    for rule in model.workflow_rules:
        yield ctx.checked(f"WorkflowRule:{rule.name}", rule.source)
        if rule.active:
            yield _rule_finding(ctx, rule)
    for flow in model.lead_flows:
        if not flow.is_process_builder:
            continue
        yield ctx.checked(f"Flow:{flow.name}", flow.source)
        if flow.is_active:
            yield _process_finding(ctx, flow)
