"""One HTTP session for every call to an org: verified TLS, timeouts, bounded retries.

Retries live in the transport adapter, so the SOAP calls built here and the REST calls
simple-salesforce makes share one policy. What is retried is what can succeed a moment later:
connection errors and timeouts, HTTP 5xx, HTTP 429 (after its Retry-After) and
REQUEST_LIMIT_EXCEEDED. A SOAP fault also arrives as HTTP 500; it is retried only when its
code is one of those transient ones: an INVALID_LOGIN or INVALID_SESSION_ID is answered at once.
"""

from __future__ import annotations

import email.utils
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from auditor.sources.org.errors import OrgError
from auditor.sources.org.redact import describe_exception

DEFAULT_TIMEOUT = 60.0
# UNKNOWN_EXCEPTION is Salesforce's internal server error: what an HTTP 500 says on SOAP endpoints
TRANSIENT_CODES = frozenset({"REQUEST_LIMIT_EXCEEDED", "SERVER_UNAVAILABLE", "UNABLE_TO_LOCK_ROW", "UNKNOWN_EXCEPTION"})
_FAULT_CODE = re.compile(rb"<faultcode>(?:[\w.-]+:)?([A-Z_]+)</faultcode>")
_ERROR_CODE = re.compile(rb'"errorCode"\s*:\s*"([A-Z_]+)"')


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed call is tried again.

    Attempt n (from 1) waits a random time up to ``base_delay * 2**(n-1)`` capped at
    ``max_delay`` ("full jitter": many clients hitting one limit do not retry in step).
    """

    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a Retry-After longer than this is not waited for

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        ceiling = min(self.max_delay, self.base_delay * (2 ** max(attempt - 1, 0)))
        return ceiling * rng()


def response_error_code(response: requests.Response) -> tuple[str | None, bool]:
    """The Salesforce error code of a failed response, and whether it came as a SOAP fault."""
    body = response.content[:20_000] if response.content else b""
    fault = _FAULT_CODE.search(body)
    if fault:
        return fault.group(1).decode("ascii"), True
    error = _ERROR_CODE.search(body)
    return (error.group(1).decode("ascii") if error else None), False


def retry_after_seconds(response: requests.Response) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def should_retry(response: requests.Response) -> bool:
    if response.status_code < 400:
        return False
    code, is_fault = response_error_code(response)
    if response.status_code == 429 or code in TRANSIENT_CODES:
        return True
    if response.status_code >= 500:
        # SOAP answers every fault with HTTP 500: one with a definite answer (bad login,
        # expired session) is not transient; a REST 5xx always is
        return not is_fault
    return False


class RetryingAdapter(HTTPAdapter):
    """An HTTPAdapter that retries transient failures and always applies a timeout."""

    def __init__(self, policy: RetryPolicy, timeout: float, sleep: Callable[[float], None] = time.sleep,
                 ca_bundle: str | None = None) -> None:
        super().__init__(pool_connections=4, pool_maxsize=8)
        self.policy = policy
        self.ca_bundle = ca_bundle
        self.timeout = timeout
        self.sleep = sleep
        self._count_lock = threading.Lock()
        self.round_trips = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        if self.ca_bundle:
            # set here, not only on the session: requests lets REQUESTS_CA_BUNDLE override Session.verify
            kwargs["verify"] = self.ca_bundle
        attempt = 0
        while True:
            attempt += 1
            with self._count_lock:
                self.round_trips += 1
            try:
                response = super().send(request, **kwargs)
            except requests.exceptions.SSLError as exc:  # a certificate problem does not heal by retrying
                raise OrgError(f"TLS verification of {_host(request)} failed; give the CA bundle that signs its "
                               f"certificate with --ca-bundle or SF_CA_BUNDLE ({describe_exception(exc)})") from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt >= self.policy.attempts:
                    raise OrgError(_network_failure(request, exc, attempt)) from None
                self.sleep(self.policy.backoff(attempt))
                continue
            if attempt >= self.policy.attempts or not should_retry(response):
                return response
            wait = self.policy.backoff(attempt)
            if response.status_code == 429:
                asked = retry_after_seconds(response)
                if asked is not None:
                    if asked > self.policy.max_retry_after:
                        return response  # the caller reports the limit; waiting that long is not ours to do
                    wait = max(wait, asked)
            response.close()
            self.sleep(wait)


def _host(request: requests.PreparedRequest) -> str:
    return urlsplit(request.url or "").netloc or "the org"


def _network_failure(request: requests.PreparedRequest, exc: Exception, attempts: int) -> str:
    kind = "timed out" if isinstance(exc, requests.Timeout) else "could not connect"
    where = (request.url or "").split("?", 1)[0]
    return f"{request.method} {where} {kind} after {attempts} attempts ({describe_exception(exc)})"


def make_session(
    ca_bundle: str | None,
    timeout: float = DEFAULT_TIMEOUT,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[requests.Session, RetryingAdapter]:
    """A session that verifies TLS (against ``ca_bundle`` when given) and retries per policy."""
    session = requests.Session()
    adapter = RetryingAdapter(policy or RetryPolicy(), timeout, sleep, ca_bundle)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    # Never False: a CA bundle path, or True for the system store / REQUESTS_CA_BUNDLE
    session.verify = ca_bundle if ca_bundle else True
    session.headers["User-Agent"] = "leadaudit"
    return session, adapter


def resolve_ca_bundle(explicit: str | None, env: Mapping[str, str]) -> str | None:
    """--ca-bundle, else SF_CA_BUNDLE; requests itself honours REQUESTS_CA_BUNDLE otherwise."""
    return explicit or env.get("SF_CA_BUNDLE") or None
