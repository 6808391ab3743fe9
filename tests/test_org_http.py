"""Which answers are retried, how long to wait, and what the backoff looks like."""

from __future__ import annotations

import requests

from auditor.sources.org.http import RetryPolicy, make_session, retry_after_seconds, should_retry


def _response(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers or {})
    return response


def _soap_fault(code: str) -> bytes:
    return (b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
            b"<soapenv:Fault><faultcode>sf:" + code.encode() + b"</faultcode><faultstring>x</faultstring>"
            b"</soapenv:Fault></soapenv:Body></soapenv:Envelope>")


def test_transient_answers_are_retried() -> None:
    assert should_retry(_response(500, b'[{"errorCode":"UNKNOWN_EXCEPTION","message":"x"}]'))
    assert should_retry(_response(503, b"<html>Service Unavailable</html>"))
    assert should_retry(_response(429, b'[{"errorCode":"REQUEST_LIMIT_EXCEEDED"}]'))
    assert should_retry(_response(403, b'[{"errorCode":"REQUEST_LIMIT_EXCEEDED","message":"TotalRequests"}]'))
    assert should_retry(_response(500, _soap_fault("UNKNOWN_EXCEPTION")))
    assert should_retry(_response(500, _soap_fault("REQUEST_LIMIT_EXCEEDED")))


def test_definite_answers_are_not_retried() -> None:
    assert not should_retry(_response(200, b"{}"))
    assert not should_retry(_response(401, b'[{"errorCode":"INVALID_SESSION_ID"}]'))
    assert not should_retry(_response(400, b'[{"errorCode":"INVALID_TYPE"}]'))
    assert not should_retry(_response(500, _soap_fault("INVALID_SESSION_ID")))
    assert not should_retry(_response(500, _soap_fault("INVALID_LOGIN")))


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds(_response(429, headers={"Retry-After": "7"})) == 7.0
    assert retry_after_seconds(_response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after_seconds(_response(429)) is None


def test_backoff_grows_exponentially_within_its_cap_with_full_jitter() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    assert [policy.backoff(n, rng=lambda: 1.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert policy.backoff(3, rng=lambda: 0.25) == 0.5


def test_the_session_always_verifies_tls() -> None:
    session, adapter = make_session(None)
    assert session.verify is True
    session, adapter = make_session("/etc/ssl/custom-ca.pem")
    assert session.verify == "/etc/ssl/custom-ca.pem" and adapter.ca_bundle == "/etc/ssl/custom-ca.pem"
