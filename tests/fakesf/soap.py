"""SOAP envelopes as Salesforce writes and reads them: partner login and Metadata API.

Requests are parsed with a hardened lxml parser (no entities, no DTD, no network): the fake must
not be the weak point of a test run. Responses are built as trees, so every value is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from lxml import etree

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
PARTNER = "urn:partner.soap.sforce.com"
PARTNER_FAULT = "urn:fault.partner.soap.sforce.com"
METADATA = "http://soap.sforce.com/2006/04/metadata"

XML_HEADERS = {"Content-Type": "text/xml; charset=utf-8"}


class SoapRequestError(Exception):
    """A request body that is not a SOAP envelope the endpoint understands."""


@dataclass(frozen=True)
class SoapCall:
    operation: str  # local name of the Body's first element: login, retrieve...
    namespace: str
    body: etree._Element  # that element
    headers: etree._Element | None

    def header_text(self, header: str, child: str) -> str | None:
        if self.headers is None:
            return None
        found = self.headers.find(f"{{{self.namespace}}}{header}/{{{self.namespace}}}{child}")
        return None if found is None else (found.text or "").strip()

    def text(self, path: str) -> str | None:
        """Text at a slash-separated path of the operation's namespace, below the operation."""
        xpath = "/".join(f"{{{self.namespace}}}{step}" for step in path.split("/"))
        found = self.body.find(xpath)
        return None if found is None else (found.text or "").strip()


def parse_call(data: bytes) -> SoapCall:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise SoapRequestError(f"the request is not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapRequestError("the request is not a SOAP 1.1 envelope")
    body = root.find(f"{{{SOAP_ENV}}}Body")
    operation = None if body is None else next((c for c in body if isinstance(c.tag, str)), None)
    if operation is None:
        raise SoapRequestError("the SOAP envelope has no Body operation")
    name = etree.QName(operation)
    return SoapCall(
        str(name.localname), str(name.namespace or ""), operation, root.find(f"{{{SOAP_ENV}}}Header")
    )


def _envelope(namespaces: dict[str | None, str]) -> tuple[etree._Element, etree._Element]:
    nsmap: dict[str | None, str] = {"soapenv": SOAP_ENV, "xsi": XSI}
    nsmap.update(namespaces)
    # lxml takes None as the default-namespace key; its type stubs do not say so.
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap=cast("dict[str, str]", nsmap))
    return envelope, etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")


def _serialize(envelope: etree._Element) -> bytes:
    data: bytes = etree.tostring(envelope, xml_declaration=True, encoding="UTF-8")
    return data


Value = Any  # str | bool | int | None | list of (name, Value) pairs (a nested element)


def _append(parent: etree._Element, namespace: str, name: str, value: Value) -> None:
    if value is None:
        return
    element = etree.SubElement(parent, f"{{{namespace}}}{name}")
    if isinstance(value, list):
        for child_name, child_value in value:
            _append(element, namespace, child_name, child_value)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)


def response(namespace: str, operation: str, result: list[tuple[str, Value]]) -> bytes:
    """``<operationResponse><result>...</result></operationResponse>``, fields in the given order."""
    envelope, body = _envelope({None: namespace})
    wrapper = etree.SubElement(body, f"{{{namespace}}}{operation}Response")
    _append(wrapper, namespace, "result", result)
    return _serialize(envelope)


def fault(code: str, message: str, *, partner_login: bool = False) -> bytes:
    """A SOAP fault (sent with HTTP 500), e.g. ``sf:INVALID_SESSION_ID``.

    Login faults carry a LoginFault detail with sf:exceptionCode and sf:exceptionMessage, which is
    where clients (simple-salesforce among them) read the reason from.
    """
    namespace = PARTNER_FAULT if partner_login else METADATA
    envelope, body = _envelope({"sf": namespace})
    fault_element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault_element, "faultcode").text = f"sf:{code}"
    etree.SubElement(fault_element, "faultstring").text = f"{code}: {message}"
    if partner_login:
        detail = etree.SubElement(fault_element, "detail")
        login_fault = etree.SubElement(detail, f"{{{namespace}}}LoginFault")
        login_fault.set(f"{{{XSI}}}type", "sf:LoginFault")
        etree.SubElement(login_fault, f"{{{namespace}}}exceptionCode").text = code
        etree.SubElement(login_fault, f"{{{namespace}}}exceptionMessage").text = message
    return _serialize(envelope)
