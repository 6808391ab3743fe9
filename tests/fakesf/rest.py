"""REST ``query`` / ``queryMore`` on the data API and the Tooling API.

Answers are shaped as Salesforce's: ``totalSize``, ``done``, ``records`` (each with its
``attributes``), and ``nextRecordsUrl`` while more pages remain (Tooling answers also carry
``size``, ``queryLocator`` and ``entityTypeName``). Errors are the REST error list with the
errorCode a real org gives.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from tests.fakesf import ids, soql
from tests.fakesf.facts import sobject_rows
from tests.fakesf.state import API_VERSION, OrgState, Reply
from tests.fakesf.tooling_json import metadata_json

DATA_FIELDS: dict[str, list[str]] = {
    "Organization": ["Id", "Name", "InstanceName", "OrganizationType", "IsSandbox"],
    "User": ["Id", "Username", "IsActive", "Name"],
    "Group": ["Id", "DeveloperName", "Name", "Type"],
    "GroupMember": ["Id", "GroupId", "UserOrGroupId"],
    "QueueSobject": ["Id", "QueueId", "SobjectType"],
    "LeadStatus": ["Id", "ApiName", "MasterLabel", "IsConverted", "IsDefault", "SortOrder"],
    "FlowDefinitionView": [
        "Id",
        "DurableId",
        "ApiName",
        "Label",
        "ActiveVersionId",
        "LatestVersionId",
        "ProcessType",
        "TriggerObjectOrEventLabel",
        "IsActive",
    ],
    "Lead": [
        "Id", "FirstName", "LastName", "Name", "Email", "Company", "Status", "IsConverted", "CreatedDate",
        "OwnerId", "Owner.Type", "Owner.IsActive", "Owner.Name",
    ],
    "LeadHistory": ["Id", "LeadId", "Field", "OldValue", "NewValue", "CreatedDate", "Lead.CreatedDate", "Lead.Status"],
}
TOOLING_FIELDS: dict[str, list[str]] = {
    "Flow": [
        "Id",
        "DefinitionId",
        "FullName",
        "MasterLabel",
        "VersionNumber",
        "Status",
        "ProcessType",
        "Metadata",
    ],
}
# Tooling refuses to serialise these for more than one row per call.
_ONE_ROW_FIELDS = {"Metadata", "FullName"}


@dataclass
class _Cursor:
    records: list[dict[str, Any]]
    tooling: bool
    entity: str


@dataclass
class QueryApi:
    state: OrgState
    cursors: dict[str, _Cursor] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def query(self, soql_text: str | None, tooling: bool) -> Reply:
        if not soql_text:
            return Reply.rest_error(400, "MALFORMED_QUERY", "A query string has to be specified")
        catalogue = TOOLING_FIELDS if tooling else DATA_FIELDS
        try:
            query = soql.parse(soql_text)
            selection = soql.run(
                query,
                lambda name: self._rows(name, catalogue, tooling),
                lambda name: catalogue[self._object(name, catalogue)],
            )
        except soql.SoqlError as exc:
            return Reply.rest_error(400, exc.error_code, exc.message)
        entity = self._object(query.sobject, catalogue)
        if tooling and _ONE_ROW_FIELDS & set(selection.fields) and len(selection.rows) > 1:
            return Reply.rest_error(
                400,
                "MALFORMED_QUERY",
                "When retrieving results with Metadata or FullName fields, the query qualifications "
                f"must specify no more than one row for retrieval. Result size: {len(selection.rows)}",
            )
        if selection.aggregate:
            # aggregate results come in one batch: Salesforce has no queryMore for them
            aggregates = [
                {"attributes": {"type": "AggregateResult"}, **{k: _json_value(v) for k, v in row.items()}}
                for row in selection.rows
            ]
            return Reply.json(200, {"totalSize": len(aggregates), "done": True, "records": aggregates})
        records = [self._record(entity, row, selection.fields, tooling) for row in selection.rows]
        cursor = _Cursor(records, tooling, entity)
        with self._lock:
            locator = self.state.facts.id_factory.new(ids.QUERY_LOCATOR)
            self.cursors[locator] = cursor
        return self._page(locator, cursor, 0)

    def query_more(self, locator_and_offset: str, tooling: bool) -> Reply:
        locator, _, offset = locator_and_offset.rpartition("-")
        with self._lock:
            cursor = self.cursors.get(locator)
        if cursor is None or cursor.tooling != tooling or not offset.isdigit():
            return Reply.rest_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(locator, cursor, int(offset))

    def _page(self, locator: str, cursor: _Cursor, offset: int) -> Reply:
        size = self.state.query_page_size
        page = cursor.records[offset : offset + size]
        done = offset + size >= len(cursor.records)
        payload: dict[str, Any] = {}
        if cursor.tooling:
            payload |= {
                "size": len(cursor.records),
                "queryLocator": None if done else f"{locator}-{offset + size}",
                "entityTypeName": cursor.entity,
            }
        payload |= {"totalSize": len(cursor.records), "done": done}
        if not done:
            prefix = "tooling/" if cursor.tooling else ""
            payload["nextRecordsUrl"] = (
                f"/services/data/v{API_VERSION}/{prefix}query/{locator}-{offset + size}"
            )
        payload["records"] = page
        return Reply.json(200, payload)

    @staticmethod
    def _object(name: str, catalogue: dict[str, list[str]]) -> str:
        for known in catalogue:
            if known.lower() == name.lower():
                return known
        raise soql.SoqlError(
            "INVALID_TYPE",
            f"sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
            "sure to append the '__c' after the entity name.",
        )

    def _rows(self, name: str, catalogue: dict[str, list[str]], tooling: bool) -> list[dict[str, Any]]:
        entity = self._object(name, catalogue)
        return self._flow_versions() if tooling else sobject_rows(self.state.facts, entity)

    def _flow_versions(self) -> list[dict[str, Any]]:
        return [
            {
                "Id": version.id,
                "DefinitionId": flow.durable_id,
                "FullName": f"{flow.api_name}-{version.version_number}",
                "MasterLabel": flow.label,
                "VersionNumber": version.version_number,
                "Status": version.status,
                "ProcessType": flow.process_type,
                "Metadata": version.xml,  # serialised only when selected (it is the costly part)
            }
            for flow in self.state.facts.flows.values()
            for version in flow.versions
        ]

    @staticmethod
    def _record(entity: str, row: dict[str, Any], fields: list[str], tooling: bool) -> dict[str, Any]:
        prefix = "tooling/" if tooling else ""
        record: dict[str, Any] = {
            "attributes": {
                "type": entity,
                "url": f"/services/data/v{API_VERSION}/{prefix}sobjects/{entity}/{row['Id']}",
            }
        }
        for name in fields:
            if name == "Metadata":
                record[name] = metadata_json(row[name])
            elif "." in name:  # a parent's field: nested under the relationship, with its attributes
                relationship, _, parent_field = name.partition(".")
                parent = row.get(relationship)
                if parent is None:
                    record[relationship] = None
                    continue
                nested = record.setdefault(relationship, {"attributes": parent["attributes"]})
                nested[parent_field] = _json_value(parent.get(parent_field))
            else:
                record[name] = _json_value(row.get(name))
        return record


def _json_value(value: Any) -> Any:
    """dateTime fields as the REST API writes them: 2025-02-27T10:15:00.000+0000."""
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"
    return value
