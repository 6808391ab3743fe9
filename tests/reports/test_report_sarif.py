"""The SARIF report: valid against the OASIS SARIF 2.1.0 schema, located, and honest about gaps."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jsonschema import Draft7Validator, FormatChecker

from auditor.findings import AuditResult, Baseline, Finding, Rule, RuleOutcome, Severity, WaivedFinding
from auditor.model import SourceRef
from reports import sarif
from tests.reports.conftest import (
    BASE_FINDINGS,
    LC001,
    RT005,
    STATUS_FIELD,
    WAIVED,
    finding,
    make_result,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"

# RFC 3986: what a URI reference may contain, and the scheme an absolute URI starts with.
# jsonschema checks "uri-reference" only with an optional package installed; these make the
# format assertions real without it.
_URI_CHARS = re.compile(r"^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")

Document = dict[str, Any]


def _uri_reference(value: object) -> bool:
    if not isinstance(value, str) or not _URI_CHARS.match(value):
        return False
    first_segment = value.split("/", 1)[0]
    return ":" not in first_segment or bool(_SCHEME.match(value))  # "a:b" would read as a scheme


def _uri(value: object) -> bool:
    return _uri_reference(value) and bool(_SCHEME.match(str(value)))


def _date_time(value: object) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", value))


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    return sarif_validator()


def sarif_validator() -> Draft7Validator:
    """The official SARIF 2.1.0 schema (tests/data copy), with real format checks."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(schema)
    # This copy keeps the log's own shape under definitions/Root and constrains nothing at the
    # top, so validating against the file as it is would accept any JSON: point at the root.
    # test_validator_rejects_a_broken_log proves the validator is not toothless.
    if "Root" in schema.get("definitions", {}) and "properties" not in schema:
        schema = {**schema, "$ref": "#/definitions/Root"}
    checker = FormatChecker()
    checker.checks("uri-reference")(_uri_reference)
    checker.checks("uri")(_uri)
    checker.checks("date-time")(_date_time)
    return Draft7Validator(schema, format_checker=checker)


GOOD_LOG: Document = {
    "version": "2.1.0",
    "runs": [{"tool": {"driver": {"name": "leadaudit"}}, "results": [{"message": {"text": "m"}, "level": "error"}]}],
}


def _broken(path: tuple[str | int, ...], value: object) -> Document:
    document: Document = json.loads(json.dumps(GOOD_LOG))
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


def test_every_result_has_a_location_even_without_a_process_file(validator: Draft7Validator) -> None:
    from tests.reports.conftest import make_result

    run = _run(make_result(process_file=None), validator)
    assert run["results"] and all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
    (orgwide,) = [r for r in run["results"] if r["properties"]["subject"] == "AssignmentRule:Lead.Standard"]
    assert _artifact(orgwide) == {"uri": "force-app"}


@pytest.mark.parametrize(
    "document",
    [
        _broken(("version",), "3.0"),
        _broken(("runs", 0, "results", 0, "level"), "critical"),
        _broken(("runs", 0, "results", 0, "locations"), [{"physicalLocation": {"artifactLocation": {"uri": "a b"}}}]),
        _broken(("runs", 0, "results", 0, "locations"), [{"physicalLocation": {"region": {"startLine": 0}}}]),
        _broken(("runs", 0, "results", 0, "suppressions"), [{"kind": "waiver"}]),
        _broken(("$schema",), "not a uri"),
        {"runs": []},
    ],
)
def test_validator_rejects_a_broken_log(document: Document, validator: Draft7Validator) -> None:
    assert validator.is_valid(GOOD_LOG)
    assert not validator.is_valid(document)  # each single defect is caught


def _load(text: str, validator: Draft7Validator) -> Document:
    assert text.endswith("}\n")
    document: Document = json.loads(text)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return document


def _run(result: AuditResult, validator: Draft7Validator, docs: dict[str, str] | None = None) -> Document:
    document = _load(sarif.render(result, docs), validator)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    assert isinstance(run, dict)
    _assert_rule_indexes(run)
    return run


def _assert_rule_indexes(run: Document) -> None:
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def _by_subject(run: Document) -> dict[str, Document]:
    results: dict[str, Document] = {}
    for res in run["results"]:
        results.setdefault(res["properties"]["subject"], res)
    return results


def _artifact(res: Document) -> Document:
    (location,) = res["locations"]
    artifact: Document = location["physicalLocation"]["artifactLocation"]
    return artifact


def test_complete_result(complete_result: AuditResult, validator: Draft7Validator) -> None:
    run = _run(complete_result, validator)
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("leadaudit", "0.1.0")
    assert driver["informationUri"].startswith("https://")
    # Every rule of the outcomes, in area order, whatever it did.
    assert [r["id"] for r in driver["rules"]] == ["CF001", "LC001", "LC002", "SL001", "RT002", "RT005", "AU003", "SC001"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["RT005"]["defaultConfiguration"] == {"level": "note"}
    assert rules["LC002"]["defaultConfiguration"] == {"level": "warning"}
    assert rules["SC001"]["properties"]["status"] == "not-applicable"
    assert rules["SC001"]["properties"]["reason"] == "the source has no scoring model"
    assert rules["AU003"]["properties"]["status"] == "disabled"
    # Without documentation, descriptions fall back on the summary.
    assert rules["RT002"]["shortDescription"] == rules["RT002"]["fullDescription"] == {"text": "No catch-all entry"}
    assert rules["RT002"]["help"] == {"text": "No catch-all entry"}

    assert run["invocations"] == [
        {"executionSuccessful": True, "toolExecutionNotifications": [], "startTimeUtc": "2030-01-02T03:04:05Z"}
    ]
    assert run["properties"]["complete"] is True
    assert "originalUriBaseIds" not in run

    results = _by_subject(run)
    assert len(run["results"]) == len(BASE_FINDINGS) + len(WAIVED)
    nurture = results["Status:Nurture"]
    assert nurture["level"] == "error"
    assert nurture["message"]["text"] == "Status Nurture is not in the process. Fix: fix Status:Nurture"
    assert nurture["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": f"force-app/{STATUS_FIELD}"},  # re-rooted at the source
        "region": {"startLine": 40},
    }
    expected = next(f for f in BASE_FINDINGS if f.subject == "Status:Nurture")
    assert nurture["partialFingerprints"] == {"leadaudit/v1": expected.fingerprint}
    assert nurture["properties"]["severity"] == "high"
    assert results["Status:Working"]["level"] == "warning"
    assert _artifact(results["Status:Working"]) == {"uri": "process.yaml"}  # the process file stays as given
    assert results["Queue:Empty_Queue"]["level"] == "note"
    # no file of its own: placed on the process file, since code scanning rejects a result without one
    assert results["AssignmentRule:Lead.Standard"]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "process.yaml"}, "region": {"startLine": 1}}
    assert all("baselineState" not in res and "suppressions" not in res for res in run["results"][:-1])


def test_waived_finding_is_a_suppressed_result(complete_result: AuditResult, validator: Draft7Validator) -> None:
    run = _run(complete_result, validator)
    waived = _by_subject(run)["Queue:Legacy"]
    assert waived["suppressions"] == [{"kind": "external", "status": "accepted", "justification": "being retired in Q3"}]
    assert waived["properties"]["waiverExpires"] == "2031-09-30"
    assert waived["ruleId"] == "RT005" and waived["level"] == "note"
    assert _artifact(waived)["uri"] == "force-app/queues/Legacy.queue"


def test_incomplete_result_is_unmistakable(incomplete_result: AuditResult, validator: Draft7Validator) -> None:
    run = _run(incomplete_result, validator)
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notifications = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notifications] == ["error", "error"]
    texts = [n["message"]["text"] for n in notifications]
    assert texts == [
        "The audit is incomplete: objects/Lead.object could not be read",
        "The audit is incomplete: rule AU007 crashed: KeyError 'fault'",
    ]
    assert run["properties"]["complete"] is False
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["AU007"]["properties"]["status"] == "error"
    unreadable = _by_subject(run)["objects/Lead.object"]
    assert unreadable["level"] == "error"
    assert _artifact(unreadable) == {"uri": "force-app/objects/Lead.object"}


CF002 = Rule("CF002", "check-crashed", Severity.HIGH, "configuration", "A check failed with an internal error")
CF002_DOC = """CF002 check-crashed: a check failed with an internal error.

What: a rule raised an unexpected error on this org's metadata, so its verdict is unknown.

How to fix: report it with the error text; until it is fixed,
review that rule's area by hand.
"""


def test_engine_made_finding_gets_a_rule(validator: Draft7Validator) -> None:
    crashed = finding(CF002, "Rule:AU007", "AU007 flow-fault-path-missing failed with KeyError: 'fault'", None)
    result = make_result(findings=(*BASE_FINDINGS, crashed), incomplete_reasons=("rule AU007 crashed (KeyError)",))
    run = _run(result, validator, {"CF002": CF002_DOC, "LC001": "LC001 status-missing: short.\n\nWhat: more."})
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CF002"]["name"] == "check-crashed"
    assert rules["CF002"]["shortDescription"] == {"text": "a check failed with an internal error."}
    assert rules["CF002"]["fullDescription"] == {"text": "CF002 check-crashed: a check failed with an internal error."}
    assert rules["CF002"]["help"] == {
        "text": "How to fix: report it with the error text; until it is fixed, review that rule's area by hand."
    }
    assert rules["CF002"]["defaultConfiguration"] == {"level": "error"}
    # A documented rule without a "How to fix" section gets its whole doc as help.
    assert rules["LC001"]["fullDescription"] == {"text": "LC001 status-missing: short."}
    assert rules["LC001"]["help"] == {"text": "LC001 status-missing: short.\n\nWhat: more."}
    assert rules["LC001"]["shortDescription"] == {"text": LC001.summary}
    assert _artifact(_by_subject(run)["Rule:AU007"]) == {"uri": "process.yaml"}


def test_baseline_states(validator: Draft7Validator) -> None:
    fixed = finding(LC001, "Status:Open", "Status Open is not in the process", SourceRef(STATUS_FIELD, 12))
    retired_rule = Rule("RT010", "routing-retired", Severity.MEDIUM, "routing", "a rule this version no longer has")
    retired = finding(retired_rule, "Queue:Old", "Queue Old is retired", SourceRef("queues/Old.queue", 3))
    nurture = next(f for f in BASE_FINDINGS if f.subject == "Status:Nurture")
    # The line moved since the baseline: the fingerprint ignores lines, so it is unchanged.
    moved = dataclasses.replace(nurture, location=SourceRef(STATUS_FIELD, 7))
    baseline = Baseline("old.json", "2029-12-01T00:00:00+00:00", (moved, WAIVED[0].finding, fixed, retired))
    run = _run(make_result(baseline=baseline), validator)

    states = {res["properties"]["subject"]: res["baselineState"] for res in run["results"]}
    assert states == {
        "Status:Nurture": "unchanged",
        "Status:Recycled": "new",
        "Status:Working": "new",
        "AssignmentRule:Lead.Standard": "new",
        "Queue:Empty_Queue": "new",
        "Queue:Legacy": "unchanged",  # waived now and then: still the same finding
    }  # fixed findings (Status:Open, Queue:Old) are not results: GitHub would show them as open
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert "RT010" not in rules
    assert run["properties"]["baseline"] == {"path": "old.json", "generatedAt": "2029-12-01T00:00:00+00:00"}


def test_zip_source_uses_a_base_id(validator: Draft7Validator) -> None:
    inside = finding(LC001, "Status:Nurture", "Status Nurture is not in the process", SourceRef("unpackaged/objects/Lead.object", 40))
    bad_entry = finding(LC001, "bad", "zip entry refused", SourceRef("org.zip!unpackaged/../../etc/passwd"))
    whole = finding(LC001, "zip", "not a readable zip file", SourceRef("org.zip"))
    documented = finding(LC001, "Status:Working", "documented", SourceRef("retrieves/process.yaml", 3))
    result = make_result(
        source="retrieves/org.zip",
        process_file="retrieves/process.yaml",
        findings=(inside, bad_entry, whole, documented),
        waived=(),
    )
    run = _run(result, validator)
    results = _by_subject(run)
    assert _artifact(results["Status:Nurture"]) == {"uri": "unpackaged/objects/Lead.object", "uriBaseId": "LEADAUDIT_SOURCE"}
    assert _artifact(results["bad"]) == {"uri": "../etc/passwd", "uriBaseId": "LEADAUDIT_SOURCE"}
    assert _artifact(results["zip"]) == {"uri": "retrieves/org.zip"}
    assert _artifact(results["Status:Working"]) == {"uri": "retrieves/process.yaml"}
    base = run["originalUriBaseIds"]["LEADAUDIT_SOURCE"]
    assert "uri" not in base  # an archive's inside has no URI to resolve against
    assert "retrieves/org.zip" in base["description"]["text"]
    assert base["properties"] == {"archive": "retrieves/org.zip"}


@pytest.mark.parametrize(
    ("source", "path", "expected"),
    [
        (".", "force-app/main/default/flows/A.flow-meta.xml", "force-app/main/default/flows/A.flow-meta.xml"),
        ("./examples/demo-org/", "objects/Lead.object", "examples/demo-org/objects/Lead.object"),
        ("../orgs/acme", "queues/Sales.queue", "../orgs/acme/queues/Sales.queue"),
        ("my org", "queues/Sales Team #1.queue", "my%20org/queues/Sales%20Team%20%231.queue"),
        ("orgs", "queues/Müller_100%.queue", "orgs/queues/M%C3%BCller_100%25.queue"),
        ("orgs", "weird:name.queue", "orgs/weird%3Aname.queue"),
        (".", "weird:name.queue", "weird%3Aname.queue"),  # not read as a URI scheme
        ("orgs", "queues/caf\udce9.queue", "orgs/queues/caf%E9.queue"),  # a Latin-1 file name, as os.walk gives it
    ],
)
def test_folder_uris(source: str, path: str, expected: str, validator: Draft7Validator) -> None:
    located = finding(RT005, "Queue:X", "Queue X has no members", SourceRef(path, 1))
    run = _run(make_result(source=source, findings=(located,), waived=()), validator)
    assert _artifact(run["results"][0]) == {"uri": expected}


def test_absolute_source_gives_file_uris(tmp_path: Path, validator: Draft7Validator) -> None:
    source = tmp_path / "acme org"
    process = tmp_path / "process.yaml"
    located = finding(RT005, "Queue:X", "Queue X has no members", SourceRef("queues/X.queue", 2))
    documented = finding(LC001, "Status:Y", "documented", SourceRef(str(process), 9))
    result = make_result(source=str(source), process_file=str(process), findings=(located, documented), waived=())
    results = _by_subject(_run(result, validator))
    uri = _artifact(results["Queue:X"])["uri"]
    assert uri == (source / "queues" / "X.queue").as_uri()
    assert uri.startswith("file:///") and "acme%20org" in uri
    assert _artifact(results["Status:Y"])["uri"] == process.as_uri()


@pytest.mark.parametrize("line", [None, 0])
def test_unknown_line_has_no_region(line: int | None, validator: Draft7Validator) -> None:
    located = finding(RT005, "Queue:X", "Queue X has no members", SourceRef("queues/X.queue", line))
    run = _run(make_result(findings=(located,), waived=()), validator)
    assert run["results"][0]["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "force-app/queues/X.queue"}}}]


def test_deterministic_whatever_the_input_order(complete_result: AuditResult, validator: Draft7Validator) -> None:
    text = sarif.render(complete_result)
    shuffled = dataclasses.replace(
        complete_result,
        findings=tuple(reversed(complete_result.findings)),
        outcomes=tuple(reversed(complete_result.outcomes)),
    )
    assert sarif.render(shuffled) == text == sarif.render(complete_result)
    assert text.isascii()
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=2) + "\n"
    # Results follow the other reports' order: area, then severity, rule, location.
    subjects = [res["properties"]["subject"] for res in _run(complete_result, validator)["results"]]
    assert subjects == [
        "Status:Recycled", "Status:Nurture", "Status:Working",
        "AssignmentRule:Lead.Standard", "Queue:Empty_Queue", "Queue:Legacy",
    ]


def test_hostile_text_stays_data(hostile_result: AuditResult, validator: Draft7Validator) -> None:
    run = _run(hostile_result, validator)
    original = hostile_result.findings[0]
    res = run["results"][0]
    assert res["message"]["text"].startswith(original.message)
    assert res["properties"]["subject"] == original.subject
    uri = _artifact(res)["uri"]
    assert unquote(uri).endswith(original.location.path if original.location else "")
    assert "<" not in uri and '"' not in uri


def test_regraded_finding_keeps_its_own_level(validator: Draft7Validator) -> None:
    regraded = finding(LC001, "Status:Nurture", "Status Nurture is not in the process", None, severity=Severity.LOW)
    run = _run(make_result(findings=(regraded,), waived=()), validator)
    assert run["results"][0]["level"] == "note"
    rule = run["tool"]["driver"]["rules"][run["results"][0]["ruleIndex"]]
    assert rule["defaultConfiguration"] == {"level": "error"}


def test_no_outcomes_and_no_findings(validator: Draft7Validator) -> None:
    run = _run(make_result(findings=(), waived=(), outcomes=()), validator)
    assert run["tool"]["driver"]["rules"] == [] and run["results"] == []


def test_demo_org(monkeypatch: pytest.MonkeyPatch, validator: Draft7Validator) -> None:
    """The real pipeline, run from the repository root as CI would: URIs point at real files."""
    from auditor import registry
    from auditor.engine import run_audit
    from auditor.process import load_process
    from auditor.sources import load_model

    monkeypatch.chdir(REPO)
    source = Path("examples/demo-org")
    result = run_audit(
        load_model(source),
        load_process(source / "process.yaml"),
        registry.all_checks(),
        now=dt.datetime(2030, 1, 2, tzinfo=dt.timezone.utc),
        tool_version="0.1.0",
    )
    docs = {rule.id: doc for rule, doc in registry.catalogue()}
    run = _run(result, validator, docs)
    assert run["invocations"][0]["executionSuccessful"] is True

    late = [res for res in run["results"] if res["ruleId"] == "SL002"]
    assert late, "the demo org's SL002 finding is gone"
    physical = late[0]["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "examples/demo-org/force-app/main/default/flows/Lead_Contacted_SLA_Alert.flow-meta.xml"
    }
    assert physical["region"]["startLine"] >= 1

    uris = {_artifact(res)["uri"] for res in run["results"] if "locations" in res}
    assert "examples/demo-org/process.yaml" in uris
    for uri in uris:
        assert (REPO / unquote(uri)).is_file(), uri
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["SL002"]["help"]["text"].startswith("How to fix: ")
    assert rules["SL002"]["fullDescription"]["text"].startswith("SL002 sla-alert-late: ")


def test_waived_result_in_a_baseline_is_unchanged_and_suppressed(validator: Draft7Validator) -> None:
    waiver = WaivedFinding(
        finding(RT005, "Queue:Legacy", "Queue Legacy has no members", SourceRef("queues/Legacy.queue", 2)),
        reason="retired", expires="2031-01-01",
    )
    result = make_result(findings=(), waived=(waiver,), baseline=Baseline("b.json", "2030-01-01", ()))
    (res,) = _run(result, validator)["results"]
    assert res["baselineState"] == "new" and res["suppressions"][0]["justification"] == "retired"


def test_rebuilt_rule_does_not_depend_on_finding_order() -> None:
    def crashed(subject: str, severity: Severity) -> Finding:
        return finding(CF002, subject, f"{subject} failed", None, severity=severity)

    first = make_result(findings=(crashed("Rule:A", Severity.LOW), crashed("Rule:B", Severity.HIGH)), waived=())
    second = dataclasses.replace(first, findings=tuple(reversed(first.findings)))
    assert sarif.render(first) == sarif.render(second)
    rules = json.loads(sarif.render(first))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][:2] == ["CF001", "CF002"]  # configuration is the first area
    assert rules[1]["defaultConfiguration"] == {"level": "error"}  # the highest of its findings


def test_outcome_rule_wins_over_a_rebuilt_one(validator: Draft7Validator) -> None:
    # LC001 has an outcome: its descriptor comes from the Rule, not from a finding's fields.
    odd = finding(LC001, "Status:X", "x", None, rule_name="renamed")
    run = _run(make_result(findings=(odd,), waived=(), outcomes=(RuleOutcome(LC001, "ran"),)), validator)
    assert [r["name"] for r in run["tool"]["driver"]["rules"]] == ["status-not-in-process"]
