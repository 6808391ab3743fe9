"""The fake Salesforce itself, spoken to over raw HTTPS: each endpoint, each fault, its lifecycle.

Client code is tested against this server, so the server's own answers must follow Salesforce's
formats: these tests pin them with plain ``requests`` calls (and zeep with the published Metadata
API WSDL, and simple-salesforce's own login parser, where a library reads the answer).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree

from auditor.manifest import MANIFEST_TYPES
from tests.conftest import FIXTURE_ORGS
from tests.fakesf import FakeSalesforce
from tests.fakesf.wire import (
    MD,
    PARTNER,
    V,
    check_operation,
    fault_code,
    https,
    metadata_call,
    post_metadata,
    query,
    records,
    retrieve_operation,
    retrieve_result,
    retrieve_zip,
    soap_login_body,
)

LEAD_FLOWS = (
    "SELECT ApiName, ActiveVersionId, LatestVersionId, ProcessType FROM FlowDefinitionView "
    "WHERE TriggerObjectOrEventLabel = 'Lead'"
)
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture
def acme(tmp_path: Path) -> Iterator[FakeSalesforce]:
    with FakeSalesforce(org_dir=FIXTURE_ORGS / "acme-mdapi", tmp=tmp_path) as sf:
        yield sf


# -- lifecycle and TLS -------------------------------------------------------------------------


def test_starts_fast_serves_https_only_with_its_ca_and_stops_while_an_answer_is_pending(
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    sf = FakeSalesforce(org_dir=FIXTURE_ORGS / "acme-mdapi", tmp=tmp_path)
    sf.start()
    assert time.monotonic() - started < 1.0
    assert sf.instance_url.startswith("https://127.0.0.1:")
    untrusting = requests.Session()
    untrusting.trust_env = False
    with pytest.raises(requests.exceptions.SSLError):
        untrusting.get(f"{sf.instance_url}/services/data/v{V}/query/", timeout=5)
    certificate = x509.load_pem_x509_certificate(sf.ca_bundle.read_bytes())
    names = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in names.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert names.get_values_for_type(x509.DNSName) == ["localhost"]
    sf.faults.query.latency = 30
    with pytest.raises(requests.exceptions.ReadTimeout):
        https(sf).get(
            f"{sf.instance_url}/services/data/v{V}/query/", params={"q": "SELECT Id FROM User"}, timeout=0.3
        )
    stopping = time.monotonic()
    sf.stop()
    assert time.monotonic() - stopping < 2.0
    assert any("UNKNOWN_CA" in error for error in sf.connection_errors)  # recorded, not printed


def test_every_secret_is_marked_and_the_key_file_is_private(acme: FakeSalesforce) -> None:
    for secret in (acme.password, acme.security_token, acme.consumer_secret, acme.access_token):
        assert "SECRET-" in secret
    assert acme.jwt_private_key_path.stat().st_mode & 0o077 == 0
    assert all(secret for secret in acme.secrets())


# -- logging in --------------------------------------------------------------------------------


def test_soap_login_returns_a_session_that_the_rest_api_accepts(acme: FakeSalesforce) -> None:
    response = https(acme).post(
        f"{acme.instance_url}/services/Soap/u/{V}",
        data=soap_login_body(acme.username, acme.password + acme.security_token),
        headers={"Content-Type": "text/xml", "SOAPAction": "login"},
        timeout=10,
    )
    assert response.status_code == 200
    result = etree.fromstring(response.content).find(f".//{{{PARTNER}}}loginResponse/{{{PARTNER}}}result")
    assert result is not None
    session_id = result.findtext(f"{{{PARTNER}}}sessionId") or ""
    assert "SECRET-" in session_id
    assert (
        result.findtext(f"{{{PARTNER}}}serverUrl")
        == f"{acme.instance_url}/services/Soap/u/{V}/{acme.facts.org_id[:15]}"
    )
    assert result.findtext(f"{{{PARTNER}}}userInfo/{{{PARTNER}}}organizationId") == acme.facts.org_id
    assert result.findtext(f"{{{PARTNER}}}userInfo/{{{PARTNER}}}userName") == acme.username
    assert query(acme, "SELECT Id FROM Organization", token=session_id).status_code == 200


def test_soap_login_with_a_wrong_password_is_the_invalid_login_fault_simple_salesforce_reads(
    acme: FakeSalesforce,
) -> None:
    from simple_salesforce.exceptions import SalesforceAuthenticationFailed
    from simple_salesforce.login import soap_login

    with pytest.raises(SalesforceAuthenticationFailed) as failure:
        soap_login(
            f"{acme.instance_url}/services/Soap/u/{V}",
            soap_login_body(acme.username, acme.password),
            {"Content-Type": "text/xml", "SOAPAction": "login"},
            None,
            https(acme),
        )
    assert failure.value.code == "INVALID_LOGIN"
    assert acme.password not in str(failure.value)
    session_id, instance = soap_login(
        f"{acme.instance_url}/services/Soap/u/{V}",
        soap_login_body(acme.username, acme.password + acme.security_token),
        {"Content-Type": "text/xml", "SOAPAction": "login"},
        None,
        https(acme),
    )
    assert instance == acme.instance_url.removeprefix("https://") and "SECRET-" in session_id


def jwt_assertion(sf: FakeSalesforce, key: bytes | None = None, **claims: Any) -> str:
    """The assertion of the JWT bearer flow, signed with the connected app's key unless told."""
    payload = {
        "iss": sf.consumer_key,
        "sub": sf.username,
        "aud": sf.instance_url,
        "exp": int(time.time()) + 180,
    }
    payload.update(claims)
    return jwt.encode(payload, key or sf.jwt_private_key_path.read_bytes(), algorithm="RS256")


def token(sf: FakeSalesforce, data: dict[str, str], auth: tuple[str, str] | None = None) -> requests.Response:
    return https(sf).post(f"{sf.instance_url}/services/oauth2/token", data=data, auth=auth, timeout=10)


def test_jwt_bearer_flow_issues_a_working_token(acme: FakeSalesforce) -> None:
    response = token(acme, {"grant_type": JWT_GRANT, "assertion": jwt_assertion(acme)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["instance_url"] == acme.instance_url and body["token_type"] == "Bearer"
    assert body["id"].startswith(f"{acme.instance_url}/id/{acme.facts.org_id}/005")
    assert {"issued_at", "signature"} <= body.keys()
    assert query(acme, "SELECT Id FROM Organization", token=body["access_token"]).status_code == 200


@pytest.mark.parametrize(
    ("claims", "error"),
    [
        ({"aud": "https://evil.example.com"}, "invalid_grant"),
        ({"exp": int(time.time()) - 60}, "invalid_grant"),
        ({"sub": "someone.else@acme.example"}, "invalid_grant"),
        ({"iss": "3MVG9unknownConsumer"}, "invalid_client_id"),
        ({"aud": "https://login.salesforce.com"}, None),
    ],
)
def test_jwt_bearer_flow_refuses_wrong_claims(
    acme: FakeSalesforce, claims: dict[str, Any], error: str | None
) -> None:
    response = token(acme, {"grant_type": JWT_GRANT, "assertion": jwt_assertion(acme, **claims)})
    if error is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 400 and response.json()["error"] == error
        assert response.json()["error_description"]


def test_jwt_signed_with_another_key_is_refused(acme: FakeSalesforce) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    response = token(acme, {"grant_type": JWT_GRANT, "assertion": jwt_assertion(acme, key=other)})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_client_credentials_in_the_form_or_basic_auth(acme: FakeSalesforce) -> None:
    form = token(
        acme,
        {
            "grant_type": "client_credentials",
            "client_id": acme.consumer_key,
            "client_secret": acme.consumer_secret,
        },
    )
    basic = token(acme, {"grant_type": "client_credentials"}, auth=(acme.consumer_key, acme.consumer_secret))
    assert form.status_code == basic.status_code == 200
    assert form.json()["access_token"] != basic.json()["access_token"]
    wrong = token(
        acme, {"grant_type": "client_credentials", "client_id": acme.consumer_key, "client_secret": "nope"}
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"
    assert acme.consumer_secret not in wrong.text
    unsupported = token(acme, {"grant_type": "password"})
    assert unsupported.status_code == 400 and unsupported.json()["error"] == "unsupported_grant_type"


# -- Metadata API ------------------------------------------------------------------------------


def test_retrieve_then_poll_returns_the_mdapi_fixture_zipped_under_unpackaged(acme: FakeSalesforce) -> None:
    fields, archive = retrieve_zip(acme)
    assert fields["status"] == "Succeeded" and fields["success"] == "true"
    root = FIXTURE_ORGS / "acme-mdapi"
    expected = sorted(f"unpackaged/{p.relative_to(root).as_posix()}" for p in root.rglob("*") if p.is_file())
    assert sorted(archive.namelist()) == expected
    assert (
        archive.read("unpackaged/flows/Acme_Lead_Set_MQL.flow")
        == (root / "flows/Acme_Lead_Set_MQL.flow").read_bytes()
    )
    (job,) = acme.retrieve_requests
    assert job.api_version == V and job.types == [(name, list(members)) for name, members in MANIFEST_TYPES]
    assert job.polls == 2  # one InProgress answer, then the result
    polls = [path for method, path in acme.requests if path == f"/services/Soap/m/{V}"]
    assert len(polls) == 3


def test_retrieve_results_parse_with_the_published_wsdl(acme: FakeSalesforce) -> None:
    """zeep reads the answers with simple-salesforce's metadata.wsdl: the shapes follow the schema."""
    import simple_salesforce
    import zeep
    from zeep.transports import Transport

    wsdl = Path(simple_salesforce.__file__).parent / "metadata.wsdl"
    client = zeep.Client(str(wsdl), transport=Transport(session=https(acme)))
    service = client.create_service(
        "{http://soap.sforce.com/2006/04/metadata}MetadataBinding", f"{acme.instance_url}/services/Soap/m/{V}"
    )
    header = client.get_element("{http://soap.sforce.com/2006/04/metadata}SessionHeader")(
        sessionId=acme.access_token
    )
    package = client.get_type("{http://soap.sforce.com/2006/04/metadata}Package")(
        types=[{"members": list(members), "name": name} for name, members in MANIFEST_TYPES], version=V
    )
    request = client.get_type("{http://soap.sforce.com/2006/04/metadata}RetrieveRequest")(
        apiVersion=float(V), singlePackage=False, unpackaged=package
    )
    started = service.retrieve(request, _soapheaders=[header])
    assert started.done is False and started.id.startswith("09S") and started.state == "Queued"
    pending = service.checkRetrieveStatus(started.id, True, _soapheaders=[header])
    assert pending.done is False and pending.status == "InProgress"
    done = service.checkRetrieveStatus(started.id, True, _soapheaders=[header])
    assert done.done is True and done.status == "Succeeded"
    assert {p.type for p in done.fileProperties} >= {
        "Flow",
        "Queue",
        "AssignmentRules",
        "CustomObject",
        "Package",
    }
    assert "unpackaged/objects/Lead.object" in zipfile.ZipFile(io.BytesIO(done.zipFile)).namelist()


def test_sfdx_fixture_serves_its_package_directory_and_the_requested_manifest(tmp_path: Path) -> None:
    with FakeSalesforce(org_dir=FIXTURE_ORGS / "acme-sfdx", tmp=tmp_path) as sf:
        _, archive = retrieve_zip(sf)
    names = archive.namelist()
    assert "unpackaged/main/default/flows/Acme_Lead_Set_MQL.flow-meta.xml" in names
    assert not any("sfdx-project.json" in name or "force-app" in name for name in names)
    manifest = etree.fromstring(archive.read("unpackaged/package.xml"))
    assert [t.findtext(f"{{{MD}}}name") for t in manifest.iterfind(f"{{{MD}}}types")] == [
        n for n, _ in MANIFEST_TYPES
    ]


def test_retrieve_serves_a_flow_s_newest_version_even_a_draft(acme: FakeSalesforce) -> None:
    flow = acme.facts.flows["Acme_Lead_Set_MQL"]
    draft_xml = flow.latest_version.xml.replace(
        b"<label>Acme Lead Set MQL</label>", b"<label>Draft In Progress</label>"
    )
    assert draft_xml != flow.latest_version.xml
    draft = acme.facts.add_flow_version("Acme_Lead_Set_MQL", draft_xml)
    _, archive = retrieve_zip(acme)
    assert archive.read("unpackaged/flows/Acme_Lead_Set_MQL.flow") == draft_xml
    (definition,) = [r for r in records(acme, LEAD_FLOWS) if r["ApiName"] == "Acme_Lead_Set_MQL"]
    assert definition["LatestVersionId"] == draft.id
    assert definition["ActiveVersionId"] == flow.versions[0].id != draft.id
    (active,) = records(
        acme,
        f"SELECT Id, Metadata, FullName, VersionNumber, Status FROM Flow WHERE Id = '{definition['ActiveVersionId']}'",
        tooling=True,
    )
    assert active["Metadata"]["label"] == "Acme Lead Set MQL"
    assert (active["FullName"], active["VersionNumber"], active["Status"]) == (
        "Acme_Lead_Set_MQL-1",
        1,
        "Active",
    )


def test_metadata_calls_with_an_invalid_session_or_unknown_job_are_soap_faults(acme: FakeSalesforce) -> None:
    status, envelope = post_metadata(acme, metadata_call("00D000000000001!bogus", retrieve_operation()))
    assert status == 500 and fault_code(envelope) == "sf:INVALID_SESSION_ID"
    status, envelope = post_metadata(
        acme, metadata_call(acme.access_token, check_operation("09S5g0000009999AAA"))
    )
    assert status == 500 and fault_code(envelope) == "sf:INVALID_ID_FIELD"
    status, envelope = post_metadata(
        acme, metadata_call(acme.access_token, "<met:retrieve><met:retrieveRequest/></met:retrieve>")
    )
    assert status == 500 and fault_code(envelope) == "sf:INVALID_REQUEST"


def test_manifest_types_outside_the_metadata_namespace_are_refused_not_retrieved_empty(
    acme: FakeSalesforce,
) -> None:
    """simple-salesforce 1.12.10's retrieve() writes <types> with no namespace (its issues 538, 620)."""
    unqualified = retrieve_operation().replace("<met:types>", "<types>").replace("</met:types>", "</types>")
    unqualified = unqualified.replace("<met:members>", "<members>").replace("</met:members>", "</members>")
    unqualified = unqualified.replace("<met:name>", "<name>").replace("</met:name>", "</name>")
    status, envelope = post_metadata(acme, metadata_call(acme.access_token, unqualified))
    assert status == 500 and fault_code(envelope) == "sf:INVALID_REQUEST"
    assert acme.retrieve_requests == []


def test_soap_requests_with_entities_are_not_expanded(acme: FakeSalesforce, tmp_path: Path) -> None:
    secret_file = tmp_path / "local.txt"
    secret_file.write_text("LOCAL-FILE-CONTENT")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret_file}">]>'
        + soap_login_body("&e;", "x").split("?>", 1)[1]
    )
    response = https(acme).post(f"{acme.instance_url}/services/Soap/u/{V}", data=body.encode(), timeout=10)
    assert response.status_code == 500 and b"LOCAL-FILE-CONTENT" not in response.content


# -- REST and Tooling queries ------------------------------------------------------------------


def test_the_contract_queries_answer_the_fixture_org_s_facts(acme: FakeSalesforce) -> None:
    (org,) = records(acme, "SELECT Id, Name, InstanceName, OrganizationType FROM Organization")
    assert org["Id"] == acme.facts.org_id and org["attributes"]["type"] == "Organization"
    users = records(
        acme,
        "SELECT Id, Username, IsActive, Name FROM User WHERE Username IN ('sam.lee@acme.example', 'nobody@acme.example')",
    )
    assert [(u["Username"], u["IsActive"], u["Name"]) for u in users] == [
        ("sam.lee@acme.example", True, "Sam Lee")
    ]
    queues = {
        q["DeveloperName"]: q
        for q in records(acme, "SELECT Id, DeveloperName, Name, Type FROM Group WHERE Type = 'Queue'")
    }
    assert {name: q["Name"] for name, q in queues.items()} == {
        "General_Leads": "General Leads",
        "Hot_Leads": "Hot Leads",
    }
    members = records(
        acme,
        "SELECT GroupId, UserOrGroupId FROM GroupMember WHERE GroupId IN (SELECT Id FROM Group WHERE Type = 'Queue')",
    )
    assert sum(m["GroupId"] == queues["Hot_Leads"]["Id"] for m in members) == 2
    sobjects = records(acme, "SELECT QueueId, SobjectType FROM QueueSobject")
    assert sorted(s["SobjectType"] for s in sobjects) == ["Lead", "Lead"]
    statuses = records(
        acme, "SELECT Id, ApiName, MasterLabel, IsConverted, IsDefault, SortOrder FROM LeadStatus"
    )
    assert (
        statuses[0]["ApiName"] == "New" and statuses[0]["IsDefault"] is True and statuses[0]["SortOrder"] == 1
    )
    assert ("MQL", "Marketing Qualified") in [(s["ApiName"], s["MasterLabel"]) for s in statuses]
    assert sum(s["IsConverted"] for s in statuses) == 1
    flows = records(acme, LEAD_FLOWS)
    assert sorted(f["ApiName"] for f in flows) == ["Acme_Lead_Set_MQL", "Acme_MQL_SLA_Alert"]
    assert all(
        f["ActiveVersionId"].startswith("301") and f["ProcessType"] == "AutoLaunchedFlow" for f in flows
    )


def test_facts_follow_changes_a_test_makes(acme: FakeSalesforce) -> None:
    acme.facts.user("sam.lee@acme.example").is_active = False
    (user,) = records(acme, "SELECT Id, IsActive FROM User WHERE Username = 'SAM.LEE@acme.example'")
    assert user["IsActive"] is False


def test_messy_org_facts_keep_public_groups_decoded_names_and_other_sobjects(tmp_path: Path) -> None:
    with FakeSalesforce(org_dir=FIXTURE_ORGS / "messy", tmp=tmp_path) as sf:
        queues = {
            q["DeveloperName"]: q["Id"]
            for q in records(sf, "SELECT Id, DeveloperName FROM Group WHERE Type = 'Queue'")
        }
        assert set(queues) == {"EMEA_Inbound_Tier_2", "Global Leads"}
        members = records(
            sf, f"SELECT UserOrGroupId FROM GroupMember WHERE GroupId = '{queues['EMEA_Inbound_Tier_2']}'"
        )
        assert sorted(m["UserOrGroupId"][:3] for m in members) == ["005", "00G"]
        types = records(
            sf, f"SELECT SobjectType FROM QueueSobject WHERE QueueId = '{queues['EMEA_Inbound_Tier_2']}'"
        )
        assert sorted(t["SobjectType"] for t in types) == ["Case", "Lead"]
        assert sorted(f["ApiName"] for f in records(sf, LEAD_FLOWS)) == [
            "Lead_Working_Reminder",
            "pkg__Lead_Score_Sync",
        ]


def test_tooling_flow_metadata_is_the_typed_json_of_the_wsdl(acme: FakeSalesforce) -> None:
    (flow,) = records(
        acme,
        f"SELECT Id, Metadata FROM Flow WHERE Id = '{acme.facts.flows['Acme_MQL_SLA_Alert'].versions[0].id}'",
        tooling=True,
    )
    metadata = flow["Metadata"]
    assert flow["attributes"] == {
        "type": "Flow",
        "url": f"/services/data/v{V}/tooling/sobjects/Flow/{flow['Id']}",
    }
    assert metadata["apiVersion"] == 62.0 and metadata["status"] == "Active"
    assert (
        metadata["start"]["object"] == "Lead"
        and metadata["start"]["doesRequireRecordChangedToMeetCriteria"] is True
    )
    assert isinstance(metadata["start"]["locationX"], int)
    assert metadata["screens"] == [] and metadata["description"] is None
    assert metadata["actionCalls"][0]["faultConnector"]["targetReference"] == "Log_Failure"
    assert "fullName" not in metadata


def test_tooling_refuses_metadata_for_more_than_one_row(acme: FakeSalesforce) -> None:
    response = query(acme, "SELECT Id, Metadata FROM Flow", tooling=True)
    assert response.status_code == 400 and response.json()[0]["errorCode"] == "MALFORMED_QUERY"
    assert len(records(acme, "SELECT Id, VersionNumber FROM Flow", tooling=True)) == 2


@pytest.mark.parametrize("tooling", [False, True])
def test_query_more_follows_next_records_url(acme: FakeSalesforce, tooling: bool) -> None:
    acme.query_page_size = 1
    soql = "SELECT Id, Status FROM Flow" if tooling else LEAD_FLOWS
    first = query(acme, soql, tooling).json()
    assert first["done"] is False and first["totalSize"] == 2 and len(first["records"]) == 1
    second = (
        https(acme)
        .get(
            acme.instance_url + first["nextRecordsUrl"],
            headers={"Authorization": f"Bearer {acme.access_token}"},
            timeout=10,
        )
        .json()
    )
    assert second["done"] is True and "nextRecordsUrl" not in second
    assert first["records"][0] != second["records"][0]


@pytest.mark.parametrize(
    ("soql", "error_code"),
    [
        ("SELECT Id, Nope FROM User", "INVALID_FIELD"),
        ("SELECT Id FROM Nope__c", "INVALID_TYPE"),
        ("SELECT Id FROM User WHERE", "MALFORMED_QUERY"),
        ("SELECT COUNT() FROM User", "MALFORMED_QUERY"),
    ],
)
def test_queries_salesforce_would_refuse_get_its_error_codes(
    acme: FakeSalesforce, soql: str, error_code: str
) -> None:
    response = query(acme, soql)
    assert response.status_code == 400 and response.json()[0]["errorCode"] == error_code


def test_rest_calls_need_a_valid_bearer_token_and_a_known_path(acme: FakeSalesforce) -> None:
    unauthenticated = https(acme).get(
        f"{acme.instance_url}/services/data/v{V}/query/", params={"q": "SELECT Id FROM User"}, timeout=10
    )
    assert unauthenticated.status_code == 401
    assert unauthenticated.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert https(acme).get(f"{acme.instance_url}/services/data/v58.0/query/", timeout=10).status_code == 404
    assert https(acme).post(f"{acme.instance_url}/services/data/v{V}/query/", timeout=10).status_code == 405


# -- faults ------------------------------------------------------------------------------------


def test_server_errors_then_success_each_counted_as_a_round_trip(acme: FakeSalesforce) -> None:
    acme.faults.query.server_errors = 2
    statuses = [query(acme, "SELECT Id FROM Organization").status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert len(acme.requests) == 3


def test_too_many_requests_carries_retry_after(acme: FakeSalesforce) -> None:
    acme.faults.tooling.too_many_requests = 1
    acme.faults.tooling.retry_after = 7
    limited = query(acme, "SELECT Id FROM Flow", tooling=True)
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "7"
    assert query(acme, "SELECT Id FROM Flow", tooling=True).status_code == 200


def test_request_limit_exceeded_on_rest_and_on_soap(acme: FakeSalesforce) -> None:
    acme.faults.query.request_limit_exceeded = 1
    acme.faults.metadata.request_limit_exceeded = 1
    rest = query(acme, "SELECT Id FROM Organization")
    assert rest.status_code == 403 and rest.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    status, envelope = post_metadata(acme, metadata_call(acme.access_token, retrieve_operation()))
    assert status == 500 and fault_code(envelope) == "sf:REQUEST_LIMIT_EXCEEDED"
    assert post_metadata(acme, metadata_call(acme.access_token, retrieve_operation()))[0] == 200


def test_invalid_session_fault_and_expired_sessions(acme: FakeSalesforce) -> None:
    acme.faults.query.invalid_session = True
    assert query(acme, "SELECT Id FROM Organization").json()[0]["errorCode"] == "INVALID_SESSION_ID"
    acme.faults.query.invalid_session = False
    assert query(acme, "SELECT Id FROM Organization").status_code == 200
    acme.expire_sessions()
    assert query(acme, "SELECT Id FROM Organization").status_code == 401
    status, envelope = post_metadata(acme, metadata_call(acme.access_token, retrieve_operation()))
    assert status == 500 and fault_code(envelope) == "sf:INVALID_SESSION_ID"


def test_retrieve_that_fails_reports_status_failed_with_the_reason(acme: FakeSalesforce) -> None:
    acme.faults.retrieve_failed = True
    acme.faults.retrieve_polls_in_progress = 0
    fields = retrieve_result(acme)
    assert (fields["status"], fields["success"], fields["errorStatusCode"]) == (
        "Failed",
        "false",
        "UNKNOWN_EXCEPTION",
    )
    assert fields["errorMessage"] and "zipFile" not in fields


def test_truncated_zip_is_not_a_readable_archive(acme: FakeSalesforce) -> None:
    acme.faults.truncated_zip = True
    with pytest.raises(zipfile.BadZipFile):
        retrieve_zip(acme)


def test_login_endpoints_take_faults_too(acme: FakeSalesforce) -> None:
    acme.faults.oauth_token.server_errors = 1
    acme.faults.soap_login.too_many_requests = 1
    failed = token(acme, {"grant_type": "client_credentials"}, auth=(acme.consumer_key, acme.consumer_secret))
    assert failed.status_code == 500 and json.loads(failed.text)["error"] == "unknown_error"
    login = https(acme).post(
        f"{acme.instance_url}/services/Soap/u/{V}", data=soap_login_body(acme.username, "x"), timeout=10
    )
    assert login.status_code == 429


def test_parallel_calls_are_each_answered_and_counted(acme: FakeSalesforce) -> None:
    from concurrent.futures import ThreadPoolExecutor

    acme.faults.tooling.latency = 0.2  # overlapping calls: a serial server would need 1.6 s
    ids = [version.id for flow in acme.facts.flows.values() for version in flow.versions] * 4
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda i: records(acme, f"SELECT Id, Metadata FROM Flow WHERE Id = '{i}'", True), ids)
        )
    assert time.monotonic() - started < 1.2
    assert [answer[0]["Id"] for answer in answers] == ids
    assert len(acme.requests) == 8
