"""The JUnit report: valid against the Jenkins xUnit junit-10.xsd, with honest counts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from auditor.findings import AuditResult, Finding, Rule, RuleOutcome, Severity
from reports import junit

XSD = Path(__file__).resolve().parents[1] / "data" / "junit-10.xsd"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _parse(result: AuditResult, schema: etree.XMLSchema) -> etree._Element:
    data = junit.render(result)
    assert isinstance(data, bytes)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = etree.fromstring(data)
    schema.assertValid(root)
    return root


def _counts(element: etree._Element) -> tuple[int, ...]:
    return tuple(int(element.get(name, "-1")) for name in ("tests", "failures", "errors", "skipped"))


def _suites(root: etree._Element) -> dict[str, tuple[int, ...]]:
    return {suite.get("name"): _counts(suite) for suite in root.iter("testsuite")}


def _assert_counts_match_children(root: etree._Element) -> None:
    for suite in root.iter("testsuite"):
        cases = suite.findall("testcase")
        actual = (
            len(cases),
            sum(1 for c in cases if c.find("failure") is not None),
            sum(1 for c in cases if c.find("error") is not None),
            sum(1 for c in cases if c.find("skipped") is not None),
        )
        assert _counts(suite) == actual, suite.get("name")


def test_complete_counts(complete_result: AuditResult, schema: etree.XMLSchema) -> None:
    root = _parse(complete_result, schema)
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("11", "5", "0")
    assert _suites(root) == {
        "leadaudit.configuration": (1, 0, 0, 0),
        "leadaudit.lifecycle": (3, 2, 0, 0),
        "leadaudit.sla": (1, 1, 0, 0),
        "leadaudit.routing": (3, 2, 0, 1),
        "leadaudit.automation": (1, 0, 0, 1),
        "leadaudit.scoring": (1, 0, 0, 1),
        "leadaudit.audit": (1, 0, 0, 0),
    }
    assert list(_suites(root)) == [  # AREAS order, the completeness suite last
        "leadaudit.configuration", "leadaudit.lifecycle", "leadaudit.sla", "leadaudit.routing",
        "leadaudit.automation", "leadaudit.scoring", "leadaudit.audit",
    ]
    _assert_counts_match_children(root)


def test_incomplete_counts(incomplete_result: AuditResult, schema: etree.XMLSchema) -> None:
    root = _parse(incomplete_result, schema)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("12", "5", "3")
    suites = _suites(root)
    assert suites["leadaudit.configuration"] == (1, 0, 1, 0)  # CF001: an error, not a failure
    assert suites["leadaudit.automation"] == (2, 0, 1, 1)  # AU003 disabled, AU007 crashed
    assert suites["leadaudit.audit"] == (1, 0, 1, 0)
    _assert_counts_match_children(root)
    (case,) = root.xpath("//testcase[@name='audit completeness']")
    error = case.find("error")
    assert error is not None
    assert "objects/Lead.object could not be read" in error.text
    assert "rule AU007 crashed" in error.text


def test_testcases(complete_result: AuditResult, schema: etree.XMLSchema) -> None:
    root = _parse(complete_result, schema)
    (case,) = root.xpath("//testcase[@classname='leadaudit.lifecycle.LC001'][contains(@name, 'Recycled')]")
    assert case.get("name") == "LC001 status-not-in-process: Status:Recycled"
    failure = case.find("failure")
    assert failure.get("type") == "high"
    assert failure.get("message") == "Status Recycled is not in the process"
    assert "objects/Lead/fields/Status.field:31" in failure.text
    assert "fix: fix Status:Recycled" in failure.text
    (passing,) = root.xpath("//testcase[@classname='leadaudit.lifecycle.LC002']")
    assert passing.get("name") == "LC002 default-status-missing" and len(passing) == 0
    (waived,) = root.xpath("//testcase[contains(@name, 'Queue:Legacy')]/skipped")
    assert waived.get("message") == "waived: being retired in Q3 (expires 2031-09-30)"
    (na,) = root.xpath("//testcase[@classname='leadaudit.scoring.SC001']/skipped")
    assert na.get("message") == "the source has no scoring model"
    (no_location,) = root.xpath("//testcase[@classname='leadaudit.routing.RT002']/failure")
    assert "location: (no file location)" in no_location.text


def test_control_characters_stripped(hostile_result: AuditResult, schema: etree.XMLSchema) -> None:
    root = _parse(hostile_result, schema)
    (failure,) = root.xpath("//testcase[@classname='leadaudit.routing.RT009']/failure")
    assert failure.get("message") == "message <script>alert(1)</script> \"><img src=x onerror=alert(1)> nul esc[2J end"
    assert "\x00" not in failure.text and "\x1b" not in failure.text


def test_duplicate_subjects_stay_distinct(complete_result: AuditResult, schema: etree.XMLSchema) -> None:
    twice = complete_result.findings + complete_result.findings[:1]
    root = _parse(dataclasses.replace(complete_result, findings=twice), schema)
    names = [c.get("name") for c in root.xpath("//testcase[@classname='leadaudit.routing.RT005']")]
    assert names == [
        "RT005 queue-without-members: Queue:Empty_Queue",
        "RT005 queue-without-members: Queue:Empty_Queue #2",
        "RT005 queue-without-members: Queue:Legacy",
    ]


def test_empty_result_is_valid(empty_result: AuditResult, schema: etree.XMLSchema) -> None:
    root = _parse(empty_result, schema)
    assert _suites(root) == {"leadaudit.lifecycle": (1, 0, 0, 0), "leadaudit.audit": (1, 0, 0, 0)}


def test_finding_without_outcome_and_crashed_rule_with_finding(
    complete_result: AuditResult, schema: etree.XMLSchema
) -> None:
    au007 = Rule("AU007", "flow-without-fault-path", Severity.MEDIUM, "automation", "no fault path")
    crashed = Finding("AU007", au007.name, Severity.HIGH, "automation", "Flow:Lead_SLA",
                      "internal error while checking", "report the bug", None)
    result = dataclasses.replace(
        complete_result,
        outcomes=(RuleOutcome(au007, "error", "KeyError"),),  # no outcome for the other rules
        findings=complete_result.findings + (crashed,),
        incomplete_reasons=("AU007 crashed",),
    )
    root = _parse(result, schema)
    _assert_counts_match_children(root)
    # Findings of rules without an outcome still reach CI; the crashed rule's finding is an error.
    assert len(root.xpath("//testcase/failure")) == 5
    (error,) = root.xpath("//testcase[@classname='leadaudit.automation.AU007']/error")
    assert error.get("message") == "internal error while checking"


def test_each_subject_checked_is_a_testcase_passing_ones_included(schema: etree.XMLSchema) -> None:
    from auditor.findings import Checked
    from auditor.model import SourceRef
    from tests.reports.conftest import STATUS_FIELD, make_result

    passed = (
        Checked("LC001", "Status:New", SourceRef(STATUS_FIELD, 5)),
        Checked("LC001", "Status:MQL", SourceRef(STATUS_FIELD, 12)),
        Checked("SL001", "Status:MQL", None),
    )
    root = _parse(make_result(passed=passed), schema)
    suites = _suites(root)
    assert suites["leadaudit.lifecycle"] == (5, 2, 0, 0)  # LC001: 2 failed + 2 passed; LC002 ran on nothing
    assert suites["leadaudit.sla"] == (2, 1, 0, 0)
    assert (root.get("tests"), root.get("failures")) == ("14", "5")
    _assert_counts_match_children(root)
    (case,) = root.xpath("//testcase[@name='LC001 status-not-in-process: Status:MQL']")
    assert len(case) == 1 and case[0].tag == "system-out"  # passed: no failure, only its properties
    assert case[0].text.splitlines() == [
        "rule_id: LC001", "severity: high", "subject: Status:MQL", f"file: {STATUS_FIELD}", "line: 12",
    ]
    (failed,) = root.xpath("//testcase[@name='LC001 status-not-in-process: Status:Recycled']")
    assert [child.tag for child in failed] == ["failure", "system-out"]
    assert "line: 31" in failed.find("system-out").text


def test_a_rule_with_nothing_to_check_is_skipped_not_passed(schema: etree.XMLSchema) -> None:
    from auditor.findings import NOTHING_TO_CHECK, Checked
    from tests.reports.conftest import make_result

    root = _parse(make_result(passed=(Checked("LC002", NOTHING_TO_CHECK, None),)), schema)
    (case,) = root.xpath("//testcase[@classname='leadaudit.lifecycle.LC002']")
    skipped = case.find("skipped")
    assert skipped is not None and skipped.get("message") == "the rule ran but the source has nothing for it to check"
