"""Read the org settings a lead process depends on (``settings/<Name>.settings``).

Business hours decide when an SLA clock runs; LeadConfig and LeadConvert settings decide what
conversion does (keep the status, create an opportunity, let owners change). Every other
settings file is accepted and ignored: an org holds dozens and none of them is a problem.
"""

from __future__ import annotations

from auditor.model import BusinessHours, Setting
from auditor.parse.base import Contribution, FileContext, expect_root
from auditor.xmlsafe import Node

# Settings kept as name/value pairs (lower-cased component name -> canonical name).
_KEY_VALUE_SETTINGS = {"leadconfig": "LeadConfig", "leadconvert": "LeadConvert"}


def parse_settings(root: Node, ctx: FileContext) -> Contribution:
    """Dispatch on the file name; a known file must carry its own ``<NameSettings>`` root.

    The name is compared case-blind: the Metadata API documentation itself writes
    ``businessHours.settings`` while retrieves produce ``BusinessHours.settings``.
    """
    key = ctx.component.lower()
    if key == "businesshours":
        expect_root(root, "BusinessHoursSettings")
        return {"business_hours": [_business_hours(node, ctx) for node in root.children("businessHours")]}
    if key in _KEY_VALUE_SETTINGS:
        expect_root(root, f"{_KEY_VALUE_SETTINGS[key]}Settings")
        # the canonical name, so ``leadConfig.settings`` is still found as "LeadConfig"
        setting = Setting(name=_KEY_VALUE_SETTINGS[key], values=_leaf_values(root), source=ctx.ref(root))
        return {"settings": [setting]}
    return {}


def _business_hours(node: Node, ctx: FileContext) -> BusinessHours:
    # ``active`` is optional in the WSDL; Salesforce defaults BusinessHours.IsActive to false.
    return BusinessHours(
        name=node.text("name", "") or "",
        active=node.flag("active"),
        default=node.flag("default"),
        time_zone=node.text("timeZoneId"),
        source=ctx.ref(node),
    )


def _leaf_values(root: Node) -> tuple[tuple[str, str], ...]:
    """Simple ``<tag>text</tag>`` children, sorted; nested ones (objectMapping) are left out."""
    pairs = [
        (Node(child).tag, (child.text or "").strip())
        for child in root.el
        if isinstance(child.tag, str) and len(child) == 0
    ]
    return tuple(sorted(pairs))
