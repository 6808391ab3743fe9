"""HTML report: one self-contained file a person opens, prints or attaches to a ticket.

No network of any kind (no CDN, font, image or script), so it opens offline and leaks nothing.
Metadata text is user input: Jinja2 autoescapes every value, a Content-Security-Policy in the
page forbids scripts even if escaping were ever bypassed, and characters HTML cannot carry are
dropped before output. The grouping is done here, in Python; the template only lays it out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from auditor.findings import AuditResult, Finding, RuleOutcome, WaivedFinding
from auditor.model import FileRecord
from auditor.overview import Lifecycle, RoutingTable
from reports.diagram import lifecycle_svg
from reports.score import FORMULA, AreaScore, area_scores
from reports.common import (
    SEVERITIES_DESC,
    doc_sections,
    findings_by_area,
    ordered_findings,
    ordered_outcomes,
    ordered_reasons,
    ordered_waived,
    summary_line,
    xml_safe,
)

TEMPLATE = "report.html.j2"

# Headings read better with the acronym; other area names are plain words.
_AREA_TITLES: dict[str, str] = {"sla": "SLA"}


@dataclass(frozen=True)
class Verdict:
    """The cover's one-word answer and the sentence under it."""

    word: str  # "Audit incomplete", "Action needed", "Clean"
    css: str
    sentence: str


@dataclass(frozen=True)
class SeverityGroup:
    label: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class AreaGroup:
    name: str
    title: str
    count: int
    severities: tuple[SeverityGroup, ...]


@dataclass(frozen=True)
class View:
    """Everything the template shows, already ordered."""

    result: AuditResult
    summary_line: str
    verdict: Verdict
    counts: dict[str, int]
    reasons: tuple[str, ...]
    scores: tuple[AreaScore, ...]
    score_formula: str
    areas: tuple[AreaGroup, ...]
    why: Mapping[str, str]  # rule id -> "Why it matters" from its documentation
    not_run: tuple[RuleOutcome, ...]
    waived: tuple[WaivedFinding, ...]
    lifecycle: Lifecycle | None
    lifecycle_svg: Markup | None
    routing: RoutingTable | None
    baseline_new: tuple[Finding, ...]
    baseline_resolved: tuple[Finding, ...]
    files: tuple[FileRecord, ...]
    unreadable: tuple[FileRecord, ...]

    def area_title(self, area: str) -> str:
        return area_title(area)


def area_title(area: str) -> str:
    return _AREA_TITLES.get(area, area.capitalize())


def _finalize(value: object) -> object:
    # Runs on every {{ expression }} before autoescaping: strips control characters from text.
    if isinstance(value, Markup):
        return Markup(xml_safe(str(value)))
    if isinstance(value, str):
        return xml_safe(value)
    return value


@functools.cache
def _environment() -> jinja2.Environment:
    # PackageLoader reads reports/templates from the installed package (package data), so the
    # renderer works from a wheel as well as from a checkout.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a typo in the template fails loudly, not blank
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _areas(result: AuditResult) -> tuple[AreaGroup, ...]:
    groups = []
    for area, findings in findings_by_area(result.findings):
        severities = tuple(
            SeverityGroup(sev.label, tuple(f for f in findings if f.severity == sev))
            for sev in SEVERITIES_DESC
            if any(f.severity == sev for f in findings)
        )
        groups.append(AreaGroup(area, area_title(area), len(findings), severities))
    return tuple(groups)


def _verdict(result: AuditResult) -> Verdict:
    # Incomplete comes first whatever was found: an audit that could not see everything must
    # never read as good news, even with zero findings.
    if not result.complete:
        return Verdict(
            "Audit incomplete",
            "incomplete",
            "Part of the configuration could not be read or checked: the findings below are not the whole "
            "picture, and a missing finding is not a pass.",
        )
    if result.findings:
        counts = ", ".join(f"{result.count(sev)} {sev.label}" for sev in SEVERITIES_DESC if result.count(sev))
        return Verdict("Action needed", "action", f"{len(result.findings)} findings to fix ({counts}).")
    return Verdict("Clean", "clean", "Every applicable rule ran and found nothing to fix.")


def _why(rule_docs: Mapping[str, str] | None) -> dict[str, str]:
    if not rule_docs:
        return {}
    return {rule_id: doc_sections(doc).get("Why it matters", "") for rule_id, doc in rule_docs.items()}


def build_view(result: AuditResult, rule_docs: Mapping[str, str] | None = None) -> View:
    files = tuple(sorted(result.files, key=lambda r: (r.path, r.kind, r.status)))
    counts = {sev.label: result.count(sev) for sev in SEVERITIES_DESC}
    counts["waived"] = len(result.waived)
    overview = result.overview
    lifecycle = overview.lifecycle if overview is not None else None
    return View(
        result=result,
        summary_line=summary_line(result),
        verdict=_verdict(result),
        counts=counts,
        reasons=tuple(ordered_reasons(result)),
        scores=area_scores(result),
        score_formula=FORMULA,
        areas=_areas(result),
        why=_why(rule_docs),
        not_run=tuple(o for o in ordered_outcomes(result.outcomes) if o.status != "ran"),
        waived=tuple(ordered_waived(result.waived)),
        lifecycle=lifecycle,
        # the SVG is built by lxml, which escapes every name; Markup keeps Jinja from escaping it twice
        lifecycle_svg=Markup(lifecycle_svg(lifecycle)) if lifecycle is not None and lifecycle.statuses else None,
        routing=overview.routing if overview is not None else None,
        baseline_new=tuple(ordered_findings(f for f in result.findings if result.baseline_state(f) == "new")),
        baseline_resolved=tuple(ordered_findings(result.resolved_since_baseline)),
        files=files,
        unreadable=tuple(r for r in files if r.status == "unreadable"),
    )


def render(result: AuditResult, rule_docs: Mapping[str, str] | None = None) -> str:
    """The report; ``rule_docs`` (rule id -> docstring) adds each rule's "why it matters"."""
    pieces = _environment().get_template(TEMPLATE).generate(view=build_view(result, rule_docs))
    # What Template.render does, but each piece made a plain str before the join: autoescaping
    # yields Markup, a str subclass the garbage collector tracks. On a large org, tens of
    # thousands of them waiting for the join were promoted and set off a full collection.
    return "".join(map(str, pieces))
