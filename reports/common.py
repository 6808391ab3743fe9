"""Order and text hygiene shared by every report format.

All formats sort through these keys so the text, JSON, JUnit and HTML reports of one audit list
things in the same order, and so two runs over the same org give byte-identical files (CI diffs
reports; an order that depends on dict or set iteration would show as noise).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from auditor.findings import AREAS, AuditResult, Finding, RuleOutcome, Severity, WaivedFinding

#: Area names in the order AREAS declares them: the order a reader walks a lead process.
AREA_ORDER: tuple[str, ...] = tuple(AREAS.values())
_AREA_RANK: dict[str, int] = {area: rank for rank, area in enumerate(AREA_ORDER)}

#: Highest first: a reader should meet what matters most before the rest.
SEVERITIES_DESC: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))

#: The rule that reports a configuration file that could not be read (see DESIGN: Robustness).
#: Such a finding means the audit is partial, so JUnit reports it as an error, not a failure.
UNREADABLE_RULE_ID = "CF001"

# Characters XML 1.0 forbids (most C0 controls, lone surrogates, U+FFFE/U+FFFF). lxml refuses
# them, and an HTML parser turns them into parse errors, so they are removed from metadata text.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def area_rank(area: str) -> int:
    """Position of an area in AREAS; an unknown area sorts last rather than crashing a report."""
    return _AREA_RANK.get(area, len(_AREA_RANK))


def finding_key(finding: Finding) -> tuple[object, ...]:
    # Finding.sort_key does not cover every field; the tail makes the order total, so equal
    # keys never fall back on the (engine-dependent) input order.
    return (area_rank(finding.area), finding.sort_key(), finding.rule_name, finding.category, finding.fix)


def waived_key(waived: WaivedFinding) -> tuple[object, ...]:
    return (finding_key(waived.finding), waived.expires, waived.reason)


def outcome_key(outcome: RuleOutcome) -> tuple[object, ...]:
    rule = outcome.rule
    return (area_rank(rule.area), rule.id, rule.name, outcome.status, outcome.reason)


def ordered_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=finding_key)


def ordered_waived(waived: Iterable[WaivedFinding]) -> list[WaivedFinding]:
    return sorted(waived, key=waived_key)


def ordered_outcomes(outcomes: Iterable[RuleOutcome]) -> list[RuleOutcome]:
    return sorted(outcomes, key=outcome_key)


def ordered_reasons(result: AuditResult) -> list[str]:
    """Incomplete reasons sorted: checks may finish in any order, the report must not change."""
    return sorted(result.incomplete_reasons)


def findings_by_area(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    """Non-empty areas in AREAS order, each with its findings in Finding.sort_key order."""
    groups: dict[str, list[Finding]] = {}
    for finding in ordered_findings(findings):
        groups.setdefault(finding.area, []).append(finding)
    return list(groups.items())  # dicts keep insertion order, which is already area order


def summary_line(result: AuditResult) -> str:
    """The one line CI logs and people grep: counts, waivers, and whether the audit is whole."""
    counts = ", ".join(f"{result.count(sev)} {sev.label}" for sev in SEVERITIES_DESC)
    state = "audit complete" if result.complete else "audit incomplete"
    return f"{len(result.findings)} findings ({counts}), {len(result.waived)} waived, {state}"


def xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry; everything else is escaped by the serializer."""
    if text.isascii() and text.isprintable():  # " " to "~" only, all legal: a quick answer for most text
        return text
    return _XML_ILLEGAL.sub("", text)


_SECTION = re.compile(r"^(What|Why it matters|How to fix|Failing example|Passing example):\s*", re.MULTILINE)


def doc_sections(doc: str) -> dict[str, str]:
    """A rule docstring split at its headings: {"What": ..., "Why it matters": ..., "How to fix": ...}.

    Rule docstrings follow one layout (a title line, then "What:", "Why it matters:", "How to fix:"
    and examples); text before the first heading is kept under "title". Lines are re-flowed, so a
    report can show a section as one paragraph.
    """
    sections: dict[str, str] = {}
    parts = _SECTION.split(doc)
    sections["title"] = _plain(parts[0])
    for heading, body in zip(parts[1::2], parts[2::2]):
        sections[heading] = _plain(body)
    return sections


def _plain(text: str) -> str:
    """Docstring markup a reader of a report should not see: ``code`` quotes and the "DOMAIN:"
    pointer to the design notes (the sentence after it stands on its own)."""
    text = text.replace("``", "'").replace("DOMAIN: ", "")
    return " ".join(text.split())
