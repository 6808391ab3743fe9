"""The one error the live-org client raises: a message a person can act on, with no secret in it."""

from __future__ import annotations

from auditor.sources.org.redact import scrub


class OrgError(Exception):
    """Login, network or API failure talking to an org; the message is scrubbed when made.

    Raise it ``from None``: the library exception it replaces may carry a request body or a
    header, and a chained traceback (``--debug``) would print it.
    """

    def __init__(self, message: str) -> None:
        self.message = scrub(message)
        super().__init__(self.message)


class SessionExpired(OrgError):
    """INVALID_SESSION_ID: the token is expired or revoked; retrying cannot help."""
