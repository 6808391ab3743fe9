"""Raw HTTPS calls to the fake, written out by hand: for tests that pin what goes over the wire.

Nothing here belongs to leadaudit's client: these helpers send the documented request bodies
directly, so a test of the fake does not depend on the code the fake exists to test.
"""

from __future__ import annotations

import base64
import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

import requests
from lxml import etree

from auditor.manifest import MANIFEST_TYPES
from tests.fakesf.server import FakeSalesforce

V = "62.0"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
MD = "http://soap.sforce.com/2006/04/metadata"
PARTNER = "urn:partner.soap.sforce.com"


def https(sf: FakeSalesforce) -> requests.Session:
    """A session that trusts the fake's certificate only.

    trust_env is off because requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE from the
    environment override Session.verify; on a machine that sets them the CA bundle would be ignored.
    """
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sf.ca_bundle)
    return session


def query(
    sf: FakeSalesforce, soql: str, tooling: bool = False, token: str | None = None
) -> requests.Response:
    path = "tooling/query/" if tooling else "query/"
    return https(sf).get(
        f"{sf.instance_url}/services/data/v{V}/{path}",
        params={"q": soql},
        headers={"Authorization": f"Bearer {token or sf.access_token}"},
        timeout=10,
    )


def records(sf: FakeSalesforce, soql: str, tooling: bool = False) -> list[dict[str, Any]]:
    response = query(sf, soql, tooling)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["records"]
    return result


def soap_login_body(username: str, password: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="{SOAP_ENV}" xmlns:urn="{PARTNER}">'
        f"<env:Body><urn:login><urn:username>{escape(username)}</urn:username>"
        f"<urn:password>{escape(password)}</urn:password></urn:login></env:Body></env:Envelope>"
    )


def metadata_call(session_id: str, operation: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="{SOAP_ENV}" xmlns:met="{MD}">'
        f"<soapenv:Header><met:SessionHeader><met:sessionId>{escape(session_id)}</met:sessionId>"
        f"</met:SessionHeader></soapenv:Header><soapenv:Body>{operation}</soapenv:Body></soapenv:Envelope>"
    )


def retrieve_operation() -> str:
    """A RetrieveRequest for the package.xml of ``leadaudit manifest``."""
    types = "".join(
        "<met:types>"
        + "".join(f"<met:members>{member}</met:members>" for member in members)
        + f"<met:name>{name}</met:name></met:types>"
        for name, members in MANIFEST_TYPES
    )
    return (
        f"<met:retrieve><met:retrieveRequest><met:apiVersion>{V}</met:apiVersion>"
        f"<met:singlePackage>false</met:singlePackage><met:unpackaged>{types}<met:version>{V}</met:version>"
        "</met:unpackaged></met:retrieveRequest></met:retrieve>"
    )


def check_operation(job_id: str) -> str:
    return (
        f"<met:checkRetrieveStatus><met:asyncProcessId>{job_id}</met:asyncProcessId>"
        "<met:includeZip>true</met:includeZip></met:checkRetrieveStatus>"
    )


def post_metadata(sf: FakeSalesforce, body: str) -> tuple[int, etree._Element]:
    response = https(sf).post(
        f"{sf.instance_url}/services/Soap/m/{V}",
        data=body.encode(),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        timeout=10,
    )
    return response.status_code, etree.fromstring(response.content)


def result_of(envelope: etree._Element) -> dict[str, str]:
    """The scalar fields of a Metadata API response's <result>."""
    result = envelope.find(f".//{{{MD}}}result")
    assert result is not None, etree.tostring(envelope)
    return {etree.QName(child).localname: child.text or "" for child in result if len(child) == 0}


def fault_code(envelope: etree._Element) -> str:
    return envelope.findtext(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/faultcode") or ""


def retrieve_result(sf: FakeSalesforce) -> dict[str, str]:
    """Start a retrieve of the leadaudit manifest and poll until it is done."""
    status, started = post_metadata(sf, metadata_call(sf.access_token, retrieve_operation()))
    assert status == 200 and result_of(started)["done"] == "false"
    job_id = result_of(started)["id"]
    for _ in range(5):
        _, checked = post_metadata(sf, metadata_call(sf.access_token, check_operation(job_id)))
        fields = result_of(checked)
        if fields["done"] == "true":
            return fields
    raise AssertionError("the retrieve never finished")


def retrieve_zip(sf: FakeSalesforce) -> tuple[dict[str, str], zipfile.ZipFile]:
    fields = retrieve_result(sf)
    return fields, zipfile.ZipFile(io.BytesIO(base64.b64decode(fields["zipFile"])))
