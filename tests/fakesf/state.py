"""The fake org's state shared by its endpoints: credentials, sessions, jobs, query cursors."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.fakesf.facts import OrgFacts

API_VERSION = "62.0"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(payload).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json;charset=UTF-8", **(headers or {})})

    @classmethod
    def rest_error(
        cls, status: int, error_code: str, message: str, headers: dict[str, str] | None = None
    ) -> Reply:
        """REST errors are a JSON list of {message, errorCode}."""
        return cls.json(status, [{"message": message, "errorCode": error_code}], headers)


@dataclass(frozen=True)
class Credentials:
    """What the fake org accepts. Every secret starts with SECRET- so tests can grep for leaks."""

    username: str
    password: str
    security_token: str
    consumer_key: str
    consumer_secret: str
    jwt_public_key: rsa.RSAPublicKey

    @classmethod
    def generate(cls, org_slug: str, jwt_public_key: rsa.RSAPublicKey) -> Credentials:
        return cls(
            username=f"leadaudit.integration@{org_slug}.example",
            password=f"SECRET-PASSWORD-{secrets.token_hex(8)}",
            security_token=f"SECRET-TOKEN-{secrets.token_hex(8)}",
            consumer_key=f"3MVG9fakeConsumerKey{secrets.token_hex(12)}",
            consumer_secret=f"SECRET-CONSUMER-{secrets.token_hex(16)}",
            jwt_public_key=jwt_public_key,
        )


class Sessions:
    """Session ids (access tokens) the org has issued and not expired."""

    def __init__(self, org_id: str) -> None:
        self._org_id = org_id
        self._valid: set[str] = set()
        self._lock = threading.Lock()

    def issue(self) -> str:
        # Real session ids are "<org id>!<opaque>"; the opaque part is marked as a secret.
        token = f"{self._org_id[:15]}!SECRET-SESSION-{secrets.token_urlsafe(24)}"
        with self._lock:
            self._valid.add(token)
        return token

    def is_valid(self, token: str | None) -> bool:
        with self._lock:
            return token is not None and token in self._valid

    def expire_all(self) -> None:
        """As when an admin revokes sessions or the session timeout passes."""
        with self._lock:
            self._valid.clear()


@dataclass
class OrgState:
    facts: OrgFacts
    credentials: Credentials
    sessions: Sessions
    instance_url: str = ""  # set once the server has its port
    query_page_size: int = 2000  # records per query page, as Salesforce's default batch
    lock: threading.Lock = field(default_factory=threading.Lock)
