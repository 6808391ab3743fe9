"""RT010 assignment-owner-inactive: an active assignment entry gives leads to a user who cannot work them.

What: with the facts of a live retrieval (``facts.json``, written by ``leadaudit retrieve`` and
``audit --org``), each entry of the active Lead assignment rule that assigns to a user is checked
against the org's users: the user must exist and be active. Each entry that assigns to a queue is
checked against the queue's real members: a queue whose members are all inactive users (and no
public group or role) is a queue nobody works. Folder metadata does not say whether a user is
active, so without facts the rule is not applicable.

Why it matters: Salesforce keeps assigning leads to a deactivated user; they land in a name no one
logs in as, the owner's SLA alerts go to an inbox nobody reads, and the leads are found weeks
later. A sandbox username left in a rule after a refresh does the same to every lead it matches.

How to fix: point the entry at an active user or, better, at a queue of the team; replace
sandbox usernames (``.uat``, ``.dev`` suffixes) with the production user; give a queue active
members.

Failing example: entry 2 assigns to ``lukas.meier@northwind.example``, who left and was deactivated.

Passing example: every user the active rule names is active, and every queue has an active member.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import OrgFacts, RuleEntry
from checks._routing import active_assignment_rule, entry_subject

RULE = Rule(
    id="RT010",
    name="assignment-owner-inactive",
    severity=Severity.HIGH,
    category="routing",
    summary="An active assignment entry assigns to an inactive or unknown user, or to a queue with no active member",
)


def _kind(entry: RuleEntry) -> str:
    return (entry.assigned_to_type or "").lower()


def _user_problem(name: str, facts: OrgFacts) -> str | None:
    if name.lower() in {m.lower() for m in facts.missing_users}:
        return f"user {name}, who does not exist in the org (a sandbox username, or a user renamed since)"
    user = facts.user(name)
    if user is None:
        return None  # not looked up: nothing to judge
    return None if user.active else f"user {name}, who is inactive: the leads go to an owner nobody logs in as"


def _queue_problem(name: str, facts: OrgFacts) -> str | None:
    queue = next((q for q in facts.queues if q.developer_name.lower() == name.lower()), None)
    if queue is None or queue.users == 0 or queue.groups:
        return None  # missing or empty queues are RT004's; a group's people are not listed in the facts
    if queue.active_users:
        return None
    return f"queue {name}, whose {queue.users} member user(s) are all inactive: nobody works its leads"


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    facts = ctx.model.facts
    if facts is None:
        raise NotApplicable(
            "no org facts (facts.json): whether users are active is not in metadata; audit the org with "
            "'leadaudit audit --org' or retrieve it with 'leadaudit retrieve'"
        )
    rule = active_assignment_rule(ctx.model)
    for entry in rule.entries:
        name = entry.assigned_to or ""
        if _kind(entry) == "user":
            problem = _user_problem(name, facts)
        elif _kind(entry) == "queue":
            problem = _queue_problem(name, facts)
        else:
            continue  # Do Not Reassign Owner: no owner to judge
        subject = entry_subject(rule, entry)
        yield ctx.checked(subject, entry.source)
        if problem is not None:
            yield ctx.finding(
                subject,
                f"entry {entry.order} of active assignment rule '{rule.name}' assigns leads to {problem}",
                fix=f"Point entry {entry.order} at an active user or a queue of the team that should work these leads.",
                location=entry.source,
            )
