"""Hardened XML reading: no DTDs, no entities, no network, no huge trees.

Metadata comes from orgs and repositories a user does not control; an XXE payload must not read
a local file and a billion-laughs payload must not exhaust memory. A file that declares a DTD is
refused outright: Salesforce never writes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

MD_NS = "http://soap.sforce.com/2006/04/metadata"
MAX_XML_BYTES = 50 * 1024 * 1024

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class XmlError(Exception):
    """A located reason a file is not readable XML."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def parse_xml(data: bytes) -> etree._Element:
    """Parse metadata XML bytes into a root element, or raise XmlError with a line number."""
    if len(data) > MAX_XML_BYTES:
        raise XmlError(f"file is larger than {MAX_XML_BYTES // (1024 * 1024)} MiB")
    match = _DOCTYPE.search(data)
    if match:
        raise XmlError(
            "a DTD or entity declaration is not allowed in metadata (refused: it can read local "
            "files or exhaust memory)",
            _line_of(data, match.start()),
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise XmlError(f"malformed XML: {exc.msg}", line) from None
    if root is None:
        raise XmlError("empty XML document", 1)
    return root


@dataclass(frozen=True)
class Node:
    """A thin, namespace-blind view of an element, so parsers read ``node.text('active')``."""

    el: etree._Element

    @property
    def tag(self) -> str:
        return etree.QName(self.el).localname

    @property
    def line(self) -> int | None:
        line = self.el.sourceline
        return line if isinstance(line, int) else None

    def children(self, name: str) -> list["Node"]:
        return [Node(c) for c in self.el if isinstance(c.tag, str) and etree.QName(c).localname == name]

    def child(self, name: str) -> "Node | None":
        found = self.children(name)
        return found[0] if found else None

    def text(self, name: str, default: str | None = None) -> str | None:
        node = self.child(name)
        if node is None or node.el.text is None:
            return default
        return node.el.text.strip()

    def texts(self, name: str) -> list[str]:
        return [(c.el.text or "").strip() for c in self.children(name)]

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.text(name)
        if value is None:
            return default
        return value.lower() == "true"

    def int_value(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return int(float(value))
        except ValueError:
            return None
