"""Live measurements (``--metrics``) against the local fake Salesforce holding seeded leads.

The expected figures are computed here from the generated records' whole history (the ground
truth a person would compute with every record in hand), never by calling the code under test,
which only sees what 90 days of LeadHistory and a few queries tell it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import shutil
import statistics
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor import registry
from auditor.engine import run_audit
from auditor.measurements import METRICS_FILE, Measurement, MetricsError, read_measurements
from auditor.org_cli import retrieve as retrieve_command
from auditor.process import Process, load_process
from auditor.sources import load_model
from auditor.sources.org import OrgConnection, OrgCredentials, SessionExpired, connect
from auditor.sources.org.http import RetryPolicy
from auditor.sources.org.metrics import collect_metrics, write_metrics
from tests.conftest import FIXTURE_ORGS
from tests.fakesf import FakeSalesforce
from tests.fakesf.leads import LeadBook, LeadFact
from tests.fakesf.wire import query, records

NOW = dt.datetime(2025, 3, 1, 9, 30, tzinfo=dt.timezone.utc)
WINDOW_START = NOW - dt.timedelta(days=90)
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
SLA_HOURS = {"New": 2.0, "Contacted": 24.0, "MQL": 4.0, "SAL": 24.0, "SQL": 2400.0}  # SQL: longer than 90 days
TERMINAL = {"Disqualified", "Converted"}
PROCESS_YAML = """\
version: 1
statuses:
  - {api_name: New, label: New, sla_hours: 2, entry: true, next: [Contacted, Nurture, Disqualified]}
  - {api_name: Contacted, label: Contacted, sla_hours: 24, next: [MQL, Nurture, Disqualified]}
  - {api_name: MQL, label: Marketing Qualified, sla_hours: 4, next: [SAL, Nurture, Disqualified]}
  - {api_name: SAL, label: Sales Accepted, sla_hours: 24, next: [SQL, Nurture, Disqualified]}
  - {api_name: SQL, label: Sales Qualified, sla_hours: 2400, next: [Converted, Nurture, Disqualified]}
  - {api_name: Nurture, label: Nurture, next: [MQL, Disqualified]}
  - {api_name: Disqualified, label: Disqualified, terminal: true}
  - {api_name: Converted, label: Converted, terminal: true, converted: true}
"""
SAL_VALUE = """    <standardValue>
        <fullName>SAL</fullName>
        <default>false</default>
        <label>Sales Accepted</label>
        <converted>false</converted>
    </standardValue>
"""


def org_with_sal(tmp_path: Path) -> Path:
    """The acme fixture org with a Sales Accepted status after MQL, as a funnel with SAL has."""
    org = tmp_path / "acme-with-sal"
    shutil.copytree(FIXTURE_ORGS / "acme-mdapi", org)
    value_set = org / "standardValueSets" / "LeadStatus.standardValueSet"
    text = value_set.read_text(encoding="utf-8")
    marker = "    <standardValue>\n        <fullName>SQL</fullName>"
    assert marker in text
    value_set.write_text(text.replace(marker, SAL_VALUE + marker), encoding="utf-8")
    return org


@pytest.fixture
def process(tmp_path: Path) -> Process:
    path = tmp_path / "process.yaml"
    path.write_text(PROCESS_YAML, encoding="utf-8")
    return load_process(path)


@pytest.fixture
def org(tmp_path: Path) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(org_dir=org_with_sal(tmp_path), tmp=tmp_path) as sf:
        yield sf


def live(sf: FakeSalesforce) -> OrgConnection:
    creds = OrgCredentials(method="access-token", instance_url=sf.instance_url, access_token=sf.access_token)
    return connect(creds, ca_bundle=str(sf.ca_bundle), timeout=10, retry=FAST_RETRY)


def by_id(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in document["measurements"]}


def breakdown(item: dict[str, Any]) -> dict[str, Any]:
    return {entry["status"]: entry["value"] for entry in item["breakdown"]}


# -- the ground truth, from every generated record ----------------------------------------------

def status_changes(book: LeadBook, lead: LeadFact) -> list[tuple[dt.datetime, str, str]]:
    """Every Status change of a lead, ever: (when, from, to), oldest first."""
    rows = [h for h in book.history if h.lead_id == lead.id and h.field == "Status"]
    return sorted((h.created, str(h.old_value), str(h.new_value)) for h in rows)


def all_stays(book: LeadBook) -> list[tuple[str, dt.datetime, dt.datetime, str]]:
    """Completed stays of every lead: (status, began, ended, the status it went to)."""
    stays = []
    for lead in book.leads:
        began = lead.created
        for when, old, new in status_changes(book, lead):
            stays.append((old, began, when, new))
            began = when
    return stays


def window_stays(book: LeadBook) -> list[tuple[str, dt.datetime, dt.datetime, str]]:
    return [stay for stay in all_stays(book) if stay[1] >= WINDOW_START]


def entered_status_at(book: LeadBook, lead: LeadFact) -> dt.datetime:
    changes = status_changes(book, lead)
    return changes[-1][0] if changes else lead.created


def open_leads(book: LeadBook) -> list[LeadFact]:
    return [lead for lead in book.leads if not lead.is_converted]


# -- exact measurements ---------------------------------------------------------------------------

def test_every_measurement_matches_the_generated_leads(org: FakeSalesforce, process: Process) -> None:
    book = org.generate_leads(now=NOW, count=400, seed=11)
    document = collect_metrics(live(org), process, now=NOW)
    got = by_id(document)
    assert [item["id"] for item in document["measurements"]] == [
        "open-leads", "leads-past-sla", "median-hours-in-status", "mql-to-sal-acceptance",
        "leads-owned-by-inactive-users", "leads-in-queues"]
    assert document["complete"] is True and document["sla_source"] == "process.yaml"
    assert document["measured_at"] == "2025-03-01T09:30:00Z" and document["window"]["start"] == "2024-12-01T09:30:00Z"

    open_counts = Counter(lead.status for lead in open_leads(book))
    assert got["open-leads"]["value"] == len(open_leads(book)) and breakdown(got["open-leads"]) == open_counts

    # past SLA: the truth is the last Status change ever; the client sees 90 days of it, so a lead in
    # a status whose SLA is longer than 90 days and that entered it before the window is not decidable
    late: Counter[str] = Counter()
    undecidable = 0
    for lead in open_leads(book):
        if lead.status not in SLA_HOURS:
            continue
        entered = entered_status_at(book, lead)
        if SLA_HOURS[lead.status] > 90 * 24 and entered < WINDOW_START:
            undecidable += 1
        elif (NOW - entered).total_seconds() > SLA_HOURS[lead.status] * 3600:
            late[lead.status] += 1
    past = got["leads-past-sla"]
    assert breakdown(past) == {status: late[status] for status in SLA_HOURS}
    assert past["value"] == sum(late.values()) > 0
    assert undecidable > 0 and f"{undecidable} waiting since before the 90-day history" in past["detail"]

    hours: dict[str, list[float]] = {}
    for status, began, ended, _ in window_stays(book):
        hours.setdefault(status, []).append((ended - began).total_seconds() / 3600)
    medians = breakdown(got["median-hours-in-status"])
    assert got["median-hours-in-status"]["value"] is None
    assert {s: v for s, v in medians.items() if v is not None} == {
        status: round(statistics.median(values), 2) for status, values in hours.items()}
    assert set(medians) >= {"New", "Contacted", "MQL", "SAL", "SQL", "Nurture"}
    assert f"the {sum(map(len, hours.values()))} stays" in got["median-hours-in-status"]["detail"]

    after_mql = Counter(went for status, _, _, went in window_stays(book) if status == "MQL")
    rate = got["mql-to-sal-acceptance"]
    assert rate["value"] == round(100 * after_mql["SAL"] / sum(after_mql.values()), 1)
    assert 0 < rate["value"] < 100 and breakdown(rate) == after_mql

    for measurement, owners in (("leads-owned-by-inactive-users", book.inactive_user_ids),
                                ("leads-in-queues", book.queue_ids)):
        expected = Counter(lead.status for lead in open_leads(book)
                           if lead.owner_id in owners and lead.status not in TERMINAL)
        assert got[measurement]["value"] == sum(expected.values()) > 0
        assert breakdown(got[measurement]) == expected


def test_the_same_org_measures_the_same_twice(org: FakeSalesforce, process: Process) -> None:
    org.generate_leads(now=NOW, count=120, seed=3)
    conn = live(org)
    first = collect_metrics(conn, process, now=NOW)
    assert json.dumps(first) == json.dumps(collect_metrics(conn, process, now=NOW))


def test_an_org_without_leads_measures_zero_leads_and_says_why_the_rest_is_missing(
        org: FakeSalesforce, process: Process) -> None:
    got = by_id(collect_metrics(live(org), process, now=NOW))
    assert got["open-leads"]["value"] == 0 and got["leads-in-queues"]["value"] == 0
    assert got["leads-past-sla"]["value"] == 0  # no lead is waiting: a true zero
    for unmeasurable in ("median-hours-in-status", "mql-to-sal-acceptance"):
        assert got[unmeasurable]["available"] is False and got[unmeasurable]["value"] is None
        assert "field history tracking" in got[unmeasurable]["detail"]


# -- unavailable, with the reason -----------------------------------------------------------------

def test_without_a_process_file_the_sla_measurement_is_unavailable(org: FakeSalesforce) -> None:
    book = org.generate_leads(now=NOW, count=200, seed=5)
    document = collect_metrics(live(org), None, now=NOW)
    got = by_id(document)
    assert document["complete"] is False and document["sla_source"] is None
    assert got["leads-past-sla"]["available"] is False and got["leads-past-sla"]["value"] is None
    assert "no process file" in got["leads-past-sla"]["detail"] and "--process" in got["leads-past-sla"]["detail"]
    # the org's own status names still say which are MQL and SAL
    after_mql = Counter(went for status, _, _, went in window_stays(book) if status == "MQL")
    assert got["mql-to-sal-acceptance"]["value"] == round(100 * after_mql["SAL"] / sum(after_mql.values()), 1)


def test_a_process_without_sal_makes_the_acceptance_rate_unavailable(org: FakeSalesforce, tmp_path: Path) -> None:
    org.generate_leads(now=NOW, count=100, seed=5)
    path = tmp_path / "no-sal.yaml"
    without_sal = PROCESS_YAML.replace(
        "  - {api_name: SAL, label: Sales Accepted, sla_hours: 24, next: [SQL, Nurture, Disqualified]}\n", "")
    path.write_text(without_sal.replace("[SAL, ", "[SQL, "), encoding="utf-8")
    got = by_id(collect_metrics(live(org), load_process(path), now=NOW))
    rate = got["mql-to-sal-acceptance"]
    assert rate["available"] is False and rate["breakdown"] == []
    assert "a SAL status not found in the process file" in rate["detail"]


def test_untracked_status_history_is_unavailable_never_zero(org: FakeSalesforce, process: Process) -> None:
    org.generate_leads(now=NOW, count=150, seed=9)
    org.facts.lead_history[:] = [row for row in org.facts.lead_history if row.field != "Status"]
    got = by_id(collect_metrics(live(org), process, now=NOW))
    for measurement in ("leads-past-sla", "median-hours-in-status", "mql-to-sal-acceptance"):
        assert got[measurement]["available"] is False, measurement
        assert "field history tracking" in got[measurement]["detail"]
    assert got["leads-in-queues"]["available"] is True


def test_a_query_that_keeps_failing_is_unavailable_and_the_others_are_measured(
        org: FakeSalesforce, process: Process) -> None:
    org.generate_leads(now=NOW, count=100, seed=1)
    conn = live(org)
    org.faults.query.server_errors = FAST_RETRY.attempts  # the first query (open leads) fails every attempt
    document = collect_metrics(conn, process, now=NOW)
    got = by_id(document)
    assert got["open-leads"]["available"] is False and got["open-leads"]["value"] is None
    assert "HTTP 500" in got["open-leads"]["detail"] and "UNKNOWN_EXCEPTION" in got["open-leads"]["detail"]
    assert document["complete"] is False
    assert all(item["available"] for item in document["measurements"] if item["id"] != "open-leads")


def test_the_request_limit_is_named_in_the_reason(org: FakeSalesforce, process: Process) -> None:
    org.generate_leads(now=NOW, count=50, seed=1)
    conn = live(org)
    org.faults.query.request_limit_exceeded = FAST_RETRY.attempts
    got = by_id(collect_metrics(conn, process, now=NOW))
    assert "REQUEST_LIMIT_EXCEEDED" in got["open-leads"]["detail"]


def test_an_expired_session_ends_the_measurements(org: FakeSalesforce, process: Process) -> None:
    conn = live(org)
    org.expire_sessions()
    with pytest.raises(SessionExpired):
        collect_metrics(conn, process, now=NOW)


# -- round trips --------------------------------------------------------------------------------

def _trips(tmp_path: Path, process: Process, count: int, page_size: int | None) -> tuple[int, LeadBook]:
    with FakeSalesforce(org_dir=org_with_sal(tmp_path / f"org-{count}-{page_size}"),
                        tmp=tmp_path) as sf:
        book = sf.generate_leads(now=NOW, count=count, seed=21)
        if page_size:
            sf.query_page_size = page_size
        conn = live(sf)
        before, client_before = len(sf.requests), conn.round_trips
        collect_metrics(conn, process, now=NOW)
        assert conn.round_trips - client_before == len(sf.requests) - before  # both sides count the same
        return len(sf.requests) - before, book


def test_round_trips_do_not_grow_with_the_number_of_leads(tmp_path: Path, process: Process) -> None:
    few, _ = _trips(tmp_path, process, 60, None)
    many, _ = _trips(tmp_path, process, 900, None)
    assert few == many == 5  # three aggregates, the history, the waiting leads


def test_round_trips_grow_only_with_pages(tmp_path: Path, process: Process) -> None:
    trips, book = _trips(tmp_path, process, 500, 40)
    history = sum(1 for h in book.history if h.field == "Status" and h.created >= WINDOW_START)
    waiting = sum(1 for lead in open_leads(book) if lead.status in SLA_HOURS)
    assert history > 40 and waiting > 40
    assert trips == 3 + math.ceil(history / 40) + math.ceil(waiting / 40)


# -- the file, the report side and the command ------------------------------------------------------

def test_metrics_json_round_trips_through_read_measurements(org: FakeSalesforce, process: Process,
                                                            tmp_path: Path) -> None:
    org.generate_leads(now=NOW, count=100, seed=2)
    document = collect_metrics(live(org), None, now=NOW)
    out = tmp_path / "out"
    out.mkdir()
    path = write_metrics(out, document)
    measurements = read_measurements(path)
    assert [m.id for m in measurements] == [item["id"] for item in document["measurements"]]
    past = next(m for m in measurements if m.id == "leads-past-sla")
    assert past == Measurement(id="leads-past-sla", title="Leads past their status SLA now", value=None,
                               unit="leads", detail=past.detail, breakdown=(), available=False)
    queues = next(m for m in measurements if m.id == "leads-in-queues")
    assert queues.breakdown == tuple((e["status"], e["value"]) for e in by_id(document)["leads-in-queues"]["breakdown"])


def test_an_off_schema_metrics_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / METRICS_FILE
    path.write_text(json.dumps({"version": 1, "measured_at": "yesterday"}), encoding="utf-8")
    with pytest.raises(MetricsError, match="metrics.schema.json"):
        read_measurements(path)
    document = {"version": 1, "measured_at": "2025-03-01T09:30:00Z", "window": {"days": 90, "start":
                "2024-12-01T09:30:00Z"}, "sla_source": None, "complete": False, "measurements": [
                {"id": "open-leads", "title": "Open leads", "available": False, "value": 0, "unit": "leads",
                 "detail": "refused", "breakdown": []}]}
    with pytest.raises(MetricsError):  # an unavailable measurement cannot carry a value, not even zero
        write_metrics(tmp_path, document)


def _cli(sf: FakeSalesforce, out: Path, *extra: str) -> Any:
    env = {"SF_ACCESS_TOKEN": sf.access_token, "SF_INSTANCE_URL": sf.instance_url,
           "SF_CA_BUNDLE": str(sf.ca_bundle), "CI": "true"}
    return CliRunner().invoke(retrieve_command, ["--out", str(out), *extra], env=env)


def test_retrieve_with_metrics_writes_counts_and_no_personal_data(org: FakeSalesforce, process: Process,
                                                                  tmp_path: Path) -> None:
    book = org.generate_leads(now=dt.datetime.now(tz=dt.timezone.utc), count=150, seed=4)
    out = tmp_path / "out"
    result = _cli(org, out, "--metrics", "--process", process.path)
    assert result.exit_code == 0, result.output
    assert "measured 6 of 6 lead measurements" in result.output
    text = (out / METRICS_FILE).read_text(encoding="utf-8")
    assert len(read_measurements(out / METRICS_FILE)) == 6
    personal = {value for lead in book.leads
                for value in (lead.id, lead.id[:15], lead.first_name + " " + lead.last_name, lead.last_name,
                              lead.email, lead.company, lead.owner_id, lead.owner_id[:15])}
    personal |= {user.username for user in org.facts.users.values()} | {u.name for u in org.facts.users.values()}
    assert not [value for value in personal if value in text]
    assert "@" not in text
    for secret in org.secrets():
        assert secret not in text + result.output
    # the metrics file sits beside the metadata without changing what an audit of the folder finds
    with_metrics = run_audit(load_model(out), None, registry.all_checks(), now=NOW, tool_version="test")
    (out / METRICS_FILE).unlink()
    without = run_audit(load_model(out), None, registry.all_checks(), now=NOW, tool_version="test")
    assert {(f.rule_id, f.subject) for f in with_metrics.findings} == {(f.rule_id, f.subject) for f in without.findings}


def test_retrieve_metrics_without_a_process_lists_what_was_not_measured(org: FakeSalesforce, tmp_path: Path) -> None:
    org.generate_leads(now=dt.datetime.now(tz=dt.timezone.utc), count=40, seed=4)
    result = _cli(org, tmp_path / "out", "--metrics")
    assert result.exit_code == 0, result.output  # measurements are beside the audit: not incomplete
    assert "measured 5 of 6" in result.output and "not measured: leads-past-sla: no process file" in result.output


def test_retrieve_process_options_are_checked_before_logging_in(org: FakeSalesforce, process: Process,
                                                               tmp_path: Path) -> None:
    alone = _cli(org, tmp_path / "a", "--process", process.path)
    assert alone.exit_code == 2 and "--process is read by --metrics only" in alone.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nstatuses: []\n", encoding="utf-8")
    unusable = _cli(org, tmp_path / "b", "--metrics", "--process", str(broken))
    assert unusable.exit_code == 2 and "broken.yaml" in unusable.output
    assert org.requests == []


# -- the fake's SOQL for these queries, on the wire ---------------------------------------------------

def test_the_fake_answers_aggregate_relationship_and_datetime_queries_as_salesforce(org: FakeSalesforce) -> None:
    book = org.generate_leads(now=NOW, count=80, seed=8)
    groups = records(org, "SELECT Status, COUNT(Id) FROM Lead WHERE IsConverted = false GROUP BY Status")
    assert all(set(row) == {"attributes", "Status", "expr0"} for row in groups)
    assert groups[0]["attributes"] == {"type": "AggregateResult"}
    assert {row["Status"]: row["expr0"] for row in groups} == Counter(lead.status for lead in open_leads(book))
    (lead,) = records(org, f"SELECT Id, CreatedDate, Owner.Type, Owner.IsActive FROM Lead WHERE Id = '{book.leads[0].id}'")
    assert lead["Owner"]["attributes"]["type"] == "Name" and set(lead["Owner"]) == {"attributes", "Type", "IsActive"}
    assert lead["CreatedDate"].endswith(".000+0000") and lead["CreatedDate"][:19] == book.leads[0].created.strftime(
        "%Y-%m-%dT%H:%M:%S")
    recent = records(org, "SELECT Id FROM LeadHistory WHERE Field = 'Status' AND CreatedDate >= 2025-02-01T00:00:00Z")
    cutoff = dt.datetime(2025, 2, 1, tzinfo=dt.timezone.utc)
    assert len(recent) == sum(1 for h in book.history if h.field == "Status" and h.created >= cutoff) > 0
    ungrouped = query(org, "SELECT Status, OwnerId, COUNT(Id) FROM Lead GROUP BY Status")
    assert ungrouped.status_code == 400 and ungrouped.json()[0]["errorCode"] == "MALFORMED_QUERY"
