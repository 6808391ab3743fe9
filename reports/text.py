"""Plain-text report: what a person reads in a terminal and what a CI log keeps.

Colour is opt-in (the caller knows whether the output is a terminal). Metadata text is user
input, so control characters in it are shown escaped: a rule name carrying ``\\x1b[2J`` must not
clear the reader's screen, and a bare ``\\r`` must not hide the start of a line.
"""

from __future__ import annotations

import re

from auditor.findings import AuditResult, Finding, RuleOutcome
from reports.common import findings_by_area, ordered_outcomes, ordered_reasons, ordered_waived, summary_line

_RESET = "\x1b[0m"
_STYLES: dict[str, str] = {
    "high": "\x1b[1;31m",
    "medium": "\x1b[33m",
    "low": "\x1b[36m",
    "heading": "\x1b[1m",
    "dim": "\x1b[2m",
    "alert": "\x1b[1;97;41m",
}

# C0 and C1 controls except tab and newline, plus the bidi overrides that can make a terminal
# show text in an order other than the one it has ("Trojan Source").
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_INDENT = " " * 10  # aligns detail lines under the rule id, after the severity column
_RULE_WIDTH = 72


def _printable(text: str) -> str:
    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"

    return _UNPRINTABLE.sub(escape, text)


class _Writer:
    """Collects lines; colour is applied here only, so the layout never depends on it."""

    def __init__(self, color: bool) -> None:
        self.color = color
        self.lines: list[str] = []

    def paint(self, text: str, style: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if self.color else text

    def add(self, line: str = "") -> None:
        self.lines.append(line)

    def heading(self, title: str) -> None:
        if self.lines:
            self.add()
        self.add(self.paint(title, "heading"))
        self.add("-" * len(title))

    def detail(self, label: str, text: str) -> None:
        """A labelled, indented value; continuation lines keep the indent so blocks stay legible."""
        prefix = f"{label}: " if label else ""
        first, *rest = (_printable(text) or "-").split("\n")
        self.add(f"{_INDENT}{prefix}{first}")
        for line in rest:
            self.add(f"{_INDENT}{' ' * len(prefix)}{line}")


def _finding_head(out: _Writer, finding: Finding, state: str | None = None) -> None:
    label = finding.severity.label.upper()
    severity = out.paint(f"{label:<8}", finding.severity.label)
    name = _printable(f"{finding.rule_id} {finding.rule_name}: {finding.subject}")
    out.add(f"  {severity}{name}{' [new]' if state == 'new' else ''}")


def _location(finding: Finding) -> str:
    return str(finding.location) if finding.location is not None else "(no file location)"


def _findings(out: _Writer, result: AuditResult) -> None:
    groups = findings_by_area(result.findings)
    if not groups:
        out.heading("findings")
        out.add("  no findings")
        return
    for area, findings in groups:
        out.heading(f"{area} ({len(findings)})")
        for index, finding in enumerate(findings):
            if index:
                out.add()
            _finding_head(out, finding, result.baseline_state(finding))
            out.detail("", finding.message)
            out.detail("fix", finding.fix)
            out.detail("location", _location(finding))


def _outcomes(out: _Writer, result: AuditResult, status: str, title: str) -> None:
    chosen: list[RuleOutcome] = [o for o in ordered_outcomes(result.outcomes) if o.status == status]
    if not chosen:
        return
    out.heading(title)
    for outcome in chosen:
        rule = outcome.rule
        reason = outcome.reason or "no reason given"
        out.add(_printable(f"  {rule.id} {rule.name} ({rule.area}): {reason}"))


def _waived(out: _Writer, result: AuditResult) -> None:
    if not result.waived:
        return
    out.heading(f"waived ({len(result.waived)})")
    for index, waived in enumerate(ordered_waived(result.waived)):
        if index:
            out.add()
        _finding_head(out, waived.finding)
        out.detail("reason", waived.reason)
        out.detail("expires", waived.expires)
        out.detail("location", _location(waived.finding))


def _incomplete(out: _Writer, result: AuditResult) -> None:
    if result.complete:
        return
    bar = "=" * _RULE_WIDTH
    out.add()
    out.add(out.paint(bar, "alert"))
    out.add(out.paint("AUDIT INCOMPLETE: part of the configuration was not read or not checked.", "alert"))
    out.add(out.paint("The absence of a finding is NOT a pass. Reasons:", "alert"))
    for reason in ordered_reasons(result):
        out.add(f"  - {_printable(reason)}")
    out.add(out.paint(bar, "alert"))


def _measurements(out: _Writer, result: AuditResult) -> None:
    if not result.measurements:
        return
    out.heading(f"measurements ({len(result.measurements)})")
    for m in result.measurements:
        if not m.available:
            value = "not measured"
        elif m.value is None:
            value = ", ".join(f"{status} {'n/a' if v is None else v}" for status, v in m.breakdown) or "none"
        else:
            value = f"{m.value} {m.unit}".rstrip()
        out.add(_printable(f"  {m.title}: {value}"))
        if m.detail:
            out.detail("", m.detail)


def render(result: AuditResult, *, color: bool = False) -> str:
    """The text report; its last line is always the plain summary (see summary_line)."""
    out = _Writer(color)
    out.add(out.paint(_printable(f"leadaudit {result.tool_version}: audit of {result.source}"), "heading"))
    out.add(_printable(f"process file: {result.process_file or '(none)'}"))
    out.add(_printable(f"generated at: {result.generated_at}"))
    if result.baseline is not None:
        states = [result.baseline_state(f) for f in result.findings]
        out.add(_printable(
            f"baseline: {result.baseline.path} ({result.baseline.generated_at}): {states.count('new')} new, "
            f"{states.count('unchanged')} unchanged, {len(result.resolved_since_baseline)} resolved"
        ))
    if not result.complete:
        # Said at the top too: a reader paging from the start must not miss it.
        out.add(out.paint("status: AUDIT INCOMPLETE (reasons at the end)", "alert"))
    _findings(out, result)
    _outcomes(out, result, "not-applicable", "not applicable")
    _outcomes(out, result, "disabled", "disabled")
    _outcomes(out, result, "error", "rules that failed to run")
    _waived(out, result)
    _measurements(out, result)
    _incomplete(out, result)
    out.add()
    # Never coloured: scripts and people grep this exact line.
    out.add(summary_line(result))
    return "\n".join(out.lines) + "\n"
