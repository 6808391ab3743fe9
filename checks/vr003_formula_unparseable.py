"""VR003 formula-unparseable: a formula leadaudit cannot read.

What: a validation rule, rule-entry criteria formula, workflow rule or field update formula, Lead
flow start condition or formula resource, or formula field that the formula parser rejects. The
finding gives the parser's message with the line and column inside the formula.

Why it matters: rules that read formulas (which statuses a rule compares, whether a catch-all is
always true) cannot judge this one; the finding says so rather than skipping it silently. A
formula Salesforce accepts but leadaudit does not is a leadaudit defect worth reporting.

How to fix: check the formula at the position given. If Salesforce accepts it, report the
formula so the parser can learn it.

Failing example: ``AND(ISPICKVAL(Status, "New"), ISBLANK(Email)`` (a parenthesis is missing).

Passing example: ``AND(ISPICKVAL(Status, "New"), ISBLANK(Email))``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.formula import FormulaError
from auditor.sites import formula_sites, parse_cached

RULE = Rule(
    id="VR003",
    name="formula-unparseable",
    severity=Severity.MEDIUM,
    category="validation",
    summary="A formula could not be parsed, so rules that read it cannot judge it",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    for site in formula_sites(ctx.model):
        # a subject with several formulas (a flow's start condition and resources) fails with any one
        yield ctx.checked(site.subject, site.location)
        try:
            parse_cached(site.text)
        except FormulaError as exc:
            yield ctx.finding(
                site.subject,
                f"the formula of {site.what} cannot be parsed: {exc}",
                fix="Check the formula at that position; if Salesforce accepts it, report it to leadaudit.",
                location=site.location,
            )
