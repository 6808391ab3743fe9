"""CF004 component-duplicated: the same component is in two files with different content.

What: a folder holds both ``Lead.assignmentRules`` and ``Lead.assignmentRules-meta.xml`` (or two
copies of any component) and they differ. Identical copies are read once without a finding.

Why it matters: a deployment takes one of them; which one depends on the tool. leadaudit read the
first in path order and says which, so the audit may not describe what the org runs.

How to fix: delete the stale copy; keep the one in the layout your project uses.

Failing example: ``assignmentRules/Lead.assignmentRules`` is active, the ``-meta.xml`` twin is not.

Passing example: one file per component.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import SourceRef

RULE = Rule(
    id="CF004",
    name="component-duplicated",
    severity=Severity.LOW,
    category="configuration",
    summary="The same component is in two files with different content",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    # each file holding a component is a subject; of two differing copies the ignored one fails
    for record in ctx.model.files:
        if record.kind != "unused":  # files no parser reads hold no component to duplicate
            yield ctx.checked(f"File:{record.path}", SourceRef(record.path))
    for problem in ctx.model.problems:
        if problem.kind == "duplicate":
            yield ctx.checked(f"File:{problem.source.path}", problem.source)
            yield ctx.finding(
                f"File:{problem.source.path}",
                problem.message,
                fix="Delete the stale copy so that one file describes the component.",
                location=problem.source,
            )
