"""A live org through the local fake Salesforce: logins, retrieval, secrets, round trips, faults.

Nothing in the client is monkeypatched: it talks HTTPS to a real server on 127.0.0.1 that
speaks the documented Salesforce endpoints (tests/fakesf).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import shutil
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest
from click.testing import CliRunner

from auditor import registry
from auditor.engine import run_audit
from auditor.org_cli import retrieve as retrieve_command
from auditor.sources import load_model
from auditor.sources.org import OrgConnection, OrgCredentials, OrgError, SessionExpired, connect, retrieve_org
from auditor.sources.org.facts import read_facts
from auditor.sources.org.http import RetryPolicy
from auditor.sources.org.retrieve import PollPolicy
from tests.conftest import FIXTURE_ORGS
from tests.fakesf import FakeSalesforce

FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
FAST_POLL = PollPolicy(first_delay=0.01, factor=1.5, max_delay=0.05, timeout=30)
ORGS = ("acme-mdapi", "acme-sfdx", "messy")
NOW = dt.datetime(2025, 3, 1, tzinfo=dt.timezone.utc)
SESSION_ID_PATTERN = re.compile(r"00D[0-9A-Za-z]{12,15}![0-9A-Za-z._\-]+")


@pytest.fixture
def acme(tmp_path: Path) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(org_dir=FIXTURE_ORGS / "acme-mdapi", tmp=tmp_path) as sf:
        yield sf


def password_creds(sf: FakeSalesforce, password: str | None = None) -> OrgCredentials:
    return OrgCredentials(method="password", login_url=sf.instance_url, username=sf.username,
                          password=password or sf.password, security_token=sf.security_token)


def live(sf: FakeSalesforce, creds: OrgCredentials | None = None, timeout: float = 10.0) -> OrgConnection:
    return connect(creds or password_creds(sf), ca_bundle=str(sf.ca_bundle), timeout=timeout, retry=FAST_RETRY)


def fingerprints(source: Path) -> set[tuple[str, str, str, str]]:
    """What an audit of a folder finds: rule, severity, subject and message of each finding."""
    result = run_audit(load_model(source), None, registry.all_checks(), now=NOW, tool_version="test")
    return {(f.rule_id, f.severity.label, f.subject, f.message) for f in result.findings}


def locations(source: Path) -> set[tuple[str, str, int | None]]:
    result = run_audit(load_model(source), None, registry.all_checks(), now=NOW, tool_version="test")
    return {(f.rule_id, f.location.path, f.location.line) for f in result.findings if f.location}


# -- logins ---------------------------------------------------------------------------------

def _fake_sf_cli(folder: Path, sf: FakeSalesforce) -> None:
    answer = {"status": 0, "result": {"accessToken": sf.access_token, "instanceUrl": sf.instance_url,
                                      "username": sf.username}}
    script = folder / "sf"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' '{json.dumps(answer)}'\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


@pytest.mark.parametrize("method", ["password", "jwt", "client-credentials", "access-token", "target-org"])
def test_every_login_method_retrieves_the_org(acme: FakeSalesforce, tmp_path: Path, method: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    common = {"login_url": acme.instance_url}
    creds = {
        "password": password_creds(acme),
        "jwt": OrgCredentials(method="jwt", username=acme.username, consumer_key=acme.consumer_key,
                              jwt_key_file=str(acme.jwt_private_key_path), **common),
        "client-credentials": OrgCredentials(method="client-credentials", consumer_key=acme.consumer_key,
                                             consumer_secret=acme.consumer_secret, **common),
        "access-token": OrgCredentials(method="access-token", access_token=acme.access_token,
                                       instance_url=acme.instance_url, **common),
        "target-org": OrgCredentials(method="target-org", target_org="acme-prod", **common),
    }[method]
    if method == "target-org":
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        _fake_sf_cli(bin_dir, acme)
        monkeypatch.setenv("PATH", str(bin_dir))
    conn = live(acme, creds)
    assert conn.instance_url == acme.instance_url
    report = retrieve_org(conn, tmp_path / "out", progress=False, poll=FAST_POLL)
    assert report.complete, report.missing
    assert (tmp_path / "out" / "objects" / "Lead.object").is_file()


def test_a_wrong_password_is_a_clear_error_without_the_password(acme: FakeSalesforce) -> None:
    with pytest.raises(OrgError, match="INVALID_LOGIN") as caught:
        live(acme, password_creds(acme, password="SECRET-wrong-password-1"))
    assert "SECRET-wrong-password-1" not in str(caught.value)
    assert acme.security_token not in str(caught.value)


def test_a_refused_jwt_is_a_clear_oauth_error(acme: FakeSalesforce) -> None:
    creds = OrgCredentials(method="jwt", login_url=acme.instance_url, username="nobody@elsewhere.example",
                           consumer_key=acme.consumer_key, jwt_key_file=str(acme.jwt_private_key_path))
    with pytest.raises(OrgError, match="JWT bearer login refused"):
        live(acme, creds)


def test_tls_is_verified_and_an_unknown_certificate_refused(acme: FakeSalesforce, tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    shutil.copy(certifi.where(), other_ca)
    with pytest.raises(OrgError, match="TLS verification"):
        connect(password_creds(acme), ca_bundle=str(other_ca), retry=FAST_RETRY)


# -- the same findings as the fixture ---------------------------------------------------------

@pytest.mark.parametrize("org", ORGS)
def test_a_retrieved_org_gives_the_findings_of_its_folder(org: str, tmp_path: Path) -> None:
    with FakeSalesforce(org_dir=FIXTURE_ORGS / org, tmp=tmp_path) as sf:
        report = retrieve_org(live(sf), tmp_path / "out", progress=False, poll=FAST_POLL)
    assert report.complete, report.missing
    assert fingerprints(tmp_path / "out") == fingerprints(FIXTURE_ORGS / org)
    if not (FIXTURE_ORGS / org / "sfdx-project.json").exists():  # same layout: same files and lines
        assert locations(tmp_path / "out") == locations(FIXTURE_ORGS / org)
    facts = read_facts(tmp_path / "out" / "facts.json")
    assert facts["complete"] is True
    assert facts["api_version"] == "62.0"
    assert {flow["api_name"] for flow in facts["flows"]} == set(sf.facts.flows)


def test_facts_name_users_queues_and_statuses(acme: FakeSalesforce, tmp_path: Path) -> None:
    acme.facts.user("sam.lee@acme.example").is_active = False
    acme.query_page_size = 2  # the client must follow queryMore
    retrieve_org(live(acme), tmp_path / "out", progress=False, poll=FAST_POLL)
    facts = read_facts(tmp_path / "out" / "facts.json")
    users = {user["username"]: user["active"] for user in facts["users"]}
    assert users["sam.lee@acme.example"] is False
    assert users["alex.rivera@acme.example"] is True
    hot = next(q for q in facts["queues"] if q["developer_name"] == "Hot_Leads")
    assert hot["sobject_types"] == ["Lead"]
    assert {(m["username"], m["active"]) for m in hot["members"]} == {("sam.lee@acme.example", False),
                                                                     ("kim.park@acme.example", True)}
    assert [s["api_name"] for s in facts["lead_statuses"]][:3] == ["New", "Contacted", "MQL"]
    assert facts["org"]["id"] == acme.facts.org_id


def test_the_active_flow_version_is_audited_not_the_newer_draft(acme: FakeSalesforce, tmp_path: Path) -> None:
    original = (FIXTURE_ORGS / "acme-mdapi" / "flows" / "Acme_Lead_Set_MQL.flow").read_bytes()
    draft = original.replace(b"<status>Active</status>", b"<status>Draft</status>")
    draft = draft.replace(b"</label>", b" (work in progress)</label>", 1)
    assert draft != original
    acme.facts.add_flow_version("Acme_Lead_Set_MQL", draft, status="Draft")
    report = retrieve_org(live(acme), tmp_path / "out", progress=False, poll=FAST_POLL)
    audited = {flow.api_name: flow for flow in report.flows}["Acme_Lead_Set_MQL"]
    assert (audited.source, audited.version_number, audited.status) == ("tooling", 1, "Active")
    written = (tmp_path / "out" / "flows" / "Acme_Lead_Set_MQL.flow").read_bytes()
    assert b"<status>Active</status>" in written and b"work in progress" not in written
    assert fingerprints(tmp_path / "out") == fingerprints(FIXTURE_ORGS / "acme-mdapi")
    recorded = {f["api_name"]: f for f in read_facts(tmp_path / "out" / "facts.json")["flows"]}
    assert recorded["Acme_Lead_Set_MQL"]["source"] == "tooling"
    assert recorded["Acme_Lead_Set_MQL"]["audited_version_id"] != recorded["Acme_Lead_Set_MQL"]["latest_version_id"]


# -- round trips ------------------------------------------------------------------------------

def _bigger_org(tmp_path: Path, extra_flows: int) -> Path:
    """acme-mdapi with many more fields, validation rules, assignment entries and reports."""
    org = tmp_path / f"org-{extra_flows}"
    shutil.copytree(FIXTURE_ORGS / "acme-mdapi", org)
    lead = org / "objects" / "Lead.object"
    fields = "".join(
        f"<fields><fullName>Extra_{i}__c</fullName><label>Extra {i}</label><type>Text</type><length>80</length>"
        f"</fields><validationRules><fullName>Extra_Rule_{i}</fullName><active>true</active>"
        f"<errorConditionFormula>ISBLANK(Extra_{i}__c)</errorConditionFormula><errorMessage>Fill Extra {i}"
        f"</errorMessage></validationRules>"
        for i in range(40)
    )
    lead.write_text(lead.read_text(encoding="utf-8").replace("</CustomObject>", fields + "</CustomObject>"),
                    encoding="utf-8")
    rules = org / "assignmentRules" / "Lead.assignmentRules"
    entries = "".join(
        f"<ruleEntry><assignedTo>rep{i}@acme.example</assignedTo><assignedToType>User</assignedToType>"
        f"<criteriaItems><field>Lead.State</field><operation>equals</operation><value>S{i}</value></criteriaItems>"
        f"</ruleEntry>"
        for i in range(30)
    )
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("<ruleEntry>", entries + "<ruleEntry>", 1), encoding="utf-8")
    reports = org / "reports" / "Lead_Reports"
    reports.mkdir(parents=True)
    for i in range(25):
        (reports / f"Lead_Report_{i}.report").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<Report xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"<name>Lead report {i}</name><format>Tabular</format><reportType>LeadList</reportType></Report>\n",
            encoding="utf-8",
        )
    flow = (org / "flows" / "Acme_Lead_Set_MQL.flow").read_bytes()
    for i in range(extra_flows):
        (org / "flows" / f"Acme_Extra_Flow_{i}.flow").write_bytes(flow)
    return org


def _round_trips(org: Path, tmp_path: Path) -> int:
    tmp_path.mkdir(parents=True, exist_ok=True)
    with FakeSalesforce(org_dir=org, tmp=tmp_path) as sf:
        report = retrieve_org(live(sf), tmp_path / "out", progress=False, poll=FAST_POLL)
        assert report.complete, report.missing
        assert report.round_trips == len(sf.requests) - 1  # everything but the login
        return len(sf.requests)


def test_round_trips_grow_with_lead_flows_only(tmp_path: Path) -> None:
    small = _round_trips(FIXTURE_ORGS / "acme-mdapi", tmp_path / "a")
    big = _round_trips(_bigger_org(tmp_path, extra_flows=0), tmp_path / "b")
    assert big == small  # 40 more fields and rules, 30 more entries (users), 25 reports: no more calls
    with_flows = _round_trips(_bigger_org(tmp_path, extra_flows=3), tmp_path / "c")
    assert with_flows == small + 3  # one Tooling call per Lead flow


# -- faults ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "endpoint, fault, count",
    [
        ("query", "server_errors", 2),
        ("query", "request_limit_exceeded", 2),
        ("tooling", "server_errors", 2),
        ("metadata", "server_errors", 2),
        ("metadata", "request_limit_exceeded", 1),
        ("soap_login", "server_errors", 1),
    ],
)
def test_transient_faults_are_retried_and_the_retrieval_completes(acme: FakeSalesforce, tmp_path: Path,
                                                                 endpoint: str, fault: str, count: int) -> None:
    baseline = _round_trips(FIXTURE_ORGS / "acme-mdapi", tmp_path / "baseline")
    setattr(getattr(acme.faults, endpoint), fault, count)
    report = retrieve_org(live(acme), tmp_path / "out", progress=False, poll=FAST_POLL)
    assert report.complete, report.missing
    assert len(acme.requests) == baseline + count  # each fault cost exactly one retry


def test_http_429_waits_for_retry_after(acme: FakeSalesforce, tmp_path: Path) -> None:
    acme.faults.query.too_many_requests = 1
    acme.faults.query.retry_after = 1
    started = time.monotonic()
    report = retrieve_org(live(acme), tmp_path / "out", progress=False, poll=FAST_POLL)
    assert report.complete
    assert time.monotonic() - started >= 1.0


def test_a_limit_that_persists_is_a_clear_error(acme: FakeSalesforce, tmp_path: Path) -> None:
    conn = live(acme)
    acme.faults.query.request_limit_exceeded = 50
    with pytest.raises(OrgError, match="REQUEST_LIMIT_EXCEEDED"):
        retrieve_org(conn, tmp_path / "out", progress=False, poll=FAST_POLL)
    assert not (tmp_path / "out").exists()  # nothing that looks like a finished retrieval


@pytest.mark.parametrize(
    "endpoint, path, calls",
    [("metadata", "/services/Soap/m/62.0", 1), ("query", "/services/data/v62.0/query", 1),
     ("tooling", "/services/data/v62.0/tooling/query", 2)],  # acme has two Lead flows, asked in parallel
)
def test_an_expired_session_is_a_clear_error_and_not_retried(acme: FakeSalesforce, tmp_path: Path,
                                                             endpoint: str, path: str, calls: int) -> None:
    conn = live(acme)
    getattr(acme.faults, endpoint).invalid_session = True
    before = len(acme.requests)
    with pytest.raises(SessionExpired, match="INVALID_SESSION_ID") as caught:
        retrieve_org(conn, tmp_path / "out", progress=False, poll=FAST_POLL)
    assert "log in again" in caught.value.message
    assert conn.session_id not in caught.value.message
    assert [p for _, p in acme.requests[before:]].count(path) == calls  # each failing call made once


def test_sessions_expired_in_the_org_are_reported(acme: FakeSalesforce, tmp_path: Path) -> None:
    conn = live(acme)
    acme.expire_sessions()
    with pytest.raises(SessionExpired):
        retrieve_org(conn, tmp_path / "out", progress=False, poll=FAST_POLL)


@pytest.mark.parametrize("fault, reason", [("retrieve_failed", "failed"), ("truncated_zip", "truncated")])
def test_a_failed_or_truncated_retrieve_is_incomplete_never_whole(acme: FakeSalesforce, tmp_path: Path,
                                                                 fault: str, reason: str) -> None:
    setattr(acme.faults, fault, True)
    report = retrieve_org(live(acme), tmp_path / "out", progress=False, poll=FAST_POLL)
    assert not report.complete
    assert any(item.startswith("metadata:") and reason in item for item in report.missing)
    facts = read_facts(tmp_path / "out" / "facts.json")
    assert facts["complete"] is False
    assert facts["unavailable"][0]["item"] == "metadata"


def test_a_retrieve_that_does_not_finish_in_time_is_incomplete(acme: FakeSalesforce, tmp_path: Path) -> None:
    acme.faults.retrieve_polls_in_progress = 1000
    poll = PollPolicy(first_delay=0.01, factor=1.0, max_delay=0.01, timeout=0.2)
    report = retrieve_org(live(acme), tmp_path / "out", progress=False, poll=poll)
    assert not report.complete
    assert "did not finish within" in report.missing[0]


def test_a_slow_org_times_out_after_bounded_retries(acme: FakeSalesforce, tmp_path: Path) -> None:
    conn = live(acme, timeout=0.2)
    acme.faults.query.latency = 1.0
    before = len(acme.requests)
    with pytest.raises(OrgError, match="timed out after 4 attempts"):
        retrieve_org(conn, tmp_path / "out", progress=False, poll=FAST_POLL)
    assert sum(1 for _, path in acme.requests[before:] if path.endswith("/query")) == 4


# -- secrets never reach output ----------------------------------------------------------------

def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file())


def _assert_no_secret(text: str, sf: FakeSalesforce, *extra: str) -> None:
    for secret in [*sf.secrets(), *extra]:
        assert secret not in text
    assert not SESSION_ID_PATTERN.search(text)


def _cli_env(sf: FakeSalesforce, password: str) -> dict[str, str]:
    return {"SF_USERNAME": sf.username, "SF_PASSWORD": password, "SF_SECURITY_TOKEN": sf.security_token,
            "SF_CA_BUNDLE": str(sf.ca_bundle), "CI": "true"}


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_no_secret_in_any_output_log_or_file_of_a_debug_retrieval(acme: FakeSalesforce, tmp_path: Path,
                                                                  restore_logging: None) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(retrieve_command, ["--login-url", acme.instance_url, "--out", str(out), "--debug"],
                                env=_cli_env(acme, acme.password))
    assert result.exit_code == 0, result.output
    assert "DEBUG" in result.output  # the request log was written, and searched
    _assert_no_secret(result.output, acme)
    _assert_no_secret(_all_text(out), acme)


def test_no_secret_in_the_error_of_a_failed_login_with_debug(acme: FakeSalesforce, tmp_path: Path,
                                                            restore_logging: None) -> None:
    result = CliRunner().invoke(retrieve_command,
                                ["--login-url", acme.instance_url, "--out", str(tmp_path / "out"), "--debug"],
                                env=_cli_env(acme, "SECRET-wrong-password-2"))
    assert result.exit_code == 3
    assert "INVALID_LOGIN" in result.output
    _assert_no_secret(result.output, acme, "SECRET-wrong-password-2")


def test_no_secret_in_logs_or_errors_when_the_session_expires(acme: FakeSalesforce, tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    creds = OrgCredentials(method="client-credentials", login_url=acme.instance_url,
                           consumer_key=acme.consumer_key, consumer_secret=acme.consumer_secret)
    with caplog.at_level(logging.DEBUG):
        conn = live(acme, creds)
        acme.faults.tooling.invalid_session = True
        with pytest.raises(SessionExpired) as caught:
            retrieve_org(conn, tmp_path / "out", progress=True, poll=FAST_POLL)
    assert caplog.records
    _assert_no_secret(caplog.text + str(caught.value) + repr(conn) + repr(creds), acme, conn.session_id)


def test_the_cli_exits_3_on_an_incomplete_retrieval(acme: FakeSalesforce, tmp_path: Path) -> None:
    acme.faults.retrieve_failed = True
    result = CliRunner().invoke(retrieve_command, ["--login-url", acme.instance_url, "--out", str(tmp_path / "o")],
                                env=_cli_env(acme, acme.password))
    assert result.exit_code == 3
    assert "incomplete" in result.output


def test_the_cli_without_a_login_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(retrieve_command, ["--out", str(tmp_path / "o")],
                                env={name: "" for name in ("SF_ACCESS_TOKEN", "SF_USERNAME", "SF_PASSWORD",
                                                           "SF_CONSUMER_KEY", "SF_CONSUMER_SECRET", "SF_JWT_KEY_FILE")})
    assert result.exit_code == 2
    assert "no way to log in" in result.output
