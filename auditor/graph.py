"""One graph of the lead process: statuses, the transitions between them, what blocks them,
the time-based alerts that watch them, and the routing that assigns leads.

Node ids are ``Type:Name`` (``Status:MQL``, ``Flow:Lead_SLA``, ``AssignmentRule:Standard#3``);
edges carry a ``kind``: ``transition`` (Status -> Status, documented or made by automation),
``blocks`` (ValidationRule -> Status, for one incoming transition), ``requires`` (ValidationRule
-> Field, on entering a status), ``alerts_on`` (automation -> Status, a timed notification),
``assigns_to`` (rule entry -> Queue/User), ``reads`` and ``writes`` (automation -> Field).
Rich records (TimedAlert, Transition) ride on the edges as ``record``; the exporter flattens them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from typing import cast

import networkx as nx

from auditor import flowpaths
from auditor.assumptions import as_ordinary_user
from auditor.formula import FormulaError, Node, fields_read
from auditor.logic import (
    Facts,
    Tri,
    evaluate,
    field_key,
    flow_entry_formula,
    rule_entry_formula,
    status_classes,
    verdicts_by_status,
)
from auditor.model import (
    Flow,
    FlowElement,
    FlowScheduledPath,
    FlowWaitEvent,
    Model,
    SourceRef,
    WorkflowRule,
)
from auditor.process import Process
from auditor.sites import try_parse
from auditor.status_space import StatusSpace

HOURS_PER_UNIT = {"minutes": 1 / 60, "hours": 1.0, "days": 24.0, "weeks": 168.0, "months": 730.0}


@dataclass(frozen=True)
class Transition:
    source_status: str
    target_status: str
    via: str  # "process" or the automation's node id
    what: str  # words for a message: "flow Lead_Set_MQL (assignments Set_Status)"
    location: SourceRef | None


@dataclass(frozen=True)
class TimedAlert:
    """A notification that fires a time after something happened, while a guard holds."""

    automation: str  # node id: Flow:X or WorkflowRule:Y
    what: str  # "scheduled path X4_Hours of flow Lead_SLA_Alerts"
    statuses: frozenset[str] | None  # the statuses it can fire in; None: whatever the status
    offset_hours: float | None
    # "status change", "condition met", "created only" (scheduled once, on create), "record created"
    # (counted from CreatedDate), "last modified", "record saved", "field X"
    clock: str
    notifies: tuple[str, ...]  # "email alert", "task", "custom notification", "owner change", ...
    recipients: tuple[str, ...]  # "owner", "role:Sales_Manager", ...; empty when not in the metadata
    location: SourceRef


@dataclass(frozen=True)
class Block:
    rule: str  # validation rule name
    source_status: str | None  # the status the lead comes from; None: creating the lead
    target_status: str
    location: SourceRef


def _rule_guard(rule: WorkflowRule) -> Node | None:
    try:
        return rule_entry_formula(rule)
    except FormulaError:
        return None  # unreadable criteria: no status guard can be shown (VR003 reports it)


class _Builder:
    def __init__(self, model: Model, process: Process | None) -> None:
        self.model = model
        self.process = process
        self.graph = nx.MultiDiGraph()
        org = [s.api_name for s in model.statuses if s.active]
        documented = [s.api_name for s in process.statuses] if process else []
        self.statuses = list(dict.fromkeys(org + documented))
        self.space = StatusSpace(self.statuses)
        self.alerts_by_name = {a.name: a for a in model.workflow_alerts}

    def build(self) -> nx.MultiDiGraph:
        self._statuses()
        self._documented_transitions()
        for flow in self.model.lead_flows:
            if flow.is_active:
                self._flow(flow)
        self._workflow()
        self._validation_rules()
        self._routing()
        nx.freeze(self.graph)
        return self.graph

    def _status_node(self, name: str) -> str:
        return f"Status:{name}"

    def _statuses(self) -> None:
        for status in self.model.statuses:
            self.graph.add_node(self._status_node(status.api_name), type="Status", label=status.label,
                                in_org=True, active=status.active, default=status.default,
                                converted=status.converted, closed=status.closed)
        for documented in self.process.statuses if self.process else ():
            self.graph.add_node(self._status_node(documented.api_name), type="Status", documented=True,
                                sla_hours=documented.sla_hours, terminal=documented.terminal,
                                entry=documented.entry, owner=documented.owner or "")

    def _add_transition(self, transition: Transition) -> None:
        self.graph.add_edge(self._status_node(transition.source_status), self._status_node(transition.target_status),
                            kind="transition", via=transition.via, record=transition)

    def _documented_transitions(self) -> None:
        if self.process is None:
            return
        names = [s.api_name for s in self.process.statuses]
        for status in self.process.statuses:
            # a status without `next` restricts nothing (reps may pick any value of the picklist),
            # except a terminal one, which leads do not leave
            if status.next is not None:
                targets = list(status.next)
            elif status.terminal:
                targets = []
            else:
                targets = [n for n in names if n != status.api_name]
            for target in targets:
                where = f"{self.process.path} (next of {status.api_name})"
                self._add_transition(Transition(status.api_name, target, "process", where, None))

    # --- flows ---------------------------------------------------------------------------

    def _flow(self, flow: Flow) -> None:
        node = f"Flow:{flow.name}"
        self.graph.add_node(node, type="Flow", label=flow.label, trigger=flow.trigger_type or "")
        walker = flowpaths.FlowWalker(flow, self.space.mask)
        for guarded in walker.guarded_elements():
            element = guarded.element
            for value, assignment in flowpaths.status_values_set(element, flow):
                sources = self.space.statuses_in(guarded.guard)
                what = f"flow {flow.name} ({element.kind} {element.name})"
                for source in sorted(sources if sources is not None else self.statuses):
                    if source != value:
                        self._add_transition(Transition(source, value, node, what, assignment.source))
            for assignment in element.field_assignments:
                target = flowpaths.field_of(assignment, element)
                if target and flowpaths.writes_lead(element):
                    self.graph.add_edge(node, f"Field:{target}", kind="writes")
            for event in element.wait_events:
                self._wait_alert(walker, node, guarded.guard, event)
        for path in flow.scheduled_paths:
            if path.path_type == "AsyncAfterCommit":
                continue  # runs right after the save: not a timed alert
            self._flow_alert(walker, node, path)

    def _wait_alert(self, walker: flowpaths.FlowWalker, node: str, guard: int | None, event: FlowWaitEvent) -> None:
        """A Pause's resume event, such as a Process Builder scheduled action, as a timed alert."""
        unit = HOURS_PER_UNIT.get((event.offset_unit or "").lower())
        if event.offset_number is None or unit is None:
            return  # resumes on a platform event or an absolute time: not a delay after a moment
        flow = walker.flow
        notified = walker.notifications(event.target, guard) if guard is not None else []
        if not notified:
            return
        statuses = _union([self.space.statuses_in(g.guard) for _, g in notified])
        if event.base_field:
            clock = _clock_of_field(event.base_field)
        else:  # counts from when the process ran, i.e. when its criteria were met
            clock = "status change" if statuses is not None else "condition met"
        kind = "scheduled action" if flow.is_process_builder else "pause"
        self._add_alert(TimedAlert(
            automation=node,
            what=f"{kind} {event.name} of {'process' if flow.is_process_builder else 'flow'} {flow.name}",
            statuses=statuses,
            offset_hours=event.offset_number * unit,
            clock=clock,
            notifies=tuple(dict.fromkeys(k for k, _ in notified)),
            recipients=tuple(dict.fromkeys(r for k, g in notified for r in self._flow_recipients(k, g.element))),
            location=event.source,
        ))

    def _flow_alert(self, walker: flowpaths.FlowWalker, node: str, path: FlowScheduledPath) -> None:
        flow = walker.flow
        unit = HOURS_PER_UNIT.get((path.offset_unit or "").lower())
        offset = path.offset_number * unit if path.offset_number is not None and unit is not None else None
        try:
            start_statuses = self.space.possible(flow_entry_formula(flow))
        except FormulaError:
            start_statuses = None  # the start condition cannot be read: no status guard can be shown
        notified = walker.notifications(path.target)
        # a decision on the path (still New after an hour?) guards the notification as much as the
        # start condition does: the alert watches the statuses its notifications can fire in
        statuses = _union([self.space.statuses_in(g.guard) for _, g in notified]) if notified else start_statuses
        if flow.record_trigger_type == "Create":
            clock = "created only"  # scheduled once, when the lead is created
        elif path.time_source == "RecordField":
            clock = _clock_of_field(path.record_field)
        elif flow.does_require_record_changed:
            # scheduled when the record is updated to meet the condition: a status change when the
            # condition is a status guard
            clock = "status change" if start_statuses is not None else "condition met"
        else:
            clock = "record saved"
        recipients = [r for kind, g in notified for r in self._flow_recipients(kind, g.element)]
        self._add_alert(TimedAlert(
            automation=node,
            what=f"scheduled path {path.name or path.label} of flow {flow.name}",
            statuses=statuses,
            offset_hours=offset,
            clock=clock,
            notifies=tuple(dict.fromkeys(kind for kind, _ in notified)),
            recipients=tuple(dict.fromkeys(recipients)),
            location=path.source,
        ))

    def _flow_recipients(self, kind: str, element: FlowElement) -> list[str]:
        if kind == "email alert":
            alert = self.alerts_by_name.get((element.action_name or "").split(".")[-1])
            return list(alert.recipients) if alert else []
        if kind in ("task", "owner change"):
            for assignment in element.field_assignments:
                if assignment.field.lower() == "ownerid" and assignment.value is not None:
                    text = assignment.value.text
                    return ["owner"] if text.lower() in ("$record.ownerid", "{!$record.ownerid}") else [f"user:{text}"]
        return []

    # --- workflow ------------------------------------------------------------------------

    def _workflow(self) -> None:
        updates = {u.name: u for u in self.model.workflow_field_updates}
        tasks = {t.name: t for t in self.model.workflow_tasks}
        for rule in self.model.workflow_rules:
            if not rule.active:
                continue
            node = f"WorkflowRule:{rule.name}"
            self.graph.add_node(node, type="WorkflowRule", trigger=rule.trigger_type)
            guard = _rule_guard(rule)
            statuses = self.space.possible(guard)
            actions = list(rule.actions) + [a for t in rule.time_triggers for a in t.actions]
            for action in actions:
                update = updates.get(action.name) if action.type == "FieldUpdate" else None
                if update and field_key(update.field) == "status" and update.operation == "Literal" and update.literal_value:
                    for source in sorted(statuses if statuses is not None else self.statuses):
                        if source != update.literal_value:
                            self._add_transition(Transition(source, update.literal_value, node,
                                                            f"workflow rule {rule.name} (field update {update.name})",
                                                            update.source))
            for trigger in rule.time_triggers:
                unit = HOURS_PER_UNIT.get((trigger.unit or "").lower())
                offset = trigger.time_length * unit if trigger.time_length is not None and unit is not None else None
                if rule.trigger_type == "onCreateOnly":
                    clock = "created only"  # evaluated once, when the lead is created
                elif trigger.offset_from_field:
                    clock = _clock_of_field(trigger.offset_from_field)
                else:  # "Rule Trigger Date": when the criteria became true
                    clock = "status change" if statuses is not None else "condition met"
                notifies: list[str] = []
                recipients: list[str] = []
                for action in trigger.actions:
                    if action.type == "Alert":
                        notifies.append("email alert")
                        alert = self.alerts_by_name.get(action.name)
                        recipients.extend(alert.recipients if alert else ())
                    elif action.type == "Task":
                        notifies.append("task")
                        task = tasks.get(action.name)
                        if task is not None:
                            recipients.append(task.assigned_to_type or "owner")
                    elif action.type == "FieldUpdate" and action.name in updates and field_key(updates[action.name].field) == "ownerid":
                        notifies.append("owner change")
                self._add_alert(TimedAlert(
                    automation=node,
                    what=f"time trigger ({_length(trigger.time_length, trigger.unit)}) of workflow rule {rule.name}",
                    statuses=statuses,
                    offset_hours=offset,
                    clock=clock,
                    notifies=tuple(dict.fromkeys(notifies)),
                    recipients=tuple(dict.fromkeys(recipients)),
                    location=trigger.source,
                ))

    def _add_alert(self, alert: TimedAlert) -> None:
        targets = sorted(alert.statuses) if alert.statuses is not None else ["*"]
        for status in targets:
            self.graph.add_edge(alert.automation, self._status_node(status), kind="alerts_on", record=alert)

    # --- validation rules ----------------------------------------------------------------

    def _validation_rules(self) -> None:
        transitions = [data["record"] for _, _, data in self.graph.edges(data=True) if data["kind"] == "transition"]
        entry = self.process.entry_status.api_name if self.process and self.process.entry_status else None
        # a lead reaches a converted status only by conversion, where validation rules run only
        # when Lead Settings' "Require Validation for Converted Leads" is on
        lead_config = next((st for st in self.model.settings if st.name == "LeadConfig"), None)
        validates_conversion = lead_config is not None and lead_config.get("shouldLeadConvertRequireValidation") == "true"
        unvalidated = set() if validates_conversion else {s.api_name for s in self.model.statuses if s.converted}
        # the moves a rule may block, each once, in the order the transitions were added
        all_moves: list[tuple[str | None, str]] = [(t.source_status, t.target_status) for t in transitions]
        if entry:
            all_moves.append((None, entry))
        moves = [move for move in dict.fromkeys(all_moves) if move[1] not in unvalidated]
        for rule in self.model.validation_rules:
            if not rule.active:
                continue
            parsed = try_parse(rule.formula)
            if parsed is None:
                continue
            # an admin bypass ($Permission, $Setup, $Profile, $User) does not free the reps who work
            # the leads: judge the rule as it applies to them
            ast = as_ordinary_user(parsed)
            node = f"ValidationRule:{rule.name}"
            self.graph.add_node(node, type="ValidationRule")
            for name in sorted(fields_read(ast)):
                self.graph.add_edge(node, f"Field:{field_key(name)}", kind="reads")
            # Evaluation is monotone (auditor.logic_eval): when the rule's answer is already known
            # from the target status alone, every move into that status has that same answer, so
            # only the undecided targets are evaluated move by move.
            targets = list(dict.fromkeys(target for _, target in moves))
            by_target = verdicts_by_status(ast, status_classes(ast, targets), Facts())
            # and moves from statuses the rule cannot tell apart as the prior status (status_classes)
            # into one target share their answer too
            prior_class = {status: index for index, group in enumerate(
                status_classes(ast, list(dict.fromkeys(source for source, _ in moves if source is not None)), prior=True))
                for status in group}
            by_move: dict[tuple[str, int | None, bool | None, bool], Tri] = {}
            for source, target in moves:
                verdict = by_target[target]
                if verdict is Tri.UNKNOWN:
                    changed = source != target if source else None
                    # every fact of the move, with the prior status as its group
                    alike = (target, prior_class[source] if source is not None else None, changed, source is None)
                    if alike not in by_move:
                        by_move[alike] = evaluate(ast, Facts(status=target, prior_status=source, is_new=source is None,
                                                             status_changed=changed))
                    verdict = by_move[alike]
                if verdict is Tri.TRUE:  # fires whatever the other fields hold
                    block = Block(rule.name, source, target, rule.source)
                    self.graph.add_edge(node, self._status_node(target), kind="blocks", record=block,
                                        from_status=source or "(new lead)")
            self._requires(node, ast)

    def _requires(self, node: str, ast: Node) -> None:
        """Fields a rule makes required on entering a status: an error when blank, none when filled."""
        # one per field name as written (Company and Lead.Company are two readings of one field)
        keys = [key for key in (field_key(name) for name in sorted(fields_read(ast))) if key != "status"]
        entering = Facts(status_changed=True)
        groups = status_classes(ast, self.statuses)
        # monotone evaluation again: an answer known without the field's value is the answer with
        # it blank and with it filled, so "blank fires, filled does not" cannot hold
        verdicts = verdicts_by_status(ast, groups, entering)
        undecided = [group for group in groups if verdicts[group[0]] is Tri.UNKNOWN]
        required: dict[str, set[str]] = {status: set() for group in undecided for status in group}
        for key in dict.fromkeys(keys):
            blank = verdicts_by_status(ast, undecided, replace(entering, fields={key: None}))
            filled = verdicts_by_status(ast, undecided, replace(entering, fields={key: "x"}))
            for status, verdict in blank.items():
                if verdict is Tri.TRUE and filled[status] is not Tri.TRUE:
                    required[status].add(key)
        for status in self.statuses:
            for key in keys:
                if key in required.get(status, ()):
                    self.graph.add_edge(node, f"Field:{key}", kind="requires", status=status)

    # --- routing -------------------------------------------------------------------------

    def _routing(self) -> None:
        for queue in self.model.queues:
            self.graph.add_node(f"Queue:{queue.name}", type="Queue", label=queue.label)
        for rule in self.model.assignment_rules:
            rule_node = f"AssignmentRule:{rule.name}"
            self.graph.add_node(rule_node, type="AssignmentRule", active=rule.active)
            for entry in rule.entries:
                entry_node = f"{rule_node}#{entry.order}"
                self.graph.add_node(entry_node, type="RuleEntry", order=entry.order)
                self.graph.add_edge(rule_node, entry_node, kind="contains")
                for item in entry.criteria:
                    self.graph.add_edge(entry_node, f"Field:{field_key(item.field)}", kind="reads")
                if entry.assigned_to:
                    target_type = "Queue" if entry.assigned_to_type == "Queue" else "User"
                    self.graph.add_edge(entry_node, f"{target_type}:{entry.assigned_to}", kind="assigns_to")


def _union(sets: list[frozenset[str] | None]) -> frozenset[str] | None:
    """Statuses any of several guards allows; None as soon as one does not guard on Status."""
    if any(found is None for found in sets):
        return None
    return frozenset().union(*[found for found in sets if found is not None])


def _length(length: int | None, unit: str | None) -> str:
    return f"{length} {unit}" if length is not None and unit else "an unreadable delay"


def _clock_of_field(name: str | None) -> str:
    key = field_key(name or "")
    if key == "createddate":
        return "record created"
    if key in ("lastmodifieddate", "systemmodstamp"):
        return "last modified"
    return f"field {name}"


def build_graph(model: Model, process: Process | None) -> nx.MultiDiGraph:
    from auditor.parse import cyclic_gc_paused  # the graph, too, is many objects that all live on

    with cyclic_gc_paused():
        return _Builder(model, process).build()


# --- queries the rules share --------------------------------------------------------------


# Each rule asks the same questions (SL001-SL003 once per status): a frozen graph cannot change,
# so its records are gathered in one pass over the edges and kept as long as the graph lives.
_RECORDS_OF_FROZEN: "weakref.WeakKeyDictionary[nx.MultiDiGraph, dict[str, list[object]]]" = weakref.WeakKeyDictionary()


def _records(graph: nx.MultiDiGraph, kind: str) -> list[object]:
    """The ``record`` of every edge of ``kind``, in edge order."""
    if not nx.is_frozen(graph):
        return [d["record"] for _, _, d in graph.edges(data=True) if d["kind"] == kind]
    by_kind = _RECORDS_OF_FROZEN.get(graph)
    if by_kind is None:
        by_kind = {}
        for _, _, data in graph.edges(data=True):
            if "record" in data:
                by_kind.setdefault(data["kind"], []).append(data["record"])
        _RECORDS_OF_FROZEN[graph] = by_kind
    return by_kind.get(kind, [])


def transitions(graph: nx.MultiDiGraph) -> list[Transition]:
    return cast(list[Transition], list(_records(graph, "transition")))


def blocks(graph: nx.MultiDiGraph) -> list[Block]:
    return cast(list[Block], list(_records(graph, "blocks")))


def timed_alerts(graph: nx.MultiDiGraph) -> list[TimedAlert]:
    return cast(list[TimedAlert], list(dict.fromkeys(_records(graph, "alerts_on"))))
