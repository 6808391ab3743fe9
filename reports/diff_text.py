"""The drift report as plain text: what a person reads in a CI log."""

from __future__ import annotations

from auditor.drift import DriftReport, ReviewedChange
from reports.common import xml_safe


def _change_lines(item: ReviewedChange) -> list[str]:
    change = item.change
    mark = "approved" if item.approved else "NOT APPROVED"
    lines = [f"  [{mark}] {change.kind}  {change.subject}", f"      {change.summary}"]
    lines.append(f"      before: {change.before if change.before is not None else '(none)'}")
    lines.append(f"      after:  {change.after if change.after is not None else '(none)'}")
    if change.location is not None:
        label = "was at:" if change.located_in_old else "at:    "
        lines.append(f"      {label} {change.location}")
    if item.approval is not None:
        approval = item.approval
        lines.append(f"      approved by {approval.who} on {approval.when}: {approval.why}")
    return lines


def render(report: DriftReport) -> str:
    """Grouped by area in process order; ends with a one-line verdict."""
    lines = [f"leadaudit drift: {report.old} -> {report.new}"]
    if report.approvals_file:
        lines.append(f"approved drift: {report.approvals_file}")
    area = None
    for item in report.changes:
        if item.change.area != area:
            area = item.change.area
            lines.extend(["", area])
        lines.extend(_change_lines(item))
    if report.unused_approvals:
        lines.extend(["", "approvals that match no change (remove them, or check the subject):"])
        for approval in report.unused_approvals:
            lines.append(f"  - {approval.kind}  {approval.subject} (by {approval.who} on {approval.when})")
    total, open_ = len(report.changes), len(report.unapproved)
    lines.append("")
    if not total:
        lines.append("no drift: the lead process is configured as before")
    else:
        lines.append(f"{total} change{'s' if total != 1 else ''}, {total - open_} approved, {open_} not approved")
    # text from the org's metadata is user input: control characters must not reach a terminal
    return "\n".join(xml_safe(line) for line in lines) + "\n"
