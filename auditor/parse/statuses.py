"""The LeadStatus standard value set: the org's Lead Status picklist with its flags."""

from __future__ import annotations

from auditor.model import StatusValue
from auditor.parse.base import Contribution, FileContext, decode_name, expect_root
from auditor.xmlsafe import Node

LEAD_STATUS_SET = "leadstatus"


def status_value(node: Node, ctx: FileContext) -> StatusValue:
    """A ``standardValue`` (value set) or ``picklistValues`` (pre-API 38 Status field) entry."""
    api_name = decode_name(node.text("fullName"))
    return StatusValue(
        api_name=api_name,
        label=node.text("label") or api_name,
        default=node.flag("default"),
        converted=node.flag("converted"),
        closed=node.flag("closed"),
        active=node.flag("isActive", default=True),
        source=ctx.ref(node),
    )


def parse_standard_value_set(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "StandardValueSet")
    if ctx.component.lower() != LEAD_STATUS_SET:
        return {}  # LeadSource and others: read, not used by any rule yet
    return {
        "statuses": [status_value(node, ctx) for node in root.children("standardValue")],
        "status_source": ctx.ref(root),
    }
