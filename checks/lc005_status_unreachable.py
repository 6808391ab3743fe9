"""LC005 status-unreachable: a documented status no lead can reach from the entry status.

What: starting from the process's entry status, leadaudit follows every allowed transition (the
documented ``next`` statuses, where a status without ``next`` allows any, plus every transition an
active flow or workflow field update makes) that no active validation rule blocks, through statuses
the org offers (active picklist values in a business process of an active record type). A documented
status it never arrives at is unreachable. A validation rule blocks a transition when its formula is
TRUE for that move (Status, PRIORVALUE(Status), ISCHANGED(Status) known) whatever the other fields hold.
Statuses absent from the picklist are LC001's; they are not repeated here.

Why it matters: a stage no lead can enter is a stage the process only has on paper: its SLA, its
reports and its owner never see a lead. Often a validation rule written to stop skipping stages
also stops the legitimate way in.

How to fix: the finding says why: add the status to the business process, document the missing
transition in ``next``, or narrow the validation rule that blocks the way in.

Failing example: SAL is only reachable from MQL, and ``AND(ISPICKVAL(Status,'SAL'),
ISPICKVAL(PRIORVALUE(Status),'MQL'))`` rejects exactly that move.

Passing example: the same rule with a condition on a field a rep fills in, e.g. ``ISBLANK(Meeting_Date__c)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Finding, NotApplicable, Rule, Severity
from auditor.model import SourceRef
from auditor.graph import Transition, transitions
from checks._lifecycle import describe_blocks, lifecycle

RULE = Rule(
    id="LC005",
    name="status-unreachable",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="A documented status no lead can reach from the entry status",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding]:
    process = ctx.require_process()
    life = lifecycle(ctx)
    entry = process.entry_status
    if entry is None or entry.api_name not in life.usable:
        raise NotApplicable("the process's entry status is not a usable Lead Status value (see LC001, LC007)")
    creation = life.blocked.get((None, entry.api_name))
    if creation:
        yield ctx.finding(
            f"Status:{entry.api_name}",
            f"no lead can be created in the entry status '{entry.api_name}': {describe_blocks(creation)} "
            "rejects every new lead in it, so no lead reaches any status",
            fix=f"Exclude new leads (NOT(ISNEW())) or '{entry.api_name}' from {describe_blocks(creation)}.",
            location=creation[0].location,
        )
        return
    reached = {entry.api_name}
    frontier = [entry.api_name]
    open_moves = life.open_moves()
    while frontier:
        current = frontier.pop()
        for move in open_moves:
            if move.source_status == current and move.target_status not in reached:
                reached.add(move.target_status)
                frontier.append(move.target_status)
    in_org = {s.api_name for s in ctx.model.statuses if s.active}
    for documented in process.statuses:
        name = documented.api_name
        if name in reached or name not in in_org:
            continue
        where = SourceRef(process.path, documented.line)
        if life.offered is not None and name not in life.offered:
            yield ctx.finding(
                f"Status:{name}",
                f"documented status '{name}' is in no business process of an active Lead record type, so no "
                "rep can choose it and no lead reaches it",
                fix=f"Add '{name}' to the Lead business process of each active record type that should use it.",
                location=where,
            )
            continue
        incoming = [m for m in life.moves if m.target_status == name and m.source_status in reached]
        if not incoming:
            detail = _why_no_way_in(name, transitions(ctx.graph), life.usable)
            yield ctx.finding(
                f"Status:{name}",
                f"documented status '{name}' cannot be reached from the entry status '{entry.api_name}': {detail}",
                fix=f"List '{name}' under 'next' of the status that precedes it in {process.path}, or build the automation that moves leads there.",
                location=where,
            )
            continue
        found = [b for m in incoming for b in life.blocked.get((m.source_status, m.target_status), [])]
        ways = ", ".join(f"from '{m.source_status}'" for m in incoming)
        yield ctx.finding(
            f"Status:{name}",
            f"documented status '{name}' cannot be reached: every way in ({ways}) is rejected by "
            f"{describe_blocks(list(dict.fromkeys(found)))} whatever the other fields hold",
            fix=f"Narrow {describe_blocks(found[:1])} so that it lets a properly filled lead move into '{name}'.",
            location=found[0].location if found else where,
        )


def _why_no_way_in(name: str, all_moves: list[Transition], usable: frozenset[str]) -> str:
    """Name the predecessors and why none of them leads here: unreachable, or not a usable status."""
    predecessors = sorted({m.source_status for m in all_moves if m.target_status == name})
    if not predecessors:
        return "no documented next status and no automation leads to it"
    reasons = [
        f"'{p}' (no lead reaches it)" if p in usable else f"'{p}' (not a Lead Status value leads can take)"
        for p in predecessors
    ]
    return f"it is only entered from {', '.join(reasons)}"
