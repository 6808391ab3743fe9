"""The HTML report: self-contained, findings and banners present, metadata text escaped."""

from __future__ import annotations

from dataclasses import replace

import lxml.html
from lxml import etree

from auditor.findings import AuditResult
from reports import html

from_string = lxml.html.document_fromstring

EXTERNAL = ("http:", "https:", "//", "ftp:", "data:", "javascript:")


def _doc(result: AuditResult) -> lxml.html.HtmlElement:
    out = html.render(result)
    assert isinstance(out, str)
    return from_string(out)


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def test_meta_and_counts(complete_result: AuditResult) -> None:
    doc = _doc(complete_result)
    assert "force-app" in doc.findtext(".//title")
    header = _text(doc.find(".//header"))
    for expected in ("force-app", "process.yaml", "2030-01-02T03:04:05+00:00", "0.1.0"):
        assert expected in header
    counts = [_text(li) for li in doc.xpath("//ul[@class='counts']/li")]
    assert counts == ["3 high", "1 medium", "1 low", "1 waived"]
    assert "5 findings (3 high, 1 medium, 1 low), 1 waived, audit complete" in _text(doc)


def test_findings_grouped_by_area_then_severity(complete_result: AuditResult) -> None:
    doc = _doc(complete_result)
    areas = doc.xpath("//section[@id='findings']/section[@class='area']")
    assert [a.xpath("string(h3/@id)") for a in areas] == ["area-lifecycle", "area-sla", "area-routing"]
    routing = areas[2]
    assert [_text(h) for h in routing.xpath("h4")] == ["High severity (1)", "Low severity (1)"]
    articles = doc.xpath("//article[contains(@class, 'finding')]")
    assert len(articles) == 5
    first = _text(articles[0])
    for expected in ("LC001", "status-not-in-process", "Status:Recycled", "Status Recycled is not in the process",
                     "fix Status:Recycled", "objects/Lead/fields/Status.field:31"):
        assert expected in first
    rt002 = next(a for a in articles if "RT002" in _text(a))
    assert "no file location" in _text(rt002)


def test_complete_banner(complete_result: AuditResult) -> None:
    doc = _doc(complete_result)
    (banner,) = doc.xpath("//section[@id='status']")
    assert "verdict-action" in banner.get("class")  # complete, with findings to fix
    assert "Action needed" in _text(banner)
    assert not doc.xpath("//*[contains(@class, 'verdict-incomplete')]")
    clean = _doc(replace(complete_result, findings=()))
    assert "Clean" in _text(clean.get_element_by_id("status"))


def test_incomplete_banner_on_the_cover(incomplete_result: AuditResult) -> None:
    doc = _doc(incomplete_result)
    cover = doc.get_element_by_id("cover")
    banner = cover.xpath("./section")[0]  # right under the title: on the first screen
    assert banner.getprevious().tag == "p" and banner.getprevious().getprevious().tag == "h1"
    assert "verdict-incomplete" in banner.get("class")
    assert banner.get("role") == "alert"
    text = _text(banner)
    assert "Audit incomplete" in text
    assert "objects/Lead.object could not be read" in text
    assert "rule AU007 crashed" in text
    assert doc.findtext(".//title").startswith("INCOMPLETE")


def test_sections_not_run_waived_files(incomplete_result: AuditResult) -> None:
    doc = _doc(incomplete_result)
    not_run = _text(doc.get_element_by_id("not-run"))
    assert "SC001" in not_run and "the source has no scoring model" in not_run
    assert "AU003" in not_run and "disabled" in not_run
    assert "AU007" in not_run and "error" in not_run
    waived = _text(doc.get_element_by_id("waived"))
    assert "Queue:Legacy" in waived and "being retired in Q3" in waived and "2031-09-30" in waived
    files = doc.get_element_by_id("appendix")
    assert files.find(".//details") is None  # an appendix folded away would not print
    assert [_text(td) for td in files.xpath(".//tr[@class='unreadable']/td[1]")] == ["objects/Lead.object"]
    assert "objects/Lead.object" in _text(files.xpath(".//div[@class='unreadable-files']")[0])


def test_self_contained(incomplete_result: AuditResult) -> None:
    out = html.render(incomplete_result)
    doc = from_string(out)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("src", "href", "action", "srcset", "poster", "data"):
            value = (element.get(attribute) or "").strip().lower()
            assert not value.startswith(EXTERNAL), (element.tag, attribute, value)
            if attribute == "href" and value:
                assert value.startswith("#"), value  # only in-page links
    assert not doc.xpath("//script | //link | //img | //iframe | //object | //embed")
    assert "http://" not in out and "https://" not in out
    assert "url(" not in out and "@import" not in out
    assert "@media print" in out


def test_hostile_text_is_escaped(hostile_result: AuditResult) -> None:
    out = html.render(hostile_result)
    doc = from_string(out)
    assert not doc.xpath("//script | //img")
    assert not any(name.startswith("on") for el in doc.iter() if isinstance(el.tag, str) for name in el.attrib)
    visible = doc.text_content()
    payload = '<script>alert(1)</script> "><img src=x onerror=alert(1)>'
    for field in ("src", "subject", "message", "fix", "name", "reason", "why"):
        assert f"{field} {payload}" in visible, field  # shown as text, not interpreted
    assert "\x00" not in out and "\x1b" not in out
    assert "<script>" not in out and "<img" not in out


def test_body_is_well_formed(complete_result: AuditResult, hostile_result: AuditResult) -> None:
    # The html parser is lenient; a strict XML parse of the body catches unclosed tags early.
    for result in (complete_result, hostile_result):
        out = html.render(result)
        body = out[out.index("<body>"): out.index("</body>") + len("</body>")]
        etree.fromstring(body)
