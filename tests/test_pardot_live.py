"""The Account Engagement part of a live audit gives the findings the same data gives from files.

The demo org is served by the local Salesforce with its business unit seeded from
tests/fixtures/account-engagement/demo-org.json, which holds the programs and forms the demo's
scoring.yaml documents (and a few the file does not: an onboarding program, a webinar form, a
form handler). ``leadaudit retrieve --business-unit-id`` writes account-engagement.json beside
the metadata; ``leadaudit audit`` of that folder reads it back offline.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from auditor.cli import main
from auditor.sources import load_model
from tests.conftest import REPO
from tests.fakesf import FakeSalesforce

DEMO = REPO / "examples" / "demo-org"
PROCESS = DEMO / "process.yaml"
Finding = tuple[str, str, str, str]


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(org_dir=DEMO, tmp=tmp_path) as sf:
        monkeypatch.setenv("SF_ACCESS_TOKEN", sf.access_token)
        monkeypatch.setenv("SF_CA_BUNDLE", str(sf.ca_bundle))
        monkeypatch.setenv("SF_PARDOT_BUSINESS_UNIT_ID", sf.account_engagement.business_unit_id)
        monkeypatch.delenv("CI", raising=False)
        yield sf


def retrieve(sf: FakeSalesforce, out: Path, *extra: str) -> int:
    return main(["retrieve", "--instance-url", sf.instance_url, "--account-engagement-url", sf.instance_url,
                 "--out", str(out), *extra])


def audit(source: Path, report: Path, process: Path | None = None) -> dict[str, object]:
    args = ["audit", str(source), "-q", "--fail-on", "never", "--json", str(report)]
    main(args + (["--process", str(process)] if process else []))
    document: dict[str, object] = json.loads(report.read_text(encoding="utf-8"))
    return document


def findings(document: dict[str, object], prefix: str = "") -> list[Finding]:
    rows = document["findings"]
    assert isinstance(rows, list)
    return sorted((f["rule_id"], f["severity"], f["subject"], f["message"]) for f in rows
                  if f["rule_id"].startswith(prefix))


def test_retrieving_the_business_unit_changes_no_finding_of_the_demo(demo: FakeSalesforce, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "org"
    assert retrieve(demo, out) == 0, capsys.readouterr().err
    model = load_model(out)
    engagement = model.account_engagement
    assert engagement is not None and engagement.complete and engagement.business_unit_id == "0Uv5g000000KzY8CAK"
    assert [p.name for p in engagement.programs] == ["Nurture drip", "Customer onboarding"]
    live = audit(out, tmp_path / "live.json", PROCESS)
    offline = audit(DEMO, tmp_path / "offline.json")
    assert live["complete"] is True
    assert findings(live, "SC") == findings(offline, "SC") and len(findings(live, "SC")) == 6
    assert findings(live) == findings(offline)
    text = (out / "account-engagement.json").read_text(encoding="utf-8") + capsys.readouterr().out
    for secret in demo.secrets():
        assert secret not in text


def _scoring_without(tmp_path: Path, *sections: str, active_program: bool | None = None) -> Path:
    """A copy of the demo's process file naming a scoring file without the given sections."""
    scoring = yaml.safe_load((DEMO / "scoring.yaml").read_text(encoding="utf-8"))
    for section in sections:
        scoring.pop(section)
    if active_program is not None:
        scoring["nurture_programs"][0]["active"] = active_program
    folder = tmp_path / "documented"
    folder.mkdir()
    (folder / "scoring.yaml").write_text(yaml.safe_dump(scoring, sort_keys=False), encoding="utf-8")
    shutil.copy(PROCESS, folder / "process.yaml")
    return folder / "process.yaml"


def test_programs_known_only_from_the_api_give_the_findings_the_file_gives(demo: FakeSalesforce,
                                                                          tmp_path: Path) -> None:
    out = tmp_path / "org"
    assert retrieve(demo, out) == 0
    process = _scoring_without(tmp_path, "forms", "nurture_programs")
    live = audit(out, tmp_path / "live.json", process)
    offline = audit(DEMO, tmp_path / "offline.json")
    # the paused nurture program is known from the API alone, with the same verdict
    assert findings(live, "SC008") == findings(offline, "SC008") and len(findings(live, "SC008")) == 1
    sc008 = next(f for f in live["findings"] if f["rule_id"] == "SC008")  # type: ignore[attr-defined]
    assert sc008["location"]["path"] == "account-engagement.json" and sc008["location"]["line"] > 1
    # the API cannot say what a form does on completion: its forms are listed, never judged as hand-raisers
    assert findings(live, "SC005") == []
    outcomes = {o["id"]: o for o in live["rules"]}  # type: ignore[attr-defined]
    assert outcomes["SC005"]["status"] == "not-applicable" and "no hand-raiser form" in outcomes["SC005"]["reason"]
    for rule in ("SC001", "SC002", "SC003", "SC007"):
        assert findings(live, rule) == findings(offline, rule)


def test_the_live_state_of_a_documented_program_wins(demo: FakeSalesforce, tmp_path: Path) -> None:
    """The file says the program runs; the business unit says it is paused: the audit believes the org."""
    out = tmp_path / "org"
    assert retrieve(demo, out) == 0
    documented_active = _scoring_without(tmp_path, active_program=True)
    assert findings(audit(DEMO, tmp_path / "file-only.json", documented_active), "SC008") == []
    live = audit(out, tmp_path / "live.json", documented_active)
    assert [f[3] for f in findings(live, "SC008")] == [
        "status 'Nurture' has no active nurture program ('Nurture drip' is paused): nurtured leads are never "
        "brought back"]


def test_a_daily_limit_makes_the_retrieval_and_the_audit_incomplete(demo: FakeSalesforce, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    demo.account_engagement.faults.daily_limit_after = 2
    out = tmp_path / "org"
    assert retrieve(demo, out) == 3
    err = capsys.readouterr().err
    assert "retrieval is incomplete" in err and "daily API request limit" in err
    facts = json.loads((out / "facts.json").read_text(encoding="utf-8"))
    assert facts["complete"] is False
    assert any(u["item"].startswith("account engagement ") for u in facts["unavailable"])
    report = audit(out, tmp_path / "r.json", PROCESS)
    assert report["complete"] is False


def test_a_wrong_business_unit_ends_the_retrieval_with_a_clear_error(demo: FakeSalesforce, tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    demo.account_engagement.faults.invalid_business_unit = True
    assert retrieve(demo, tmp_path / "org") == 3
    err = capsys.readouterr().err
    assert "not found or inactive" in err and "https://pi.demo.pardot.com" in err
    assert not (tmp_path / "org").exists()  # nothing that looks like a finished retrieval
    for secret in demo.secrets():
        assert secret not in err


def test_a_malformed_business_unit_id_is_a_usage_error(demo: FakeSalesforce, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert retrieve(demo, tmp_path / "org", "--business-unit-id", "12345") == 2
    assert "starts with 0Uv" in capsys.readouterr().err


def test_without_a_business_unit_account_engagement_is_not_read(demo: FakeSalesforce, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SF_PARDOT_BUSINESS_UNIT_ID")
    assert retrieve(demo, tmp_path / "org") == 0
    assert not (tmp_path / "org" / "account-engagement.json").exists()
    assert demo.account_engagement.calls == []


def test_a_broken_account_engagement_file_is_unreadable_and_the_audit_incomplete(demo: FakeSalesforce,
                                                                                 tmp_path: Path) -> None:
    out = tmp_path / "org"
    assert retrieve(demo, out) == 0
    path = out / "account-engagement.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["forms"][0]["id"] = "3301"  # a string where the schema wants an integer
    path.write_text(json.dumps(document), encoding="utf-8")
    model = load_model(out)
    assert model.account_engagement is None
    assert [p.message for p in model.problems] == ["does not follow schemas/account-engagement.schema.json at forms/0/id: '3301' is not of type 'integer'"]
    assert audit(out, tmp_path / "r.json", PROCESS)["complete"] is False


def test_audit_org_reads_the_business_unit_too(demo: FakeSalesforce, tmp_path: Path) -> None:
    """``audit --org`` with a business unit reads Account Engagement like ``retrieve`` does."""
    offline = audit(DEMO, tmp_path / "offline.json")
    code = main(["audit", "--instance-url", demo.instance_url, "--account-engagement-url", demo.instance_url,
                 "--process", str(PROCESS), "-q", "--fail-on", "never", "--json", str(tmp_path / "live.json")])
    live: dict[str, object] = json.loads((tmp_path / "live.json").read_text(encoding="utf-8"))
    assert code == 0
    assert findings(live) == findings(offline)
    files = live["files"]
    assert isinstance(files, list)
    assert {"path": "account-engagement.json", "kind": "AccountEngagement", "status": "read"} in files
    assert {obj for obj, _ in demo.account_engagement.calls} >= {"engagement-studio-programs", "forms"}
