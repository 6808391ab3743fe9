"""The drift report as an HTML section: for the health report, or on its own as a small page.

Metadata text is user input: the template autoescapes every value (names, labels, criteria,
approval reasons), and characters HTML cannot carry are dropped first. No network of any kind.
"""

from __future__ import annotations

import functools

import jinja2

from auditor.drift import DriftReport
from reports.common import xml_safe

TEMPLATE = "diff.html.j2"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,  # always, whatever the file name: metadata text is user input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_section(report: DriftReport) -> str:
    """A ``<section>`` fragment, escaped, ready to sit inside another HTML page."""
    module = _environment().get_template(TEMPLATE).make_module({"report": report})
    return xml_safe(str(getattr(module, "section")(report)))


def render(report: DriftReport) -> str:
    """A standalone page around the section (for ``leadaudit diff --html``)."""
    return xml_safe(_environment().get_template(TEMPLATE).render(report=report))
