"""A snapshot: the normalised Model (and the org's facts) as JSON, to keep, audit and compare.

A nightly job keeps the approved snapshot of production in version control and compares each
night's org with it. For that the file must be:

- deterministic: the same org gives byte-identical files (keys sorted, no clock, no absolute
  path), so a snapshot only changes in git when the org changed;
- complete: every record of the Model with its file and line, so ``leadaudit audit snap.json``
  gives the findings an audit of the original folder gives (auditor/sources/snapshot_source.py
  rebuilds the Model);
- secret-free: it holds what the Model holds (configuration, never a file's raw content, never a
  credential) and the source's folder name, not its absolute path.

Collections keep the order the loader gives them (files sorted by path, then document order):
that order carries meaning (the position of a status in the picklist, of an entry in a rule)
and is already independent of the file system.

Written with a process file, a snapshot also keeps ``scoring``: the merged Account Engagement
scoring model (the scoring model file the process names, what the Salesforce metadata and the
Account Engagement API say) and the process's scoring settings. Neither is in the Model, yet
both are part of the lead process a nightly job must watch: the MQL threshold, decay, grading.
``leadaudit diff`` compares it; auditing a snapshot ignores it (the audit reads the scoring
model file of the process file it is given, as it would for the folder).
"""

from __future__ import annotations

import dataclasses
import json
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import jsonschema

from auditor.contracts import load_schema
from auditor.model import Model, SourceRef
from auditor.process import Process
from auditor.scoring.build import build_scoring
from auditor.scoring.model import ScoringModel
from auditor.scoring.settings import ScoringSettings, scoring_settings

FORMAT = "leadaudit-snapshot"
FORMAT_VERSION = 1
#: How many schema errors a message lists; the rest are counted, so the message stays readable.
MAX_ERRORS_SHOWN = 3


class SnapshotError(ValueError):
    """A snapshot file cannot be used; the message names the file, the place and the problem."""


@dataclass(frozen=True)
class ScoringSnapshot:
    """The scoring part of a snapshot: the merged scoring model and the process's scoring settings."""

    process: str  # the process file's own name: where the settings' locations point
    settings: ScoringSettings
    model: ScoringModel | None  # None: no source says anything about scoring


def _plain(value: Any) -> Any:
    """Dataclasses become objects with every field (derived properties are not stored)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a snapshot cannot hold a {type(value).__name__}")  # a new Model type: extend the schema


def source_label(source_name: str) -> str:
    """The source's own name (``acme-sfdx``, ``retrieve.zip``): never the absolute path around it."""
    name = PurePath(source_name.replace("\\", "/")).name
    return name or source_name


def _relocated(value: Any, old_path: str, new_path: str) -> Any:
    """``value`` with every SourceRef into ``old_path`` pointing to ``new_path`` instead."""
    if isinstance(value, SourceRef):
        return dataclasses.replace(value, path=new_path) if value.path == old_path else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: _relocated(getattr(value, f.name), old_path, new_path)
                                             for f in dataclasses.fields(value) if f.init})
    if isinstance(value, tuple):
        return tuple(_relocated(item, old_path, new_path) for item in value)
    return value


def scoring_snapshot(model: Model, process: Process, process_file: Path) -> ScoringSnapshot:
    """What ``process`` (read from ``process_file``) and ``model`` say about scoring.

    The scoring model file is named relative to the process file (``scoring.yaml``), as the
    process names it, rather than by the path it was read from: the snapshot must not depend
    on where the repository was checked out or which folder the command ran in. Everything
    else in the scoring model comes from the Model, whose paths are already relative.
    """
    scoring = build_scoring(model, process)
    if scoring is not None and scoring.file is not None:
        read_from = scoring.file.path
        relative = os.path.relpath(read_from, process_file.parent).replace(os.sep, "/")
        scoring = _relocated(scoring, read_from, relative)
    return ScoringSnapshot(process=source_label(str(process_file)), settings=scoring_settings(process), model=scoring)


def snapshot(model: Model, facts: dict[str, Any] | None = None, *, source: str | None = None,
             scoring: ScoringSnapshot | None = None) -> dict[str, Any]:
    """The model as JSON-ready data.

    ``facts`` is the org's facts.json as retrieved, kept as evidence (the flow versions audited,
    what could not be retrieved); the Model's own ``facts`` is the normalised part checks read.
    ``source`` names the origin when it is not the model's source (a snapshot of a snapshot
    keeps the first one's name, so it is the same file). ``scoring`` is left out, not written
    as null, when there is none: a snapshot written without a process file stays as it was.
    """
    label = source if source is not None else source_label(model.source_name)
    data = _plain(model)
    data["source_name"] = label
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "source": label,
        "model": data,
        "facts": facts,
    }
    if scoring is not None:
        document["scoring"] = _plain(scoring)
    return document


def dumps(document: dict[str, Any]) -> str:
    """The file's text: sorted keys, two-space indent, a final newline, plain UTF-8."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def snapshot_schema() -> dict[str, Any]:
    return load_schema("snapshot.schema.json")


def _where(error: jsonschema.ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path) if error.absolute_path else "(top level)"


def validate(document: Any, name: str) -> None:
    """Raise SnapshotError naming each place (a JSON pointer) that breaks the schema."""
    if not (isinstance(document, dict) and document.get("format") == FORMAT):
        # Checked first: for another JSON file (a report, facts.json) a list of missing keys
        # would bury the one thing the user needs to hear.
        raise SnapshotError(f"{name}: not a leadaudit snapshot (write one with 'leadaudit snapshot SOURCE -o FILE')")
    if document.get("version") != FORMAT_VERSION:
        raise SnapshotError(f"{name}: snapshot format version {document.get('version')!r} is not "
                            f"{FORMAT_VERSION}; write it again with this leadaudit")
    validator = jsonschema.Draft202012Validator(snapshot_schema())
    # A record that may be null (``anyOf``: the record or null) fails as a whole; best_match
    # descends to the field that broke it, so the message names a place, not a dump of the record.
    found = (jsonschema.exceptions.best_match([error]) or error for error in validator.iter_errors(document))
    errors = sorted(found, key=lambda e: (_where(e), e.message))
    if not errors:
        return
    shown = "; ".join(f"at {_where(e)}: {e.message}" for e in errors[:MAX_ERRORS_SHOWN])
    more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
    raise SnapshotError(f"{name}: not a valid snapshot: {shown}{more}")


def is_snapshot_file(path: Path) -> bool:
    """A file named like one: sources use it to route ``*.json`` to the snapshot reader."""
    return path.is_file() and path.suffix.lower() == ".json"


def load_snapshot(path: Path) -> dict[str, Any]:
    """The validated snapshot document at ``path``; SnapshotError with file, line or place if not."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{path}: not UTF-8 text ({exc.reason})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise SnapshotError(f"{path}: not valid JSON: nested too deeply") from None
    validate(document, str(path))
    result: dict[str, Any] = document
    return result


# --- reading the scoring part back -------------------------------------------------------------


def _rebuilt(hint: Any, value: Any, where: str) -> Any:
    """``value`` (valid JSON) as the type ``hint`` names; the scoring records' hints include
    literals (an origin) and unions of several types (a criterion's value: text or number)."""
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        if value in typing.get_args(hint):
            return value
        raise SnapshotError(f"{where}: {value!r} is not one of {', '.join(map(repr, typing.get_args(hint)))}")
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in typing.get_args(hint):
            return None
        for option in (arg for arg in typing.get_args(hint) if arg is not type(None)):
            try:
                return _rebuilt(option, value, where)
            except SnapshotError:
                continue
        raise SnapshotError(f"{where}: {type(value).__name__} is not a {hint}")
    if origin is tuple:
        if not isinstance(value, list):
            raise SnapshotError(f"{where}: expected a list")
        item_hint = typing.get_args(hint)[0]
        return tuple(_rebuilt(item_hint, item, f"{where}/{i}") for i, item in enumerate(value))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(value, dict):
            raise SnapshotError(f"{where}: expected an object ({hint.__name__})")
        hints = typing.get_type_hints(hint)
        names = [f.name for f in dataclasses.fields(hint)]
        missing = [name for name in names if name not in value]
        if missing:
            raise SnapshotError(f"{where}: {hint.__name__} lacks '{missing[0]}'")
        return hint(**{name: _rebuilt(hints[name], value[name], f"{where}/{name}") for name in names})
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, bool) and type(value) is hint:
        return value
    raise SnapshotError(f"{where}: expected {getattr(hint, '__name__', hint)}, found {type(value).__name__}")


def scoring_of(document: dict[str, Any]) -> ScoringSnapshot | None:
    """The scoring part of a validated snapshot document; None when it was written without a process file."""
    raw = document.get("scoring")
    if raw is None:
        return None
    scoring = _rebuilt(ScoringSnapshot, raw, "/scoring")
    assert isinstance(scoring, ScoringSnapshot)
    return scoring
