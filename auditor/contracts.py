"""The JSON Schemas shipped in schemas/ (package data) and one way to check a document by one.

Every file leadaudit writes or reads as JSON (facts, metrics, snapshots, reports used as a
baseline) is checked against its schema the same way, so an error always names the schema and
the first place the document leaves it.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
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
