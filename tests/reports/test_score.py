"""The area health score: weights by severity, waived counts as checked, nothing checked is no score."""

from __future__ import annotations

from auditor.findings import NOTHING_TO_CHECK, Checked, RuleOutcome
from reports.score import FORMULA, SCORED_AREAS, area_scores
from tests.reports.conftest import LC001, LC002, SL001, make_result


def test_scores_follow_the_written_formula() -> None:
    # conftest: LC001 (high) fails Status:Nurture and Status:Recycled; SL001 (medium) fails Status:Working;
    # RT002 (high) fails one subject, RT005 (low) fails Empty_Queue and has Legacy waived.
    passed = (
        Checked("LC001", "Status:New", None),
        Checked("LC002", "Status:(default)", None),  # medium, passes
        Checked("SL001", "Status:MQL", None),
        Checked("SL001", "Status:SQL", None),
        Checked("RT005", NOTHING_TO_CHECK, None),  # must not count
    )
    scores = {s.area: s for s in area_scores(make_result(passed=passed))}
    assert tuple(scores) == SCORED_AREAS and "configuration" not in scores
    life = scores["lifecycle"]  # checked 3+3+3+2 = 11, failed 3+3 = 6 -> 100*5/11 = 45.45 -> 45
    assert (life.checked, life.failed, life.checked_weight, life.failed_weight, life.score) == (4, 2, 11, 6, 45)
    sla = scores["sla"]  # three medium checks, one failed: 100*4/6 = 66.6 -> 66 (rounded down)
    assert (sla.checked_weight, sla.failed_weight, sla.score, sla.band) == (6, 2, 66, "poor")
    routing = scores["routing"]  # RT002 3 failed, RT005 Empty_Queue 1 failed, Legacy 1 waived: 100*1/5
    assert (routing.checked, routing.failed, routing.score) == (3, 2, 20)
    assert scores["scoring"].score is None and scores["scoring"].band == "none"  # nothing checked
    assert "rounded down" in FORMULA and "not assessed" in FORMULA


def test_a_clean_area_scores_100_and_a_waiver_does_not_lower_it() -> None:
    result = make_result(findings=(), outcomes=(RuleOutcome(LC001, "ran"), RuleOutcome(SL001, "ran"),
                                               RuleOutcome(LC002, "ran")),
                         passed=(Checked("LC001", "Status:New", None),))
    scores = {s.area: s for s in area_scores(result)}
    assert scores["lifecycle"].score == 100 and scores["lifecycle"].band == "good"
    assert scores["routing"].score == 100  # only the waived RT005 Legacy: checked, not failed
