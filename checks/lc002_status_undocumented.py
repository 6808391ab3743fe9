"""LC002 status-undocumented: an active org status the process does not document.

What: an active value of the Lead Status picklist with no entry in the process file.

Why it matters: reps use statuses that have no owner, no SLA and no exit criteria; leads parked
there fall out of every report and alert built on the documented lifecycle (the classic leftover
is ``Working - Contacted`` from the default Salesforce picklist).

How to fix: deactivate or remove the value (mapping existing leads to a documented status), or
document it in the process file with its owner and SLA.

Failing example: the picklist has an active ``Working`` the process does not list.

Passing example: every active picklist value appears under ``statuses:``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC002",
    name="status-undocumented",
    severity=Severity.MEDIUM,
    category="lifecycle",
    summary="An active Lead Status value is not part of the documented process",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    documented = {s.api_name for s in process.statuses}
    for status in org_statuses(ctx.model):
        if not status.active:
            continue  # an inactive value cannot be chosen, documented or not
        yield ctx.checked(f"Status:{status.api_name}", status.source)
        if status.api_name not in documented:
            yield ctx.finding(
                f"Status:{status.api_name}",
                f"active Lead Status {describe(status)} is not documented in {process.path}",
                fix=(
                    f"Deactivate '{status.api_name}' and move its leads to a documented status, or add it "
                    "to the process file with its owner, SLA and next statuses."
                ),
                location=status.source,
            )
