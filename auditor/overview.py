"""What the report draws of the org for people: the lead lifecycle, the routing table and the
scoring model (auditor.overview_scoring).

Built once per audit from the model, the graph, the process and the findings the rules made, so
the diagram marks exactly what the rules found (a status LC005 calls unreachable is drawn as
unreachable) and never re-judges the org by a second, drifting set of criteria.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.graph import Transition, blocks, timed_alerts, transitions
from auditor.model import LeadRule, Model, SourceRef, StatusValue
from auditor.overview_scoring import ScoringOverview, build_scoring_overview
from auditor.routing import assignee, describe_criteria, entry_subject, is_catch_all

if TYPE_CHECKING:
    import networkx as nx

    from auditor.findings import Finding
    from auditor.process import Process, ProcessStatus
    from auditor.scoring.model import ScoringModel

#: The word each rule's finding puts on the box or row it names, in the order the words are
#: shown. One table for both drawings: a status finding's subject is ``Status:<api name>``, an
#: entry finding's is ``AssignmentRule:<rule name>#<order>``, so the subjects never collide.
#: A rule missing here still reaches the routing row's notes; it just adds no mark.
MARKS: dict[str, str] = {
    "LC001": "missing from org",
    "LC002": "undocumented",
    "LC005": "unreachable",
    "LC006": "dead end",
    "LC007": "not in a business process",
    "SL001": "no SLA alert",
    "SL002": "alert too late",
    "SL003": "alert counts from the wrong moment",
    "RT003": "shadowed",
    "RT004": "invalid target",
    "RT009": "precedence violated",
    "RT008": "hard-coded id",
}
_MARK_RANK = {rule_id: rank for rank, rule_id in enumerate(MARKS)}


@dataclass(frozen=True)
class StatusBox:
    """One Lead Status as drawn: documented in the process, present in the org, or both."""

    name: str  # API name
    label: str  # the picklist label (when it is not just the name), else the process label, else the name
    documented: bool  # in the process file
    in_org: bool  # an active value of the org's Lead Status picklist
    entry: bool  # where new leads start: the process's entry status; with no process, the picklist default
    converted: bool
    terminal: bool  # documented as terminal; with no process, a converted or closed picklist value
    sla: str | None  # "1 hour", "2 days": the documented SLA in words
    sla_hours: float | None
    alerts: tuple[str, ...]  # the timed alerts that watch it, earliest first: "scheduled path X of flow Y"
    marks: tuple[str, ...]  # "unreachable", "dead end", "no SLA alert", "missing from org", ...
    location: SourceRef | None


@dataclass(frozen=True)
class Arrow:
    """A move between two statuses: documented, automated, or both."""

    source: str
    target: str
    documented: bool  # listed under 'next' in the process file
    automations: tuple[str, ...]  # words: "flow Lead_Set_MQL"; empty when only people make it
    blocked_by: tuple[str, ...]  # validation rules that block it


@dataclass(frozen=True)
class Lifecycle:
    statuses: tuple[StatusBox, ...]  # in process order, then undocumented org values
    arrows: tuple[Arrow, ...]  # between drawn statuses, in the order of their source, then target


@dataclass(frozen=True)
class RoutingRow:
    """One entry of the active assignment rule, in the order Salesforce evaluates them."""

    order: int
    criteria: str  # plain words: "Country equals Germany,Austria AND Industry equals Mining"
    assignee: str  # "queue DACH_Leads", "user anna@x.com", "nobody (Do Not Reassign Owner)"
    catch_all: bool  # matches every lead (False when its formula cannot be read)
    marks: tuple[str, ...]  # "shadowed", "invalid target", "precedence violated", ...
    notes: tuple[str, ...]  # the messages of every finding on this entry
    location: SourceRef


@dataclass(frozen=True)
class RoutingTable:
    rule_name: str
    rows: tuple[RoutingRow, ...]
    has_fallback: bool
    location: SourceRef | None


@dataclass(frozen=True)
class Overview:
    lifecycle: Lifecycle | None  # None when there are neither documented nor org statuses
    routing: RoutingTable | None  # None when the source has no active Lead assignment rule
    scoring: ScoringOverview | None = None  # None when no source says anything about scoring


def build_overview(model: "Model", graph: "nx.MultiDiGraph", process: "Process | None",
                   findings: "Sequence[Finding]", *, scoring: "ScoringModel | None" = None) -> Overview:
    """The lifecycle and routing table as the report draws them, marked by the rules' findings."""
    by_subject: dict[str, list[Finding]] = {}
    for finding in findings:
        # a finding marks its subject and the subjects it says follow from it (LC005 names the
        # statuses entered only after an unreachable one)
        for subject in dict.fromkeys((finding.subject, *finding.related)):
            by_subject.setdefault(subject, []).append(finding)
    return Overview(
        lifecycle=_lifecycle(model, graph, process, by_subject),
        routing=_routing(model.active_assignment_rule, by_subject),
        scoring=build_scoring_overview(scoring, process, findings),
    )


def sla_words(hours: float) -> str:
    """``30 minutes``, ``1 hour``, ``36 hours``, ``2 days``: how a person states an SLA."""
    if hours < 1:
        return f"{hours * 60:g} minute{'s' if hours * 60 != 1 else ''}"
    if hours >= 24 and hours % 24 == 0:
        days = hours / 24
        return f"{days:g} day{'s' if days != 1 else ''}"
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _marks(findings: Sequence["Finding"]) -> tuple[str, ...]:
    rule_ids = sorted({f.rule_id for f in findings if f.rule_id in MARKS}, key=_MARK_RANK.__getitem__)
    return tuple(MARKS[rule_id] for rule_id in rule_ids)


def _notes(findings: Sequence["Finding"]) -> tuple[str, ...]:
    """The findings' messages in mark order, then by rule: the engine's run order must not leak."""
    ordered = sorted(findings, key=lambda f: (_MARK_RANK.get(f.rule_id, len(MARKS)), f.rule_id, f.message))
    return tuple(dict.fromkeys(f.message for f in ordered))


# --- the lifecycle ----------------------------------------------------------------------------


def _lifecycle(model: Model, graph: "nx.MultiDiGraph", process: "Process | None",
               by_subject: dict[str, list["Finding"]]) -> Lifecycle | None:
    org = {s.api_name: s for s in model.statuses}
    documented = process.statuses if process else ()
    known = {s.api_name for s in documented}
    undocumented = [s for s in model.statuses if s.active and s.api_name not in known]
    default = next((s.api_name for s in model.statuses if s.active and s.default), None)
    alerts = _alerts_by_status(graph)
    boxes = [
        _documented_box(ps, org.get(ps.api_name), process.path if process else "", alerts, by_subject)
        for ps in documented
    ]
    boxes += [
        _org_box(status, entry=process is None and status.api_name == default, alerts=alerts, by_subject=by_subject)
        for status in undocumented
    ]
    if not boxes:
        return None
    return Lifecycle(statuses=tuple(boxes), arrows=_arrows(graph, [b.name for b in boxes]))


def _alerts_by_status(graph: "nx.MultiDiGraph") -> dict[str, list[str]]:
    """Alerts that notify someone while a lead is in the status, earliest first.

    An alert with no status guard fires whatever the status, so it watches no status in
    particular (SL001 says the same); one that notifies nobody alerts nobody.
    """
    ordered = sorted(
        (a for a in timed_alerts(graph) if a.statuses is not None and a.notifies),
        key=lambda a: (a.offset_hours if a.offset_hours is not None else float("inf"), a.what),
    )
    found: dict[str, list[str]] = {}
    for alert in ordered:
        for status in sorted(alert.statuses or ()):
            found.setdefault(status, []).append(alert.what)
    return found


def _documented_box(ps: "ProcessStatus", org: StatusValue | None, process_path: str,
                    alerts: dict[str, list[str]], by_subject: dict[str, list["Finding"]]) -> StatusBox:
    hours = ps.sla_hours or None  # 0 is "no SLA", as the SLA rules read it
    return StatusBox(
        name=ps.api_name,
        # a picklist value without its own label shows its API name: the process's label says more
        label=(org.label if org and org.label != org.api_name else "") or ps.label or ps.api_name,
        documented=True,
        in_org=org is not None and org.active,
        entry=ps.entry,
        converted=ps.converted or (org is not None and org.converted),
        terminal=ps.terminal,
        sla=sla_words(hours) if hours else None,
        sla_hours=hours,
        alerts=tuple(dict.fromkeys(alerts.get(ps.api_name, ()))),
        marks=_marks(by_subject.get(f"Status:{ps.api_name}", [])),
        location=SourceRef(process_path, ps.line),
    )


def _org_box(status: StatusValue, *, entry: bool, alerts: dict[str, list[str]],
             by_subject: dict[str, list["Finding"]]) -> StatusBox:
    return StatusBox(
        name=status.api_name,
        label=status.label or status.api_name,
        documented=False,
        in_org=True,
        entry=entry,
        converted=status.converted,
        # with no documented process, the picklist's own flags are the only word on where leads end
        terminal=status.converted or status.closed,
        sla=None,
        sla_hours=None,
        alerts=tuple(dict.fromkeys(alerts.get(status.api_name, ()))),
        marks=_marks(by_subject.get(f"Status:{status.api_name}", [])),
        location=status.source,
    )


def _arrows(graph: "nx.MultiDiGraph", drawn: list[str]) -> tuple[Arrow, ...]:
    """Transitions merged per (source, target) between drawn statuses.

    A move to a value that is neither documented nor an active picklist value has no box to point
    to; LC008 reports such values. A status that "moves" to itself is not a move.
    """
    rank = {name: i for i, name in enumerate(drawn)}
    moves: dict[tuple[str, str], list[Transition]] = {}
    for move in transitions(graph):
        pair = (move.source_status, move.target_status)
        if pair[0] != pair[1] and pair[0] in rank and pair[1] in rank:
            moves.setdefault(pair, []).append(move)
    blocked: dict[tuple[str | None, str], set[str]] = {}
    for block in blocks(graph):
        blocked.setdefault((block.source_status, block.target_status), set()).add(block.rule)
    return tuple(
        Arrow(
            source=source,
            target=target,
            documented=any(m.via == "process" for m in group),
            automations=tuple(sorted({m.what for m in group if m.via != "process"})),
            blocked_by=tuple(sorted(blocked.get((source, target), ()))),
        )
        for (source, target), group in sorted(moves.items(), key=lambda item: (rank[item[0][0]], rank[item[0][1]]))
    )


# --- the routing table ------------------------------------------------------------------------


def _routing(rule: LeadRule | None, by_subject: dict[str, list["Finding"]]) -> RoutingTable | None:
    if rule is None:
        return None
    rows = []
    for entry in sorted(rule.entries, key=lambda e: e.order):
        on_entry = by_subject.get(entry_subject(rule, entry), [])
        rows.append(RoutingRow(
            order=entry.order,
            criteria=describe_criteria(entry),
            assignee=assignee(entry),
            catch_all=is_catch_all(entry) is True,
            marks=_marks(on_entry),
            notes=_notes(on_entry),
            location=entry.source,
        ))
    return RoutingTable(
        rule_name=rule.name,
        rows=tuple(rows),
        has_fallback=any(row.catch_all for row in rows),
        location=rule.source,
    )
