"""Read duplicate rules and matching rules: how the org stops the same lead arriving twice.

A duplicate rule is only as good as the matching rule it names, so both are kept and the pair
(matching rule, object) is recorded as the duplicate rule states it.
"""

from __future__ import annotations

from auditor.model import DuplicateRule, MatchingRule
from auditor.parse.base import Contribution, FileContext, decode_name, expect_root
from auditor.xmlsafe import Node


def parse_duplicate_rule(root: Node, ctx: FileContext) -> Contribution:
    """``duplicateRules/Lead.Rule_Name.duplicateRule``: the object is the part before the first dot.

    The component name is already URL-decoded by the dispatcher (``Lead.Lead%2ENew`` arrives
    as ``Lead.Lead.New``), and object names hold no dot, so splitting at the first dot is safe;
    decoding again would corrupt a name with a literal ``%``.
    """
    expect_root(root, "DuplicateRule")
    sobject, dot, name = ctx.component.partition(".")
    if not dot:
        sobject, name = ctx.parent or "", ctx.component
    rule = DuplicateRule(
        name=name,
        object=sobject,
        active=root.flag("isActive"),
        matching_rules=tuple(
            (decode_name(m.text("matchingRule")), m.text("matchRuleSObjectType", "") or "")
            for m in root.children("duplicateRuleMatchRules")
            if m.text("matchingRule")
        ),
        source=ctx.ref(root),
    )
    return {"duplicate_rules": [rule]}


def parse_matching_rules(root: Node, ctx: FileContext) -> Contribution:
    """``matchingRules/Lead.matchingRule`` holds every matching rule of one object."""
    expect_root(root, "MatchingRules")
    return {"matching_rules": [_matching_rule(node, ctx) for node in root.children("matchingRules")]}


def _matching_rule(node: Node, ctx: FileContext) -> MatchingRule:
    return MatchingRule(
        name=decode_name(node.text("fullName")),
        object=ctx.component,
        active=node.text("ruleStatus") == "Active",
        fields=tuple(
            f for f in (item.text("fieldName") for item in node.children("matchingRuleItems")) if f
        ),
        source=ctx.ref(node),
    )
