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
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import SourceRef
from auditor.graph import Transition, transitions
from auditor.process import ProcessStatus
from checks._lifecycle import Lifecycle, describe_blocks, lifecycle

RULE = Rule(
    id="LC005",
    name="status-unreachable",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="A documented status no lead can reach from the entry status",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    life = lifecycle(ctx)
    entry = process.entry_status
    if entry is None or entry.api_name not in life.usable:
        raise NotApplicable("the process's entry status is not a usable Lead Status value (see LC001, LC007)")
    creation = life.blocked.get((None, entry.api_name))
    if creation:
        # only the entry status is judged: every other status fails with it, in this one finding
        yield ctx.checked(f"Status:{entry.api_name}", SourceRef(process.path, entry.line))
        yield ctx.finding(
            f"Status:{entry.api_name}",
            f"no lead can be created in the entry status '{entry.api_name}': {describe_blocks(creation)} "
            "rejects every new lead in it, so no lead reaches any status",
            fix=f"Exclude new leads (NOT(ISNEW())) or '{entry.api_name}' from {describe_blocks(creation)}.",
            location=creation[0].location,
        )
        return
    reached = _reachable(entry.api_name, life.open_moves())
    in_org = {s.api_name for s in ctx.model.statuses if s.active}
    unreachable = [d for d in process.statuses if d.api_name not in reached and d.api_name in in_org]
    names = {d.api_name for d in unreachable}
    all_moves = transitions(ctx.graph)
    roots: list[tuple[ProcessStatus, str, str, SourceRef]] = []
    followers: set[str] = set()
    for documented in unreachable:
        cause = _cause(documented, entry.api_name, life, reached, names, all_moves, process.path)
        if cause is None:
            followers.add(documented.api_name)  # only entered from other unreachable statuses
        else:
            roots.append((documented, *cause))
    downstream_of = {
        documented.api_name: sorted(_reachable(documented.api_name, all_moves) & followers - {documented.api_name})
        for documented, *_ in roots
    }
    explained = {name for downstream in downstream_of.values() for name in downstream}
    for documented in process.statuses:
        # a status named only in its root's finding is neither passed nor failed on its own
        if documented.api_name in in_org and documented.api_name not in explained:
            yield ctx.checked(f"Status:{documented.api_name}", SourceRef(process.path, documented.line))
    for documented, message, fix, location in roots:
        downstream = downstream_of[documented.api_name]
        if downstream:
            message += f"; so {', '.join(repr(d) for d in downstream)}, entered only after it, cannot be reached either"
        yield ctx.finding(f"Status:{documented.api_name}", message, fix=fix, location=location,
                          related=tuple(f"Status:{d}" for d in downstream))
    for documented in unreachable:  # a closed loop of statuses with no root: report each
        if documented.api_name in followers - explained:
            yield ctx.finding(
                f"Status:{documented.api_name}",
                f"documented status '{documented.api_name}' cannot be reached from the entry status "
                f"'{entry.api_name}': it is only entered from statuses that no lead reaches",
                fix=f"Document a way into '{documented.api_name}' from a status leads reach, under 'next' in {process.path}.",
                location=SourceRef(process.path, documented.line),
            )


def _reachable(start: str, moves: list[Transition]) -> set[str]:
    reached = {start}
    frontier = [start]
    while frontier:
        current = frontier.pop()
        for move in moves:
            if move.source_status == current and move.target_status not in reached:
                reached.add(move.target_status)
                frontier.append(move.target_status)
    return reached


def _cause(
    documented: ProcessStatus,
    entry: str,
    life: Lifecycle,
    reached: set[str],
    unreachable: set[str],
    all_moves: list[Transition],
    process_path: str,
) -> tuple[str, str, SourceRef] | None:
    """Why a status cannot be reached (message, fix, location), or None when it only follows
    another unreachable status, whose finding names it."""
    name = documented.api_name
    where = SourceRef(process_path, documented.line)
    if life.offered is not None and name not in life.offered:
        return (
            f"documented status '{name}' is in no business process of an active Lead record type, so no rep "
            "can choose it and no lead reaches it",
            f"Add '{name}' to the Lead business process of each active record type that should use it.",
            where,
        )
    blocked = [m for m in life.moves if m.target_status == name and m.source_status in reached]
    if blocked:
        found = [b for m in blocked for b in life.blocked.get((m.source_status, m.target_status), [])]
        ways = ", ".join(dict.fromkeys(f"from '{m.source_status}'" for m in blocked))
        return (
            f"documented status '{name}' cannot be reached: every way in ({ways}) is rejected by "
            f"{describe_blocks(list(dict.fromkeys(found)))} whatever the other fields hold",
            f"Narrow {describe_blocks(found[:1])} so that it lets a properly filled lead move into '{name}'.",
            found[0].location if found else where,
        )
    predecessors = sorted({m.source_status for m in all_moves if m.target_status == name})
    if not predecessors:
        return (
            f"documented status '{name}' cannot be reached from the entry status '{entry}': no documented next status "
            "and no automation leads to it",
            f"List '{name}' under 'next' of the status that precedes it in {process_path}, or build the "
            "automation that moves leads there.",
            where,
        )
    unusable = [p for p in predecessors if p not in life.usable]
    if not unusable and all(p in unreachable for p in predecessors):
        return None
    why = ", ".join(
        f"'{p}', which is not a Lead Status value leads can take (see LC001, LC007)" if p in unusable
        else f"'{p}', which no lead reaches"
        for p in predecessors
    )
    return (
        f"documented status '{name}' cannot be reached from the entry status '{entry}': it is only entered from {why}",
        f"Make {', '.join(repr(p) for p in unusable) or 'its predecessor'} a Lead Status value leads can take, "
        f"or document another way into '{name}' under 'next' in {process_path}.",
        where,
    )
