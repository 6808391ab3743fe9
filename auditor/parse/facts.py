"""facts.json: what ``leadaudit retrieve`` learned from the org beside its metadata.

Users and whether they are active, queue members, and whether the retrieval was whole. It is
JSON, not metadata XML, and is read only at the top of the source, where retrieve writes it. A
file that does not follow schemas/facts.schema.json is unreadable like any broken file: the
audit goes on and ends incomplete.
"""

from __future__ import annotations

from auditor.contracts import parse_document
from auditor.model import OrgFacts, OrgQueue, OrgUser, SourceRef

FACTS_FILE = "facts.json"


def parse_facts(data: bytes, path: str) -> OrgFacts:
    """The facts, or contracts.DocumentError (a ValueError: the loader's "unreadable")."""
    document = parse_document(data, "facts.schema.json")
    queues = tuple(
        OrgQueue(
            developer_name=q["developer_name"],
            sobject_types=tuple(q["sobject_types"]),
            users=sum(1 for m in q["members"] if m["type"] == "User"),
            groups=sum(1 for m in q["members"] if m["type"] != "User"),
            active_users=sum(1 for m in q["members"] if m["type"] == "User" and m.get("active")),
        )
        for q in document["queues"]
    )
    return OrgFacts(
        org_name=document["org"]["name"],
        instance_url=document["org"]["instance_url"],
        retrieved_at=document["retrieved_at"],
        api_version=document["api_version"],
        complete=document["complete"],
        unavailable=tuple(f"{u['item']}: {u['reason']}" for u in document["unavailable"]),
        users=tuple(OrgUser(u["username"], u["active"]) for u in document["users"]),
        missing_users=tuple(document["missing_users"]),
        queues=queues,
        source=SourceRef(path, 1),
    )
