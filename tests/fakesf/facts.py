"""What the fake org knows beyond its metadata files: users, queues, statuses, flow versions.

Built from the fixture org's files the way a real org would hold them (every user an assignment
entry or a queue names exists and is active, each flow has one version, active when its file
says so). Tests change these facts before the client runs, e.g. deactivate a user or add a draft
flow version newer than the active one.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakesf import ids
from tests.fakesf.leads import LeadFact, LeadHistoryFact, lead_history_rows, lead_rows
from tests.fakesf.orgfiles import (
    MD_NS,
    OrgFile,
    elements,
    org_files,
    parse_metadata,
    text,
    texts,
)


@dataclass
class UserFact:
    id: str
    username: str
    name: str
    is_active: bool = True


@dataclass
class QueueFact:
    id: str
    developer_name: str
    name: str
    sobject_types: list[str]
    member_ids: list[str]


@dataclass
class LeadStatusFact:
    id: str
    api_name: str
    label: str
    is_converted: bool
    is_default: bool
    sort_order: int


@dataclass
class FlowVersion:
    id: str
    version_number: int
    status: str  # Active, Draft, Obsolete, InvalidDraft
    xml: bytes


@dataclass
class FlowFact:
    api_name: str
    durable_id: str
    label: str
    process_type: str
    trigger_object: str | None
    file_name: str  # where the retrieve zip puts it, below unpackaged/
    versions: list[FlowVersion] = field(default_factory=list)

    @property
    def active_version(self) -> FlowVersion | None:
        return next((v for v in self.versions if v.status == "Active"), None)

    @property
    def latest_version(self) -> FlowVersion:
        return max(self.versions, key=lambda version: version.version_number)


def _display_name(username: str) -> str:
    local = username.split("@", 1)[0]
    return " ".join(part.capitalize() for part in local.replace("_", ".").split("."))


@dataclass
class OrgFacts:
    org_id: str
    org_name: str
    instance_name: str
    organization_type: str
    id_factory: ids.IdFactory
    users: dict[str, UserFact] = field(default_factory=dict)  # by lower-case username
    public_groups: dict[str, str] = field(default_factory=dict)  # developer name -> id
    queues: dict[str, QueueFact] = field(default_factory=dict)  # by developer name
    lead_statuses: list[LeadStatusFact] = field(default_factory=list)
    flows: dict[str, FlowFact] = field(default_factory=dict)  # by API name
    junction_ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (parent, child) -> id
    leads: list[LeadFact] = field(default_factory=list)  # none until a test generates them
    lead_history: list[LeadHistoryFact] = field(default_factory=list)

    def user(self, username: str) -> UserFact:
        """The user with this username, created (active) on first mention."""
        key = username.lower()
        if key not in self.users:
            self.users[key] = UserFact(self.id_factory.new(ids.USER), username, _display_name(username))
        return self.users[key]

    def add_flow_version(self, api_name: str, xml: bytes, status: str = "Draft") -> FlowVersion:
        """A newer version of a flow, e.g. a draft that retrieve returns but that does not run."""
        flow = self.flows[api_name]
        if status == "Active":
            for version in flow.versions:
                if version.status == "Active":
                    version.status = "Obsolete"
        version = FlowVersion(
            self.id_factory.new(ids.FLOW_VERSION), flow.latest_version.version_number + 1, status, xml
        )
        flow.versions.append(version)
        return version

    def flow_version(self, version_id: str) -> tuple[FlowFact, FlowVersion] | None:
        for flow in self.flows.values():
            for version in flow.versions:
                if version.id == version_id or version.id[:15] == version_id:
                    return flow, version
        return None

    def file_contents(self, org_file: OrgFile) -> bytes:
        """What retrieve returns for a file: a flow's newest version, which may be a draft."""
        if org_file.folder == "flows":
            flow = self.flows.get(urllib.parse.unquote(org_file.component))
            if flow is not None:
                return flow.latest_version.xml
        return org_file.path.read_bytes()


def _read_users(facts: OrgFacts, rules: list[OrgFile]) -> None:
    for org_file in rules:
        root = parse_metadata(org_file.path.read_bytes())
        for entry in root.iter(f"{{{MD_NS}}}ruleEntry"):
            if text(entry, "assignedToType") == "User" and text(entry, "assignedTo"):
                facts.user(str(text(entry, "assignedTo")))


def _read_queue(facts: OrgFacts, org_file: OrgFile) -> None:
    root = parse_metadata(org_file.path.read_bytes())
    developer_name = urllib.parse.unquote(org_file.component)
    members = [facts.user(name).id for name in texts(root, "queueMembers/users/user")]
    for group in texts(root, "queueMembers/publicGroups/publicGroup"):
        members.append(facts.public_groups.setdefault(group, facts.id_factory.new(ids.GROUP)))
    facts.queues[developer_name] = QueueFact(
        facts.id_factory.new(ids.GROUP),
        developer_name,
        text(root, "name", developer_name) or developer_name,
        texts(root, "queueSobject/sobjectType"),
        members,
    )


def _read_lead_statuses(facts: OrgFacts, org_file: OrgFile) -> None:
    root = parse_metadata(org_file.path.read_bytes())
    for order, value in enumerate(elements(root, "standardValue"), start=1):
        api_name = text(value, "fullName", "") or ""
        facts.lead_statuses.append(
            LeadStatusFact(
                facts.id_factory.new(ids.LEAD_STATUS),
                urllib.parse.unquote(api_name),
                text(value, "label", api_name) or api_name,
                text(value, "converted") == "true",
                text(value, "default") == "true",
                order,
            )
        )


def _read_flow(facts: OrgFacts, org_file: OrgFile) -> None:
    data = org_file.path.read_bytes()
    root = parse_metadata(data)
    api_name = urllib.parse.unquote(org_file.component)
    flow = FlowFact(
        api_name=api_name,
        durable_id=facts.id_factory.new(ids.FLOW_DEFINITION),
        label=text(root, "label", api_name) or api_name,
        process_type=text(root, "processType", "Flow") or "Flow",
        trigger_object=text(root, "start/object"),
        file_name=org_file.name,
    )
    # A file without <status> deploys as a draft, so that is what the org holds.
    status = text(root, "status", "Draft") or "Draft"
    flow.versions.append(FlowVersion(facts.id_factory.new(ids.FLOW_VERSION), 1, status, data))
    facts.flows[api_name] = flow


def build_facts(org_dir: Path, integration_username: str) -> OrgFacts:
    id_factory = ids.IdFactory()
    facts = OrgFacts(
        org_id=id_factory.new(ids.ORGANIZATION),
        org_name=f"{org_dir.name} (local test org)",
        instance_name="NA139",
        organization_type="Enterprise Edition",
        id_factory=id_factory,
    )
    facts.user(integration_username)
    files = org_files(org_dir)
    _read_users(facts, [f for f in files if f.suffix == "assignmentRules"])
    for org_file in files:
        if org_file.suffix == "queue":
            _read_queue(facts, org_file)
        elif org_file.suffix == "standardValueSet" and org_file.component == "LeadStatus":
            _read_lead_statuses(facts, org_file)
        elif org_file.suffix == "flow":
            _read_flow(facts, org_file)
    return facts


def sobject_rows(facts: OrgFacts, sobject: str) -> list[dict[str, Any]]:
    """The records of one queryable object, with every field the fake knows for it."""
    if sobject == "Organization":
        return [
            {
                "Id": facts.org_id,
                "Name": facts.org_name,
                "InstanceName": facts.instance_name,
                "OrganizationType": facts.organization_type,
                "IsSandbox": False,
            }
        ]
    if sobject == "User":
        return [
            {"Id": u.id, "Username": u.username, "IsActive": u.is_active, "Name": u.name}
            for u in facts.users.values()
        ]
    if sobject == "Group":
        queues = [
            {"Id": q.id, "DeveloperName": q.developer_name, "Name": q.name, "Type": "Queue"}
            for q in facts.queues.values()
        ]
        groups = [
            {"Id": gid, "DeveloperName": name, "Name": name.replace("_", " "), "Type": "Regular"}
            for name, gid in facts.public_groups.items()
        ]
        return queues + groups
    if sobject == "GroupMember":
        return [
            {"Id": _member_id(facts, q.id, member), "GroupId": q.id, "UserOrGroupId": member}
            for q in facts.queues.values()
            for member in q.member_ids
        ]
    if sobject == "QueueSobject":
        return [
            {"Id": _member_id(facts, q.id, sobject_type), "QueueId": q.id, "SobjectType": sobject_type}
            for q in facts.queues.values()
            for sobject_type in q.sobject_types
        ]
    if sobject == "LeadStatus":
        return [
            {
                "Id": s.id,
                "ApiName": s.api_name,
                "MasterLabel": s.label,
                "IsConverted": s.is_converted,
                "IsDefault": s.is_default,
                "SortOrder": s.sort_order,
            }
            for s in facts.lead_statuses
        ]
    if sobject == "FlowDefinitionView":
        return [_flow_definition_row(flow) for flow in facts.flows.values()]
    if sobject == "Lead":
        return lead_rows(facts)
    if sobject == "LeadHistory":
        return lead_history_rows(facts)
    raise KeyError(sobject)


def _flow_definition_row(flow: FlowFact) -> dict[str, Any]:
    active = flow.active_version
    return {
        "Id": flow.durable_id,
        "DurableId": flow.durable_id,
        "ApiName": flow.api_name,
        "Label": flow.label,
        "ActiveVersionId": active.id if active else None,
        "LatestVersionId": flow.latest_version.id,
        "ProcessType": flow.process_type,
        "TriggerObjectOrEventLabel": flow.trigger_object,
        "IsActive": active is not None and active is flow.latest_version,
    }


def _member_id(facts: OrgFacts, parent: str, child: str) -> str:
    """Stable ids for junction records (GroupMember, QueueSobject), made on first read."""
    key = (parent, child)
    if key not in facts.junction_ids:
        prefix = ids.QUEUE_SOBJECT if child[:3] not in (ids.USER, ids.GROUP) else ids.GROUP_MEMBER
        facts.junction_ids[key] = facts.id_factory.new(prefix)
    return facts.junction_ids[key]
