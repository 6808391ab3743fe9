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
"""

from __future__ import annotations

import dataclasses
import json
from auditor.contracts import load_schema
from pathlib import Path, PurePath
from typing import Any

import jsonschema

from auditor.model import Model

FORMAT = "leadaudit-snapshot"
FORMAT_VERSION = 1
#: How many schema errors a message lists; the rest are counted, so the message stays readable.
MAX_ERRORS_SHOWN = 3


class SnapshotError(ValueError):
    """A snapshot file cannot be used; the message names the file, the place and the problem."""


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


def snapshot(model: Model, facts: dict[str, Any] | None = None, *, source: str | None = None) -> dict[str, Any]:
    """The model as JSON-ready data.

    ``facts`` is the org's facts.json as retrieved, kept as evidence (the flow versions audited,
    what could not be retrieved); the Model's own ``facts`` is the normalised part checks read.
    ``source`` names the origin when it is not the model's source (a snapshot of a snapshot
    keeps the first one's name, so it is the same file).
    """
    label = source if source is not None else source_label(model.source_name)
    data = _plain(model)
    data["source_name"] = label
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "source": label,
        "model": data,
        "facts": facts,
    }


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
    errors = sorted(validator.iter_errors(document), key=lambda e: (_where(e), e.message))
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
