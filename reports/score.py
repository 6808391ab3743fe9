"""The health score of each area: how much of what was checked there is in order.

Every (rule, subject) pair a rule checked weighs by its severity: 3 high, 2 medium, 1 low. A
pair with a finding counts as failed (at the finding's severity); a waived one counts as checked
and not failed, because someone accepted it in writing. The score is
``100 x (1 - failed weight / checked weight)``, rounded down, so a single open finding keeps an
area below 100. An area where nothing was checked has no score ("not assessed"): an empty area
must never read as a perfect one. FORMULA is printed in the HTML report beside the scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from auditor.findings import AREAS, NOTHING_TO_CHECK, AuditResult, Severity

WEIGHTS: dict[Severity, int] = {Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1}

#: The areas a lead process is judged on; configuration (could the metadata be read?) is shown as
#: the audit's completeness instead, since an unreadable file says nothing about the process.
SCORED_AREAS: tuple[str, ...] = tuple(area for area in AREAS.values() if area != "configuration")

FORMULA = (
    "score = 100 × (1 − failed weight ÷ checked weight), rounded down. Each rule checked against "
    "each subject (a status, an assignment entry, a flow…) weighs 3 when the rule is high, 2 medium, "
    "1 low; it fails when it has a finding, weighed at the finding's severity. Waived findings count "
    "as checked, not failed. An area where nothing was checked is not assessed."
)


@dataclass(frozen=True)
class AreaScore:
    area: str
    score: int | None  # None: nothing was checked, so no score
    checked: int  # (rule, subject) pairs
    failed: int
    checked_weight: int
    failed_weight: int

    @property
    def band(self) -> str:
        """"good" (90+), "fair" (70+), "poor", or "none"; a word for the colour, never alone."""
        if self.score is None:
            return "none"
        return "good" if self.score >= 90 else "fair" if self.score >= 70 else "poor"


def area_scores(result: AuditResult) -> tuple[AreaScore, ...]:
    rule_weight = {o.rule.id: WEIGHTS[o.rule.severity] for o in result.outcomes}
    # (area, rule, subject) -> (weight checked, weight failed); a subject with two findings of one
    # rule is one check that failed, at its worst finding's severity.
    pairs: dict[tuple[str, str, str], tuple[int, int]] = {}
    for finding in result.findings:
        key = (finding.area, finding.rule_id, finding.subject)
        weight = WEIGHTS[finding.severity]
        old = pairs.get(key, (0, 0))
        pairs[key] = (max(old[0], weight), max(old[1], weight))
    for waived in result.waived:
        f = waived.finding
        pairs.setdefault((f.area, f.rule_id, f.subject), (WEIGHTS[f.severity], 0))
    for checked in result.passed:
        if checked.subject == NOTHING_TO_CHECK:
            continue  # a rule with nothing to judge adds nothing to an area's health
        area = AREAS[checked.rule_id[:2]]
        pairs.setdefault((area, checked.rule_id, checked.subject), (rule_weight.get(checked.rule_id, 1), 0))

    # grouped in one pass: a large org has tens of thousands of pairs, too many to scan per area
    by_area: dict[str, list[tuple[int, int]]] = {area: [] for area in SCORED_AREAS}
    for (area, _, _), value in pairs.items():
        if area in by_area:
            by_area[area].append(value)

    scores = []
    for area, mine in by_area.items():
        checked_weight = sum(c for c, _ in mine)
        failed_weight = sum(f for _, f in mine)
        score = None if not checked_weight else (100 * (checked_weight - failed_weight)) // checked_weight
        scores.append(AreaScore(area, score, len(mine), sum(1 for _, f in mine if f), checked_weight, failed_weight))
    return tuple(scores)
