"""RT009 routing-precedence-violated: an entry on a weaker routing dimension takes a stronger one's leads.

What: ``routing.precedence`` in the process file lists the dimensions strongest first (for
example ``[partner, installed_base, sector, geography]``: dealer claim > installed base > sector
> region). In the active Lead assignment rule the first matching entry wins, so an entry E whose
criteria are on a weaker dimension, placed before an entry L on a stronger one, takes L's leads
whenever a lead meets both. Two entries overlap unless they test the same field with values no
lead can meet together (``Country equals Germany`` and ``Country equals Sweden``). The finding
names both entries, their dimensions and assignees, and an example lead built from their values.

An entry's dimension is the strongest dimension of the fields it tests (fields of no dimension
are ignored). Entries with a formula or an OR filter, entries that test a hand-raiser field (a
deliberate fast lane) and entries on a dimension missing from the precedence are not judged.

Why it matters: DOMAIN: the conflict hierarchy is decided in advance; when the rule's order
contradicts it, an existing customer from Germany reaches the DACH territory rep instead of their
account manager, and a dealer's lead goes to a stranger.

How to fix: move the stronger entry above the weaker one: order the entries by the documented
precedence, keeping the catch-all last.

Failing example: entry 2 ``Country equals Germany`` (geography) before entry 4
``Existing_Customer__c equals True`` (installed base), with installed_base before geography in
the precedence.

Passing example: the installed-base entry first, then the regional entries.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.logic import field_key
from auditor.model import RuleEntry
from auditor.process import Routing
from checks._routing import (
    Condition,
    Disjoint,
    active_assignment_rule,
    and_conditions,
    assignee,
    assignee_key,
    entry_subject,
    example_value,
)

RULE = Rule(
    id="RT009",
    name="routing-precedence-violated",
    severity=Severity.HIGH,
    category="routing",
    summary="An assignment entry on a weaker routing dimension comes before an overlapping stronger one",
    needs_process=True,
)


@dataclass(frozen=True)
class _Placed:
    entry: RuleEntry
    conditions: tuple[Condition, ...]
    dimension: str  # the strongest documented dimension it tests
    rank: int  # its place in the precedence: 0 is the strongest
    may_take: bool  # may be the earlier, weaker entry of a violation


def _placed(entry: RuleEntry, routing: Routing) -> _Placed | None:
    conditions = and_conditions(entry)
    if not conditions:
        return None  # a formula, an OR filter, or a catch-all (RT003's concern)
    rank = {dim: i for i, dim in enumerate(routing.precedence)}
    hand_raiser = {field_key(f) for f in routing.hand_raiser_fields}
    keys = {c.key for c in conditions}
    dims = {dim for dim, fields in routing.dimensions.items() if keys & {field_key(f) for f in fields}}
    ranked = [d for d in dims if d in rank]
    if not ranked:
        return None
    strongest = min(ranked, key=rank.__getitem__)
    # an unranked dimension might outrank the others; a hand-raiser entry is a deliberate fast lane
    may_take = len(ranked) == len(dims) and not keys & hand_raiser
    return _Placed(entry, conditions, strongest, rank[strongest], may_take)


def _example(earlier: _Placed, later: _Placed) -> str | None:
    """A lead both entries match, said concretely; None when they cannot overlap or it is unknown."""
    keys = list(dict.fromkeys(c.key for c in (*earlier.conditions, *later.conditions)))
    parts: list[str] = []
    for key in keys:
        try:
            phrase = example_value([c for c in (*earlier.conditions, *later.conditions) if c.key == key])
        except Disjoint:
            return None
        if phrase is None:
            return None  # cannot build a lead that is sure to match both: no claim
        parts.append(phrase)
    return " and ".join(parts)


def _dim(name: str) -> str:
    return name.replace("_", " ")


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    routing = process.routing
    if not routing.precedence:
        raise NotApplicable(f"{process.path} defines no routing precedence (routing.precedence)")
    rule = active_assignment_rule(ctx.model)
    placed = [_placed(entry, routing) for entry in rule.entries]
    order = " > ".join(routing.precedence)
    # the entries that may take leads so far, by rank: a later entry looks only at weaker ranks
    # rather than at every entry before it
    may_take: dict[int, list[tuple[int, _Placed]]] = {}
    for index, later in enumerate(placed):
        if later is None:
            continue  # on no ranked dimension, or not comparable: not judged
        yield ctx.checked(entry_subject(rule, later.entry), later.entry.source)
        weaker = sorted(pair for rank, found in may_take.items() if rank > later.rank for pair in found)
        if later.may_take:
            may_take.setdefault(later.rank, []).append((index, later))
        takers: list[tuple[_Placed, str]] = []
        for _, earlier in weaker:
            if assignee_key(earlier.entry) == assignee_key(later.entry):
                continue  # the same assignee either way: the order changes nothing
            example = _example(earlier, later)
            if example is not None:
                takers.append((earlier, example))
        if not takers:
            continue
        first, example = takers[0]
        l_entry, e_entry = later.entry, first.entry
        listed = ", ".join(
            f"entry {p.entry.order} ({_dim(p.dimension)}, {assignee(p.entry)})" for p, _ in takers
        )
        yield ctx.finding(
            entry_subject(rule, l_entry),
            f"entry {l_entry.order} ({_dim(later.dimension)}, {assignee(l_entry)}) of active assignment rule "
            f"'{rule.name}' loses leads to earlier entries on weaker dimensions: {listed}; the documented "
            f"precedence is {order} and the first matching entry wins, so a lead with {example} goes to "
            f"{assignee(e_entry)} (entry {e_entry.order}, {_dim(first.dimension)}) instead of "
            f"{assignee(l_entry)} (entry {l_entry.order}, {_dim(later.dimension)})",
            fix=(
                f"Move entry {l_entry.order} above entry {e_entry.order} in '{rule.name}': order the entries by "
                f"the documented precedence ({order}), with the catch-all last."
            ),
            location=l_entry.source,
        )
