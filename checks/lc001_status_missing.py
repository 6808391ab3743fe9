"""LC001 status-missing: a documented status is not in the org's Lead Status picklist.

What: a status of the process file whose ``api_name`` is not an active value of the LeadStatus
standard value set. Matching is by API name; the finding also says when the org has a value with
that label or a different case, which is usually the real mistake.

Why it matters: reps cannot put a lead in a status that does not exist, so that stage of the
process is skipped or tracked outside Salesforce, and its SLA and reports are empty.

How to fix: add the value in Setup > Object Manager > Lead > Fields > Lead Status (or in
``standardValueSets/LeadStatus``), or correct ``api_name`` in the process file.

Failing example: the process documents ``SAL``; the picklist has New, MQL, SQL.

Passing example: the picklist has an active ``SAL`` value.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import SourceRef
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC001",
    name="status-missing",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="A documented status is absent from the org's Lead Status picklist",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    statuses = org_statuses(ctx.model)
    by_name = {s.api_name: s for s in statuses}
    for documented in process.statuses:
        location: SourceRef | None
        subject = f"Status:{documented.api_name}"
        present = by_name.get(documented.api_name)
        yield ctx.checked(subject, present.source if present is not None else ctx.model.status_source)
        if present is not None and present.active:
            continue
        if present is not None:
            message = (
                f"documented status '{documented.api_name}' is in the Lead Status picklist but inactive, "
                "so no lead can be put in it"
            )
            fix = f"Activate the Lead Status value '{documented.api_name}'."
            location = present.source
        else:
            message = f"documented status '{documented.api_name}' ({documented.label}) is not in the Lead Status picklist"
            near = [
                s for s in statuses
                if s.api_name.lower() == documented.api_name.lower() or s.label.lower() == documented.label.lower()
            ]
            if near:
                message += f"; the org has {', '.join(describe(s) for s in near)}: match the process to its API name"
            fix = (
                f"Add '{documented.api_name}' to the Lead Status picklist, or set api_name in "
                f"{process.path} (line {documented.line}) to the org's API name."
            )
            location = ctx.model.status_source
        yield ctx.finding(subject, message, fix=fix, location=location)
