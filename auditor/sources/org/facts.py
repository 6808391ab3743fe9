"""facts.json: what the org knows that its metadata files do not say.

Users the rules assign to (and whether they are active), queues with their members and
sobject types, the LeadStatus records, the org itself, the flow versions audited, and what
could not be retrieved and why. Each fact is one query whatever the org's size (users are
asked for by the usernames the metadata names), so round trips do not grow with fields,
rules or reports. The file is validated against schemas/facts.schema.json when written and read.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.contracts import DocumentError, first_problem, load_schema, read_document
from auditor.model import Model
from auditor.sources.org import API_VERSION
from auditor.sources.org.connection import OrgConnection, QueryRefused

FACTS_FILE = "facts.json"
USERNAMES_PER_QUERY = 200  # keeps the query URL well under Salesforce's 16,000-character limit

ORGANIZATION_SOQL = "SELECT Id, Name, InstanceName, OrganizationType FROM Organization"
QUEUES_SOQL = "SELECT Id, DeveloperName, Name, Type FROM Group WHERE Type = 'Queue'"
QUEUE_MEMBERS_SOQL = (
    "SELECT GroupId, UserOrGroupId FROM GroupMember WHERE GroupId IN (SELECT Id FROM Group WHERE Type = 'Queue')"
)
QUEUE_SOBJECTS_SOQL = "SELECT QueueId, SobjectType FROM QueueSobject"
LEAD_STATUS_SOQL = "SELECT Id, ApiName, MasterLabel, IsConverted, IsDefault, SortOrder FROM LeadStatus"
USER_KEY_PREFIX = "005"


FACTS_SCHEMA = "facts.schema.json"


class FactsError(Exception):
    """facts.json is unreadable or does not follow its schema."""


@dataclass
class FactsCollector:
    """Facts gathered so far, and what could not be gathered (each item with its reason)."""

    unavailable: list[dict[str, str]] = field(default_factory=list)

    def ask(self, conn: OrgConnection, soql: str, item: str) -> list[dict[str, Any]] | None:
        """The records, or None after noting why the org refused (an expired session still raises)."""
        try:
            return conn.query(soql, f"{item} query")
        except QueryRefused as exc:
            self.unavailable.append({"item": item, "reason": exc.message})
            return None


def soql_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def referenced_usernames(model: Model) -> list[str]:
    """Usernames the metadata assigns records or tasks to, or lists as queue members."""
    names: set[str] = set()
    for rule in model.assignment_rules:
        for entry in rule.entries:
            if (entry.assigned_to_type or "").lower() == "user" and entry.assigned_to:
                names.add(entry.assigned_to)
    for task in model.workflow_tasks:
        if (task.assigned_to_type or "").lower() == "user" and task.assigned_to:
            names.add(task.assigned_to)
    for queue in model.queues:
        names.update(member.split(":", 1)[1] for member in queue.members if member.startswith("user:"))
    return sorted(names, key=str.lower)


def _users(conn: OrgConnection, usernames: list[str], collector: FactsCollector) -> list[dict[str, Any]] | None:
    """The users with these usernames; None when the org refused to say."""
    users: list[dict[str, Any]] = []
    for start in range(0, len(usernames), USERNAMES_PER_QUERY):
        chunk = usernames[start : start + USERNAMES_PER_QUERY]
        soql = f"SELECT Id, Username, IsActive, Name FROM User WHERE Username IN ({', '.join(map(soql_string, chunk))})"
        records = collector.ask(conn, soql, "users")
        if records is None:
            return None
        users.extend(
            {"id": r["Id"], "username": r["Username"], "name": r.get("Name"), "active": bool(r.get("IsActive"))}
            for r in records
            if r.get("Id") and r.get("Username")
        )
    return sorted(users, key=lambda user: str(user["username"]).lower())


def _queues(conn: OrgConnection, users: list[dict[str, Any]], collector: FactsCollector) -> list[dict[str, Any]]:
    groups = collector.ask(conn, QUEUES_SOQL, "queues")
    members = collector.ask(conn, QUEUE_MEMBERS_SOQL, "queue members")
    sobjects = collector.ask(conn, QUEUE_SOBJECTS_SOQL, "queue sobject types")
    if groups is None:
        return []
    by_id = {str(user["id"])[:15]: user for user in users}
    queues: dict[str, dict[str, Any]] = {}
    for group in groups:
        if group.get("Id") and group.get("DeveloperName"):
            queues[str(group["Id"])[:15]] = {"id": group["Id"], "developer_name": group["DeveloperName"],
                                             "name": group.get("Name"), "sobject_types": [], "members": []}
    for member in members or []:
        queue, who = queues.get(str(member.get("GroupId"))[:15]), str(member.get("UserOrGroupId") or "")
        if queue is None or not who:
            continue
        is_user = who.startswith(USER_KEY_PREFIX)
        user = by_id.get(who[:15]) if is_user else None
        queue["members"].append({"id": who, "type": "User" if is_user else "Group",
                                 "username": user["username"] if user else None,
                                 "active": user["active"] if user else None})
    for row in sobjects or []:
        queue = queues.get(str(row.get("QueueId"))[:15])
        if queue is not None and row.get("SobjectType"):
            queue["sobject_types"].append(row["SobjectType"])
    for queue in queues.values():
        queue["sobject_types"].sort()
        queue["members"].sort(key=lambda m: m["id"])
    return sorted(queues.values(), key=lambda q: str(q["developer_name"]).lower())


def _lead_statuses(conn: OrgConnection, collector: FactsCollector) -> list[dict[str, Any]]:
    records = collector.ask(conn, LEAD_STATUS_SOQL, "lead statuses") or []
    statuses = [
        {"id": r["Id"], "api_name": r.get("ApiName") or r.get("MasterLabel") or "", "label": r.get("MasterLabel"),
         "converted": bool(r.get("IsConverted")), "default": bool(r.get("IsDefault")),
         "sort_order": r.get("SortOrder") if isinstance(r.get("SortOrder"), int) else None}
        for r in records
        if r.get("Id")
    ]
    return sorted(statuses, key=lambda s: (s["sort_order"] is None, s["sort_order"] or 0, s["api_name"]))


def _organization(conn: OrgConnection, collector: FactsCollector) -> dict[str, Any]:
    records = collector.ask(conn, ORGANIZATION_SOQL, "organization") or [{}]
    org = records[0] if records else {}
    return {"id": org.get("Id"), "name": org.get("Name"), "instance_name": org.get("InstanceName"),
            "organization_type": org.get("OrganizationType"), "instance_url": conn.instance_url}


def collect_facts(conn: OrgConnection, model: Model, collector: FactsCollector) -> dict[str, Any]:
    """The org's facts (without flows, unavailable items and the retrieval's own record)."""
    organization = _organization(conn, collector)
    wanted = referenced_usernames(model)
    users = _users(conn, wanted, collector) if wanted else []
    found = {str(user["username"]).lower() for user in users or []}
    return {
        "org": organization,
        "users": users or [],
        # unknown (not "all missing") when the users query was refused
        "missing_users": [name for name in wanted if name.lower() not in found] if users is not None else [],
        "queues": _queues(conn, users or [], collector),
        "lead_statuses": _lead_statuses(conn, collector),
    }


def schema() -> dict[str, Any]:
    return load_schema(FACTS_SCHEMA)


def validate(facts: dict[str, Any]) -> None:
    problem = first_problem(facts, FACTS_SCHEMA)
    if problem is not None:
        raise FactsError(f"facts do not follow schemas/{FACTS_SCHEMA} {problem}")


def now_iso() -> str:
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def assemble(partial: dict[str, Any], *, flows: list[dict[str, Any]], unavailable: list[dict[str, str]],
             messages: list[tuple[str, str]], retrieved_at: str, instance_url: str) -> dict[str, Any]:
    empty_org = {"id": None, "name": None, "instance_name": None, "organization_type": None,
                 "instance_url": instance_url}
    return {
        "version": 1,
        "api_version": API_VERSION,
        "retrieved_at": retrieved_at,
        "complete": not unavailable,
        "org": partial.get("org") or empty_org,
        "users": partial.get("users", []),
        "missing_users": partial.get("missing_users", []),
        "queues": partial.get("queues", []),
        "lead_statuses": partial.get("lead_statuses", []),
        "flows": flows,
        "unavailable": unavailable,
        "retrieve_messages": [{"file": name, "problem": problem} for name, problem in messages],
    }


def write_facts(out_dir: Path, facts: dict[str, Any]) -> Path:
    validate(facts)  # a defect here must not write a file the loader would then refuse
    path = out_dir / FACTS_FILE
    path.write_text(json.dumps(facts, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_facts(path: Path) -> dict[str, Any]:
    """A facts.json, validated; FactsError when it cannot be read or does not follow the schema."""
    try:
        return read_document(path, FACTS_SCHEMA)
    except DocumentError as exc:
        raise FactsError(str(exc)) from None
