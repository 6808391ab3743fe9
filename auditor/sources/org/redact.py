"""Secrets never reach output: scrubbing of text, a logging filter, and exception text.

Two nets, because either alone leaks. Known secrets (the password, tokens, the session id,
the consumer secret, the private key) are registered the moment they are read and replaced
wherever they appear; patterns catch what was never registered, such as a session id
Salesforce returned inside a SOAP body or an ``Authorization`` header echoed by a library.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
# Short values (a 1-character password) would mask unrelated text; they are still matched
# by the patterns below when they appear in a recognisable position.
MIN_SECRET_LENGTH = 4

_lock = threading.Lock()
_secrets: set[str] = set()

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a Salesforce session id / access token: the org id, '!', then the opaque part
    (re.compile(r"\b00D[0-9A-Za-z]{12,15}![0-9A-Za-z._\-]+"), MASK),
    (re.compile(r"(?i)(authorization\s*[:=]\s*['\"]?(?:bearer|oauth)\s+)[^\s'\",}]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)(<(?:\w+:)?(?:sessionId|password)>)[^<]*(</)"), rf"\1{MASK}\2"),
    (
        re.compile(
            r"(?i)([\"']?(?:access_token|refresh_token|client_secret|password|assertion|sessionId|"
            r"security_token|accessToken)[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S), MASK),
    # a signed JWT (header.payload.signature, base64url): the bearer assertion itself
    (re.compile(r"\beyJ[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}\.[0-9A-Za-z_\-]{8,}"), MASK),
)


def register_secret(value: str | None) -> None:
    """Remember a secret so that every later scrub masks it, whatever the text around it."""
    if value and len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)
            stripped = value.strip()
            if stripped != value and len(stripped) >= MIN_SECRET_LENGTH:
                _secrets.add(stripped)


def scrub(text: str) -> str:
    """The text with every registered secret and every secret-looking value masked."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)  # longest first: a token inside a key
    for secret in known:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception, scrubbed: for error messages built from library errors."""
    return scrub(f"{type(exc).__name__}: {exc}")


class SecretFilter(logging.Filter):
    """A logging filter that masks secrets in the message, its arguments and any traceback.

    The message is formatted here, once, so that an argument holding a secret is masked
    before a handler's formatter sees it; the traceback text is cached scrubbed on the
    record, which formatters then print instead of formatting the exception again.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record, self._formatter)
        return True


def redact_record(record: logging.LogRecord, formatter: logging.Formatter | None = None) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed format string: keep the raw parts, scrubbed
        message = f"{record.msg} {record.args!r}"
    record.msg, record.args = scrub(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = (formatter or logging.Formatter()).formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = scrub(record.exc_text)
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


_installed = False


def install_log_redaction() -> None:
    """Mask secrets in every log record created from now on, by any logger, to any handler.

    A record factory rather than a filter on some handlers: records of urllib3, requests and
    simple-salesforce reach handlers the caller never sees (``--debug`` adds one to the root).
    """
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)  # type: ignore[arg-type]
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)
