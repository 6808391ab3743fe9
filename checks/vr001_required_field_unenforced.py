"""VR001 required-field-unenforced: a field the process requires for a status is not enforced.

What: for each documented status with ``required_fields``, each field that nothing forces to be
filled when a lead enters that status. A field counts as enforced when it is universally required
(``<required>true</required>``), or when an active Lead validation rule's error condition is TRUE
for a lead that has just moved into the status with the field blank (leadaudit evaluates the
parsed formula with the status, "Status changed" and the blank field known, and everything else
unknown). A rule whose verdict depends on something else (another field, the previous status) may
enforce it only partly: it does not count, and the finding names it. Unparseable formulas are
skipped (VR003 reports them; the finding names them too). Flows are not counted: a before-save
flow cannot block a save, and the model does not show custom-error elements.

Why it matters: the process says the field is logged every time (the classic case: the
disqualification reason), but nothing stops a rep from moving the lead on without it, so the data
that feeds back into the MQL definition is missing exactly when it is needed.

How to fix: add an active validation rule on Lead whose error condition is the status and the
blank field, for example ``AND(ISPICKVAL(Status, "Disqualified"), ISBLANK(TEXT(Disqualification_Reason__c)))``
(``TEXT()`` only for a picklist field), with the field as error location.

Failing example: the process requires ``Disqualification_Reason__c`` for ``Disqualified``; no
active validation rule tests it (or the only one is inactive).

Passing example: the active rule ``AND(TEXT(Status) = "Disqualified", ISBLANK(TEXT(Disqualification_Reason__c)))``.
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.engine import CheckContext
from auditor.findings import Finding, NotApplicable, Rule, Severity
from auditor.formula import Call, FieldRef, Literal, Node, fields_read, to_source, walk
from auditor.logic import Facts, Tri, evaluate, field_key
from auditor.model import LeadField, SourceRef, ValidationRule
from auditor.process import ProcessStatus
from auditor.sites import is_status_field, try_parse

RULE = Rule(
    id="VR001",
    name="required-field-unenforced",
    severity=Severity.HIGH,
    category="validation",
    summary="A field the process requires for a status is not enforced by any active validation rule",
    needs_process=True,
)

Parsed = tuple[ValidationRule, Node]


def _bare(name: str) -> str:
    """``Lead.Reason__c`` -> ``Reason__c``: the process file may name fields either way."""
    return name.split(".", 1)[1] if name.lower().startswith("lead.") else name


def _reads(ast: Node, key: str) -> bool:
    return any(field_key(name) == key for name in fields_read(ast))


def _depends_on(ast: Node, key: str) -> str:
    """What else a formula's verdict hangs on, in words: other fields, the previous status."""
    others = sorted(
        {_bare(name) for name in fields_read(ast) if field_key(name) != key and not is_status_field(name)},
        key=str.lower,
    )
    for node in walk(ast):
        if isinstance(node, Call) and node.name == "PRIORVALUE" and node.args:
            arg = node.args[0]
            if isinstance(arg, FieldRef) and is_status_field(arg.name):
                others.append("the previous status")
                break
    return ", ".join(others) or "conditions leadaudit cannot evaluate"


def _blank_test(name: str, fld: LeadField | None) -> str:
    kind = (fld.type if fld is not None else "").lower()
    if kind == "picklist":
        return f"ISBLANK(TEXT({name}))"  # a picklist is only blank-tested through TEXT()
    if kind == "checkbox":
        return f"NOT({name})"  # a checkbox is never blank: "required" means ticked
    return f"ISBLANK({name})"


def _fix(status: ProcessStatus, name: str, fld: LeadField | None) -> str:
    formula = f"AND(ISPICKVAL(Status, {to_source(Literal(status.api_name, 'string'))}), {_blank_test(name, fld)})"
    hint = "" if fld is not None else " (wrap the field in TEXT() if it is a picklist)"
    return (
        f"Add an active validation rule on Lead with the error condition {formula}{hint} and {name} as "
        "the error location."
    )


def _verdict(status: ProcessStatus, key: str, rules: list[Parsed]) -> tuple[bool, list[Parsed]]:
    """Whether some rule surely blocks entering ``status`` with the field blank; the partial ones."""
    facts = Facts(status=status.api_name, status_changed=True, fields={key: None})
    partial: list[Parsed] = []
    for vr, ast in rules:
        result = evaluate(ast, facts)
        if result is Tri.TRUE:
            return True, []
        if result is Tri.UNKNOWN and _reads(ast, key):
            partial.append((vr, ast))
    return False, partial


def check(ctx: CheckContext) -> Iterator[Finding]:
    process = ctx.require_process()
    wanted = [(status, name) for status in process.statuses for name in status.required_fields]
    if not wanted:
        raise NotApplicable(f"no status in {process.path} lists required_fields")
    model = ctx.model
    if not model.fields and not model.validation_rules:
        raise NotApplicable(
            "the source holds no Lead fields or validation rules; retrieve CustomObject:Lead to judge "
            "which required fields are enforced"
        )
    active = [vr for vr in model.validation_rules if vr.active]
    parsed = [(vr, ast) for vr in active for ast in [try_parse(vr.formula)] if ast is not None]
    unparsed = sorted(vr.name for vr in active if try_parse(vr.formula) is None)

    for status, raw_name in wanted:
        name = _bare(raw_name)
        fld = model.field_named(name)
        if fld is not None and fld.required:
            continue  # required on every save, so also when entering this status
        enforced, partial = _verdict(status, field_key(raw_name), parsed)
        if enforced:
            continue
        message = (
            f"leads can enter '{status.api_name}' without {name}: no active validation rule requires it"
        )
        for vr, ast in partial:
            message += (
                f"; validation rule {vr.name} may enforce it only when its other conditions hold "
                f"(depending on {_depends_on(ast, field_key(raw_name))}); leadaudit could not prove it"
            )
        if unparsed:
            message += f"; not judged because their formulas cannot be parsed (see VR003): {', '.join(unparsed)}"
        if fld is None and model.fields:
            message += (
                f"; {name} is not among the Lead fields in the source: check its API name in {process.path}"
            )
        location: SourceRef
        if partial:
            location = partial[0][0].source
        elif fld is not None:
            location = fld.source
        else:
            location = SourceRef(process.path, status.line)
        yield ctx.finding(f"Status:{status.api_name}", message, fix=_fix(status, name, fld), location=location)
