"""SC005 hand-raiser-route-missing: a hand-raiser form does not bypass scoring to a fast route
with the hot SLA.

What: every form of the scoring model marked ``hand_raiser`` (contact, demo, price) must, on
completion, route the lead at once: assign it to a user, a queue or the active assignment rule,
notify a user or create a task, set a status, or set a field the process names as the
hand-raiser field (``routing.hand_raiser.fields``) that the assignment rule routes on. The status
the lead lands in (the one set, else the process's entry status) must have an SLA of at most the
hot-lead SLA (``scoring.hot_sla_hours``, default 4 hours).

Why it matters: hand-raisers are sales-ready at once, whatever their score (DOMAIN). A demo
request that only adds points waits for the score to reach the threshold, and hot leads must be
worked within 4 hours.

How to fix: give the form a completion action that assigns the lead (or sets the hand-raiser
field the assignment rule reads) and notifies the owner; keep score adjustments as extras.

Failing example: the form "Request a quote" has only the completion action ``adjust_score 50``.

Passing example: "Request a demo" assigns to the queue Hot_Leads and notifies the owner; the entry
status New has a 1-hour SLA.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.scoring.model import ROUTING_ACTIONS, Action
from auditor.scoring.settings import scoring_settings
from checks._sla import hours

RULE = Rule(
    id="SC005",
    name="hand-raiser-route-missing",
    severity=Severity.HIGH,
    category="scoring",
    summary="A hand-raiser form does not bypass scoring to a fast route with the hot-lead SLA",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    scoring = ctx.require_scoring()
    settings = scoring_settings(process)
    forms = [f for f in scoring.forms if f.hand_raiser]
    if not forms:
        raise NotApplicable(
            "no hand-raiser form in the scoring model (mark contact, demo and price forms with 'hand_raiser: true')"
        )
    hand_raiser_fields = {f.lower() for f in process.routing.hand_raiser_fields}

    def routes(action: Action) -> bool:
        return (
            action.kind in ROUTING_ACTIONS
            or action.kind == "set_status"
            or (action.kind == "set_field" and (action.field or "").lower() in hand_raiser_fields)
        )

    for form in forms:
        subject = f"Form:{form.name}"
        yield ctx.checked(subject, form.source)
        route = [a for a in form.completion_actions if routes(a)]
        if not route:
            did = ", ".join(a.describe() for a in form.completion_actions) or "nothing"
            yield ctx.finding(
                subject,
                f"hand-raiser form '{form.name}' does not bypass scoring: on completion it does {did}, so the "
                "lead waits for its score to reach the threshold",
                fix=(
                    "Add completion actions that assign the lead (a hot-lead queue or the assignment rule) and "
                    "notify the owner" + (f", or set {process.routing.hand_raiser_fields[0]}" if hand_raiser_fields else "")
                    + "."
                ),
                location=form.source,
            )
            continue
        set_status = next((str(a.value) for a in route if a.kind == "set_status"), None)
        landing = process.status(set_status) if set_status else process.entry_status
        sla = landing.sla_hours if landing else None
        if landing is not None and sla is not None and 0 < sla <= settings.hot_sla_hours:
            continue
        name = set_status or (landing.api_name if landing else "?")
        slower = f"an SLA of {hours(sla)}" if sla else "no SLA"
        yield ctx.finding(
            subject,
            f"hand-raiser form '{form.name}' routes the lead to status '{name}', which has {slower}: slower than "
            f"the hot-lead SLA of {hours(settings.hot_sla_hours)}",
            fix=f"Route hand-raisers to a status whose SLA is {hours(settings.hot_sla_hours)} or less.",
            location=form.source,
        )
