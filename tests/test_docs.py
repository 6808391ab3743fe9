"""The rule catalogue in the README and docs/rules.md is generated from the docstrings."""

from __future__ import annotations

from auditor.docs import END, START, readme_table, rules_markdown, with_table
from auditor.registry import catalogue
from tests.conftest import REPO


def test_readme_catalogue_is_current() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert START in readme and END in readme
    assert with_table(readme) == readme, "README rule table is stale: run python -m auditor.docs"
    for rule, _doc in catalogue():
        assert f"| {rule.id} | `{rule.name}` |" in readme_table()


def test_rules_md_is_current() -> None:
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules_markdown(), (
        "docs/rules.md is stale: run python -m auditor.docs"
    )


def test_readme_quickstart_has_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "leadaudit audit examples/demo-org --html report.html --junit report.xml" in readme
    assert "pip install -e '.[test]' && python -m pytest" in readme
