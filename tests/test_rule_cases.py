"""Rule tests as data: every tests/cases/<RULE>.yaml becomes one test per case.

A case gives metadata files (path -> XML), optionally a process file (and the scoring model file
it names, as ``scoring_model`` written to scoring.yaml), and what the rule must say:
the exact findings (subject, severity, a phrase of the message, file and line), optionally the
exact subjects it checked and passed (``passed``), or that it is not applicable and why. The files go through the real loader and the rule through the real engine.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from auditor.engine import run_audit
from auditor.parse import load_files
from auditor.process import load_process
from auditor.registry import all_checks

CASES_DIR = Path(__file__).parent / "cases"
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.timezone.utc)


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in spec["cases"]:
            params.append(pytest.param(spec["rule"], case, id=f"{spec['rule']}-{case['name']}"))
    return params


def _rule_modules() -> list[Any]:
    """Every rule module in checks/, registered or not, so a new rule's cases run as it is written."""
    import checks

    found = []
    for info in pkgutil.iter_modules(checks.__path__):
        module = importlib.import_module(f"checks.{info.name}")
        if hasattr(module, "RULE"):
            found.append(module)
    return found


def _check_module(rule_id: str) -> Any:
    return next(m for m in _rule_modules() if m.RULE.id == rule_id)


def _encode(text: str, crlf: bool) -> bytes:
    data = text.encode("utf-8")
    return data.replace(b"\n", b"\r\n") if crlf else data


@pytest.mark.parametrize(("rule_id", "case"), _load_cases())
def test_rule_case(rule_id: str, case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # findings name the process file as the user gave it: process.yaml
    files = [(p, _encode(text, case.get("crlf", False))) for p, text in (case.get("files") or {}).items()]
    model = load_files("case", files)
    process = None
    if case.get("scoring_model") is not None:  # the file a case's process names as scoring_model: scoring.yaml
        Path("scoring.yaml").write_text(yaml.safe_dump(case["scoring_model"], sort_keys=False), encoding="utf-8")
    if case.get("process") is not None:
        process_file = Path("process.yaml")
        process_file.write_text(yaml.safe_dump(case["process"], sort_keys=False), encoding="utf-8")
        process = load_process(process_file)
    result = run_audit(model, process, [_check_module(rule_id)], now=NOW, tool_version="test")

    outcome = next(o for o in result.outcomes if o.rule.id == rule_id)
    if "not_applicable" in case:
        assert outcome.status == "not-applicable", result.findings
        assert case["not_applicable"] in outcome.reason
        return
    assert outcome.status == "ran", outcome.reason
    got = [f for f in result.findings if f.rule_id == rule_id]
    expected = case.get("expect") or []
    assert len(got) == len(expected), [f"{f.subject}: {f.message}" for f in got]
    unmatched = list(got)
    for want in expected:
        match = next((f for f in unmatched if _matches(f, want)), None)
        assert match is not None, f"no finding like {want} in {[f'{f.subject}: {f.message} @ {f.location}' for f in unmatched]}"
        unmatched.remove(match)
    if "passed" in case:
        # the subjects the rule judged and found nothing wrong with: JUnit's passing testcases
        passed = sorted(c.subject for c in result.passed if c.rule_id == rule_id)
        assert passed == sorted(case["passed"]), passed


def _matches(finding: Any, want: dict[str, Any]) -> bool:
    loc = finding.location
    return (
        finding.subject == want["subject"]
        and finding.severity.label == want.get("severity", finding.severity.label)
        and all(phrase in finding.message for phrase in _as_list(want.get("message", [])))
        and ("path" not in want or (loc is not None and loc.path == want["path"]))
        and ("line" not in want or (loc is not None and loc.line == want["line"]))
        and bool(finding.fix)  # every finding says how to fix it
    )


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def test_every_rule_has_pass_and_fail_cases() -> None:
    """DESIGN: each rule has at least one failing and one passing case as data."""
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for path in CASES_DIR.glob("*.yaml"):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert path.stem == spec["rule"], f"{path.name} must be named after its rule"
        by_rule[spec["rule"]] = spec["cases"]
    for module in all_checks():
        cases = by_rule.get(module.RULE.id)
        assert cases, f"no tests/cases/{module.RULE.id}.yaml"
        assert any(c.get("expect") for c in cases), f"{module.RULE.id} has no failing case"
        assert any("expect" in c and not c["expect"] for c in cases), f"{module.RULE.id} has no passing case"
        # a rule must say what it checked, or JUnit could only count its failures
        assert any(c.get("passed") for c in cases), f"{module.RULE.id} has no case listing the subjects it passed"


def test_every_rule_module_is_registered() -> None:
    """checks/__init__.py lists rules explicitly; a module left out of it would never run."""
    registered = {m.__name__ for m in all_checks()}
    assert {m.__name__ for m in _rule_modules()} == registered
