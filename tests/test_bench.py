"""The benchmark's org generator: the S org is read whole, has the planned size, and is the same
org every time it is generated."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from auditor.process import load_process
from auditor.sources import load_model
from bench.generate import write_org
from bench.report import check_budgets, markdown
from bench.sizes import SIZES
from tests.conftest import REPO

SMALL = SIZES["S"]


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_small_org_is_read_without_an_unreadable_file_and_has_the_planned_size(tmp_path: Path) -> None:
    write_org(SMALL, tmp_path / "org")
    model = load_model(tmp_path / "org")
    assert [p for p in model.problems] == []
    assert [f.path for f in model.files if f.status == "unreadable"] == []
    assert len(model.statuses) == SMALL.statuses + 1  # the undocumented 'Working' status
    assert len(model.fields) == SMALL.fields
    assert len(model.validation_rules) == SMALL.validation_rules
    assert sum(len(rule.entries) for rule in model.assignment_rules) == SMALL.assignment_entries
    assert sum(rule.active for rule in model.assignment_rules) == 1
    assert sum(len(rule.entries) for rule in model.auto_response_rules) == SMALL.auto_response_entries
    stage_flows = [flow for flow in model.flows if flow.name.startswith("Lead_Stage_Flow_")]
    assert len(stage_flows) == SMALL.flows
    assert all(len(flow.elements) + len(flow.decisions) == SMALL.flow_elements for flow in stage_flows)
    assert all(flow.scheduled_paths and flow.decisions for flow in stage_flows)
    assert len(model.workflow_rules) == SMALL.workflow_rules
    assert len(model.queues) == SMALL.queues
    assert len(model.reports) == SMALL.reports
    assert len(model.record_types) == SMALL.record_types
    assert len(model.business_processes) == SMALL.business_processes
    process = load_process(tmp_path / "org" / "process.yaml")
    assert [s.api_name for s in process.statuses][:2] == ["New", "Contacted"]


def test_generation_is_deterministic_and_the_seed_changes_the_org(tmp_path: Path) -> None:
    write_org(SMALL, tmp_path / "a")
    first = _digest(tmp_path / "a")
    write_org(SMALL, tmp_path / "b")
    write_org(SMALL, tmp_path / "c", seed=9)
    assert first == _digest(tmp_path / "b")
    assert first != _digest(tmp_path / "c")
    assert len(first) == len(_digest(tmp_path / "c"))  # the seed picks content, not the size


def test_budgets_are_judged_from_the_measurements() -> None:
    run = {"files": 1, "megabytes": 0.1, "findings": 0, "phases": {"load": 0.1}, "rules": {},
           "audit_seconds": 1.0, "lxml_floor_seconds": 0.2, "max_rss_mb": 50.0, "peak_heap_mb": 20.0,
           "process": {"seconds": 1.2, "max_rss_mb": 450.0}}
    results = {"machine": {"cpu": "x", "cores": 2, "system": "Linux", "implementation": "CPython", "python": "3.11"},
               "sizes": {"L": run, "XL": {**run, "audit_seconds": 13.0, "lxml_floor_seconds": 2.0}},
               "version": {"seconds": 0.2}}
    verdicts = check_budgets(results)
    assert verdicts["L process time"]["met"] is True
    assert verdicts["L process memory"]["met"] is False
    assert verdicts["audit vs lxml floor"]["measured"] == 6.5 and verdicts["audit vs lxml floor"]["met"] is True
    assert verdicts["XL growth"]["measured"] == 13.0 and verdicts["XL growth"]["met"] is False
    assert verdicts["--version"]["met"] is True
    results["budgets"] = verdicts
    assert "| L process memory |" in markdown(results) and "**missed**" in markdown(results)


def test_the_readmes_show_the_latest_run_and_say_why_each_missed_budget_is_missed() -> None:
    """The issue's "must show": the latest table, with its machine, in the README (and in
    bench/README.md), and for every budget missed, a word on it beside the table."""
    latest = (REPO / "bench" / "results" / "latest.md").read_text(encoding="utf-8")
    table = latest[latest.index("Machine:"):].rstrip()
    budgets = json.loads((REPO / "bench" / "results" / "latest.json").read_text(encoding="utf-8"))["budgets"]
    missed = [name for name, verdict in budgets.items() if not verdict["met"]]
    for readme, explained in ((REPO / "README.md", "budgets are missed"), (REPO / "bench" / "README.md", "Budgets missed")):
        text = readme.read_text(encoding="utf-8")
        assert table in text, f"{readme.name} does not show the latest bench/results/latest.md"
        if missed:
            assert explained in text, f"{readme.name} does not say why {missed} missed"
    words = {"L process time": "L process time", "audit vs lxml floor": "lxml floor"}
    bench_readme = (REPO / "bench" / "README.md").read_text(encoding="utf-8")
    why = bench_readme[bench_readme.index("## Budgets missed"):]
    assert all(words.get(name, name) in why for name in missed), missed
