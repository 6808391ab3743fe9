"""The Lead object: whole (``Lead.object``) or decomposed (``objects/Lead/fields/X.field-meta.xml``)."""

from __future__ import annotations

from auditor.model import BusinessProcess, LeadField, PicklistValue, RecordType, ValidationRule
from auditor.parse.base import Contribution, FileContext, decode_name, expect_root
from auditor.parse.statuses import status_value
from auditor.xmlsafe import Node

LEAD = "lead"


def _is_lead(name: str | None) -> bool:
    return (name or "").lower() == LEAD


def _picklist_values(node: Node) -> tuple[PicklistValue, ...]:
    values: list[Node] = []
    value_set = node.child("valueSet")
    if value_set is not None:
        definition = value_set.child("valueSetDefinition")
        if definition is not None:
            values = definition.children("value")
    legacy = node.child("picklist")  # before API 38 picklists were written this way
    if legacy is not None:
        values = legacy.children("picklistValues")
    result = []
    for value in values:
        api_name = decode_name(value.text("fullName"))
        result.append(
            PicklistValue(
                api_name=api_name,
                label=value.text("label") or api_name,
                default=value.flag("default"),
                active=value.flag("isActive", default=True),
            )
        )
    return tuple(result)


def field_from(node: Node, ctx: FileContext, fallback_name: str) -> LeadField:
    name = decode_name(node.text("fullName")) or fallback_name
    value_set = node.child("valueSet")
    return LeadField(
        name=name,
        label=node.text("label") or name,
        type=node.text("type") or "",
        required=node.flag("required"),
        track_history=node.flag("trackHistory"),
        formula=node.text("formula"),
        picklist_values=_picklist_values(node),
        value_set_name=value_set.text("valueSetName") if value_set is not None else None,
        source=ctx.ref(node),
    )


def validation_rule_from(node: Node, ctx: FileContext, fallback_name: str) -> ValidationRule:
    return ValidationRule(
        name=decode_name(node.text("fullName")) or fallback_name,
        active=node.flag("active"),
        formula=node.text("errorConditionFormula") or "",
        error_message=node.text("errorMessage") or "",
        error_field=node.text("errorDisplayField"),
        source=ctx.ref(node),
    )


def business_process_from(node: Node, ctx: FileContext, fallback_name: str) -> BusinessProcess:
    values = node.children("values")
    default = next((decode_name(v.text("fullName")) for v in values if v.flag("default")), None)
    return BusinessProcess(
        name=decode_name(node.text("fullName")) or fallback_name,
        active=node.flag("isActive", default=True),
        values=tuple(decode_name(v.text("fullName")) for v in values),
        default_value=default,
        source=ctx.ref(node),
    )


def record_type_from(node: Node, ctx: FileContext, fallback_name: str) -> RecordType:
    name = decode_name(node.text("fullName")) or fallback_name
    return RecordType(
        name=name,
        label=node.text("label") or name,
        active=node.flag("active"),
        business_process=decode_name(node.text("businessProcess")) or None,
        source=ctx.ref(node),
    )


def _legacy_statuses(fields: list[Node], ctx: FileContext) -> Contribution:
    """Orgs retrieved at API < 38 keep Lead Status values on the Status field itself."""
    for node in fields:
        if (node.text("fullName") or "") == "Status" and node.child("picklist") is not None:
            values = node.child("picklist").children("picklistValues")  # type: ignore[union-attr]
            return {
                "legacy_statuses": [status_value(v, ctx) for v in values],
                "legacy_status_source": ctx.ref(node),
            }
    return {}


def parse_object(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "CustomObject")
    if not _is_lead(ctx.component):
        return {}
    fields = root.children("fields")
    contribution: Contribution = {
        "fields": [field_from(n, ctx, "") for n in fields],
        "validation_rules": [validation_rule_from(n, ctx, "") for n in root.children("validationRules")],
        "business_processes": [business_process_from(n, ctx, "") for n in root.children("businessProcesses")],
        "record_types": [record_type_from(n, ctx, "") for n in root.children("recordTypes")],
    }
    contribution.update(_legacy_statuses(fields, ctx))
    return contribution


def parse_field(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "CustomField")
    if not _is_lead(ctx.parent):
        return {}
    contribution: Contribution = {"fields": [field_from(root, ctx, ctx.component)]}
    contribution.update(_legacy_statuses([root], ctx))
    return contribution


def parse_validation_rule(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "ValidationRule")
    if not _is_lead(ctx.parent):
        return {}
    return {"validation_rules": [validation_rule_from(root, ctx, ctx.component)]}


def parse_business_process(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "BusinessProcess")
    if not _is_lead(ctx.parent):
        return {}
    return {"business_processes": [business_process_from(root, ctx, ctx.component)]}


def parse_record_type(root: Node, ctx: FileContext) -> Contribution:
    expect_root(root, "RecordType")
    if not _is_lead(ctx.parent):
        return {}
    return {"record_types": [record_type_from(root, ctx, ctx.component)]}
