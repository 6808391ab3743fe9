"""LC006 status-dead-end: a non-terminal documented status with no way out.

What: a documented status that is not ``terminal`` (nor ``converted``) from which no allowed
transition (documented ``next``, or one an active flow or workflow field update makes) leads to a
usable status without being rejected by an active validation rule.

Why it matters: leads pile up in a dead end: reps cannot move them on, SLAs breach for good,
and the funnel reports show a stage that never empties.

How to fix: document where leads go next (``next:`` in the process file), or narrow the validation
rule that rejects every way out. If the status really is final, mark it ``terminal: true``.

Failing example: ``Nurture`` has ``next: [MQL]`` and a validation rule rejects every change out of Nurture.

Passing example: ``Nurture`` has ``next: [Contacted, MQL, Disqualified]`` and no rule rejects them.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import SourceRef
from checks._lifecycle import describe_blocks, lifecycle

RULE = Rule(
    id="LC006",
    name="status-dead-end",
    severity=Severity.HIGH,
    category="lifecycle",
    summary="A non-terminal documented status has no allowed, unblocked way out",
    needs_process=True,
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    process = ctx.require_process()
    life = lifecycle(ctx)
    for documented in process.statuses:
        name = documented.api_name
        if documented.terminal or name not in life.usable:
            continue
        where = SourceRef(process.path, documented.line)
        yield ctx.checked(f"Status:{name}", where)
        outgoing = [m for m in life.moves if m.source_status == name and m.target_status != name]
        open_ways = [m for m in outgoing if not life.is_blocked(m)]
        if open_ways:
            continue
        if not outgoing:
            yield ctx.finding(
                f"Status:{name}",
                f"documented status '{name}' is not terminal, but no documented next status that the org offers "
                "and no automation leads out of it: leads that enter it stay there",
                fix=f"List where leads go from '{name}' under 'next' in {process.path}, or mark it 'terminal: true'.",
                location=where,
            )
            continue
        found = [b for m in outgoing for b in life.blocked[(m.source_status, m.target_status)]]
        targets = ", ".join(f"'{m.target_status}'" for m in outgoing)
        yield ctx.finding(
            f"Status:{name}",
            f"every way out of '{name}' (to {targets}) is rejected by {describe_blocks(list(dict.fromkeys(found)))} "
            "whatever the other fields hold: leads that enter it stay there",
            fix=f"Narrow {describe_blocks(found[:1])} so that a properly filled lead can leave '{name}'.",
            location=found[0].location,
        )
