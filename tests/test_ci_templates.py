"""The CI templates shipped in ci/ and .pre-commit-hooks.yaml: valid YAML, and every
``leadaudit`` command line in them names a command and options leadaudit has.

A template that calls an option leadaudit renamed fails only in a user's nightly job, weeks
later; this test makes it fail here instead. The options are read from the click commands
themselves, so the test needs no update when an option is added.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
import yaml

from auditor.cli import cli
from tests.conftest import REPO

TEMPLATES = (
    REPO / "ci" / "github-actions" / "leadaudit.yml",
    REPO / "ci" / "gitlab" / ".gitlab-ci.yml",
    REPO / "ci" / "azure" / "azure-pipelines.yml",
    REPO / ".pre-commit-hooks.yaml",
)

def _commands() -> dict[str, click.Command]:
    ctx = click.Context(cli)
    found = {name: cli.get_command(ctx, name) for name in cli.list_commands(ctx)}  # lazy ones too
    return {name: command for name, command in found.items() if command is not None}


def _strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def command_lines(document: object) -> list[list[str]]:
    """Each ``leadaudit ...`` invocation in the document's strings, as shell words."""
    found: list[list[str]] = []
    for text in _strings(document):
        joined = re.sub(r"\\\n\s*", " ", text)  # shell line continuations
        for line in joined.splitlines():
            for part in re.split(r"&&|\|\||;", line):
                words = shlex.split(part.strip(), comments=True) if part.strip() else []
                if len(words) > 1 and words[0] == "leadaudit":  # a bare name is a label, not a command
                    found.append(words)
    return found


def _pre_commit_lines(hooks: list[dict[str, object]]) -> list[list[str]]:
    lines = []
    for hook in hooks:
        entry = shlex.split(str(hook["entry"]))
        args = [str(arg) for arg in hook.get("args", [])]  # type: ignore[attr-defined]
        lines.append(entry + args)
    return lines


def _check(words: list[str], commands: dict[str, click.Command]) -> list[str]:
    problems = []
    name = words[1] if len(words) > 1 else ""
    command = commands.get(name)
    if command is None:
        return [f"'leadaudit {name}': no such command (commands: {', '.join(sorted(commands))})"]
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | {"--help", "-h"}
    for word in words[2:]:
        if word.startswith("-") and word != "-":
            option = word.split("=", 1)[0]
            if option not in known:
                problems.append(f"'leadaudit {name}' has no option {option}")
    return problems


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(REPO)))
def test_template_is_yaml_and_calls_only_what_leadaudit_has(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert document, f"{path} is empty"
    lines = _pre_commit_lines(document) if path.name == ".pre-commit-hooks.yaml" else command_lines(document)
    assert lines, f"{path} runs no leadaudit command"
    commands = _commands()
    problems = [problem for words in lines for problem in _check(words, commands)]
    assert not problems, f"{path.relative_to(REPO)}: " + "; ".join(problems)


def test_the_checker_catches_a_wrong_option_and_command() -> None:
    document = {"script": ["leadaudit audit --org --htlm r.html", "leadaudit snapshots . -o s.json"]}
    problems = [p for words in command_lines(document) for p in _check(words, _commands())]
    assert problems == ["'leadaudit audit' has no option --htlm", problems[1]]
    assert problems[1].startswith("'leadaudit snapshots': no such command")


def test_github_workflow_runs_nightly_with_secrets_from_the_environment() -> None:
    workflow = yaml.safe_load((REPO / "ci" / "github-actions" / "leadaudit.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads the key 'on' as True
    assert triggers["schedule"][0]["cron"]
    job = workflow["jobs"]["audit"]
    assert job["env"] == {"SF_CONSUMER_KEY": "${{ secrets.SF_CONSUMER_KEY }}", "SF_USERNAME": "${{ secrets.SF_USERNAME }}"}
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert any(u.startswith("actions/upload-artifact@") for u in uses)
    text = (REPO / "ci" / "github-actions" / "leadaudit.yml").read_text(encoding="utf-8")
    assert "SF_JWT_KEY_FILE=" in text and "--jwt-key-file" not in text  # the key path comes from the environment
    for words in command_lines(workflow):
        assert not any("secrets." in word for word in words), "a secret on a command line ends up in logs"


def test_gitlab_job_keeps_the_junit_report() -> None:
    document = yaml.safe_load((REPO / "ci" / "gitlab" / ".gitlab-ci.yml").read_text(encoding="utf-8"))
    artifacts = document["leadaudit"]["artifacts"]
    assert artifacts["when"] == "always"
    assert "reports/leadaudit-junit.xml" in artifacts["reports"]["junit"]
