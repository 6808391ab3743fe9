"""The fake Salesforce: a real HTTPS server on 127.0.0.1 speaking the endpoints a retrieval uses.

One ``FakeSalesforce`` serves one fixture org. It counts every HTTP round trip, applies the
faults a test sets, and stops cleanly even while a slow (latency-injected) answer is pending.
"""

from __future__ import annotations

import datetime as dt
import http.server
import re
import socket
import ssl
import sys
import threading
import urllib.parse
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.fakesf import certs, login, pardot, soap
from tests.fakesf.facts import OrgFacts, build_facts
from tests.fakesf.leads import LeadBook, generate_leads
from tests.fakesf.faults import Endpoint, Faults, Injected
from tests.fakesf.metadata_api import MetadataApi, RetrieveJob
from tests.fakesf.rest import QueryApi
from tests.fakesf.state import API_VERSION, Credentials, OrgState, Reply, Sessions

_V = re.escape(API_VERSION)
_ROUTES: tuple[tuple[str, re.Pattern[str], Endpoint], ...] = (
    ("POST", re.compile(rf"/services/Soap/u/{_V}(/\w+)?"), Endpoint.SOAP_LOGIN),
    ("POST", re.compile(r"/services/oauth2/token"), Endpoint.OAUTH_TOKEN),
    ("POST", re.compile(rf"/services/Soap/m/{_V}(/\w+)?"), Endpoint.METADATA),
    ("GET", re.compile(rf"/services/data/v{_V}/query(/(?P<more>[\w-]*))?"), Endpoint.QUERY),
    ("GET", re.compile(rf"/services/data/v{_V}/tooling/query(/(?P<more>[\w-]*))?"), Endpoint.TOOLING),
)
_SOAP_ENDPOINTS = (Endpoint.SOAP_LOGIN, Endpoint.METADATA)
_SESSION_ENDPOINTS = (Endpoint.METADATA, Endpoint.QUERY, Endpoint.TOOLING)
_UNKNOWN_EXCEPTION = (
    "An unexpected error occurred. Please include this ErrorId if you contact support: 1873440537-93562"
)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a latency-injected answer must not hold up the end of a test
    fake: FakeSalesforce

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """Clients that refuse the certificate or give up waiting are expected, not server bugs."""
        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # ssl.SSLError, ConnectionResetError, BrokenPipeError...
            self.fake.connection_errors.append(f"{type(error).__name__}: {error}")
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:  # the method name http.server dispatches GET to
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        reply = self.server.fake.dispatch(self.command, self.path, dict(self.headers.items()), body)
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the fake's requests are in FakeSalesforce.requests, not on stderr."""


class FakeSalesforce:
    """``with FakeSalesforce(org_dir=..., tmp=tmp_path) as sf:`` serves ``org_dir`` on HTTPS.

    Login URL and instance URL are both ``sf.instance_url``; verify TLS with ``sf.ca_bundle``.
    """

    def __init__(self, org_dir: Path, tmp: Path) -> None:
        self.org_dir = org_dir
        self._tmp = tmp
        self.faults = Faults()
        self.requests: list[tuple[str, str]] = []  # (method, path without the query string)
        self.connection_errors: list[str] = []  # TLS refusals and clients that hung up
        self._requests_lock = threading.Lock()
        self._stopping = threading.Event()
        key_pair = certs.jwt_key_pair()
        slug = re.sub(r"[^a-z0-9]+", "-", org_dir.name.lower()).strip("-") or "org"
        credentials = Credentials.generate(slug, key_pair.public_key)
        facts = build_facts(org_dir, credentials.username)
        self._state = OrgState(facts, credentials, Sessions(facts.org_id))
        self._metadata = MetadataApi(self._state, self.faults, org_dir)
        self._query = QueryApi(self._state)
        self.account_engagement = pardot.FakeAccountEngagement.for_org(org_dir)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.ca_bundle = tmp / "fake-salesforce-ca.pem"
        self.jwt_private_key_path = tmp / "fake-salesforce-jwt.key"
        self.access_token = self._state.sessions.issue()

    # -- what a test reads -------------------------------------------------------------------
    @property
    def instance_url(self) -> str:
        return self._state.instance_url

    @property
    def facts(self) -> OrgFacts:
        return self._state.facts

    @property
    def username(self) -> str:
        return self._state.credentials.username

    @property
    def password(self) -> str:
        return self._state.credentials.password

    @property
    def security_token(self) -> str:
        return self._state.credentials.security_token

    @property
    def consumer_key(self) -> str:
        return self._state.credentials.consumer_key

    @property
    def consumer_secret(self) -> str:
        return self._state.credentials.consumer_secret

    @property
    def retrieve_requests(self) -> list[RetrieveJob]:
        """Every retrieve the client started, with the manifest types it asked for."""
        return list(self._metadata.jobs.values())

    @property
    def query_page_size(self) -> int:
        return self._state.query_page_size

    @query_page_size.setter
    def query_page_size(self, size: int) -> None:
        """Fewer records per page than Salesforce's 2000, to make a client follow queryMore."""
        self._state.query_page_size = size

    def secrets(self) -> list[str]:
        """Every secret this org handed out or accepts, for tests that search outputs for leaks."""
        credentials = self._state.credentials
        key_body = certs.jwt_key_pair().private_key_pem.decode().splitlines()[1]
        return [
            credentials.password,
            credentials.security_token,
            credentials.consumer_secret,
            self.access_token,
            key_body,
        ]

    def generate_leads(self, *, now: dt.datetime, count: int = 300, seed: int = 2025) -> LeadBook:
        """Fill the org with ``count`` seeded leads and their Status history, relative to ``now``.

        Some owners are inactive users (added here) and some are queues; the returned book is
        what a test computes its expected measurements from.
        """
        return generate_leads(self._state.facts, now=now, count=count, seed=seed)

    def expire_sessions(self) -> None:
        """Every session issued so far becomes invalid (INVALID_SESSION_ID), as after a timeout."""
        self._state.sessions.expire_all()

    # -- lifecycle ---------------------------------------------------------------------------
    def __enter__(self) -> FakeSalesforce:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        tls = certs.tls_material()
        self.ca_bundle.write_bytes(tls.certificate_pem)
        key_file = certs.write_private(self._tmp / "fake-salesforce-tls.key", tls.private_key_pem)
        certs.write_private(self.jwt_private_key_path, certs.jwt_key_pair().private_key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_bundle, key_file)
        server = _Server(("127.0.0.1", 0), _Handler)
        # The handshake happens in the request's thread, so one slow client blocks no other.
        server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        server.fake = self
        self._server = server
        self._state.instance_url = f"https://127.0.0.1:{server.server_address[1]}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- one request -------------------------------------------------------------------------
    def dispatch(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Reply:
        url = urllib.parse.urlsplit(raw_path)
        with self._requests_lock:
            self.requests.append((method, url.path))
        if url.path.startswith(pardot.API_PREFIX):  # the Account Engagement API v5, same host
            lower = {name.lower(): value for name, value in headers.items()}
            valid = self._state.sessions.is_valid(_bearer(lower.get("authorization")))
            return self.account_engagement.handle(method, url.path, url.query, lower, self.instance_url, valid,
                                                  self._stopping)
        route = next(((m, match, e) for m, p, e in _ROUTES if (match := p.fullmatch(url.path))), None)
        if route is None:
            return Reply.rest_error(404, "NOT_FOUND", "The requested resource does not exist")
        route_method, match, endpoint = route
        if method != route_method:
            return Reply.rest_error(
                405, "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {route_method}"
            )
        latency = self.faults.of(endpoint).latency
        if latency and self._stopping.wait(latency):
            return Reply.rest_error(503, "SERVER_UNAVAILABLE", "the server is shutting down")
        injected = self.faults.take(endpoint)
        if injected is not None and not (
            injected is Injected.INVALID_SESSION and endpoint not in _SESSION_ENDPOINTS
        ):
            return self._fault_reply(endpoint, injected)
        lower = {name.lower(): value for name, value in headers.items()}
        if endpoint is Endpoint.SOAP_LOGIN:
            return login.soap_login(self._state, body)
        if endpoint is Endpoint.OAUTH_TOKEN:
            return login.oauth_token(
                self._state, body, lower.get("content-type", ""), lower.get("authorization")
            )
        if endpoint is Endpoint.METADATA:
            return self._metadata.handle(body)
        if not self._state.sessions.is_valid(_bearer(lower.get("authorization"))):
            return Reply.rest_error(401, "INVALID_SESSION_ID", "Session expired or invalid")
        tooling = endpoint is Endpoint.TOOLING
        more = match.group("more")
        if more:
            return self._query.query_more(more, tooling)
        q = urllib.parse.parse_qs(url.query).get("q", [None])[0]
        if tooling and q and re.search(r"\bFROM\s+PardotTenant\b", q, re.IGNORECASE):
            return self.account_engagement.tenant_query(q)  # the business unit, as a Tooling record
        return self._query.query(q, tooling)

    def _fault_reply(self, endpoint: Endpoint, injected: Injected) -> Reply:
        retry_after = {"Retry-After": str(self.faults.of(endpoint).retry_after)}
        if injected is Injected.TOO_MANY_REQUESTS:
            return Reply.rest_error(
                429, "REQUEST_LIMIT_EXCEEDED", "Too many requests: retry later", retry_after
            )
        if endpoint in _SOAP_ENDPOINTS:
            code, message = {
                Injected.SERVER_ERROR: ("UNKNOWN_EXCEPTION", _UNKNOWN_EXCEPTION),
                Injected.REQUEST_LIMIT: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
                Injected.INVALID_SESSION: (
                    "INVALID_SESSION_ID",
                    "Invalid Session ID found in SessionHeader: Illegal Session",
                ),
            }[injected]
            partner = endpoint is Endpoint.SOAP_LOGIN
            return Reply(500, soap.fault(code, message, partner_login=partner), soap.XML_HEADERS)
        if injected is Injected.SERVER_ERROR:
            if endpoint is Endpoint.OAUTH_TOKEN:
                return Reply.json(500, {"error": "unknown_error", "error_description": "retry your request"})
            return Reply.rest_error(500, "UNKNOWN_EXCEPTION", _UNKNOWN_EXCEPTION)
        if injected is Injected.REQUEST_LIMIT:
            return Reply.rest_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        return Reply.rest_error(401, "INVALID_SESSION_ID", "Session expired or invalid")


def _bearer(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "oauth") else None
