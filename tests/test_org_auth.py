"""Choosing a login from options and environment variables, and the sf CLI login."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import requests

from auditor.sources.org.auth import (
    PRODUCTION_LOGIN_URL,
    SANDBOX_LOGIN_URL,
    OrgCredentials,
    credentials_from,
    login,
    normalise_url,
)
from auditor.sources.org.errors import OrgError

TOKEN = "00D000000000001!SECRET-access-token-from-env"


def test_an_access_token_and_instance_url_come_from_the_environment() -> None:
    creds = credentials_from({}, {"SF_ACCESS_TOKEN": TOKEN, "SF_INSTANCE_URL": "https://acme.my.salesforce.com/"})
    assert creds.method == "access-token"
    assert creds.access_token == TOKEN
    assert creds.instance_url == "https://acme.my.salesforce.com"


def test_options_win_over_the_environment() -> None:
    env = {"SF_USERNAME": "env@acme.example", "SF_PASSWORD": "SECRET-pw-1"}
    creds = credentials_from({"username": "option@acme.example"}, env)
    assert (creds.method, creds.username) == ("password", "option@acme.example")


def test_a_cli_alias_is_chosen_before_any_token_in_the_environment() -> None:
    creds = credentials_from({"target_org": "acme-prod"}, {"SF_ACCESS_TOKEN": TOKEN, "SF_INSTANCE_URL": "x.example"})
    assert creds.method == "target-org" and creds.target_org == "acme-prod"


@pytest.mark.parametrize(
    "env, method",
    [
        ({"SF_CONSUMER_KEY": "3MVG9key", "SF_USERNAME": "u@acme.example", "SF_JWT_KEY_FILE": "server.key"}, "jwt"),
        ({"SF_CONSUMER_KEY": "3MVG9key", "SF_CONSUMER_SECRET": "SECRET-cs"}, "client-credentials"),
        ({"SF_USERNAME": "u@acme.example", "SF_PASSWORD": "SECRET-pw", "SF_SECURITY_TOKEN": "SECRET-st"}, "password"),
    ],
)
def test_each_login_method_is_recognised(env: dict[str, str], method: str) -> None:
    assert credentials_from({}, env).method == method


def test_jwt_without_a_username_is_a_clear_error() -> None:
    with pytest.raises(OrgError, match="username"):
        credentials_from({}, {"SF_CONSUMER_KEY": "3MVG9key", "SF_JWT_KEY_FILE": "server.key"})


def test_a_token_without_instance_url_is_a_clear_error() -> None:
    with pytest.raises(OrgError, match="instance URL"):
        credentials_from({}, {"SF_ACCESS_TOKEN": TOKEN})


def test_nothing_to_log_in_with_lists_every_way() -> None:
    with pytest.raises(OrgError) as caught:
        credentials_from({}, {})
    for hint in ("--target-org", "SF_ACCESS_TOKEN", "SF_JWT_KEY_FILE", "SF_CONSUMER_SECRET", "SF_PASSWORD"):
        assert hint in caught.value.message


def test_login_urls_production_sandbox_and_my_domain() -> None:
    env = {"SF_USERNAME": "u@acme.example", "SF_PASSWORD": "SECRET-pw"}
    assert credentials_from({}, env).login_url == PRODUCTION_LOGIN_URL
    assert credentials_from({"sandbox": "true"}, env).login_url == SANDBOX_LOGIN_URL
    my_domain = credentials_from({"login_url": "https://acme--uat.sandbox.my.salesforce.com/"}, env)
    assert my_domain.login_url == "https://acme--uat.sandbox.my.salesforce.com"


def test_plain_http_urls_are_refused() -> None:
    with pytest.raises(OrgError, match="https"):
        normalise_url("http://acme.my.salesforce.com", "--login-url")


def test_the_repr_never_shows_a_secret() -> None:
    creds = OrgCredentials(method="password", username="u@acme.example", password="SECRET-pw-repr",
                           security_token="SECRET-st-repr", access_token="SECRET-at-repr",
                           consumer_secret="SECRET-cs-repr", consumer_key="SECRET-ck-repr")
    text = repr(creds)
    assert "SECRET" not in text
    assert "u@acme.example" in text and "password" in text


def _fake_sf_cli(folder: Path, answer: dict[str, object], exit_code: int = 0) -> None:
    script = folder / "sf"
    script.write_text(
        "#!/bin/sh\n"
        f"[ \"$1 $2 $3 $4 $5\" = 'org display --target-org acme-prod --json' ] || exit 9\n"
        f"printf '%s\\n' '{json.dumps(answer)}'\nexit {exit_code}\n",  # builtins only: PATH is this folder
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_the_sf_cli_login_reads_org_display(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_sf_cli(tmp_path, {"status": 0, "result": {"accessToken": "00D000000000002!SECRET-cli-token",
                                                    "instanceUrl": "https://acme.my.salesforce.com",
                                                    "username": "admin@acme.example"}})
    monkeypatch.setenv("PATH", str(tmp_path))
    result = login(OrgCredentials(method="target-org", target_org="acme-prod"), requests.Session())
    assert result.instance_url == "https://acme.my.salesforce.com"
    assert result.username == "admin@acme.example"
    assert result.session_id.endswith("SECRET-cli-token")


def test_an_unknown_alias_reports_the_cli_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_sf_cli(tmp_path, {"status": 1, "name": "NamedOrgNotFoundError",
                            "message": "No authorization information found for acme-prod."}, exit_code=1)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OrgError, match="No authorization information found") as caught:
        login(OrgCredentials(method="target-org", target_org="acme-prod"), requests.Session())
    assert "sf org login web --alias acme-prod" in caught.value.message


def test_without_the_sf_cli_the_error_says_how_else_to_log_in(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OrgError, match="not on PATH"):
        login(OrgCredentials(method="target-org", target_org="acme-prod"), requests.Session())


def test_an_unreadable_jwt_key_file_is_a_clear_error(tmp_path: Path) -> None:
    creds = OrgCredentials(method="jwt", consumer_key="3MVG9key", username="u@acme.example",
                           jwt_key_file=str(tmp_path / "missing.key"))
    with pytest.raises(OrgError, match="cannot be read"):
        login(creds, requests.Session())


def test_a_jwt_key_that_is_not_rsa_is_a_clear_error_without_its_content(tmp_path: Path) -> None:
    key = tmp_path / "server.key"
    key.write_text("SECRET-not-a-pem-key-material\n", encoding="utf-8")
    creds = OrgCredentials(method="jwt", consumer_key="3MVG9key", username="u@acme.example", jwt_key_file=str(key))
    with pytest.raises(OrgError, match="cannot sign") as caught:
        login(creds, requests.Session())
    assert "SECRET-not-a-pem" not in caught.value.message
    assert os.environ.get("PATH") is not None
