"""RT004 assignment-target-invalid: an active assignment entry routes leads to a queue that cannot take them.

What: an entry of the active Lead assignment rule assigns to a queue that is not in the source,
to a queue whose Supported Objects do not include Lead, or to a queue with no members. Only what
the source shows is judged: when the source holds no queues at all, queue targets cannot be
judged and the rule is not applicable. Users are never judged: whether a user exists and is
active is not in folder metadata (the live-org facts will tell). E-mail templates (the
assignment notification, auto-response templates) are not judged yet: leadaudit does not read
EmailTemplate metadata.

Why it matters: a lead routed to a queue that does not exist or does not take Leads makes the
assignment fail (web-to-lead and imports then keep the default owner); a queue without members
is a place leads sit where no rep sees them, so their SLA clocks run out unnoticed.

How to fix: point the entry at the intended queue (its API name), add Lead to the queue's
Supported Objects, or add the team's users, roles or public groups as queue members.

Failing example: an entry assigns to ``Partner_Leads``, whose ``queueMembers`` is empty.

Passing example: every queue the active rule names is in the source, supports Lead and has members.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.model import FileRecord, Queue, RuleEntry
from checks._routing import active_assignment_rule, entry_subject

RULE = Rule(
    id="RT004",
    name="assignment-target-invalid",
    severity=Severity.HIGH,
    category="routing",
    summary="An active assignment entry routes to a missing queue, a queue without Lead, or a queue without members",
)


def _queue_entries(entries: tuple[RuleEntry, ...]) -> list[RuleEntry]:
    return [e for e in entries if e.assigned_to and (e.assigned_to_type or "").lower() == "queue"]


def _unreadable_queues(files: tuple[FileRecord, ...]) -> set[str]:
    """Names of queues whose file is in the source but could not be read."""
    names = set()
    for record in files:
        if record.kind == "queue" and record.status == "unreadable":
            names.add(record.component.lower())
    return names


def _missing(name: str, queues: tuple[Queue, ...]) -> tuple[str, str]:
    near = [q for q in queues if name.lower() in (q.label.lower(), q.name.replace("_", " ").lower())]
    listed = ", ".join(sorted(q.name for q in queues))
    message = f"queue {name} is not in the source (its queues are {listed})"
    if near:
        message += f"; '{near[0].label}' is the label of queue {near[0].name}: the entry must name the API name"
        return message, f"Set the entry's assignee to queue {near[0].name}."
    return message, f"Create queue {name} (supporting Lead, with members) or point the entry at an existing queue."


def _problems(queue: Queue) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    fixes: list[str] = []
    if not any(t.lower() == "lead" for t in queue.sobject_types):
        supported = ", ".join(queue.sobject_types) or "none"
        problems.append(
            f"queue {queue.name} does not support Lead (Supported Objects: {supported}), so the assignment fails"
        )
        fixes.append(f"add Lead to the Supported Objects of queue {queue.name}")
    if not queue.members:
        problems.append(
            f"queue {queue.name} has no members, so its leads sit where no rep sees them and their SLA runs out"
        )
        fixes.append(f"add the team's users, roles or public groups as members of queue {queue.name}")
    return problems, fixes


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    rule = active_assignment_rule(model)
    targets = _queue_entries(rule.entries)
    if not targets:
        raise NotApplicable(
            f"active assignment rule '{rule.name}' assigns to no queue; users' existence and active state are not "
            "in folder metadata, and e-mail templates are not read, so nothing can be judged"
        )
    if not model.queues:
        raise NotApplicable(
            f"the source holds no queues, so the queues active assignment rule '{rule.name}' names cannot be "
            "judged; retrieve Queue metadata to judge them"
        )
    by_name = {q.name.lower(): q for q in model.queues}
    unreadable = _unreadable_queues(model.files)
    for entry in targets:
        name = entry.assigned_to or ""
        queue = by_name.get(name.lower())
        if queue is None and name.lower() in unreadable:
            continue  # its file could not be read (CF001): what it holds is unknown
        yield ctx.checked(entry_subject(rule, entry), entry.source)
        if queue is None:
            problem, fix = _missing(name, model.queues)
            problems = [problem]
        else:
            problems, fixes = _problems(queue)
            joined = " and ".join(fixes)
            fix = joined[:1].upper() + joined[1:] + "."
        if not problems:
            continue
        yield ctx.finding(
            entry_subject(rule, entry),
            f"entry {entry.order} of active assignment rule '{rule.name}' assigns leads to queue {name}, but "
            + "; ".join(problems),
            fix=fix,
            location=entry.source,
        )
