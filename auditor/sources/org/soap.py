"""SOAP envelopes for the partner login and the Metadata API, built and read with lxml.

Built by hand rather than through simple-salesforce's ``retrieve()``, which sends a malformed
RetrieveRequest in 1.12.10 (its tracker, issues 538 and 620). Responses are parsed with the
project's hardened parser settings: a DTD or entity declaration refused before parsing, no
entity resolution, no network. One exception to "no huge trees": a checkRetrieveStatus answer
carries the whole retrieve zip as one base64 text node, which for a large org passes libxml2's
10 MB text limit; with no DTD there is nothing to expand, so huge text is allowed there, under a
byte cap above the Metadata API's own 39 MB zip limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import requests
from lxml import etree

from auditor.sources.org.errors import OrgError

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
PARTNER_NS = "urn:partner.soap.sforce.com"
METADATA_NS = "http://soap.sforce.com/2006/04/metadata"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=True)
_LARGE_ANSWER_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                                       remove_blank_text=True)
#: A retrieve zip is at most 39 MB (Metadata API limit), 52 MB in base64; the envelope adds little.
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


@dataclass(frozen=True)
class SoapFault(Exception):
    """A SOAP fault: ``code`` without its namespace prefix (``INVALID_LOGIN``) and its text."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def envelope(namespace: str, header: etree._Element | None, body_child: etree._Element) -> bytes:
    nsmap: dict[str | None, str] = {"soapenv": SOAP_ENV, None: namespace}
    root = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=nsmap)  # type: ignore[arg-type]
    if header is not None:
        etree.SubElement(root, f"{{{SOAP_ENV}}}Header").append(header)
    etree.SubElement(root, f"{{{SOAP_ENV}}}Body").append(body_child)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def element(namespace: str, name: str, text: str | None = None, *children: etree._Element) -> etree._Element:
    node = etree.Element(f"{{{namespace}}}{name}")
    if text is not None:
        node.text = text
    for child in children:
        node.append(child)
    return node


def call(session: requests.Session, url: str, action: str, payload: bytes, what: str) -> etree._Element:
    """POST a SOAP request; the first element of the response Body, or SoapFault, or OrgError."""
    headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": action}
    try:
        response = session.post(url, data=payload, headers=headers)
    except requests.RequestException as exc:
        raise OrgError(f"{what}: the request failed ({type(exc).__name__})") from None
    content = response.content
    if len(content) > MAX_ANSWER_BYTES:
        raise OrgError(f"{what}: HTTP {response.status_code}, an answer of {len(content)} bytes, over the "
                       f"{MAX_ANSWER_BYTES // (1024 * 1024)} MiB a Metadata API answer can be")
    if _DOCTYPE.search(content):
        raise OrgError(f"{what}: HTTP {response.status_code}, the answer declares a DTD or entities (refused)")
    try:
        root = etree.fromstring(content, _LARGE_ANSWER_PARSER if len(content) > 8 * 1024 * 1024 else _PARSER)
    except etree.XMLSyntaxError:
        raise OrgError(f"{what}: HTTP {response.status_code}, the answer is not a SOAP message") from None
    body = root.find(f"{{{SOAP_ENV}}}Body")
    if body is None or len(body) == 0:
        raise OrgError(f"{what}: HTTP {response.status_code}, a SOAP message without a body")
    first = body[0]
    if etree.QName(first).localname == "Fault":
        code = (first.findtext("faultcode") or "UNKNOWN").rsplit(":", 1)[-1].strip()
        raise SoapFault(code, (first.findtext("faultstring") or "").strip())
    if response.status_code >= 400:
        raise OrgError(f"{what}: HTTP {response.status_code}")
    return first


def text_of(parent: etree._Element, path: str, namespace: str) -> str | None:
    """Text of a descendant given as ``a/b`` in ``namespace``; None when absent or nil."""
    qualified = "/".join(f"{{{namespace}}}{part}" for part in path.split("/"))
    node = parent.find(qualified)
    if node is None or node.get(f"{{{XSI_NS}}}nil") == "true":
        return None
    return node.text or ""
