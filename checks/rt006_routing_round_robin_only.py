"""RT006 routing-round-robin-only: every lead goes to the same queue or user, whatever it is.

What: every entry of the active Lead assignment rule assigns to one and the same queue or user:
a rule with a single entry, a rule whose entries differ only in criteria, or a rule that starts
with a catch-all (the entries after it never fire, whatever they assign to).
Who works a lead then depends on nothing about the lead: not its country, sector, deal size,
customer status or partner. An entry that assigns nobody (Do Not Reassign Owner) is a different
route, so a rule that has one is not flagged; a rule with no entries is RT002's.

Not judged when an active after-save Lead flow sets the owner: after-save flows run after
assignment rules (Apex Developer Guide, "Triggers and Order of Execution"), so such a flow
overrides the rule's single target, and the leads do not all end with it. Whether that flow
routes by the documented dimensions is RT005's question. A before-save flow's owner is
overwritten by the rule, so it does not change this judgement.

Why it matters: DOMAIN: round robin ("next in line") alone is a known failure: it sends the
automotive lead in the north to the furniture specialist in the south. Good routing uses
geography, sector, deal size, installed base and partner, in a documented order, with a queue
per team for round robin within it.

How to fix: add entries above the catch-all that send leads to the team that fits them (by the
routing dimensions in the process file), and keep the single queue as the catch-all.

Failing example: one entry with no criteria that assigns to queue ``All_Leads``.

Passing example: entries for DACH, Benelux and the Nordics to their regional queues, then a
catch-all to a triage queue.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.logic import field_key
from checks._routing import (
    active_assignment_rule,
    assignee,
    assignee_key,
    flow_reads,
    is_after_save,
    is_catch_all,
    routing_flows,
)

RULE = Rule(
    id="RT006",
    name="routing-round-robin-only",
    severity=Severity.MEDIUM,
    category="routing",
    summary="Every entry of the active Lead assignment rule assigns to the same queue or user",
)


def _opening(rule_name: str, target: str, live: int, total: int) -> str:
    """Which entries send every lead to the one target, counting the ones that can fire."""
    whatever = "whatever the lead's country, sector, size or customer status"
    if live == total:
        if total == 1:
            return f"the only entry of active assignment rule '{rule_name}' assigns to {target}, {whatever}"
        return f"all {total} entries of active assignment rule '{rule_name}' assign to {target}, {whatever}"
    dead = total - live
    head = "its first entry is a catch-all" if live == 1 else (
        f"its first {live} entries assign to it and entry {live} is a catch-all"
    )
    tail = "the entry after it never fires" if dead == 1 else f"the {dead} entries after it never fire"
    return f"active assignment rule '{rule_name}' sends every lead to {target}, {whatever} ({head}, so {tail})"


def _after_save_routing(ctx: CheckContext, rule_name: str) -> None:
    """Not applicable when an after-save flow sets the owner after the rule has run."""
    flows = [flow for flow in routing_flows(ctx.model) if is_after_save(flow)]
    if not flows:
        return
    dimensions = ctx.process.routing.dimensions if ctx.process is not None else {}
    documented = {field_key(name): name for fields in dimensions.values() for name in fields}
    described: list[str] = []
    for flow in sorted(flows, key=lambda f: f.name):
        read, _ = flow_reads(flow)
        used = sorted({documented[key] for key in read if key in documented})
        what = f" (reads {', '.join(used)})" if used else ""
        described.append(f"'{flow.name}'{what}")
    raise NotApplicable(
        f"after-save flow {', '.join(described)} sets the lead's owner after assignment rule '{rule_name}' runs, "
        "so the rule's single target is not where every lead ends up; RT005 judges whether the flow uses the "
        "documented routing dimensions"
    )


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    rule = active_assignment_rule(ctx.model)
    if not rule.entries:
        raise NotApplicable(f"active assignment rule '{rule.name}' has no entries (reported by RT002)")
    # entries after the first catch-all never fire, so they do not make the routing richer
    cut = next((i for i, entry in enumerate(rule.entries) if is_catch_all(entry)), len(rule.entries) - 1)
    live = rule.entries[: cut + 1]
    keys = {assignee_key(entry) for entry in live}
    if keys == {None}:
        raise NotApplicable(
            f"no entry of active assignment rule '{rule.name}' assigns anyone (Do Not Reassign Owner everywhere)"
        )
    subject = f"AssignmentRule:{rule.name}"
    if len(keys) != 1:
        yield ctx.checked(subject, rule.source)
        return
    _after_save_routing(ctx, rule.name)
    yield ctx.checked(subject, rule.source)
    first = live[0]
    target = assignee(first)
    opening = _opening(rule.name, target, len(live), len(rule.entries))
    if (first.assigned_to_type or "").lower() == "user":
        how = f"one person, {first.assigned_to}, gets every lead the rule routes, with no backup when they are away"
    else:
        how = (
            f"who works a lead is decided by round robin inside {target} alone, which sends the automotive lead "
            "in the north to the furniture specialist in the south"
        )
    dimensions = ", ".join(ctx.process.routing.dimensions) if ctx.process is not None else ""
    documented = f"; the documented routing dimensions ({dimensions}) are not used" if dimensions else ""
    yield ctx.finding(
        subject,
        f"{opening}: {how}{documented}",
        fix=(
            f"Add entries above the catch-all of '{rule.name}' that send leads to the team that fits them "
            f"(region, sector, deal size, existing customer, partner), and keep {target} as the catch-all."
        ),
        location=rule.source,
    )
