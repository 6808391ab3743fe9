"""CF001 metadata-unreadable: a metadata file could not be read.

What: a file that is not well-formed XML, declares a DTD or entities, is not the metadata type
its name says (a ``.flow`` file whose root is not ``<Flow>``), is too large, or is a zip entry
that would escape its folder.

Why it matters: whatever that file configures was not audited. Rather than passing on what it
could not see, leadaudit marks the audit incomplete (exit code 3) and names the file and line.

How to fix: open the file at the line given. Re-retrieve it from the org if it was damaged in
transit; remove DTD or entity declarations (Salesforce never writes them).

Failing example: ``flows/Lead_SLA.flow-meta.xml`` ends in the middle of an element.

Passing example: every file parses and has the root element its suffix promises.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, Rule, Severity
from auditor.model import SourceRef

RULE = Rule(
    id="CF001",
    name="metadata-unreadable",
    severity=Severity.HIGH,
    category="configuration",
    summary="A metadata file could not be read, so the audit is incomplete",
)


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
    # every file of the source is a subject: a report lists the files read as well as those that
    # were not (a file no parser needs, such as an Apex class, passes: nothing in it was missed)
    for record in ctx.model.files:
        yield ctx.checked(f"File:{record.path}", SourceRef(record.path))
    for problem in ctx.model.problems:
        if problem.kind != "unreadable":
            continue
        # a problem may name a path the file list lacks (a zip entry refused before it was read)
        yield ctx.checked(f"File:{problem.source.path}", problem.source)
        yield ctx.finding(
            f"File:{problem.source.path}",
            f"{problem.source} could not be read: {problem.message}",
            fix="Open the file at that line, repair or re-retrieve it, and run the audit again.",
            location=problem.source,
        )
