"""One graph of the lead process: statuses, rules, flows, queues, and how they connect.

Node ids are ``Type:Name`` (``Status:MQL``, ``AssignmentRule:Standard#3``, ``Queue:DACH``); edges
carry a ``kind``. This first version holds the documented lifecycle and the routing; the
transitions automation makes and the alerts it raises are added as the rules that need them are.
"""

from __future__ import annotations

import networkx as nx

from auditor.model import Model
from auditor.process import Process


def build_graph(model: Model, process: Process | None) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for status in model.statuses:
        graph.add_node(
            f"Status:{status.api_name}",
            type="Status",
            label=status.label,
            in_org=True,
            default=status.default,
            converted=status.converted,
        )
    if process is not None:
        for documented in process.statuses:
            node = f"Status:{documented.api_name}"
            graph.add_node(node, type="Status", documented=True, sla_hours=documented.sla_hours)
            for target in documented.next or ():
                graph.add_edge(node, f"Status:{target}", kind="transition", via="process")
    for queue in model.queues:
        graph.add_node(f"Queue:{queue.name}", type="Queue", label=queue.label)
    for rule in model.assignment_rules:
        rule_node = f"AssignmentRule:{rule.name}"
        graph.add_node(rule_node, type="AssignmentRule", active=rule.active)
        for entry in rule.entries:
            entry_node = f"{rule_node}#{entry.order}"
            graph.add_node(entry_node, type="RuleEntry", order=entry.order)
            graph.add_edge(rule_node, entry_node, kind="contains")
            if entry.assigned_to:
                target_type = "Queue" if entry.assigned_to_type == "Queue" else "User"
                graph.add_edge(entry_node, f"{target_type}:{entry.assigned_to}", kind="assigns_to")
    for flow in model.lead_flows:
        graph.add_node(f"Flow:{flow.name}", type="Flow", active=flow.is_active, trigger=flow.trigger_type)
    nx.freeze(graph)
    return graph
