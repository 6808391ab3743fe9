"""Scoring drift: what changed in the Account Engagement scoring model and the process's scoring
settings, said as the process owner would ("the MQL rule now fires at 100 points instead of 75",
"the 45-day decay was switched off", "the quote form no longer routes the lead at once").

Records are recognised across the two versions by name (a scoring rule by its activity), so
new points read as one change, not as a rule removed and another added. Automation rules and
flows count by what they do for the process, not by existing: an MQL rule is one that is active
and sets the MQL status at a score; a decay rule is active and lowers the score after days
without activity. Switching one off is therefore the removal of an MQL or decay rule. Forms
count when they are hand-raisers (the fast route that bypasses scoring) or when their completion
actions change; the API lists every marketing form, and reporting each new one would be noise.

Subjects name the record (``ScoringRule:Email click``, ``AutomationRule:MQL at 75``,
``Flow:Lead_Set_MQL``, ``Process:scoring.mql_threshold``; a grading criterion within its profile,
``GradingProfile:ICP/Country is Germany``): with the kind, what an approval names, so each
change is approved on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from auditor.diff import Change
from auditor.model import SourceRef
from auditor.scoring.model import (
    ROUTING_ACTIONS,
    Action,
    AutomationRule,
    Form,
    GradingProfile,
    NurtureProgram,
    ScoringModel,
)
from auditor.scoring.queries import criteria_count, decay_days, describe, mql_automations, score_threshold, subject_of
from auditor.scoring.settings import ScoringSettings
from auditor.snapshot import ScoringSnapshot

Record = TypeVar("Record")


def _number(value: float) -> str:
    return f"{value:g}"


def _points(value: float | None) -> str:
    return "not set" if value is None else f"{_number(value)} point{'' if value == 1 else 's'}"


def _keyed(records: Iterable[Record], name: Callable[[Record], str]) -> dict[str, Record]:
    """Records by name; a name seen again (the merge keeps each source's copy) gets #2, #3..."""
    found: dict[str, Record] = {}
    for record in records:
        key, count = name(record), 1
        while key in found:
            count += 1
            key = f"{name(record)} #{count}"
        found[key] = record
    return found


def _actions_words(actions: Iterable[Action]) -> str:
    words = [action.describe() for action in actions]
    return ", ".join(words) if words else "no action"


def _days(values: tuple[int, ...]) -> str:
    return f"{', '.join(str(d) for d in values)} days" if values else "none"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# --- the process's settings -------------------------------------------------------------------


def _setting_changes(old: ScoringSnapshot, new: ScoringSnapshot) -> Iterator[Change]:
    was, now = old.settings, new.settings
    where = SourceRef(new.process, now.source_line)

    def change(kind: str, key: str, before: str, after: str, summary: str) -> Change:
        return Change(kind, f"Process:scoring.{key}", before, after, summary, where)

    if was.mql_threshold != now.mql_threshold:
        yield change("scoring.threshold_changed", "mql_threshold", _points(was.mql_threshold), _points(now.mql_threshold),
                     f"The process now sets the MQL threshold at {_points(now.mql_threshold)} instead of "
                     f"{_points(was.mql_threshold)}: automation rules and flows are judged against it")
    if was.decay_days != now.decay_days:
        yield change("scoring.decay_windows_changed", "decay_days", _days(was.decay_days), _days(now.decay_days),
                     f"The process now expects the score to decay after {_days(now.decay_days)} without activity "
                     f"instead of {_days(was.decay_days)}")
    for key, noun in (("max_criteria", "criteria"), ("max_categories", "categories")):
        before, after = getattr(was, key), getattr(now, key)
        if before != after:
            yield change("scoring.limit_changed", key, f"{before} {noun}", f"{after} {noun}",
                         f"The process now allows at most {after} scoring {noun} instead of {before}")
    for key in ("mql_status", "nurture_status", "fit_field", "engagement_field", "hot_sla_hours"):
        before, after = getattr(was, key), getattr(now, key)
        if before != after:
            words = [("not set" if v is None else _number(v) if isinstance(v, float) else str(v)) for v in (before, after)]
            yield change("scoring.setting_changed", key, words[0], words[1],
                         f"The process's scoring setting {key} is now {words[1]} instead of {words[0]}")


# --- MQL threshold and decay: automation rules and flows --------------------------------------


def _state(rule: AutomationRule | None) -> str:
    return "absent" if rule is None else "inactive" if not rule.active else "active"


def _not_mql(rule: AutomationRule, status: str) -> str:
    """How a rule that exists is not an MQL rule: switched off, or it does not set the status."""
    return "inactive" if not rule.active else f"active, does not set {status} on a score"


def _mql_changes(old: ScoringModel, new: ScoringModel, was: ScoringSettings, now: ScoringSettings) -> Iterator[Change]:
    before = _keyed(mql_automations(old, was.mql_status), subject_of)
    after = _keyed(mql_automations(new, now.mql_status), subject_of)
    every_old, every_new = _keyed(old.automation_rules, subject_of), _keyed(new.automation_rules, subject_of)
    for key in sorted(set(before) | set(after)):
        gone, came = before.get(key), after.get(key)
        if gone is not None and came is not None:
            old_at, new_at = score_threshold(gone), score_threshold(came)
            if old_at != new_at:
                yield Change("scoring.threshold_changed", key, _points(old_at), _points(new_at),
                             f"{_capital(describe(came))} now makes a lead {now.mql_status} at {_points(new_at)} "
                             f"instead of {_points(old_at)}", came.source)
        elif came is not None:
            earlier = every_old.get(key)
            how = {"absent": "was added", "inactive": "was activated"}.get(_state(earlier), f"now sets {now.mql_status}")
            yield Change("scoring.mql_rule_added", key, None if earlier is None else _not_mql(earlier, was.mql_status),
                         f"{now.mql_status} at {_points(score_threshold(came))}",
                         f"{_capital(describe(came))} {how}: it makes a lead {now.mql_status} at "
                         f"{_points(score_threshold(came))}", came.source)
        elif gone is not None:
            later = every_new.get(key)
            how = {"absent": "was deleted", "inactive": "was deactivated"}.get(_state(later),
                                                                              f"no longer sets {was.mql_status}")
            yield Change("scoring.mql_rule_removed", key, f"{was.mql_status} at {_points(score_threshold(gone))}",
                         None if later is None else _not_mql(later, now.mql_status),
                         f"{_capital(describe(gone))} {how}: it no longer makes a lead {was.mql_status} at "
                         f"{_points(score_threshold(gone))}", gone.source if later is None else later.source)


def _lowering(rule: AutomationRule) -> str:
    return _actions_words(a for a in rule.actions if a.kind in ("adjust_score", "set_score"))


def _decay_words(days: float, rule: AutomationRule) -> str:
    return f"{_lowering(rule)} after {_number(days)} days without activity"


def _decay_summary(was: tuple[float, AutomationRule], now: tuple[float, AutomationRule]) -> str:
    """Only what changed: the drop, the wait, or both."""
    (old_days, old_rule), (new_days, new_rule) = was, now
    rule = _capital(describe(new_rule))
    if old_days == new_days:
        return (f"{rule} now does {_lowering(new_rule)} instead of {_lowering(old_rule)} after {_number(new_days)} "
                "days without activity")
    if _lowering(old_rule) == _lowering(new_rule):
        return (f"{rule} now lowers the score after {_number(new_days)} days without activity instead of "
                f"{_number(old_days)}")
    return f"{rule} now does {_decay_words(new_days, new_rule)} instead of {_decay_words(old_days, old_rule)}"


def _decay_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    def decaying(model: ScoringModel) -> dict[str, tuple[float, AutomationRule]]:
        found = _keyed(model.automation_rules, subject_of)
        return {key: (days, rule) for key, rule in found.items() for days in [decay_days(rule)] if days is not None}

    before, after = decaying(old), decaying(new)
    every_old, every_new = _keyed(old.automation_rules, subject_of), _keyed(new.automation_rules, subject_of)
    for key in sorted(set(before) | set(after)):
        if key in before and key in after:
            was, now = _decay_words(*before[key]), _decay_words(*after[key])
            if was != now:
                yield Change("scoring.decay_changed", key, was, now, _decay_summary(before[key], after[key]),
                             after[key][1].source)
        elif key in after:
            days, rule = after[key]
            earlier = every_old.get(key)
            how = {"absent": "was added", "inactive": "was activated"}.get(_state(earlier), "was changed")
            yield Change("scoring.decay_added", key, None if earlier is None else _no_decay(earlier),
                         _decay_words(days, rule),
                         f"{_capital(describe(rule))} {how}: it lowers the score after {_number(days)} days "
                         "without activity", rule.source)
        else:
            days, rule = before[key]
            later = every_new.get(key)
            how = {"absent": "was deleted", "inactive": "was deactivated"}.get(_state(later), "was changed")
            yield Change("scoring.decay_removed", key, _decay_words(days, rule),
                         None if later is None else _no_decay(later),
                         f"{_capital(describe(rule))} {how}: it no longer lowers the score after {_number(days)} "
                         "days without activity", rule.source if later is None else later.source)


def _no_decay(rule: AutomationRule) -> str:
    """How a rule that exists is not a decay rule: switched off, or it does not lower the score on inactivity."""
    return "inactive" if not rule.active else "active, does not lower the score on inactivity"


# --- categories, scoring rules, page actions, and the limits ----------------------------------


def _category_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    before, after = _keyed(old.categories, lambda c: c.name), _keyed(new.categories, lambda c: c.name)
    for key in sorted(set(after) - set(before)):
        yield Change("scoring.category_added", f"ScoringCategory:{key}", None, key,
                     f"Scoring category {key} was added", after[key].source)
    for key in sorted(set(before) - set(after)):
        yield Change("scoring.category_removed", f"ScoringCategory:{key}", key, None,
                     f"Scoring category {key} was removed", before[key].source)


def _rule_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    before, after = _keyed(old.scoring_rules, lambda r: r.activity), _keyed(new.scoring_rules, lambda r: r.activity)

    def words(points: float, category: str | None) -> str:
        return f"{_points(points)}" + (f" in {category}" if category else ", no category")

    for key in sorted(set(before) | set(after)):
        was, now, subject = before.get(key), after.get(key), f"ScoringRule:{key}"
        if was is None and now is not None:
            yield Change("scoring.rule_added", subject, None, words(now.points, now.category),
                         f"{key} now scores {words(now.points, now.category)}", now.source)
        elif now is None and was is not None:
            yield Change("scoring.rule_removed", subject, words(was.points, was.category), None,
                         f"{key} no longer scores ({_points(was.points)} before)", was.source)
        elif was is not None and now is not None:
            if was.points != now.points:
                yield Change("scoring.points_changed", subject, _points(was.points), _points(now.points),
                             f"{key} now scores {_points(now.points)} instead of {_points(was.points)}", now.source)
            if was.category != now.category:
                yield Change("scoring.rule_category_changed", subject, was.category or "no category",
                             now.category or "no category",
                             f"{key} now counts in {now.category or 'no category'} instead of "
                             f"{was.category or 'no category'}", now.source)


def _page_action_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    before, after = _keyed(old.page_actions, lambda p: p.name), _keyed(new.page_actions, lambda p: p.name)
    for key in sorted(set(before) | set(after)):
        was, now, subject = before.get(key), after.get(key), f"PageAction:{key}"
        if was is None and now is not None:
            yield Change("scoring.page_action_added", subject, None, _actions_words(now.actions),
                         f"Page action {key} was added: {_actions_words(now.actions)}", now.source)
        elif now is None and was is not None:
            yield Change("scoring.page_action_removed", subject, _actions_words(was.actions), None,
                         f"Page action {key} was removed", was.source)
        elif was is not None and now is not None and was.actions != now.actions:
            yield Change("scoring.page_action_changed", subject, _actions_words(was.actions),
                         _actions_words(now.actions),
                         f"Page action {key} now does {_actions_words(now.actions)}", now.source)


def _limit_changes(old: ScoringSnapshot, new: ScoringSnapshot) -> Iterator[Change]:
    """The criteria or category count crossing the process's limit, either way ("less is more")."""
    was_model, now_model = old.model or ScoringModel(), new.model or ScoringModel()
    counts = (
        ("criteria", criteria_count(was_model), old.settings.max_criteria,
         criteria_count(now_model), new.settings.max_criteria),
        ("categories", len(was_model.categories), old.settings.max_categories,
         len(now_model.categories), new.settings.max_categories),
    )
    where = now_model.file or SourceRef(new.process, new.settings.source_line)
    for noun, was, was_limit, now, now_limit in counts:
        if (was > was_limit) == (now > now_limit):
            continue
        over = now > now_limit
        verdict = (f"over the process's limit of {now_limit}: less is more" if over
                   else f"back within the process's limit of {now_limit}")
        yield Change("scoring.limit_crossed", f"ScoringModel:{noun}", f"{was} {noun} (limit {was_limit})",
                     f"{now} {noun} (limit {now_limit})",
                     f"The scoring model now has {now} {noun}, {verdict} (it had {was})", where)


# --- grading ----------------------------------------------------------------------------------


def _criterion_at(profile: GradingProfile, index: int) -> SourceRef:
    return profile.criterion_sources[index] if index < len(profile.criterion_sources) else profile.source


def _grading_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    before = _keyed(old.grading_profiles, lambda g: g.name)
    after = _keyed(new.grading_profiles, lambda g: g.name)
    for key in sorted(set(before) | set(after)):
        was, now, subject = before.get(key), after.get(key), f"GradingProfile:{key}"
        if was is None and now is not None:
            yield Change("scoring.grading_profile_added", subject, None, f"{len(now.criteria)} criteria",
                         f"Grading profile {key} was added with {len(now.criteria)} criteria", now.source)
        elif now is None and was is not None:
            yield Change("scoring.grading_profile_removed", subject, f"{len(was.criteria)} criteria", None,
                         f"Grading profile {key} was removed", was.source)
        elif was is not None and now is not None:
            old_words = Counter(c.describe() for c in was.criteria)
            new_words = Counter(c.describe() for c in now.criteria)
            added, removed = new_words - old_words, old_words - new_words  # criteria as a multiset
            for index, criterion in enumerate(now.criteria):
                text = criterion.describe()
                if added[text] > 0:
                    added[text] -= 1
                    yield Change("scoring.grading_criterion_added", f"{subject}/{text}", None, text,
                                 f"Grading profile {key} now also grades on {text}", _criterion_at(now, index))
            for index, criterion in enumerate(was.criteria):
                text = criterion.describe()
                if removed[text] > 0:
                    removed[text] -= 1
                    yield Change("scoring.grading_criterion_removed", f"{subject}/{text}", text, None,
                                 f"Grading profile {key} no longer grades on {text}", _criterion_at(was, index))


# --- hand-raiser forms and nurture programs ---------------------------------------------------


def _form_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    before, after = _keyed(old.forms, lambda f: f.name), _keyed(new.forms, lambda f: f.name)

    def hand_raiser(form: Form | None) -> bool:
        return form is not None and form.hand_raiser

    for key in sorted(set(before) | set(after)):
        was, now, subject = before.get(key), after.get(key), f"Form:{key}"
        if hand_raiser(now) and not hand_raiser(was) and now is not None:
            yield Change("scoring.hand_raiser_added", subject, None if was is None else "not a hand-raiser",
                         f"hand-raiser: {_actions_words(now.completion_actions)}",
                         f"Form {key} is now a hand-raiser: a lead who fills it in is sales-ready at once", now.source)
        elif hand_raiser(was) and not hand_raiser(now) and was is not None:
            yield Change("scoring.hand_raiser_removed", subject, f"hand-raiser: {_actions_words(was.completion_actions)}",
                         None if now is None else "not a hand-raiser",
                         f"Form {key} is no longer a hand-raiser" + (" (removed)" if now is None else ""),
                         was.source if now is None else now.source)
        if was is not None and now is not None and was.completion_actions != now.completion_actions:
            words = _actions_words(now.completion_actions)
            lost_route = hand_raiser(now) and _routes(was) and not _routes(now)
            yield Change("scoring.completion_actions_changed", subject, _actions_words(was.completion_actions), words,
                         f"Form {key} now does {words} on completion"
                         + (": the hand-raiser no longer routes the lead at once, it waits for the score"
                            if lost_route else ""), now.source)


def _routes(form: Form) -> bool:
    return any(action.kind in ROUTING_ACTIONS for action in form.completion_actions)


def _program_words(program: NurtureProgram) -> str:
    parts = ["active" if program.active else "paused"]
    if program.status:
        parts.append(f"nurtures {program.status}")
    if program.re_engagement_days:
        parts.append(f"re-engages after {program.re_engagement_days} days")
    return ", ".join(parts)


def _plan(program: NurtureProgram) -> str:
    days = f"re-engages after {program.re_engagement_days} days" if program.re_engagement_days else "no re-engagement"
    return f"nurtures {program.status or 'no status said'}, {days}"


def _nurture_changes(old: ScoringModel, new: ScoringModel) -> Iterator[Change]:
    before = _keyed(old.nurture_programs, lambda n: n.name)
    after = _keyed(new.nurture_programs, lambda n: n.name)
    for key in sorted(set(before) | set(after)):
        was, now, subject = before.get(key), after.get(key), f"NurtureProgram:{key}"
        if was is None and now is not None:
            yield Change("scoring.nurture_added", subject, None, _program_words(now),
                         f"Nurture program {key} was added ({_program_words(now)})", now.source)
        elif now is None and was is not None:
            yield Change("scoring.nurture_removed", subject, _program_words(was), None,
                         f"Nurture program {key} was removed", was.source)
        elif was is not None and now is not None:
            if was.active != now.active:
                verb = "activated" if now.active else "paused"
                yield Change(f"scoring.nurture_{verb}", subject, "active" if was.active else "paused",
                             "active" if now.active else "paused",
                             f"Nurture program {key} was {verb}" + ("" if now.active else
                                                                   ": nurtured leads get no more touches"),
                             now.source)
            if (was.status, was.re_engagement_days) != (now.status, now.re_engagement_days):
                yield Change("scoring.nurture_changed", subject, _plan(was), _plan(now),
                             f"Nurture program {key} now {_plan(now)}", now.source)


def scoring_changes(old: ScoringSnapshot, new: ScoringSnapshot) -> Iterator[Change]:
    """Every scoring change from ``old`` to ``new`` (unordered: auditor.diff sorts)."""
    was, now = old.model or ScoringModel(), new.model or ScoringModel()
    yield from _setting_changes(old, new)
    yield from _mql_changes(was, now, old.settings, new.settings)
    yield from _decay_changes(was, now)
    yield from _category_changes(was, now)
    yield from _rule_changes(was, now)
    yield from _page_action_changes(was, now)
    yield from _limit_changes(old, new)
    yield from _grading_changes(was, now)
    yield from _form_changes(was, now)
    yield from _nurture_changes(was, now)
