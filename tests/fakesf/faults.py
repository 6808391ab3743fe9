"""Faults a test injects into the fake, per endpoint.

A test sets counters before the client runs (``sf.faults.query.server_errors = 2``): the next two
query calls fail with HTTP 500, the third succeeds. Counters are consumed under a lock because the
client may call in parallel. Each fault answers in the format Salesforce uses on that endpoint
(a SOAP fault on SOAP endpoints, a JSON error list on REST ones).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from enum import Enum


class Endpoint(str, Enum):
    SOAP_LOGIN = "soap_login"
    OAUTH_TOKEN = "oauth_token"
    METADATA = "metadata"
    QUERY = "query"
    TOOLING = "tooling"


class Injected(str, Enum):
    """What the fake does instead of answering normally."""

    SERVER_ERROR = "server_error"  # HTTP 500, UNKNOWN_EXCEPTION
    TOO_MANY_REQUESTS = "too_many_requests"  # HTTP 429 with Retry-After
    REQUEST_LIMIT = "request_limit"  # REQUEST_LIMIT_EXCEEDED (HTTP 403 on REST)
    INVALID_SESSION = "invalid_session"  # INVALID_SESSION_ID (HTTP 401 on REST)


@dataclass
class EndpointFaults:
    latency: float = 0.0  # seconds added before every answer
    server_errors: int = 0
    too_many_requests: int = 0
    retry_after: int = 1  # seconds, sent in the Retry-After header of a 429
    request_limit_exceeded: int = 0
    invalid_session: bool = False  # every call: the session has expired


@dataclass
class Faults:
    soap_login: EndpointFaults = field(default_factory=EndpointFaults)
    oauth_token: EndpointFaults = field(default_factory=EndpointFaults)
    metadata: EndpointFaults = field(default_factory=EndpointFaults)
    query: EndpointFaults = field(default_factory=EndpointFaults)
    tooling: EndpointFaults = field(default_factory=EndpointFaults)
    retrieve_failed: bool = False  # checkRetrieveStatus ends with status Failed
    truncated_zip: bool = False  # the zipFile of a Succeeded retrieve is cut short
    retrieve_polls_in_progress: int = 1  # checkRetrieveStatus calls answered "InProgress" first
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def of(self, endpoint: Endpoint) -> EndpointFaults:
        faults: EndpointFaults = getattr(self, endpoint.value)
        return faults

    def take(self, endpoint: Endpoint) -> Injected | None:
        """The fault this call gets, consuming one from its counter; None for a normal answer."""
        faults = self.of(endpoint)
        with self._lock:
            if faults.invalid_session:
                return Injected.INVALID_SESSION
            if faults.server_errors > 0:
                faults.server_errors -= 1
                return Injected.SERVER_ERROR
            if faults.too_many_requests > 0:
                faults.too_many_requests -= 1
                return Injected.TOO_MANY_REQUESTS
            if faults.request_limit_exceeded > 0:
                faults.request_limit_exceeded -= 1
                return Injected.REQUEST_LIMIT
        return None
