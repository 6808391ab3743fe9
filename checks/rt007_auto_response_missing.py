"""RT007 auto-response-missing: not every new lead gets an automatic confirmation.

What: the source holds Lead auto-response rules, but none is active, or the active one has no
entry that answers every lead. An entry answers every lead when it has no criteria, an
always-true formula, or criteria a lead meets as soon as it has an e-mail address (``Email not
equal to`` blank, ``NOT(ISBLANK(Email))``): a lead without an address cannot be answered anyway. When the
source holds no auto-response rules file the rule is not applicable: a partial retrieve cannot
show that none exists.

Why it matters: DOMAIN: inbound leads need a fast confirmation, and weekend leads an automatic
one while the rep is away. A prospect who hears nothing after a demo request assumes nobody read
it, and often asks a competitor next.

How to fix: activate the auto-response rule, and end it with an entry without criteria (or with
only ``Email not equal to`` blank) that sends the general confirmation template.

Failing example: the only entry answers ``Country equals Germany``; leads from elsewhere get no reply.

Passing example: the German entry followed by an entry ``Email not equal to`` (blank) with the
English confirmation.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.formula import FormulaError
from auditor.logic import Facts, Tri, evaluate, rule_entry_formula
from auditor.model import RuleEntry
from checks._routing import describe_criteria

RULE = Rule(
    id="RT007",
    name="auto-response-missing",
    severity=Severity.MEDIUM,
    category="routing",
    summary="No active Lead auto-response rule answers every new lead",
)

FIX_CATCH_ALL = (
    "End the active auto-response rule with an entry without criteria (or only 'Email not equal to' blank) "
    "that sends the general confirmation template."
)
# a lead the auto-response can answer: it has an e-mail address; everything else is unknown
_REACHABLE = Facts(fields={"email": "prospect@example.com"})


def _answers_everyone(entry: RuleEntry) -> bool | None:
    """True when the entry answers every lead that has an e-mail address; None: its criteria are unreadable.

    The three-valued evaluator says TRUE only when the entry matches whatever the lead's other
    fields hold: no criteria, ``true``, ``Email not equal to`` blank, ``NOT(ISBLANK(Email))``, or
    ``1 OR 2`` where item 1 is one of those.
    """
    try:
        condition = rule_entry_formula(entry)
    except FormulaError:
        return None
    return condition is None or evaluate(condition, _REACHABLE) is Tri.TRUE


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    model = ctx.model
    if model.auto_response_rules_source is None:
        raise NotApplicable("no Lead auto-response rules in the source (autoResponseRules/Lead.autoResponseRules)")
    active = [r for r in model.auto_response_rules if r.active]
    # is one active: judged on the file, or on the active rule a reviewer would open
    yield ctx.checked("AutoResponseRule:(active)", active[0].source if active else model.auto_response_rules_source)
    if not active:
        names = ", ".join(f"'{r.name}'" for r in model.auto_response_rules) or "none"
        yield ctx.finding(
            "AutoResponseRule:(active)",
            f"no Lead auto-response rule is active (rules in the source: {names}), so no new lead gets an "
            "automatic confirmation: a prospect who asked for a demo hears nothing until a rep calls",
            fix="Activate the intended Lead auto-response rule in Setup > Lead Auto-Response Rules.",
            location=model.auto_response_rules_source,
        )
        return
    rule = active[0]
    subject = f"AutoResponseRule:{rule.name}"
    if not rule.entries:
        yield ctx.checked(subject, rule.source)
        yield ctx.finding(
            subject,
            f"active auto-response rule '{rule.name}' has no entries, so no new lead gets an automatic confirmation",
            fix=FIX_CATCH_ALL,
            location=rule.source,
        )
        return
    verdicts = [(entry, _answers_everyone(entry)) for entry in rule.entries]
    answering = [entry for entry, verdict in verdicts if verdict]
    if answering:
        yield ctx.checked(subject, answering[0].source)
        return
    unknown = [entry.order for entry, verdict in verdicts if verdict is None]
    if unknown:
        raise NotApplicable(
            f"cannot tell whether '{rule.name}' answers every lead: the criteria of entry "
            f"{', '.join(map(str, unknown))} could not be parsed (see VR003)"
        )
    yield ctx.checked(subject, rule.entries[-1].source)
    answered = "; ".join(f"entry {entry.order}: {describe_criteria(entry)}" for entry in rule.entries)
    yield ctx.finding(
        subject,
        f"active auto-response rule '{rule.name}' answers only leads that meet one of its entries ({answered}); "
        "every other new lead gets no automatic confirmation, so a prospect who asked for a demo or a price "
        "hears nothing until a rep calls",
        fix=FIX_CATCH_ALL,
        location=rule.entries[-1].source,
    )
