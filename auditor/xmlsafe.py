"""Hardened XML reading: no DTDs, no entities, no network, no huge trees.

Metadata comes from orgs and repositories a user does not control; an XXE payload must not read
a local file and a billion-laughs payload must not exhaust memory. A file that declares a DTD is
refused outright: Salesforce never writes one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
    # children by local name, built on the first lookup: a parser asks one element for many
    # names (a flow's root for every element kind), and scanning all children each time made
    # reading a large org quadratic in the size of its files
    _by_name: dict[str, list[etree._Element]] | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def tag(self) -> str:
        return etree.QName(self.el).localname

    @property
    def line(self) -> int | None:
        line = self.el.sourceline
        return line if isinstance(line, int) else None

    def _children_named(self, name: str) -> list[etree._Element]:
        by_name = self._by_name
        if by_name is None:
            by_name = {}
            for child in self.el:
                tag = child.tag
                if isinstance(tag, str):  # comments and processing instructions have no name
                    by_name.setdefault(tag.rpartition("}")[2], []).append(child)
            object.__setattr__(self, "_by_name", by_name)
        return by_name.get(name, [])

    def children(self, name: str) -> list["Node"]:
        return [Node(c) for c in self._children_named(name)]

    def child(self, name: str) -> "Node | None":
        found = self._children_named(name)
        return Node(found[0]) if found else None

    def text(self, name: str, default: str | None = None) -> str | None:
        found = self._children_named(name)
        if not found or found[0].text is None:
            return default
        return found[0].text.strip()

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
