"""Metadata XML snippets in the shapes Salesforce writes them (SFDX source format).

Kept apart from the generator so the generator reads as *what* an org holds and this module as
*how* Salesforce spells it. Element order follows the Metadata API (alphabetical within a type),
the way a retrieve or ``sf project retrieve start`` writes files, so the parsers meet the same
layout they meet in real repositories.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
NS = "http://soap.sforce.com/2006/04/metadata"


def el(tag: str, text: object, indent: int) -> str:
    """One leaf element; booleans in Salesforce's lower-case spelling."""
    value = str(text).lower() if isinstance(text, bool) else str(text)
    return f"{'    ' * indent}<{tag}>{escape(value)}</{tag}>\n"


def block(tag: str, body: Iterable[str], indent: int) -> str:
    pad = "    " * indent
    return f"{pad}<{tag}>\n{''.join(body)}{pad}</{tag}>\n"


def document(root: str, body: Iterable[str]) -> str:
    return f'{HEADER}<{root} xmlns="{NS}">\n{"".join(body)}</{root}>\n'


def typed_value(tag: str, kind: str, value: object, indent: int) -> str:
    """A FlowElementReferenceOrValue: ``<value><stringValue>MQL</stringValue></value>``."""
    return block(tag, [el(kind, value, indent + 1)], indent)


def connector(tag: str, target: str, indent: int) -> str:
    return block(tag, [el("targetReference", target, indent + 1)], indent)


def criteria_item(field: str, operation: str, value: str | None, indent: int) -> str:
    body = [el("field", field, indent + 1), el("operation", operation, indent + 1)]
    if value is not None:
        body.append(el("value", value, indent + 1))
    return block("criteriaItems", body, indent)


def picklist_values(values: Iterable[str], indent: int, *, default: str | None = None) -> str:
    """A custom field's ``valueSet/valueSetDefinition`` with one ``value`` per entry."""
    rows = [
        block("value", [el("fullName", v, indent + 3), el("default", v == default, indent + 3), el("label", v, indent + 3)],
              indent + 2)
        for v in values
    ]
    definition = block("valueSetDefinition", [el("sorted", False, indent + 2), *rows], indent + 1)
    return block("valueSet", [el("restricted", True, indent + 1), definition], indent)
