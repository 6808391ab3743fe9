"""Metadata API retrieve: ``retrieve`` with the manifest's types, ``checkRetrieveStatus`` polled
with backoff until done, and the zip unpacked into a folder in Metadata API layout.

The zip is checked by the rules the offline zip source applies (no entry escapes the folder,
entry and total size limits, a header that lies about its size is refused); a zip that cannot
be read whole makes the retrieval incomplete, never a silently smaller org.
"""

from __future__ import annotations

import base64
import binascii
import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from auditor.manifest import MANIFEST_TYPES
from auditor.sources.org import API_VERSION
from auditor.sources.org.connection import OrgConnection
from auditor.sources.org.errors import OrgError, SessionExpired
from auditor.sources.org.soap import METADATA_NS, SoapFault, call, element, envelope, text_of
from auditor.sources.zipfile_source import MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, unsafe_entry_reason

PACKAGE_ROOT = "unpackaged"


@dataclass(frozen=True)
class PollPolicy:
    """checkRetrieveStatus is asked after ``first_delay``, then each wait grows by ``factor``."""

    first_delay: float = 1.0
    factor: float = 1.5
    max_delay: float = 10.0
    timeout: float = 900.0  # a retrieve still running after this is given up (incomplete)


class RetrieveIncomplete(Exception):
    """The retrieve ran but did not give a whole org: failed, timed out, or a bad zip."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RetrieveOutcome:
    files: list[str] = field(default_factory=list)
    messages: list[tuple[str, str]] = field(default_factory=list)  # (fileName, problem) Salesforce reported
    polls: int = 0


def retrieve_request() -> etree._Element:
    """The RetrieveRequest of the manifest's types (element order as the WSDL's sequence)."""
    m = METADATA_NS
    package = element(m, "unpackaged")
    for type_name, members in MANIFEST_TYPES:
        types = element(m, "types", None, *(element(m, "members", member) for member in members))
        types.append(element(m, "name", type_name))
        package.append(types)
    package.append(element(m, "version", API_VERSION))
    request = element(m, "retrieveRequest", None, element(m, "apiVersion", API_VERSION),
                      element(m, "singlePackage", "false"), package)
    return element(m, "retrieve", None, request)


def _session_header(conn: OrgConnection) -> etree._Element:
    return element(METADATA_NS, "SessionHeader", None, element(METADATA_NS, "sessionId", conn.session_id))


def _metadata_call(conn: OrgConnection, action: str, body: etree._Element, what: str) -> etree._Element:
    try:
        return call(conn.session, conn.metadata_url, action, envelope(METADATA_NS, _session_header(conn), body), what)
    except SoapFault as fault:
        if fault.code == "INVALID_SESSION_ID":
            raise SessionExpired(f"{what}: the session is expired or invalid (INVALID_SESSION_ID); log in again") from None
        if fault.code == "REQUEST_LIMIT_EXCEEDED":
            raise OrgError(f"{what}: the org's API request limit is exceeded (REQUEST_LIMIT_EXCEEDED)") from None
        raise OrgError(f"{what}: refused by the org ({fault})") from None


def start_retrieve(conn: OrgConnection) -> str:
    answer = _metadata_call(conn, "retrieve", retrieve_request(), "Metadata API retrieve")
    process_id = text_of(answer, "result/id", METADATA_NS)
    if not process_id:
        raise OrgError("Metadata API retrieve: the answer has no async process id")
    return process_id


def wait_for_zip(
    conn: OrgConnection,
    process_id: str,
    poll: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[int, str], None] | None = None,
) -> tuple[bytes, list[tuple[str, str]], int]:
    """Poll checkRetrieveStatus until done; the zip bytes, the messages and the number of polls."""
    m = METADATA_NS
    body = element(m, "checkRetrieveStatus", None, element(m, "asyncProcessId", process_id),
                   element(m, "includeZip", "true"))
    started, delay, polls = time.monotonic(), poll.first_delay, 0
    while True:
        if time.monotonic() - started + delay > poll.timeout:
            raise RetrieveIncomplete(f"the retrieve did not finish within {poll.timeout:g} s (still running in the org)")
        sleep(delay)
        delay = min(poll.max_delay, delay * poll.factor)
        polls += 1
        answer = _metadata_call(conn, "checkRetrieveStatus", body, "Metadata API checkRetrieveStatus")
        status = text_of(answer, "result/status", m) or ""
        if on_poll is not None:
            on_poll(polls, status)
        done = (text_of(answer, "result/done", m) or "").strip() == "true"
        if status == "Failed":
            code = text_of(answer, "result/errorStatusCode", m) or "UNKNOWN"
            message = text_of(answer, "result/errorMessage", m) or "no message"
            raise RetrieveIncomplete(f"the retrieve failed in the org ({code}: {message})")
        if not done:
            continue
        if status != "Succeeded":
            raise RetrieveIncomplete(f"the retrieve ended with status {status or 'none'}")
        messages = [(r.findtext(f"{{{m}}}fileName") or "", r.findtext(f"{{{m}}}problem") or "")
                    for r in answer.iterfind(f"{{{m}}}result/{{{m}}}messages")]
        encoded = text_of(answer, "result/zipFile", m)
        if not encoded:
            raise RetrieveIncomplete("the retrieve succeeded but its answer holds no zip file")
        try:
            return base64.b64decode(encoded, validate=False), messages, polls
        except (binascii.Error, ValueError):
            raise RetrieveIncomplete("the retrieve's zip file is not valid base64") from None


def _relative_name(name: str) -> str | None:
    """The entry's path inside the package folder, or None for the folder entries themselves."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if parts and parts[0] == PACKAGE_ROOT:
        parts = parts[1:]
    return "/".join(parts) if parts else None


def unpack(zip_bytes: bytes, out_dir: Path) -> list[str]:
    """Write the zip's files under out_dir (``unpackaged/`` stripped); the paths written, sorted.

    Raises RetrieveIncomplete when the zip, or any entry of it, cannot be read whole or safely.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(zip_bytes))
    except zipfile.BadZipFile as exc:
        raise RetrieveIncomplete(f"the retrieved zip cannot be read ({exc}): it may be truncated") from None
    written: list[str] = []
    root = out_dir.resolve()
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise RetrieveIncomplete(f"the retrieved zip has more than {MAX_ENTRIES} entries")
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            reason = unsafe_entry_reason(info.filename)
            relative = _relative_name(info.filename)
            if reason or not relative:
                raise RetrieveIncomplete(f"zip entry {info.filename!r} refused: {reason or 'empty name'}")
            if info.file_size > MAX_ENTRY_BYTES:
                raise RetrieveIncomplete(f"zip entry {relative} is larger than {MAX_ENTRY_BYTES // 2**20} MiB")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise RetrieveIncomplete(f"the retrieved zip holds more than {MAX_TOTAL_BYTES // 2**20} MiB")
            try:
                with archive.open(info) as handle:
                    data = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as exc:
                raise RetrieveIncomplete(f"zip entry {relative} cannot be read ({exc})") from None
            if len(data) != info.file_size:
                raise RetrieveIncomplete(f"zip entry {relative} does not have the size its header says")
            target = (out_dir / relative).resolve()
            if not target.is_relative_to(root):
                raise RetrieveIncomplete(f"zip entry {relative} would be written outside {out_dir}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written.append(relative)
    return sorted(written)


def retrieve_into(
    conn: OrgConnection,
    out_dir: Path,
    poll: PollPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[int, str], None] | None = None,
) -> RetrieveOutcome:
    """Retrieve the manifest's metadata into out_dir; RetrieveIncomplete when it is not whole."""
    process_id = start_retrieve(conn)
    zip_bytes, messages, polls = wait_for_zip(conn, process_id, poll, sleep=sleep, on_poll=on_poll)
    files = unpack(zip_bytes, out_dir)
    return RetrieveOutcome(files=files, messages=messages, polls=polls)
