"""RT002 assignment-fallback-missing: the active Lead assignment rule has no catch-all entry.

What: no entry of the active rule matches every lead: an entry with no criteria, or a criteria
formula that is always true (``true``, ``True``, ``1=1``). The finding says which leads fall
through (for example leads with a blank Country, when every entry tests Country). A catch-all
that assigns nobody ("Do Not Reassign Owner") is reported at low severity: those leads stay with
whoever created them. A rule with no entries at all is the worst case.

Why it matters: a lead that matches no entry keeps the Default Lead Owner from Lead Settings (or
its creator): an unowned lead nobody works, with no SLA clock anyone watches. DOMAIN: there must
always be a fallback rule.

How to fix: add a last entry with no criteria that assigns to a triage queue watched by Marketing
Ops (for example ``Unassigned_Leads``).

Failing example: entries for Country = Germany, Country = Netherlands, and nothing after them.

Passing example: the same entries followed by an entry with no criteria assigned to a queue.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import LeadRule, Model, RuleEntry
from checks._routing import is_catch_all

RULE = Rule(
    id="RT002",
    name="assignment-fallback-missing",
    severity=Severity.HIGH,
    category="routing",
    summary="The active Lead assignment rule has no catch-all entry",
)

FIX = (
    "Add a last entry with no criteria that assigns to a triage queue (for example Unassigned_Leads) "
    "so that no lead is left unowned."
)
# operations a blank field value can never satisfy when the compared value is not blank
_NEEDS_VALUE = {"equals", "startsWith", "contains", "includes", "lessThan", "greaterThan", "lessOrEqual", "greaterOrEqual", "within"}


def _plain_field(name: str) -> str:
    return name.split(".", 1)[1] if name.lower().startswith("lead.") else name


def _blank_fails(entry: RuleEntry) -> set[str]:
    """Fields of the entry's criteria that a lead with that field blank can never satisfy."""
    if entry.formula or (entry.boolean_filter and "or" in entry.boolean_filter.lower()):
        return set()  # an OR or a formula may match blanks; no safe example
    return {
        _plain_field(item.field)
        for item in entry.criteria
        if item.operation in _NEEDS_VALUE
        and (item.value or "").strip()
        # "equals False" matches an unchecked (blank) checkbox
        and (item.value or "").strip().lower() not in ("false", "0")
    }


def _is_checkbox(name: str, rule: LeadRule, model: Model) -> bool:
    """A checkbox is never blank, only unchecked: known from the field, or from True/False criteria."""
    known = model.field_named(name)
    if known is not None:
        return known.type == "Checkbox"
    values = {
        (item.value or "").strip().lower()
        for entry in rule.entries
        for item in entry.criteria
        if _plain_field(item.field).lower() == name.lower()
    }
    return bool(values) and values <= {"true", "false"}


def _describe(names: list[str], rule: LeadRule, model: Model) -> str:
    parts = [f"{name} unchecked" if _is_checkbox(name, rule, model) else f"a blank {name}" for name in names]
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


def _falls_through(rule: LeadRule, model: Model) -> str:
    """Which leads match no entry, said as concretely as the criteria allow.

    Every entry needs one field a blank value fails; the fewest such fields (chosen greedily,
    most shared first) make the example lead: blank in those fields, it matches no entry.
    """
    per_entry = [_blank_fails(entry) for entry in rule.entries]
    if not all(per_entry):
        return f"leads that meet none of the {len(rule.entries)} entries' criteria match no entry"
    counts: dict[str, int] = {}
    for fields in per_entry:
        for name in fields:
            counts[name] = counts.get(name, 0) + 1
    chosen: list[str] = []
    for fields in per_entry:
        if not fields & set(chosen):
            chosen.append(max(sorted(fields), key=lambda name: counts[name]))
    return f"leads with {_describe(sorted(chosen), rule, model)} match no entry"


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    if model.assignment_rules_source is None:
        raise NotApplicable("no Lead assignment rules in the source (assignmentRules/Lead.assignmentRules)")
    rule = model.active_assignment_rule
    if rule is None:
        raise NotApplicable("no active Lead assignment rule (reported by RT001)")
    subject = f"AssignmentRule:{rule.name}"
    if not rule.entries:
        yield ctx.checked(subject, rule.source)
        yield ctx.finding(
            subject,
            f"active assignment rule '{rule.name}' has no entries: every lead stays with the Default Lead Owner "
            "from Lead Settings",
            fix=FIX,
            location=rule.source,
        )
        return
    verdicts = [(entry, is_catch_all(entry)) for entry in rule.entries]
    catch_alls = [entry for entry, verdict in verdicts if verdict]
    if catch_alls:
        fallback = catch_alls[0]
        # the rule has its fallback; whether that entry assigns anyone is judged on the entry itself
        yield ctx.checked(subject, fallback.source)
        yield ctx.checked(f"{subject}#{fallback.order}", fallback.source)
        if fallback.do_not_reassign_owner:
            yield ctx.finding(
                f"{subject}#{fallback.order}",
                f"the catch-all entry {fallback.order} of '{rule.name}' assigns nobody (Do Not Reassign Owner): "
                "leads no other entry matches stay with whoever created them (an integration user, a web form's "
                "site guest user)",
                fix="Give the catch-all entry a triage queue as assignee.",
                location=fallback.source,
                severity=Severity.LOW,
            )
        return
    unknown = [entry.order for entry, verdict in verdicts if verdict is None]
    if unknown:
        raise NotApplicable(
            f"cannot tell whether '{rule.name}' has a catch-all: the formula of entry "
            f"{', '.join(map(str, unknown))} could not be parsed (see VR003)"
        )
    yield ctx.checked(subject, rule.entries[-1].source)
    yield ctx.finding(
        subject,
        f"active assignment rule '{rule.name}' has no catch-all entry: {_falls_through(rule, model)} and stay with "
        "the Default Lead Owner from Lead Settings",
        fix=FIX,
        location=rule.entries[-1].source,
    )
