"""RT003 assignment-entry-shadowed: an entry of the active assignment rule can never fire.

What: in the active Lead assignment rule, the first matching entry wins. An entry is shadowed when
an earlier entry already matches every lead it would match: an earlier catch-all (no criteria, or
an always-true formula such as ``true``), an earlier entry with identical criteria (the same items
and filter, or the same formula), or an earlier entry with broader AND-combined criteria on the
same fields (earlier ``Country equals Germany,Austria``, later ``Country equals Germany`` AND
``Industry equals Machinery``). The finding names both entries and their assignees.

Formulas and OR filters are compared only for being identical: whether one formula implies
another cannot be decided safely, so such entries are skipped rather than guessed about.

Why it matters: the shadowed entry's assignee never gets the leads it was built for; the
specialist the entry names (the Machinery AE in Germany) is silently bypassed, and whoever reads
the rule believes a route exists that does not.

How to fix: move the narrower entry above the broader one, or delete it if the route is no
longer wanted.

Failing example: entry 1 ``Country equals Germany,Austria`` to DACH_Leads, entry 2 ``Country
equals Germany`` AND ``Industry equals Machinery`` to the machinery specialist.

Passing example: the same two entries in the other order: the specialist first.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import RuleEntry
from auditor.sites import try_parse
from checks._routing import (
    active_assignment_rule,
    and_conditions,
    assignee,
    assignee_key,
    condition,
    describe_entry,
    entry_subject,
    is_catch_all,
    shadows,
)

RULE = Rule(
    id="RT003",
    name="assignment-entry-shadowed",
    severity=Severity.MEDIUM,
    category="routing",
    summary="An entry of the active Lead assignment rule can never fire: an earlier entry takes all its leads",
)


def _identical(earlier: RuleEntry, later: RuleEntry) -> bool:
    """Same criteria items and filter, or the same formula (compared as parsed formulas)."""
    if earlier.formula and later.formula and not earlier.criteria and not later.criteria:
        left, right = try_parse(earlier.formula), try_parse(later.formula)
        return left is not None and left == right
    if earlier.formula or later.formula or not earlier.criteria:
        return False
    same_items = [condition(i).signature for i in earlier.criteria] == [condition(i).signature for i in later.criteria]
    filters = [" ".join((e.boolean_filter or "").upper().split()) for e in (earlier, later)]
    return same_items and filters[0] == filters[1]


def _why(earlier: RuleEntry, later: RuleEntry) -> str | None:
    """How ``earlier`` takes every lead of ``later``, or None when it does not (or cannot be told)."""
    if is_catch_all(earlier):
        return f"the earlier {describe_entry(earlier)} is a catch-all that matches every lead"
    if _identical(earlier, later):
        return f"the earlier {describe_entry(earlier)} has the same criteria"
    e_conds, l_conds = and_conditions(earlier), and_conditions(later)
    if e_conds is None or l_conds is None or not e_conds:
        return None  # a formula or an OR filter: implication is not decided here
    if shadows(e_conds, l_conds):
        return f"every lead it matches also matches the earlier {describe_entry(earlier)}"
    return None


def _consequence(earlier: RuleEntry, later: RuleEntry) -> str:
    if assignee_key(earlier) is not None and assignee_key(earlier) == assignee_key(later):
        return f"both assign to {assignee(later)}, so entry {later.order} is dead configuration"
    taken_by = (
        f"they go to {assignee(earlier)}"
        if earlier.assigned_to
        else "they keep their current owner (Do Not Reassign Owner)"
    )
    return f"{assignee(later)} never receives these leads: {taken_by}"


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    rule = active_assignment_rule(ctx.model)
    entries = rule.entries
    for index, later in enumerate(entries):
        yield ctx.checked(entry_subject(rule, later), later.source)
        for earlier in entries[:index]:
            why = _why(earlier, later)
            if why is None:
                continue
            yield ctx.finding(
                entry_subject(rule, later),
                f"{describe_entry(later)} of active assignment rule '{rule.name}' can never fire: {why}, "
                f"and the first matching entry wins; {_consequence(earlier, later)}",
                fix=(
                    f"Move entry {later.order} above entry {earlier.order} if its leads should go to "
                    f"{assignee(later)}, or delete entry {later.order} if that route is no longer wanted."
                ),
                location=later.source,
            )
            break  # the first entry that takes the leads is the one that matters
