"""Lead assignment rules and auto-response rules: rules with ordered entries."""

from __future__ import annotations

from auditor.model import CriteriaItem, LeadRule, RuleEntry
from auditor.parse.base import Contribution, FileContext, decode_name, expect_root
from auditor.xmlsafe import Node


def criteria_items(node: Node, ctx: FileContext) -> tuple[CriteriaItem, ...]:
    """``criteriaItems`` rows, shared with workflow rules."""
    return tuple(
        CriteriaItem(
            field=item.text("field") or "",
            operation=item.text("operation") or "",
            value=item.text("value"),
            value_field=item.text("valueField"),
            source=ctx.ref(item),
        )
        for item in node.children("criteriaItems")
    )


def _entry(node: Node, order: int, kind: str, ctx: FileContext) -> RuleEntry:
    assigned_to = node.text("assignedTo") or None
    return RuleEntry(
        order=order,
        criteria=criteria_items(node, ctx),
        boolean_filter=node.text("booleanFilter") or None,
        formula=node.text("formula") or None,
        assigned_to=assigned_to,
        assigned_to_type=node.text("assignedToType") or None,
        template=node.text("template") or None,
        # "Do Not Reassign Owner" is stored as an assignment entry without an assignee
        do_not_reassign_owner=kind == "assignment" and assigned_to is None,
        source=ctx.ref(node),
    )


def _rules(root: Node, ctx: FileContext, element: str, kind: str) -> list[LeadRule]:
    rules = []
    for node in root.children(element):
        entries = tuple(_entry(e, i, kind, ctx) for i, e in enumerate(node.children("ruleEntry"), start=1))
        rules.append(
            LeadRule(
                kind=kind,
                name=decode_name(node.text("fullName")),
                active=node.flag("active"),
                entries=entries,
                source=ctx.ref(node),
            )
        )
    return rules


def parse_assignment_rules(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "AssignmentRules")
    if ctx.component.lower() != "lead":
        return {}  # Case assignment rules are not part of the lead process
    return {
        "assignment_rules": _rules(root, ctx, "assignmentRule", "assignment"),
        "assignment_rules_source": ctx.ref(root),
    }


def parse_auto_response_rules(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "AutoResponseRules")
    if ctx.component.lower() != "lead":
        return {}
    return {
        "auto_response_rules": _rules(root, ctx, "autoResponseRule", "auto-response"),
        "auto_response_rules_source": ctx.ref(root),
    }
