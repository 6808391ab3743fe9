"""AU003 status-write-conflict: two automations set Lead Status in the same save, in no set order.

What: pairs of active automations of the same kind that write Lead Status on the same trigger:
two before-save flows, two after-save flows, two Process Builder processes, or two workflow rules
(through their immediate field updates). Automations of different kinds run in a defined order
(Apex Developer Guide, "Triggers and Order of Execution",
https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_triggers_order_of_execution.htm):
before-save flows, then (after the save) workflow rules and their field updates, then processes,
then after-save record-triggered flows. So a workflow field update and an after-save flow do not
conflict: the after-save flow writes last, every time; nor do a process and a workflow rule, or a
process and an after-save flow. A flow writes Status with an Update Records on the triggering
lead (``$Record``, or Lead filtered by ``Id = $Record.Id``) or an assignment to
``$Record.Status`` (in an after-save flow only when the flow also updates ``$Record``); elements
that run only on a scheduled path are not in the same save. The two must react to the same event
(create, update) and their start conditions must both be possible for one lead: each condition
is evaluated for every Lead Status value of the org, and a pair whose sets of possible statuses
do not meet is skipped. Two flows count as ordered when either has a trigger order
(``<triggerOrder>``, set in the Flow Trigger Explorer), so only two flows that both lack one are
reported; two workflow rules, or two processes, on Lead have no order Salesforce guarantees.
Pairs that set the same single value are skipped: the order does not change the result.

Not judged: conditions on decisions inside a flow (only start conditions are compared);
updates of other Lead records; a process's "created or edited" setting, which the model does not
hold, so processes are only paired on the create event.

Why it matters: with no defined order, the lead ends in whichever status the last writer chose,
and that can change after any deployment: an MQL flow and a routing flow fight over Status,
leads skip or repeat stages, SLA clocks start from the wrong status.

How to fix: make one flow own Status changes for that event, or give both flows a trigger order
in Setup > Object Manager > Lead > Flow Trigger Explorer (see Salesforce Help, "Define the Run
Order of Record-Triggered Flows for an Object"), or make their start conditions exclusive;
migrate workflow rules and processes into flows first (AU001).

Failing example: two active before-save flows on create and update, with no trigger order, set
Status to ``MQL`` and to ``Working`` for leads in ``Engaged``.

Passing example: the same flows with trigger orders 100 and 200, or one starting only for
``Engaged`` leads and the other only for ``New`` leads.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import combinations

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.formula import (
    BinaryOp,
    Call,
    FieldRef,
    Literal,
    Node,
    picklist_comparisons,
    walk,
)
from auditor.logic import statuses_not_false
from auditor.model import Model
from auditor.sites import is_status_field
from auditor.status_space import OTHER_STATUS
from checks._automation import has_kind, has_lead_workflow
from checks._status_writers import Writer, status_writers

RULE = Rule(
    id="AU003",
    name="status-write-conflict",
    severity=Severity.HIGH,
    category="automation",
    summary="Two active automations set Lead Status on the same trigger with no defined order",
)

_OTHER = OTHER_STATUS  # stands for a value no condition names, when the org's list is unknown
_EVENT_WORDS = {frozenset({"Create"}): "created", frozenset({"Update"}): "updated"}


def _candidates(model: Model, writers: list[Writer]) -> tuple[str, ...]:
    """The Status values a lead can have: the org's, or else those the conditions name and one more."""
    if model.statuses:
        return tuple(s.api_name for s in model.statuses)
    named: set[str] = set()
    for writer in writers:
        if writer.entry is not None:
            for fld, values in picklist_comparisons(writer.entry).items():
                if is_status_field(fld):
                    named |= values
            named |= _folded_statuses(writer.entry)
    return (*sorted(named), _OTHER)


def _unfold(node: Node) -> Node:
    return node.args[0] if isinstance(node, Call) and node.name == "UPPER" and len(node.args) == 1 else node


def _folded_statuses(entry: Node) -> set[str]:
    """Values of criteria rows, which compare ``UPPER(Status)`` with ``UPPER("value")`` (they ignore
    case, see auditor.logic) and so escape picklist_comparisons."""
    found: set[str] = set()
    for node in walk(entry):
        if isinstance(node, BinaryOp) and node.op in ("=", "!="):
            for side, other in ((node.left, node.right), (node.right, node.left)):
                field, value = _unfold(side), _unfold(other)
                if (
                    side is not field and isinstance(field, FieldRef) and is_status_field(field.name)
                    and isinstance(value, Literal) and value.kind == "string" and value.value
                ):
                    found.add(str(value.value))
    return found


def _possible(entry: Node | None, candidates: tuple[str, ...]) -> frozenset[str]:
    if entry is None:
        return frozenset(candidates)
    # UNKNOWN counts as possible: only a condition that is FALSE for a status rules that status out
    return frozenset(statuses_not_false(entry, candidates))


def _unordered_group(writer: Writer) -> tuple[str, str] | None:
    """The writers Salesforce leaves unordered against this one share its group; None when it is
    ordered against every other writer.

    Different kinds are ordered by the order of execution: workflow field updates, then
    processes, then after-save flows (before-save flows never meet the others: their trigger
    differs). Two flows are ordered when either has a trigger order; two workflow rules or two
    processes on one object never are. Only writers on one trigger can meet.
    """
    if writer.kind == "flow" and writer.trigger_order is not None:
        return None
    return writer.trigger, writer.kind


def _statuses(shared: frozenset[str], candidates: tuple[str, ...]) -> str:
    if shared == frozenset(candidates):
        return "a lead in any status"
    named = sorted(s for s in shared if s != _OTHER)
    more = " (or another status)" if _OTHER in shared else ""
    return f"a lead in status {', '.join(named)}{more}" if named else "a lead in a status no condition names"


def _message(a: Writer, b: Writer, events: frozenset[str], where: str) -> str:
    when = _EVENT_WORDS.get(events, "created or updated")
    text = (
        f"{a.what} sets Lead Status to {' or '.join(a.values)} and {b.what} sets it to {' or '.join(b.values)}; "
        f"both run when {where} is {when}, with no order defined between them, so the lead ends in whichever "
        "status the last one writes"
    )
    if a.kind == "workflow":
        text += " (Salesforce runs the workflow rules of an object in no guaranteed order)"
    elif a.kind == "process":
        text += " (Salesforce runs the processes of an object in no guaranteed order)"
    return text


def _fix(a: Writer, b: Writer) -> str:
    if a.kind == "flow" and b.kind == "flow":
        return (
            f"Let one flow own Status for this event, or set a trigger order on both '{a.name}' and '{b.name}' in "
            "Setup > Object Manager > Lead > Flow Trigger Explorer so the intended writer runs last, or make their "
            "start conditions exclusive."
        )
    legacy = " and ".join(f"'{w.name}'" for w in (a, b) if w.kind != "flow")
    return (
        f"Migrate {legacy} into a record-triggered flow (Setup > Migrate to Flow, see AU001), then let one flow own "
        "Status for this event or give the flows a trigger order in the Flow Trigger Explorer."
    )


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    if not has_kind(model, "flow") and not has_lead_workflow(model):
        raise NotApplicable(
            "the source holds neither flows nor the Lead workflow file; retrieve Flow:* and Workflow:Lead to judge this"
        )
    writers = status_writers(model)
    conflicts = list(_conflicts(model, writers))
    # a conflict is reported on the first writer of the pair (by subject) and names the second; a
    # writer that is only ever the second is left out of the checked subjects, or it would show as
    # passing while it takes part in a conflict
    firsts = {a.subject for a, _, _, _ in conflicts}
    seconds = {b.subject for _, b, _, _ in conflicts} - firsts
    for writer in sorted(writers, key=lambda w: w.subject):
        if writer.subject not in seconds:
            yield ctx.checked(writer.subject, writer.location)
    for a, b, events, where in conflicts:
        yield ctx.finding(a.subject, _message(a, b, events, where), fix=_fix(a, b), location=a.location)


def _conflicts(model: Model, writers: list[Writer]) -> Iterator[tuple[Writer, Writer, frozenset[str], str]]:
    """Pairs of writers with no order between them, the events they share, and the leads they meet on."""
    candidates = _candidates(model, writers)
    possible = {w.subject: _possible(w.entry, candidates) for w in writers}
    for a, b in _unordered_pairs(sorted(writers, key=lambda w: w.subject)):
        events = a.events & b.events
        shared = possible[a.subject] & possible[b.subject]
        if not events or not shared:
            continue
        if a.literals is not None and a.literals == b.literals and len(a.literals) == 1:
            continue  # both set the same value: the order does not change the result
        yield a, b, events, _statuses(shared, candidates)


def _unordered_pairs(writers: list[Writer]) -> list[tuple[Writer, Writer]]:
    """The pairs (in ``writers``' order) in one ``_unordered_group``: drawn within the groups, since
    a large org's thousands of flows usually all have a trigger order, and comparing every pair
    would be quadratic for nothing."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index, writer in enumerate(writers):
        group = _unordered_group(writer)
        if group is not None:
            groups.setdefault(group, []).append(index)
    pairs = sorted(pair for indices in groups.values() for pair in combinations(indices, 2))
    return [(writers[i], writers[j]) for i, j in pairs]
