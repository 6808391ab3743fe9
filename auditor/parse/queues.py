"""Read a queue (``queues/X.queue``): who works the leads a rule assigns to it.

An assignment rule that routes to a queue nobody is in, or to a queue that does not take Leads,
strands leads; the audit needs the queue's objects and members to see that.
"""

from __future__ import annotations

from auditor.model import Queue
from auditor.parse.base import Contribution, FileContext, expect_root
from auditor.xmlsafe import Node

# queueMembers child -> (its repeated child, the prefix members are rendered with)
_MEMBER_KINDS: tuple[tuple[str, str, str], ...] = (
    ("users", "user", "user"),
    ("publicGroups", "publicGroup", "group"),
    ("roles", "role", "role"),
    ("roleAndSubordinates", "roleAndSubordinate", "roleAndSubordinates"),
    ("roleAndSubordinatesInternal", "roleAndSubordinateInternal", "roleAndSubordinatesInternal"),
)


def parse_queue(root: Node, ctx: FileContext) -> Contribution:
    """One queue per file; its API name is the file name, ``<name>`` is the label people see."""
    expect_root(root, "Queue")
    queue = Queue(
        name=ctx.component,
        label=root.text("name", "") or "",
        sobject_types=tuple(
            t for t in (q.text("sobjectType") for q in root.children("queueSobject")) if t
        ),
        members=_members(root.child("queueMembers")),
        email=root.text("email"),
        source=ctx.ref(root),
    )
    return {"queues": [queue]}


def _members(node: Node | None) -> tuple[str, ...]:
    """Members as ``user:jane@x.com``, ``group:Sales``, ``role:SDR``, in file order per kind."""
    if node is None:
        return ()
    found: list[str] = []
    for container, item, prefix in _MEMBER_KINDS:
        for group in node.children(container):
            found.extend(f"{prefix}:{value}" for value in group.texts(item) if value)
    return tuple(found)
