"""Turn a folder of metadata files (source or Metadata API layout) into one Model.

Files are recognised by their suffix, whichever layout they come from: ``Lead.workflow`` and
``Lead.workflow-meta.xml`` are the same kind. Each kind has one parser module. A file that cannot
be read becomes a LoadProblem and the other files are still read.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Callable, Iterable, Iterator
from pathlib import PurePosixPath

from auditor.model import FileRecord, LoadProblem, Model, SourceRef
from auditor.parse import flows, matching, objects, queues, reports, rules, settings, statuses, workflow
from auditor.parse.account_engagement import ACCOUNT_ENGAGEMENT_FILE, parse_account_engagement
from auditor.parse.facts import FACTS_FILE, parse_facts
from auditor.parse.base import Contribution, FileContext, NotThisKind, Parser, decode_name
from auditor.xmlsafe import Node, XmlError, parse_xml

# suffix -> (kind, parser). Children of a decomposed object carry their parent's name.
PARSERS: dict[str, Parser] = {
    "standardValueSet": statuses.parse_standard_value_set,
    "object": objects.parse_object,
    "field": objects.parse_field,
    "validationRule": objects.parse_validation_rule,
    "businessProcess": objects.parse_business_process,
    "recordType": objects.parse_record_type,
    "assignmentRules": rules.parse_assignment_rules,
    "autoResponseRules": rules.parse_auto_response_rules,
    "workflow": workflow.parse_workflow,
    "flow": flows.parse_flow,
    "queue": queues.parse_queue,
    "settings": settings.parse_settings,
    "duplicateRule": matching.parse_duplicate_rule,
    "matchingRule": matching.parse_matching_rules,
    "reportType": reports.parse_report_type,
    "report": reports.parse_report,
}
DECOMPOSED_CHILDREN = {"field", "validationRule", "businessProcess", "recordType"}


def classify(relpath: str) -> tuple[str, FileContext] | None:
    """The kind of metadata a path holds and its component name, or None for other files."""
    parts, name = _split(relpath)
    if name.endswith("-meta.xml"):
        name = name[: -len("-meta.xml")]
    stem, dot, suffix = name.rpartition(".")
    if not dot or suffix not in PARSERS:
        return None
    parent = None
    if suffix in DECOMPOSED_CHILDREN:
        # objects/Lead/fields/X.field-meta.xml: the object is two folders up
        if len(parts) < 3:
            return None
        parent = decode_name(parts[-3])
    component = decode_name(stem)
    if suffix == "report":
        # reports/<Folder>/<Name>.report: the folder is part of the report's identity
        start = parts.index("reports") + 1 if "reports" in parts[:-1] else len(parts) - 2
        folder = "/".join(parts[max(start, 0) : -1])
        component = f"{decode_name(folder)}/{component}"
    return suffix, FileContext(path=relpath, component=component, parent=parent)


def _split(relpath: str) -> tuple[tuple[str, ...], str]:
    """A path's parts and file name, as PurePosixPath gives them. Splitting at "/" gives the same
    for a plain relative path, in a tenth of the time (every file of an org is classified); one
    with an empty or "." part ("a//b", "./a", "/a") is left to pathlib to normalise."""
    parts = relpath.split("/")
    if "" in parts or "." in parts:
        path = PurePosixPath(relpath)
        return path.parts, path.name
    return tuple(parts), parts[-1]


def _merge(into: dict[str, object], contribution: Contribution) -> None:
    for key, value in contribution.items():
        if isinstance(value, list):
            existing = into.setdefault(key, [])
            assert isinstance(existing, list)
            existing.extend(value)
        elif value is not None and into.get(key) is None:
            into[key] = value


@dataclasses.dataclass(frozen=True)
class SideFile:
    """A JSON file of a live retrieval: the Model attribute it fills and how it is parsed."""

    attribute: str
    kind: str
    component: str
    parse: Callable[[bytes, str], object]


SIDE_FILES: dict[str, SideFile] = {
    FACTS_FILE: SideFile("facts", "OrgFacts", "facts", parse_facts),
    ACCOUNT_ENGAGEMENT_FILE: SideFile("account_engagement", "AccountEngagement", "account engagement",
                                      parse_account_engagement),
}


def load_files(source_name: str, files: Iterable[tuple[str, bytes]]) -> Model:
    """Build a Model from (relative path, content) pairs; never raises for bad content."""
    with cyclic_gc_paused():
        return _load_files(source_name, files)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Reading a large org creates millions of small objects that all stay alive; the cyclic
    collector would re-scan them again and again (half the parse time of a 170 MB org) and find
    nothing: the model is frozen records without cycles, and lxml trees are freed by reference
    counting. The collector runs as usual again afterwards.

    Before it does, every tracked object is moved to the oldest generation (``gc.freeze()`` then
    ``gc.unfreeze()``, which puts the frozen objects there): left in the youngest, all the objects
    made meanwhile would be scanned by the first collection after ``gc.enable()``, for nothing
    (0.07 s of the 0.7 s the L benchmark org took to parse). They are still collected, by the next
    full collection. It is skipped when something (a host application) has frozen objects already,
    as ``gc.unfreeze()`` would release those too."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:  # never undo a freeze the host application made
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _load_files(source_name: str, files: Iterable[tuple[str, bytes]]) -> Model:
    collected: dict[str, object] = {}
    records: list[FileRecord] = []
    problems: list[LoadProblem] = []
    seen: dict[tuple[str, str | None, str], tuple[str, bytes]] = {}

    for relpath, data in sorted(files, key=lambda item: item[0]):
        side = SIDE_FILES.get(relpath)
        if side is not None:  # JSON that 'leadaudit retrieve' writes beside the metadata, at the top
            try:
                collected[side.attribute] = side.parse(data, relpath)
            except ValueError as exc:  # each side file's "unreadable" error is a ValueError
                problems.append(LoadProblem(SourceRef(relpath, 1), str(exc)))
                records.append(FileRecord(relpath, side.kind, "unreadable", side.component))
                continue
            records.append(FileRecord(relpath, side.kind, "read", side.component))
            continue
        found = classify(relpath)
        if found is None:
            records.append(FileRecord(relpath, "unused", "unused"))
            continue
        kind, ctx = found
        key = (kind, ctx.parent, ctx.component.lower())
        if key in seen:
            first_path, first_data = seen[key]
            records.append(FileRecord(relpath, kind, "duplicate", ctx.component))
            if _normalised(first_data) != _normalised(data):
                problems.append(
                    LoadProblem(
                        SourceRef(relpath, 1),
                        f"the same {kind} '{ctx.component}' is also in {first_path} with different "
                        f"content; leadaudit read {first_path} and ignored this file",
                        kind="duplicate",
                    )
                )
            continue
        seen[key] = (relpath, data)
        try:
            root = Node(parse_xml(data))
            contribution = PARSERS[kind](root, ctx)
        except XmlError as exc:
            problems.append(LoadProblem(SourceRef(relpath, exc.line), exc.message))
            records.append(FileRecord(relpath, kind, "unreadable", ctx.component))
            continue
        except NotThisKind as exc:
            problems.append(LoadProblem(SourceRef(relpath, 1), f"not a {kind} file: {exc}"))
            records.append(FileRecord(relpath, kind, "unreadable", ctx.component))
            continue
        except Exception as exc:  # a parser defect must not hide the other files' findings
            problems.append(
                LoadProblem(SourceRef(relpath, 1), f"could not be understood ({type(exc).__name__}: {exc})")
            )
            records.append(FileRecord(relpath, kind, "unreadable", ctx.component))
            continue
        _merge(collected, contribution)
        records.append(FileRecord(relpath, kind, "read", ctx.component))

    if not collected.get("statuses") and collected.get("legacy_statuses"):
        # an org retrieved at API < 38: Lead Status values live on the Status field
        collected["statuses"] = collected["legacy_statuses"]
        collected["status_source"] = collected.get("legacy_status_source")
    values: dict[str, object] = {}
    for fld in dataclasses.fields(Model):
        if fld.name in collected:
            raw = collected[fld.name]
            values[fld.name] = tuple(raw) if isinstance(raw, list) else raw
    return Model(
        source_name=source_name,
        files=tuple(records),
        problems=tuple(problems),
        **values,  # type: ignore[arg-type]
    )


def _normalised(data: bytes) -> bytes:
    # CRLF and trailing whitespace differences do not make two copies different
    return b"\n".join(line.rstrip() for line in data.replace(b"\r\n", b"\n").strip().split(b"\n"))
