"""A logged-in org: the session, the REST and Tooling query helpers, and error translation.

REST and Tooling queries go through simple-salesforce (its ``restful``/``toolingexecute``
build the documented ``/services/data/vXX.X/query`` URLs and ``queryMore`` follows
``nextRecordsUrl``); the HTTP session under it is ours, so retries and TLS verification apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from auditor.sources.org import API_VERSION
from auditor.sources.org.auth import LoginResult, OrgCredentials, login
from auditor.sources.org.errors import OrgError, SessionExpired
from auditor.sources.org.http import DEFAULT_TIMEOUT, RetryingAdapter, RetryPolicy, make_session

EXPIRED_HINT = "log in again (a new access token, or 'sf org login' for a CLI alias)"


class QueryRefused(OrgError):
    """The org answered a query with a definite no (unknown object, no access): not transient."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class OrgConnection:
    """One org, logged in. The session id stays inside; its repr shows only where the org is."""

    instance_url: str
    username: str | None
    login_method: str
    session: requests.Session = field(repr=False)
    adapter: RetryingAdapter = field(repr=False)
    _session_id: str = field(repr=False)
    _sf: Salesforce = field(repr=False)

    @property
    def session_id(self) -> str:
        return self._session_id

    @property
    def round_trips(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self.adapter.round_trips

    @property
    def metadata_url(self) -> str:
        return f"{self.instance_url}/services/Soap/m/{API_VERSION}"

    def query(self, soql: str, what: str) -> list[dict[str, Any]]:
        """All records of a data API query, following queryMore pages."""
        return self._records(lambda: self._sf.restful("query", params={"q": soql}), what)

    def tooling_query(self, soql: str, what: str) -> list[dict[str, Any]]:
        return self._records(lambda: self._sf.toolingexecute("query", params={"q": soql}), what)

    def _records(self, first_page: Callable[[], Any], what: str) -> list[dict[str, Any]]:
        page = _translate(first_page, what)
        records: list[dict[str, Any]] = []
        while True:
            if not isinstance(page, dict) or not isinstance(page.get("records"), list):
                raise OrgError(f"{what}: the answer is not a query result")
            records.extend(r for r in page["records"] if isinstance(r, dict))
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return records
            page = _translate(lambda: self._sf.query_more(str(next_url), identifier_is_url=True), what)


def _translate(call: Callable[[], Any], what: str) -> Any:
    """Run a simple-salesforce call; its exceptions become OrgErrors a person can act on."""
    try:
        return call()
    except SalesforceError as exc:
        raise _error_for(exc, what) from None
    except requests.RequestException as exc:
        raise OrgError(f"{what}: the request failed ({type(exc).__name__})") from None
    except ValueError:
        raise OrgError(f"{what}: the answer is not JSON") from None


def _error_for(exc: SalesforceError, what: str) -> OrgError:
    code, message = "", ""
    content = exc.content
    if isinstance(content, list) and content and isinstance(content[0], dict):
        code, message = str(content[0].get("errorCode", "")), str(content[0].get("message", ""))
    elif isinstance(content, dict):
        code, message = str(content.get("errorCode", "")), str(content.get("message", ""))
    if exc.status == 401 or code == "INVALID_SESSION_ID":
        return SessionExpired(f"{what}: the session is expired or invalid (INVALID_SESSION_ID); {EXPIRED_HINT}")
    if code == "REQUEST_LIMIT_EXCEEDED":
        return OrgError(f"{what}: the org's API request limit is exceeded (REQUEST_LIMIT_EXCEEDED: {message}); "
                        "try again when the 24-hour limit allows")
    if exc.status == 429:
        return OrgError(f"{what}: too many requests (HTTP 429) even after waiting; try again later")
    if exc.status in (400, 403, 404) and code:
        return QueryRefused(f"{what}: refused by the org ({code}: {message})", code)
    return OrgError(f"{what}: HTTP {exc.status} {code} {message}".rstrip())


def connect(
    creds: OrgCredentials,
    *,
    ca_bundle: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    retry: RetryPolicy | None = None,
) -> OrgConnection:
    """Log in and return the connection; OrgError (no secret in it) when that is not possible."""
    session, adapter = make_session(ca_bundle, timeout, retry)
    result: LoginResult = login(creds, session)
    sf = Salesforce(instance_url=result.instance_url, session_id=result.session_id, session=session,
                    version=API_VERSION)
    return OrgConnection(
        instance_url=result.instance_url,
        username=result.username,
        login_method=creds.method,
        session=session,
        adapter=adapter,
        _session_id=result.session_id,
        _sf=sf,
    )
