"""Hardened XML reading: no DTDs, no entities, no network, no huge trees.

Metadata comes from orgs and repositories a user does not control; an XXE payload must not read
a local file and a billion-laughs payload must not exhaust memory. A file that declares a DTD is
refused outright: Salesforce never writes one.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache

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


_per_thread = threading.local()


def _parser() -> etree.XMLParser:
    """One parser per thread, reused: making a fresh one per file cost more than a tenth of
    lxml's own parse time. Its options never change; a parser must not serve two threads."""
    parser: etree.XMLParser | None = getattr(_per_thread, "parser", None)
    if parser is None:
        parser = _per_thread.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
    return parser


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


class Node:
    """A thin, namespace-blind view of an element, so parsers read ``node.text('active')``.

    A plain class with slots rather than a frozen dataclass: reading a large org makes hundreds
    of thousands of them, and a frozen dataclass's ``__init__`` costs several times as much.
    """

    __slots__ = ("_by_name", "el")

    def __init__(self, el: etree._Element) -> None:
        self.el = el
        # children by local name, built on the first lookup: a parser asks one element for many
        # names (a flow's root for every element kind), and scanning all children each time made
        # reading a large org quadratic in the size of its files
        self._by_name: dict[str, list[etree._Element]] | None = None

    @property
    def tag(self) -> str:
        return _local_name(self.el.tag)

    @property
    def line(self) -> int | None:
        line = self.el.sourceline
        return line if isinstance(line, int) else None

    def _index(self) -> dict[str, list[etree._Element]]:
        # one pass in document order, so each list keeps the file's order; a plain loop over the
        # children is faster than asking lxml to leave out what is not an element
        by_name: dict[str, list[etree._Element]] = {}
        for child in self.el:
            name = _INDEX_NAMES[child.tag]
            if name is None:  # a comment or processing instruction (parse_xml drops them anyway)
                continue
            found = by_name.get(name)
            if found is None:
                by_name[name] = [child]
            else:
                found.append(child)
        self._by_name = by_name
        return by_name

    def _children_named(self, name: str) -> Sequence[etree._Element]:
        by_name = self._by_name if self._by_name is not None else self._index()
        return by_name.get(name, ())

    def children(self, name: str) -> list["Node"]:
        return [Node(c) for c in self._children_named(name)]

    def child(self, name: str) -> "Node | None":
        found = self._children_named(name)
        return Node(found[0]) if found else None

    def text(self, name: str, default: str | None = None) -> str | None:
        # the hottest call of a parse: the index is read here directly rather than through
        # _children_named, one Python call less for every value read
        by_name = self._by_name if self._by_name is not None else self._index()
        found = by_name.get(name)
        if found is None:
            return default
        value = found[0].text
        return default if value is None else value.strip()

    def text_in(self, name: str, inner: str) -> str | None:
        """``child(name).text(inner)``, without indexing that child: for an element asked one
        thing only (a connector for its target), the index would cost more than the answer."""
        found = self._children_named(name)
        if not found:
            return None
        for child in found[0]:
            if _INDEX_NAMES[child.tag] == inner:
                value = child.text
                return None if value is None else value.strip()
        return None

    def named_children(self) -> list[tuple[str, etree._Element]]:
        """Every child element with its local name (what ``Node(child).tag`` says), in order."""
        return [(_local_name(tag), child) for child in self.el if isinstance(tag := child.tag, str)]

    def texts(self, name: str) -> list[str]:
        return [(c.text or "").strip() for c in self._children_named(name)]

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


@lru_cache(maxsize=4096)
def _local_name(tag: str) -> str:
    """``{namespace}name`` -> ``name``, as lxml's QName splits it; remembered, since an org's
    files use a few hundred tag names over and over."""
    return etree.QName(tag).localname


class _IndexNames(dict[object, str | None]):
    """Tag -> the name ``Node`` files a child under: what follows the last ``}`` (any namespace
    or none), as the index always did; None for a comment or processing instruction, whose tag
    is a function. A dict that fills itself, so a known tag costs one lookup; bounded, since the
    tags come from untrusted files. (``_local_name`` keeps QName's reading for ``Node.tag``: the
    two agree on every tag lxml parses, and neither behaviour changes.)"""

    LIMIT = 10_000

    def __missing__(self, tag: object) -> str | None:
        name = tag.rpartition("}")[2] if isinstance(tag, str) else None
        if len(self) < self.LIMIT:
            self[tag] = name
        return name


_INDEX_NAMES = _IndexNames()
