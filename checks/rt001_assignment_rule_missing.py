"""RT001 assignment-rule-missing: the org has Lead assignment rules but none is active.

What: the source holds Lead assignment rules and none of them is active (or, impossibly for a
deployed org, more than one is). A source that holds no assignment rules file at all cannot show
that none exists: then the rule is not applicable rather than a finding.

Why it matters: without an active rule, web-to-lead, imports and API-created leads stay with the
Default Lead Owner (or whoever created them): no routing at all.

How to fix: activate the intended rule in Setup > Lead Assignment Rules.

Failing example: ``Lead.assignmentRules`` holds ``Standard`` with ``<active>false</active>``.

Passing example: exactly one Lead assignment rule is active.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity

RULE = Rule(
    id="RT001",
    name="assignment-rule-missing",
    severity=Severity.HIGH,
    category="routing",
    summary="The org's Lead assignment rules include no active rule",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    if model.assignment_rules_source is None:
        raise NotApplicable("no Lead assignment rules in the source (assignmentRules/Lead.assignmentRules)")
    active = [r for r in model.assignment_rules if r.active]
    # the one active rule is what a reviewer opens; otherwise the file that lacks it
    yield ctx.checked("AssignmentRule:(active)", active[0].source if len(active) == 1 else model.assignment_rules_source)
    if not active:
        names = ", ".join(f"'{r.name}'" for r in model.assignment_rules) or "none"
        yield ctx.finding(
            "AssignmentRule:(active)",
            f"no Lead assignment rule is active (rules in the source: {names}), so new leads are not routed "
            "and stay with the Default Lead Owner or their creator",
            fix="Activate the intended Lead assignment rule in Setup > Lead Assignment Rules.",
            location=model.assignment_rules_source,
        )
    elif len(active) > 1:
        yield ctx.finding(
            "AssignmentRule:(active)",
            f"{len(active)} Lead assignment rules are marked active ({', '.join(r.name for r in active)}); "
            "Salesforce runs only one, so the source does not describe a deployable org",
            fix="Leave exactly one Lead assignment rule active.",
            location=active[1].source,
        )
