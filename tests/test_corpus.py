"""Every file of the shared real-world corpus loads, each on its own, without an exception."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from auditor.parse import load_files


def test_every_corpus_file_loads(corpus: Path) -> None:
    kinds: Counter[str] = Counter()
    problems = []
    files = sorted(p for p in corpus.rglob("*") if p.is_file())
    for path in files:
        rel = path.relative_to(corpus).as_posix()
        model = load_files(str(corpus), [(rel, path.read_bytes())])
        problems.extend(model.problems)
        for record in model.files:
            kinds[f"{record.kind}:{record.status}"] += 1
    assert not problems, problems
    assert sum(kinds.values()) == len(files)
    # what the corpus holds, per kind (a loader that silently dropped a kind would change this)
    assert kinds["flow:read"] == 45
    assert kinds["object:read"] == 6
    assert kinds["field:read"] == 6
    assert kinds["workflow:read"] == 1
    assert kinds["report:read"] == 1
    assert kinds["standardValueSet:read"] == 2


def test_corpus_content_is_understood(corpus: Path) -> None:
    """Real files give real values, not empty records."""
    volunteers = corpus / "SalesforceFoundation__Volunteers-for-Salesforce" / "src"
    model = load_files("v", [(p.relative_to(volunteers).as_posix(), p.read_bytes())
                              for p in volunteers.rglob("*") if p.is_file()])
    assert {f.name for f in model.fields} >= {"Volunteer_Availability__c", "Volunteer_Skills__c"}
    skills = model.field_named("Volunteer_Skills__c")
    assert skills is not None and "Marketing" in [v.api_name for v in skills.picklist_values]
    (rule,) = model.workflow_rules
    assert rule.name == "Volunteer Signup - Lead" and rule.active and rule.criteria[0].field == "Lead.Volunteer_Status__c"


def test_the_whole_corpus_can_be_audited(corpus: Path, tmp_path: Path) -> None:
    """Several orgs side by side: duplicates are reported, nothing is unreadable, nothing crashes."""
    import json

    from auditor.cli import main

    code = main(["audit", str(corpus), "--json", str(tmp_path / "r.json"), "--fail-on", "never", "-q"])
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert code == 0 and report["complete"] is True
    assert not [r for r in report["rules"] if r["status"] == "error"]
    assert {f["rule_id"] for f in report["findings"]} >= {"CF004"}


def test_every_corpus_condition_becomes_a_predicate(corpus: Path) -> None:
    """Criteria sets, flow start conditions and decisions all turn into one evaluable form."""
    from auditor.logic import Facts, Tri, criteria_formula, evaluate, flow_conditions_formula, flow_entry_formula

    counts = {"criteria": 0, "flow starts": 0, "decisions": 0}
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        model = load_files("c", [(path.relative_to(corpus).as_posix(), path.read_bytes())])
        for rule in model.workflow_rules:
            if rule.criteria:
                assert evaluate(criteria_formula(rule.criteria, rule.boolean_filter), Facts()) in Tri
                counts["criteria"] += 1
        for flow in model.flows:
            entry = flow_entry_formula(flow)
            if entry is not None:
                assert evaluate(entry, Facts(status="New")) in Tri
                counts["flow starts"] += 1
            for decision in flow.decisions:
                for outcome in decision.outcomes:
                    formula = flow_conditions_formula(outcome.conditions, outcome.condition_logic)
                    assert evaluate(formula, Facts()) in Tri
                    counts["decisions"] += 1
    assert counts == {"criteria": 1, "flow starts": 1, "decisions": 38}  # what the corpus holds today
