"""The Account Engagement (Pardot) API v5, live: what a business unit holds beside the scoring model.

Account Engagement has no API for scoring rules, automation rules, completion actions or
grading profiles; it does list lifecycle stages, Engagement Studio programs, forms, form
handlers, custom fields, lists and users. Those are read here into ``account-engagement.json``
beside the retrieved metadata (schemas/account-engagement.schema.json, validated on write).

The documented conventions (developer.salesforce.com/docs/marketing/pardot/guide, "Version 5
Overview" and "Authentication"):

- ``GET {host}/api/v5/objects/{object}?fields=...``: ``fields`` is required; each object is
  asked for the fields the audit uses, never all of them.
- ``Authorization: Bearer <Salesforce access token>`` and ``Pardot-Business-Unit-Id: 0Uv...``.
- Production business units answer at https://pi.pardot.com; sandboxes and developer orgs at
  https://pi.demo.pardot.com. The wrong host answers like a wrong business unit id.
- Query answers are ``{"values": [...], "nextPageToken": ..., "nextPageUrl": ...}``; the next
  page is the ``nextPageUrl`` (``limit`` sets the page size, at most 1000).
- Errors are ``{"code": N, "message": "..."}`` with the numbered codes of the "Error Codes &
  Messages" page: 181 the Pardot-Business-Unit-Id header is missing, 201 the business unit is
  not found or inactive, 184 the access token is invalid, 66 the concurrent request limit
  (five at once), 122 the daily API request limit.

Calls go through the org's HTTP session, so timeouts, TLS verification and the retries on 5xx
and HTTP 429 (after its Retry-After) are the same as for every Salesforce call. At most five
requests run at once, the documented concurrency limit. A daily limit, or a server that keeps
failing, does not stop the retrieval: the object is recorded as unavailable and the retrieval is
incomplete. A wrong business unit or an expired token stops it with an error a person can act on.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from auditor.contracts import first_problem, load_schema
from auditor.sources.org.connection import OrgConnection, QueryRefused
from auditor.sources.org.errors import OrgError, SessionExpired

ACCOUNT_ENGAGEMENT_FILE = "account-engagement.json"
SCHEMA = "account-engagement.schema.json"
PRODUCTION_URL = "https://pi.pardot.com"
DEMO_URL = "https://pi.demo.pardot.com"
MAX_CONCURRENT_REQUESTS = 5  # the documented concurrency limit per business unit
MAX_PAGE_SIZE = 1000  # the largest ``limit`` version 5 accepts
BUSINESS_UNIT_TOOLING_SOQL = "SELECT Id, PardotTenantId, PardotTenantName FROM PardotTenant"

CODE_FIELDS_MISSING = 13
CODE_CONCURRENT_LIMIT = 66
CODE_DAILY_LIMIT = 122
CODE_BUSINESS_UNIT_HEADER_MISSING = 181
CODE_INVALID_TOKEN = 184
CODE_BUSINESS_UNIT_INVALID = 201
HOST_HINT = (f"{PRODUCTION_URL} serves production business units, {DEMO_URL} sandboxes and developer orgs "
             "(--account-engagement-url)")


@dataclass(frozen=True)
class AccountEngagementTarget:
    """Which business unit to read, and at which host."""

    business_unit_id: str
    base_url: str


def account_engagement_url(explicit: str | None, sandbox: bool) -> str:
    """The host to call: the one given, else the demo host for a sandbox, else production."""
    if explicit:
        return explicit.rstrip("/")
    return DEMO_URL if sandbox else PRODUCTION_URL


def target_from(business_unit_id: str | None, explicit_url: str | None, sandbox: bool) -> AccountEngagementTarget | None:
    """None when no business unit id was given: Account Engagement is then not read."""
    if not business_unit_id:
        return None
    unit = business_unit_id.strip()
    if not (unit.startswith("0Uv") and len(unit) in (15, 18) and unit.isalnum()):
        raise OrgError(f"'{unit}' is not an Account Engagement business unit id: it has 18 characters and starts "
                       "with 0Uv (Salesforce Setup > Business Unit Setup)")
    url = account_engagement_url(explicit_url, sandbox)
    if urlsplit(url).scheme != "https" or not urlsplit(url).netloc:
        raise OrgError(f"the Account Engagement URL must be an https:// URL, not '{url}'")
    return AccountEngagementTarget(unit, url)


class Unavailable(OrgError):
    """This object could not be read now (a limit, a failing server); the others still can."""


@dataclass(frozen=True)
class ObjectQuery:
    """One version 5 object: its path, the fields asked for, and its record in the file."""

    key: str  # the key in account-engagement.json
    path: str  # /api/v5/objects/{path}
    fields: tuple[str, ...]
    convert: Callable[[Mapping[str, Any]], dict[str, Any]]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _status(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


OBJECTS: tuple[ObjectQuery, ...] = (
    ObjectQuery("lifecycle_stages", "lifecycle-stages", ("id", "name", "position", "isLocked"),
                lambda v: {"id": v["id"], "name": v["name"], "position": _int(v.get("position")),
                           "locked": _flag(v.get("isLocked"))}),
    ObjectQuery("engagement_studio_programs", "engagement-studio-programs", ("id", "name", "status", "salesforceId"),
                lambda v: {"id": v["id"], "name": v["name"], "status": _status(v.get("status")),
                           "salesforce_id": _text(v.get("salesforceId"))}),
    ObjectQuery("forms", "forms", ("id", "name", "campaignId"),
                lambda v: {"id": v["id"], "name": v["name"], "campaign_id": _int(v.get("campaignId"))}),
    ObjectQuery("form_handlers", "form-handlers", ("id", "name", "campaignId"),
                lambda v: {"id": v["id"], "name": v["name"], "campaign_id": _int(v.get("campaignId"))}),
    ObjectQuery("custom_fields", "custom-fields", ("id", "name", "fieldId", "type", "salesforceId"),
                lambda v: {"id": v["id"], "name": v["name"], "field_id": _text(v.get("fieldId")),
                           "type": _text(v.get("type")), "salesforce_field": _text(v.get("salesforceId"))}),
    ObjectQuery("lists", "lists", ("id", "name", "isDynamic", "isPublic"),
                lambda v: {"id": v["id"], "name": v["name"], "dynamic": _flag(v.get("isDynamic")),
                           "public": _flag(v.get("isPublic"))}),
    # names and e-mail addresses are personal data the audit does not need
    ObjectQuery("users", "users", ("id", "role", "salesforceId"),
                lambda v: {"id": v["id"], "role": _text(v.get("role")), "salesforce_id": _text(v.get("salesforceId"))}),
)


class AccountEngagementClient:
    """Queries of one business unit over the org's session; thread-safe, so objects run in parallel."""

    def __init__(self, conn: OrgConnection, target: AccountEngagementTarget, page_size: int = MAX_PAGE_SIZE) -> None:
        self._conn = conn
        self._target = target
        self._page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        self._daily_limit = threading.Event()  # once met, nothing more is asked today

    def query(self, what: ObjectQuery) -> list[dict[str, Any]]:
        """Every record of one object, page after page; Unavailable when a limit stops it."""
        params = {"fields": ",".join(what.fields), "limit": str(self._page_size)}
        url: str | None = f"{self._target.base_url}/api/v5/objects/{what.path}?{urlencode(params)}"
        records: list[dict[str, Any]] = []
        while url is not None:
            page = self._get(url, what.path)
            values = page.get("values")
            if not isinstance(values, list):
                raise OrgError(f"Account Engagement {what.path}: the answer has no 'values' list")
            records.extend(what.convert(value) for value in values if _usable(value, what))
            url = self._next_page(page.get("nextPageUrl"), what.path)
        return sorted(records, key=lambda r: r["id"])

    def _next_page(self, raw: Any, what: str) -> str | None:
        if not isinstance(raw, str) or not raw:
            return None
        base, page = urlsplit(self._target.base_url), urlsplit(raw)
        if (page.scheme, page.netloc) != (base.scheme, base.netloc):
            # the bearer token goes only to the host the user named
            raise OrgError(f"Account Engagement {what}: the next page is on another host ({page.netloc}); not followed")
        return raw

    def _get(self, url: str, what: str) -> dict[str, Any]:
        if self._daily_limit.is_set():
            raise Unavailable(f"not read: the business unit's daily API request limit was met (code {CODE_DAILY_LIMIT})")
        headers = {"Authorization": f"Bearer {self._conn.session_id}",
                   "Pardot-Business-Unit-Id": self._target.business_unit_id, "Accept": "application/json"}
        try:
            response = self._conn.session.get(url, headers=headers)
        except requests.RequestException as exc:
            raise OrgError(f"Account Engagement {what}: the request failed ({type(exc).__name__})") from None
        body = _json_body(response)
        if response.status_code == 200 and isinstance(body, dict):
            return body
        raise self._error(response.status_code, body, what)

    def _error(self, status: int, body: Any, what: str) -> OrgError:
        code = _int(body.get("code")) if isinstance(body, dict) else None
        message = str(body.get("message", "")).strip() if isinstance(body, dict) else ""
        said = f"code {code}: {message}" if code is not None else f"HTTP {status}"
        unit, host = self._target.business_unit_id, self._target.base_url
        if code == CODE_INVALID_TOKEN or status == 401:
            return SessionExpired(f"Account Engagement {what}: the access token is invalid or expired ({said}); "
                                  "log in again (a token from a connected app needs the pardot_api scope)")
        if code == CODE_BUSINESS_UNIT_HEADER_MISSING:
            return OrgError(f"Account Engagement {what}: the business unit id was not accepted ({said}); "
                            "give it with --business-unit-id or SF_PARDOT_BUSINESS_UNIT_ID")
        if code == CODE_BUSINESS_UNIT_INVALID:
            return OrgError(f"Account Engagement {what}: business unit {unit} is not found or inactive at {host} "
                            f"({said}); check the id (Setup > Business Unit Setup) and the host: {HOST_HINT}")
        if code == CODE_DAILY_LIMIT:
            self._daily_limit.set()
            return Unavailable(f"the business unit's daily API request limit is met ({said}); "
                               "it resets the next day")
        if code == CODE_CONCURRENT_LIMIT or status == 429:
            return Unavailable(f"too many requests at once even after waiting ({said}); try again later")
        if status >= 500:
            return Unavailable(f"Account Engagement kept failing (HTTP {status}) after retries")
        return OrgError(f"Account Engagement {what}: refused (HTTP {status}, {said})")


def _usable(value: Any, what: ObjectQuery) -> bool:
    """A record with an id (and a name, for every object but users, whose names are not asked for)."""
    if not isinstance(value, dict) or not _int(value.get("id")):
        return False
    return "name" not in what.fields or _text(value.get("name")) is not None


def _json_body(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def business_unit_name(conn: OrgConnection, unit: str) -> str | None:
    """The business unit's name from the org's PardotTenant records (Tooling API).

    The id must be one of the org's business units: a mistyped id is said plainly here, before
    any Account Engagement call. An org that does not let the user read PardotTenant leaves the
    name unknown; the Account Engagement API still judges the id.
    """
    try:
        tenants = conn.tooling_query(BUSINESS_UNIT_TOOLING_SOQL, "business units (PardotTenant) query")
    except QueryRefused:
        return None
    prefix = unit[:15]
    for tenant in tenants:
        if prefix in (str(tenant.get("Id") or "")[:15], str(tenant.get("PardotTenantId") or "")[:15]):
            return _text(tenant.get("PardotTenantName"))
    known = ", ".join(sorted(str(t.get("Id")) for t in tenants if t.get("Id"))) or "none"
    raise OrgError(f"business unit {unit} is not one of this org's Account Engagement business units ({known})")


@dataclass(frozen=True)
class AccountEngagementOutcome:
    path: Path
    unavailable: tuple[dict[str, str], ...]  # {"item": "account engagement forms", "reason": ...}


def retrieve_account_engagement(
    conn: OrgConnection,
    target: AccountEngagementTarget,
    out_dir: Path,
    *,
    retrieved_at: str,
    page_size: int = MAX_PAGE_SIZE,
) -> AccountEngagementOutcome:
    """Read the business unit into ``out_dir/account-engagement.json``; OrgError when it cannot be
    read at all (a wrong business unit, an expired token), the unavailable objects otherwise."""
    name = business_unit_name(conn, target.business_unit_id)
    client = AccountEngagementClient(conn, target, page_size)
    document: dict[str, Any] = {
        "version": 1, "retrieved_at": retrieved_at, "host": target.base_url,
        "business_unit": {"id": target.business_unit_id, "name": name},
    }
    unavailable: list[dict[str, str]] = []
    with ThreadPoolExecutor(max_workers=MAX_CONCURRENT_REQUESTS, thread_name_prefix="account-engagement") as pool:
        futures = {what.key: pool.submit(client.query, what) for what in OBJECTS}
        for what in OBJECTS:
            try:
                document[what.key] = futures[what.key].result()
            except Unavailable as exc:
                document[what.key] = []
                unavailable.append({"item": f"account engagement {what.path}", "reason": exc.message})
    document["complete"] = not unavailable
    document["unavailable"] = unavailable
    return AccountEngagementOutcome(write_account_engagement(out_dir, document), tuple(unavailable))


def schema() -> dict[str, Any]:
    return load_schema(SCHEMA)


def validate(document: Any) -> None:
    problem = first_problem(document, SCHEMA)
    if problem is not None:
        raise OrgError(f"{ACCOUNT_ENGAGEMENT_FILE} does not follow schemas/{SCHEMA} {problem}")


def write_account_engagement(out_dir: Path, document: dict[str, Any]) -> Path:
    validate(document)  # a defect here must not write a file the loader would then refuse
    path = out_dir / ACCOUNT_ENGAGEMENT_FILE
    path.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
