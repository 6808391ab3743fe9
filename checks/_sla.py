"""What the SLA rules share: the statuses with an SLA and the timed alerts that watch each."""

from __future__ import annotations

from auditor.engine import CheckContext
from auditor.findings import NotApplicable
from auditor.graph import TimedAlert, timed_alerts
from auditor.model import SourceRef
from auditor.process import ProcessStatus
from checks._automation import has_kind

AUTOMATION_KINDS = {"flow", "workflow"}


def sla_statuses(ctx: CheckContext) -> list[ProcessStatus]:
    """Documented statuses with an SLA that exist in the org (LC001 reports the others)."""
    process = ctx.require_process()
    with_sla = [s for s in process.statuses if s.sla_hours]
    if not with_sla:
        raise NotApplicable(f"no status in {process.path} has sla_hours")
    require_automation_in_source(ctx)
    in_org = {s.api_name for s in ctx.model.statuses}
    return [s for s in with_sla if s.api_name in in_org or not ctx.model.statuses]


def require_automation_in_source(ctx: CheckContext) -> None:
    """A source without flow or workflow files cannot show whether timed alerts exist."""
    if not any(has_kind(ctx.model, kind) for kind in AUTOMATION_KINDS):
        raise NotApplicable(
            "the source holds no flows and no workflow rules, so it cannot show whether alerts exist; "
            "retrieve Flow:* and Workflow:Lead"
        )


def covering(ctx: CheckContext, status: str) -> list[TimedAlert]:
    """Timed alerts that can fire only while a lead is in ``status`` and notify someone."""
    return [a for a in timed_alerts(ctx.graph) if a.statuses is not None and status in a.statuses and a.notifies]


def watching(ctx: CheckContext, status: str) -> list[TimedAlert]:
    """The alerts that watch every lead in ``status``: one scheduled only when a lead is created
    watches only leads created in it, which for any status but the entry status misses the
    leads that move into it (SL003 names those)."""
    process = ctx.require_process()
    entry = process.entry_status.api_name if process.entry_status else None
    return [a for a in covering(ctx, status) if a.clock != "created only" or status == entry]


def first_alert_location(alerts: list[TimedAlert]) -> SourceRef | None:
    """Where the first of ``alerts`` is defined (by file and line, so the choice is stable), or None."""
    if not alerts:
        return None
    return min((a.location for a in alerts), key=lambda loc: (loc.path, loc.line or 0))


def hours(value: float) -> str:
    if value < 1:
        return f"{value * 60:g} minutes"
    return f"{value:g} hour{'s' if value != 1 else ''}"
