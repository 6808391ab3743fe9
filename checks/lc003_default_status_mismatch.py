"""LC003 default-status-mismatch: new leads do not start in the process's entry status.

What: the status a new lead starts in differs from the status the process marks ``entry: true``,
or the Lead Status picklist has no default at all. Where a new lead starts depends on record
types: a lead of a record type starts in the default value of that record type's business process
(Lead Process), not in the picklist default. So when the source holds active Lead record types and
all their business processes, leadaudit judges each business process an active record type uses
(one finding per business process, naming its record types) and not the picklist default. Without
active record types it judges the picklist default. When an active record type's business process
is not in the source, leadaudit cannot see where those leads start: it judges the business
processes it has and the picklist default, and says which business processes it did not judge.
Without a process file only a missing picklist default is judged.

Why it matters: every new lead (web-to-lead, import, API) starts in the default status; if that is
not the entry status, new leads skip the first stage, its SLA and its routing.

How to fix: make the process's entry status the default of each Lead Process your record types
use (Setup > Object Manager > Lead > Lead Processes), or, without record types, the default value
of the Lead Status picklist.

Failing example: the process's entry status is ``New``; the active record type ``Inbound`` uses
the business process ``Sales``, whose default is ``Contacted`` (or, without record types, the
picklist default is ``Contacted``).

Passing example: ``Sales`` has ``New`` as its default, whatever the picklist default is; without
record types, ``New`` is the picklist default.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import BusinessProcess, Model, RecordType, StatusValue
from auditor.process import ProcessStatus
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC003",
    name="default-status-mismatch",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="New leads do not start in the process's entry status (business process or picklist default)",
)

_LEAD_PROCESSES = "Setup > Object Manager > Lead > Lead Processes"


def _by_process(model: Model) -> tuple[dict[str, tuple[BusinessProcess, list[RecordType]]], list[RecordType]]:
    """Business processes active record types use (with those record types), and the record
    types whose business process the source does not hold, or holds without a default value."""
    # Salesforce names are unique regardless of case; compare the same way
    known = {bp.name.casefold(): bp for bp in model.business_processes}
    used: dict[str, tuple[BusinessProcess, list[RecordType]]] = {}
    unjudged: list[RecordType] = []
    for rt in model.record_types:
        if not rt.active:
            continue
        bp = known.get((rt.business_process or "").casefold())
        if bp is None or not bp.default_value:
            # a missing process may start leads anywhere; a process file without a default value
            # is not what Salesforce deploys, so neither is a basis for a finding
            unjudged.append(rt)
            continue
        used.setdefault(bp.name.casefold(), (bp, []))[1].append(rt)
    return used, unjudged


def _names(record_types: list[RecordType]) -> str:
    return ", ".join(f"'{rt.name}'" for rt in record_types)


def _unjudged_text(model: Model, unjudged: list[RecordType]) -> str:
    known = {bp.name.casefold() for bp in model.business_processes}
    parts = []
    for rt in unjudged:
        if not rt.business_process:
            parts.append(f"'{rt.name}' (its file names no business process)")
        elif rt.business_process.casefold() in known:
            parts.append(f"'{rt.name}' (business process '{rt.business_process}' marks no default value)")
        else:
            parts.append(f"'{rt.name}' (business process '{rt.business_process}' is not in the source)")
    return (
        f"where leads of record type {', '.join(parts)} start was not judged: retrieve their business "
        "process to judge it"
    )


def _status_text(value: str, statuses: dict[str, StatusValue]) -> str:
    return describe(statuses[value]) if value in statuses else f"'{value}'"


def _business_process_finding(
    ctx: CheckContext, bp: BusinessProcess, record_types: list[RecordType], entry: ProcessStatus,
    statuses: dict[str, StatusValue],
) -> Finding:
    kind = "record type" if len(record_types) == 1 else "record types"
    message = (
        f"new leads of {kind} {_names(record_types)} start in {_status_text(bp.default_value or '', statuses)}, "
        f"the default of their business process '{bp.name}', but the process's entry status is '{entry.api_name}'"
    )
    add = ""
    if entry.api_name not in bp.values:
        message += f"; '{entry.api_name}' is not even offered by '{bp.name}'"
        add = f"add '{entry.api_name}' to it and "
    return ctx.finding(
        f"BusinessProcess:{bp.name}",
        message,
        fix=f"In {_LEAD_PROCESSES}, edit '{bp.name}': {add}make '{entry.api_name}' its default status.",
        location=bp.source,
    )


def _master_findings(ctx: CheckContext, entry: ProcessStatus | None, note: str) -> Iterator[Finding | Checked]:
    """The picklist default, judged when no record type's business process decides instead.

    ``note`` (record types not judged) is set when active record types exist: then the picklist
    default is only where leads of the Master record type start, and the message says so.
    """
    statuses = org_statuses(ctx.model)
    defaults = [s for s in statuses if s.default and s.active]
    who = "new leads of the Master record type" if note else "new leads"
    suffix = f"; {note}" if note else ""
    if not defaults:
        wanted = f"'{entry.api_name}'" if entry else "the first status of your process"
        yield ctx.checked("Status:(default)", ctx.model.status_source)
        yield ctx.finding(
            "Status:(default)",
            f"the Lead Status picklist has no active default value, so {who} get no status or the first value"
            + suffix,
            fix=f"Mark {wanted} as the default value of the Lead Status picklist.",
            location=ctx.model.status_source,
        )
        return
    default = defaults[0]
    if entry is None:
        # without an entry status only the presence of a default is judged
        yield ctx.checked("Status:(default)", ctx.model.status_source)
        return
    yield ctx.checked(f"Status:{default.api_name}", default.source)
    if default.api_name != entry.api_name:
        yield ctx.finding(
            f"Status:{default.api_name}",
            f"{who} start in {describe(default)}, the picklist default, but the process's entry status "
            f"is '{entry.api_name}'" + suffix,
            fix=f"Make '{entry.api_name}' the default Lead Status value and clear the default on '{default.api_name}'.",
            location=default.source,
        )


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    entry = ctx.process.entry_status if ctx.process else None
    used, unjudged = _by_process(model)
    if not used and not unjudged:
        yield from _master_findings(ctx, entry, "")  # no active record types: the picklist default decides
        return
    # held back until the verdict is known: a rule found not applicable yields nothing
    produced: list[Finding | Checked] = []
    if entry is not None:
        statuses = model.status_by_api_name()
        for bp, record_types in sorted(used.values(), key=lambda pair: pair[0].name.casefold()):
            produced.append(ctx.checked(f"BusinessProcess:{bp.name}", bp.source))
            if bp.default_value != entry.api_name:
                produced.append(_business_process_finding(ctx, bp, record_types, entry, statuses))
    note = _unjudged_text(model, unjudged) if unjudged else ""
    if unjudged and model.status_source is not None:
        produced.extend(_master_findings(ctx, entry, note))
    if not any(isinstance(item, Finding) for item in produced):
        if unjudged:
            # the part that was judged is fine, but a silent pass would claim the rest is too
            raise NotApplicable(f"no mismatch among the defaults the source holds, but {note}")
        if entry is None:
            raise NotApplicable(
                "new leads start in the default values of the business processes of the active record types, "
                "and without a process file there is no entry status to compare them to"
            )
    yield from produced
