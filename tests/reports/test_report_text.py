"""The text report: layout, order, the exact summary line, colour only on request."""

from __future__ import annotations

from auditor.findings import AuditResult
from reports import text


def test_last_line_complete(complete_result: AuditResult) -> None:
    out = text.render(complete_result)
    assert out.endswith("\n")
    assert out.splitlines()[-1] == "5 findings (3 high, 1 medium, 1 low), 1 waived, audit complete"


def test_last_line_incomplete(incomplete_result: AuditResult) -> None:
    out = text.render(incomplete_result)
    assert out.splitlines()[-1] == "6 findings (4 high, 1 medium, 1 low), 1 waived, audit incomplete"


def test_last_line_empty(empty_result: AuditResult) -> None:
    out = text.render(empty_result)
    assert out.splitlines()[-1] == "0 findings (0 high, 0 medium, 0 low), 0 waived, audit complete"
    assert "no findings" in out


def test_areas_in_order_and_findings_sorted(complete_result: AuditResult) -> None:
    out = text.render(complete_result)
    positions = [out.index(heading) for heading in ("lifecycle (2)", "sla (1)", "routing (2)")]
    assert positions == sorted(positions)
    # Within lifecycle: same rule and severity, so the earlier line comes first.
    assert out.index("Status:Recycled") < out.index("Status:Nurture")
    # Within routing: the high finding before the low one.
    assert out.index("RT002 assignment-fallback-missing") < out.index("RT005 queue-without-members: Queue:Empty")


def test_finding_block(complete_result: AuditResult) -> None:
    lines = text.render(complete_result).splitlines()
    head = next(i for i, line in enumerate(lines) if "Status:Recycled" in line)
    assert lines[head] == "  HIGH    LC001 status-not-in-process: Status:Recycled"
    assert lines[head + 1].strip() == "Status Recycled is not in the process"
    assert lines[head + 2].strip() == "fix: fix Status:Recycled"
    assert lines[head + 3].strip() == "location: objects/Lead/fields/Status.field:31"
    none = next(i for i, line in enumerate(lines) if "RT002" in line)
    assert lines[none + 3].strip() == "location: (no file location)"


def test_not_applicable_waived_and_disabled(complete_result: AuditResult) -> None:
    out = text.render(complete_result)
    assert "not applicable\n" in out
    assert "SC001 scoring-model-missing (scoring): the source has no scoring model" in out
    assert "AU003 process-builder-on-lead (automation): disabled in process.yaml" in out
    waived = out[out.index("waived (1)"):]
    assert "RT005 queue-without-members: Queue:Legacy" in waived
    assert "reason: being retired in Q3" in waived
    assert "expires: 2031-09-30" in waived
    assert "AUDIT INCOMPLETE" not in out


def test_incomplete_block(incomplete_result: AuditResult) -> None:
    out = text.render(incomplete_result)
    assert out.splitlines()[3] == "status: AUDIT INCOMPLETE (reasons at the end)"  # said first, too
    block = out[out.rindex("AUDIT INCOMPLETE:"):]
    assert "  - objects/Lead.object could not be read" in block
    assert "  - rule AU007 crashed: KeyError 'fault'" in block
    assert "rules that failed to run" in out
    assert "AU007 flow-without-fault-path (automation): internal error" in out


def test_colour_only_on_request(incomplete_result: AuditResult) -> None:
    plain = text.render(incomplete_result)
    coloured = text.render(incomplete_result, color=True)
    assert "\x1b" not in plain
    assert "\x1b[" in coloured
    # The summary stays plain so scripts can match it.
    assert coloured.splitlines()[-1] == plain.splitlines()[-1]


def test_control_characters_are_shown_escaped(hostile_result: AuditResult) -> None:
    for color in (False, True):
        out = text.render(hostile_result, color=color)
        assert "\x00" not in out
        assert "\\x1b[2J" in out and "\\x00" in out
    assert "\x1b" not in text.render(hostile_result)
