"""``leadaudit audit --org``: the live audit through the command line, against the local Salesforce.

The org is the demo org served by tests/fakesf over HTTPS; the login is an access token from the
environment, as a CI job gives it. The live audit must find exactly what the audit of the same
folder finds, and an incomplete retrieval must end the audit incomplete, never clean.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.cli import main
from tests.conftest import REPO
from tests.fakesf import FakeSalesforce

DEMO = REPO / "examples" / "demo-org"
PROCESS = DEMO / "process.yaml"


@pytest.fixture
def demo_org(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(org_dir=DEMO, tmp=tmp_path) as sf:
        monkeypatch.setenv("SF_ACCESS_TOKEN", sf.access_token)
        monkeypatch.setenv("SF_CA_BUNDLE", str(sf.ca_bundle))
        monkeypatch.delenv("CI", raising=False)
        yield sf


def _findings(report: Path) -> list[tuple[str, str, str, str]]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return sorted((f["rule_id"], f["severity"], f["subject"], f["message"]) for f in document["findings"])


def test_a_live_audit_finds_what_the_folder_audit_finds(demo_org: FakeSalesforce, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    offline, live = tmp_path / "offline.json", tmp_path / "live.json"
    assert main(["audit", str(DEMO), "-q", "--json", str(offline)]) == 1
    code = main(["audit", "--instance-url", demo_org.instance_url, "--process", str(PROCESS), "-q",
                 "--json", str(live), "--html", str(tmp_path / "live.html")])
    out = capsys.readouterr()
    assert code == 1, out.err
    assert _findings(live) == _findings(offline) and len(_findings(live)) == 27
    document = json.loads(live.read_text(encoding="utf-8"))
    assert document["complete"] is True and document["source"] == f"org {demo_org.instance_url}"
    for text in (out.out, out.err, live.read_text(), (tmp_path / "live.html").read_text()):
        for secret in demo_org.secrets():
            assert secret not in text


def test_a_failed_retrieve_ends_the_audit_incomplete(demo_org: FakeSalesforce, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    demo_org.faults.retrieve_failed = True
    code = main(["audit", "--instance-url", demo_org.instance_url, "--process", str(PROCESS),
                 "--fail-on", "never", "--json", str(tmp_path / "r.json")])
    captured = capsys.readouterr()
    assert code == 3, captured.err
    # the audit ran on what came back (the facts): it must say it is not the whole org
    document = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert document["complete"] is False
    assert any("retrieval from the org was incomplete" in r for r in document["incomplete_reasons"])


def test_live_and_source_together_is_a_usage_error(demo_org: FakeSalesforce, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(DEMO), "--instance-url", demo_org.instance_url]) == 2
    assert "not both" in capsys.readouterr().err


def test_metrics_are_measured_and_shown_beside_the_findings(demo_org: FakeSalesforce, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    demo_org.generate_leads(now=dt.datetime.now(tz=dt.timezone.utc), count=120, seed=7)
    code = main(["audit", "--instance-url", demo_org.instance_url, "--process", str(PROCESS), "--metrics",
                 "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")])
    out = capsys.readouterr().out
    assert code == 1
    measurements = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["measurements"]
    assert [m["id"] for m in measurements] == [
        "open-leads", "leads-past-sla", "median-hours-in-status", "mql-to-sal-acceptance",
        "leads-owned-by-inactive-users", "leads-in-queues",
    ]
    open_leads = next(m for m in measurements if m["id"] == "open-leads")
    assert open_leads["available"] and open_leads["value"] == sum(b["value"] for b in open_leads["breakdown"])
    assert open_leads["value"] > 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="measurements-table"' in html and open_leads["title"] in html
    assert "measurements (6)" in out


def test_metrics_need_a_live_org(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", str(DEMO), "--metrics"]) == 2
    assert "--metrics measures a live org" in capsys.readouterr().err


def test_a_snapshot_of_the_live_org_audits_like_the_folder(demo_org: FakeSalesforce, tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    assert main(["snapshot", "--instance-url", demo_org.instance_url, "--process", str(PROCESS), "-o", str(snap)]) == 0
    document = json.loads(snap.read_text(encoding="utf-8"))
    assert document["source"] == f"org {demo_org.instance_url}" and document["facts"]["complete"] is True
    assert "scoring" in document  # kept with the process file, so diff sees scoring changes
    offline, live = tmp_path / "offline.json", tmp_path / "live.json"
    main(["audit", str(DEMO), "-q", "--json", str(offline)])
    main(["audit", str(snap), "--process", str(PROCESS), "-q", "--json", str(live)])
    assert _findings(live) == _findings(offline)
    for secret in demo_org.secrets():
        assert secret not in snap.read_text(encoding="utf-8")
