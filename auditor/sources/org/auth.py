"""Logging in to an org, the ways Salesforce teams do: sf CLI alias, access token, JWT bearer,
client credentials, and username + password + security token (SOAP, pinned API version).

Every secret can come from the environment (SF_ACCESS_TOKEN, SF_PASSWORD, ...), so a CI job
never puts one on a command line. Each secret is registered with the redactor as soon as it
is read, and again when Salesforce hands back a session id.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jwt
import requests

from auditor.sources.org import API_VERSION
from auditor.sources.org.errors import OrgError
from auditor.sources.org.redact import register_secret, scrub
from auditor.sources.org.soap import PARTNER_NS, SoapFault, call, element, envelope, text_of

PRODUCTION_LOGIN_URL = "https://login.salesforce.com"
SANDBOX_LOGIN_URL = "https://test.salesforce.com"
JWT_LIFETIME_SECONDS = 180  # Salesforce accepts at most 3 minutes
SF_CLI_TIMEOUT_SECONDS = 120

# option name -> environment variable it falls back to
ENV_FALLBACKS: dict[str, str] = {
    "access_token": "SF_ACCESS_TOKEN",
    "instance_url": "SF_INSTANCE_URL",
    "username": "SF_USERNAME",
    "password": "SF_PASSWORD",
    "security_token": "SF_SECURITY_TOKEN",
    "consumer_key": "SF_CONSUMER_KEY",
    "consumer_secret": "SF_CONSUMER_SECRET",
    "jwt_key_file": "SF_JWT_KEY_FILE",
}
SECRET_FIELDS = ("access_token", "password", "security_token", "consumer_secret")


@dataclass(frozen=True)
class OrgCredentials:
    """How to log in to one org. The repr shows the method and the URLs, never a secret."""

    method: str  # "target-org" | "access-token" | "jwt" | "client-credentials" | "password"
    login_url: str = PRODUCTION_LOGIN_URL
    target_org: str | None = None
    instance_url: str | None = None
    username: str | None = None
    access_token: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    security_token: str | None = field(default=None, repr=False)
    consumer_key: str | None = field(default=None, repr=False)
    consumer_secret: str | None = field(default=None, repr=False)
    jwt_key_file: str | None = None


@dataclass(frozen=True)
class LoginResult:
    session_id: str = field(repr=False)
    instance_url: str
    username: str | None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def normalise_url(url: str, what: str) -> str:
    """``https://host[:port]`` without path or trailing slash; anything but HTTPS is refused."""
    text = url.strip()
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme != "https" or not parts.netloc:
        raise OrgError(f"{what} must be an https:// URL, got {parts.scheme or 'no'} scheme")
    return f"https://{parts.netloc}"


def credentials_from(options: Mapping[str, str | None], env: Mapping[str, str]) -> OrgCredentials:
    """Pick the login method from what is given; options win over environment variables.

    Order when several are possible: a ``sf`` CLI alias, an access token, JWT bearer (key file),
    client credentials (consumer secret), username + password.
    """
    values = {name: options.get(name) or env.get(variable) or None for name, variable in ENV_FALLBACKS.items()}
    for name in SECRET_FIELDS:
        register_secret(values[name])
    if options.get("login_url"):
        login_url = normalise_url(str(options["login_url"]), "--login-url")
    elif _truthy(options.get("sandbox")):
        login_url = SANDBOX_LOGIN_URL
    else:
        login_url = PRODUCTION_LOGIN_URL
    common = dict(login_url=login_url, **values)
    if values["instance_url"]:
        common["instance_url"] = normalise_url(values["instance_url"], "the instance URL")
    target_org = options.get("target_org")
    if target_org:
        return OrgCredentials(method="target-org", target_org=target_org, **common)  # type: ignore[arg-type]
    if values["access_token"]:
        if not values["instance_url"]:
            raise OrgError("an access token needs the org's instance URL: --instance-url or SF_INSTANCE_URL")
        return OrgCredentials(method="access-token", **common)  # type: ignore[arg-type]
    if values["consumer_key"] and values["jwt_key_file"]:
        if not values["username"]:
            raise OrgError("the JWT bearer login needs the username to act as: --username or SF_USERNAME")
        return OrgCredentials(method="jwt", **common)  # type: ignore[arg-type]
    if values["consumer_key"] and values["consumer_secret"]:
        return OrgCredentials(method="client-credentials", **common)  # type: ignore[arg-type]
    if values["username"] and values["password"]:
        return OrgCredentials(method="password", **common)  # type: ignore[arg-type]
    raise OrgError(
        "no way to log in to the org was given; use one of: --target-org ALIAS (Salesforce CLI); "
        "SF_ACCESS_TOKEN + SF_INSTANCE_URL; SF_CONSUMER_KEY + SF_USERNAME + SF_JWT_KEY_FILE (JWT bearer); "
        "SF_CONSUMER_KEY + SF_CONSUMER_SECRET (client credentials, with --login-url set to the My Domain URL); "
        "SF_USERNAME + SF_PASSWORD (+ SF_SECURITY_TOKEN)"
    )


def login(creds: OrgCredentials, session: requests.Session) -> LoginResult:
    """Log in with the chosen method; the session id is registered as a secret."""
    if creds.method == "target-org":
        result = _sf_cli_login(creds)
    elif creds.method == "access-token":
        assert creds.access_token and creds.instance_url
        result = LoginResult(creds.access_token, creds.instance_url, creds.username)
    elif creds.method == "jwt":
        result = _jwt_login(creds, session)
    elif creds.method == "client-credentials":
        result = _token_request(
            session,
            creds.login_url,
            {"grant_type": "client_credentials", "client_id": creds.consumer_key or "",
             "client_secret": creds.consumer_secret or ""},
            "client credentials login",
            creds.username,
        )
    elif creds.method == "password":
        result = _soap_login(creds, session)
    else:
        raise OrgError(f"unknown login method {creds.method!r}")
    register_secret(result.session_id)
    return result


def _sf_cli_login(creds: OrgCredentials) -> LoginResult:
    executable = shutil.which("sf")
    if executable is None:
        raise OrgError(
            "--target-org needs the Salesforce CLI ('sf'), which is not on PATH; install it "
            "(https://developer.salesforce.com/tools/salesforcecli) or log in with an access token, JWT, "
            "client credentials or a password instead"
        )
    command = [executable, "org", "display", "--target-org", creds.target_org or "", "--json"]
    try:
        completed = subprocess.run(command, capture_output=True, timeout=SF_CLI_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise OrgError(f"'sf org display' could not be run: {type(exc).__name__}") from None
    try:
        answer = json.loads(completed.stdout.decode("utf-8", "replace"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise OrgError(f"'sf org display --target-org {creds.target_org}' did not answer JSON "
                       f"(exit {completed.returncode})")
    found = answer.get("result")
    result: dict[str, object] = found if isinstance(found, dict) else {}
    token, instance = result.get("accessToken"), result.get("instanceUrl")
    register_secret(token if isinstance(token, str) else None)
    if completed.returncode != 0 or not token or not instance:
        reason = answer.get("message") or answer.get("name") or "no access token in its answer"
        raise OrgError(f"the Salesforce CLI has no usable login for '{creds.target_org}': {scrub(str(reason))} "
                       f"(run 'sf org login web --alias {creds.target_org}')")
    username = result.get("username")
    return LoginResult(str(token), normalise_url(str(instance), "the CLI's instance URL"),
                       username if isinstance(username, str) else None)


def _jwt_login(creds: OrgCredentials, session: requests.Session) -> LoginResult:
    key_path = Path(creds.jwt_key_file or "")
    try:
        private_key = key_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OrgError(f"the JWT private key file {key_path} cannot be read: {type(exc).__name__}") from None
    register_secret(private_key)
    claims = {"iss": creds.consumer_key, "sub": creds.username, "aud": creds.login_url,
              "exp": int(time.time()) + JWT_LIFETIME_SECONDS}
    try:
        assertion = jwt.encode(claims, private_key, algorithm="RS256")
    except Exception as exc:  # PyJWT and cryptography raise several types for a bad key
        raise OrgError(f"the JWT private key in {key_path} cannot sign (RS256 needs an RSA private key in PEM): "
                       f"{type(exc).__name__}") from None
    register_secret(assertion)
    form = {"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "assertion": assertion}
    return _token_request(session, creds.login_url, form, "JWT bearer login", creds.username)


def _token_request(session: requests.Session, login_url: str, form: dict[str, str], what: str,
                   username: str | None) -> LoginResult:
    url = f"{login_url}/services/oauth2/token"
    try:
        response = session.post(url, data=form, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise OrgError(f"{what} at {url} failed ({type(exc).__name__})") from None
    try:
        answer = response.json()
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise OrgError(f"{what} at {url}: HTTP {response.status_code}, not an OAuth answer")
    token = answer.get("access_token")
    register_secret(token if isinstance(token, str) else None)
    if response.status_code != 200 or not token or not answer.get("instance_url"):
        error = answer.get("error") or f"HTTP {response.status_code}"
        description = answer.get("error_description") or ""
        raise OrgError(f"{what} refused at {url}: {error}: {description}".rstrip(": "))
    return LoginResult(str(token), normalise_url(str(answer["instance_url"]), "the instance URL"), username)


def _soap_login(creds: OrgCredentials, session: requests.Session) -> LoginResult:
    url = f"{creds.login_url}/services/Soap/u/{API_VERSION}"
    request = element(
        PARTNER_NS, "login", None,
        element(PARTNER_NS, "username", creds.username or ""),
        element(PARTNER_NS, "password", (creds.password or "") + (creds.security_token or "")),
    )
    try:
        result = call(session, url, "login", envelope(PARTNER_NS, None, request), "password login")
    except SoapFault as fault:
        hint = ""
        if fault.code == "INVALID_LOGIN":
            hint = (" (check the username, the password and the security token: SF_SECURITY_TOKEN is needed "
                    "from networks outside the org's trusted IP ranges)")
        elif fault.code in {"UNSUPPORTED_API_VERSION", "API_DISABLED_FOR_ORG", "LOGIN_MUST_USE_SECURITY_TOKEN"}:
            hint = (f" (the SOAP login is unavailable from API 65.0 on; leadaudit pins API {API_VERSION}; "
                    "prefer JWT bearer or client credentials)")
        raise OrgError(f"password login refused at {creds.login_url}: {fault}{hint}") from None
    session_id = text_of(result, "result/sessionId", PARTNER_NS)
    server_url = text_of(result, "result/serverUrl", PARTNER_NS)
    register_secret(session_id)
    if not session_id or not server_url:
        raise OrgError("password login: the answer has no sessionId or serverUrl")
    username = text_of(result, "result/userInfo/userName", PARTNER_NS) or creds.username
    return LoginResult(session_id, normalise_url(server_url, "the login's serverUrl"), username)
