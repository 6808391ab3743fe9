"""Small helpers several checks share (not a rule: it has no RULE)."""

from __future__ import annotations

from auditor.findings import NotApplicable
from auditor.model import Model, SourceRef, StatusValue


def org_statuses(model: Model) -> tuple[StatusValue, ...]:
    """The org's Lead Status values, or not-applicable when the source does not hold them."""
    if model.status_source is None:
        raise NotApplicable(
            "the source holds no Lead Status values (standardValueSets/LeadStatus); retrieve "
            "StandardValueSet:LeadStatus to judge this"
        )
    return model.statuses


def status_file(model: Model) -> SourceRef | None:
    return model.status_source


def describe(value: StatusValue) -> str:
    """``'SQL' (label 'Sales Qualified')``: API name first, label when it differs."""
    if value.label and value.label != value.api_name:
        return f"'{value.api_name}' (label '{value.label}')"
    return f"'{value.api_name}'"
