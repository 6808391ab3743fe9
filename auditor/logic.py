"""One predicate form for every condition, and a three-valued evaluator over it.

Assignment and workflow criteria items (with ``booleanFilter``), flow start filters and decision
conditions are all turned into formula ASTs (``auditor.formula``), so a single evaluator answers
"is this condition TRUE, FALSE or UNKNOWN for a lead in status S, coming from status P?".
Everything not given in the facts is UNKNOWN: the evaluator never guesses a field's value.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from auditor.formula import Node
from auditor.model import CriteriaItem, Flow, FlowCondition, FlowFilter, RuleEntry


class Tri(enum.Enum):
    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __and__(self, other: "Tri") -> "Tri":
        raise NotImplementedError

    def __or__(self, other: "Tri") -> "Tri":
        raise NotImplementedError

    def __invert__(self) -> "Tri":
        raise NotImplementedError


@dataclass(frozen=True)
class Facts:
    """What is known about one lead at one moment; every other field is unknown.

    ``fields`` holds other known values by normalised field name (see ``field_key``); a value of
    None means the field is known to be blank.
    """

    status: str | None = None  # the Lead Status API name now (None: unknown)
    prior_status: str | None = None  # PRIORVALUE(Status) / $Record__Prior.Status
    status_changed: bool | None = None  # ISCHANGED(Status)
    is_new: bool | None = None  # ISNEW()
    fields: Mapping[str, str | None] = field(default_factory=dict)


def field_key(name: str) -> str:
    """Normalise a field reference: ``{!$Record.Status}``, ``Lead.Status``, ``status`` -> ``status``."""
    raise NotImplementedError


def evaluate(node: Node, facts: Facts) -> Tri:
    """Three-valued evaluation of a formula AST under the given facts."""
    raise NotImplementedError


def criteria_formula(items: Sequence[CriteriaItem], boolean_filter: str | None) -> Node:
    """Criteria items (AND by default, or combined by ``1 AND (2 OR 3)``) as one formula AST."""
    raise NotImplementedError


def flow_conditions_formula(conditions: Sequence[FlowCondition | FlowFilter], logic: str | None) -> Node:
    """Flow start filters or decision conditions (``and``, ``or``, ``1 AND (2 OR 3)``) as one AST."""
    raise NotImplementedError


def flow_entry_formula(flow: Flow) -> Node | None:
    """The condition a record must meet to start the flow (filters or filterFormula); None: any record."""
    raise NotImplementedError


def rule_entry_formula(entry: RuleEntry) -> Node | None:
    """An assignment/auto-response entry's condition; None when it has no criteria (matches every lead)."""
    raise NotImplementedError
