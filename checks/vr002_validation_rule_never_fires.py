"""VR002 validation-rule-never-fires: an active Lead validation rule whose conditions on Status exclude one another.

What: an active validation rule on Lead whose error condition reads Status and is FALSE for every
value of the Lead Status picklist, whatever the other fields hold. leadaudit evaluates the parsed
formula once per status value; when it uses ``PRIORVALUE`` or ``ISCHANGED``, once per pair of
(previous status, current status) with "Status changed" both true and false. Only a verdict of
FALSE in every case counts: if any case depends on another field, the rule may fire and is not
reported. Inactive and unparseable rules are skipped (VR003 reports the latter); formulas that do
not read Status are out of scope, since their truth depends on other fields.
The most common cause, comparing Status to a value the picklist does not have (the label instead
of the API name, a value renamed or removed), is LC008's: when the rule could fire if those
values existed, VR002 leaves it to LC008 and says nothing. VR002 reports the rules that still
never fire with those values counted: conditions on Status that exclude one another.

Why it matters: the rule looks like it enforces the process (a reason for disqualifying, a score
before qualifying) but never blocks anything.

How to fix: correct the conditions on Status so that some status can meet them (often an AND
that should be an OR), or deactivate the rule.

Failing example: ``AND(ISPICKVAL(Status, "MQL"), ISPICKVAL(Status, "SQL"), ISBLANK(Fit_Score__c))``:
a lead is never in both statuses at once.

Passing example: ``AND(OR(ISPICKVAL(Status, "MQL"), ISPICKVAL(Status, "SQL")), ISBLANK(Fit_Score__c))``;
and ``AND(ISPICKVAL(Status, "Sales Qualified"), ISBLANK(Fit_Score__c))`` where the value's API name
is ``SQL`` is LC008's finding, not VR002's.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.formula import Call, Node, fields_read, picklist_comparisons, walk
from auditor.logic import Facts, Tri, evaluate, status_classes, verdicts_by_status
from auditor.sites import is_status_field, try_parse
from checks._support import org_statuses

RULE = Rule(
    id="VR002",
    name="validation-rule-never-fires",
    severity=Severity.MEDIUM,
    category="validation",
    summary="An active Lead validation rule's condition is false for every Lead Status, so it never fires",
)

_PRIOR_FUNCTIONS = {"PRIORVALUE", "ISCHANGED"}


def _cases(ast: Node, now: list[str], values: list[str]) -> list[Facts]:
    """Every situation a lead in a status of ``now`` can be in, as far as Status is concerned."""
    if any(isinstance(n, Call) and n.name in _PRIOR_FUNCTIONS for n in walk(ast)):
        # the previous status and "changed" are enumerated too; impossible pairs (changed, same
        # value) only add chances to fire, so they never produce a false finding
        return [
            Facts(status=status, prior_status=before, status_changed=changed)
            for status, before, changed in product(now, values, (True, False))
        ]
    return [Facts(status=status) for status in now]


def _quoted(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _never_fires(ast: Node, values: list[str]) -> bool:
    # Evaluation is monotone (auditor.logic_eval): an answer known with the status alone stays
    # the same whatever the previous status turns out to be. So the status-only answer settles
    # each status, and only the undecided ones are tried with every previous status: the same
    # verdict as trying every pair, in a fraction of the evaluations.
    # Statuses the rule cannot tell apart (status_classes) get the same verdict in every case: one
    # of each group stands for the group.
    groups = status_classes(ast, values)
    verdicts = verdicts_by_status(ast, groups, Facts())
    if any(verdict is Tri.TRUE for verdict in verdicts.values()):
        return False
    undecided = [group[0] for group in groups if verdicts[group[0]] is not Tri.FALSE]
    if not undecided:
        return True
    return all(evaluate(ast, facts) is Tri.FALSE for facts in _cases(ast, undecided, values))


def _explain(compared: list[str], missing: list[str]) -> str:
    """Why the conditions exclude every status, in words naming the compared values."""
    if not compared:
        return "its conditions on Status exclude every value"
    if not missing:
        return (
            f"it compares Status to {_quoted(compared)}, all values of the picklist, in conditions that exclude "
            "one another"
        )
    one = len(missing) == 1
    were, verb = ("were a value", "is not one") if one else ("were values", "are not")
    # the rule would not fire even if those values existed, so they are not the cause
    return (
        f"it compares Status to {_quoted(compared)} in conditions that exclude one another, even if "
        f"{_quoted(missing)} {were} of the picklist ({_quoted(missing)} {verb}: LC008 reports that too)"
    )


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    statuses = org_statuses(ctx.model)
    if not statuses:
        raise NotApplicable("the Lead Status picklist in the source has no values")
    # inactive values too: old leads still carry them, and a rule may fire when they are edited
    values = [s.api_name for s in statuses]
    api_names = set(values)
    for vr in ctx.model.validation_rules:
        if not vr.active:
            continue
        ast = try_parse(vr.formula)
        if ast is None:
            continue  # VR003 reports it
        if not any(is_status_field(name) for name in fields_read(ast)):
            continue  # its truth depends on other fields: nothing to say
        yield ctx.checked(f"ValidationRule:{vr.name}", vr.source)
        if not _never_fires(ast, values):
            continue
        compared = sorted(
            {v for key, vals in picklist_comparisons(ast).items() if is_status_field(key) for v in vals}
        )
        missing = [v for v in compared if v not in api_names]
        if missing and not _never_fires(ast, values + missing):
            continue  # it never fires only because those values do not exist: LC008 reports that (HIGH)
        yield ctx.finding(
            f"ValidationRule:{vr.name}",
            f"active validation rule {vr.name} never fires: its condition is false for every Lead Status value, "
            f"so it blocks nothing; {_explain(compared, missing)}",
            fix="Correct the conditions on Status so that some status can meet them (often an AND that should be "
            "an OR), or deactivate the rule.",
            location=vr.source,
        )
