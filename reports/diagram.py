"""The lead lifecycle as an inline SVG: one box per status in a column, the moves between them.

The drawing must be read without the page's stylesheet (a report is mailed, attached to tickets,
opened offline), by people who do not tell red from green, and by screen readers. So every
style is a presentation attribute, every mark is also a word, and the ``<desc>`` says in a
sentence what the picture shows. Metadata names are user input: the tree is built with lxml,
whose serializer escapes every name, and characters XML cannot carry are dropped first.

Layout: boxes stand in lifecycle order in one column. A move to the next box is a straight arrow
down; a move that skips boxes is an arc on the right, a move back up an arc on the left. Each arc
gets its own lane (nested spans never share one) and its own port on the box edge, ordered so
that arcs into a box do not cross arcs out of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from auditor.overview import Arrow, Lifecycle, StatusBox
from reports.common import xml_safe

SVG_NS = "http://www.w3.org/2000/svg"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

MARGIN = 16
BOX_WIDTH = 360
PADDING = 10
NAME_SIZE, TEXT_SIZE, LINE_HEIGHT = 14, 12, 17
NAME_CHARS, LINE_CHARS = 38, 50  # what fits in the box at those sizes; longer text is cut visibly
GAP = 36  # between boxes: room for a straight arrow
PORT_GAP = 8  # least distance between two arcs meeting one box edge
LANE_START, LANE_STEP = 18, 12
LEFT_LANES_WIDTH, RIGHT_LANES_WIDTH = 150, 330  # at most; the whole stays within 960 px
LEGEND_ROW = 18
LEGEND_HEIGHT = 6 * LEGEND_ROW

INK, MUTED, ALARM, BLOCKED = "#1d2939", "#475467", "#b42318", "#b42318"
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class _Line:
    shown: str
    kind: str  # "name", "detail", "mark": sets size, weight and colour


@dataclass(frozen=True)
class _Arc:
    arrow: Arrow
    source: int
    target: int
    side: str  # "left" (moves back up) or "right" (skips forward)
    lane: int


def lifecycle_svg(lifecycle: Lifecycle, *, id_prefix: str = "lifecycle") -> str:
    """An ``<svg>`` element (no XML declaration) drawing ``lifecycle``; ``id_prefix`` keeps the ids
    of its title, description and markers unique when a page holds more than one drawing."""
    if not _ID.fullmatch(id_prefix):
        raise ValueError(f"id_prefix must be a plain identifier, not {id_prefix!r}")
    boxes = lifecycle.statuses
    if not boxes:
        root = _root(id_prefix, 480, 60, "Lead lifecycle", "No lead statuses to draw: the source has no Lead "
                     "Status values and there is no process file.")
        _text(root, MARGIN, 34, "No lead statuses to draw.", size=TEXT_SIZE, fill=MUTED, cls="empty")
        return etree.tostring(root, encoding="unicode")
    return _Drawing(lifecycle, id_prefix).render()


class _Drawing:
    def __init__(self, lifecycle: Lifecycle, prefix: str) -> None:
        self.boxes = lifecycle.statuses
        self.prefix = prefix
        rank = {box.name: i for i, box in enumerate(self.boxes)}
        moves = [(a, rank[a.source], rank[a.target]) for a in lifecycle.arrows
                 if a.source in rank and a.target in rank and a.source != a.target]
        self.straight = [(a, s, t) for a, s, t in moves if t == s + 1]
        self.arcs = _lanes([(a, s, t) for a, s, t in moves if t != s + 1])
        self.lines = [_box_lines(box) for box in self.boxes]
        self.ports = _ports(self.arcs, len(self.boxes))
        self.heights = [
            max(PADDING * 2 + len(lines) * LINE_HEIGHT, (max(self._port_count(i), 1) + 1) * PORT_GAP)
            for i, lines in enumerate(self.lines)
        ]
        left_lanes = 1 + max((arc.lane for arc in self.arcs if arc.side == "left"), default=-1)
        right_lanes = 1 + max((arc.lane for arc in self.arcs if arc.side == "right"), default=-1)
        self.step = {"left": _step(left_lanes, LEFT_LANES_WIDTH), "right": _step(right_lanes, RIGHT_LANES_WIDTH)}
        left_width = LANE_START + left_lanes * self.step["left"] if left_lanes else 0
        right_width = LANE_START + right_lanes * self.step["right"] if right_lanes else 0
        self.x = MARGIN + left_width
        self.width = self.x + BOX_WIDTH + right_width + MARGIN
        self.tops: list[float] = []
        y: float = MARGIN
        for height in self.heights:
            self.tops.append(y)
            y += height + GAP
        self.legend_top = y - GAP + 24
        self.height = self.legend_top + LEGEND_HEIGHT

    def _port_count(self, index: int) -> int:
        return max(len(self.ports.get((index, "left"), [])), len(self.ports.get((index, "right"), [])))

    def render(self) -> str:
        root = _root(self.prefix, self.width, self.height, "Lead lifecycle", _summary(self.boxes, self.arcs,
                                                                                   self.straight))
        self._markers(root)
        boxes = _element(root, "g", {"class": "statuses"})
        for index, box in enumerate(self.boxes):
            self._box(boxes, index, box)
        arrows = _element(root, "g", {"class": "transitions", "fill": "none"})
        for arrow, source, target in self.straight:
            centre, bottom = self.x + BOX_WIDTH / 2, self.tops[source] + self.heights[source]
            self._arrow(arrows, arrow, f"M{_n(centre)},{_n(bottom)} V{_n(self.tops[target])}")
            if arrow.blocked_by:  # there is room beside a short arrow to say it in words
                _text(arrows, centre + 10, bottom + GAP / 2 + 4, _cut("blocked by " + ", ".join(arrow.blocked_by),
                      LINE_CHARS), size=11, fill=BLOCKED, cls="blocked-label")
        for arc in self.arcs:
            self._arrow(arrows, arc.arrow, self._arc_path(arc))
        self._legend(root)
        return etree.tostring(root, encoding="unicode")

    # --- pieces --------------------------------------------------------------------------

    def _markers(self, root: etree._Element) -> None:
        defs = _element(root, "defs")
        for name, colour in (("arrow", INK), ("automated", MUTED)):
            marker = _marker(defs, f"{self.prefix}-{name}")
            _element(marker, "path", {"d": "M0,0 L10,5 L0,10 z", "fill": colour})
        stop = _marker(defs, f"{self.prefix}-blocked")  # a bar: the move stops at the box
        _element(stop, "rect", {"x": "6", "y": "0", "width": "4", "height": "10", "fill": BLOCKED})

    def _box(self, parent: etree._Element, index: int, box: StatusBox) -> None:
        marks = set(box.marks)
        classes = ["status", *(f"mark-{_slug(m)}" for m in box.marks)]
        classes += [flag for flag, on in (("entry", box.entry), ("terminal", box.terminal)) if on]
        group = _element(parent, "g", {"class": " ".join(classes), "data-status": xml_safe(box.name)})
        _element(group, "title").text = xml_safe(_box_title(box))
        top, height = self.tops[index], self.heights[index]
        rect = {
            "class": "status-box", "x": _n(self.x), "y": _n(top), "width": _n(BOX_WIDTH), "height": _n(height),
            "rx": "6", "fill": "#f2f4f7" if box.terminal else "#ffffff",
            "stroke": ALARM if marks else INK, "stroke-width": "3" if box.entry else "1.5",
        }
        if "unreachable" in marks:
            rect["stroke-dasharray"] = "7 4"
        elif not box.in_org:
            rect["stroke-dasharray"] = "2 3"
        _element(group, "rect", rect)
        if "dead end" in marks:  # a heavy bar under the box: nothing leaves it
            _element(group, "rect", {"class": "dead-end-marker", "x": _n(self.x + 12), "y": _n(top + height - 3),
                                     "width": _n(BOX_WIDTH - 24), "height": "6", "fill": ALARM})
        y = top + PADDING + 13
        for line in self.lines[index]:
            size = NAME_SIZE if line.kind == "name" else TEXT_SIZE
            _text(group, self.x + PADDING, y, line.shown, size=size, cls=f"status-{line.kind}",
                  fill=ALARM if line.kind == "mark" else (INK if line.kind == "name" else MUTED),
                  bold=line.kind != "detail")
            y += LINE_HEIGHT

    def _arrow(self, parent: etree._Element, arrow: Arrow, path: str) -> None:
        if arrow.blocked_by:
            kind, stroke, marker, dash = "blocked", BLOCKED, "blocked", "1 3"
        elif arrow.documented:
            kind, stroke, marker, dash = "documented", INK, "arrow", ""
        else:
            kind, stroke, marker, dash = "automated", MUTED, "automated", "6 4"
        attributes = {
            "class": f"arrow {kind}", "d": path, "fill": "none", "stroke": stroke,
            "stroke-width": "2" if arrow.blocked_by else "1.4",
            "marker-end": f"url(#{self.prefix}-{marker})",
            "data-source": xml_safe(arrow.source), "data-target": xml_safe(arrow.target),
        }
        if dash:
            attributes["stroke-dasharray"] = dash
        element = _element(parent, "path", attributes)
        _element(element, "title").text = xml_safe(_arrow_title(arrow))

    def _arc_path(self, arc: _Arc) -> str:
        edge = self.x if arc.side == "left" else self.x + BOX_WIDTH
        outward = -1 if arc.side == "left" else 1
        lane_x = edge + outward * (LANE_START + arc.lane * self.step[arc.side])
        start = self._port_y(arc, arc.source)
        end = self._port_y(arc, arc.target)
        return f"M{_n(edge)},{_n(start)} H{_n(lane_x)} V{_n(end)} H{_n(edge)}"

    def _port_y(self, arc: _Arc, index: int) -> float:
        ports = self.ports[(index, arc.side)]
        slot = ports.index((arc.source, arc.target))
        return self.tops[index] + (slot + 1) * self.heights[index] / (len(ports) + 1)

    def _legend(self, root: etree._Element) -> None:
        """One row per drawing convention, stacked so that it fits under the narrowest drawing."""
        legend = _element(root, "g", {"class": "legend"})
        x, y = float(MARGIN), self.legend_top
        for words, stroke, dash, marker in (("documented move", INK, "", "arrow"),
                                            ("move made only by automation", MUTED, "6 4", "automated"),
                                            ("move blocked by a validation rule", BLOCKED, "1 3", "blocked")):
            line = {"class": "legend-line", "d": f"M{_n(x)},{_n(y)} H{_n(x + 34)}", "stroke": stroke,
                    "stroke-width": "1.6", "fill": "none", "marker-end": f"url(#{self.prefix}-{marker})"}
            if dash:
                line["stroke-dasharray"] = dash
            _element(legend, "path", line)
            _text(legend, x + 44, y + 4, words, size=11, fill=MUTED, cls="legend-text")
            y += LEGEND_ROW
        for words, dash in (("unreachable (dashed red border)", "7 4"), ("not an active value in the org", "2 3"),
                            ("dead end (bar under the box)", "")):
            box = {"x": _n(x), "y": _n(y - 7), "width": "34", "height": "12", "rx": "3", "fill": "#ffffff",
                   "stroke": ALARM if dash != "2 3" else INK}
            if dash:
                box["stroke-dasharray"] = dash
            _element(legend, "rect", box)
            if not dash:
                _element(legend, "rect", {"x": _n(x + 4), "y": _n(y + 3), "width": "26", "height": "4", "fill": ALARM})
            _text(legend, x + 44, y + 4, words, size=11, fill=MUTED, cls="legend-text")
            y += LEGEND_ROW


# --- what each box says -------------------------------------------------------------------------


def _box_lines(box: StatusBox) -> list[_Line]:
    name = box.name if box.label in ("", box.name) else f"{box.name} · {box.label}"
    lines = [_Line(_cut(name, NAME_CHARS), "name")]
    flags = [word for word, on in (("entry", box.entry), ("converted", box.converted),
                                   ("terminal", box.terminal and not box.converted)) if on]
    if box.sla:
        flags.append(f"SLA {box.sla}")
    if flags:
        lines.append(_Line(_cut(" · ".join(flags), LINE_CHARS), "detail"))
    if box.alerts:
        # two lines: "scheduled path X of flow Y" names the flow last, and the flow is what to open
        shown = _wrap_words(f"alert: {box.alerts[0]}", LINE_CHARS, 2)
        if len(box.alerts) > 1:  # the count of the others must survive any cut
            more = f" (+{len(box.alerts) - 1} more)"
            last = shown[-1] if len(shown[-1]) + len(more) <= LINE_CHARS else _cut(shown[-1], LINE_CHARS - len(more))
            shown[-1] = last + more
        lines += [_Line(text, "detail") for text in shown]
    elif box.sla:
        lines.append(_Line("no alert", "detail"))
    lines += [_Line(text, "mark") for text in _wrap(list(box.marks), LINE_CHARS)]
    return lines


def _box_title(box: StatusBox) -> str:
    parts = [box.name if box.label in ("", box.name) else f"{box.name} ({box.label})"]
    parts += [word for word, on in (("entry status", box.entry), ("converted", box.converted),
                                    ("terminal", box.terminal), ("not documented", not box.documented),
                                    ("not an active picklist value", not box.in_org)) if on]
    if box.sla:
        parts.append(f"SLA {box.sla}")
    if box.alerts:
        parts.append("alerts: " + ", ".join(box.alerts))
    elif box.sla:
        parts.append("no alert")
    if box.marks:
        parts.append("findings: " + ", ".join(box.marks))
    return "; ".join(parts)


def _arrow_title(arrow: Arrow) -> str:
    how = ["documented"] if arrow.documented else []
    if arrow.automations:
        how.append("made by " + ", ".join(arrow.automations))
    if not how:
        how.append("allowed")
    if arrow.blocked_by:
        how.append("blocked by validation rule " + ", ".join(arrow.blocked_by))
    return f"{arrow.source} → {arrow.target}: " + "; ".join(how)


def _summary(boxes: Sequence[StatusBox], arcs: Sequence[_Arc], straight: Sequence[object]) -> str:
    def names(wanted: list[str]) -> str:
        return ", ".join(wanted) if wanted else "none"

    unreachable = [b.name for b in boxes if "unreachable" in b.marks]
    dead_ends = [b.name for b in boxes if "dead end" in b.marks]
    unwatched = [b.name for b in boxes if b.sla and (not b.alerts or "no SLA alert" in b.marks)]
    missing = [b.name for b in boxes if not b.in_org]
    count = len(arcs) + len(straight)
    text = (f"{len(boxes)} lead statuses in lifecycle order, {count} transition{'s' if count != 1 else ''}. "
            f"Unreachable: {names(unreachable)}. Dead end: {names(dead_ends)}. "
            f"SLA with no alert: {names(unwatched)}.")
    if missing:
        text += f" Not in the org: {names(missing)}."
    return xml_safe(text)


def _cut(text: str, limit: int) -> str:
    text = xml_safe(text)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _wrap_words(text: str, limit: int, most: int) -> list[str]:
    """``text`` on at most ``most`` lines, broken at spaces; what does not fit is cut visibly."""
    lines: list[str] = []
    for word in xml_safe(text).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        elif len(lines) < most:
            lines.append(word)
        else:
            lines[-1] += " " + word  # over the limit: the cut below shows that text is missing
            break
    return [_cut(line, limit) for line in lines]


def _wrap(words: list[str], limit: int) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 3 + len(word) <= limit:
            lines[-1] += " · " + word
        else:
            lines.append(word)
    return [_cut(line, limit) for line in lines]


# --- geometry -------------------------------------------------------------------------------------


def _lanes(moves: list[tuple[Arrow, int, int]]) -> list[_Arc]:
    """Shortest spans nearest the boxes; two arcs share a lane only when their spans do not meet."""
    arcs: list[_Arc] = []
    for side in ("left", "right"):
        mine = [(a, s, t) for a, s, t in moves if (t < s) == (side == "left")]
        mine.sort(key=lambda m: (abs(m[2] - m[1]), min(m[1], m[2]), m[1], m[2]))
        used: list[list[tuple[int, int]]] = []
        for arrow, source, target in mine:
            low, high = min(source, target), max(source, target)
            lane = next((i for i, spans in enumerate(used) if all(high < a or low > b for a, b in spans)), len(used))
            if lane == len(used):
                used.append([])
            used[lane].append((low, high))
            arcs.append(_Arc(arrow, source, target, side, lane))
    return sorted(arcs, key=lambda arc: (arc.source, arc.target))


def _ports(arcs: Sequence[_Arc], count: int) -> dict[tuple[int, str], list[tuple[int, int]]]:
    """Per box edge, the arcs meeting it from top to bottom.

    Arcs whose other end lies above come first, inner lanes highest; arcs whose other end lies
    below come after, outer lanes highest: so no arc's horizontal run crosses another's vertical.
    """
    ends: dict[tuple[int, str], list[tuple[tuple[int, int, int, int], tuple[int, int]]]] = {}
    for arc in arcs:
        for here, there in ((arc.source, arc.target), (arc.target, arc.source)):
            above = there < here
            key = (0 if above else 1, arc.lane if above else -arc.lane, arc.source, arc.target)
            ends.setdefault((here, arc.side), []).append((key, (arc.source, arc.target)))
    return {place: [pair for _, pair in sorted(items)] for place, items in ends.items()}


def _step(lanes: int, room: int) -> float:
    return min(LANE_STEP, (room - LANE_START) / lanes) if lanes else LANE_STEP


def _n(value: float) -> str:
    """Coordinates with at most one decimal: the same input always gives the same bytes."""
    return f"{round(value, 1):g}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- lxml helpers ---------------------------------------------------------------------------------


def _element(parent: etree._Element, tag: str, attributes: dict[str, str] | None = None) -> etree._Element:
    return etree.SubElement(parent, f"{{{SVG_NS}}}{tag}", attributes or {})


def _root(prefix: str, width: float, height: float, title: str, description: str) -> etree._Element:
    root = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})  # type: ignore[dict-item]  # default namespace
    for key, value in (("class", "lifecycle-diagram"), ("role", "img"),
                       ("aria-labelledby", f"{prefix}-title {prefix}-desc"),
                       ("width", _n(width)), ("height", _n(height)), ("viewBox", f"0 0 {_n(width)} {_n(height)}"),
                       ("font-family", FONT), ("font-size", str(TEXT_SIZE))):
        root.set(key, value)
    _element(root, "title", {"id": f"{prefix}-title"}).text = title
    _element(root, "desc", {"id": f"{prefix}-desc"}).text = description
    return root


def _marker(defs: etree._Element, marker_id: str) -> etree._Element:
    return _element(defs, "marker", {"id": marker_id, "viewBox": "0 0 10 10", "refX": "10", "refY": "5",
                                     "markerWidth": "8", "markerHeight": "8", "markerUnits": "userSpaceOnUse",
                                     "orient": "auto"})


def _text(parent: etree._Element, x: float, y: float, text: str, *, size: int, fill: str, cls: str,
          bold: bool = False) -> None:
    attributes = {"class": cls, "x": _n(x), "y": _n(y), "font-size": str(size), "fill": fill}
    if bold:
        attributes["font-weight"] = "600"
    _element(parent, "text", attributes).text = xml_safe(text)
