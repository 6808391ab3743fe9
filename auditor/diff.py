"""Drift between two models, said in the words of the lead process rather than of XML.

A nightly job compares the approved snapshot of an org with tonight's org. A diff of XML files
would show moved elements, reordered attributes and regenerated ids; an owner needs to read
"the MQL alert now fires after 8 hours instead of 4" or "entry 5 of the assignment rule now
goes to queue EMEA". Each Change names a kind (what happened), a subject (the stable name of
what it happened to: the key an approval matches on), the words before and after, and where
to look in the new configuration (the old one for a removal).

What is compared, and how things are recognised across the two versions:

- statuses: the active Lead Status values, by API name; a value that disappears while another
  appears is a rename (not a removal and an addition) when both have the same label, or when
  they sit at the same position after the same neighbour with the same converted flag;
- SLA alerts: the timed alerts of auditor/graph.py (flows' scheduled paths, pauses, workflow
  time triggers), by their automation and name, so a changed offset is a change, not a swap;
- assignment and auto-response entries: auditor/diff_routing.py;
- flows, workflow rules and validation rules switched on or off (a new active one counts as
  switched on, a deleted active one as switched off: what matters is what runs);
- scoring: auditor/diff_scoring.py, when both sides carry a scoring part (the scoring model
  and the process's scoring settings a snapshot keeps; the Model alone does not hold them).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from auditor.graph import TimedAlert, build_graph, timed_alerts
from auditor.model import Model, SourceRef, StatusValue
from auditor.snapshot import ScoringSnapshot

#: The order sections are listed in: the order a reader walks a lead process.
AREA_ORDER: tuple[str, ...] = ("lifecycle", "sla", "routing", "automation", "validation", "scoring")


@dataclass(frozen=True)
class Change:
    """One difference between the old and the new configuration."""

    kind: str  # "status.renamed", "sla_alert.offset_changed", "assignment_entry.assignee_changed", ...
    subject: str  # "Status:Contacted", "AssignmentRule:Standard#3": with kind, what an approval names
    before: str | None  # None: did not exist before
    after: str | None  # None: no longer exists
    summary: str  # one sentence for a person
    location: SourceRef | None  # the new configuration's file and line; the old one for a removal

    @property
    def located_in_old(self) -> bool:
        """A removal points into the old configuration: the new one no longer holds it."""
        return self.after is None

    @property
    def area(self) -> str:
        return KIND_AREAS.get(self.kind.split(".", 1)[0], "configuration")


KIND_AREAS: dict[str, str] = {
    "status": "lifecycle",
    "sla_alert": "sla",
    "assignment_rule": "routing",
    "assignment_entry": "routing",
    "auto_response_rule": "routing",
    "auto_response_entry": "routing",
    "flow": "automation",
    "workflow_rule": "automation",
    "validation_rule": "validation",
    "scoring": "scoring",
}


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """``Rule#10`` after ``Rule#9``: numbers inside names compare as numbers."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.casefold()) for part in re.split(r"(\d+)", text) if part)


def change_key(change: Change) -> tuple[object, ...]:
    area = AREA_ORDER.index(change.area) if change.area in AREA_ORDER else len(AREA_ORDER)
    return area, natural_key(change.subject), change.kind, change.before or "", change.after or ""


# --- statuses ---------------------------------------------------------------------------------


def _active_statuses(model: Model) -> list[StatusValue]:
    return [s for s in model.statuses if s.active]


def _pair_renames(old: list[StatusValue], new: list[StatusValue]) -> list[tuple[StatusValue, StatusValue]]:
    """(old, new) values that are one status renamed: same label, or same place and meaning."""
    new_names = {s.api_name for s in new}
    old_names = {s.api_name for s in old}
    removed = [s for s in old if s.api_name not in new_names]
    added = [s for s in new if s.api_name not in old_names]
    pairs: list[tuple[StatusValue, StatusValue]] = []
    for gone in list(removed):
        same_label = [s for s in added if s.label.casefold() == gone.label.casefold()]
        other_removed = [s for s in removed if s.label.casefold() == gone.label.casefold()]
        if len(same_label) == 1 and len(other_removed) == 1:
            pairs.append((gone, same_label[0]))
            removed.remove(gone)
            added.remove(same_label[0])
    for gone in list(removed):
        index = old.index(gone)
        if index >= len(new) or new[index] not in added:
            continue
        candidate = new[index]
        same_neighbour = index == 0 or old[index - 1].api_name == new[index - 1].api_name
        if same_neighbour and candidate.converted == gone.converted:
            pairs.append((gone, candidate))
            removed.remove(gone)
            added.remove(candidate)
    return pairs


def _status_changes(old: Model, new: Model) -> Iterable[Change]:
    before, after = _active_statuses(old), _active_statuses(new)
    renames = _pair_renames(before, after)
    renamed_old = {o.api_name for o, _ in renames}
    renamed_new = {n.api_name for _, n in renames}
    after_names = {s.api_name for s in after}
    before_names = {s.api_name for s in before}
    for gone, came in renames:
        yield Change("status.renamed", f"Status:{came.api_name}", f"{gone.api_name} ({gone.label})",
                     f"{came.api_name} ({came.label})",
                     f"Lead Status {gone.api_name} is now {came.api_name}: records, reports and automation "
                     f"that name {gone.api_name} no longer match it", came.source)
    for status in after:
        if status.api_name not in before_names and status.api_name not in renamed_new:
            position = after.index(status) + 1
            yield Change("status.added", f"Status:{status.api_name}", None, f"{status.api_name} ({status.label})",
                         f"Lead Status {status.api_name} was added at position {position}", status.source)
    for status in before:
        if status.api_name not in after_names and status.api_name not in renamed_old:
            still_there = any(s.api_name == status.api_name for s in new.statuses)
            how = "deactivated" if still_there else "removed"
            yield Change("status.removed", f"Status:{status.api_name}", f"{status.api_name} ({status.label})", None,
                         f"Lead Status {status.api_name} was {how}", status.source)
    old_by_name = {s.api_name: s for s in before} | {n.api_name: o for o, n in renames}
    for status in after:
        earlier = old_by_name.get(status.api_name)
        if earlier is not None and earlier.converted != status.converted:
            words = {True: "converted", False: "not converted"}
            yield Change("status.converted_changed", f"Status:{status.api_name}", words[earlier.converted],
                         words[status.converted],
                         f"Lead Status {status.api_name} is now {words[status.converted]}", status.source)
    old_default = next((s for s in before if s.default), None)
    new_default = next((s for s in after if s.default), None)
    old_name = old_default.api_name if old_default else None
    new_name = new_default.api_name if new_default else None
    renamed_to = {o.api_name: n.api_name for o, n in renames}
    if (renamed_to.get(old_name, old_name) if old_name else None) != new_name:  # a renamed default stays put
        yield Change("status.default_changed", "LeadStatus", old_name or "no default", new_name or "no default",
                     f"New leads now start in {new_name or 'no default status'} instead of {old_name or 'none'}",
                     new_default.source if new_default else new.status_source)


# --- SLA alerts -------------------------------------------------------------------------------


def duration(hours: float | None) -> str:
    """``15 minutes``, ``4 hours``, ``2 days``; the words an SLA is written in."""
    if hours is None:
        return "an unreadable delay"
    if hours < 1:
        minutes = round(hours * 60, 2)
        return f"{minutes:g} minute{'s' if minutes != 1 else ''}"
    if hours >= 24 and hours % 24 == 0:
        days = hours / 24
        return f"{days:g} day{'s' if days != 1 else ''}"
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _statuses_words(alert: TimedAlert) -> str:
    return ", ".join(sorted(alert.statuses)) if alert.statuses is not None else "any status"


def _alerts_by_key(model: Model) -> dict[str, TimedAlert]:
    """Each alert under a name that survives a change of its offset (a workflow time trigger's
    name carries its length, so the length is taken out; several alike get #2, #3...)."""
    found: dict[str, TimedAlert] = {}
    alerts = sorted(timed_alerts(build_graph(model, None)),
                    key=lambda a: (a.automation, a.what, a.offset_hours or 0.0, a.location))
    for alert in alerts:
        base = re.sub(r"^time trigger \([^)]*\)", "time trigger", alert.what)
        key, count = f"SlaAlert:{base}", 1
        while key in found:
            count += 1
            key = f"SlaAlert:{base} #{count}"
        found[key] = alert
    return found


def _sla_changes(old: Model, new: Model) -> Iterable[Change]:
    before, after = _alerts_by_key(old), _alerts_by_key(new)
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key), after.get(key)
        if was is None and now is not None:
            yield Change("sla_alert.added", key, None, f"after {duration(now.offset_hours)} in {_statuses_words(now)}",
                         f"New timed alert: {now.what}, after {duration(now.offset_hours)}", now.location)
        elif now is None and was is not None:
            yield Change("sla_alert.removed", key, f"after {duration(was.offset_hours)} in {_statuses_words(was)}",
                         None, f"Timed alert removed or switched off: {was.what}", was.location)
        elif was is not None and now is not None:
            if was.offset_hours != now.offset_hours:
                yield Change("sla_alert.offset_changed", key, duration(was.offset_hours), duration(now.offset_hours),
                             f"{_capital(now.what)} now fires after {duration(now.offset_hours)} instead of "
                             f"{duration(was.offset_hours)}", now.location)
            if was.statuses != now.statuses:
                yield Change("sla_alert.statuses_changed", key, _statuses_words(was), _statuses_words(now),
                             f"{_capital(now.what)} now watches {_statuses_words(now)} instead of {_statuses_words(was)}",
                             now.location)


# --- switched on or off -----------------------------------------------------------------------


def _switches(kind: str, noun: str, old: dict[str, tuple[bool, SourceRef]],
              new: dict[str, tuple[bool, SourceRef]]) -> Iterable[Change]:
    """Components (flows, rules) whose running state changed; absent counts as not running."""
    prefix = {"flow": "Flow", "workflow_rule": "WorkflowRule", "validation_rule": "ValidationRule",
              "assignment_rule": "AssignmentRule", "auto_response_rule": "AutoResponseRule"}[kind]
    for name in sorted(set(old) | set(new)):
        was_on, old_at = old.get(name, (False, None))
        is_on, new_at = new.get(name, (False, None))
        if was_on == is_on:
            continue
        before_word = "active" if was_on else ("inactive" if name in old else "absent")
        after_word = "active" if is_on else ("inactive" if name in new else "deleted")
        verb = "activated" if is_on else "deactivated"
        how = {"absent": " (added as active)", "deleted": " (deleted)"}
        yield Change(f"{kind}.{verb}", f"{prefix}:{name}", before_word, after_word,
                     f"{noun} {name} was {verb}{how.get(before_word, '')}{how.get(after_word, '')}",
                     new_at if new_at is not None else old_at)


def _automation_changes(old: Model, new: Model) -> Iterable[Change]:
    yield from _switches("flow", "Flow", {f.name: (f.is_active, f.source) for f in old.lead_flows},
                         {f.name: (f.is_active, f.source) for f in new.lead_flows})
    yield from _switches("workflow_rule", "Workflow rule", {r.name: (r.active, r.source) for r in old.workflow_rules},
                         {r.name: (r.active, r.source) for r in new.workflow_rules})


def _validation_changes(old: Model, new: Model) -> Iterable[Change]:
    yield from _switches("validation_rule", "Validation rule",
                         {r.name: (r.active, r.source) for r in old.validation_rules},
                         {r.name: (r.active, r.source) for r in new.validation_rules})


def _routing_changes(old: Model, new: Model) -> Iterable[Change]:
    from auditor.diff_routing import rule_changes

    yield from _switches("assignment_rule", "Assignment rule",
                         {r.name: (r.active, r.source) for r in old.assignment_rules},
                         {r.name: (r.active, r.source) for r in new.assignment_rules})
    yield from _switches("auto_response_rule", "Auto-response rule",
                         {r.name: (r.active, r.source) for r in old.auto_response_rules},
                         {r.name: (r.active, r.source) for r in new.auto_response_rules})
    yield from rule_changes(old, new)


def _scoring_changes(old: ScoringSnapshot | None, new: ScoringSnapshot | None) -> Iterable[Change]:
    """Scoring thresholds, decay, criteria, grading, hand-raiser forms and nurture programs.

    Compared only when both sides have a scoring part: a side without one was read without a
    process file, and saying its whole scoring model was removed would be wrong.
    """
    from auditor.diff_scoring import scoring_changes

    if old is None or new is None:
        return ()
    return scoring_changes(old, new)


#: Each part of the process and the function that compares it, in the order reports list them.
DIFFERS: tuple[Callable[[Model, Model], Iterable[Change]], ...] = (
    _status_changes,
    _sla_changes,
    _routing_changes,
    _automation_changes,
    _validation_changes,
)


def diff(old: Model, new: Model, *, old_scoring: ScoringSnapshot | None = None,
         new_scoring: ScoringSnapshot | None = None) -> list[Change]:
    """Every change from ``old`` to ``new``, ordered by area, then subject; empty when equal.

    ``old_scoring`` and ``new_scoring``: the scoring parts of the two snapshots (or of the two
    sources with their process files); scoring is compared only when both are given.
    """
    changes = [change for differ in DIFFERS for change in differ(old, new)]
    changes.extend(_scoring_changes(old_scoring, new_scoring))
    return sorted(set(changes), key=change_key)
