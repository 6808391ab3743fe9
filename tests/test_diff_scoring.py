"""Scoring drift in process terms: the two versions of the Contoso scoring file and process, and
each kind of scoring change on small hand-made models (Account Engagement rules and flows)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from auditor.diff import Change, diff
from auditor.model import Model, SourceRef
from auditor.process import load_process
from auditor.scoring.model import (
    Action,
    AutomationRule,
    Criterion,
    Form,
    GradingProfile,
    NurtureProgram,
    ScoringCategory,
    ScoringModel,
    ScoringRule,
)
from auditor.scoring.settings import scoring_settings
from auditor.snapshot import ScoringSnapshot, scoring_snapshot
from auditor.sources import load_model
from tests.conftest import FIXTURE_ORGS, REPO

DRIFT = REPO / "tests" / "fixtures" / "drift"
V1, V2 = FIXTURE_ORGS / "drift-v1", FIXTURE_ORGS / "drift-v2"
FILE = SourceRef("scoring.yaml", 1)
FLOW = SourceRef("force-app/main/default/flows/Lead_Set_MQL.flow-meta.xml", 2)


@pytest.fixture(scope="module")
def models() -> tuple[Model, Model]:
    return load_model(V1), load_model(V2)


def _scoring_of(model: Model, process_name: str) -> ScoringSnapshot:
    path = DRIFT / process_name
    return scoring_snapshot(model, load_process(path), path)


def _scoring(changes: list[Change]) -> list[tuple[str, str]]:
    return [(c.kind, c.subject) for c in changes if c.area == "scoring"]


def test_the_two_scoring_versions_differ_exactly_so(models: tuple[Model, Model]) -> None:
    v1, v2 = models
    changes = diff(v1, v2, old_scoring=_scoring_of(v1, "process-v1.yaml"), new_scoring=_scoring_of(v2, "process-v2.yaml"))
    assert _scoring(changes) == [
        ("scoring.decay_removed", "AutomationRule:Decay after 15 days"),
        ("scoring.decay_changed", "AutomationRule:Decay after 30 days"),
        ("scoring.decay_added", "AutomationRule:Decay after 45 days"),
        ("scoring.threshold_changed", "AutomationRule:MQL threshold"),
        ("scoring.completion_actions_changed", "Form:Request a demo"),
        ("scoring.hand_raiser_added", "Form:Request a quote"),
        ("scoring.grading_criterion_added", "GradingProfile:Contoso ICP/Country is Germany"),
        ("scoring.grading_criterion_removed", "GradingProfile:Contoso ICP/Department is Supply Chain"),
        ("scoring.grading_criterion_added", "GradingProfile:Contoso ICP/Job Title contains Logistics"),
        ("scoring.grading_criterion_added", "GradingProfile:Contoso ICP/NumberOfEmployees >= 5000"),
        ("scoring.grading_criterion_added", "GradingProfile:Contoso ICP/Region__c is DACH"),
        ("scoring.nurture_paused", "NurtureProgram:Contoso nurture drip"),
        ("scoring.nurture_added", "NurtureProgram:Event follow-up nurture"),
        ("scoring.nurture_activated", "NurtureProgram:Re-engagement Q3"),
        ("scoring.page_action_changed", "PageAction:Pricing page"),
        ("scoring.decay_windows_changed", "Process:scoring.decay_days"),
        ("scoring.threshold_changed", "Process:scoring.mql_threshold"),
        ("scoring.category_added", "ScoringCategory:Events"),
        ("scoring.limit_crossed", "ScoringModel:criteria"),
        ("scoring.rule_removed", "ScoringRule:Email open"),
        ("scoring.points_changed", "ScoringRule:Pricing page view"),
        ("scoring.rule_added", "ScoringRule:Trade show badge scan"),
        ("scoring.points_changed", "ScoringRule:Webinar attendance"),
        ("scoring.rule_category_changed", "ScoringRule:Webinar attendance"),
    ]
    assert len(changes) - len(_scoring(changes)) == len(diff(v1, v2))  # the Model's changes are unchanged


def test_scoring_changes_say_before_after_and_where(models: tuple[Model, Model]) -> None:
    v1, v2 = models
    changes = diff(v1, v2, old_scoring=_scoring_of(v1, "process-v1.yaml"), new_scoring=_scoring_of(v2, "process-v2.yaml"))
    by_key = {(c.kind, c.subject, c.after): c for c in changes}
    threshold = by_key[("scoring.threshold_changed", "AutomationRule:MQL threshold", "100 points")]
    assert threshold.before == "75 points" and threshold.location == SourceRef("scoring-v2.yaml", 33)
    assert threshold.summary == "Automation rule 'MQL threshold' now makes a lead MQL at 100 points instead of 75 points"
    process = by_key[("scoring.threshold_changed", "Process:scoring.mql_threshold", "100 points")]
    assert process.location == SourceRef("process-v2.yaml", 13)  # the line of scoring: in the process file
    decay = by_key[("scoring.decay_changed", "AutomationRule:Decay after 30 days",
                    "adjust_score -15 after 30 days without activity")]
    assert decay.summary == ("Automation rule 'Decay after 30 days' now does adjust_score -15 instead of "
                             "adjust_score -10 after 30 days without activity")
    decay_off = by_key[("scoring.decay_removed", "AutomationRule:Decay after 15 days", "inactive")]
    assert decay_off.before == "adjust_score -5 after 15 days without activity"
    assert "was deactivated" in decay_off.summary and not decay_off.located_in_old
    removed = by_key[("scoring.grading_criterion_removed", "GradingProfile:Contoso ICP/Department is Supply Chain", None)]
    assert removed.before == "Department is Supply Chain" and removed.location == SourceRef("scoring-v1.yaml", 25)
    assert removed.located_in_old
    added = {c.after for c in changes if c.kind == "scoring.grading_criterion_added"}
    assert added == {"Country is Germany", "Region__c is DACH", "NumberOfEmployees >= 5000",
                     "Job Title contains Logistics"}
    limit = by_key[("scoring.limit_crossed", "ScoringModel:criteria", "13 criteria (limit 12)")]
    assert limit.before == "10 criteria (limit 12)" and "over the process's limit of 12" in limit.summary
    demo = by_key[("scoring.completion_actions_changed", "Form:Request a demo", "adjust_score 50")]
    assert demo.before == "set_field Hand_Raiser__c = true, assign_queue Hot_Leads"
    assert demo.summary.endswith("the hand-raiser no longer routes the lead at once, it waits for the score")
    paused = by_key[("scoring.nurture_paused", "NurtureProgram:Contoso nurture drip", "paused")]
    assert paused.before == "active"


def test_going_back_reverses_the_scoring_drift(models: tuple[Model, Model]) -> None:
    v1, v2 = models
    back = diff(v2, v1, old_scoring=_scoring_of(v2, "process-v2.yaml"), new_scoring=_scoring_of(v1, "process-v1.yaml"))
    by_key = {(c.kind, c.subject): c for c in back}
    assert (by_key[("scoring.threshold_changed", "AutomationRule:MQL threshold")].after) == "75 points"
    assert by_key[("scoring.decay_added", "AutomationRule:Decay after 15 days")].before == "inactive"
    quote = by_key[("scoring.hand_raiser_removed", "Form:Request a quote")]
    assert quote.after is None and quote.located_in_old and quote.location is not None
    assert quote.location.path == "scoring-v2.yaml"
    assert "back within the process's limit of 12" in by_key[("scoring.limit_crossed", "ScoringModel:criteria")].summary
    assert ("scoring.decay_removed", "AutomationRule:Decay after 45 days") in by_key
    assert ("scoring.nurture_removed", "NurtureProgram:Event follow-up nurture") in by_key


def test_same_scoring_has_no_drift_and_one_sided_scoring_is_not_compared(models: tuple[Model, Model]) -> None:
    v1, _ = models
    part = _scoring_of(v1, "process-v1.yaml")
    assert diff(v1, v1, old_scoring=part, new_scoring=_scoring_of(load_model(V1), "process-v1.yaml")) == []
    assert diff(v1, v1, old_scoring=part, new_scoring=None) == []
    assert diff(v1, v1, old_scoring=None, new_scoring=part) == []


# --- hand-made models -------------------------------------------------------------------------


def _side(scoring: ScoringModel | None, **settings: Any) -> ScoringSnapshot:
    return ScoringSnapshot("process.yaml", dataclasses.replace(scoring_settings(None), **settings), scoring)


def _mql_flow(threshold: float, *, active: bool = True, status: str = "MQL") -> AutomationRule:
    """The flow Lead_Set_MQL as auditor.scoring.salesforce reads it: pi__score__c >= N sets the status."""
    return AutomationRule("Lead_Set_MQL", active, (Criterion("score", ">=", float(threshold)),),
                          (Action("set_status", status),), "salesforce metadata", FLOW, kind="flow")


def _changes(old: ScoringSnapshot, new: ScoringSnapshot) -> dict[tuple[str, str], Change]:
    return {(c.kind, c.subject): c for c in diff(Model(source_name="t"), Model(source_name="t"),
                                                   old_scoring=old, new_scoring=new)}


def test_a_flow_threshold_change_is_said_with_the_flows_name() -> None:
    changes = _changes(_side(ScoringModel(automation_rules=(_mql_flow(50),))),
                       _side(ScoringModel(automation_rules=(_mql_flow(65),))))
    [change] = changes.values()
    assert (change.kind, change.subject, change.before, change.after) == (
        "scoring.threshold_changed", "Flow:Lead_Set_MQL", "50 points", "65 points")
    assert change.summary == "Flow Lead_Set_MQL now makes a lead MQL at 65 points instead of 50 points"
    assert change.location == FLOW


@pytest.mark.parametrize(("after", "kind", "words"), [
    (_mql_flow(50, active=False), "scoring.mql_rule_removed", "inactive"),
    (_mql_flow(50, status="SAL"), "scoring.mql_rule_removed", "active, does not set MQL on a score"),
    (None, "scoring.mql_rule_removed", None),
])
def test_an_mql_rule_switched_off_or_changed_is_removed(after: AutomationRule | None, kind: str,
                                                        words: str | None) -> None:
    new_rules = (after,) if after is not None else ()
    changes = _changes(_side(ScoringModel(automation_rules=(_mql_flow(50),))),
                       _side(ScoringModel(automation_rules=new_rules)))
    change = changes[(kind, "Flow:Lead_Set_MQL")]
    assert (change.before, change.after) == ("MQL at 50 points", words)
    assert list(changes) == [(kind, "Flow:Lead_Set_MQL")]


def test_a_new_mql_rule_is_added_with_its_threshold() -> None:
    rule = AutomationRule("MQL at 90", True, (Criterion("score", ">", 89.0),), (Action("set_status", "MQL"),),
                          "scoring file", FILE)
    change = _changes(_side(ScoringModel()), _side(ScoringModel(automation_rules=(rule,))))[
        ("scoring.mql_rule_added", "AutomationRule:MQL at 90")]
    assert (change.before, change.after) == (None, "MQL at 90 points")  # score > 89 is score >= 90
    assert change.summary == "Automation rule 'MQL at 90' was added: it makes a lead MQL at 90 points"


def test_the_mql_status_of_the_process_decides_what_an_mql_rule_is() -> None:
    qualified = AutomationRule("Qualify", True, (Criterion("score", ">=", 80.0),),
                               (Action("set_status", "Marketing Qualified"),), "scoring file", FILE)
    model = ScoringModel(automation_rules=(qualified,))
    changes = _changes(_side(model), _side(model, mql_status="Marketing Qualified"))
    assert set(changes) == {("scoring.setting_changed", "Process:scoring.mql_status"),
                            ("scoring.mql_rule_added", "AutomationRule:Qualify")}
    assert changes[("scoring.mql_rule_added", "AutomationRule:Qualify")].before == "active, does not set MQL on a score"


def test_crossing_the_limits_either_way_and_a_changed_limit() -> None:
    rules = tuple(ScoringRule(f"Activity {i}", 5.0, None, "scoring file", FILE) for i in range(13))
    categories = tuple(ScoringCategory(f"C{i}", "scoring file", FILE) for i in range(3))
    model = ScoringModel(categories=categories, scoring_rules=rules, file=FILE)
    changes = _changes(_side(model, max_criteria=12, max_categories=2), _side(model, max_criteria=15, max_categories=3))
    criteria = changes[("scoring.limit_crossed", "ScoringModel:criteria")]
    assert (criteria.before, criteria.after) == ("13 criteria (limit 12)", "13 criteria (limit 15)")
    assert "back within the process's limit of 15" in criteria.summary and criteria.location == FILE
    assert ("scoring.limit_crossed", "ScoringModel:categories") in changes
    assert changes[("scoring.limit_changed", "Process:scoring.max_criteria")].after == "15 criteria"
    still_over = _changes(_side(model, max_criteria=10), _side(model, max_criteria=11))
    assert ("scoring.limit_crossed", "ScoringModel:criteria") not in still_over  # over before and after


def test_grading_criteria_compare_as_a_multiset() -> None:
    germany = Criterion("Country", "is", "Germany")
    big = Criterion("NumberOfEmployees", ">=", 250.0)
    old = GradingProfile("ICP", (germany, germany, big), "scoring file", FILE)
    new = GradingProfile("ICP", (big, germany), "scoring file", FILE)
    changes = diff(Model(source_name="t"), Model(source_name="t"),
                   old_scoring=_side(ScoringModel(grading_profiles=(old,))),
                   new_scoring=_side(ScoringModel(grading_profiles=(new,))))
    assert [(c.kind, c.before, c.after) for c in changes] == [
        ("scoring.grading_criterion_removed", "Country is Germany", None)]
    gone = _changes(_side(ScoringModel(grading_profiles=(old,))), _side(ScoringModel()))
    assert gone[("scoring.grading_profile_removed", "GradingProfile:ICP")].before == "3 criteria"


def test_a_form_that_stops_being_a_hand_raiser_and_programs_that_change_plan() -> None:
    route = (Action("assign_queue", "Hot_Leads"),)
    old = ScoringModel(forms=(Form("Contact us", True, route, "scoring file", FILE),),
                       nurture_programs=(NurtureProgram("Drip", True, "Nurture", 90, "scoring file", FILE),))
    new = ScoringModel(forms=(Form("Contact us", False, route, "account engagement api", FILE),),
                       nurture_programs=(NurtureProgram("Drip", True, "Recycled", 30, "scoring file", FILE),))
    changes = _changes(_side(old), _side(new))
    assert set(changes) == {("scoring.hand_raiser_removed", "Form:Contact us"),
                            ("scoring.nurture_changed", "NurtureProgram:Drip")}
    form = changes[("scoring.hand_raiser_removed", "Form:Contact us")]
    assert (form.before, form.after) == ("hand-raiser: assign_queue Hot_Leads", "not a hand-raiser")
    program = changes[("scoring.nurture_changed", "NurtureProgram:Drip")]
    assert (program.before, program.after) == ("nurtures Nurture, re-engages after 90 days",
                                               "nurtures Recycled, re-engages after 30 days")


def test_process_settings_without_a_scoring_model_still_compare() -> None:
    changes = _changes(_side(None, mql_threshold=None, fit_field=None),
                       _side(None, mql_threshold=60.0, fit_field="Fit_Score__c", hot_sla_hours=2.0))
    assert changes[("scoring.threshold_changed", "Process:scoring.mql_threshold")].before == "not set"
    assert changes[("scoring.setting_changed", "Process:scoring.fit_field")].after == "Fit_Score__c"
    assert (changes[("scoring.setting_changed", "Process:scoring.hot_sla_hours")].before,
            changes[("scoring.setting_changed", "Process:scoring.hot_sla_hours")].after) == ("4", "2")


def test_a_decay_flow_that_waits_longer_says_only_the_wait() -> None:
    def decay(days: float) -> AutomationRule:
        return AutomationRule("Lead_Score_Decay", True, (Criterion("days_since_last_activity", ">=", days),),
                              (Action("adjust_score", -10.0),), "salesforce metadata", FLOW, kind="flow")

    changes = _changes(_side(ScoringModel(automation_rules=(decay(30.0),))),
                       _side(ScoringModel(automation_rules=(decay(45.0),))))
    change = changes[("scoring.decay_changed", "Flow:Lead_Score_Decay")]
    assert change.summary == "Flow Lead_Score_Decay now lowers the score after 45 days without activity instead of 30"
    assert (change.before, change.after) == ("adjust_score -10 after 30 days without activity",
                                             "adjust_score -10 after 45 days without activity")
    gone = _changes(_side(ScoringModel(automation_rules=(decay(30.0),))), _side(ScoringModel()))
    assert gone[("scoring.decay_removed", "Flow:Lead_Score_Decay")].summary == (
        "Flow Lead_Score_Decay was deleted: it no longer lowers the score after 30 days without activity")
