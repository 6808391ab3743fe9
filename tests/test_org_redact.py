"""Secrets never reach output: the scrubber, the logging filter, and OrgError messages."""

from __future__ import annotations

import logging
import sys

import pytest

from auditor.sources.org.errors import OrgError
from auditor.sources.org.redact import MASK, SecretFilter, install_log_redaction, register_secret, scrub

SESSION_ID = "00D5g000004ABCD!AQ4AQFakeSessionPart.Opaque_Value-123"


def test_a_registered_secret_is_masked_wherever_it_appears() -> None:
    register_secret("SECRET-hunter2-password")
    assert scrub("login failed for x with SECRET-hunter2-password!") == f"login failed for x with {MASK}!"


def test_short_values_are_not_registered_so_unrelated_text_survives() -> None:
    register_secret("abc")
    assert scrub("abcdef") == "abcdef"


@pytest.mark.parametrize(
    "text, leaked",
    [
        (f"token {SESSION_ID} in text", SESSION_ID),
        ("Authorization: Bearer unregistered-token-value", "unregistered-token-value"),
        ("<soapenv:Header><sessionId>plain-session-value</sessionId>", "plain-session-value"),
        ("<password>plain-password-value</password>", "plain-password-value"),
        ('{"access_token": "json-token-value", "instance_url": "https://x"}', "json-token-value"),
        ("grant_type=client_credentials&client_secret=form-secret-value&client_id=x", "form-secret-value"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA"),
        ("assertion eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJrZXkifQ.c2lnbmF0dXJlLXZhbHVl", "c2lnbmF0dXJlLXZhbHVl"),
    ],
)
def test_secret_looking_values_are_masked_even_when_never_registered(text: str, leaked: str) -> None:
    scrubbed = scrub(text)
    assert leaked not in scrubbed
    assert MASK in scrubbed


def test_the_instance_url_and_ordinary_messages_are_kept() -> None:
    text = "GET https://acme.my.salesforce.com/services/data/v62.0/query failed: HTTP 500"
    assert scrub(text) == text


def test_org_error_messages_are_scrubbed_when_made() -> None:
    register_secret("SECRET-consumer-secret-xyz")
    error = OrgError("refused with client_secret SECRET-consumer-secret-xyz")
    assert "SECRET-consumer-secret-xyz" not in str(error)
    assert "SECRET-consumer-secret-xyz" not in error.message


def _record(msg: str, args: tuple[object, ...], exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("test", logging.ERROR, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


def test_the_log_filter_masks_arguments_and_tracebacks() -> None:
    register_secret("SECRET-in-a-traceback-1")
    try:
        raise RuntimeError("boom SECRET-in-a-traceback-1")
    except RuntimeError:
        record = _record("calling with %s", ("SECRET-in-a-traceback-1",), sys.exc_info())
    assert SecretFilter().filter(record) is True
    formatted = logging.Formatter("%(message)s").format(record)
    assert "SECRET-in-a-traceback-1" not in formatted
    assert "RuntimeError" in formatted  # the traceback is still there, masked


def test_installed_redaction_masks_records_of_any_logger(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("SECRET-any-logger-42")
    install_log_redaction()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("urllib3.connectionpool").debug("sent %s", "Bearer SECRET-any-logger-42")
    assert caplog.records
    assert "SECRET-any-logger-42" not in caplog.text
