"""A local Salesforce for tests: a real HTTPS server, no client is monkeypatched.

It serves one fixture org (a Metadata API folder or an SFDX project) through the endpoints a live
audit uses: partner SOAP ``login``, the OAuth token endpoint (JWT bearer and client credentials),
Metadata API ``retrieve`` / ``checkRetrieveStatus``, REST ``query`` / ``queryMore`` and Tooling
``query`` (FlowDefinitionView, and Flow ``Metadata`` one row per call). On request
(``sf.generate_leads(now=...)``) it also holds seeded Lead and LeadHistory records, for the
aggregate, relationship and dateTime queries of the live measurements. Faults are injected per
endpoint through ``sf.faults``; every HTTP round trip is recorded in ``sf.requests``.

A fixture in a test module::

    @pytest.fixture
    def acme(tmp_path: Path) -> Iterator[FakeSalesforce]:
        with FakeSalesforce(org_dir=FIXTURE_ORGS / "acme-mdapi", tmp=tmp_path) as sf:
            yield sf

then log in with ``sf.username`` / ``sf.password`` / ``sf.security_token`` (SOAP),
``sf.consumer_key`` + ``sf.jwt_private_key_path`` (JWT, audience ``sf.instance_url``),
``sf.consumer_key`` / ``sf.consumer_secret`` (client credentials) or use ``sf.access_token``,
with ``sf.instance_url`` as login and instance URL and ``sf.ca_bundle`` to verify TLS.
"""

from __future__ import annotations

from tests.fakesf.faults import EndpointFaults, Faults
from tests.fakesf.server import FakeSalesforce

fake_salesforce = FakeSalesforce  # ``with fake_salesforce(org_dir, tmp) as sf:`` reads the same

__all__ = ["EndpointFaults", "FakeSalesforce", "Faults", "fake_salesforce"]
