"""A live org as a source: log in, retrieve the Metadata API folder and the facts beside it.

The org is retrieved into the same folder layout the offline path reads, plus ``facts.json``
for what metadata does not hold (users, queue members, Lead Status records), so a live audit
and an offline audit of the retrieved folder give the same findings by construction.

The API version is pinned: the SOAP username/password login (``login()`` of the partner API)
is not available from API version 65.0 on, and the pin keeps that login working for teams that
still use it. The other logins (access token, ``sf`` CLI, JWT bearer, client credentials) work at
any version.
"""

from __future__ import annotations

API_VERSION = "62.0"

from auditor.sources.org.errors import OrgError, SessionExpired  # noqa: E402
from auditor.sources.org.auth import OrgCredentials, credentials_from  # noqa: E402
from auditor.sources.org.connection import OrgConnection, connect  # noqa: E402
from auditor.sources.org.retrieve_org import RetrievalReport, retrieve_org  # noqa: E402

__all__ = [
    "API_VERSION",
    "OrgConnection",
    "OrgCredentials",
    "OrgError",
    "RetrievalReport",
    "SessionExpired",
    "connect",
    "credentials_from",
    "retrieve_org",
]
