"""Helpers the routing rules share (not a rule: it has no RULE).

Assignment entries are judged as data here: an entry whose criteria items are AND-combined (no
formula, no OR in ``booleanFilter``) is a list of ``Condition``s, and two such lists can be
compared exactly (does every lead of one match the other? can a lead match both?). Anything
else (formulas, OR filters) is left undecided by the callers: they skip it, never guess.
"""

from __future__ import annotations

from auditor.findings import NotApplicable
from auditor.formula import Literal, fields_read, walk
from auditor.logic import field_key
from auditor.model import Flow, LeadRule, Model

# The plain-words helpers live in auditor (the report's routing table shows entries in the same
# words the findings quote); they are re-exported here so the routing rules import one module.
from auditor.routing import Condition as Condition
from auditor.routing import and_conditions as and_conditions
from auditor.routing import assignee as assignee
from auditor.routing import assignee_key as assignee_key
from auditor.routing import condition as condition
from auditor.routing import describe_conditions as describe_conditions
from auditor.routing import describe_criteria as describe_criteria
from auditor.routing import describe_entry as describe_entry
from auditor.routing import entry_subject as entry_subject
from auditor.routing import is_catch_all as is_catch_all
from auditor.routing import plain_field as plain_field
from auditor.sites import try_parse

# --- the active rule --------------------------------------------------------------------------


def active_assignment_rule(model: Model) -> LeadRule:
    """The active Lead assignment rule, or not-applicable when the source cannot show one."""
    if model.assignment_rules_source is None:
        raise NotApplicable("no Lead assignment rules in the source (assignmentRules/Lead.assignmentRules)")
    rule = model.active_assignment_rule
    if rule is None:
        raise NotApplicable("no active Lead assignment rule (reported by RT001)")
    return rule


# --- comparing conditions ---------------------------------------------------------------------

_NUMERIC = {"lessthan", "greaterthan", "lessorequal", "greaterorequal"}


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return None


def satisfies(value: str, cond: Condition) -> bool | None:
    """Does a lead whose field holds ``value`` meet ``cond``? None when this cannot be told."""
    if cond.value_field:
        return None
    v = value.casefold()
    if cond.op == "equals":
        return v in cond.folded
    if cond.op == "notequal":
        return v not in cond.folded
    wanted = [x for x in cond.folded if x]
    if cond.op == "startswith":
        return any(v.startswith(x) for x in wanted)
    if cond.op == "contains":
        return any(x in v for x in wanted)
    if cond.op == "notcontain":
        return not any(x in v for x in wanted)
    if cond.op in _NUMERIC and len(cond.values) == 1:
        left, right = _number(value), _number(cond.values[0])
        if left is None or right is None:
            return None
        return {
            "lessthan": left < right,
            "greaterthan": left > right,
            "lessorequal": left <= right,
            "greaterorequal": left >= right,
        }[cond.op]
    return None  # includes/excludes (multi-select), within (geolocation), dates: not judged


def implies(later: Condition, earlier: Condition) -> bool:
    """True when every lead meeting ``later`` also meets ``earlier`` (same field)."""
    if later.key != earlier.key:
        return False
    if later.signature == earlier.signature:
        return True
    if later.op == "equals" and not later.value_field:
        # each value the later item accepts must be accepted by the earlier item
        return all(satisfies(value, earlier) is True for value in later.values)
    if later.op == earlier.op == "notequal" and not later.value_field and not earlier.value_field:
        return earlier.folded <= later.folded  # excluding more values is narrower
    return False


def shadows(earlier: tuple[Condition, ...], later: tuple[Condition, ...]) -> bool:
    """Every lead matching the AND-list ``later`` matches the AND-list ``earlier``."""
    return all(any(implies(lc, ec) for lc in later) for ec in earlier)


def example_value(conditions: list[Condition]) -> str | None:
    """A phrase for one field that meets every condition (``Country = Germany``); None when unknown.

    Raises ``Disjoint`` when the conditions can be shown to exclude each other.
    """
    equals = [c for c in conditions if c.op == "equals" and not c.value_field]
    others = [c for c in conditions if c not in equals]
    if equals:
        candidates = [v for v in equals[0].values if all(satisfies(v, c) is True for c in equals[1:])]
        verdicts = [[satisfies(v, c) for c in others] for v in candidates]
        good = [v for v, vs in zip(candidates, verdicts) if all(x is True for x in vs)]
        field = equals[0].field
        if good:
            return f"{field} = {good[0]}" if good[0] else f"{field} blank"
        if all(x is not None for vs in verdicts for x in vs):
            raise Disjoint()
        return None
    if len({c.signature for c in others}) == 1:
        return str(others[0])  # one condition (perhaps repeated): it is its own example
    return None


class Disjoint(Exception):
    """No lead can meet the conditions on one field together."""


# --- flows that route leads -------------------------------------------------------------------

RECORD_TRIGGERS = {"recordbeforesave", "recordaftersave"}


def _sets_owner(flow: Flow) -> bool:
    for element in flow.elements:
        for assignment in element.field_assignments:
            key = field_key(assignment.field)
            if element.kind == "assignments":
                # only $Record.OwnerId: a variable's OwnerId may belong to a Task
                if assignment.field.lower().lstrip("{!").startswith("$record.") and key == "ownerid":
                    return True
            elif element.kind == "recordUpdates" and key == "ownerid":
                if (element.object or "").lower() in ("lead", "$record"):
                    return True
    return False


def is_after_save(flow: Flow) -> bool:
    return (flow.trigger_type or "").lower() == "recordaftersave"


def owner_flows(model: Model) -> list[Flow]:
    """Active record-triggered Lead flows that set the lead's owner, before or after the save."""
    return [
        flow
        for flow in model.lead_flows
        if flow.is_active and (flow.trigger_type or "").lower() in RECORD_TRIGGERS and _sets_owner(flow)
    ]


def routing_flows(model: Model) -> list[Flow]:
    """The owner-setting Lead flows whose owner survives the save.

    Order of execution (Apex Developer Guide, "Triggers and Order of Execution",
    https://developer.salesforce.com/docs/atlas.en-us.apexcode.meta/apexcode/apex_triggers_order_of_execution.htm):
    before-save flows run first, then assignment rules, then after-save flows. An after-save
    flow's OwnerId therefore overrides the assignment rule; a before-save flow's is overwritten by
    an active rule. So after-save flows always count, before-save ones only when the source holds
    no active Lead assignment rule (none in the file, or no file: nothing shown to overwrite them).
    """
    rule_active = model.active_assignment_rule is not None
    return [flow for flow in owner_flows(model) if is_after_save(flow) or not rule_active]


def formula_keys(text: str | None) -> frozenset[str] | None:
    """Field keys a formula reads; None when it cannot be parsed."""
    if not text or not text.strip():
        return frozenset()
    ast = try_parse(text)
    if ast is None:
        return None
    return frozenset(field_key(name) for name in fields_read(ast))


def flow_reads(flow: Flow) -> tuple[frozenset[str], bool]:
    """Fields a flow's start filters, decisions and formulas read; True when a formula was unreadable."""
    keys: set[str] = {field_key(f.field) for f in flow.filters}
    unreadable = False
    texts = [flow.filter_formula, *(expression for _, expression in flow.formulas)]
    for decision in flow.decisions:
        for outcome in decision.outcomes:
            for cond in outcome.conditions:
                keys.add(field_key(cond.left))
                if cond.right is not None and cond.right.kind == "elementReference":
                    keys.add(field_key(cond.right.text))
                if cond.right is not None and cond.right.kind == "formulaExpression":
                    texts.append(cond.right.text)
    for text in texts:
        found = formula_keys(text)
        if found is None:
            unreadable = True
        else:
            keys |= found
    return frozenset(keys), unreadable


def string_literals(text: str) -> list[str] | None:
    """The string constants of a formula; None when it cannot be parsed."""
    ast = try_parse(text)
    if ast is None:
        return None
    return [str(n.value) for n in walk(ast) if isinstance(n, Literal) and n.kind == "string" and n.value]
