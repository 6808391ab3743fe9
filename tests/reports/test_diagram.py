"""The lifecycle drawing: valid SVG, accessible, one box per status, one arrow per move, and
metadata names only ever as text."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from auditor.model import SourceRef
from auditor.overview import Arrow, Lifecycle, StatusBox
from reports.diagram import lifecycle_svg

NS = {"svg": "http://www.w3.org/2000/svg"}
HOSTILE = '"><img src=x onerror=alert(1)><script>alert(1)</script>'


def box(name: str, **over: object) -> StatusBox:
    values: dict[str, object] = dict(
        name=name, label=name, documented=True, in_org=True, entry=False, converted=False, terminal=False,
        sla=None, sla_hours=None, alerts=(), marks=(), location=SourceRef("process.yaml", 3),
    )
    values.update(over)
    return StatusBox(**values)  # type: ignore[arg-type]


LIFECYCLE = Lifecycle(
    statuses=(
        box("New", entry=True, sla="1 hour", sla_hours=1.0, marks=("no SLA alert",)),
        box("Working", label="Working - Contacted", sla="1 day", sla_hours=24.0,
            alerts=("scheduled path X20_Hours of flow Lead_Working_SLA", "time trigger (22 Hours) of workflow rule W")),
        box("Nurture", marks=("dead end",)),
        box("MQL", label="Marketing Qualified", marks=("unreachable",)),
        box("Converted", converted=True, terminal=True),
        box("Recycled", documented=False, marks=("undocumented",)),
    ),
    arrows=(
        Arrow("New", "Working", True, (), ()),
        Arrow("New", "Nurture", True, (), ()),
        Arrow("Working", "MQL", True, ("workflow rule Score Makes MQL (field update Set_MQL)",), ()),
        Arrow("Working", "Nurture", True, (), ()),
        Arrow("Nurture", "MQL", True, (), ("Nurture_Lock",)),
        Arrow("MQL", "Converted", True, (), ()),
        Arrow("Recycled", "New", False, ("workflow rule Reopen (field update Reopen)",), ()),
        Arrow("Recycled", "Nurture", False, ("flow Lead_Recycle (assignments Set_Nurture)",), ("Recycle_Guard",)),
    ),
)


def parse(svg: str) -> etree._Element:
    assert not svg.startswith("<?xml")
    return etree.fromstring(svg.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))


def texts(element: etree._Element) -> list[str]:
    return [t.text or "" for t in element.iterfind(".//svg:text", NS)]


def status_groups(root: etree._Element) -> list[etree._Element]:
    return root.findall(".//svg:g[@data-status]", NS)


def arrows(root: etree._Element) -> list[etree._Element]:
    return [p for p in root.iterfind(".//svg:g[@class='transitions']/svg:path", NS)]


def test_accessible_svg_with_title_and_description() -> None:
    root = parse(lifecycle_svg(LIFECYCLE))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby", "").split()
    ids = {e.get("id"): e for e in root.iter()}
    assert [ids[i].tag.split("}")[1] for i in labelled_by] == ["title", "desc"]
    assert ids[labelled_by[0]].text == "Lead lifecycle"
    desc = ids[labelled_by[1]].text or ""
    assert "6 lead statuses" in desc and "8 transitions" in desc
    assert "Unreachable: MQL." in desc and "Dead end: Nurture." in desc and "SLA with no alert: New." in desc
    width = float(root.get("width", "0"))
    assert 0 < width <= 960 and root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"


def test_one_box_per_status_with_its_name_and_marks_as_words() -> None:
    root = parse(lifecycle_svg(LIFECYCLE))
    groups = status_groups(root)
    assert [g.get("data-status") for g in groups] == [b.name for b in LIFECYCLE.statuses]
    for group, status in zip(groups, LIFECYCLE.statuses):
        assert len(group.findall("svg:rect[@class='status-box']", NS)) == 1
        assert texts(group)[0].startswith(status.name)
        for mark in status.marks:
            assert any(mark in line for line in texts(group)), (status.name, mark)
    working = texts(groups[1])
    assert working[0] == "Working · Working - Contacted"
    assert "SLA 1 day" in working
    assert working[2].startswith("alert: scheduled path X20_Hours") and working[-1].endswith("(+1 more)")
    assert "no alert" in texts(groups[0])  # an SLA that nothing watches says so


def test_marks_change_the_border_and_not_only_the_colour() -> None:
    root = parse(lifecycle_svg(LIFECYCLE))
    groups = {g.get("data-status"): g for g in status_groups(root)}
    unreachable = groups["MQL"].find("svg:rect[@class='status-box']", NS)
    assert unreachable is not None and unreachable.get("stroke-dasharray")
    plain = groups["Converted"].find("svg:rect[@class='status-box']", NS)
    assert plain is not None and plain.get("stroke-dasharray") is None
    assert groups["Nurture"].find("svg:rect[@class='dead-end-marker']", NS) is not None
    assert groups["New"].find("svg:rect[@class='dead-end-marker']", NS) is None
    assert "mark-unreachable" in (groups["MQL"].get("class") or "").split()


def test_an_arrow_per_transition_styled_by_kind() -> None:
    root = parse(lifecycle_svg(LIFECYCLE))
    drawn = arrows(root)
    assert [(p.get("data-source"), p.get("data-target")) for p in drawn] == sorted(
        [(a.source, a.target) for a in LIFECYCLE.arrows],
        key=lambda pair: (abs(_rank(pair[1]) - _rank(pair[0])) != 1, _rank(pair[0]), _rank(pair[1])),
    )
    by_pair = {(p.get("data-source"), p.get("data-target")): p for p in drawn}
    assert all(p.get("marker-end", "").startswith("url(#lifecycle-") for p in drawn)
    documented, automated = by_pair[("New", "Working")], by_pair[("Recycled", "New")]
    blocked = by_pair[("Nurture", "MQL")]
    assert documented.get("stroke-dasharray") is None and "documented" in (documented.get("class") or "")
    assert automated.get("stroke-dasharray") and "automated" in (automated.get("class") or "")
    assert "blocked" in (blocked.get("class") or "") and blocked.get("marker-end") == "url(#lifecycle-blocked)"
    assert "blocked by Nurture_Lock" in texts(root)
    titles = {pair: p.findtext("svg:title", namespaces=NS) for pair, p in by_pair.items()}
    assert titles[("Working", "MQL")] == "Working → MQL: documented; made by workflow rule Score Makes MQL (field update Set_MQL)"
    assert (titles[("Recycled", "Nurture")] or "").endswith("blocked by validation rule Recycle_Guard")
    markers = {m.get("id") for m in root.iterfind(".//svg:marker", NS)}
    assert {"lifecycle-arrow", "lifecycle-automated", "lifecycle-blocked"} <= markers


def _rank(name: str | None) -> int:
    return [b.name for b in LIFECYCLE.statuses].index(name or "")


def test_skips_and_moves_back_are_arcs_on_either_side() -> None:
    root = parse(lifecycle_svg(LIFECYCLE))
    box_rect = root.find(".//svg:rect[@class='status-box']", NS)
    assert box_rect is not None
    left = float(box_rect.get("x", "0"))
    right = left + float(box_rect.get("width", "0"))
    by_pair = {(p.get("data-source"), p.get("data-target")): p.get("d") or "" for p in arrows(root)}

    def lane(d: str) -> float:
        return float(re.search(r"H(-?[\d.]+)", d).group(1))  # type: ignore[union-attr]

    assert " V" in by_pair[("New", "Working")] and "H" not in by_pair[("New", "Working")]  # straight down
    assert lane(by_pair[("New", "Nurture")]) > right  # a skip forward: on the right
    assert lane(by_pair[("Recycled", "New")]) < left  # a move back: on the left
    # nested spans never share a lane: the longer one runs further out
    assert lane(by_pair[("Recycled", "New")]) < lane(by_pair[("Recycled", "Nurture")])


def test_hostile_names_are_only_ever_text() -> None:
    lifecycle = Lifecycle(
        statuses=(box(HOSTILE, label=HOSTILE, marks=(HOSTILE,), alerts=(HOSTILE,), sla="1 hour"), box("MQL")),
        arrows=(Arrow(HOSTILE, "MQL", False, (HOSTILE,), (HOSTILE,)),),
    )
    svg = lifecycle_svg(lifecycle)
    root = parse(svg)
    tags = {element.tag.split("}")[1] for element in root.iter() if isinstance(element.tag, str)}
    assert not tags & {"img", "script", "foreignObject", "a", "image", "use", "style"}
    assert "<script" not in svg and "<img" not in svg
    assert not any(str(key).startswith("on") for element in root.iter() for key in element.attrib)
    group = status_groups(root)[0]
    assert group.get("data-status") == HOSTILE  # the attribute round-trips as plain text
    assert HOSTILE in (group.findtext("svg:title", namespaces=NS) or "")  # the full name, un-truncated
    assert texts(group)[0].endswith("…")  # too long for the box: cut visibly


def test_control_characters_are_dropped_not_fatal() -> None:
    lifecycle = Lifecycle(statuses=(box("Bad\x00\x1bName"),), arrows=())
    root = parse(lifecycle_svg(lifecycle))
    assert texts(status_groups(root)[0])[0] == "BadName"


def test_no_external_references() -> None:
    svg = lifecycle_svg(LIFECYCLE)
    root = parse(svg)
    for element in root.iter():
        for key, value in element.attrib.items():
            assert "href" not in str(key), key
            if "url(" in str(value):
                assert re.fullmatch(r"url\(#[\w-]+\)", str(value)), value
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_same_input_same_bytes_and_distinct_ids_per_prefix() -> None:
    assert lifecycle_svg(LIFECYCLE) == lifecycle_svg(LIFECYCLE)
    other = parse(lifecycle_svg(LIFECYCLE, id_prefix="baseline"))
    assert other.get("aria-labelledby") == "baseline-title baseline-desc"
    with pytest.raises(ValueError):
        lifecycle_svg(LIFECYCLE, id_prefix='x" onload="alert(1)')


def test_width_stays_readable_with_many_statuses_and_moves() -> None:
    names = [f"Status_{i:02d}" for i in range(24)]
    lifecycle = Lifecycle(
        statuses=tuple(box(n) for n in names),
        arrows=tuple(Arrow(s, t, True, (), ()) for s in names for t in names if s != t),
    )
    root = parse(lifecycle_svg(lifecycle))
    assert float(root.get("width", "0")) <= 960
    assert len(arrows(root)) == 24 * 23


def test_an_empty_lifecycle_still_draws_a_labelled_picture() -> None:
    root = parse(lifecycle_svg(Lifecycle(statuses=(), arrows=())))
    assert root.get("role") == "img"
    assert "No lead statuses" in (root.findtext("svg:desc", namespaces=NS) or "")
    assert texts(root) == ["No lead statuses to draw."]
    assert status_groups(root) == []
