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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from auditor.findings import AREAS, NOTHING_TO_CHECK, AuditResult, Checked, Finding, RuleOutcome, WaivedFinding
from auditor.model import SourceRef
from reports.common import (
    UNREADABLE_RULE_ID,
    area_rank,
    ordered_findings,
    ordered_outcomes,
    ordered_reasons,
    ordered_waived,
)
from reports import xmltext
from reports.xmltext import escape_attribute, escape_text

PREFIX = "leadaudit"
AUDIT_SUITE = f"{PREFIX}.audit"
COMPLETENESS_CASE = "audit completeness"

# The four ways a testcase ends; the value is the child element written (None: passed).
PASSED, FAILURE, ERROR, SKIPPED = None, "failure", "error", "skipped"


class Case(NamedTuple):
    # A NamedTuple rather than a frozen dataclass: quicker to make, and a large org has tens of
    # thousands of cases.
    classname: str
    name: str
    result: str | None = PASSED
    message: str = ""
    type: str = ""
    text: str = ""
    system_out: str = ""  # the case's ``key: value`` lines


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
        if checked.rule_id not in rules:  # made only when missing: there can be tens of thousands of passes
            # a pass comes from a rule that ran, so it has an outcome; a hand-made result may lack it
            area = AREAS.get(checked.rule_id[:2], "configuration")
            rules[checked.rule_id] = _Rule(checked.rule_id, checked.rule_id, area)
        rules[checked.rule_id].passed.append(checked)
    return sorted(rules.values(), key=lambda r: (area_rank(r.area), r.rule_id))


def _system_out(rule_id: str, severity: str, subject: str, location: SourceRef | None) -> str:
    # The xsd allows no <properties> in a testcase; CI tools show system-out beside the case.
    path = location.path if location is not None else ""
    line = str(location.line or "") if location is not None else ""
    pairs = (("rule_id", rule_id), ("severity", severity), ("subject", subject), ("file", path), ("line", line))
    return "".join([f"{name}: {value}\n" for name, value in pairs if value])  # an unknown line is left out, not blank


def _rule_cases(rule: _Rule) -> Iterator[Case]:
    """The rule's testcases, made one at a time so each can be written and dropped (see render)."""
    classname = f"{PREFIX}.{rule.area}.{rule.rule_id}"
    title = f"{rule.rule_id} {rule.name}"
    status = rule.outcome.status if rule.outcome is not None else "ran"
    reason = rule.outcome.reason if rule.outcome is not None else ""
    crashed = status not in {"ran", "not-applicable", "disabled"}  # "error", or unknown: not a pass
    kind = ERROR if crashed or rule.rule_id == UNREADABLE_RULE_ID else FAILURE

    for f in rule.findings:
        yield Case(classname, f"{title}: {f.subject}", kind, f.message, f.severity.label, _details(f),
                   _system_out(f.rule_id, f.severity.label, f.subject, f.location))
    for waived in rule.waived:
        f = waived.finding
        note = f"waived: {waived.reason} (expires {waived.expires})"
        yield Case(classname, f"{title}: {f.subject}", SKIPPED, note, "waived", _details(f),
                   _system_out(f.rule_id, f.severity.label, f.subject, f.location))
    severity = rule.outcome.rule.severity.label if rule.outcome is not None else ""
    for checked in rule.passed:
        if checked.subject == NOTHING_TO_CHECK:  # ran on nothing: honest counts say skipped, not passed
            yield Case(classname, f"{title}: {checked.subject}", SKIPPED,
                       "the rule ran but the source has nothing for it to check", "nothing-to-check")
            continue
        yield Case(classname, f"{title}: {checked.subject}", PASSED,
                   system_out=_system_out(rule.rule_id, severity, checked.subject, checked.location))

    if crashed and not rule.findings:
        message = reason or f"rule ended with status {status!r}"
        yield Case(classname, title, ERROR, message, "rule-error", message)
    elif not (rule.findings or rule.waived or rule.passed):  # nothing above: one case for the rule
        if status in {"not-applicable", "disabled"}:
            yield Case(classname, title, SKIPPED, reason or status.replace("-", " "), status)
        else:
            yield Case(classname, title)


def _unique_names(cases: Iterable[Case]) -> Iterator[Case]:
    """CI tools merge testcases of equal name; number repeats so each finding stays visible."""
    seen: dict[tuple[str, str], int] = {}
    for case in cases:
        key = (case.classname, case.name)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            case = case._replace(name=f"{case.name} #{seen[key]}")
        yield case


def _completeness_case(result: AuditResult) -> Case:
    if result.complete:
        return Case(AUDIT_SUITE, COMPLETENESS_CASE)
    reasons = ordered_reasons(result)
    message = f"audit incomplete: {len(reasons)} reason(s); absent findings prove nothing"
    listing = "\n".join(f"- {reason}" for reason in reasons)
    return Case(AUDIT_SUITE, COMPLETENESS_CASE, ERROR, message, "incomplete", listing)


def _suite(name: str, cases: Iterable[Case], timestamp: str, head: Sequence[str] = ()) -> tuple[str, list[str | None]]:
    """A <testsuite> of ``cases`` after the ``head`` elements, and each case's result for the totals."""
    body = list(head)
    results = []
    for case in cases:
        body.append(_testcase(case))
        results.append(case.result)
    attributes = {"name": name, **{key: str(count) for key, count in _counts(results).items()}, "timestamp": timestamp}
    return xmltext.element(1, "testsuite", attributes, children=body), results


def _testcase(case: Case) -> str:
    # What xmltext.element would write at depth 2, spelt out: there can be tens of thousands.
    start = f'    <testcase classname="{escape_attribute(case.classname)}" name="{escape_attribute(case.name)}"'
    children = []
    if case.result is not None:
        end = f'      <{case.result} message="{escape_attribute(case.message)}"'
        if case.type:
            end += f' type="{escape_attribute(case.type)}"'
        children.append(f"{end}>{escape_text(case.text)}</{case.result}>\n" if case.text else f"{end}/>\n")
    if case.system_out:
        children.append(f"      <system-out>{escape_text(case.system_out)}</system-out>\n")
    if not children:
        return start + "/>\n"
    return f"{start}>\n{''.join(children)}    </testcase>\n"


def _counts(results: list[str | None]) -> dict[str, int]:
    return {
        "tests": len(results),
        "failures": results.count(FAILURE),
        "errors": results.count(ERROR),
        "skipped": results.count(SKIPPED),
    }


def _properties(result: AuditResult) -> str:
    # What was audited, for whoever opens the CI artefact later.
    values = {
        "source": result.source,
        "process_file": result.process_file or "",
        "generated_at": result.generated_at,
        "tool_version": result.tool_version,
        "complete": "true" if result.complete else "false",
    }
    properties = [xmltext.element(3, "property", {"name": name, "value": value}) for name, value in values.items()]
    return xmltext.element(2, "properties", {}, children=properties)


def _suites(result: AuditResult) -> Iterator[tuple[str, Iterable[Case], Sequence[str]]]:
    """Each testsuite's name, cases and the elements before them, in the order written."""
    by_area: dict[str, list[_Rule]] = {}
    for rule in _gather(result):
        by_area.setdefault(rule.area, []).append(rule)
    for area in sorted(by_area, key=area_rank):
        yield f"{PREFIX}.{area}", (case for rule in by_area[area] for case in _unique_names(_rule_cases(rule))), ()
    # Always present, passing or not, so CI history shows the audit's completeness over time.
    yield AUDIT_SUITE, [_completeness_case(result)], [_properties(result)]


def render(result: AuditResult) -> bytes:
    """UTF-8 XML with a declaration.

    Written as text (see reports.xmltext), testcase by testcase: a large org has tens of thousands
    of cases, and each is made, written and dropped before the next. Holding them all would make
    the garbage collector walk the whole heap in the middle of rendering.
    """
    suites: list[str] = []
    results: list[str | None] = []
    for name, cases, head in _suites(result):
        suite, suite_results = _suite(name, cases, result.generated_at, head)
        suites.append(suite)
        results += suite_results
    totals = _counts(results)
    # the xsd has no "skipped" on <testsuites>
    attributes = {"name": PREFIX, **{key: str(totals[key]) for key in ("tests", "failures", "errors")}}
    return (xmltext.DECLARATION + xmltext.element(0, "testsuites", attributes, children=suites)).encode("utf-8")
