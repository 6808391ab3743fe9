"""Active flow versions: audit the version of each Lead flow that runs, not the newest draft.

Retrieve returns a flow's newest version, which can be a draft nobody activated. The data API's
FlowDefinitionView names each Lead flow's active and latest version; one Tooling query per
flow with an active version (``SELECT ... Metadata ... FROM Flow WHERE Id = '...'``, the Tooling
API answers one row with Metadata per call) gives the active version's number and content. When
the retrieved file is not that version, the active version is written in its place
(``flows/<ApiName>.flow`` when there is no retrieved file). Calls run a few at a time: round trips grow with Lead flows only.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from auditor.sources.org.connection import OrgConnection, QueryRefused
from auditor.sources.org.soap import METADATA_NS

FLOW_DEFINITIONS_SOQL = (
    "SELECT ApiName, ActiveVersionId, LatestVersionId, ProcessType FROM FlowDefinitionView "
    "WHERE TriggerObjectOrEventLabel = 'Lead'"
)
MAX_PARALLEL_TOOLING_CALLS = 4
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class AuditedFlow:
    """Which version of a Lead flow the folder holds, and where it came from."""

    api_name: str
    process_type: str | None
    active_version_id: str | None
    latest_version_id: str | None
    audited_version_id: str | None
    version_number: int | None
    status: str | None  # the audited version's status: Active, Draft, Obsolete...
    source: str  # "retrieve": the retrieved file; "tooling": the active version written over it
    problem: str | None = None  # why the active version could not be fetched, if it could not

    def as_json(self) -> dict[str, Any]:
        return {
            "api_name": self.api_name,
            "process_type": self.process_type,
            "active_version_id": self.active_version_id,
            "latest_version_id": self.latest_version_id,
            "audited_version_id": self.audited_version_id,
            "version_number": self.version_number,
            "status": self.status,
            "source": self.source,
        }


def tooling_flow_soql(version_id: str) -> str:
    if not version_id.isalnum():  # a Salesforce Id; anything else must not reach a query
        raise ValueError(f"not a record id: {version_id!r}")
    return f"SELECT Id, Metadata, FullName, VersionNumber, Status FROM Flow WHERE Id = '{version_id}'"


def flow_files(out_dir: Path, api_name: str) -> list[Path]:
    """The retrieved files of a flow, in either layout (``X.flow`` or ``X.flow-meta.xml``), in any
    ``flows`` folder: a retrieve zip holds Metadata API layout, but the loader reads both."""
    names = {f"{api_name}.flow", f"{api_name}.flow-meta.xml"}
    return sorted(p for p in out_dir.rglob("*") if p.name in names and p.parent.name == "flows" and p.is_file())


def file_status(path: Path) -> str | None:
    try:
        root = etree.fromstring(path.read_bytes(), _PARSER)
    except (OSError, etree.XMLSyntaxError):
        return None
    return root.findtext(f"{{{METADATA_NS}}}status")


def metadata_xml(metadata: dict[str, Any], type_name: str = "Flow") -> bytes:
    """The Metadata API XML of a Tooling ``Metadata`` value: nulls and empty lists are absent.

    The Tooling JSON lists fields in the type's schema order, which is the XML's order too.
    """
    root = etree.Element(f"{{{METADATA_NS}}}{type_name}", nsmap={None: METADATA_NS})  # type: ignore[dict-item]
    _fill(root, metadata)
    etree.indent(root, space="    ")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8")) + b"\n"


def _fill(parent: etree._Element, value: dict[str, Any]) -> None:
    for name, item in value.items():
        if name in {"attributes", "fullName"} or item is None:
            continue
        for one in item if isinstance(item, list) else [item]:
            if one is None:
                continue
            child = etree.SubElement(parent, f"{{{METADATA_NS}}}{name}")
            if isinstance(one, dict):
                _fill(child, one)
            elif isinstance(one, bool):
                child.text = "true" if one else "false"
            else:
                child.text = str(one)


def lead_flow_definitions(conn: OrgConnection) -> list[dict[str, Any]]:
    return conn.query(FLOW_DEFINITIONS_SOQL, "FlowDefinitionView query")


def _active_version(conn: OrgConnection, definition: dict[str, Any], out_dir: Path) -> AuditedFlow:
    api_name = str(definition.get("ApiName") or "")
    active_id, latest_id = definition.get("ActiveVersionId"), definition.get("LatestVersionId")
    process_type = definition.get("ProcessType")
    existing = flow_files(out_dir, api_name)
    retrieved_status = file_status(existing[0]) if existing else None
    base = dict(api_name=api_name, process_type=process_type, active_version_id=active_id,
                latest_version_id=latest_id)
    if not active_id:  # nothing runs: the retrieved (inactive) file says so itself
        return AuditedFlow(**base, audited_version_id=latest_id, version_number=None,  # type: ignore[arg-type]
                           status=retrieved_status, source="retrieve")
    try:
        rows = conn.tooling_query(tooling_flow_soql(str(active_id)), f"Tooling query of flow {api_name}")
    except (QueryRefused, ValueError) as exc:
        return AuditedFlow(**base, audited_version_id=latest_id, version_number=None,  # type: ignore[arg-type]
                           status=retrieved_status, source="retrieve",
                           problem=f"the active version of flow {api_name} could not be read: {exc}")
    row = rows[0] if rows else {}
    metadata = row.get("Metadata")
    number = row.get("VersionNumber")
    version_number = int(number) if isinstance(number, (int, float)) else None
    is_retrieved = bool(existing) and active_id == latest_id and retrieved_status == "Active"
    if is_retrieved:
        return AuditedFlow(**base, audited_version_id=str(active_id), version_number=version_number,  # type: ignore[arg-type]
                           status="Active", source="retrieve")
    if not isinstance(metadata, dict):
        return AuditedFlow(**base, audited_version_id=latest_id, version_number=None,  # type: ignore[arg-type]
                           status=retrieved_status, source="retrieve",
                           problem=f"the Tooling API gave no Metadata for the active version of flow {api_name}")
    # the active version takes the retrieved file's place (same path, so the same layout)
    target = existing[0] if existing else out_dir / "flows" / f"{api_name}.flow"
    for path in existing[1:]:
        path.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(metadata_xml(metadata))
    return AuditedFlow(**base, audited_version_id=str(active_id), version_number=version_number,  # type: ignore[arg-type]
                       status=str(row.get("Status") or "Active"), source="tooling")


def audit_active_versions(conn: OrgConnection, out_dir: Path) -> list[AuditedFlow]:
    """Put each Lead flow's active version in out_dir; one entry per Lead flow, sorted by name.

    QueryRefused on FlowDefinitionView propagates: the caller records that flow versions are
    unknown. Other OrgErrors (expired session, limits) propagate as they are.
    """
    definitions = [d for d in lead_flow_definitions(conn) if d.get("ApiName")]
    with ThreadPoolExecutor(max_workers=MAX_PARALLEL_TOOLING_CALLS) as pool:
        audited = list(pool.map(lambda d: _active_version(conn, d, out_dir), definitions))
    return sorted(audited, key=lambda flow: flow.api_name)
