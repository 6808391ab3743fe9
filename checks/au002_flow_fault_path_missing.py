"""AU002 flow-fault-path-missing: an active Lead flow element that can fail has no fault path.

What: in each active flow whose start object is Lead (record-triggered, scheduled, or
autolaunched with Lead as its object), every element that can fail at run time (Get, Create,
Update and Delete Records, action calls such as e-mail alerts, Apex plugin calls) and has no
fault connector. One finding per element. Not judged: inactive flows (they run nowhere; AU004
reports them), Process Builder processes (they cannot have fault paths; AU001 reports them),
assignments and decisions (they cannot fault), and an Update Records on ``$Record`` in a
before-save flow (it changes the record in memory, with no DML that could fail).

Why it matters: without a fault path, a failure (a validation rule, a locked or deleted record,
a governor limit, an e-mail alert whose recipient is gone) ends the flow with an unhandled
fault. On the immediate path of a record-triggered flow the whole save is rolled back and the
user or integration that saved the lead sees "An unhandled fault has occurred in this flow"; a
web-to-lead or an import loses the lead. On a scheduled path the work silently does not happen
(an SLA alert never goes out) and only the flow's error e-mail recipient is told.

How to fix: in Flow Builder, on the element choose Add Fault Path and connect it to a handler:
log the error (``{!$Flow.FaultMessage}``) to a record or send a custom notification to the
process owner, so the save goes on and someone knows.

Failing example: an active after-save flow's scheduled path calls the e-mail alert
``Lead.Lead_MQL_SLA_Breach`` with no fault connector.

Passing example: the action call has a ``<faultConnector>`` to a Create Records element that
logs ``$Flow.FaultMessage``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import Flow, FlowElement
from checks._automation import RECORD_TRIGGERS, deferred_elements, describe_element, describe_trigger, has_kind

RULE = Rule(
    id="AU002",
    name="flow-fault-path-missing",
    severity=Severity.MEDIUM,
    category="automation",
    summary="An element of an active Lead flow that can fail has no fault path",
)


def _in_memory(flow: Flow, element: FlowElement) -> bool:
    # a before-save "Update Records" on the triggering record only sets fields before the save
    return (
        flow.trigger_type == "RecordBeforeSave"
        and element.kind == "recordUpdates"
        and (element.input_reference or element.object or "").lower() == "$record"
    )


def _consequence(flow: Flow, deferred: bool) -> str:
    if deferred:
        return (
            "the scheduled path stops there, its work silently does not happen, and only the flow's "
            "error e-mail recipient is told"
        )
    if flow.trigger_type in RECORD_TRIGGERS:
        lost = " (a web-to-lead or import loses the lead)" if flow.record_trigger_type != "Update" else ""
        return (
            "the lead save that started the flow is rolled back and the user or integration sees "
            f"'An unhandled fault has occurred in this flow'{lost}"
        )
    if flow.trigger_type == "Scheduled":
        return "the scheduled run stops for the leads of that batch and only the flow's error e-mail recipient is told"
    return "the flow stops with an unhandled fault and the transaction that launched it is rolled back"


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    if not has_kind(ctx.model, "flow"):
        raise NotApplicable("the source holds no flows; retrieve Flow:* to judge this")
    for flow in ctx.model.lead_flows:
        if not flow.is_active or flow.is_process_builder:
            continue  # inactive flows run nowhere (AU004); processes cannot have fault paths (AU001)
        yield ctx.checked(f"Flow:{flow.name}", flow.source)
        deferred = deferred_elements(flow)
        for element in flow.elements:
            if not element.can_fault or element.fault_target or _in_memory(flow, element):
                continue
            later = element.name in deferred
            where = " on a scheduled path" if later else ""
            yield ctx.finding(
                f"Flow:{flow.name}",
                f"{describe_element(element)}{where} in active flow '{flow.name}' ({describe_trigger(flow)}) has no "
                f"fault path: when it fails, {_consequence(flow, later)}",
                fix=(
                    f"In Flow Builder, open '{flow.label or flow.name}', choose Add Fault Path on "
                    f"'{element.label or element.name}' and connect it to an element that logs "
                    "{!$Flow.FaultMessage} or notifies the process owner; then save and activate the new version."
                ),
                location=element.source,
            )
