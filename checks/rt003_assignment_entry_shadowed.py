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

import itertools
from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import RuleEntry
from auditor.sites import try_parse
from checks._routing import (
    Condition,
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


class _EarlierEntries:
    """The entries seen so far, indexed so the first one that shadows a later entry is found
    without comparing every pair (3,000 entries are 4.5 million pairs).

    The index only narrows the candidates; the verdict and its words still come from ``_why``,
    so they are exactly those of a pairwise comparison. It keeps
    - the first catch-all;
    - the first entry of each identity (same parsed formula, or same criteria and filter);
    - AND-entries by the fields they test (an earlier entry can only shadow a later one testing
      a superset of its fields) and by the values of their ``equals`` items: an earlier
      ``Country equals X,Y`` is implied only by a later ``Country equals`` whose values are all
      among X and Y, so the later item's first value must be one of them.
    """

    def __init__(self) -> None:
        self.entries: list[RuleEntry] = []
        self.conditions: list[tuple[Condition, ...] | None] = []
        self.first_catch_all: int | None = None
        self.first_identical: dict[object, int] = {}
        self.groups: dict[frozenset[str], _Group] = {}

    def add(self, entry: RuleEntry, conditions: tuple[Condition, ...] | None) -> None:
        index = len(self.entries)
        self.entries.append(entry)
        self.conditions.append(conditions)
        if self.first_catch_all is None and is_catch_all(entry):
            self.first_catch_all = index
        identity = _identity(entry)
        if identity is not None:
            self.first_identical.setdefault(identity, index)
        if conditions:
            self.groups.setdefault(frozenset(c.key for c in conditions), _Group()).add(index, conditions)

    def first_shadowing(self, later: RuleEntry, conditions: tuple[Condition, ...] | None) -> tuple[RuleEntry, str] | None:
        found: list[int] = []
        if self.first_catch_all is not None:
            found.append(self.first_catch_all)
        identity = _identity(later)
        if identity is not None and identity in self.first_identical:
            found.append(self.first_identical[identity])
        if conditions is not None:
            keys = {c.key for c in conditions}
            for group_keys, group in self.groups.items():
                if group_keys <= keys:
                    found.extend(
                        index for index in group.candidates(conditions)
                        if shadows(self.conditions[index] or (), conditions)
                    )
        for index in sorted(set(found)):
            why = _why(self.entries[index], later)
            if why is not None:
                return self.entries[index], why
        return None


_MAX_INDEXED_COMBINATIONS = 256  # an entry with more value combinations is always a candidate


class _Group:
    """AND-entries testing the same fields, indexed by the values of their ``equals`` items."""

    def __init__(self) -> None:
        # (keys of the equals items, one value per key) -> entry indexes
        self.by_values: dict[tuple[str, ...], dict[tuple[str, ...], list[int]]] = {}
        self.always: list[int] = []

    def add(self, index: int, conditions: tuple[Condition, ...]) -> None:
        first_by_key: dict[str, frozenset[str]] = {}
        for cond in conditions:
            if _plain_equals(cond):
                first_by_key.setdefault(cond.key, cond.folded)
        keys = tuple(sorted(first_by_key))
        combinations = 1
        for key in keys:
            combinations *= len(first_by_key[key])
        if combinations > _MAX_INDEXED_COMBINATIONS:
            self.always.append(index)
            return
        table = self.by_values.setdefault(keys, {})
        for values in itertools.product(*(sorted(first_by_key[key]) for key in keys)):
            table.setdefault(values, []).append(index)

    def candidates(self, later: tuple[Condition, ...]) -> list[int]:
        firsts: dict[str, set[str]] = {}
        for cond in later:
            if _plain_equals(cond):
                firsts.setdefault(cond.key, set()).add(next(iter(sorted(cond.folded))))
        found = list(self.always)
        for keys, table in self.by_values.items():
            if not all(key in firsts for key in keys):
                continue  # an earlier equals item on a field the later entry does not pin
            for values in itertools.product(*(sorted(firsts[key]) for key in keys)):
                found.extend(table.get(values, ()))
        return found


def _plain_equals(cond: Condition) -> bool:
    return cond.op == "equals" and not cond.value_field


def _identity(entry: RuleEntry) -> object | None:
    """What ``_identical`` compares, as a hashable key; None when the entry can match no other."""
    if entry.formula:
        if entry.criteria:
            return None
        ast = try_parse(entry.formula)
        return None if ast is None else ("formula", ast)
    if not entry.criteria:
        return None
    filter_words = " ".join((entry.boolean_filter or "").upper().split())
    return "criteria", tuple(condition(i).signature for i in entry.criteria), filter_words


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    rule = active_assignment_rule(ctx.model)
    earlier_entries = _EarlierEntries()
    for later in rule.entries:
        yield ctx.checked(entry_subject(rule, later), later.source)
        conditions = and_conditions(later)
        found = earlier_entries.first_shadowing(later, conditions)
        earlier_entries.add(later, conditions)
        if found is None:
            continue
        earlier, why = found  # the first entry that takes the leads is the one that matters
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
