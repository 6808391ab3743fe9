"""The diff in process terms: each kind of change, the rename and entry-matching heuristics,
and the approved-drift file."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from auditor.diff import Change, diff, duration
from auditor.drift import ApprovalError, load_approvals, review
from auditor.model import CriteriaItem, LeadRule, Model, RuleEntry, SourceRef, StatusValue
from auditor.sources import load_model
from tests.conftest import FIXTURE_ORGS

V1 = FIXTURE_ORGS / "drift-v1"
V2 = FIXTURE_ORGS / "drift-v2"
STATUS_FILE = SourceRef("standardValueSets/LeadStatus.standardValueSet", 3)
APPROVED = Path(__file__).parent / "fixtures" / "drift" / "approved-drift.yaml"


@pytest.fixture(scope="module")
def v1() -> Model:
    return load_model(V1)


@pytest.fixture(scope="module")
def v2() -> Model:
    return load_model(V2)


def _kinds(changes: list[Change]) -> list[tuple[str, str]]:
    return [(c.kind, c.subject) for c in changes]


def test_the_two_fixture_versions_differ_exactly_so(v1: Model, v2: Model) -> None:
    assert _kinds(diff(v1, v2)) == [
        ("status.renamed", "Status:Contacted"),
        ("status.added", "Status:Recycled"),
        ("sla_alert.offset_changed", "SlaAlert:scheduled path SLA_Overdue of flow Contoso_MQL_SLA_Alert"),
        ("sla_alert.removed", "SlaAlert:scheduled path SLA_Overdue of flow Contoso_New_Lead_Reminder"),
        ("sla_alert.offset_changed", "SlaAlert:time trigger of workflow rule Working SLA Reminder"),
        ("sla_alert.statuses_changed", "SlaAlert:time trigger of workflow rule Working SLA Reminder"),
        ("assignment_rule.fallback_removed", "AssignmentRule:Contoso Lead Routing"),
        ("assignment_entry.added", "AssignmentRule:Contoso Lead Routing#2"),
        ("assignment_entry.assignee_changed", "AssignmentRule:Contoso Lead Routing#4"),
        ("assignment_entry.moved", "AssignmentRule:Contoso Lead Routing#4"),
        ("assignment_entry.removed", "AssignmentRule:Contoso Lead Routing#4"),
        ("flow.deactivated", "Flow:Contoso_New_Lead_Reminder"),
        ("flow.activated", "Flow:Contoso_Nurture_Recycle"),
        ("validation_rule.activated", "ValidationRule:SAL_Requires_Meeting_Date"),
    ]


def test_same_configuration_has_no_drift(v1: Model) -> None:
    assert diff(v1, v1) == []
    assert diff(v1, load_model(V1)) == []


def test_going_back_reverses_the_drift(v1: Model, v2: Model) -> None:
    back = _kinds(diff(v2, v1))
    assert ("status.renamed", "Status:Working") in back
    assert ("status.removed", "Status:Recycled") in back
    assert ("flow.activated", "Flow:Contoso_New_Lead_Reminder") in back
    assert ("assignment_entry.added", "AssignmentRule:Contoso Lead Routing#4") in back
    assert not any(kind == "assignment_rule.fallback_removed" for kind, _ in back)


def test_a_change_says_before_after_and_where(v1: Model, v2: Model) -> None:
    by_kind = {(c.kind, c.subject): c for c in diff(v1, v2)}
    offset = by_kind[("sla_alert.offset_changed", "SlaAlert:scheduled path SLA_Overdue of flow Contoso_MQL_SLA_Alert")]
    assert (offset.before, offset.after) == ("4 hours", "8 hours")
    assert offset.location is not None and offset.location.path.endswith("flows/Contoso_MQL_SLA_Alert.flow-meta.xml")
    removed = by_kind[("assignment_entry.removed", "AssignmentRule:Contoso Lead Routing#4")]
    assert removed.before == "no criteria -> queue General_Leads" and removed.after is None
    assert removed.located_in_old
    assignee = by_kind[("assignment_entry.assignee_changed", "AssignmentRule:Contoso Lead Routing#4")]
    assert (assignee.before, assignee.after) == ("queue DACH_Leads", "queue EMEA_Leads")


# --- statuses ---------------------------------------------------------------------------------


def _status(api: str, label: str | None = None, *, default: bool = False, converted: bool = False,
            active: bool = True) -> StatusValue:
    return StatusValue(api, label or api, default, converted, False, active, STATUS_FILE)


def _org(*statuses: StatusValue) -> Model:
    return Model(source_name="t", statuses=statuses)


def test_rename_by_label_wherever_the_value_moved() -> None:
    old = _org(_status("New", default=True), _status("Open_Working", "Working"), _status("Done", converted=True))
    new = _org(_status("New", default=True), _status("Done", converted=True), _status("Working", "Working"))
    assert _kinds(diff(old, new)) == [("status.renamed", "Status:Working")]


def test_no_rename_when_a_value_replaces_another_elsewhere() -> None:
    old = _org(_status("New", default=True), _status("Working"), _status("MQL"))
    new = _org(_status("New", default=True), _status("MQL"), _status("Qualified"))
    assert _kinds(diff(old, new)) == [("status.added", "Status:Qualified"), ("status.removed", "Status:Working")]


def test_default_converted_and_deactivated_statuses() -> None:
    old = _org(_status("New", default=True), _status("Working"), _status("Closed"), _status("Won", converted=True))
    new = _org(_status("New"), _status("Working", default=True), _status("Closed", active=False),
               _status("Won", converted=False))
    changes = {(c.kind, c.subject): c for c in diff(old, new)}
    assert set(changes) == {("status.default_changed", "LeadStatus"), ("status.removed", "Status:Closed"),
                            ("status.converted_changed", "Status:Won")}
    assert (changes[("status.default_changed", "LeadStatus")].before,
            changes[("status.default_changed", "LeadStatus")].after) == ("New", "Working")
    assert changes[("status.removed", "Status:Closed")].summary == "Lead Status Closed was deactivated"
    assert changes[("status.converted_changed", "Status:Won")].after == "not converted"


def test_renaming_the_default_is_not_a_default_change() -> None:
    old = _org(_status("Open", "New", default=True), _status("Won", converted=True))
    new = _org(_status("New", "New", default=True), _status("Won", converted=True))
    assert _kinds(diff(old, new)) == [("status.renamed", "Status:New")]


# --- assignment entries -----------------------------------------------------------------------


def _entry(order: int, country: str | None, queue: str) -> RuleEntry:
    where = SourceRef("assignmentRules/Lead.assignmentRules", order * 10)
    criteria = (CriteriaItem("Lead.Country", "equals", country, None, where),) if country else ()
    return RuleEntry(order, criteria, None, None, queue, "Queue", None, False, where)


def _routing(*entries: tuple[str | None, str], active: bool = True) -> Model:
    rule = LeadRule("assignment", "Routing", active,
                    tuple(_entry(i + 1, country, queue) for i, (country, queue) in enumerate(entries)),
                    SourceRef("assignmentRules/Lead.assignmentRules", 3))
    return Model(source_name="t", assignment_rules=(rule,))


def test_an_insertion_above_does_not_make_the_entries_below_moved() -> None:
    old = _routing(("Germany", "DACH"), ("France", "FR"), (None, "General"))
    new = _routing(("Spain", "ES"), ("Germany", "DACH"), ("France", "FR"), (None, "General"))
    assert _kinds(diff(old, new)) == [("assignment_entry.added", "AssignmentRule:Routing#1")]


def test_a_swap_moves_the_entry_that_left_its_place() -> None:
    old = _routing(("Germany", "DACH"), ("France", "FR"), ("Spain", "ES"), (None, "General"))
    new = _routing(("France", "FR"), ("Germany", "DACH"), ("Spain", "ES"), (None, "General"))
    assert _kinds(diff(old, new)) == [("assignment_entry.moved", "AssignmentRule:Routing#1")]


def test_criteria_changed_in_place() -> None:
    old = _routing(("Germany", "DACH"), (None, "General"))
    new = _routing(("Germany,Austria", "DACH"), (None, "General"))
    [change] = diff(old, new)
    assert (change.kind, change.before, change.after) == (
        "assignment_entry.criteria_changed", "Country equals Germany", "Country equals Germany,Austria")


def test_deactivating_the_rule_says_so_without_a_fallback_change() -> None:
    old = _routing(("Germany", "DACH"), (None, "General"))
    new = _routing(("Germany", "DACH"), (None, "General"), active=False)
    assert _kinds(diff(old, new)) == [("assignment_rule.deactivated", "AssignmentRule:Routing")]


# --- switches and durations -------------------------------------------------------------------


def test_a_deleted_active_flow_is_deactivated_and_a_new_inactive_one_is_nothing(v1: Model) -> None:
    flows = {f.name: f for f in v1.flows}
    new = dataclasses.replace(v1, flows=(flows["Contoso_MQL_SLA_Alert"], flows["Contoso_Nurture_Recycle"]))
    changes = {c.subject: c for c in diff(v1, new) if c.kind.startswith("flow.")}
    assert set(changes) == {"Flow:Contoso_New_Lead_Reminder"}
    assert changes["Flow:Contoso_New_Lead_Reminder"].after == "deleted"


def test_workflow_rule_switched_off_removes_its_alert(v1: Model) -> None:
    off = dataclasses.replace(v1, workflow_rules=tuple(dataclasses.replace(r, active=False) for r in v1.workflow_rules))
    assert _kinds(diff(v1, off)) == [
        ("sla_alert.removed", "SlaAlert:time trigger of workflow rule Working SLA Reminder"),
        ("workflow_rule.deactivated", "WorkflowRule:Working SLA Reminder"),
    ]


@pytest.mark.parametrize(("hours", "words"), [(0.25, "15 minutes"), (1, "1 hour"), (4, "4 hours"), (36, "36 hours"),
                                              (48, "2 days"), (None, "an unreadable delay")])
def test_durations_in_words(hours: float | None, words: str) -> None:
    assert duration(hours) == words


# --- approvals --------------------------------------------------------------------------------


def test_approvals_pass_their_changes_and_unused_ones_are_reported(v1: Model, v2: Model) -> None:
    approvals = load_approvals(APPROVED)
    report = review(diff(v1, v2), approvals, old="drift-v1", new="drift-v2")
    approved = {(c.change.kind, c.change.subject) for c in report.changes if c.approved}
    assert approved == {("status.renamed", "Status:Contacted"),
                        ("sla_alert.offset_changed", "SlaAlert:scheduled path SLA_Overdue of flow Contoso_MQL_SLA_Alert"),
                        ("validation_rule.activated", "ValidationRule:SAL_Requires_Meeting_Date")}
    assert len(report.unapproved) == 11 and not report.passed
    assert [a.subject for a in report.unused_approvals] == ["Flow:Contoso_Old_Recycle"]
    rename = next(c for c in report.changes if c.change.kind == "status.renamed")
    assert rename.approval is not None and rename.approval.who == "jane.doe@contoso.example"
    assert rename.approval.when == "2026-05-30" and rename.approval.line == 4


@pytest.mark.parametrize(("text", "message"), [
    ("approved:\n  - kind: status.added\n    subject: Status:X\n    who: a\n    when: 2026-01-01\n",
     r"approved\.yaml:2: approved entry 1 lacks 'why'"),
    ("approved:\n  - kind: status.added\n    subject: Status:X\n    who: a\n    when: soon\n    why: b\n",
     r"approved\.yaml:2: 'when' must be a date"),
    ("approved:\n  - kind: status.added\n    subjct: Status:X\n", r"approved\.yaml:2: unknown key 'subjct'"),
    ("approved: [\n", r"approved\.yaml:2: not valid YAML"),
    ("- kind: status.added\n", r"expected a mapping with one key, 'approved'"),
])
def test_a_broken_approvals_file_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "approved.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ApprovalError, match=message):
        load_approvals(path)


def test_an_empty_approvals_file_approves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "approved.yaml"
    path.write_text("# nothing accepted yet\napproved: []\n", encoding="utf-8")
    assert load_approvals(path) == ()
