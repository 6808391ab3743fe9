"""LC004 converted-status-mismatch: no converted status, or converted flags that differ from the process.

What: the Lead Status picklist has no value marked Converted, or a status the process marks
``converted: true`` is not Converted in the org, or the org marks a status Converted that the
process does not.

Why it matters: lead conversion offers only Converted values; with none, leads cannot be
converted, and with the wrong one, converted leads carry a status the funnel reports do not count.

How to fix: in the Lead Status picklist, set Converted on exactly the statuses the process marks
``converted: true``.

Failing example: the process's ``Converted`` status is not Converted in the org; ``SQL`` is.

Passing example: ``Converted`` is the only converted value, in the org and in the process.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC004",
    name="converted-status-mismatch",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="No converted Lead Status, or converted flags that differ from the process",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    statuses = org_statuses(ctx.model)
    converted = [s for s in statuses if s.converted and s.active]
    yield ctx.checked("Status:(converted)", ctx.model.status_source)
    if not converted:
        yield ctx.finding(
            "Status:(converted)",
            "no active Lead Status value is marked Converted, so leads cannot be converted",
            fix="Mark the status leads take on conversion (for example 'Converted') as Converted.",
            location=ctx.model.status_source,
        )
    if ctx.process is None:
        return
    by_name = {s.api_name: s for s in statuses}
    documented = {s.api_name: s for s in ctx.process.statuses}
    for doc in ctx.process.statuses:
        org = by_name.get(doc.api_name)
        if org is not None:  # a documented status the org has: its Converted flag is compared
            yield ctx.checked(f"Status:{doc.api_name}", org.source)
        if doc.converted and org is not None and not org.converted:
            yield ctx.finding(
                f"Status:{doc.api_name}",
                f"the process marks '{doc.api_name}' as the converted status, but in the org it is not Converted",
                fix=f"Set Converted on the Lead Status value '{doc.api_name}'.",
                location=org.source,
            )
    for org in converted:
        documented_status = documented.get(org.api_name)
        if documented_status is not None and not documented_status.converted:
            yield ctx.finding(
                f"Status:{org.api_name}",
                f"the org marks {describe(org)} as Converted, but the process does not: converted leads "
                "land in a status the process treats as open",
                fix=f"Clear Converted on '{org.api_name}', or mark it 'converted: true' in the process file.",
                location=org.source,
            )
