"""facts.json: what ``leadaudit retrieve`` learned from the org beside its metadata.

Users and whether they are active, queue members, and whether the retrieval was whole. It is
JSON, not metadata XML, and is read only at the top of the source, where retrieve writes it. A
file that does not follow schemas/facts.schema.json is unreadable like any broken file: the
audit goes on and ends incomplete.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.contracts import first_problem
from auditor.model import OrgFacts, OrgQueue, OrgUser, SourceRef

FACTS_FILE = "facts.json"


class FactsUnreadable(ValueError):
    pass


def parse_facts(data: bytes, path: str) -> OrgFacts:
    try:
        document: Any = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FactsUnreadable(f"not a readable JSON file ({exc})") from None
    problem = first_problem(document, "facts.schema.json")
    if problem is not None:
        raise FactsUnreadable(f"does not follow schemas/facts.schema.json {problem}")
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
