"""LC003 default-status-mismatch: no default Lead Status, or not the process's entry status.

What: the LeadStatus picklist has no default value, or its default differs from the status the
process marks ``entry: true``. Without a process file only the missing default is judged.

Why it matters: every new lead (web-to-lead, import, API) starts in the default status; if that is
not the entry status, new leads skip the first stage, its SLA and its routing.

How to fix: mark the process's entry status as the default value of the Lead Status picklist.

Failing example: the process's entry status is ``New``; the picklist default is ``Contacted``.

Passing example: ``New`` is the picklist default.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Finding, Rule, Severity
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC003",
    name="default-status-mismatch",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="The Lead Status picklist has no default, or a default other than the entry status",
)


def check(ctx: CheckContext) -> Iterator[Finding]:
    statuses = org_statuses(ctx.model)
    defaults = [s for s in statuses if s.default and s.active]
    entry = ctx.process.entry_status if ctx.process else None
    if not defaults:
        wanted = f"'{entry.api_name}'" if entry else "the first status of your process"
        yield ctx.finding(
            "Status:(default)",
            "the Lead Status picklist has no active default value, so new leads get no status or the first value",
            fix=f"Mark {wanted} as the default value of the Lead Status picklist.",
            location=ctx.model.status_source,
        )
        return
    default = defaults[0]
    if entry is not None and default.api_name != entry.api_name:
        yield ctx.finding(
            f"Status:{default.api_name}",
            f"new leads start in {describe(default)}, the picklist default, but the process's entry status "
            f"is '{entry.api_name}'",
            fix=f"Make '{entry.api_name}' the default Lead Status value and clear the default on '{default.api_name}'.",
            location=default.source,
        )
