"""The engine's policies: a crash is never a pass, settings, re-grading, waivers, ordering."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import yaml

from auditor.engine import CheckContext, run_audit
from auditor.findings import Finding, NotApplicable, Rule, Severity
from auditor.model import FileRecord, Model, SourceRef
from auditor.process import load_process

NOW = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
# One file read, so the audit has something to judge (an empty source is incomplete by itself).
MODEL = Model(source_name="t", files=(FileRecord("flows/A.flow", "Flow", "read", "A"),))


def _check(rule_id: str, body: object) -> SimpleNamespace:
    rule = Rule(id=rule_id, name=f"rule-{rule_id.lower()}", severity=Severity.HIGH, category="routing", summary="s")
    return SimpleNamespace(RULE=rule, check=body)


def _two_findings(ctx: CheckContext) -> Iterator[Finding]:
    yield ctx.finding("Status:B", "second", fix="f", location=SourceRef("b.xml", 2))
    yield ctx.finding("Status:A", "first", fix="f", location=SourceRef("a.xml", 1), severity=Severity.LOW)


def _crash(ctx: CheckContext) -> Iterator[Finding]:
    raise KeyError("missing thing")
    yield  # pragma: no cover


def _not_applicable(ctx: CheckContext) -> Iterator[Finding]:
    raise NotApplicable("nothing to judge here")
    yield  # pragma: no cover


def _process(tmp_path: Path, extra: dict[str, object]) -> object:
    path = tmp_path / "process.yaml"
    path.write_text(yaml.safe_dump({"version": 1, "statuses": [{"api_name": "New", "entry": True}], **extra}))
    return load_process(path)


def test_a_crashing_check_becomes_an_internal_error_and_the_audit_is_incomplete() -> None:
    result = run_audit(MODEL, None, [_check("RT090", _crash), _check("RT091", _two_findings)], now=NOW, tool_version="t")
    crash = [f for f in result.findings if f.rule_id == "CF002"]
    assert len(crash) == 1 and "RT090 rule-rt090 failed with KeyError" in crash[0].message
    assert not result.complete
    assert result.incomplete_reasons == ("rule RT090 rule-rt090 crashed (KeyError)",)
    assert {o.rule.id: o.status for o in result.outcomes} == {"RT090": "error", "RT091": "ran"}
    assert len([f for f in result.findings if f.rule_id == "RT091"]) == 2  # the other rule still reports


def test_not_applicable_is_recorded_with_its_reason() -> None:
    result = run_audit(MODEL, None, [_check("RT092", _not_applicable)], now=NOW, tool_version="t")
    (outcome,) = result.outcomes
    assert (outcome.status, outcome.reason) == ("not-applicable", "nothing to judge here")
    assert result.complete and not result.findings


def test_findings_are_sorted_by_severity_then_rule_then_location() -> None:
    result = run_audit(MODEL, None, [_check("RT091", _two_findings)], now=NOW, tool_version="t")
    assert [f.subject for f in result.findings] == ["Status:B", "Status:A"]


def test_disable_by_name_and_regrade_by_id(tmp_path: Path) -> None:
    process = _process(tmp_path, {"rules": {"rule-rt091": {"enabled": False}, "RT093": {"severity": "medium"}}})
    result = run_audit(
        MODEL, process, [_check("RT091", _two_findings), _check("RT093", _two_findings)], now=NOW, tool_version="t"
    )
    assert {o.rule.id: o.status for o in result.outcomes} == {"RT091": "disabled", "RT093": "ran"}
    # high -> medium; the check's own low finding moves down with it but not below low
    assert sorted(f.severity for f in result.findings) == [Severity.LOW, Severity.MEDIUM]


def test_waiver_hides_a_finding_until_it_expires(tmp_path: Path) -> None:
    waiver = {"rule": "RT091", "subject": "Status:B", "reason": "accepted", "expires": "2026-06-01"}
    process = _process(tmp_path, {"waivers": [waiver]})
    result = run_audit(MODEL, process, [_check("RT091", _two_findings)], now=NOW, tool_version="t")
    assert [f.subject for f in result.findings] == ["Status:A"]
    assert [(w.finding.subject, w.reason, w.expires) for w in result.waived] == [("Status:B", "accepted", "2026-06-01")]

    later = run_audit(MODEL, process, [_check("RT091", _two_findings)], now=NOW + dt.timedelta(days=1), tool_version="t")
    assert [f.subject for f in later.findings] == ["Status:B", "Status:A"] and not later.waived


def test_unreadable_files_make_the_audit_incomplete() -> None:
    from auditor.parse import load_files

    model = load_files("t", [("flows/X.flow", b"<Flow"), ("flows/Y.flow", b"<?xml version='1.0'?><Flow/>")])
    result = run_audit(model, None, [], now=NOW, tool_version="t")
    assert result.incomplete_reasons == ("1 file(s) could not be read: flows/X.flow",)


def test_a_source_with_nothing_to_read_is_incomplete_never_clean() -> None:
    """A mistyped path or an empty retrieve: no finding, but nothing was audited either."""
    empty = Model(source_name="retrieved", files=(FileRecord("README.md", "unused", "unused"),))
    result = run_audit(empty, None, [_check("RT090", _two_findings)], now=NOW, tool_version="t")
    assert not result.complete
    assert result.incomplete_reasons[0] == "the source retrieved holds no metadata leadaudit reads, so nothing was audited"
