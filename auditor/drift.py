"""Approved drift: which changes a team accepted, by whom, when and why.

A nightly job fails on every change to production's lead process, which is right until the
change was intended. The approved-drift file lists accepted changes::

    approved:
      - kind: status.renamed
        subject: Status:Contacted
        who: jane.doe@contoso.example
        when: 2026-05-30
        why: Sales renamed Working to Contacted (ticket SF-1234)

A change is approved when an entry names its kind and subject; approved changes pass, the
others fail. The file is kept in version control beside the approved snapshot: its git history
(``git log -p approved-drift.yaml``) is the trace of who accepted what, and the review of the
pull request that added an entry is the approval itself. Once a change is accepted for good,
write a new approved snapshot (``leadaudit snapshot``) and empty the list in the same commit.

An entry that matches no change is reported as unused, so stale approvals do not pile up
silently (and cannot approve a later, different change of the same subject unnoticed for long).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditor.diff import Change

APPROVAL_KEYS = ("kind", "subject", "who", "when", "why")


class ApprovalError(ValueError):
    """The approved-drift file cannot be used; the message names the file, entry and problem."""


@dataclass(frozen=True)
class Approval:
    kind: str
    subject: str
    who: str
    when: str  # ISO date as written
    why: str
    line: int | None  # where the entry starts in the file, for messages

    def matches(self, change: Change) -> bool:
        return self.kind == change.kind and self.subject == change.subject


@dataclass(frozen=True)
class ReviewedChange:
    change: Change
    approval: Approval | None

    @property
    def approved(self) -> bool:
        return self.approval is not None


@dataclass(frozen=True)
class DriftReport:
    """The diff of two sources with the approvals applied: what every report format renders."""

    old: str  # the sources' own names, never absolute paths
    new: str
    changes: tuple[ReviewedChange, ...]
    unused_approvals: tuple[Approval, ...] = ()
    approvals_file: str | None = None

    @property
    def unapproved(self) -> tuple[ReviewedChange, ...]:
        return tuple(c for c in self.changes if not c.approved)

    @property
    def passed(self) -> bool:
        return not self.unapproved


class _LineLoader(yaml.SafeLoader):
    """Safe YAML that remembers the line each mapping starts on."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    data = {str(key): value for key, value in loader.construct_mapping(node, deep=True).items()}
    data["__line__"] = node.start_mark.line + 1
    return data


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def _text(value: Any) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _approval(entry: Any, path: Path, index: int) -> Approval:
    if not isinstance(entry, dict):
        raise ApprovalError(f"{path}: approved entry {index + 1} is not a mapping with {', '.join(APPROVAL_KEYS)}")
    line = entry.pop("__line__", None)
    where = f"{path}:{line}" if line else str(path)
    unknown = sorted(str(key) for key in entry if key not in APPROVAL_KEYS)
    if unknown:
        raise ApprovalError(f"{where}: unknown key '{unknown[0]}' (expected {', '.join(APPROVAL_KEYS)})")
    values = {key: _text(entry.get(key)) for key in APPROVAL_KEYS}
    missing = [key for key, value in values.items() if value is None]
    if missing:
        raise ApprovalError(f"{where}: approved entry {index + 1} lacks '{missing[0]}' "
                            "(every approval says which change, who accepted it, when and why)")
    if values["when"] is not None and not _is_date(values["when"]):
        raise ApprovalError(f"{where}: 'when' must be a date such as 2026-05-30, not '{values['when']}'")
    return Approval(kind=str(values["kind"]), subject=str(values["subject"]), who=str(values["who"]),
                    when=str(values["when"]), why=str(values["why"]), line=line)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def load_approvals(path: Path) -> tuple[Approval, ...]:
    """The approvals in ``path``; ApprovalError naming file and line when it is not usable."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ApprovalError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ApprovalError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise ApprovalError(f"{where}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if document is None:
        return ()
    if not isinstance(document, dict) or set(document) - {"approved", "__line__"}:
        raise ApprovalError(f"{path}: expected a mapping with one key, 'approved', holding a list of approvals")
    entries = document.get("approved") or []
    if not isinstance(entries, list):
        raise ApprovalError(f"{path}: 'approved' must be a list of approvals")
    return tuple(_approval(entry, path, index) for index, entry in enumerate(entries))


def review(changes: list[Change], approvals: tuple[Approval, ...], *, old: str, new: str,
           approvals_file: str | None = None) -> DriftReport:
    """Each change with the approval that accepts it (the first one listed), and unused approvals."""
    reviewed = tuple(ReviewedChange(c, next((a for a in approvals if a.matches(c)), None)) for c in changes)
    used = {id(r.approval) for r in reviewed if r.approval is not None}
    unused = tuple(a for a in approvals if id(a) not in used)
    return DriftReport(old=old, new=new, changes=reviewed, unused_approvals=unused, approvals_file=approvals_file)
