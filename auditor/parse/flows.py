"""Read a Flow (``flows/X.flow`` or ``X.flow-meta.xml``) into a ``Flow`` record.

Only what a lead-process audit asks of a flow is kept: when it runs (start object, trigger,
entry filters, scheduled paths), how it branches (decisions), what it writes (record
operations, ``$Record`` assignments, actions) and where each element leads (connectors and
fault connectors). Screens, variables and layout coordinates are dropped on purpose.

``flowDefinitions/X.flowDefinition`` is not read: it only matters for flows from before API
44.0, whose active version lives there instead of in ``<status>``.
"""

from __future__ import annotations

from auditor.model import (
    Flow,
    FlowCondition,
    FlowDecision,
    FlowElement,
    FlowFieldAssignment,
    FlowFilter,
    FlowOutcome,
    FlowScheduledPath,
    FlowValue,
    FlowWaitEvent,
)
from auditor.parse.base import Contribution, FileContext, expect_root
from auditor.xmlsafe import Node

# The Flow element names that do work, in the order they are reported. Every one becomes a
# FlowElement whose ``kind`` is this name, so checks speak the Metadata API's own vocabulary.
ELEMENT_KINDS: tuple[str, ...] = (
    "recordUpdates",
    "recordCreates",
    "recordLookups",
    "recordDeletes",
    "actionCalls",
    "apexPluginCalls",
    "assignments",
    "subflows",
    "loops",
    "waits",
)
_RECORD_WRITES = {"recordUpdates", "recordCreates"}
_RECORD_OPERATIONS = {"recordUpdates", "recordCreates", "recordLookups", "recordDeletes"}

# In a FlowElementReferenceOrValue these describe a sibling (formulaExpression's data type,
# complexValue's type) and are never the value itself.
_VALUE_DESCRIPTORS = {"formulaDataType", "complexValueType", "setupReferenceType"}

# Process Builder flows (processType Workflow) have no <start>; the builder records the object
# in a flow-level processMetadataValues entry instead.
_PB_OBJECT_KEY = "ObjectType"


def parse_flow(root: Node, ctx: FileContext) -> Contribution:
    """One flow per file; its name is the file's component name, as Salesforce deploys it."""
    expect_root(root, "Flow")
    start = root.child("start")
    sobject_types = _sobject_variable_types(root)
    process_type = root.text("processType")
    flow_object = _text(start, "object")
    if flow_object is None and process_type == "Workflow":
        flow_object = _process_metadata_string(root, _PB_OBJECT_KEY)
    elements: list[FlowElement] = []
    for kind in ELEMENT_KINDS:
        elements.extend(_element(kind, node, ctx, sobject_types) for node in root.children(kind))
    flow = Flow(
        name=ctx.component,
        label=root.text("label", "") or "",
        process_type=process_type,
        status=root.text("status"),
        api_version=root.text("apiVersion") or None,
        object=flow_object,
        trigger_type=_text(start, "triggerType"),
        record_trigger_type=_text(start, "recordTriggerType"),
        filters=_filters(start, ctx),
        filter_logic=_text(start, "filterLogic"),
        filter_formula=_text(start, "filterFormula"),
        scheduled_paths=tuple(
            _scheduled_path(node, ctx) for node in (start.children("scheduledPaths") if start is not None else [])
        ),
        decisions=tuple(_decision(node, ctx) for node in root.children("decisions")),
        elements=tuple(elements),
        formulas=tuple(
            (node.text("name", "") or "", node.text("expression", "") or "") for node in root.children("formulas")
        ),
        source=ctx.ref(root),
        start_target=(_target(start, "connector") if start is not None else None)
        or root.text("startElementReference")
        or None,
        does_require_record_changed=start.flag("doesRequireRecordChangedToMeetCriteria") if start is not None else False,
        trigger_order=root.int_value("triggerOrder"),
    )
    return {"flows": [flow]}


# --- values, filters, connectors --------------------------------------------------------------


def _text(node: Node | None, name: str) -> str | None:
    """A child's text when the parent may itself be absent (a flow without ``<start>``)."""
    return node.text(name) if node is not None else None


def flow_value(node: Node | None) -> FlowValue | None:
    """A ``<value>``/``<rightValue>`` holds one typed child; its tag says how to read the text.

    None when the element is absent or empty (an input assignment that sets a field to null has
    no ``<value>`` at all).
    """
    if node is None:
        return None
    children = node.named_children()
    if not children:
        return None
    kind, chosen = next((c for c in children if c[0] not in _VALUE_DESCRIPTORS), children[0])
    return FlowValue(kind=kind, text=(chosen.text or "").strip())


def _target(node: Node | None, connector: str) -> str | None:
    """The element a ``<connector>`` (or fault/default connector) leads to."""
    if node is None:
        return None
    return node.text_in(connector, "targetReference")


def _filter(node: Node, ctx: FileContext) -> FlowFilter:
    return FlowFilter(
        field=node.text("field", "") or "",
        operator=node.text("operator", "") or "",
        value=flow_value(node.child("value")),
        source=ctx.ref(node),
    )


def _filters(node: Node | None, ctx: FileContext) -> tuple[FlowFilter, ...]:
    if node is None:
        return ()
    return tuple(_filter(f, ctx) for f in node.children("filters"))


def _process_metadata_string(root: Node, key: str) -> str | None:
    for meta in root.children("processMetadataValues"):
        if meta.text("name") == key:
            value = flow_value(meta.child("value"))
            return (value.text or None) if value is not None else None
    return None


def _sobject_variable_types(root: Node) -> dict[str, str]:
    """Record variables and their object, so ``inputReference=varLead`` resolves to Lead."""
    found: dict[str, str] = {}
    for var in root.children("variables"):
        name, object_type = var.text("name"), var.text("objectType")
        if name and object_type:
            found[name] = object_type
    return found


# --- start ------------------------------------------------------------------------------------


def _scheduled_path(node: Node, ctx: FileContext) -> FlowScheduledPath:
    """A scheduled path; an asynchronous path (pathType AsyncAfterCommit) has no name or offset."""
    return FlowScheduledPath(
        name=node.text("name", "") or "",
        label=node.text("label", "") or "",
        offset_number=node.int_value("offsetNumber"),
        offset_unit=node.text("offsetUnit"),
        time_source=node.text("timeSource"),
        record_field=node.text("recordField"),
        target=_target(node, "connector"),
        source=ctx.ref(node),
        path_type=node.text("pathType") or None,
    )


# --- decisions --------------------------------------------------------------------------------


def _condition(node: Node, ctx: FileContext) -> FlowCondition:
    return FlowCondition(
        left=node.text("leftValueReference", "") or "",
        operator=node.text("operator", "") or "",
        right=flow_value(node.child("rightValue")),
        source=ctx.ref(node),
    )


def _outcome(node: Node, ctx: FileContext) -> FlowOutcome:
    return FlowOutcome(
        name=node.text("name", "") or "",
        label=node.text("label", "") or "",
        condition_logic=node.text("conditionLogic", "and") or "and",
        conditions=tuple(_condition(c, ctx) for c in node.children("conditions")),
        target=_target(node, "connector"),
        source=ctx.ref(node),
    )


def _decision(node: Node, ctx: FileContext) -> FlowDecision:
    return FlowDecision(
        name=node.text("name", "") or "",
        label=node.text("label", "") or "",
        outcomes=tuple(_outcome(r, ctx) for r in node.children("rules")),
        default_target=_target(node, "defaultConnector"),
        source=ctx.ref(node),
    )


# --- elements that do work --------------------------------------------------------------------


def _field_assignments(kind: str, node: Node, ctx: FileContext) -> tuple[FlowFieldAssignment, ...]:
    """Fields a record write sets, and ``$Record.Status``-style assignments.

    An assignment to a plain variable (``ErrorMessage``) changes no record and is left out; one
    to ``Var.Field`` keeps the whole reference so a consumer can tell ``$Record`` from a
    variable that is later written with a record update.
    """
    if kind in _RECORD_WRITES:
        return tuple(
            FlowFieldAssignment(
                field=item.text("field", "") or "",
                value=flow_value(item.child("value")),
                source=ctx.ref(item),
            )
            for item in node.children("inputAssignments")
        )
    if kind == "assignments":
        found: list[FlowFieldAssignment] = []
        for item in node.children("assignmentItems"):
            reference = item.text("assignToReference") or ""
            if "." in reference:
                found.append(
                    FlowFieldAssignment(
                        reference, flow_value(item.child("value")), ctx.ref(item), item.text("operator") or "Assign"
                    )
                )
        return tuple(found)
    return ()


def _element_object(kind: str, node: Node, sobject_types: dict[str, str]) -> str | None:
    """The sObject a record operation touches: explicit, the triggering record, or a variable's type."""
    if kind not in _RECORD_OPERATIONS:
        return None
    explicit = node.text("object")
    if explicit:
        return explicit
    reference = node.text("inputReference")
    if reference == "$Record":
        return "$Record"
    if reference:
        return sobject_types.get(reference)
    return None


def _action(kind: str, node: Node) -> tuple[str | None, str | None]:
    """What an element calls: the invocable action, the Apex plugin class or the subflow."""
    if kind == "actionCalls":
        return node.text("actionName"), node.text("actionType")
    if kind == "apexPluginCalls":
        return node.text("apexClass"), None
    if kind == "subflows":
        return node.text("flowName"), None
    return None, None


def _next_target(kind: str, node: Node) -> str | None:
    """Where the element leads on success; loops go to the next value, waits to their default."""
    if kind == "loops":
        return _target(node, "nextValueConnector")
    if kind == "waits":
        return _target(node, "defaultConnector")
    return _target(node, "connector")


def _element(kind: str, node: Node, ctx: FileContext, sobject_types: dict[str, str]) -> FlowElement:
    action_name, action_type = _action(kind, node)
    return FlowElement(
        kind=kind,
        name=node.text("name", "") or "",
        label=node.text("label", "") or "",
        object=_element_object(kind, node, sobject_types),
        input_reference=node.text("inputReference") if kind in _RECORD_OPERATIONS else None,
        filters=_filters(node, ctx) if kind in _RECORD_OPERATIONS else (),
        field_assignments=_field_assignments(kind, node, ctx),
        action_name=action_name,
        action_type=action_type,
        target=_next_target(kind, node),
        fault_target=_target(node, "faultConnector"),
        source=ctx.ref(node),
        wait_events=tuple(_wait_event(event, ctx) for event in node.children("waitEvents")) if kind == "waits" else (),
    )


def _wait_event(node: Node, ctx: FileContext) -> FlowWaitEvent:
    """A Pause's resume event: Flow Builder writes offset/offsetUnit, Process Builder input parameters."""
    parameters = {p.text("name", "") or "": flow_value(p.child("value")) for p in node.children("inputParameters")}

    def parameter(name: str) -> str | None:
        value = parameters.get(name)
        return value.text if value is not None and value.text else None

    offset_text = node.text("offset") or parameter("TimeOffset")
    try:
        offset = float(offset_text) if offset_text is not None else None
    except ValueError:
        offset = None
    return FlowWaitEvent(
        name=node.text("name", "") or "",
        event_type=node.text("eventType"),
        offset_number=offset,
        offset_unit=node.text("offsetUnit") or parameter("TimeOffsetUnit"),
        base_field=parameter("TimeFieldColumnEnumOrId"),
        target=_target(node, "connector"),
        source=ctx.ref(node),
    )
