"""Read report types and reports: the audit checks that lead reports use fields that exist.

A report's identity includes its folder (``reports/Sales/Open_Leads.report``), which the
dispatcher passes as ``Folder/Name`` in the component name.
"""

from __future__ import annotations

from auditor.model import Report, ReportType
from auditor.parse.base import Contribution, FileContext, expect_root
from auditor.xmlsafe import Node


def parse_report_type(root: Node, ctx: FileContext) -> Contribution:
    """A custom report type: its name is the file name, its base object says what it lists."""
    expect_root(root, "ReportType")
    report_type = ReportType(
        name=ctx.component,
        label=root.text("label", "") or "",
        base_object=root.text("baseObject", "") or "",
        source=ctx.ref(root),
    )
    return {"report_types": [report_type]}


def parse_report(root: Node, ctx: FileContext) -> Contribution:
    """A report: the fields it shows as columns and the ones it groups by."""
    expect_root(root, "Report")
    folder, _, name = ctx.component.rpartition("/")
    groupings = [g.text("field", "") or "" for g in root.children("groupingsDown")]
    groupings += [g.text("field", "") or "" for g in root.children("groupingsAcross")]
    report = Report(
        name=name,
        folder=folder,
        label=root.text("name", "") or "",
        report_type=root.text("reportType", "") or "",
        columns=tuple(c for c in (col.text("field") for col in root.children("columns")) if c),
        groupings=tuple(g for g in groupings if g),
        source=ctx.ref(root),
    )
    return {"reports": [report]}
