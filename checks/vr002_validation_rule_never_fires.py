"""VR002 validation-rule-never-fires: an active Lead validation rule whose condition cannot be true.

What: an active validation rule on Lead whose error condition reads Status and is FALSE for every
value of the Lead Status picklist, whatever the other fields hold. leadaudit evaluates the parsed
formula once per status value; when it uses ``PRIORVALUE`` or ``ISCHANGED``, once per pair of
(previous status, current status) with "Status changed" both true and false. Only a verdict of
FALSE in every case counts: if any case depends on another field, the rule may fire and is not
reported. Inactive and unparseable rules are skipped (VR003 reports the latter); formulas that do
not read Status are out of scope, since their truth depends on other fields.

Why it matters: the rule looks like it enforces the process (a reason for disqualifying, a score
before qualifying) but never blocks anything. The usual cause is comparing Status to a value that
does not exist: the label instead of the API name, or a value renamed or removed later. The
finding names the compared values and which of them are not in the picklist.

How to fix: compare Status to the API name of an existing value, or deactivate the rule if the
status it guarded is gone.

Failing example: ``AND(ISPICKVAL(Status, "Sales Qualified"), ISBLANK(Fit_Score__c))`` where the
value's API name is ``SQL``.

Passing example: ``AND(ISPICKVAL(Status, "SQL"), ISBLANK(Fit_Score__c))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product

from auditor.engine import CheckContext
from auditor.findings import Finding, NotApplicable, Rule, Severity
from auditor.formula import Call, Node, fields_read, picklist_comparisons, walk
from auditor.logic import Facts, Tri, evaluate
from auditor.model import StatusValue
from auditor.sites import is_status_field, try_parse
from checks._support import describe, org_statuses

RULE = Rule(
    id="VR002",
    name="validation-rule-never-fires",
    severity=Severity.MEDIUM,
    category="validation",
    summary="An active Lead validation rule's condition is false for every Lead Status, so it never fires",
)

_PRIOR_FUNCTIONS = {"PRIORVALUE", "ISCHANGED"}


def _cases(ast: Node, values: list[str]) -> list[Facts]:
    """Every situation a lead can be in, as far as Status is concerned."""
    if any(isinstance(n, Call) and n.name in _PRIOR_FUNCTIONS for n in walk(ast)):
        # the previous status and "changed" are enumerated too; impossible pairs (changed, same
        # value) only add chances to fire, so they never produce a false finding
        return [
            Facts(status=now, prior_status=before, status_changed=changed)
            for now, before, changed in product(values, values, (True, False))
        ]
    return [Facts(status=now) for now in values]


def _quoted(values: list[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _explain(ast: Node, statuses: tuple[StatusValue, ...]) -> tuple[str, str]:
    """(why, fix): which compared values the picklist lacks, and what to compare to instead."""
    compared = sorted({v for key, vals in picklist_comparisons(ast).items() if is_status_field(key) for v in vals})
    api_names = {s.api_name for s in statuses}
    missing = [v for v in compared if v not in api_names]
    if not missing:
        if not compared:
            return (
                "its conditions on Status exclude every value",
                "Correct the conditions on Status, or deactivate the rule.",
            )
        return (
            f"it compares Status to {_quoted(compared)}, all values of the picklist, in conditions that "
            "exclude one another",
            "Correct the conditions on Status so that some status can meet them, or deactivate the rule.",
        )
    verb = "is not a value" if len(missing) == 1 else "are not values"
    why = f"it compares Status to {_quoted(compared)}; {_quoted(missing)} {verb} of the Lead Status picklist"
    hints: list[str] = []
    replacements: list[str] = []
    for value in missing:
        near = [s for s in statuses if value.lower() in (s.label.lower(), s.api_name.lower())]
        if near:
            hints.append(f"'{value}' matches {', '.join(describe(s) for s in near)}")
            replacements.append(f"'{value}' with '{near[0].api_name}'")
    if hints:
        why += f" ({'; '.join(hints)}: compare to the API name)"
    unmatched = [v for v in missing if not any(r.startswith(f"'{v}' with") for r in replacements)]
    steps = [f"Replace {', '.join(replacements)}"] if replacements else []
    if unmatched:
        steps.append(
            f"replace {_quoted(unmatched)} with the API name of an existing Lead Status value, or deactivate "
            "the rule if the status it guarded is gone"
        )
    fix = "; ".join(steps)
    return why, fix[0].upper() + fix[1:] + "."


def check(ctx: CheckContext) -> Iterator[Finding]:
    statuses = org_statuses(ctx.model)
    if not statuses:
        raise NotApplicable("the Lead Status picklist in the source has no values")
    # inactive values too: old leads still carry them, and a rule may fire when they are edited
    values = [s.api_name for s in statuses]
    for vr in ctx.model.validation_rules:
        if not vr.active:
            continue
        ast = try_parse(vr.formula)
        if ast is None:
            continue  # VR003 reports it
        if not any(is_status_field(name) for name in fields_read(ast)):
            continue  # its truth depends on other fields: nothing to say
        if any(evaluate(ast, facts) is not Tri.FALSE for facts in _cases(ast, values)):
            continue
        why, fix = _explain(ast, statuses)
        yield ctx.finding(
            f"ValidationRule:{vr.name}",
            f"active validation rule {vr.name} never fires: its condition is false for every Lead Status value, "
            f"so it blocks nothing; {why}",
            fix=fix,
            location=vr.source,
        )
