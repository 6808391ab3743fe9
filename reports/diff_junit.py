"""The drift report as JUnit XML: a testcase per change, so CI lists each change by name.

An approved change passes (its system-out says who approved it, when and why); a change not
approved fails. One testsuite per area, plus ``leadaudit.drift`` with a "no unapproved drift"
case that is always present, so an org that did not change still shows a green test in CI
history rather than an empty report. Valid against the Jenkins xUnit plugin's junit-10.xsd.
"""

from __future__ import annotations

from lxml import etree

from auditor.drift import DriftReport, ReviewedChange
from reports.common import xml_safe

PREFIX = "leadaudit.drift"
VERDICT_CASE = "no unapproved drift"


def _set(element: etree._Element, name: str, value: str) -> None:
    element.set(name, xml_safe(value))


def _details(item: ReviewedChange) -> str:
    change = item.change
    lines = [
        f"kind: {change.kind}",
        f"subject: {change.subject}",
        f"before: {change.before if change.before is not None else '(none)'}",
        f"after: {change.after if change.after is not None else '(none)'}",
    ]
    if change.location is not None:
        lines.append(f"file: {change.location.path}")
        if change.location.line:
            lines.append(f"line: {change.location.line}")
    if item.approval is not None:
        lines.append(f"approved by: {item.approval.who}")
        lines.append(f"approved on: {item.approval.when}")
        lines.append(f"why: {item.approval.why}")
    return "".join(f"{line}\n" for line in lines)


def _testcase(suite: etree._Element, classname: str, item: ReviewedChange) -> None:
    change = item.change
    case = etree.SubElement(suite, "testcase")
    _set(case, "classname", classname)
    _set(case, "name", f"{change.kind} {change.subject}")
    if not item.approved:
        failure = etree.SubElement(case, "failure")
        _set(failure, "message", f"not approved: {change.summary}")
        _set(failure, "type", change.kind)
    out = etree.SubElement(case, "system-out")
    out.text = xml_safe(_details(item))


def _suite(root: etree._Element, name: str, tests: int, failures: int) -> etree._Element:
    suite = etree.SubElement(root, "testsuite")
    _set(suite, "name", name)
    _set(suite, "tests", str(tests))
    _set(suite, "failures", str(failures))
    _set(suite, "errors", "0")
    _set(suite, "skipped", "0")
    return suite


def build(report: DriftReport) -> etree._Element:
    root = etree.Element("testsuites")
    _set(root, "name", PREFIX)
    areas: dict[str, list[ReviewedChange]] = {}
    for item in report.changes:  # already in area order
        areas.setdefault(item.change.area, []).append(item)
    for area, items in areas.items():
        suite = _suite(root, f"{PREFIX}.{area}", len(items), sum(not i.approved for i in items))
        for item in items:
            _testcase(suite, f"{PREFIX}.{area}", item)
    verdict = _suite(root, PREFIX, 1, 0 if report.passed else 1)
    properties = etree.SubElement(verdict, "properties")
    for name, value in (("old", report.old), ("new", report.new), ("approvals_file", report.approvals_file or "")):
        prop = etree.SubElement(properties, "property")
        _set(prop, "name", name)
        _set(prop, "value", value)
    case = etree.SubElement(verdict, "testcase")
    _set(case, "classname", PREFIX)
    _set(case, "name", VERDICT_CASE)
    if not report.passed:
        failure = etree.SubElement(case, "failure")
        count = len(report.unapproved)
        _set(failure, "message", f"{count} change{'s' if count != 1 else ''} not approved")
    tests = len(report.changes) + 1
    failures = len(report.unapproved) + (0 if report.passed else 1)
    _set(root, "tests", str(tests))
    _set(root, "failures", str(failures))
    _set(root, "errors", "0")
    return root


def render(report: DriftReport) -> bytes:
    """UTF-8 XML with a declaration."""
    return etree.tostring(build(report), xml_declaration=True, encoding="UTF-8", pretty_print=True)
