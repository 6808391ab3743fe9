"""reports.xmltext writes what lxml wrote, byte for byte, and the JUnit report with it.

The JUnit report used to be an lxml tree serialised with ``pretty_print=True``; it is now written
as text for speed. These tests build the same elements with lxml and compare the bytes, over
arbitrary text: markup characters, quotes, tab, newline, carriage return, characters XML cannot
carry (dropped, as before), non-ASCII and astral characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from auditor.findings import (
    NOTHING_TO_CHECK,
    AuditResult,
    Checked,
    Finding,
    Rule,
    RuleOutcome,
    Severity,
    WaivedFinding,
)
from auditor.model import SourceRef
from reports import junit, xmltext
from reports.common import xml_safe

TRICKY = ["&", "<", ">", '"', "'", "\t", "\n", "\r", "\x00", "\x01", "\x0b", "\x1f", "\x7f", "\x85",
          "\ud800", "\ufffe", "\uffff", "é", "€", "😀", " ", "a", "]]>", "&amp;"]
TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=10) | st.lists(
    st.sampled_from(TRICKY), max_size=6).map("".join)
TAGS = st.sampled_from(["a", "testcase", "system-out", "x-y"])
NAMES = st.sampled_from(["name", "message", "type", "value", "classname"])


@dataclass
class Node:
    tag: str
    attributes: dict[str, str]
    text: str | None = None
    children: list[Node] = field(default_factory=list)


NODES = st.recursive(
    st.builds(Node, TAGS, st.dictionaries(NAMES, TEXT, max_size=3), st.none() | TEXT),
    lambda children: st.builds(Node, TAGS, st.dictionaries(NAMES, TEXT, max_size=3), st.none(),
                               st.lists(children, min_size=1, max_size=3)),
    max_leaves=12,
)


def _with_lxml(parent: Any, node: Node) -> Any:
    attributes = {name: xml_safe(value) for name, value in node.attributes.items()}
    element = etree.Element(node.tag, attributes) if parent is None else etree.SubElement(parent, node.tag, attributes)
    if node.text is not None:
        element.text = xml_safe(node.text)
    for child in node.children:
        _with_lxml(element, child)
    return element


def _with_xmltext(node: Node, depth: int = 0) -> str:
    children = [_with_xmltext(child, depth + 1) for child in node.children]
    return xmltext.element(depth, node.tag, node.attributes, text=node.text, children=children)


@settings(max_examples=500, deadline=None)
@given(NODES)
def test_element_writes_what_lxml_writes(node: Node) -> None:
    expected = etree.tostring(_with_lxml(None, node), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    assert (xmltext.DECLARATION + _with_xmltext(node)).encode("utf-8") == expected


def test_text_and_children_together_are_refused() -> None:
    with pytest.raises(ValueError):
        xmltext.element(0, "a", {}, text="x", children=["  <b/>\n"])


# --- the JUnit report against the lxml tree the report used to build ---------------------------


def _lxml_junit(result: AuditResult) -> bytes:
    """The former renderer: the same testcases, as an lxml tree (attributes set one by one)."""

    def put(element: Any, name: str, value: str) -> None:
        element.set(name, xml_safe(value))

    root = etree.Element("testsuites")
    put(root, "name", junit.PREFIX)
    results: list[str | None] = []
    for name, suite_cases, _ in junit._suites(result):
        cases = list(suite_cases)
        suite = etree.SubElement(root, "testsuite")
        put(suite, "name", name)
        for attribute, count in junit._counts([case.result for case in cases]).items():
            put(suite, attribute, str(count))
        put(suite, "timestamp", result.generated_at)
        if name == junit.AUDIT_SUITE:
            props = etree.SubElement(suite, "properties")
            for prop_name, value in (("source", result.source), ("process_file", result.process_file or ""),
                                     ("generated_at", result.generated_at), ("tool_version", result.tool_version),
                                     ("complete", "true" if result.complete else "false")):
                prop = etree.SubElement(props, "property")
                put(prop, "name", prop_name)
                put(prop, "value", value)
        for case in cases:
            results.append(case.result)
            testcase = etree.SubElement(suite, "testcase")
            put(testcase, "classname", case.classname)
            put(testcase, "name", case.name)
            if case.result is not None:
                child = etree.SubElement(testcase, case.result)
                put(child, "message", case.message)
                if case.type:
                    put(child, "type", case.type)
                if case.text:
                    child.text = xml_safe(case.text)
            if case.system_out:
                etree.SubElement(testcase, "system-out").text = xml_safe(case.system_out)
    totals = junit._counts(results)
    for attribute in ("tests", "failures", "errors"):
        put(root, attribute, str(totals[attribute]))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _result(text: str, line: int | None, complete: bool) -> AuditResult:
    rule = Rule("LC001", f"status{text}", Severity.HIGH, "lifecycle", "A status is not in the process")
    crashed = Rule("RT002", "fallback", Severity.MEDIUM, "routing", "No catch-all")
    location = SourceRef(f"force-app/{text}.xml", line)
    finding = Finding("LC001", rule.name, Severity.HIGH, "lifecycle", text, f"message {text}", f"fix {text}", location)
    waived = Finding("LC001", rule.name, Severity.HIGH, "lifecycle", f"{text}2", text, text, None)
    return AuditResult(
        source=f"src{text}",
        process_file=text or None,
        generated_at="2030-01-02T03:04:05+00:00",
        tool_version="0.1.0",
        findings=(finding,),
        waived=(WaivedFinding(waived, f"reason {text}", "2031-01-01"),),
        outcomes=(RuleOutcome(rule, "ran"), RuleOutcome(crashed, "error", text)),
        files=(),
        incomplete_reasons=() if complete else (text, "another"),
        passed=(Checked("LC001", text, location), Checked("LC001", text, None),
                Checked("LC001", NOTHING_TO_CHECK, None)),
    )


@settings(max_examples=200, deadline=None)
@given(text=TEXT, line=st.none() | st.integers(min_value=0, max_value=10**6), complete=st.booleans())
def test_junit_report_is_what_the_lxml_tree_gave(text: str, line: int | None, complete: bool) -> None:
    result = _result(text, line, complete)
    assert junit.render(result) == _lxml_junit(result)
