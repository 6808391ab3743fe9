"""Shared test helpers: where the repository, the shared corpus and the fixture orgs are."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE_ORGS = REPO / "tests" / "fixtures" / "orgs"
CORPUS = REPO.parent / "shared" / "corpus"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS} (it lives beside the checkout)")
    return CORPUS
