"""VR001 required-field-unenforced: a field the process requires for a status is not enforced.

What: for each documented status with ``required_fields``, each field that nothing forces to be
filled when a lead enters that status. A field counts as enforced when it is universally required
(``<required>true</required>``), or when an active Lead validation rule's error condition is TRUE
for a lead that has just moved into the status with the field blank (a checkbox: unchecked, since
a checkbox is never blank). leadaudit evaluates the parsed formula with the status, "Status
changed" and the field known, and everything else unknown, for an ordinary user: bypasses for
admins and integrations (``$Permission``, ``$Setup`` custom settings, ``$Profile``, ``$User``,
``$UserRole``) are standard practice and are read as not applying; they are mentioned nowhere.
A rule whose verdict depends on something else (another field, the previous status, who the
user is) may enforce it only partly: it does not count, the finding names it and is graded LOW,
since leadaudit cannot confirm it. An unparseable rule that names the field is treated the same
way (VR003 reports it). Validation rules run when a lead is converted only when "Require
Validation for Converted Leads" is on (LeadConfig ``shouldLeadConvertRequireValidation``): for a
``converted: true`` status, a rule counts only when the source shows that setting on; otherwise
the finding says so (HIGH when the setting is off, LOW when the source does not show it). Flows
are not counted: a before-save flow cannot block a save, and the model does not show
custom-error elements.

Why it matters: the process says the field is logged every time (the classic case: the
disqualification reason), but nothing stops a rep from moving the lead on without it, so the data
that feeds back into the MQL definition is missing exactly when it is needed.

How to fix: add an active validation rule on Lead whose error condition is the status and the
blank field, for example ``AND(ISPICKVAL(Status, "Disqualified"), ISBLANK(TEXT(Disqualification_Reason__c)))``
(``TEXT()`` only for a picklist field, ``NOT(Field__c)`` for a checkbox), with the field as error
location; for a converted status, also turn on "Require Validation for Converted Leads" in Lead
Settings.

Failing example: the process requires ``Disqualification_Reason__c`` for ``Disqualified``; no
active validation rule tests it (or the only one is inactive).

Passing example: the active rule ``AND(TEXT(Status) = "Disqualified", ISBLANK(TEXT(Disqualification_Reason__c)),
NOT($Permission.Bypass_Validation))``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from auditor.assumptions import as_ordinary_user
from auditor.engine import CheckContext
from auditor.findings import Checked, Finding, NotApplicable, Rule, Severity
from auditor.formula import Call, FieldRef, Literal, Node, fields_read, to_source, walk
from auditor.logic import Facts, Tri, evaluate, field_key
from auditor.model import LeadField, Model, Setting, SourceRef, ValidationRule
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
# LeadConfigSettings element (Metadata API WSDL): "Require Validation for Converted Leads"
_REQUIRE_VALIDATION = "shouldLeadConvertRequireValidation"


def _bare(name: str) -> str:
    """``Lead.Reason__c`` -> ``Reason__c``: the process file may name fields either way."""
    return name.split(".", 1)[1] if name.lower().startswith("lead.") else name


def _reads(ast: Node, key: str) -> bool:
    return any(field_key(name) == key for name in fields_read(ast))


def _depends_on(ast: Node, known: set[str]) -> str:
    """What else a formula's verdict hangs on, in words: other fields, the previous status."""
    others = sorted(
        {_bare(name) for name in fields_read(ast) if field_key(name) not in known and not is_status_field(name)},
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


@dataclass
class _Verdict:
    """What the active rules do for one (status, field): enforce it, or which ones only might."""

    enforced: bool = False
    blocked: list[ValidationRule] = field(default_factory=list)  # would enforce, but not run at conversion
    partial: list[Parsed] = field(default_factory=list)  # enforce it only under other conditions


def _verdict(facts: Facts, key: str, rules: list[Parsed], rules_run: bool) -> _Verdict:
    """Whether some rule surely blocks entering the status with the field blank (or unchecked).

    A rule is read for an ordinary user without bypass permissions, settings or profiles
    (``as_ordinary_user``): bypasses for admins and integrations are standard practice and do
    not make a rule partial. The rewrite only credits rules: one that the rewrite makes FALSE but
    that is UNKNOWN as written (``$User.Country = "DE"``) is still named as partial.
    """
    verdict = _Verdict()
    for vr, ast in rules:
        rewritten = as_ordinary_user(ast)
        as_user = evaluate(rewritten, facts)
        if as_user is Tri.TRUE:
            if rules_run:
                return _Verdict(enforced=True)
            verdict.blocked.append(vr)
        elif as_user is Tri.UNKNOWN and _reads(ast, key):
            verdict.partial.append((vr, rewritten))  # described without its bypasses
        elif evaluate(ast, facts) is Tri.UNKNOWN and _reads(ast, key):
            verdict.partial.append((vr, ast))  # it depends on who the user is: say so
    return verdict


def _conversion_setting(model: Model) -> tuple[str | None, Setting | None]:
    """LeadConfig shouldLeadConvertRequireValidation as written ('true', 'false') or None, and the file."""
    config = next((s for s in model.settings if s.name == "LeadConfig"), None)
    value = config.get(_REQUIRE_VALIDATION) if config is not None else None
    return (value.strip().lower() if value else None), config


def _setting_text(value: str | None, config: Setting | None) -> str:
    if value == "false":
        return f"Lead Settings turn it off (LeadConfig {_REQUIRE_VALIDATION} is false)"
    if config is not None:
        return (
            f"LeadConfig in the source does not set {_REQUIRE_VALIDATION}, so leadaudit cannot confirm it is on"
        )
    return "the source holds no Lead Settings (settings/LeadConfig.settings), so leadaudit cannot confirm it is on"


def _names(rules: list[ValidationRule]) -> str:
    word = "validation rule" if len(rules) == 1 else "validation rules"
    return f"{word} {', '.join(vr.name for vr in rules)}"


def _unparsed_mentioning(active: list[ValidationRule], name: str) -> list[ValidationRule]:
    """Unparseable rules whose text names the field: they might enforce it, leadaudit cannot tell.

    A plain text search, used only to be cautious: it can only add rules that might enforce.
    """
    wanted = name.lower()
    return [vr for vr in active if try_parse(vr.formula) is None and wanted in vr.formula.lower()]


def check(ctx: CheckContext) -> Iterator[Finding | Checked]:
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
    setting, config = _conversion_setting(model)

    for status, raw_name in wanted:
        # the status is the subject (as in the findings): it passes when all its fields are enforced
        yield ctx.checked(f"Status:{status.api_name}", SourceRef(process.path, status.line))
        name = _bare(raw_name)
        fld = model.field_named(name)
        if fld is not None and fld.required:
            continue  # required on every save, so also when entering this status
        key = field_key(raw_name)
        checkbox = fld is not None and fld.type == "Checkbox"
        # a checkbox is never blank, only unchecked: a required checkbox means "must be ticked"
        # (the evaluator takes a known boolean; Facts.fields is typed for text, hence the ignore)
        blank: bool | None = False if checkbox else None
        known: dict[str, bool | None] = {key: blank}
        if status.converted:
            known.setdefault("isconverted", True)  # the lead enters a converted status by conversion
        facts = Facts(status=status.api_name, status_changed=True, fields=known)  # type: ignore[arg-type]
        # validation rules run on conversion only when Lead Settings say so
        rules_run = not status.converted or setting == "true"
        verdict = _verdict(facts, key, parsed, rules_run)
        if verdict.enforced:
            continue
        unparsed = _unparsed_mentioning(active, name)
        yield _finding(ctx, status, name, fld, checkbox, verdict, unparsed, (setting, config))


def _finding(
    ctx: CheckContext, status: ProcessStatus, name: str, fld: LeadField | None, checkbox: bool,
    verdict: _Verdict, unparsed: list[ValidationRule], conversion: tuple[str | None, Setting | None],
) -> Finding:
    process = ctx.require_process()
    setting, config = conversion
    known = {field_key(name)} | ({"isconverted"} if status.converted else set())
    who = f"leads can be converted into '{status.api_name}'" if status.converted else (
        f"leads can enter '{status.api_name}'"
    )
    without = f"with {name} unchecked" if checkbox else f"without {name}"
    clauses: list[str] = []
    not_run = status.converted and setting != "true"
    run_clause = (
        "validation rules run when a lead is converted only when \"Require Validation for Converted Leads\" "
        f"is on in Lead Settings, and {_setting_text(setting, config)}"
    )
    if verdict.blocked:
        verb = "requires" if len(verdict.blocked) == 1 else "require"
        clauses.append(f"{_names(verdict.blocked)} {verb} it, but {run_clause}")
    for vr, ast in verdict.partial:
        clauses.append(
            f"validation rule {vr.name} requires it only under conditions leadaudit cannot confirm "
            f"(depending on {_depends_on(ast, known)})"
        )
    if unparsed:
        verb = "mentions" if len(unparsed) == 1 else "mention"
        clauses.append(
            f"{_names(unparsed)} {verb} it but cannot be parsed (see VR003), so leadaudit could not judge "
            f"{'it' if len(unparsed) == 1 else 'them'}"
        )
    if not clauses:
        clauses.append("no active validation rule requires it")
    if not_run and not verdict.blocked:
        clauses.append(run_clause)
    if fld is None and ctx.model.fields:
        clauses.append(f"{name} is not among the Lead fields in the source: check its API name in {process.path}")
    # Certain only when nothing might enforce it; at conversion with the setting known off, no rule can.
    rules_can_run = not status.converted or setting != "false"
    uncertain = rules_can_run and bool(verdict.blocked or verdict.partial or unparsed)
    fix = _fix(status, name, fld)
    if not_run:
        turn_on = (
            "Turn on \"Require Validation for Converted Leads\" in Setup > Lead Settings "
            f"(LeadConfig {_REQUIRE_VALIDATION})"
        )
        fix = f"{turn_on} so that {_names(verdict.blocked)} also runs at conversion." if verdict.blocked else (
            f"{fix} {turn_on}: validation rules do not run at conversion without it."
        )
    location: SourceRef | None
    if verdict.blocked:
        location = config.source if config is not None else verdict.blocked[0].source
    elif verdict.partial:
        location = verdict.partial[0][0].source
    elif unparsed:
        location = unparsed[0].source
    elif fld is not None:
        location = fld.source
    else:
        location = SourceRef(process.path, status.line)
    return ctx.finding(
        f"Status:{status.api_name}",
        f"{who} {without}: " + "; ".join(clauses),
        fix=fix,
        location=location,
        severity=Severity.LOW if uncertain else None,
    )
