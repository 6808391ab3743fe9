"""Stated assumptions about who runs a formula, applied by rewriting its AST.

Validation rules routinely exempt administrators and integrations: ``NOT($Permission.Bypass_VR)``,
``$Profile.Name <> "System Administrator"``, ``$User.Id <> "005..."``,
``$Setup.Bypass__c.Disable_VR__c``. For the evaluator these globals are unknown, so such a rule
never evaluates to TRUE and a check would wrongly say it enforces nothing. What a process audit
cares about is the ordinary user working leads: ``as_ordinary_user`` rewrites the formula for a
user who holds no bypass permission or setting and is no particular profile, user or role. The
result is an assumption, stated where it is used; it never touches fields of the lead.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.formula import BinaryOp, Call, FieldRef, Literal, Node, UnaryOp

__all__ = ["ORDINARY_USER", "as_ordinary_user"]

# A text no profile name, user id, username or role equals: NUL cannot be typed into Salesforce.
ORDINARY_USER = "\u0000ordinary user"

# Custom permissions and hierarchy custom settings are how orgs grant bypasses: off for this user.
_BYPASS_PREFIXES = ("$permission.", "$setup.")
# Who the user is: never the administrator, integration user or role a rule exempts.
_IDENTITY_PREFIXES = ("$profile.", "$user.", "$userrole.")


def _bare(name: str) -> str:
    """``{!$Permission.X}`` -> ``$permission.x``: flows wrap references in merge syntax."""
    return name.strip().removeprefix("{!").removesuffix("}").strip().lower()


def _replacement(node: FieldRef) -> Node | None:
    if not isinstance(node.name, str):
        return None
    name = _bare(node.name)
    if name.startswith(_BYPASS_PREFIXES):
        return Literal(False, "boolean", node.offset)
    if name.startswith(_IDENTITY_PREFIXES):
        return Literal(ORDINARY_USER, "string", node.offset)
    return None


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Call):
        return tuple(node.args)
    if isinstance(node, BinaryOp):
        return (node.left, node.right)
    if isinstance(node, UnaryOp):
        return (node.operand,)
    return ()


def _rebuilt(node: Node, children: tuple[Node, ...]) -> Node:
    """``node`` with new children; the very same object when none changed."""
    if all(new is old for new, old in zip(children, _children(node))):
        return node
    if isinstance(node, Call):
        return replace(node, args=children)
    if isinstance(node, BinaryOp):
        return replace(node, left=children[0], right=children[1])
    if isinstance(node, UnaryOp):
        return replace(node, operand=children[0])
    return node


def as_ordinary_user(node: Node) -> Node:
    """The formula as it reads for an ordinary user without any bypass.

    ``$Permission.*`` and ``$Setup.*`` (any case, also inside ``{!...}``) become FALSE;
    ``$Profile.*``, ``$User.*`` and ``$UserRole.*`` become a text no real value equals, so
    ``$Profile.Name <> "System Administrator"`` is TRUE and ``$User.Id = "005..."`` is FALSE.
    Everything else is left as it is. The walk is iterative, so no tree depth can exhaust the stack.
    """
    done: dict[int, Node] = {}
    stack: list[tuple[Node, bool]] = [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if id(current) in done:
            continue  # a subtree shared by two parents: rewritten once
        if isinstance(current, FieldRef):
            done[id(current)] = _replacement(current) or current
        elif not expanded:
            stack.append((current, True))
            stack.extend((child, False) for child in _children(current))
        else:
            done[id(current)] = _rebuilt(current, tuple(done[id(child)] for child in _children(current)))
    return done[id(node)]
