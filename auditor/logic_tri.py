"""Kleene's three-valued truth: what every condition evaluates to."""

from __future__ import annotations

import enum


class Tri(enum.Enum):
    """Kleene's strong three-valued logic: UNKNOWN means "could be either"."""

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Tri:
        """TRUE/FALSE for a bool, UNKNOWN for None."""
        if value is None:
            return cls.UNKNOWN
        return cls.TRUE if value else cls.FALSE

    def __and__(self, other: Tri) -> Tri:
        if not isinstance(other, Tri):
            return NotImplemented
        # One FALSE decides an AND whatever the other side is.
        if self is Tri.FALSE or other is Tri.FALSE:
            return Tri.FALSE
        if self is Tri.TRUE and other is Tri.TRUE:
            return Tri.TRUE
        return Tri.UNKNOWN

    def __or__(self, other: Tri) -> Tri:
        if not isinstance(other, Tri):
            return NotImplemented
        # One TRUE decides an OR whatever the other side is.
        if self is Tri.TRUE or other is Tri.TRUE:
            return Tri.TRUE
        if self is Tri.FALSE and other is Tri.FALSE:
            return Tri.FALSE
        return Tri.UNKNOWN

    def __invert__(self) -> Tri:
        if self is Tri.TRUE:
            return Tri.FALSE
        if self is Tri.FALSE:
            return Tri.TRUE
        return Tri.UNKNOWN
