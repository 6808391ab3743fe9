"""The Account Engagement API v5 client against the local Salesforce: explicit fields, pagination,
at most five requests at once, v5 error bodies, rate limits, and the file it writes.

No client code is replaced: the fake is a real HTTPS server speaking the documented formats
(tests/fakesf/pardot.py), reached through the org's own session and retry policy.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.sources.org import OrgConnection, OrgCredentials, OrgError, SessionExpired, connect
from auditor.sources.org.http import RetryPolicy
from auditor.sources.org.pardot import (
    DEMO_URL,
    MAX_CONCURRENT_REQUESTS,
    OBJECTS,
    PRODUCTION_URL,
    AccountEngagementClient,
    AccountEngagementTarget,
    retrieve_account_engagement,
    target_from,
)
from tests.conftest import REPO
from tests.fakesf import FakeSalesforce

DEMO = REPO / "examples" / "demo-org"
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05)
NOW = "2025-03-14T09:30:00Z"


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(org_dir=DEMO, tmp=tmp_path) as sf:
        yield sf


def live(sf: FakeSalesforce) -> OrgConnection:
    creds = OrgCredentials(method="access-token", login_url=sf.instance_url, instance_url=sf.instance_url,
                           access_token=sf.access_token)
    return connect(creds, ca_bundle=str(sf.ca_bundle), timeout=10.0, retry=FAST_RETRY)


def target(sf: FakeSalesforce, unit: str | None = None) -> AccountEngagementTarget:
    return AccountEngagementTarget(sf.account_engagement.business_unit_id if unit is None else unit, sf.instance_url)


def fetch(sf: FakeSalesforce, out: Path, page_size: int = 1000) -> dict[str, Any]:
    out.mkdir(exist_ok=True)
    outcome = retrieve_account_engagement(live(sf), target(sf), out, retrieved_at=NOW, page_size=page_size)
    document: dict[str, Any] = json.loads(outcome.path.read_text(encoding="utf-8"))
    return document


def test_every_object_is_read_with_explicit_fields_and_both_headers(demo: FakeSalesforce, tmp_path: Path) -> None:
    document = fetch(demo, tmp_path / "out")
    assert document["complete"] is True and document["unavailable"] == []
    assert document["business_unit"] == {"id": "0Uv5g000000KzY8CAK", "name": "Northwind Machinery Marketing"}
    asked = {obj: params for obj, params in demo.account_engagement.calls}
    assert set(asked) == {q.path for q in OBJECTS}
    for query in OBJECTS:
        assert asked[query.path]["fields"] == ",".join(query.fields)  # never all fields
    assert [p["name"] for p in document["engagement_studio_programs"]] == ["Nurture drip", "Customer onboarding"]
    assert document["engagement_studio_programs"][0]["status"] == "paused"  # the deleted program is not listed
    assert [f["name"] for f in document["forms"]][:3] == ["Contact us", "Request a demo", "Request a quote"]
    # users are kept by id and role: the fake holds names and e-mail addresses that must not be asked for
    assert document["users"][0] == {"id": 9001, "role": "Administrator", "salesforce_id": "0055g00000AbCdEAAZ"}
    assert "northwind-machinery.example" not in json.dumps(document)


def test_several_pages_are_followed_through_next_page_url(demo: FakeSalesforce, tmp_path: Path) -> None:
    demo.account_engagement.page_size_cap = 2  # the fake's pages hold two records whatever limit says
    document = fetch(demo, tmp_path / "out")
    assert [s["name"] for s in document["lifecycle_stages"]] == [
        "Visitor", "Prospect", "Marketing Qualified Lead", "Sales Accepted Lead", "Sales Qualified Lead",
        "Opportunity", "Customer"]
    calls = Counter(obj for obj, _ in demo.account_engagement.calls)
    assert calls["lifecycle-stages"] == 4 and calls["forms"] == 3 and calls["form-handlers"] == 1
    follow_ups = [params for obj, params in demo.account_engagement.calls if "nextPageToken" in params]
    assert follow_ups and all(params["fields"] for params in follow_ups)


def test_round_trips_are_one_per_page_plus_the_business_unit_query(demo: FakeSalesforce, tmp_path: Path) -> None:
    conn = live(demo)
    before = conn.round_trips
    retrieve_account_engagement(conn, target(demo), tmp_path, retrieved_at=NOW, page_size=3)
    records = {obj: len([r for r in rows if not r.get("isDeleted")]) for obj, rows in demo.account_engagement.records.items()}
    pages = sum(max(1, math.ceil(n / 3)) for n in records.values())
    assert conn.round_trips - before == 1 + pages  # PardotTenant (Tooling) + every page, nothing else


def test_at_most_five_requests_run_at_once(demo: FakeSalesforce, tmp_path: Path) -> None:
    demo.account_engagement.faults.latency = 0.15  # slow answers make the client's parallelism visible
    document = fetch(demo, tmp_path / "out", page_size=2)
    assert document["complete"] is True
    assert 2 <= demo.account_engagement.max_in_flight <= MAX_CONCURRENT_REQUESTS


def test_the_concurrency_limit_answer_is_waited_out_and_retried(demo: FakeSalesforce, tmp_path: Path) -> None:
    demo.account_engagement.faults.concurrent_limit = 2  # HTTP 429, code 66, Retry-After
    demo.account_engagement.faults.retry_after = 0
    document = fetch(demo, tmp_path / "out")
    assert document["complete"] is True
    assert len(demo.account_engagement.calls) == len(OBJECTS) + 2


def test_server_errors_are_retried_then_recorded_as_unavailable(demo: FakeSalesforce, tmp_path: Path) -> None:
    demo.account_engagement.faults.server_errors = 2
    assert fetch(demo, tmp_path / "first")["complete"] is True
    demo.account_engagement.faults.server_errors = 1000  # a server that keeps failing
    document = fetch(demo, tmp_path / "second")
    assert document["complete"] is False
    reasons = {u["item"]: u["reason"] for u in document["unavailable"]}
    assert set(reasons) == {f"account engagement {q.path}" for q in OBJECTS}
    assert all("HTTP 500" in reason for reason in reasons.values())


def test_the_daily_limit_stops_reading_and_is_recorded(demo: FakeSalesforce, tmp_path: Path) -> None:
    demo.account_engagement.faults.daily_limit_after = 3
    document = fetch(demo, tmp_path / "out", page_size=1)
    assert document["complete"] is False
    reasons = [u["reason"] for u in document["unavailable"]]
    assert reasons and all("daily API request limit" in r and "122" in r for r in reasons)
    # each worker stops at its next request: nothing is asked after every worker has heard 122
    assert len(demo.account_engagement.calls) <= 3 + MAX_CONCURRENT_REQUESTS + len(OBJECTS)


def test_a_wrong_business_unit_is_a_clear_error_naming_the_hosts(demo: FakeSalesforce) -> None:
    demo.account_engagement.faults.invalid_business_unit = True  # a deactivated business unit: code 201
    client = AccountEngagementClient(live(demo), target(demo))
    with pytest.raises(OrgError) as raised:
        client.query(OBJECTS[0])
    message = raised.value.message
    assert "201" in message and "not found or inactive" in message
    assert PRODUCTION_URL in message and DEMO_URL in message and demo.account_engagement.business_unit_id in message


def test_a_missing_business_unit_header_is_code_181(demo: FakeSalesforce) -> None:
    client = AccountEngagementClient(live(demo), target(demo, unit=""))
    with pytest.raises(OrgError, match=r"code 181: A required header is missing"):
        client.query(OBJECTS[2])


def test_an_invalid_token_is_session_expired_without_the_token(demo: FakeSalesforce) -> None:
    conn = live(demo)
    demo.expire_sessions()
    with pytest.raises(SessionExpired) as raised:
        AccountEngagementClient(conn, target(demo)).query(OBJECTS[1])
    assert "184" in raised.value.message and "log in again" in raised.value.message
    for secret in demo.secrets():
        assert secret not in str(raised.value)


def test_a_business_unit_the_org_does_not_have_is_refused_before_any_call(demo: FakeSalesforce, tmp_path: Path) -> None:
    with pytest.raises(OrgError, match=r"0Uv5g000000ZZZZCAK is not one of this org's .* \(0Uv5g000000KzY8CAK\)"):
        retrieve_account_engagement(live(demo), target(demo, unit="0Uv5g000000ZZZZCAK"), tmp_path, retrieved_at=NOW)
    assert demo.account_engagement.calls == []


def test_a_next_page_on_another_host_is_not_followed(demo: FakeSalesforce) -> None:
    """The bearer token goes only to the host named: the fake writes its next pages for 127.0.0.1."""
    demo.account_engagement.page_size_cap = 1
    elsewhere = AccountEngagementTarget(demo.account_engagement.business_unit_id,
                                        demo.instance_url.replace("127.0.0.1", "localhost"))
    with pytest.raises(OrgError, match="another host"):
        AccountEngagementClient(live(demo), elsewhere).query(OBJECTS[2])


@pytest.mark.parametrize(("unit", "url", "sandbox", "expected"), [
    ("0Uv5g000000KzY8CAK", None, False, PRODUCTION_URL),
    ("0Uv5g000000KzY8CAK", None, True, DEMO_URL),
    ("0Uv5g000000KzY8", "https://pi.demo.pardot.com/", False, DEMO_URL),
])
def test_the_host_follows_the_org_kind(unit: str, url: str | None, sandbox: bool, expected: str) -> None:
    found = target_from(unit, url, sandbox)
    assert found is not None and found.base_url == expected and found.business_unit_id == unit


@pytest.mark.parametrize(("unit", "url", "problem"), [
    ("00D5g000000KzY8CAK", None, "starts with 0Uv"),
    ("0Uv5g0", None, "18 characters"),
    ("0Uv5g000000KzY8CAK", "http://pi.pardot.com", "https://"),
])
def test_bad_business_unit_ids_and_hosts_are_refused(unit: str, url: str | None, problem: str) -> None:
    with pytest.raises(OrgError, match=problem):
        target_from(unit, url, False)
    assert target_from(None, url, False) is None
