"""JUnit XML report: how CI systems (Jenkins, GitLab, GitHub actions) show an audit.

One testsuite per area, one testcase per (rule, subject) checked, passing ones included, so the
counts say how much was checked and not only what failed. A finding is a failure; a
rule that could not judge is skipped, never passed; a rule that crashed, an unreadable
configuration file and an incomplete audit are errors, so CI can never read a partial audit as
green. Counts are computed from the very testcases written, so they cannot disagree with them.
Valid against the Jenkins xUnit plugin's junit-10.xsd (tests/data/junit-10.xsd). That schema has
no <properties> in a testcase, so each case's rule id, severity, subject, file and line are
written as ``key: value`` lines in its <system-out>, which Jenkins, GitLab and Azure DevOps show.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from auditor.findings import AREAS, NOTHING_TO_CHECK, AuditResult, Checked, Finding, RuleOutcome, WaivedFinding
from auditor.model import SourceRef
from reports.common import (
    UNREADABLE_RULE_ID,
    area_rank,
    ordered_findings,
    ordered_outcomes,
    ordered_reasons,
    ordered_waived,
    xml_safe,
)

PREFIX = "leadaudit"
AUDIT_SUITE = f"{PREFIX}.audit"
COMPLETENESS_CASE = "audit completeness"

# The four ways a testcase ends; the value is the child element written (None: passed).
PASSED, FAILURE, ERROR, SKIPPED = None, "failure", "error", "skipped"


@dataclass(frozen=True)
class Case:
    classname: str
    name: str
    result: str | None = PASSED
    message: str = ""
    type: str = ""
    text: str = ""
    properties: tuple[tuple[str, str], ...] = ()


@dataclass
class _Rule:
    """Everything the result says about one rule id, gathered so no finding is left out."""

    rule_id: str
    name: str
    area: str
    outcome: RuleOutcome | None = None
    findings: list[Finding] = field(default_factory=list)
    waived: list[WaivedFinding] = field(default_factory=list)
    passed: list[Checked] = field(default_factory=list)


def _details(finding: Finding) -> str:
    location = str(finding.location) if finding.location is not None else "(no file location)"
    return f"{finding.message}\nsubject: {finding.subject}\nlocation: {location}\nfix: {finding.fix}"


def _gather(result: AuditResult) -> list[_Rule]:
    # Keyed by rule id from outcomes, findings and waivers alike: a finding whose rule has no
    # outcome (an engine-made CF finding, say) must still reach CI.
    rules: dict[str, _Rule] = {}
    for outcome in ordered_outcomes(result.outcomes):
        rule = outcome.rule
        rules.setdefault(rule.id, _Rule(rule.id, rule.name, rule.area, outcome=outcome))
    for finding in ordered_findings(result.findings):
        entry = rules.setdefault(finding.rule_id, _Rule(finding.rule_id, finding.rule_name, finding.area))
        entry.findings.append(finding)
    for waived in ordered_waived(result.waived):
        f = waived.finding
        entry = rules.setdefault(f.rule_id, _Rule(f.rule_id, f.rule_name, f.area))
        entry.waived.append(waived)
    for checked in sorted(result.passed, key=Checked.sort_key):
        # a pass comes from a rule that ran, so it has an outcome; a hand-made result may lack it
        area = AREAS.get(checked.rule_id[:2], "configuration")
        rules.setdefault(checked.rule_id, _Rule(checked.rule_id, checked.rule_id, area)).passed.append(checked)
    return sorted(rules.values(), key=lambda r: (area_rank(r.area), r.rule_id))


def _case_properties(
    rule_id: str, severity: str, subject: str, location: SourceRef | None
) -> tuple[tuple[str, str], ...]:
    # The xsd allows no <properties> in a testcase; CI tools show system-out beside the case.
    path = location.path if location is not None else ""
    line = str(location.line or "") if location is not None else ""
    pairs = (("rule_id", rule_id), ("severity", severity), ("subject", subject), ("file", path), ("line", line))
    return tuple((name, value) for name, value in pairs if value)  # an unknown line is left out, not blank


def _rule_cases(rule: _Rule) -> list[Case]:
    classname = f"{PREFIX}.{rule.area}.{rule.rule_id}"
    title = f"{rule.rule_id} {rule.name}"
    status = rule.outcome.status if rule.outcome is not None else "ran"
    reason = rule.outcome.reason if rule.outcome is not None else ""
    crashed = status not in {"ran", "not-applicable", "disabled"}  # "error", or unknown: not a pass
    kind = ERROR if crashed or rule.rule_id == UNREADABLE_RULE_ID else FAILURE

    cases = [
        Case(classname, f"{title}: {f.subject}", kind, f.message, f.severity.label, _details(f),
             _case_properties(f.rule_id, f.severity.label, f.subject, f.location))
        for f in rule.findings
    ]
    for waived in rule.waived:
        f = waived.finding
        note = f"waived: {waived.reason} (expires {waived.expires})"
        cases.append(Case(classname, f"{title}: {f.subject}", SKIPPED, note, "waived", _details(f),
                          _case_properties(f.rule_id, f.severity.label, f.subject, f.location)))
    severity = rule.outcome.rule.severity.label if rule.outcome is not None else ""
    for checked in rule.passed:
        if checked.subject == NOTHING_TO_CHECK:  # ran on nothing: honest counts say skipped, not passed
            cases.append(Case(classname, f"{title}: {checked.subject}", SKIPPED,
                              "the rule ran but the source has nothing for it to check", "nothing-to-check"))
            continue
        cases.append(Case(classname, f"{title}: {checked.subject}", PASSED,
                          properties=_case_properties(rule.rule_id, severity, checked.subject, checked.location)))

    if crashed and not rule.findings:
        message = reason or f"rule ended with status {status!r}"
        cases.append(Case(classname, title, ERROR, message, "rule-error", message))
    elif not cases:
        if status in {"not-applicable", "disabled"}:
            cases.append(Case(classname, title, SKIPPED, reason or status.replace("-", " "), status))
        else:
            cases.append(Case(classname, title))
    return _unique_names(cases)


def _unique_names(cases: list[Case]) -> list[Case]:
    """CI tools merge testcases of equal name; number repeats so each finding stays visible."""
    seen: dict[tuple[str, str], int] = {}
    unique: list[Case] = []
    for case in cases:
        key = (case.classname, case.name)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            case = dataclasses.replace(case, name=f"{case.name} #{seen[key]}")
        unique.append(case)
    return unique


def _completeness_case(result: AuditResult) -> Case:
    if result.complete:
        return Case(AUDIT_SUITE, COMPLETENESS_CASE)
    reasons = ordered_reasons(result)
    message = f"audit incomplete: {len(reasons)} reason(s); absent findings prove nothing"
    listing = "\n".join(f"- {reason}" for reason in reasons)
    return Case(AUDIT_SUITE, COMPLETENESS_CASE, ERROR, message, "incomplete", listing)


def _set(element: etree._Element, name: str, value: str) -> None:
    element.set(name, xml_safe(value))


def _suite(parent: etree._Element, name: str, cases: list[Case], timestamp: str) -> etree._Element:
    suite = etree.SubElement(parent, "testsuite")
    _set(suite, "name", name)
    for attribute, value in _counts(cases).items():
        _set(suite, attribute, str(value))
    _set(suite, "timestamp", timestamp)
    for case in cases:
        testcase = etree.SubElement(suite, "testcase")
        _set(testcase, "classname", case.classname)
        _set(testcase, "name", case.name)
        if case.result is not None:
            child = etree.SubElement(testcase, case.result)
            _set(child, "message", case.message)
            if case.type:
                _set(child, "type", case.type)
            if case.text:
                child.text = xml_safe(case.text)
        if case.properties:
            out = etree.SubElement(testcase, "system-out")
            out.text = xml_safe("".join(f"{name}: {value}\n" for name, value in case.properties))
    return suite


def _counts(cases: Iterable[Case]) -> dict[str, int]:
    results = [case.result for case in cases]
    return {
        "tests": len(results),
        "failures": results.count(FAILURE),
        "errors": results.count(ERROR),
        "skipped": results.count(SKIPPED),
    }


def _properties(suite: etree._Element, result: AuditResult) -> None:
    # What was audited, for whoever opens the CI artefact later.
    props = etree.Element("properties")
    values = {
        "source": result.source,
        "process_file": result.process_file or "",
        "generated_at": result.generated_at,
        "tool_version": result.tool_version,
        "complete": "true" if result.complete else "false",
    }
    for name, value in values.items():
        prop = etree.SubElement(props, "property")
        _set(prop, "name", name)
        _set(prop, "value", value)
    suite.insert(0, props)


def build(result: AuditResult) -> etree._Element:
    """The <testsuites> tree; render() serialises it."""
    root = etree.Element("testsuites")
    _set(root, "name", PREFIX)
    by_area: dict[str, list[Case]] = {}
    for rule in _gather(result):
        by_area.setdefault(rule.area, []).extend(_rule_cases(rule))
    all_cases: list[Case] = []
    for area in sorted(by_area, key=area_rank):
        _suite(root, f"{PREFIX}.{area}", by_area[area], result.generated_at)
        all_cases.extend(by_area[area])
    # Always present, passing or not, so CI history shows the audit's completeness over time.
    completeness = [_completeness_case(result)]
    _properties(_suite(root, AUDIT_SUITE, completeness, result.generated_at), result)
    all_cases.extend(completeness)
    totals = _counts(all_cases)
    for attribute in ("tests", "failures", "errors"):  # the xsd has no "skipped" on <testsuites>
        _set(root, attribute, str(totals[attribute]))
    return root


def render(result: AuditResult) -> bytes:
    """UTF-8 XML with a declaration."""
    return etree.tostring(build(result), xml_declaration=True, encoding="UTF-8", pretty_print=True)

