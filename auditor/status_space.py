"""Which statuses a guard can hold in, answered once per condition and kept as bit masks.

A flow's elements are guarded by paths of conditions, and the same decision outcomes sit on
hundreds of paths of one flow. A condition's answer depends on the status alone (nothing else
is known), so each condition is evaluated once per status, and a path combines its conditions'
masks: Kleene AND is not FALSE exactly when no part is FALSE, and OR is not FALSE exactly when
some part is not. That gives the same answer as evaluating the guard's whole OR-of-ANDs
formula status by status, at the cost of one AND of integers per condition on a path.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.flowpaths import Guard
from auditor.formula import Node
from auditor.logic import Facts, Tri, evaluate, status_classes

OTHER_STATUS = "\x00another status"  # a value no picklist has: "any status but these"


class StatusSpace:
    """The statuses of one audit, with the masks of the conditions asked about so far."""

    def __init__(self, statuses: Iterable[str]) -> None:
        self.statuses = list(statuses)
        # the last bit stands for a status no picklist has: a guard that may hold there does not
        # guard on Status at all
        self._tried = [*self.statuses, OTHER_STATUS]
        self._other_bit = 1 << len(self.statuses)
        self._every = (1 << len(self._tried)) - 1
        self._bits = {status: 1 << bit for bit, status in enumerate(self._tried)}
        # by id, holding the node so the id cannot be reused while the space lives
        self._masks: dict[int, tuple[Node, int]] = {}

    def _node_mask(self, node: Node) -> int:
        known = self._masks.get(id(node))
        if known is not None:
            return known[1]
        # evaluation is monotone (auditor.logic_eval): an answer known with the status unknown is
        # the answer in every status
        answer = evaluate(node, Facts())
        if answer is not Tri.UNKNOWN:
            mask = 0 if answer is Tri.FALSE else self._every
        else:
            mask = 0
            for group in status_classes(node, self._tried):  # one evaluation per group
                if evaluate(node, Facts(status=group[0])) is not Tri.FALSE:
                    for status in group:
                        mask |= self._bits[status]
        self._masks[id(node)] = (node, mask)
        return mask

    def mask(self, guard: Node | Guard) -> int:
        """Bit i set: the guard is not FALSE for a lead in status i (the last bit: any other)."""
        if not isinstance(guard, Guard):
            return self._node_mask(guard)
        found = 0
        for path in guard.paths:
            path_mask = self._every
            for condition in path:
                path_mask &= self.mask(condition)
                if not path_mask:
                    break
            found |= path_mask
            if found == self._every:
                break
        return found

    def possible(self, guard: Node | Guard | None) -> frozenset[str] | None:
        """Statuses in which a guard can hold; None when it does not depend on Status at all."""
        if guard is None:
            return None
        mask = self.mask(guard)
        if mask & self._other_bit:
            return None  # holds (or may) for a status no picklist has: not a status guard
        return frozenset(status for bit, status in enumerate(self.statuses) if mask >> bit & 1)
