"""Assignment and auto-response entries across two versions of a rule, in routing words.

Entries have no id: Salesforce knows them only by their position. Inserting an entry at the
top renumbers every entry below it, so comparing position by position would report every
entry as changed. Entries are matched instead by what they mean, in passes from the most to
the least certain:

1. same criteria and same assignee (unchanged, possibly moved);
2. same criteria (the assignee changed);
3. same assignee at the same position (the criteria changed).

Whatever is left was removed or added. A matched entry counts as moved only when its order
relative to the other matched entries changed (the longest run kept in order stays put), so an
insertion above it does not make it "moved". The rule's catch-all (fallback) is judged on the
active rule, since that is the rule that owns every lead.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.diff import Change
from auditor.model import LeadRule, Model, RuleEntry
from auditor.routing import assignee, assignee_key, describe_criteria, entry_subject, is_catch_all


def _criteria_key(entry: RuleEntry) -> str:
    return describe_criteria(entry).casefold()


def _target_key(entry: RuleEntry) -> object:
    """Where an entry sends the lead: its assignee, or for an auto-response entry its template."""
    return assignee_key(entry) if entry.assigned_to else (entry.template or "").casefold()


def _target(kind: str, entry: RuleEntry) -> str:
    return assignee(entry) if kind == "assignment_entry" else f"template {entry.template or 'none'}"


def _match(old: tuple[RuleEntry, ...], new: tuple[RuleEntry, ...]) -> list[tuple[RuleEntry, RuleEntry]]:
    """(old, new) pairs of the same entry, found in the three passes the module describes."""
    left, right = list(old), list(new)
    pairs: list[tuple[RuleEntry, RuleEntry]] = []
    tests = (
        lambda a, b: _criteria_key(a) == _criteria_key(b) and _target_key(a) == _target_key(b),
        lambda a, b: _criteria_key(a) == _criteria_key(b),
        lambda a, b: _target_key(a) == _target_key(b) and a.order == b.order,
    )
    for same in tests:
        for entry in list(left):
            partner = next((candidate for candidate in right if same(entry, candidate)), None)
            if partner is not None:
                pairs.append((entry, partner))
                left.remove(entry)
                right.remove(partner)
    return sorted(pairs, key=lambda pair: pair[0].order)


def _kept_in_order(pairs: list[tuple[RuleEntry, RuleEntry]]) -> set[int]:
    """Indexes (into ``pairs``, sorted by old order) of the longest run whose new order rises.

    Between runs of equal length the one keeping more entries at their old position wins: when
    two entries swap, the one that left its position is the one that moved.
    """
    orders = [new.order for _, new in pairs]
    stays = [int(old.order == new.order) for old, new in pairs]
    best: list[tuple[int, int, list[int]]] = []  # per end index: (length, entries in place, run)
    for i, order in enumerate(orders):
        start: tuple[int, int, list[int]] = (0, 0, [])
        for j in range(i):
            if orders[j] < order and best[j][:2] > start[:2]:
                start = best[j]
        best.append((start[0] + 1, start[1] + stays[i], start[2] + [i]))
    longest: tuple[int, int, list[int]] = (0, 0, [])
    for run in best:
        if run[:2] > longest[:2]:
            longest = run
    return set(longest[2])


def _entry_words(kind: str, entry: RuleEntry) -> str:
    return f"{describe_criteria(entry)} -> {_target(kind, entry)}"


def _entry_changes(kind: str, old_rule: LeadRule, new_rule: LeadRule) -> Iterable[Change]:
    noun = "assignment" if kind == "assignment_entry" else "auto-response"
    pairs = _match(old_rule.entries, new_rule.entries)
    kept = _kept_in_order(pairs)
    matched_old = {id(o) for o, _ in pairs}
    matched_new = {id(n) for _, n in pairs}
    for index, (was, now) in enumerate(pairs):
        subject = entry_subject(new_rule, now)
        if index not in kept:
            yield Change(f"{kind}.moved", subject, f"position {was.order}", f"position {now.order}",
                         f"The {noun} entry '{_entry_words(kind, now)}' moved from position {was.order} to {now.order}: "
                         "the first matching entry wins", now.source)
        if _criteria_key(was) != _criteria_key(now):
            yield Change(f"{kind}.criteria_changed", subject, describe_criteria(was), describe_criteria(now),
                         f"Entry {now.order} of {new_rule.name} now matches {describe_criteria(now)}", now.source)
        if _target_key(was) != _target_key(now):
            what = "assignee_changed" if kind == "assignment_entry" else "template_changed"
            verb = "goes to" if kind == "assignment_entry" else "sends"
            yield Change(f"{kind}.{what}", subject, _target(kind, was), _target(kind, now),
                         f"Entry {now.order} of {new_rule.name} now {verb} {_target(kind, now)}", now.source)
    for entry in old_rule.entries:
        if id(entry) not in matched_old:
            yield Change(f"{kind}.removed", entry_subject(old_rule, entry), _entry_words(kind, entry), None,
                         f"The {noun} entry '{_entry_words(kind, entry)}' (position {entry.order}) was removed",
                         entry.source)
    for entry in new_rule.entries:
        if id(entry) not in matched_new:
            yield Change(f"{kind}.added", entry_subject(new_rule, entry), None, _entry_words(kind, entry),
                         f"New {noun} entry at position {entry.order}: {_entry_words(kind, entry)}", entry.source)


def _has_fallback(rule: LeadRule) -> bool:
    return any(is_catch_all(entry) for entry in rule.entries)


def _fallback_change(old: Model, new: Model) -> Iterable[Change]:
    was, now = old.active_assignment_rule, new.active_assignment_rule
    if was is None or now is None or not _has_fallback(was) or _has_fallback(now):
        return  # no active rule now: the rule's deactivation says it all
    catch_all = next(entry for entry in was.entries if is_catch_all(entry))
    yield Change("assignment_rule.fallback_removed", f"AssignmentRule:{now.name}",
                 f"entry {catch_all.order}: every lead -> {assignee(catch_all)}", "no catch-all entry",
                 f"The active assignment rule {now.name} has no catch-all entry any more: a lead no entry "
                 "matches goes to the default lead owner of Lead Settings", now.source)


def rule_changes(old: Model, new: Model) -> Iterable[Change]:
    """Entry changes of the rules both versions hold, and the active rule's lost fallback."""
    for kind, before, after in (
        ("assignment_entry", old.assignment_rules, new.assignment_rules),
        ("auto_response_entry", old.auto_response_rules, new.auto_response_rules),
    ):
        earlier = {rule.name: rule for rule in before}
        for rule in after:
            if rule.name in earlier:
                yield from _entry_changes(kind, earlier[rule.name], rule)
    yield from _fallback_change(old, new)
