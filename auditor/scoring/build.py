"""The merged scoring model the checks read: the scoring file, the Salesforce metadata, and any
further part a live source supplies (the Account Engagement API fills the same records, origin
"account engagement api").
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.model import Model
from auditor.process import Process
from auditor.scoring.model import ScoringModel, merge
from auditor.scoring.salesforce import salesforce_scoring
from auditor.scoring.settings import scoring_settings


def build_scoring(model: Model, process: Process | None, extra: Sequence[ScoringModel] = ()) -> ScoringModel | None:
    """None when no source says anything about scoring: the SC rules are then not applicable."""
    parts = [salesforce_scoring(model, scoring_settings(process)), *extra]
    if process is not None and process.scoring_model is not None:
        parts.insert(0, process.scoring_model)
    merged = merge(parts)
    return None if merged.is_empty else merged
