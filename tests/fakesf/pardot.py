"""The Account Engagement (Pardot) API v5 of the fake Salesforce, at the fake's own URL.

Production (https://pi.pardot.com) and demo (https://pi.demo.pardot.com) hosts are both this
server: the client is pointed at it with ``--account-engagement-url``. Requests and answers
follow the documented formats (developer.salesforce.com/docs/marketing/pardot/guide, "Version 5
Overview", "Authentication", "Error Codes & Messages"):

- ``GET /api/v5/objects/{object}?fields=a,b&limit=N``; ``fields`` is required (code 13 when
  missing) and only the fields asked for come back; ``limit`` is 1 to 1000 (code 23 otherwise).
- ``Authorization: Bearer <Salesforce access token>`` (code 184 when invalid) and
  ``Pardot-Business-Unit-Id`` (code 181 when missing, code 201 when not this business unit).
- Answers are ``{"nextPageToken", "nextPageUrl", "values"}``; the last page has both null.
- More than five requests at once are refused with code 66 (HTTP 429, Retry-After), as the
  documented concurrency limit; the daily limit is code 122.

The business unit's records are seeded from ``tests/fixtures/account-engagement/<org>.json``
when it exists (``{"business_unit": {...}, "objects": {"forms": [...], ...}}``, records in the
API's own field names); a test may change ``records`` before the client runs. The business unit
is also a Salesforce ``PardotTenant`` record, answered on the Tooling query endpoint.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakesf.state import API_VERSION, Reply

API_PREFIX = "/api/v5/objects/"
SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "account-engagement"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 200
CONCURRENT_LIMIT = 5

# The fields each object has (a subset of the documented ones: enough to refuse a misspelling).
KNOWN_FIELDS: dict[str, tuple[str, ...]] = {
    "lifecycle-stages": ("id", "name", "position", "isLocked", "isDeleted", "matchType", "createdAt", "updatedAt"),
    "engagement-studio-programs": (
        "id", "name", "description", "status", "isDeleted", "salesforceId", "folderId", "businessHours",
        "recipientListIds", "suppressionListIds", "scheduleCreatedById", "createdAt", "updatedAt",
    ),
    "forms": ("id", "name", "campaignId", "folderId", "layoutTemplateId", "trackerDomainId", "isDeleted",
              "salesforceId", "embedCode", "createdAt", "updatedAt"),
    "form-handlers": ("id", "name", "campaignId", "folderId", "trackerDomainId", "isDataForwarded",
                      "successLocation", "errorLocation", "isAlwaysEmail", "isCookieless", "salesforceId",
                      "embedCode", "isDeleted", "createdAt", "updatedAt"),
    "custom-fields": ("id", "name", "fieldId", "apiFieldId", "type", "salesforceId", "isRecordMultipleResponses",
                      "isUseValues", "isAnalyticsSynced", "createdAt", "updatedAt"),
    "lists": ("id", "name", "title", "description", "isPublic", "isDynamic", "campaignId", "folderId", "isDeleted",
              "createdAt", "updatedAt"),
    "users": ("id", "email", "username", "firstName", "lastName", "jobTitle", "role", "roleName", "salesforceId",
              "isDeleted", "createdAt", "updatedAt"),
}


def error(status: int, code: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """Version 5 errors: one object with the numbered code and its message."""
    return Reply.json(status, {"code": code, "message": message}, headers)


@dataclass
class AccountEngagementFaults:
    """Faults of the Account Engagement endpoints, consumed in this order per call."""

    latency: float = 0.0  # seconds before every answer
    server_errors: int = 0  # HTTP 500
    concurrent_limit: int = 0  # HTTP 429, code 66, with Retry-After
    retry_after: int = 1
    daily_limit_after: int | None = None  # answer code 122 once this many calls succeeded
    invalid_business_unit: bool = False  # code 201 on every call (a deactivated business unit)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def take(self, answered: int) -> str | None:
        with self._lock:
            if self.invalid_business_unit:
                return "invalid_business_unit"
            if self.server_errors > 0:
                self.server_errors -= 1
                return "server_error"
            if self.concurrent_limit > 0:
                self.concurrent_limit -= 1
                return "concurrent_limit"
            if self.daily_limit_after is not None and answered >= self.daily_limit_after:
                return "daily_limit"
        return None


@dataclass
class _Cursor:
    object: str
    fields: list[str]
    offset: int
    limit: int


class FakeAccountEngagement:
    """One business unit: its records, the faults a test sets, and what the client asked."""

    def __init__(self, business_unit_id: str, business_unit_name: str, records: dict[str, list[dict[str, Any]]]) -> None:
        self.business_unit_id = business_unit_id
        self.business_unit_name = business_unit_name
        self.records = {name: list(records.get(name, [])) for name in KNOWN_FIELDS}
        self.faults = AccountEngagementFaults()
        self.page_size_cap = MAX_LIMIT  # a test lowers it to make the client follow several pages
        self.calls: list[tuple[str, dict[str, str]]] = []  # (object, query parameters) of every call
        self.max_in_flight = 0
        self._in_flight = 0
        self._answered = 0
        self._cursors: dict[str, _Cursor] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_org(cls, org_dir: Path) -> FakeAccountEngagement:
        """Seeded from the fixture named after the org folder, else an empty business unit."""
        seed = SEEDS / f"{org_dir.name}.json"
        if not seed.is_file():
            return cls(f"0Uv5g{secrets.token_hex(5).upper()}AAA"[:18], f"{org_dir.name} marketing", {})
        document = json.loads(seed.read_text(encoding="utf-8"))
        unit = document["business_unit"]
        return cls(unit["id"], unit["name"], document.get("objects", {}))

    # -- Tooling: the business unit as a Salesforce record ------------------------------------
    def tenant_query(self, soql: str) -> Reply:
        fields = [f.strip() for f in soql.split("SELECT", 1)[1].split("FROM", 1)[0].split(",")]
        row = {"Id": self.business_unit_id, "PardotTenantId": self.business_unit_id,
               "PardotTenantName": self.business_unit_name, "CreationStatus": "Created"}
        unknown = [f for f in fields if f not in row]
        if unknown:
            return Reply.rest_error(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on entity 'PardotTenant'.")
        record: dict[str, Any] = {"attributes": {
            "type": "PardotTenant",
            "url": f"/services/data/v{API_VERSION}/tooling/sobjects/PardotTenant/{self.business_unit_id}"}}
        record.update({f: row[f] for f in fields})
        return Reply.json(200, {"size": 1, "totalSize": 1, "done": True, "queryLocator": None,
                                "entityTypeName": "PardotTenant", "records": [record]})

    # -- the version 5 API -----------------------------------------------------------------------
    def handle(self, method: str, path: str, query: str, headers: dict[str, str], base_url: str,
               session_valid: bool, stopping: threading.Event) -> Reply:
        """``headers`` with lower-case names; ``session_valid``: the bearer token is a live session."""
        obj = path[len(API_PREFIX):]
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        with self._lock:
            self.calls.append((obj, params))
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            crowded = self._in_flight > CONCURRENT_LIMIT
        try:
            if self.faults.latency and stopping.wait(self.faults.latency):
                return Reply.json(503, {"message": "the server is shutting down"})
            if crowded:
                return self._fault("concurrent_limit")
            reply = self._answer(method, obj, params, headers, base_url, session_valid)
            if reply.status == 200:
                with self._lock:
                    self._answered += 1
            return reply
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer(self, method: str, obj: str, params: dict[str, str], headers: dict[str, str], base_url: str,
                session_valid: bool) -> Reply:
        if method != "GET":
            return error(405, 60, "Invalid HTTP request method")
        scheme, _, token = (headers.get("authorization") or "").partition(" ")
        if scheme.lower() != "bearer" or not token or not session_valid:
            return error(401, 184, "access_token is invalid, unknown, or malformed: Inactive token")
        unit = headers.get("pardot-business-unit-id")
        if not unit:
            return error(400, 181, "A required header is missing: Pardot-Business-Unit-Id header not found on request.")
        with self._lock:
            injected = self.faults.take(self._answered)
        if injected is not None:
            return self._fault(injected)
        if unit[:15] != self.business_unit_id[:15]:
            return self._fault("invalid_business_unit")
        if obj not in KNOWN_FIELDS:
            return error(404, 2, "Invalid action")
        if "nextPageToken" in params:
            with self._lock:
                cursor = self._cursors.get(params["nextPageToken"])
            if cursor is None or cursor.object != obj:
                return error(400, 51, "Invalid parameter: nextPageToken")
            return self._page(cursor, base_url)
        if not params.get("fields"):
            return error(400, 13, "One or more required parameters are missing: fields")
        fields = [f.strip() for f in params["fields"].split(",") if f.strip()]
        unknown = [f for f in fields if f not in KNOWN_FIELDS[obj]]
        if unknown:
            return error(400, 51, f"Invalid parameter: fields: '{unknown[0]}' is not a field of {obj}")
        limit_text = params.get("limit", str(DEFAULT_LIMIT))
        if not limit_text.isdigit() or not 1 <= int(limit_text) <= MAX_LIMIT:
            return error(400, 23, "Invalid value specified for limit")
        return self._page(_Cursor(obj, fields, 0, min(int(limit_text), self.page_size_cap)), base_url)

    def _page(self, cursor: _Cursor, base_url: str) -> Reply:
        rows = sorted((r for r in self.records[cursor.object] if not r.get("isDeleted")), key=lambda r: r["id"])
        page = rows[cursor.offset: cursor.offset + cursor.limit]
        values = [{f: row.get(f) for f in cursor.fields} for row in page]
        token: str | None = None
        url: str | None = None
        if cursor.offset + cursor.limit < len(rows):
            token = secrets.token_urlsafe(24)
            with self._lock:
                self._cursors[token] = _Cursor(cursor.object, cursor.fields, cursor.offset + cursor.limit, cursor.limit)
            query = urllib.parse.urlencode({"fields": ",".join(cursor.fields), "nextPageToken": token}, safe=",")
            url = f"{base_url}{API_PREFIX}{cursor.object}?{query}"
        return Reply.json(200, {"nextPageToken": token, "nextPageUrl": url, "values": values})

    def _fault(self, kind: str) -> Reply:
        if kind == "invalid_business_unit":
            return error(403, 201, "Business Unit specified in Pardot-Business-Unit-Id header not found or inactive.")
        if kind == "server_error":
            return Reply.json(500, {"message": "An internal server error occurred"})
        if kind == "concurrent_limit":
            return error(429, 66, "You have exceeded your concurrent request limit.  Please wait, before trying again",
                         {"Retry-After": str(self.faults.retry_after)})
        # a refusal until the next day: HTTP 403, so no client retries it in vain
        return error(403, 122, "Daily API rate limit met")
