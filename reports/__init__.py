"""Report formats: each a pure ``render(result) -> str | bytes``, looked up by name in FORMATS.

The CLI picks a renderer from this table and writes what it returns; no module here does I/O,
reads the clock or knows about the other formats.
"""

from __future__ import annotations

from collections.abc import Callable

from auditor.findings import AuditResult
from reports import html, json_report, junit, sarif, text

Renderer = Callable[[AuditResult], str | bytes]

# html and sarif also take the rule catalogue's documentation (rule_docs=); the CLI passes it.

# text is plain here: colour is a terminal concern the CLI decides with text.render(color=...).
FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "json": json_report.render,
    "junit": junit.render,
    "sarif": sarif.render,
    "html": html.render,
}

__all__ = ["FORMATS", "Renderer"]
