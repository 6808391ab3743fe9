"""A snapshot file as a source: the Model rebuilt from ``leadaudit snapshot`` output.

The rebuild is driven by the Model's own type hints, so a field added to a model record is
read back without a second list to keep in step (the schema test tells when the JSON Schema
lags behind). The document is validated against schemas/snapshot.schema.json first; the
checks here only turn valid JSON into records, and still name the place if a type is wrong.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

from auditor import model as model_module
from auditor.model import Model
from auditor.snapshot import SnapshotError, load_snapshot


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model_module))


def _build(hint: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None:
            return None
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _build(options[0], value, where)
    if origin is tuple:
        if not isinstance(value, list):
            raise SnapshotError(f"{where}: expected a list")
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_build(args[0], item, f"{where}/{i}") for i, item in enumerate(value))
        if len(value) != len(args):
            raise SnapshotError(f"{where}: expected {len(args)} items")
        return tuple(_build(arg, item, f"{where}/{i}") for i, (arg, item) in enumerate(zip(args, value)))
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _record(hint, value, where)
    if hint is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, bool) and type(value) is hint:
        return value
    raise SnapshotError(f"{where}: expected {getattr(hint, '__name__', hint)}, found {type(value).__name__}")


def _record(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise SnapshotError(f"{where}: expected an object ({cls.__name__})")
    hints = _hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(value) - names)
    if unknown:
        raise SnapshotError(f"{where}: unknown key '{unknown[0]}' for {cls.__name__}")
    missing = sorted(names - set(value))
    if missing:
        raise SnapshotError(f"{where}: {cls.__name__} lacks '{missing[0]}'")
    return cls(**{name: _build(hints[name], value[name], f"{where}/{name}") for name in sorted(names)})


def model_from_document(document: dict[str, Any], source_name: str) -> Model:
    """The Model a validated snapshot document describes, named after the snapshot file."""
    model = _record(Model, document["model"], "/model")
    assert isinstance(model, Model)
    return dataclasses.replace(model, source_name=source_name)


def load_snapshot_model(path: Path) -> Model:
    """Read and rebuild; SnapshotError names the file and the JSON place of any problem."""
    document = load_snapshot(path)
    try:
        return model_from_document(document, str(path))
    except SnapshotError as exc:
        raise SnapshotError(f"{path}: {exc}") from None
