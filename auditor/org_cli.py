"""Command-line options for a live org, and the ``leadaudit retrieve`` command.

Secrets are read from environment variables only (SF_ACCESS_TOKEN, SF_PASSWORD,
SF_SECURITY_TOKEN, SF_CONSUMER_SECRET): a secret on a command line ends up in shell history,
process lists and CI logs. The options name the org and the non-secret parts of a login.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
import sys
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.cli_support import EXIT_INCOMPLETE, EXIT_USAGE, UsageFailure

# The HTTP stack (requests, simple-salesforce, PyJWT) is imported when a live org is used, not
# when a command merely declares these options: 'leadaudit --version' must start fast.
if TYPE_CHECKING:
    from auditor.process import Process
    from auditor.sources.org import OrgConnection, OrgCredentials
    from auditor.sources.org.pardot import AccountEngagementTarget


F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class OrgSelection:
    """The org options of one command line; ``requested`` when the user asked for a live org."""

    options: Mapping[str, str | None] = field(repr=False)
    requested: bool
    ca_bundle_option: str | None = None  # --ca-bundle as given
    timeout_option: float | None = None  # --timeout as given

    # Resolved on first use: the HTTP stack is imported only by a command that goes online, so an
    # audit of a folder does not pay for loading it.
    @property
    def ca_bundle(self) -> str | None:
        from auditor.sources.org.http import resolve_ca_bundle

        return resolve_ca_bundle(self.ca_bundle_option, os.environ)

    @property
    def timeout(self) -> float:
        from auditor.sources.org.http import DEFAULT_TIMEOUT

        return self.timeout_option if self.timeout_option is not None else DEFAULT_TIMEOUT

    def credentials(self, env: Mapping[str, str] | None = None) -> OrgCredentials:
        from auditor.sources.org import credentials_from

        return credentials_from(self.options, os.environ if env is None else env)

    def account_engagement(self, env: Mapping[str, str] | None = None) -> AccountEngagementTarget | None:
        """The Account Engagement business unit to read too; None when none was named."""
        from auditor.sources.org.pardot import target_from

        env = os.environ if env is None else env
        return target_from(self.options.get("business_unit_id") or env.get("SF_PARDOT_BUSINESS_UNIT_ID"),
                           self.options.get("account_engagement_url") or env.get("SF_ACCOUNT_ENGAGEMENT_URL"),
                           self.options.get("sandbox") == "true")


_OPTIONS: tuple[Callable[[F], F], ...] = (
    click.option("--org", "org_flag", is_flag=True,
                 help="Read a live org, logging in with the options below or the SF_* environment variables."),
    click.option("--target-org", help="A Salesforce CLI alias or username ('sf org display' gives the login)."),
    click.option("--instance-url", help="The org's URL, for an access token in SF_ACCESS_TOKEN [env: SF_INSTANCE_URL]."),
    click.option("--username", help="User to log in as (JWT bearer, password login) [env: SF_USERNAME]."),
    click.option("--consumer-key", help="Connected app consumer key (JWT, client credentials) [env: SF_CONSUMER_KEY]."),
    click.option("--jwt-key-file", type=click.Path(dir_okay=False),
                 help="Private key (PEM) of the JWT bearer flow [env: SF_JWT_KEY_FILE]."),
    click.option("--login-url", help="Login URL: a My Domain URL (needed for client credentials); "
                                     "default https://login.salesforce.com."),
    click.option("--sandbox", is_flag=True, help="Log in at https://test.salesforce.com."),
    click.option("--ca-bundle", type=click.Path(dir_okay=False),
                 help="CA certificates to verify the org's TLS with [env: SF_CA_BUNDLE, REQUESTS_CA_BUNDLE]."),
    click.option("--timeout", type=float,
                 help="Seconds to wait for each answer from the org (default: 60)."),
    click.option("--business-unit-id",
                 help="Also read this Account Engagement business unit (0Uv..., Setup > Business Unit Setup) "
                      "[env: SF_PARDOT_BUSINESS_UNIT_ID]."),
    click.option("--account-engagement-url",
                 help="The Account Engagement API host: default https://pi.pardot.com, with --sandbox "
                      "https://pi.demo.pardot.com (also for developer orgs) [env: SF_ACCOUNT_ENGAGEMENT_URL]."),
)
_NAMES = ("org_flag", "target_org", "instance_url", "username", "consumer_key", "jwt_key_file", "login_url",
          "sandbox", "ca_bundle", "timeout", "business_unit_id", "account_engagement_url")


def org_options(command: F) -> F:
    """Add the live-org options; the command receives them as one ``org: OrgSelection`` argument."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        given = {name: kwargs.pop(name) for name in _NAMES}
        options: dict[str, str | None] = {
            name: (str(given[name]) if given[name] is not None else None)
            for name in ("target_org", "instance_url", "username", "consumer_key", "jwt_key_file", "login_url",
                         "business_unit_id", "account_engagement_url")
        }
        options["sandbox"] = "true" if given["sandbox"] else None
        requested = bool(given["org_flag"] or given["target_org"] or given["instance_url"])
        timeout = float(given["timeout"]) if given["timeout"] is not None else None
        kwargs["org"] = OrgSelection(options=options, requested=requested,
                                     ca_bundle_option=given["ca_bundle"], timeout_option=timeout)
        return command(*args, **kwargs)

    decorated: Any = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


def show_progress() -> bool:
    """A progress display on a terminal; none in CI logs."""
    return sys.stderr.isatty() and not os.environ.get("CI")


def _enable_debug_logging() -> None:
    from auditor.sources.org.redact import SecretFilter, install_log_redaction

    install_log_redaction()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(SecretFilter())
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)


@dataclass(frozen=True)
class MetricsOutcome:
    """Where the measurements were written, and which could not be measured (``id: reason``)."""

    path: Path
    measured: int
    unavailable: tuple[str, ...]


def record_metrics(conn: OrgConnection, out_dir: Path, process: Process | None, *,
                   now: dt.datetime | None = None) -> MetricsOutcome:
    """Measure the org's leads now and write ``out_dir/metrics.json`` (for ``--metrics``).

    Without a process file the SLA-based measurement is unavailable, with that reason. An
    unavailable measurement does not make the retrieval incomplete: the configuration read is
    whole, and the report shows the measurement as not measured, never as zero.
    """
    from auditor.sources.org.metrics import collect_metrics, write_metrics

    document = collect_metrics(conn, process, now=now or dt.datetime.now(tz=dt.timezone.utc))
    path = write_metrics(out_dir, document)
    missing = tuple(f"{item['id']}: {item['detail']}" for item in document["measurements"] if not item["available"])
    return MetricsOutcome(path, len(document["measurements"]) - len(missing), missing)


def echo_metrics(outcome: MetricsOutcome) -> None:
    click.echo(f"measured {outcome.measured} of {outcome.measured + len(outcome.unavailable)} lead measurements "
               f"into {outcome.path}")
    for reason in outcome.unavailable:
        click.echo(f"  not measured: {reason}", err=True)


def _process_for_metrics(metrics: bool, process_file: Path | None) -> Process | None:
    """The process file --metrics reads its SLAs and status names from; exit 2 when unusable."""
    from auditor.process import ProcessError, load_process

    if process_file is None:
        return None
    if not metrics:
        click.echo("error: --process is read by --metrics only; add --metrics or leave --process out", err=True)
        sys.exit(EXIT_USAGE)
    try:
        return load_process(process_file)
    except ProcessError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


@click.command()
@org_options
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write (new, empty, or an earlier retrieval to replace).")
@click.option("--metrics", is_flag=True,
              help="Also measure the org's leads now (SLA breaches, time in status, MQL to SAL acceptance, "
                   "leads with inactive or queue owners) into OUT/metrics.json: counts only, no lead data.")
@click.option("--process", "process_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The process file whose SLAs and status names --metrics measures against.")
@click.option("--debug", is_flag=True, help="Log each request, and print tracebacks (secrets masked).")
def retrieve(org: OrgSelection, out_dir: Path, metrics: bool, process_file: Path | None, debug: bool) -> None:
    """Retrieve a live org into OUT: Metadata API files and facts.json, for 'leadaudit audit OUT'.

    Exit 0 when the retrieval is complete, 3 when it is not (or the org could not be reached),
    2 when no login was given or the process file is unusable. A measurement --metrics could not
    take is listed, and does not change the exit code.
    """
    from auditor.sources.org import API_VERSION, OrgError, connect, retrieve_org
    from auditor.sources.org.redact import scrub

    if debug:
        _enable_debug_logging()
    process = _process_for_metrics(metrics, process_file)
    try:
        creds = org.credentials()
        engagement = org.account_engagement()
    except OrgError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_USAGE)
    try:
        conn = connect(creds, ca_bundle=org.ca_bundle, timeout=org.timeout)
        report = retrieve_org(conn, out_dir, progress=show_progress(), account_engagement=engagement)
        measured = record_metrics(conn, out_dir, process) if metrics else None
    except OrgError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_INCOMPLETE)
    except Exception as exc:  # a defect: never let a traceback carry a secret out
        if debug:
            click.echo(scrub(traceback.format_exc()), err=True)
        click.echo(f"error: unexpected failure ({scrub(f'{type(exc).__name__}: {exc}')})", err=True)
        sys.exit(EXIT_INCOMPLETE)
    click.echo(f"retrieved {report.files} files from {conn.instance_url} (API {API_VERSION}) into {out_dir}")
    for flow in report.flows:
        if flow.source == "tooling":
            click.echo(f"flow {flow.api_name}: the active version {flow.version_number} was audited, "
                       "not the newer draft that retrieve returned")
    if measured is not None:
        echo_metrics(measured)
    if not report.complete:
        click.echo("the retrieval is incomplete; an audit of this folder would not see the whole org:", err=True)
        for reason in report.missing:
            click.echo(f"  - {reason}", err=True)
        sys.exit(EXIT_INCOMPLETE)


def retrieve_into(org: OrgSelection, folder: Path, *, process: Process | None = None,
                  metrics: bool = False) -> OrgConnection:
    """Log in and retrieve the org into ``folder`` (``audit --org`` and ``snapshot --org``).

    A login that cannot even be attempted (no credentials) is a usage error (exit 2); an org that
    cannot be read at all ends the command as incomplete (exit 3): there is nothing to audit.
    """
    from auditor.sources.org import OrgError, connect, retrieve_org

    try:
        creds = org.credentials()
        engagement = org.account_engagement()
    except OrgError as exc:
        raise UsageFailure(exc.message) from None
    try:
        conn = connect(creds, ca_bundle=org.ca_bundle, timeout=org.timeout)
        retrieve_org(conn, folder, progress=show_progress(), account_engagement=engagement)
        if metrics:
            echo_metrics(record_metrics(conn, folder, process))
    except OrgError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(EXIT_INCOMPLETE)
    return conn

