"""The process graph as GraphML (Gephi, yEd), DOT (Graphviz) or JSON, with flat attributes."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import networkx as nx

FORMATS = ("graphml", "dot", "json")


def _scalar(value: Any) -> str | int | float | bool:
    """GraphML and DOT take scalars: records and collections become readable text."""
    if isinstance(value, (bool, int, float, str)):
        return value
    if value is None:
        return ""
    if isinstance(value, (frozenset, set)):
        return ", ".join(sorted(str(v) for v in value))
    if isinstance(value, (tuple, list)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _flat(data: dict[str, Any]) -> dict[str, str | int | float | bool]:
    flat: dict[str, str | int | float | bool] = {}
    for key, value in sorted(data.items()):
        if key == "record" and dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                flat[field.name] = _scalar(getattr(value, field.name))
        else:
            flat[key] = _scalar(value)
    return flat


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    flat = nx.MultiDiGraph()
    for node, data in sorted(graph.nodes(data=True)):
        flat.add_node(node, **_flat(data))
    edges = sorted(graph.edges(data=True), key=lambda e: (e[0], e[1], str(sorted(_flat(e[2]).items()))))
    for source, target, data in edges:
        flat.add_edge(source, target, **_flat(data))
    return flat


def to_json(graph: nx.MultiDiGraph) -> str:
    data = nx.node_link_data(flat_graph(graph), edges="edges")
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def to_graphml(graph: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(flat_graph(graph))) + "\n"


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: nx.MultiDiGraph) -> str:
    flat = flat_graph(graph)
    lines = ["digraph leadaudit {", "  rankdir=LR;", "  node [shape=box, fontname=Helvetica];"]
    for node, data in flat.nodes(data=True):
        shape = "ellipse" if data.get("type") == "Status" else "box"
        lines.append(f"  {_dot_id(node)} [shape={shape}, label={_dot_id(node)}];")
    for source, target, data in flat.edges(data=True):
        label = str(data.get("kind", ""))
        if data.get("offset_hours") not in (None, ""):
            label += f" {data['offset_hours']}h"
        lines.append(f"  {_dot_id(source)} -> {_dot_id(target)} [label={_dot_id(label)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


RENDERERS = {"graphml": to_graphml, "dot": to_dot, "json": to_json}
