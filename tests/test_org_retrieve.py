"""The RetrieveRequest envelope and the safe unpacking of a retrieve zip."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from auditor.manifest import MANIFEST_TYPES
from auditor.sources.org import API_VERSION
from auditor.sources.org.retrieve import RetrieveIncomplete, retrieve_request, unpack
from auditor.sources.org.soap import METADATA_NS, envelope

M = {"m": METADATA_NS}
LEAD_WORKFLOW = b'<?xml version="1.0" encoding="UTF-8"?>\n<Workflow xmlns="http://soap.sforce.com/2006/04/metadata"/>\n'


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_the_retrieve_request_lists_the_manifest_types_in_wsdl_order() -> None:
    request = retrieve_request()
    retrieve_request_node = request.find("m:retrieveRequest", M)
    assert retrieve_request_node is not None
    # RetrieveRequest's sequence: apiVersion, packageNames*, singlePackage, specificFiles*, unpackaged
    assert [etree.QName(child).localname for child in retrieve_request_node] == ["apiVersion", "singlePackage",
                                                                                  "unpackaged"]
    assert retrieve_request_node.findtext("m:apiVersion", namespaces=M) == API_VERSION
    types = {t.findtext("m:name", namespaces=M): tuple(m.text for m in t.findall("m:members", M))
             for t in request.iterfind(".//m:types", M)}
    assert types == dict(MANIFEST_TYPES)
    assert request.findtext(".//m:unpackaged/m:version", namespaces=M) == API_VERSION


def test_the_envelope_carries_the_session_header_and_body() -> None:
    header = etree.Element(f"{{{METADATA_NS}}}SessionHeader")
    etree.SubElement(header, f"{{{METADATA_NS}}}sessionId").text = "00D000000000001!SECRET"
    root = etree.fromstring(envelope(METADATA_NS, header, retrieve_request()))
    soap = {"s": "http://schemas.xmlsoap.org/soap/envelope/", **M}
    assert root.findtext("s:Header/m:SessionHeader/m:sessionId", namespaces=soap) == "00D000000000001!SECRET"
    assert root.find("s:Body/m:retrieve/m:retrieveRequest", soap) is not None


def test_unpack_strips_the_package_folder_and_writes_metadata_layout(tmp_path: Path) -> None:
    data = _zip({"unpackaged/package.xml": b"<Package/>", "unpackaged/workflows/Lead.workflow": LEAD_WORKFLOW})
    written = unpack(data, tmp_path)
    assert written == ["package.xml", "workflows/Lead.workflow"]
    assert (tmp_path / "workflows" / "Lead.workflow").read_bytes() == LEAD_WORKFLOW


@pytest.mark.parametrize("name", ["unpackaged/../../evil.txt", "/etc/evil", "C:/evil.txt", "..\\evil.txt"])
def test_an_entry_escaping_the_folder_makes_the_retrieval_incomplete(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(RetrieveIncomplete, match="refused"):
        unpack(_zip({name: b"x"}), out)
    assert not (tmp_path / "evil.txt").exists()


def test_a_truncated_zip_makes_the_retrieval_incomplete(tmp_path: Path) -> None:
    data = _zip({"unpackaged/workflows/Lead.workflow": LEAD_WORKFLOW * 50})
    with pytest.raises(RetrieveIncomplete, match="truncated"):
        unpack(data[: len(data) // 2], tmp_path)


def test_an_entry_whose_header_lies_about_its_size_is_refused(tmp_path: Path) -> None:
    data = bytearray(_zip({"unpackaged/workflows/Lead.workflow": LEAD_WORKFLOW}))
    # shrink the declared size in the central directory: the content is longer than announced
    central = data.rfind(b"PK\x01\x02")
    declared = int.from_bytes(data[central + 24 : central + 28], "little")
    data[central + 24 : central + 28] = (declared - 10).to_bytes(4, "little")
    with pytest.raises(RetrieveIncomplete):
        unpack(bytes(data), tmp_path)
