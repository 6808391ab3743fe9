"""AU004 flow-not-active: the retrieved version of a Lead flow is not the active one.

What: a record-triggered or scheduled flow on Lead whose retrieved version has status Draft,
InvalidDraft or Obsolete. A retrieve returns a flow's latest version: if an older version is
active in the org, that older version is the one that runs, and it differs from the file; if
none is, the flow does nothing. The source cannot tell which (``flowDefinitions`` are not read),
so the finding says both, never "no version is active". A file without ``<status>`` (saved
before API 44.0, when the active version was kept in ``flowDefinitions``) is reported at low
severity as unknown. Process Builder processes are left to AU001.

Why it matters: what the team reviews in the repository is not what runs. A weekend follow-up
or SLA alert flow left in Draft means the step exists on paper and in the repository but not
for the leads; an older active version means fixes made since then are not live.

How to fix: activate the version you reviewed (Setup > Flows, or ``<status>Active</status>`` and
deploy), or, when the flow was replaced, delete it so the source and the org agree.

Failing example: ``Lead_Weekend_Followup`` (after save, on create) has ``<status>Draft</status>``.

Passing example: the same flow with ``<status>Active</status>``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import Flow
from checks._automation import describe_element, describe_trigger, has_kind

RULE = Rule(
    id="AU004",
    name="flow-not-active",
    severity=Severity.MEDIUM,
    category="automation",
    summary="The retrieved version of a record-triggered or scheduled Lead flow is not active",
)

_TRIGGERS = {"RecordBeforeSave", "RecordAfterSave", "RecordBeforeDelete", "Scheduled"}
_STATES = {
    "Draft": "a Draft",
    "InvalidDraft": "an InvalidDraft (saved with errors, so it cannot be activated as it is)",
    "Obsolete": "Obsolete (a deactivated version)",
}


def _work(flow: Flow) -> str:
    """The first few things the flow does, so the reader knows what is not happening."""
    doing = [describe_element(e) for e in flow.elements if e.kind != "assignments"]
    doing += [f"scheduled path {p.name}" for p in flow.scheduled_paths if p.name]
    if not doing:
        return ""
    more = f" and {len(doing) - 3} more" if len(doing) > 3 else ""
    return f" (this version: {'; '.join(doing[:3])}{more})"


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    if not has_kind(ctx.model, "flow"):
        raise NotApplicable("the source holds no flows; retrieve Flow:* to judge this")
    for flow in ctx.model.lead_flows:
        if flow.is_process_builder or flow.trigger_type not in _TRIGGERS:
            continue
        subject = f"Flow:{flow.name}"
        yield ctx.checked(subject, flow.source)
        if flow.is_active:
            continue
        trigger = describe_trigger(flow)
        if flow.status is None:
            yield ctx.finding(
                subject,
                f"flow '{flow.name}' ({trigger}) has no <status> in its file (saved before API 44.0, when the active "
                "version was recorded in flowDefinitions, which leadaudit does not read): whether any version of it "
                "is active in the org is unknown",
                fix=(
                    f"Retrieve '{flow.name}' at API 44.0 or later so the file states its status, or check Setup > "
                    "Flows for its active version."
                ),
                location=flow.source,
                severity=Severity.LOW,
            )
            continue
        state = _STATES.get(flow.status, f"in status {flow.status}")
        yield ctx.finding(
            subject,
            f"the retrieved version of flow '{flow.name}' ({trigger}) is {state}; if an older version is active in "
            f"the org it is the one that runs, and it differs from this one; if none is, the flow does "
            f"nothing{_work(flow)}",
            fix=(
                f"Activate the reviewed version of '{flow.name}' (Setup > Flows, or <status>Active</status> and "
                "deploy); if it was replaced by another flow, delete it so the source matches the org."
            ),
            location=flow.source,
        )
