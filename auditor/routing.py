"""Assignment and auto-response rule entries in plain words, and as comparable conditions.

Both the routing rules (which judge entries) and the report's routing table (which shows them)
describe an entry the same way, so the words a finding quotes are the words the table shows.
An entry whose criteria items are AND-combined (no formula, no OR in ``booleanFilter``) is a
list of ``Condition``s; anything else is described as written, never re-interpreted.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from auditor.formula import is_always_true
from auditor.logic import field_key, split_values
from auditor.model import CriteriaItem, LeadRule, RuleEntry
from auditor.sites import try_parse

# --- fields and entries -----------------------------------------------------------------------


def plain_field(name: str) -> str:
    """The field as a person reads it: ``Lead.Country`` -> ``Country``."""
    text = name.strip()
    return text.split(".", 1)[1] if text.lower().startswith("lead.") else text


def entry_subject(rule: LeadRule, entry: RuleEntry) -> str:
    """The finding subject of one entry: ``AssignmentRule:Northwind Routing#3``."""
    prefix = "AssignmentRule" if rule.kind == "assignment" else "AutoResponseRule"
    return f"{prefix}:{rule.name}#{entry.order}"


def assignee(entry: RuleEntry) -> str:
    """``queue DACH_Leads``, ``user anna@x.com``, or what a Do Not Reassign Owner entry does."""
    if not entry.assigned_to:
        return "nobody (Do Not Reassign Owner)"
    kind = (entry.assigned_to_type or "").lower()
    return f"{kind} {entry.assigned_to}" if kind in ("queue", "user") else entry.assigned_to


def assignee_key(entry: RuleEntry) -> tuple[str, str] | None:
    """The assignee folded for comparison (names of queues and users are case-insensitive)."""
    if not entry.assigned_to:
        return None
    return (entry.assigned_to_type or "").lower(), entry.assigned_to.lower()


def is_catch_all(entry: RuleEntry) -> bool | None:
    """True when the entry matches every lead; None when its formula cannot be parsed."""
    if entry.criteria:
        return False
    if not entry.formula or not entry.formula.strip():
        return True
    ast = try_parse(entry.formula)
    return None if ast is None else is_always_true(ast)


# --- criteria as conditions -------------------------------------------------------------------

_OPERATION_WORDS = {
    "equals": "equals",
    "notequal": "not equal to",
    "lessthan": "less than",
    "greaterthan": "greater than",
    "lessorequal": "less or equal",
    "greaterorequal": "greater or equal",
    "contains": "contains",
    "notcontain": "does not contain",
    "startswith": "starts with",
    "includes": "includes",
    "excludes": "excludes",
    "within": "within",
}


@dataclass(frozen=True)
class Condition:
    """One criteria item: ``Country equals Germany,Austria`` (values folded for comparison)."""

    field: str  # as a person reads it: Country
    key: str  # field_key: country
    op: str  # lower-cased operation: equals, notequal, ...
    values: tuple[str, ...]  # as written, split at commas; ("",) for a blank value
    folded: frozenset[str]
    value_field: str | None

    @property
    def signature(self) -> tuple[str, str, frozenset[str], str | None]:
        """What the condition means, whatever the case or prefix it was written with."""
        return self.key, self.op, self.folded, field_key(self.value_field) if self.value_field else None

    def __str__(self) -> str:
        words = _OPERATION_WORDS.get(self.op, self.op)
        if self.value_field:
            return f"{self.field} {words} field {plain_field(self.value_field)}"
        shown = ",".join(self.values)
        return f"{self.field} {words} {shown}" if shown else f"{self.field} {words} blank"


@functools.lru_cache(maxsize=1 << 16)  # the routing rules each read every entry's criteria
def condition(item: CriteriaItem) -> Condition:
    # criteria values are comma-separated lists in which a quoted value may hold a comma
    # ("New, Old"); Salesforce compares their text case-insensitively (see auditor.logic)
    values = tuple(split_values(item.value)) or ("",)
    return Condition(
        field=plain_field(item.field),
        key=field_key(item.field),
        op=item.operation.strip().lower(),
        values=values,
        folded=frozenset(v.casefold() for v in values),
        value_field=item.value_field or None,
    )


def _and_only(boolean_filter: str, count: int) -> bool:
    """``1 AND (2 AND 3)`` naming every item once: the same as no filter at all."""
    if re.sub(r"(?i)\d+|\band\b|[()\s]", "", boolean_filter):
        return False  # OR, NOT, or something this helper does not read
    numbers = sorted(int(n) for n in re.findall(r"\d+", boolean_filter))
    return numbers == list(range(1, count + 1))


def and_conditions(entry: RuleEntry) -> tuple[Condition, ...] | None:
    """The entry's criteria when they are AND-combined items; None for a formula or an OR filter."""
    if entry.formula and entry.formula.strip():
        return None
    if entry.boolean_filter and entry.boolean_filter.strip():
        if not _and_only(entry.boolean_filter, len(entry.criteria)):
            return None
    return tuple(condition(item) for item in entry.criteria)


# --- plain words ------------------------------------------------------------------------------


def describe_conditions(conditions: Iterable[Condition]) -> str:
    shown = [str(c) for c in conditions]
    return " AND ".join(shown) if shown else "no criteria"


def describe_criteria(entry: RuleEntry) -> str:
    """``Country equals Germany AND Industry equals Mining``, ``formula ...``, or ``no criteria``."""
    conditions = and_conditions(entry)
    if conditions is not None:
        return describe_conditions(conditions)
    if entry.formula and entry.formula.strip():
        return f"formula {entry.formula.strip()}"
    return _filter_in_words(entry.boolean_filter or "", [str(condition(i)) for i in entry.criteria])


def _filter_in_words(boolean_filter: str, items: list[str]) -> str:
    """``(1 OR 2) AND 3`` with each number replaced by its criteria item, in parentheses when it
    stands beside others, so an OR reads as an OR; a number with no item is kept as it is."""

    def item(match: re.Match[str]) -> str:
        index = int(match.group(0)) - 1
        if not 0 <= index < len(items):
            return match.group(0)
        return f"({items[index]})" if len(items) > 1 else items[index]

    words = re.sub(r"(?i)\b(and|or|not)\b", lambda m: m.group(1).upper(), " ".join(boolean_filter.split()))
    return re.sub(r"\d+", item, words)


def describe_entry(entry: RuleEntry) -> str:
    """``entry 2 (Country equals Germany -> queue DACH_Leads)``."""
    return f"entry {entry.order} ({describe_criteria(entry)} -> {assignee(entry)})"
