"""The Metadata API calls a retrieval makes: ``retrieve`` and ``checkRetrieveStatus``.

``retrieve`` takes a RetrieveRequest (apiVersion and an ``unpackaged`` package.xml manifest) and
answers an AsyncResult that is not done; ``checkRetrieveStatus`` reports InProgress for the first
polls, then Succeeded with the zip (base64), or Failed with errorMessage / errorStatusCode. The
zip holds the fixture org's files under ``unpackaged/``, flows at their newest version.
"""

from __future__ import annotations

import base64
import datetime
import io
import threading
import urllib.parse
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from tests.fakesf import ids, soap
from tests.fakesf.faults import Faults
from tests.fakesf.orgfiles import FOLDER_TYPES, org_files
from tests.fakesf.state import OrgState, Reply

ZIP_ROOT = "unpackaged"
_UNEXPECTED_ERROR = "An unexpected error occurred. Please include this ErrorId if you contact support: 1873440537-93562 (-1287460916)"
_FIXED_TIME = (2025, 1, 1, 0, 0, 0)  # zip entry time: the same fixture gives the same bytes


@dataclass
class RetrieveJob:
    id: str
    api_version: str
    types: list[tuple[str, list[str]]]  # (metadata type, members), as the client asked
    single_package: bool
    polls: int = 0
    zip_bytes: bytes | None = None


@dataclass
class MetadataApi:
    state: OrgState
    faults: Faults
    org_dir: Path
    jobs: dict[str, RetrieveJob] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, data: bytes) -> Reply:
        try:
            call = soap.parse_call(data)
        except soap.SoapRequestError as exc:
            return _fault("INVALID_REQUEST", str(exc))
        if call.namespace != soap.METADATA:
            return _fault(
                "INVALID_OPERATION",
                f"No operation available for request {{{call.namespace}}}{call.operation}",
            )
        if not self.state.sessions.is_valid(call.header_text("SessionHeader", "sessionId")):
            return _fault("INVALID_SESSION_ID", "Invalid Session ID found in SessionHeader: Illegal Session")
        if call.operation == "retrieve":
            return self._retrieve(call)
        if call.operation == "checkRetrieveStatus":
            return self._check_retrieve_status(call)
        return _fault("INVALID_OPERATION", f"the fake does not implement {call.operation}")

    def _retrieve(self, call: soap.SoapCall) -> Reply:
        api_version = call.text("retrieveRequest/apiVersion")
        try:
            float(api_version or "")
        except ValueError:
            return _fault("INVALID_REQUEST", "retrieveRequest.apiVersion is required and must be a number")
        unpackaged = call.body.find(f"{{{soap.METADATA}}}retrieveRequest/{{{soap.METADATA}}}unpackaged")
        if unpackaged is None:
            return _fault("INVALID_REQUEST", "the fake serves retrieveRequest.unpackaged (a manifest) only")
        types: list[tuple[str, list[str]]] = []
        for type_element in unpackaged.iterfind(f"{{{soap.METADATA}}}types"):
            name = type_element.findtext(f"{{{soap.METADATA}}}name")
            members = [str(m.text or "") for m in type_element.iterfind(f"{{{soap.METADATA}}}members")]
            if not name:
                return _fault("INVALID_REQUEST", "a package type without <name>")
            types.append((name.strip(), members))
        if not types:
            return _fault("INVALID_REQUEST", "the manifest names no metadata type")
        single = call.text("retrieveRequest/singlePackage") == "true"
        job = RetrieveJob(self.state.facts.id_factory.new(ids.RETRIEVE_JOB), str(api_version), types, single)
        with self._lock:
            self.jobs[job.id] = job
        result = [("done", False), ("id", job.id), ("state", "Queued")]
        return Reply(200, soap.response(soap.METADATA, "retrieve", result), soap.XML_HEADERS)

    def _check_retrieve_status(self, call: soap.SoapCall) -> Reply:
        job_id = call.text("asyncProcessId") or ""
        with self._lock:
            job = self.jobs.get(job_id)
            if job is not None:
                job.polls += 1
        if job is None:
            return _fault("INVALID_ID_FIELD", f"Retrieve result has been deleted or does not exist: {job_id}")
        result: list[tuple[str, Any]]
        if job.polls <= self.faults.retrieve_polls_in_progress:
            result = [("done", False), ("id", job.id), ("status", "InProgress"), ("success", False)]
        elif self.faults.retrieve_failed:
            result = [
                ("done", True),
                ("errorMessage", _UNEXPECTED_ERROR),
                ("errorStatusCode", "UNKNOWN_EXCEPTION"),
                ("id", job.id),
                ("status", "Failed"),
                ("success", False),
            ]
        else:
            result = self._succeeded(job, include_zip=call.text("includeZip") == "true")
        return Reply(200, soap.response(soap.METADATA, "checkRetrieveStatus", result), soap.XML_HEADERS)

    def _succeeded(self, job: RetrieveJob, include_zip: bool) -> list[tuple[str, Any]]:
        names, zip_bytes = self._zip(job)
        if self.faults.truncated_zip:
            zip_bytes = zip_bytes[: len(zip_bytes) // 2]
        result: list[tuple[str, Any]] = [("done", True)]
        result.extend(("fileProperties", self._file_properties(name)) for name in names)
        result += [("id", job.id), ("status", "Succeeded"), ("success", True)]
        if include_zip:
            result.append(("zipFile", base64.b64encode(zip_bytes).decode("ascii")))
        return result

    def _zip(self, job: RetrieveJob) -> tuple[list[str], bytes]:
        entries: dict[str, bytes] = {
            f"{ZIP_ROOT}/{f.name}": self.state.facts.file_contents(f) for f in org_files(self.org_dir)
        }
        entries.setdefault(f"{ZIP_ROOT}/package.xml", _package_xml(job))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(entries):
                info = zipfile.ZipInfo(name, _FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED  # a ZipInfo ignores the archive's default
                archive.writestr(info, entries[name])
        job.zip_bytes = buffer.getvalue()
        return sorted(entries), job.zip_bytes

    def _file_properties(self, zip_name: str) -> list[tuple[str, Any]]:
        relative = zip_name.removeprefix(f"{ZIP_ROOT}/")
        parts = relative.split("/")
        folder = next((p for p in reversed(parts[:-1]) if p in FOLDER_TYPES), "")
        component = parts[-1].removesuffix("-meta.xml").rsplit(".", 1)[0]
        user = self.state.facts.user(self.state.credentials.username)
        when = (
            datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc).isoformat().replace("+00:00", ".000Z")
        )
        is_manifest = relative == "package.xml"
        return [
            ("createdById", user.id),
            ("createdByName", user.name),
            ("createdDate", when),
            ("fileName", zip_name),
            ("fullName", zip_name if is_manifest else urllib.parse.unquote(component)),
            ("id", ""),
            ("lastModifiedById", user.id),
            ("lastModifiedByName", user.name),
            ("lastModifiedDate", when),
            ("manageableState", "unmanaged"),
            ("type", "Package" if is_manifest else FOLDER_TYPES.get(folder, folder)),
        ]


def _package_xml(job: RetrieveJob) -> bytes:
    """The manifest Salesforce puts in the zip when the fixture has none: the one requested."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<Package xmlns="{soap.METADATA}">']
    for name, members in job.types:
        lines.append("    <types>")
        lines.extend(f"        <members>{escape(member)}</members>" for member in members)
        lines += [f"        <name>{escape(name)}</name>", "    </types>"]
    lines += [f"    <version>{escape(job.api_version)}</version>", "</Package>", ""]
    return "\n".join(lines).encode("utf-8")


def _fault(code: str, message: str) -> Reply:
    return Reply(500, soap.fault(code, message), soap.XML_HEADERS)
