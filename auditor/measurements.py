"""Live measurements of the lead process, as the reports show them beside the findings.

``leadaudit retrieve --metrics`` writes them to ``metrics.json`` in the retrieved folder (see
auditor/sources/org/metrics.py); this module reads that file back for the report side, which
must not need a connection, a login library or the org itself. A measurement the org could not
give is kept, marked unavailable with the reason, so a report never shows a missing number as a
zero. The file is validated against schemas/metrics.schema.json here and when it is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.contracts import DocumentError, first_problem, load_schema, read_document

METRICS_FILE = "metrics.json"
METRICS_SCHEMA = "metrics.schema.json"
Number = float | int


class MetricsError(Exception):
    """metrics.json is unreadable or does not follow its schema."""


@dataclass(frozen=True)
class Measurement:
    """One measured figure with its per-status breakdown.

    ``value`` is None when the measurement is unavailable (``detail`` says why) and for a
    measurement that is only a breakdown (the median time in each status: no single figure
    summarises it).
    """

    id: str
    title: str
    value: Number | None
    unit: str
    detail: str
    breakdown: tuple[tuple[str, Number | None], ...] = ()
    available: bool = True


def schema() -> dict[str, Any]:
    return load_schema(METRICS_SCHEMA)


def validate_metrics(document: dict[str, Any]) -> None:
    """MetricsError naming the first place where the document leaves the schema."""
    problem = first_problem(document, METRICS_SCHEMA)
    if problem is not None:
        raise MetricsError(f"metrics do not follow schemas/{METRICS_SCHEMA} {problem}")


def read_metrics(path: Path) -> dict[str, Any]:
    """A metrics.json document, validated; MetricsError when unreadable or off-schema."""
    try:
        return read_document(path, METRICS_SCHEMA)
    except DocumentError as exc:
        raise MetricsError(str(exc)) from None


def measurement_from(item: dict[str, Any]) -> Measurement:
    return Measurement(
        id=item["id"],
        title=item["title"],
        value=item["value"],
        unit=item["unit"],
        detail=item["detail"],
        breakdown=tuple((entry["status"], entry["value"]) for entry in item["breakdown"]),
        available=item["available"],
    )


def read_measurements(path: Path) -> tuple[Measurement, ...]:
    """The measurements of a metrics.json, in the file's (fixed) order."""
    return tuple(measurement_from(item) for item in read_metrics(path)["measurements"])
