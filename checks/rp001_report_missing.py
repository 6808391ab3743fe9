"""RP001 report-missing: a report the process needs is not among the Lead reports in the source.

What: each entry of ``reports:`` in the process file is matched against the Lead reports of the
source. A report is a Lead report when its report type is ``LeadList``, ``Lead``, a custom report
type whose base object is Lead, or any type whose name contains "Lead". It matches an entry when
its type equals the entry's ``report_type`` (if given) and it groups by every ``group_by``
column (compared case-insensitively, ``STATUS`` also as ``Lead.Status``). An entry without
``group_by`` matches by name (label or API name); the standard reports of the lead process also
match by their grouping: a lead funnel by status groups by ``STATUS``, conversion by source by
``LEAD_SOURCE``; response time, MQL to SAL acceptance and SLA compliance match by name only.
Reports cannot be retrieved with a wildcard, so a source with no reports at all cannot show that
one is missing: then each entry is reported at low severity, saying how to retrieve reports.

Why it matters: a process nobody measures is not followed for long. Without the funnel or the
response-time report, no one can show that leads move, or that SLAs hold.

How to fix: build the report on a Lead report type with the listed groupings, or, if it exists,
add it to the retrieve (``package.xml``: ``<members>Folder/Report_Name</members>`` under
``<name>Report</name>``), or correct the entry in the process file.

Failing example: the process lists ``Lead funnel by status`` grouped by ``STATUS``; the only
Lead report groups by ``LEAD_SOURCE``.

Passing example: ``reports/Lead_Reports/Lead_Funnel_by_Status.report`` on ``LeadList`` groups
down by ``STATUS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import Model, Report, SourceRef

RULE = Rule(
    id="RP001",
    name="report-missing",
    severity=Severity.MEDIUM,
    category="reporting",
    summary="A report the process needs is not among the Lead reports in the source",
    needs_process=True,
)

RETRIEVE_HINT = (
    "add each report to package.xml as <types><members>Folder/Report_Name</members><name>Report</name></types> "
    "(reports are retrieved by folder and name, never by wildcard)"
)


def _words(text: str) -> str:
    return " ".join(re.split(r"[\s_\-]+", text.lower())).strip()


def _column(name: str) -> str:
    """``STATUS``, ``Lead.Status`` and ``status`` are one column; ``LEAD_SOURCE`` is ``Lead.LeadSource``."""
    key = name.strip().lower()
    if key.startswith("lead."):
        key = key[len("lead."):]
    # standard report columns are spelled LEAD_SOURCE where the field is LeadSource; custom
    # fields keep their underscores (Fit_Score__c)
    return key if "__" in key else key.replace("_", "")


def _standard_grouping(name: str) -> str | None:
    """The grouping a standard report of the lead process implies, from its name."""
    words = _words(name)
    if "funnel" in words:
        return "STATUS"
    if "conversion" in words and "source" in words:
        return "LEAD_SOURCE"
    return None


def _lead_types(model: Model) -> set[str]:
    types = {"leadlist", "lead"}
    for report_type in model.report_types:
        if report_type.base_object.lower() == "lead":
            types |= {report_type.name.lower(), f"{report_type.name.lower()}__c"}
    return types


def _is_lead_report(report: Report, lead_types: set[str]) -> bool:
    return report.report_type.lower() in lead_types or "lead" in report.report_type.lower()


def _same_type(report: Report, wanted: str) -> bool:
    ours, theirs = report.report_type.lower(), wanted.strip().lower()
    return ours == theirs or ours.removesuffix("__c") == theirs.removesuffix("__c")


def _matches(report: Report, entry: Mapping[str, Any]) -> bool:
    wanted_type = entry.get("report_type")
    if wanted_type and not _same_type(report, wanted_type):
        return False
    groups = {_column(g) for g in report.groupings}
    group_by = entry.get("group_by") or []
    if group_by:
        return all(_column(g) in groups for g in group_by)
    name = _words(entry["name"])
    if name in (_words(report.label), _words(report.name)):
        return True
    implied = _standard_grouping(entry["name"])
    return implied is not None and _column(implied) in groups


def _needs(entry: Mapping[str, Any]) -> str:
    parts = []
    if entry.get("report_type"):
        parts.append(f"of type {entry['report_type']}")
    group_by = entry.get("group_by") or []
    implied = _standard_grouping(entry["name"])
    if group_by:
        parts.append(f"grouped by {', '.join(group_by)}")
    elif implied:
        parts.append(f"named '{entry['name']}' or grouped by {implied}")
    else:
        parts.append(f"named '{entry['name']}'")
    return " ".join(parts)


def _inventory(model: Model, lead_reports: list[Report]) -> str:
    if not lead_reports:
        return f"none of the {len(model.reports)} report(s) in the source is a Lead report"
    shown = [
        f"{r.folder}/{r.name} on {r.report_type}, "
        + (f"grouped by {', '.join(r.groupings)}" if r.groupings else "no groupings")
        for r in lead_reports[:5]
    ]
    more = f" and {len(lead_reports) - 5} more" if len(lead_reports) > 5 else ""
    return f"the Lead reports in the source: {'; '.join(shown)}{more}"


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    if not process.reports:
        raise NotApplicable(f"{process.path} lists no reports (reports:)")
    model = ctx.model
    where = SourceRef(process.path)
    lead_types = _lead_types(model)
    lead_reports = [r for r in model.reports if _is_lead_report(r, lead_types)]
    for entry in process.reports:
        subject = f"Report:{entry['name']}"
        needs = _needs(entry)
        match = next((r for r in lead_reports if _matches(r, entry)), None)
        # a report that satisfies the entry is what a person opens; else the process file that asks for it
        yield ctx.checked(subject, match.source if match is not None else where)
        if not model.reports:
            yield ctx.finding(
                subject,
                f"the process needs the Lead report '{entry['name']}' ({needs}), but the source holds no reports "
                "at all, so whether it exists in the org cannot be judged",
                fix=f"If the report exists, {RETRIEVE_HINT}; if not, build it on a Lead report type ({needs}).",
                location=where,
                severity=Severity.LOW,
            )
            continue
        if match is not None:
            continue
        yield ctx.finding(
            subject,
            f"no Lead report in the source is {needs}, as the process's report '{entry['name']}' requires "
            f"({_inventory(model, lead_reports)}): without it this part of the process cannot be measured",
            fix=(
                f"Build a report on a Lead report type {needs} and save it in a shared folder; if it already exists "
                f"in a folder that was not retrieved, {RETRIEVE_HINT}."
            ),
            location=where,
        )
