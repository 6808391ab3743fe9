"""The one door from the core to the rules: the catalogue as rules and their documentation."""

from __future__ import annotations

import inspect
from types import ModuleType

from auditor.engine import INTERNAL_ERROR, INTERNAL_ERROR_DOC
from auditor.findings import Rule


def all_checks() -> tuple[ModuleType, ...]:
    from checks import ALL_CHECKS  # imported here so the core never depends on the rules

    return ALL_CHECKS


def catalogue() -> list[tuple[Rule, str]]:
    """Every rule with its documentation, sorted by id; the engine's own rule included."""
    entries = [(module.RULE, inspect.getdoc(module) or "") for module in all_checks()]
    entries.append((INTERNAL_ERROR, INTERNAL_ERROR_DOC.strip()))
    return sorted(entries, key=lambda item: item[0].id)


def find_rule(key: str) -> tuple[Rule, str] | None:
    wanted = key.strip().lower()
    return next(
        (entry for entry in catalogue() if wanted in (entry[0].id.lower(), entry[0].name.lower())),
        None,
    )
