"""XML written as text, byte for byte as lxml's ``tostring(pretty_print=True, encoding="UTF-8")``.

Why not an lxml tree: the JUnit report of a large org has tens of thousands of testcases, and
making an lxml element and setting each attribute cost more than all the rest of the report put
together. These few rules are all that the reports need of libxml2's serialiser, and
tests/reports/test_xmltext.py holds them to lxml's own output:

* characters XML 1.0 cannot carry are dropped first (reports.common.xml_safe), as before;
* in text ``&``, ``<``, ``>`` and carriage return are escaped; in an attribute value also ``"``,
  tab and newline, which a parser would otherwise read back as spaces;
* an element holds either text, kept on its line (``<a>text</a>``), or child elements, one per
  line and indented two spaces a level, or nothing (``<a/>``). Mixed content is not supported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reports.common import xml_safe

DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>\n"
INDENT = "  "


def element(
    depth: int, tag: str, attributes: Mapping[str, str], *, text: str | None = None, children: Sequence[str] = ()
) -> str:
    """``tag`` on its own line(s) at ``depth``; ``children`` are elements written one level deeper.

    Attributes are written in the mapping's order. ``text=""`` is written ``<a></a>``, as lxml
    writes an element whose text was set to an empty string.
    """
    if text is not None and children:
        raise ValueError("an element holds text or children, not both")
    indent = INDENT * depth
    start = indent + "<" + tag + "".join([f' {name}="{escape_attribute(value)}"' for name, value in attributes.items()])
    if text is not None:
        return f"{start}>{escape_text(text)}</{tag}>\n"
    if children:
        return f"{start}>\n{''.join(children)}{indent}</{tag}>\n"
    return start + "/>\n"


def escape_text(value: str) -> str:
    return _escape(value, _TEXT_ESCAPES)


def escape_attribute(value: str) -> str:
    return _escape(value, _ATTRIBUTE_ESCAPES)


_TEXT_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))  # "&" first
_ATTRIBUTE_ESCAPES = (*_TEXT_ESCAPES, ('"', "&quot;"), ("\t", "&#9;"), ("\n", "&#10;"))


def _escape(value: str, escapes: tuple[tuple[str, str], ...]) -> str:
    value = xml_safe(value)
    for char, reference in escapes:
        if char in value:  # most values hold none of these: a test is cheaper than a copy
            value = value.replace(char, reference)
    return value
