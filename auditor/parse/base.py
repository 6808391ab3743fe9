"""What every per-type parser shares: the file it reads and how it points back into it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import unquote

from auditor.model import SourceRef
from auditor.xmlsafe import Node


class NotThisKind(Exception):
    """The file's root element is not the metadata type its name promises."""


@dataclass(frozen=True)
class FileContext:
    """One metadata file being parsed.

    ``component`` is the URL-decoded component name from the file name (``Lead``, ``My_Flow``,
    ``Lead.Dedupe_Leads``); ``parent`` the object folder of a decomposed child (``Lead`` for
    ``objects/Lead/fields/X.field-meta.xml``), else None.
    """

    path: str
    component: str
    parent: str | None = None

    def ref(self, node: Node | None = None) -> SourceRef:
        return SourceRef(self.path, node.line if node is not None else None)


# A contribution maps Model attribute names to what the file adds to them. Tuple-valued
# attributes (``flows``) take lists that are concatenated; others (``status_source``) take the
# value itself, first file wins.
Contribution = dict[str, Any]
Parser = Callable[[Node, FileContext], Contribution]


def decode_name(raw: str | None) -> str:
    """Metadata full names escape characters such as '.' and '(' as %2E and %28."""
    return unquote(raw or "").strip()


def expect_root(root: Node, *tags: str) -> None:
    if root.tag not in tags:
        raise NotThisKind(f"expected a <{tags[0]}> document, found <{root.tag}>")
