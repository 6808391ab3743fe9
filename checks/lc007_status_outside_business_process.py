"""LC007 status-outside-business-process: an active Lead Status no active record type offers.

What: in an org with Lead record types, each record type's Lead Process (business process) lists
the Status values its leads may use. This rule reports an active Lead Status value that the
business process of no active Lead record type offers. When an active record type's business
process is not in the source, that process may offer any value, so the rule says it cannot judge
rather than guess; inactive record types are ignored.
When a process file is present, documented statuses are left to LC005, which judges whether the
documented lifecycle can be walked; this rule then reports only undocumented values.

Why it matters: a value no lead process offers cannot be picked by anyone working a lead of a
record type, so leads that still carry it (imports, old data, automation setting it) sit in a
status users cannot select again, and reports grouped by status show a stage nobody can reach.
Usually it is a leftover (``Working - Contacted``) or a new value someone forgot to add to the
lead processes. Leads of the Master record type still see every value: leadaudit cannot see
which profiles use it, so the finding is a prompt to check, not proof that no lead can use it.

How to fix: add the value to the business process of the record types that should use it
(Setup > Object Manager > Lead > Lead Processes), or deactivate the value and move its leads.

Failing example: the picklist has an active ``Working``; the only active record type, ``Inbound``,
uses the business process ``Northwind_Sales``, which lists New, Contacted, MQL, SQL, Converted.

Passing example: every active Lead Status value is in ``Northwind_Sales``, or the org has no Lead
record types (then every value is offered to every lead).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import BusinessProcess, RecordType
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC007",
    name="status-outside-business-process",
    severity=Severity.MEDIUM,
    category="lifecycle",
    summary="An active Lead Status value is offered by no business process of an active record type",
)


def _judged_record_types(
    record_types: tuple[RecordType, ...], processes: tuple[BusinessProcess, ...]
) -> tuple[list[tuple[RecordType, BusinessProcess]], list[RecordType]]:
    """Active record types with their business process, and those whose process is not in the source."""
    # Salesforce names are unique regardless of case; compare the same way
    by_name = {bp.name.casefold(): bp for bp in processes}
    judged: list[tuple[RecordType, BusinessProcess]] = []
    skipped: list[RecordType] = []
    for rt in record_types:
        if not rt.active:
            continue
        bp = by_name.get((rt.business_process or "").casefold())
        if bp is None:
            skipped.append(rt)
        else:
            judged.append((rt, bp))
    return judged, skipped


def _skipped_text(skipped: list[RecordType]) -> str:
    parts = [
        f"'{rt.name}' (business process '{rt.business_process}')"
        if rt.business_process
        else f"'{rt.name}' (its file names no business process)"
        for rt in skipped
    ]
    return ", ".join(parts)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    statuses = org_statuses(model)
    if not model.record_types:
        raise NotApplicable(
            "the source holds no Lead record types: without record types every lead offers every status"
        )
    if not model.business_processes:
        raise NotApplicable(
            "the source holds no Lead business processes (objects/Lead/businessProcesses); retrieve "
            "BusinessProcess:Lead.* to judge which statuses the record types offer"
        )
    active = [s for s in statuses if s.active]
    if not active:
        raise NotApplicable("the Lead Status picklist in the source has no active values")
    judged, skipped = _judged_record_types(model.record_types, model.business_processes)
    if skipped:
        # the missing business process may offer any value: a finding would claim what the source cannot show
        raise NotApplicable(
            f"cannot tell which statuses record type {_skipped_text(skipped)} offers: the source does not hold its "
            "business process; retrieve it to judge this"
        )
    if not judged:
        raise NotApplicable("no active Lead record type in the source")

    documented = {s.api_name for s in ctx.process.statuses} if ctx.process is not None else set()
    offered = {value for _, bp in judged for value in bp.values}
    scope = ", ".join(f"'{rt.name}' with business process '{bp.name}'" for rt, bp in judged)
    for status in active:
        if status.api_name in documented:
            continue  # a documented status missing from a process is LC005's (reachability)
        yield ctx.checked(f"Status:{status.api_name}", status.source)
        if status.api_name in offered:
            continue
        yield ctx.finding(
            f"Status:{status.api_name}",
            f"active Lead Status {describe(status)} is offered by no business process of an active record type "
            f"(active record types: {scope}): users working those leads cannot select it",
            fix=(
                f"Add '{status.api_name}' to the business process of the record types that should use it "
                f"(Setup > Object Manager > Lead > Lead Processes), or deactivate '{status.api_name}' and "
                "move its leads to an offered status."
            ),
            location=status.source,
        )
