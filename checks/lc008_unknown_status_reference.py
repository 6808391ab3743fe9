"""LC008 unknown-status-reference: configuration names a Lead Status value the picklist lacks.

What: a validation rule, assignment or auto-response entry, workflow rule or field update, flow
start condition, decision or record update compares Status to, or sets it to, a value that is not
an API name of the Lead Status picklist. Formulas are read through the formula parser, so
``ISPICKVAL(Status, 'x')``, ``TEXT(Status) = 'x'``, ``CASE(Status, ...)`` and ``PRIORVALUE`` all count.

Why it matters: the comparison is never true (or the update fails), so the rule silently never
fires. The usual cause is comparing to the label (``Sales Qualified``) instead of the API name
(``SQL``), or a value renamed after the automation was built.

How to fix: use the API name of the picklist value, which the finding names when the label or
case matches one.

Failing example: ``ISPICKVAL(Status, "Sales Qualified")`` where the value's API name is ``SQL``.

Criteria rows (assignment, auto-response and workflow rule criteria) compare text without regard
to case in Salesforce (see ``auditor.logic``), so ``Status equals mql`` there matches ``MQL`` and is
not reported; formulas, flow conditions and field updates need the exact API name.

Inactive rules and flows are reported at low severity, marked "(inactive)": they do nothing
wrong today, and will when someone activates them.

Passing example: ``ISPICKVAL(Status, "SQL")``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.sites import status_mentions
from checks._support import describe, org_statuses

RULE = Rule(
    id="LC008",
    name="unknown-status-reference",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="A rule, formula or flow names a Lead Status value the picklist does not have",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    statuses = org_statuses(ctx.model)
    api_names = {s.api_name for s in statuses}
    folded_names = {name.casefold() for name in api_names}
    seen: set[tuple[str, str]] = set()
    for mention in status_mentions(ctx.model):
        # each rule, entry or flow that names a status is a subject; one unknown value fails it
        yield ctx.checked(mention.subject, mention.location)
        if mention.value in api_names or (mention.subject, mention.value) in seen:
            continue
        if not mention.case_sensitive and mention.value.casefold() in folded_names:
            continue  # a criteria row: Salesforce ignores case there, so it matches the value
        seen.add((mention.subject, mention.value))
        near = [
            s for s in statuses
            if mention.value.lower() in (s.label.lower(), s.api_name.lower())
        ]
        state = "" if mention.active else " (inactive)"
        message = f"{mention.what}{state} uses Lead Status '{mention.value}', which is not a value of the picklist"
        if near:
            message += f"; it matches {', '.join(describe(s) for s in near)}: compare to the API name"
            fix = f"Replace '{mention.value}' with '{near[0].api_name}' in {mention.what}."
        else:
            fix = f"Use an existing Lead Status API name in {mention.what}, or add '{mention.value}' to the picklist."
        # an inactive rule or flow does nothing wrong today; it will when someone activates it
        severity = None if mention.active else Severity.LOW
        yield ctx.finding(mention.subject, message, fix=fix, location=mention.location, severity=severity)
