"""``as_ordinary_user``: formulas read for a user without any bypass, as evaluate() tables."""

from __future__ import annotations

import pytest

from auditor.assumptions import ORDINARY_USER, as_ordinary_user
from auditor.formula import (
    BinaryOp,
    Call,
    FieldRef,
    Literal,
    Node,
    UnaryOp,
    parse_formula,
)
from auditor.logic import Facts, Tri, evaluate

T, F, U = Tri.TRUE, Tri.FALSE, Tri.UNKNOWN
DISQUALIFIED_BLANK = Facts(status="Disqualified", status_changed=True, fields={"reason__c": None})
NONE = Facts()

REASON_RULE = 'AND(ISPICKVAL(Status, "Disqualified"), ISBLANK(TEXT(Reason__c)), {bypass})'


@pytest.mark.parametrize(
    ("formula", "facts", "before", "after"),
    [
        # custom permissions: the ordinary user holds none
        (REASON_RULE.format(bypass="NOT($Permission.Bypass_Validation)"), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass="!$permission.BYPASS_VALIDATION"), DISQUALIFIED_BLANK, U, T),
        ("$Permission.Bypass_Validation", NONE, U, F),
        ("OR($Permission.Bypass_Validation, ISBLANK(TEXT(Reason__c)))", DISQUALIFIED_BLANK, T, T),
        # hierarchy custom settings: every bypass flag is off
        (REASON_RULE.format(bypass="NOT($Setup.Bypass__c.Disable_VR__c)"), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass="$Setup.Bypass__c.Disable_VR__c = FALSE"), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass="{!$Setup.ns__Bypass__c.ns__Off__c} == false"), DISQUALIFIED_BLANK, U, T),
        # profiles, users, roles: never the exempted one
        (REASON_RULE.format(bypass='$Profile.Name <> "System Administrator"'), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass="$Profile.Name != 'Integration User'"), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass='NOT($User.Id = "0057Q00000Hk3RdQAJ")'), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass='$User.Username <> "integration@northwind.example"'), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass='$UserRole.DeveloperName <> "CEO"'), DISQUALIFIED_BLANK, U, T),
        (REASON_RULE.format(bypass='$User.ProfileId <> "00e000000000001"'), DISQUALIFIED_BLANK, U, T),
        ('$Profile.Name = "System Administrator"', NONE, U, F),
        ('BEGINS($Profile.Name, "System")', NONE, U, F),
        # the assumption's reach: any user attribute differs from any value compared to it
        # (a check uses the rewrite only to credit a rule, never to dismiss one)
        ('$User.Country = "DE"', NONE, U, F),
        ("ISBLANK($User.Department)", NONE, U, F),
        # beyond it, nothing is guessed
        ("$User.IsActive", NONE, U, U),  # text is not a checkbox: still unknown, never TRUE
        ("$Setup.Config__c.Threshold__c > 5", NONE, U, U),  # a setting off is not a number
        # everything else is untouched
        (REASON_RULE.format(bypass="Owner:User.Profile.Name <> 'System Administrator'"), DISQUALIFIED_BLANK, U, U),
        (REASON_RULE.format(bypass="NOT($Label.Bypass)"), DISQUALIFIED_BLANK, U, U),
        (REASON_RULE.format(bypass="NOT($CustomMetadata.Switch__mdt.VR.Off__c)"), DISQUALIFIED_BLANK, U, U),
        ("ISPICKVAL(Status, 'MQL')", DISQUALIFIED_BLANK, F, F),
    ],
)
def test_ordinary_user_evaluation(formula: str, facts: Facts, before: Tri, after: Tri) -> None:
    ast = parse_formula(formula)
    assert evaluate(ast, facts) is before
    assert evaluate(as_ordinary_user(ast), facts) is after


def test_references_are_replaced_by_literals() -> None:
    ast = parse_formula("AND(NOT($Permission.X), $Profile.Name <> 'A', -$Setup.S__c.N__c < 0, Reason__c = 'x')")
    assert as_ordinary_user(ast) == Call(
        "AND",
        (
            Call("NOT", (Literal(False, "boolean"),)),
            BinaryOp("!=", Literal(ORDINARY_USER, "string"), Literal("A", "string")),
            BinaryOp("<", UnaryOp("-", Literal(False, "boolean")), Literal(0.0, "number")),
            BinaryOp("=", FieldRef("Reason__c"), Literal("x", "string")),
        ),
    )


@pytest.mark.parametrize("name", ["{!$Permission.Bypass}", " {!$SETUP.B__c.Off__c} ", "$setup.b__c.off__c"])
def test_merge_syntax_and_case(name: str) -> None:
    assert as_ordinary_user(FieldRef(name)) == Literal(False, "boolean")


@pytest.mark.parametrize("name", ["{!$User.Id}", "$USERROLE.Name", "$profile.name"])
def test_identity_in_merge_syntax_and_case(name: str) -> None:
    assert as_ordinary_user(FieldRef(name)) == Literal(ORDINARY_USER, "string")


@pytest.mark.parametrize(
    "name", ["$Record.Status", "Status", "$Label.X", "$Organization.Id", "Permission__c", "$Users"]
)
def test_other_references_unchanged(name: str) -> None:
    node = FieldRef(name)
    assert as_ordinary_user(node) is node


def test_untouched_tree_is_the_same_object_and_shared_subtrees_work() -> None:
    ast = parse_formula("AND(ISPICKVAL(Status, 'MQL'), ISBLANK(Score__c))")
    assert as_ordinary_user(ast) is ast
    shared = Call("NOT", (FieldRef("$Permission.P"),))
    both = BinaryOp("&&", shared, shared)
    assert as_ordinary_user(both) == BinaryOp("&&", Call("NOT", (Literal(False, "boolean"),)),
                                              Call("NOT", (Literal(False, "boolean"),)))


def test_deep_tree_does_not_exhaust_the_stack() -> None:
    node: Node = FieldRef("$Permission.P")
    for _ in range(20000):
        node = UnaryOp("!", node)
    rewritten = as_ordinary_user(node)
    depth = 0
    while isinstance(rewritten, UnaryOp):
        rewritten = rewritten.operand
        depth += 1
    assert depth == 20000 and rewritten == Literal(False, "boolean")
