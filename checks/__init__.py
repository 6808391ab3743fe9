"""The rule catalogue: every check module, listed explicitly (no registration by import)."""

from __future__ import annotations

from types import ModuleType

from checks import (
    cf001_metadata_unreadable,
    cf003_waiver_expired,
    cf004_component_duplicated,
    lc001_status_missing,
    lc002_status_undocumented,
    lc003_default_status_mismatch,
    lc004_converted_status_mismatch,
    lc008_unknown_status_reference,
    rt001_assignment_rule_missing,
    rt002_assignment_fallback_missing,
    vr003_formula_unparseable,
)

ALL_CHECKS: tuple[ModuleType, ...] = (
    cf001_metadata_unreadable,
    cf003_waiver_expired,
    cf004_component_duplicated,
    lc001_status_missing,
    lc002_status_undocumented,
    lc003_default_status_mismatch,
    lc004_converted_status_mismatch,
    lc008_unknown_status_reference,
    rt001_assignment_rule_missing,
    rt002_assignment_fallback_missing,
    vr003_formula_unparseable,
)
