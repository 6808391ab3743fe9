"""HTML report: one self-contained file a person opens, prints or attaches to a ticket.

No network of any kind (no CDN, font, image or script), so it opens offline and leaks nothing.
Metadata text is user input: Jinja2 autoescapes every value, a Content-Security-Policy in the
page forbids scripts even if escaping were ever bypassed, and characters HTML cannot carry are
dropped before output. The grouping is done here, in Python; the template only lays it out.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jinja2
from markupsafe import Markup

from auditor.findings import AuditResult, Finding, RuleOutcome, WaivedFinding
from auditor.model import FileRecord
from reports.common import (
    SEVERITIES_DESC,
    findings_by_area,
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
    counts: dict[str, int]
    reasons: tuple[str, ...]
    areas: tuple[AreaGroup, ...]
    not_run: tuple[RuleOutcome, ...]
    waived: tuple[WaivedFinding, ...]
    files: tuple[FileRecord, ...]
    unreadable: tuple[FileRecord, ...]


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
        title = _AREA_TITLES.get(area, area.capitalize())
        groups.append(AreaGroup(area, title, len(findings), severities))
    return tuple(groups)


def build_view(result: AuditResult) -> View:
    files = tuple(sorted(result.files, key=lambda r: (r.path, r.kind, r.status)))
    counts = {sev.label: result.count(sev) for sev in SEVERITIES_DESC}
    counts["waived"] = len(result.waived)
    return View(
        result=result,
        summary_line=summary_line(result),
        counts=counts,
        reasons=tuple(ordered_reasons(result)),
        areas=_areas(result),
        not_run=tuple(o for o in ordered_outcomes(result.outcomes) if o.status != "ran"),
        waived=tuple(ordered_waived(result.waived)),
        files=files,
        unreadable=tuple(r for r in files if r.status == "unreadable"),
    )


def render(result: AuditResult) -> str:
    return _environment().get_template(TEMPLATE).render(view=build_view(result))
