"""What the lifecycle rules share: which statuses can be used, and which moves are blocked."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.engine import CheckContext
from auditor.graph import Block, Transition, blocks, transitions
from checks._support import org_statuses


@dataclass(frozen=True)
class Lifecycle:
    usable: frozenset[str]  # active picklist values a lead of an active record type can take
    offered: frozenset[str] | None  # values some active business process offers; None: no record types
    moves: tuple[Transition, ...]  # every transition between usable statuses
    blocked: dict[tuple[str | None, str], list[Block]]

    def open_moves(self) -> list[Transition]:
        return [t for t in self.moves if not self.is_blocked(t)]

    def is_blocked(self, move: Transition) -> bool:
        # validation rules do not run again after a workflow field update (order of execution)
        return not move.via.startswith("WorkflowRule:") and (move.source_status, move.target_status) in self.blocked


def offered_statuses(ctx: CheckContext) -> frozenset[str] | None:
    """Values offered by the business processes of active Lead record types (None: no record types)."""
    model = ctx.model
    processes = {bp.name: bp for bp in model.business_processes}
    active_types = [rt for rt in model.record_types if rt.active and rt.business_process]
    if not active_types or any(rt.business_process not in processes for rt in active_types):
        # a record type whose business process is not in the source may offer any value:
        # leadaudit does not restrict what it cannot see
        return None
    return frozenset(v for rt in active_types for v in processes[rt.business_process or ""].values)


def lifecycle(ctx: CheckContext) -> Lifecycle:
    in_org = frozenset(s.api_name for s in org_statuses(ctx.model) if s.active)
    offered = offered_statuses(ctx)
    usable = in_org if offered is None else in_org & offered
    moves = tuple(t for t in transitions(ctx.graph) if t.target_status in usable and t.source_status in usable)
    blocked: dict[tuple[str | None, str], list[Block]] = {}
    for block in blocks(ctx.graph):
        blocked.setdefault((block.source_status, block.target_status), []).append(block)
    return Lifecycle(usable, offered, moves, blocked)


def describe_blocks(found: list[Block]) -> str:
    return ", ".join(f"validation rule {b.rule}" for b in found)
