"""Which statuses a guard can hold in, as bit masks: one bit a status, one more for any other.

A flow element's guard is an OR over paths of the AND of the conditions on each path
(``auditor.flowpaths``). Kleene AND is not FALSE exactly when no part is FALSE, and OR is not
FALSE exactly when some part is not, so the statuses in which a guard can hold are the union over
its paths of the intersection of its conditions' masks: the same answer as evaluating the whole
formula status by status. A condition's mask is worked out once (evaluation needs nothing but the
status), once per group of statuses the condition cannot tell apart.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.formula import Node
from auditor.logic import statuses_not_false

OTHER_STATUS = "\x00another status"  # a value no picklist has: "any status but these"


class StatusSpace:
    """The statuses of one audit, with the masks of the conditions asked about so far."""

    def __init__(self, statuses: Iterable[str]) -> None:
        self.statuses = list(statuses)
        # the last bit stands for a status no picklist has: a guard that may hold there does not
        # guard on Status at all
        self._tried = [*self.statuses, OTHER_STATUS]
        self._other_bit = 1 << len(self.statuses)
        self._bits = {status: 1 << bit for bit, status in enumerate(self._tried)}
        # by id, holding the node so the id cannot be reused while the space lives
        self._masks: dict[int, tuple[Node, int]] = {}

    def mask(self, node: Node) -> int:
        """Bit i set: the condition is not FALSE for a lead in status i (the last bit: any other)."""
        known = self._masks.get(id(node))
        if known is not None:
            return known[1]
        mask = 0
        for status in statuses_not_false(node, self._tried):
            mask |= self._bits[status]
        self._masks[id(node)] = (node, mask)
        return mask

    def possible(self, guard: Node | None) -> frozenset[str] | None:
        """Statuses in which a condition can hold; None when it does not depend on Status at all."""
        return None if guard is None else self.statuses_in(self.mask(guard))

    def statuses_in(self, mask: int | None) -> frozenset[str] | None:
        """The statuses of a mask; None when it includes a status no picklist has (no status guard)
        or is None (a guard that could not be read)."""
        if mask is None or mask & self._other_bit:
            return None
        return frozenset(status for bit, status in enumerate(self.statuses) if mask >> bit & 1)
