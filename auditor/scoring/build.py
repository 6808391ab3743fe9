"""The merged scoring model the checks read: the scoring file, the Salesforce metadata, the
Account Engagement API's answer kept beside a live retrieval (account-engagement.json,
reconciled with the file by auditor.scoring.api), and any further part a caller supplies.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.model import Model
from auditor.process import Process
from auditor.scoring.api import reconcile
from auditor.scoring.model import ScoringModel, merge
from auditor.scoring.salesforce import salesforce_scoring
from auditor.scoring.settings import scoring_settings


def build_scoring(model: Model, process: Process | None, extra: Sequence[ScoringModel] = ()) -> ScoringModel | None:
    """None when no source says anything about scoring: the SC rules are then not applicable."""
    documented = process.scoring_model if process is not None else None
    parts = [salesforce_scoring(model, scoring_settings(process)), *extra]
    if model.account_engagement is not None:
        documented, from_api = reconcile(model.account_engagement, documented)
        parts.append(from_api)
    if documented is not None:
        parts.insert(0, documented)
    merged = merge(parts)
    return None if merged.is_empty else merged
