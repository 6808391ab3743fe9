"""Logging in: the partner SOAP ``login`` call and the OAuth 2.0 token endpoint.

The token endpoint serves the JWT bearer flow (an RS256 assertion signed with the connected
app's certificate key) and the client credentials flow (consumer key and secret, in the form or
in an HTTP Basic header). Refusals use Salesforce's OAuth error JSON with HTTP 400; a refused
SOAP login is the INVALID_LOGIN fault.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import urllib.parse
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tests.fakesf import soap
from tests.fakesf.state import API_VERSION, OrgState, Reply

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_CREDENTIALS = "client_credentials"
STANDARD_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")


def soap_login(state: OrgState, data: bytes) -> Reply:
    try:
        call = soap.parse_call(data)
    except soap.SoapRequestError as exc:
        return Reply(500, soap.fault("INVALID_REQUEST", str(exc), partner_login=True), soap.XML_HEADERS)
    if call.operation != "login" or call.namespace != soap.PARTNER:
        message = f"No operation available for request {{{call.namespace}}}{call.operation}"
        return Reply(500, soap.fault("INVALID_OPERATION", message, partner_login=True), soap.XML_HEADERS)
    credentials = state.credentials
    username = call.text("username") or ""
    password = call.text("password") or ""
    if username.lower() != credentials.username.lower() or password != (
        credentials.password + credentials.security_token
    ):
        message = "Invalid username, password, security token; or user locked out."
        return Reply(500, soap.fault("INVALID_LOGIN", message, partner_login=True), soap.XML_HEADERS)
    facts = state.facts
    user = facts.user(credentials.username)
    base = state.instance_url
    result: list[tuple[str, Any]] = [
        ("metadataServerUrl", f"{base}/services/Soap/m/{API_VERSION}/{facts.org_id[:15]}"),
        ("passwordExpired", False),
        ("sandbox", False),
        ("serverUrl", f"{base}/services/Soap/u/{API_VERSION}/{facts.org_id[:15]}"),
        ("sessionId", state.sessions.issue()),
        ("userId", user.id),
        (
            "userInfo",
            [
                ("organizationId", facts.org_id),
                ("organizationMultiCurrency", False),
                ("organizationName", facts.org_name),
                ("userEmail", credentials.username),
                ("userFullName", user.name),
                ("userId", user.id),
                ("userLanguage", "en_US"),
                ("userName", credentials.username),
                ("userTimeZone", "America/Los_Angeles"),
                ("userType", "Standard"),
            ],
        ),
    ]
    return Reply(200, soap.response(soap.PARTNER, "login", result), soap.XML_HEADERS)


def _oauth_error(error: str, description: str, status: int = 400) -> Reply:
    return Reply.json(status, {"error": error, "error_description": description})


def _b64url_decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _token(state: OrgState) -> Reply:
    """A token response, signed the way Salesforce signs it (HMAC of id + issued_at)."""
    facts = state.facts
    user = facts.user(state.credentials.username)
    issued_at = str(int(time.time() * 1000))
    identity = f"{state.instance_url}/id/{facts.org_id}/{user.id}"
    signature = hmac.new(
        state.credentials.consumer_secret.encode(), (identity + issued_at).encode(), hashlib.sha256
    ).digest()
    return Reply.json(
        200,
        {
            "access_token": state.sessions.issue(),
            "scope": "api",
            "instance_url": state.instance_url,
            "id": identity,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": base64.b64encode(signature).decode(),
        },
    )


def _jwt_bearer(state: OrgState, assertion: str) -> Reply:
    try:
        header_part, claims_part, signature_part = assertion.split(".")
        header = json.loads(_b64url_decode(header_part))
        claims = json.loads(_b64url_decode(claims_part))
        signature = _b64url_decode(signature_part)
    except (ValueError, binascii.Error):
        return _oauth_error("invalid_grant", "invalid assertion")
    if not isinstance(header, dict) or header.get("alg") != "RS256" or not isinstance(claims, dict):
        return _oauth_error("invalid_grant", "invalid assertion")
    try:
        state.credentials.jwt_public_key.verify(
            signature, f"{header_part}.{claims_part}".encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return _oauth_error("invalid_grant", "invalid assertion")
    if claims.get("iss") != state.credentials.consumer_key:
        return _oauth_error("invalid_client_id", "client identifier invalid")
    audiences = claims.get("aud")
    audiences = audiences if isinstance(audiences, list) else [audiences]
    allowed = (state.instance_url, *STANDARD_AUDIENCES)
    if not any(str(aud).rstrip("/") in allowed for aud in audiences):
        return _oauth_error("invalid_grant", "audience is invalid")
    try:
        expires = int(str(claims.get("exp")))
    except ValueError:
        return _oauth_error("invalid_grant", "invalid assertion")
    if expires < time.time():
        return _oauth_error("invalid_grant", "expired assertion")
    if str(claims.get("sub", "")).lower() != state.credentials.username.lower():
        return _oauth_error("invalid_grant", "user hasn't approved this consumer")
    return _token(state)


def _client_credentials(state: OrgState, form: dict[str, str], authorization: str | None) -> Reply:
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    if authorization and authorization.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(authorization[6:]).decode()
        except (binascii.Error, UnicodeDecodeError):
            return _oauth_error("invalid_client", "invalid client credentials")
        client_id, _, client_secret = decoded.partition(":")
    if client_id != state.credentials.consumer_key:
        return _oauth_error("invalid_client_id", "client identifier invalid")
    if not client_secret or not hmac.compare_digest(client_secret, state.credentials.consumer_secret):
        return _oauth_error("invalid_client", "invalid client credentials")
    return _token(state)


def oauth_token(state: OrgState, data: bytes, content_type: str, authorization: str | None) -> Reply:
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return _oauth_error("invalid_request", "must use application/x-www-form-urlencoded")
    form = {key: values[0] for key, values in urllib.parse.parse_qs(data.decode("utf-8")).items()}
    grant_type = form.get("grant_type")
    if grant_type == JWT_BEARER:
        return _jwt_bearer(state, form.get("assertion", ""))
    if grant_type == CLIENT_CREDENTIALS:
        return _client_credentials(state, form, authorization)
    return _oauth_error("unsupported_grant_type", "grant type not supported")
