"""The normalised org model: frozen records, each pointing to the file and line it came from.

The loaders in ``auditor.parse`` build it; checks and the graph only read it. Names are the
API names Salesforce uses, already URL-decoded (``FLEXcon Global 2.0``, not ``2%2E0``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SourceRef:
    """A place a person can open: a path relative to the audited source, and a 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


NO_SOURCE = SourceRef("<none>")


# --- Lead Status and fields -------------------------------------------------------------


@dataclass(frozen=True)
class StatusValue:
    """One value of the LeadStatus standard value set (or the Status field's old picklist)."""

    api_name: str
    label: str
    default: bool
    converted: bool
    closed: bool
    active: bool
    source: SourceRef


@dataclass(frozen=True)
class PicklistValue:
    api_name: str
    label: str
    default: bool
    active: bool


@dataclass(frozen=True)
class LeadField:
    name: str
    label: str
    type: str
    required: bool
    track_history: bool
    formula: str | None
    picklist_values: tuple[PicklistValue, ...]
    value_set_name: str | None
    source: SourceRef


@dataclass(frozen=True)
class ValidationRule:
    name: str
    active: bool
    formula: str
    error_message: str
    error_field: str | None
    source: SourceRef


@dataclass(frozen=True)
class BusinessProcess:
    """A Lead business process: the subset of Lead Status values a record type offers."""

    name: str
    active: bool
    values: tuple[str, ...]
    default_value: str | None
    source: SourceRef


@dataclass(frozen=True)
class RecordType:
    name: str
    label: str
    active: bool
    business_process: str | None
    source: SourceRef


# --- Rules with ordered entries (assignment, auto-response) -------------------------------


@dataclass(frozen=True)
class CriteriaItem:
    """A filter row: ``Lead.Country equals Germany,Austria`` (``value`` keeps the raw list)."""

    field: str
    operation: str
    value: str | None
    value_field: str | None
    source: SourceRef


@dataclass(frozen=True)
class RuleEntry:
    order: int  # 1-based position: the first matching entry wins
    criteria: tuple[CriteriaItem, ...]
    boolean_filter: str | None
    formula: str | None
    assigned_to: str | None
    assigned_to_type: str | None  # "User" or "Queue"
    template: str | None
    do_not_reassign_owner: bool
    source: SourceRef

    @property
    def has_criteria(self) -> bool:
        return bool(self.criteria) or bool(self.formula and self.formula.strip())


@dataclass(frozen=True)
class LeadRule:
    """A Lead assignment rule or auto-response rule."""

    kind: str  # "assignment" | "auto-response"
    name: str
    active: bool
    entries: tuple[RuleEntry, ...]
    source: SourceRef


# --- Workflow (legacy automation) ---------------------------------------------------------


@dataclass(frozen=True)
class ActionRef:
    name: str
    type: str  # Alert, FieldUpdate, Task, OutboundMessage, ...


@dataclass(frozen=True)
class WorkflowTimeTrigger:
    offset_from_field: str | None
    time_length: int | None
    unit: str | None  # Hours, Days
    actions: tuple[ActionRef, ...]
    source: SourceRef


@dataclass(frozen=True)
class WorkflowRule:
    name: str
    active: bool
    trigger_type: str
    criteria: tuple[CriteriaItem, ...]
    boolean_filter: str | None
    formula: str | None
    actions: tuple[ActionRef, ...]
    time_triggers: tuple[WorkflowTimeTrigger, ...]
    source: SourceRef


@dataclass(frozen=True)
class WorkflowAlert:
    name: str
    template: str | None
    recipients: tuple[str, ...]  # "owner", "role:Sales_Manager", "email:Email", ...
    source: SourceRef


@dataclass(frozen=True)
class WorkflowFieldUpdate:
    name: str
    field: str
    operation: str  # Literal, Formula, LookupValue, Null, NextValue, PreviousValue
    literal_value: str | None
    formula: str | None
    lookup_value: str | None
    source: SourceRef


@dataclass(frozen=True)
class WorkflowTask:
    name: str
    subject: str
    assigned_to: str | None
    assigned_to_type: str | None
    source: SourceRef


# --- Flows --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowValue:
    """A flow value: exactly one of its kinds is set; ``text`` renders it for messages."""

    kind: str  # stringValue, elementReference, booleanValue, numberValue, formulaExpression, ...
    text: str


@dataclass(frozen=True)
class FlowFilter:
    field: str
    operator: str
    value: FlowValue | None
    source: SourceRef


@dataclass(frozen=True)
class FlowScheduledPath:
    name: str
    label: str
    offset_number: int | None
    offset_unit: str | None  # Minutes, Hours, Days
    time_source: str | None  # RecordTriggerEvent or RecordField
    record_field: str | None
    target: str | None
    source: SourceRef
    path_type: str | None = None  # AsyncAfterCommit for a run-asynchronously path; None when timed


@dataclass(frozen=True)
class FlowCondition:
    left: str
    operator: str
    right: FlowValue | None
    source: SourceRef


@dataclass(frozen=True)
class FlowOutcome:
    name: str
    label: str
    condition_logic: str
    conditions: tuple[FlowCondition, ...]
    target: str | None
    source: SourceRef


@dataclass(frozen=True)
class FlowDecision:
    name: str
    label: str
    outcomes: tuple[FlowOutcome, ...]
    default_target: str | None
    source: SourceRef


@dataclass(frozen=True)
class FlowFieldAssignment:
    """A value set on a record: ``Status = 'MQL'`` in a record update or a $Record assignment."""

    field: str
    value: FlowValue | None
    source: SourceRef
    operator: str = "Assign"  # assignment items may Add, Subtract, ...; record writes always assign


@dataclass(frozen=True)
class FlowWaitEvent:
    """A resume event of a Pause (a Process Builder scheduled action): a time after a moment.

    ``base_field`` is the record date field the offset counts from (Process Builder's
    TimeFieldColumnEnumOrId); None when it counts from the moment the flow reached the wait.
    """

    name: str
    event_type: str | None  # DateRefAlarmEvent, AlarmEvent, or a platform event's name
    offset_number: float | None  # negative: before the base date
    offset_unit: str | None  # Hours, Days, ...
    base_field: str | None
    target: str | None
    source: SourceRef


@dataclass(frozen=True)
class FlowElement:
    """Any flow node that does work: record operations, assignments, action calls, subflows.

    ``kind`` is the Metadata API element name (recordUpdates, recordCreates, recordLookups,
    recordDeletes, actionCalls, assignments, subflows, ...). ``object`` is the sObject a record
    operation touches, or ``$Record`` for a triggering-record update via inputReference.
    """

    kind: str
    name: str
    label: str
    object: str | None
    input_reference: str | None
    filters: tuple[FlowFilter, ...]
    field_assignments: tuple[FlowFieldAssignment, ...]
    action_name: str | None
    action_type: str | None
    target: str | None
    fault_target: str | None
    source: SourceRef
    wait_events: tuple[FlowWaitEvent, ...] = ()

    @property
    def can_fault(self) -> bool:
        """Record operations and actions can fail at run time; assignments cannot."""
        return self.kind in {
            "recordUpdates",
            "recordCreates",
            "recordLookups",
            "recordDeletes",
            "actionCalls",
            "apexPluginCalls",
        }


@dataclass(frozen=True)
class Flow:
    name: str
    label: str
    process_type: str | None  # AutoLaunchedFlow, Flow, Workflow (Process Builder), ...
    status: str | None  # Active, Draft, Obsolete, InvalidDraft
    api_version: str | None
    object: str | None  # start object of a record-triggered or scheduled flow
    trigger_type: str | None  # RecordBeforeSave, RecordAfterSave, Scheduled, ...
    record_trigger_type: str | None  # Create, Update, CreateAndUpdate, Delete
    filters: tuple[FlowFilter, ...]
    filter_logic: str | None
    filter_formula: str | None
    scheduled_paths: tuple[FlowScheduledPath, ...]
    decisions: tuple[FlowDecision, ...]
    elements: tuple[FlowElement, ...]
    formulas: tuple[tuple[str, str], ...]  # (name, expression) of flow formula resources
    source: SourceRef
    start_target: str | None = None  # the element the start connects to (startElementReference before API 44)
    does_require_record_changed: bool = False  # "only when a record is updated to meet the condition"
    trigger_order: int | None = None  # Flow Trigger Explorer order; None: no defined order

    @property
    def is_active(self) -> bool:
        return self.status == "Active"

    @property
    def is_process_builder(self) -> bool:
        return self.process_type == "Workflow"


# --- Queues, settings, matching, reports -------------------------------------------------


@dataclass(frozen=True)
class Queue:
    name: str
    label: str
    sobject_types: tuple[str, ...]
    members: tuple[str, ...]  # "user:jane@x.com", "group:Sales", "role:SDR", ...
    email: str | None
    source: SourceRef


@dataclass(frozen=True)
class BusinessHours:
    name: str
    active: bool
    default: bool
    time_zone: str | None
    source: SourceRef


@dataclass(frozen=True)
class DuplicateRule:
    name: str
    object: str
    active: bool
    matching_rules: tuple[tuple[str, str], ...]  # (matching rule name, object it matches)
    source: SourceRef


@dataclass(frozen=True)
class MatchingRule:
    name: str
    object: str
    active: bool
    fields: tuple[str, ...]
    source: SourceRef


@dataclass(frozen=True)
class ReportType:
    name: str
    label: str
    base_object: str
    source: SourceRef


@dataclass(frozen=True)
class Report:
    name: str
    folder: str
    label: str
    report_type: str
    columns: tuple[str, ...]
    groupings: tuple[str, ...]
    source: SourceRef


@dataclass(frozen=True)
class Setting:
    """A Lead-related org setting, kept as name/value pairs (LeadConfig, LeadConvert)."""

    name: str
    values: tuple[tuple[str, str], ...]
    source: SourceRef

    def get(self, key: str) -> str | None:
        return dict(self.values).get(key)


# --- What was read -----------------------------------------------------------------------


@dataclass(frozen=True)
class FileRecord:
    """Every file in the source, and what became of it."""

    path: str
    kind: str  # the metadata kind recognised, or "unused"
    status: str  # "read", "unused", "duplicate", "unreadable"
    component: str = ""  # the decoded component name (``Lead``, ``Partner Leads``); "" when unused


@dataclass(frozen=True)
class OrgUser:
    username: str
    active: bool


@dataclass(frozen=True)
class OrgQueue:
    developer_name: str
    sobject_types: tuple[str, ...]
    users: int  # member users
    groups: int  # member public groups or roles: people the facts do not list one by one
    active_users: int  # member users known to be active


@dataclass(frozen=True)
class OrgFacts:
    """What a live retrieval learned that metadata does not hold (facts.json beside the files)."""

    org_name: str | None
    instance_url: str
    retrieved_at: str
    api_version: str
    complete: bool
    unavailable: tuple[str, ...]  # "item: reason" for what could not be retrieved
    users: tuple[OrgUser, ...]
    missing_users: tuple[str, ...]  # usernames the metadata names that the org does not have
    queues: tuple[OrgQueue, ...]
    source: SourceRef

    def user(self, username: str) -> OrgUser | None:
        wanted = username.strip().lower()
        return next((u for u in self.users if u.username.lower() == wanted), None)


@dataclass(frozen=True)
class EngagementProgram:
    """An Engagement Studio program as the Account Engagement API reports it."""

    id: int
    name: str
    status: str | None  # the API's own word, lower case: running, paused, draft, scheduled, ...
    source: SourceRef

    @property
    def running(self) -> bool:
        return self.status in ("running", "starting")


@dataclass(frozen=True)
class EngagementForm:
    """A form or a form handler that exists in the business unit (what it does on completion the
    API does not say)."""

    kind: str  # "form" or "form handler"
    id: int
    name: str
    source: SourceRef


@dataclass(frozen=True)
class AccountEngagement:
    """What the Account Engagement API said about one business unit (account-engagement.json
    beside a live retrieval)."""

    business_unit_id: str
    business_unit_name: str | None
    host: str
    retrieved_at: str
    complete: bool
    unavailable: tuple[str, ...]  # "item: reason" for what could not be read
    lifecycle_stages: tuple[str, ...]  # in the business unit's order
    programs: tuple[EngagementProgram, ...]
    forms: tuple[EngagementForm, ...]  # forms and form handlers
    custom_fields: tuple[str, ...]  # API field ids (``Hand_Raiser``), as forms and rules name them
    lists: tuple[str, ...]
    users: int
    source: SourceRef


@dataclass(frozen=True)
class LoadProblem:
    """A file that could not be read, or is not what its name says: becomes a CF finding."""

    source: SourceRef
    message: str
    kind: str = "unreadable"  # "unreadable" | "duplicate"


@dataclass(frozen=True)
class Model:
    source_name: str
    statuses: tuple[StatusValue, ...] = ()
    status_source: SourceRef | None = None  # None: the source holds no LeadStatus values
    fields: tuple[LeadField, ...] = ()
    validation_rules: tuple[ValidationRule, ...] = ()
    business_processes: tuple[BusinessProcess, ...] = ()
    record_types: tuple[RecordType, ...] = ()
    assignment_rules: tuple[LeadRule, ...] = ()
    assignment_rules_source: SourceRef | None = None  # None: no Lead assignment rules file
    auto_response_rules: tuple[LeadRule, ...] = ()
    auto_response_rules_source: SourceRef | None = None
    workflow_rules: tuple[WorkflowRule, ...] = ()
    workflow_alerts: tuple[WorkflowAlert, ...] = ()
    workflow_field_updates: tuple[WorkflowFieldUpdate, ...] = ()
    workflow_tasks: tuple[WorkflowTask, ...] = ()
    flows: tuple[Flow, ...] = ()
    queues: tuple[Queue, ...] = ()
    business_hours: tuple[BusinessHours, ...] = ()
    duplicate_rules: tuple[DuplicateRule, ...] = ()
    matching_rules: tuple[MatchingRule, ...] = ()
    report_types: tuple[ReportType, ...] = ()
    reports: tuple[Report, ...] = ()
    settings: tuple[Setting, ...] = ()
    files: tuple[FileRecord, ...] = ()
    problems: tuple[LoadProblem, ...] = field(default=())
    facts: OrgFacts | None = None  # from facts.json of a live retrieval
    account_engagement: AccountEngagement | None = None  # from account-engagement.json of a live retrieval

    @property
    def lead_flows(self) -> tuple[Flow, ...]:
        return tuple(f for f in self.flows if (f.object or "").lower() == "lead")

    @property
    def active_assignment_rule(self) -> LeadRule | None:
        active = [r for r in self.assignment_rules if r.active]
        return active[0] if active else None

    def status_by_api_name(self) -> dict[str, StatusValue]:
        return {s.api_name: s for s in self.statuses}

    def field_named(self, name: str) -> LeadField | None:
        wanted = name.lower()
        return next((f for f in self.fields if f.name.lower() == wanted), None)
