"""Statuses a formula cannot tell apart; import it through ``auditor.logic``.

A rule is judged status by status (40 statuses in a large org), yet most formulas read the status
only to compare it with a literal or two: ``ISPICKVAL(Status, 'MQL')``, ``$Record.Status = 'SAL'``.
The evaluator reads the current status nowhere but in those comparisons (``_Evaluator._field`` is
the only reader of ``Facts.status``), so two statuses on which every such comparison comes out
the same give the formula the same value, whatever else the facts hold. Grouping the statuses by
those outcomes lets a caller evaluate once per group instead of once per status.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace

from auditor.formula import BinaryOp, Call, FieldRef, Literal, Node, UnaryOp
from auditor.logic_eval import Facts, Tri, _Evaluator, _reference, evaluate, field_key

_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})


@dataclass(frozen=True)
class _Subject:
    """What is grouped: the current status, or the status before the change."""

    prior: bool

    def read_by(self, node: Node) -> bool:
        """Whether ``node`` is the subject's value (``TEXT()`` of it is the same text)."""
        if isinstance(node, Call) and _called(node) == "TEXT" and len(node.args) == 1:
            node = node.args[0]
        if isinstance(node, FieldRef):
            # as the evaluator's _field resolves it: $Record__Prior.Status is the prior status
            return isinstance(node.name, str) and _reference(node.name) == (self.prior, "status")
        # PRIORVALUE(Status), as the evaluator's _priorvalue reads it
        return self.prior and _is_priorvalue_of_status(node)

    def unread(self, node: Call) -> bool:
        """A call whose handler looks at its argument without evaluating it: ISCHANGED, and
        PRIORVALUE (which, for the prior status, is a reading itself when it names Status)."""
        name = _called(node)
        return name == "ISCHANGED" or (name == "PRIORVALUE" and not self.read_by(node))

    def facts(self, status: str) -> Facts:
        return Facts(prior_status=status) if self.prior else Facts(status=status)


_CURRENT, _PRIOR = _Subject(prior=False), _Subject(prior=True)


def _called(node: Node) -> str | None:
    """The function a call names, upper-cased as the evaluator looks it up; None for other nodes."""
    return node.name.upper() if isinstance(node, Call) and isinstance(node.name, str) else None


def _is_priorvalue_of_status(node: Node) -> bool:
    if not (isinstance(node, Call) and _called(node) == "PRIORVALUE" and len(node.args) == 1):
        return False
    only = node.args[0]
    return isinstance(only, FieldRef) and isinstance(only.name, str) and field_key(only.name) == "status"


class _ReadsStatusOtherwise(Exception):
    """The status is read in a way other than a comparison with a literal."""


def _comparison(node: Node, subject: _Subject) -> bool:
    """``Status <op> 'literal'`` either way round, or ``ISPICKVAL(Status, 'literal')``."""
    if isinstance(node, BinaryOp) and node.op in _COMPARISONS:
        return (subject.read_by(node.left) and isinstance(node.right, Literal)) or (
            subject.read_by(node.right) and isinstance(node.left, Literal))
    return (isinstance(node, Call) and _called(node) == "ISPICKVAL" and len(node.args) == 2
            and subject.read_by(node.args[0]) and isinstance(node.args[1], Literal))


def _collect(node: Node, found: list[Node], subject: _Subject) -> None:
    """Append every place ``node`` reads the subject to ``found`` as a formula of the subject alone."""
    if isinstance(node, Literal):
        return
    if isinstance(node, FieldRef):
        if subject.read_by(node):
            raise _ReadsStatusOtherwise
    elif isinstance(node, BinaryOp):
        if node.op in _COMPARISONS and _comparison(node, subject):
            found.append(node)
        else:
            _collect(node.left, found, subject)
            _collect(node.right, found, subject)
    elif isinstance(node, UnaryOp):
        _collect(node.operand, found, subject)
    elif isinstance(node, Call):
        _collect_call(node, found, subject)


def _collect_call(node: Call, found: list[Node], subject: _Subject) -> None:
    if subject.unread(node):
        return
    name = _called(node)
    if name == "ISPICKVAL" and _comparison(node, subject):
        found.append(node)
    elif subject.read_by(node):  # TEXT(Status), PRIORVALUE(Status) outside a comparison
        raise _ReadsStatusOtherwise
    elif name == "CASE" and node.args and subject.read_by(node.args[0]):
        # CASE(Status, v1, r1, ..., default) compares the status with each value as ``=`` does
        value_of, rest = node.args[0], node.args[1:]
        values, results = rest[0:-1:2], [*rest[1:-1:2], rest[-1]] if rest else []
        if not all(isinstance(value, Literal) for value in values):
            raise _ReadsStatusOtherwise
        found.extend(BinaryOp("=", value_of, value) for value in values)
        for result in results:
            _collect(result, found, subject)
    else:
        for arg in node.args:
            _collect(arg, found, subject)


def _equality_literals(readings: list[Node]) -> set[str] | None:
    """The texts the status is compared with when every reading is ``=``, ``!=`` or ISPICKVAL
    with a text literal: each then depends only on whether the status is that exact text (text
    against text is compared as it is, case-sensitively). None for any other reading."""
    texts: set[str] = set()
    for reading in readings:
        if isinstance(reading, BinaryOp) and reading.op in ("=", "!="):
            literal = reading.right if isinstance(reading.right, Literal) else reading.left
        elif isinstance(reading, Call):  # ISPICKVAL(Status, literal)
            literal = reading.args[1]
        else:
            return None
        if not (isinstance(literal, Literal) and literal.kind == "string" and isinstance(literal.value, str)):
            return None
        texts.add(literal.value)
    return texts


def status_classes(node: Node, statuses: Sequence[str], *, prior: bool = False) -> list[list[str]]:
    """``statuses`` in groups that ``node`` evaluates alike under any facts that differ only in the
    current status (with ``prior``: only in the status before the change), each group in the
    order of ``statuses``; each status alone when the formula reads the status otherwise."""
    subject = _PRIOR if prior else _CURRENT
    readings: list[Node] = []
    try:
        _collect(node, readings, subject)
    except (_ReadsStatusOtherwise, RecursionError):
        return [[status] for status in statuses]
    if not readings:
        return [list(statuses)] if statuses else []
    literals = _equality_literals(readings)
    if literals is not None:  # the common case, answered without evaluating
        others = [status for status in statuses if status not in literals]
        alone = [[status] for status in statuses if status in literals]
        return [others, *alone] if others else alone
    groups: dict[tuple[Hashable, ...], list[str]] = {}
    for status in statuses:
        evaluator = _Evaluator(subject.facts(status))
        outcome = tuple(evaluator.value(reading) for reading in readings)
        groups.setdefault(outcome, []).append(status)
    return list(groups.values())


def verdicts_by_status(node: Node, groups: list[list[str]], facts: Facts) -> dict[str, Tri]:
    """``node``'s value under ``facts`` for a lead in each status of ``groups``: groups of
    ``status_classes``, so one evaluation (with the group's first status) answers for a group."""
    found: dict[str, Tri] = {}
    for group in groups:
        found.update(dict.fromkeys(group, evaluate(node, replace(facts, status=group[0]))))
    return found


def statuses_not_false(node: Node, statuses: Sequence[str]) -> list[str]:
    """The statuses (in their order) in which ``node`` may hold for a lead: not FALSE, when nothing
    but the status is known. One evaluation per group of statuses ``node`` cannot tell apart."""
    groups = status_classes(node, statuses)
    if len(groups) > 2:
        # evaluation is monotone (auditor.logic_eval): an answer known with the status unknown is
        # the answer in every status, and one evaluation then settles every group
        answer = evaluate(node, Facts())
        if answer is not Tri.UNKNOWN:
            return [] if answer is Tri.FALSE else list(statuses)
    verdicts = verdicts_by_status(node, groups, Facts())
    return [status for status in statuses if verdicts[status] is not Tri.FALSE]
