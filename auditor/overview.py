"""What the report draws of the org for people: the lead lifecycle and the routing table.

Built once per audit from the model, the graph, the process and the findings the rules made, so
the diagram marks exactly what the rules found (a status LC005 calls unreachable is drawn as
unreachable) and never re-judges the org by a second, drifting set of criteria.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditor.model import Model, SourceRef

if TYPE_CHECKING:
    import networkx as nx

    from auditor.findings import Finding
    from auditor.process import Process


@dataclass(frozen=True)
class StatusBox:
    """One Lead Status as drawn: documented in the process, present in the org, or both."""

    name: str  # API name
    label: str  # the picklist label, else the process label, else the name
    documented: bool  # in the process file
    in_org: bool  # an active value of the org's Lead Status picklist
    entry: bool  # the process's entry status
    converted: bool
    terminal: bool  # documented with no next statuses (converted, disqualified)
    sla: str | None  # "1 hour", "2 days": the documented SLA in words
    sla_hours: float | None
    alerts: tuple[str, ...]  # the timed alerts that watch it: "scheduled path X of flow Y"
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
    arrows: tuple[Arrow, ...]


@dataclass(frozen=True)
class RoutingRow:
    """One entry of the active assignment rule, in the order Salesforce evaluates them."""

    order: int
    criteria: str  # plain words: "Country equals Germany,Austria AND Industry equals Mining"
    assignee: str  # "queue DACH_Leads", "user anna@x.com", "nobody (Do Not Reassign Owner)"
    catch_all: bool
    marks: tuple[str, ...]  # "shadowed", "invalid target", "precedence", ...
    notes: tuple[str, ...]  # the messages of the findings on this entry
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


def build_overview(model: "Model", graph: "nx.MultiDiGraph", process: "Process | None",
                   findings: "Sequence[Finding]") -> Overview:
    """The lifecycle and routing table as the report draws them (implemented with the diagram)."""
    return Overview(lifecycle=None, routing=None)
