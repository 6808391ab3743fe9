"""Hand-written YAML or JSON files validated by a JSON Schema, with errors a person can act on.

The process file and the scoring model file are both edited by consultants; an error must name
the file, the line and the key path (``file:line: key/path: message``), never a Python trace.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jsonschema
import yaml

KeyPath = tuple[str | int, ...]
Lines = dict[KeyPath, int]


class LocatedError(Exception):
    """The file is unusable; the message names the file, line and key path of every problem."""


def _scalar(node: yaml.Node) -> Any:
    # SafeLoader resolves tags (int, float, bool, null, date) exactly as yaml.safe_load would
    return yaml.SafeLoader("").construct_object(node)  # type: ignore[no-untyped-call]


def _to_data(node: yaml.Node, path: KeyPath, lines: Lines) -> Any:
    """Convert a composed YAML node, remembering the line of every key path."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_scalar(key_node))
            result[key] = _to_data(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_data(item, path + (i,), lines) for i, item in enumerate(node.value)]
    value = _scalar(node)
    # YAML reads 2027-01-31 as a date; the schema (and JSON) speak of ISO strings
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _error_path(error: jsonschema.ValidationError) -> KeyPath:
    """The key path of an error; for an unknown key, the key itself, so its line is exact."""
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(k for k in error.instance if k not in known)
        if extra:
            return path + (extra[0],)
    return path


def line_for(path: KeyPath, lines: Lines) -> int:
    """The line of a key path, or of its nearest parent that has one."""
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path, 1)


def where(path: KeyPath) -> str:
    return "/".join(str(p) for p in path) or "(top level)"


def load_validated(file: Path, schema: dict[str, Any], what: str) -> tuple[Any, Lines]:
    """Read ``file`` (YAML or JSON), validate it, and return its data with the line of every key.

    ``what`` names the file in messages ("process file", "scoring model file").
    """
    name = str(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise LocatedError(f"{name}: cannot be read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise LocatedError(f"{name}: not UTF-8 text ({exc.reason})") from None
    lines: Lines = {}
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise LocatedError(f"{name}{line}: not valid YAML or JSON: {problem}") from None
    if node is None:
        raise LocatedError(f"{name}:1: the {what} is empty")
    data = _to_data(node, (), lines)
    validator = jsonschema.Draft202012Validator(schema)
    located = sorted(
        ((line_for(p, lines), p, e.message) for e in validator.iter_errors(data) for p in [_error_path(e)]),
        key=lambda item: (item[0], item[2]),
    )
    if located:
        raise LocatedError("\n".join(f"{name}:{line}: {where(p)}: {msg}" for line, p, msg in located))
    return data, lines
