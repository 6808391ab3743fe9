"""The JSON Schemas shipped in schemas/ (package data) and one way to check a document by one.

Every file leadaudit writes or reads as JSON (facts, metrics, snapshots, reports used as a
baseline) is checked against its schema the same way, so an error always names the schema and
the first place the document leaves it.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema


@functools.cache
def _text(name: str) -> str:
    return resources.files("schemas").joinpath(name).read_text(encoding="utf-8")


def load_schema(name: str) -> dict[str, Any]:
    """A fresh copy of schemas/<name>, so a caller may change it without touching the others."""
    loaded: dict[str, Any] = json.loads(_text(name))
    return loaded


@functools.cache
def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(load_schema(name), format_checker=jsonschema.FormatChecker())


def where(error: jsonschema.ValidationError) -> str:
    """The place of an error as a key path: ``queues/0/members`` (``(top)`` for the document)."""
    return "/".join(str(part) for part in error.absolute_path) or "(top)"


def first_problem(document: Any, name: str) -> str | None:
    """``at <path>: <message>`` for the first place the document breaks schemas/<name>, or None."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return f"at {where(errors[0])}: {errors[0].message}" if errors else None


class DocumentError(ValueError):
    """A JSON file that is not JSON, not an object, or not what its schema says."""


def parse_document(data: bytes, name: str) -> dict[str, Any]:
    """The JSON object in ``data``, checked against schemas/<name>; DocumentError saying why not."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DocumentError(f"not a readable JSON file ({exc})") from None
    if not isinstance(document, dict):
        raise DocumentError("not a JSON object")
    problem = first_problem(document, name)
    if problem is not None:
        raise DocumentError(f"does not follow schemas/{name} {problem}")
    return document


def read_document(path: Path, name: str) -> dict[str, Any]:
    """parse_document of the file at ``path``; the error names the file."""
    try:
        return parse_document(path.read_bytes(), name)
    except OSError as exc:
        raise DocumentError(f"{path}: not a readable JSON file ({exc})") from None
    except DocumentError as exc:
        raise DocumentError(f"{path}: {exc}") from None
