"""Runs the rules over one org: settings, not-applicable, crashes, waivers, completeness.

A check is a module with ``RULE`` and a pure ``check(ctx)`` generator. The engine owns every
policy around it, so no check has to remember to apply a waiver or a severity override.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import Any, Protocol

import networkx as nx

from auditor.findings import (
    AuditResult,
    Baseline,
    NOTHING_TO_CHECK,
    Checked,
    Finding,
    NotApplicable,
    Rule,
    RuleOutcome,
    Severity,
    WaivedFinding,
)
from auditor.graph import build_graph
from auditor.measurements import Measurement
from auditor.model import Model, SourceRef
from auditor.overview import build_overview
from auditor.process import Process, RuleSetting
from auditor.scoring.build import build_scoring
from auditor.scoring.model import ScoringModel

INTERNAL_ERROR = Rule(
    id="CF002",
    name="check-crashed",
    severity=Severity.HIGH,
    category="configuration",
    summary="A check failed with an internal error, so the audit is incomplete",
)
INTERNAL_ERROR_DOC = """CF002 check-crashed: a check failed with an internal error.

What: a rule raised an unexpected error on this org's metadata, so its verdict is unknown.

Why it matters: a rule that could not run must never look like a rule that passed. The audit is
marked incomplete (exit code 3) and the finding names the rule and the error.

How to fix: report it with the error text and, if you can, the metadata file involved; until it
is fixed, review that rule's area by hand. The finding disappears when the check runs cleanly.
"""


class Check(Protocol):
    RULE: Rule

    def check(self, ctx: "CheckContext") -> Iterator[Finding | Checked]: ...


@dataclass(frozen=True)
class CheckContext:
    """Everything a check may read; checks are pure functions of it."""

    rule: Rule
    model: Model
    graph: nx.MultiDiGraph
    process: Process | None
    options: Mapping[str, Any] = field(default_factory=dict)
    # the merged Account Engagement scoring model (scoring file + Salesforce metadata + live API):
    # built once per audit here, because it needs both the org model and the process file
    scoring: ScoringModel | None = None

    def finding(
        self,
        subject: str,
        message: str,
        *,
        fix: str,
        location: SourceRef | None,
        severity: Severity | None = None,
        related: tuple[str, ...] = (),
    ) -> Finding:
        return Finding(
            rule_id=self.rule.id,
            rule_name=self.rule.name,
            severity=severity or self.rule.severity,
            category=self.rule.category,
            subject=subject,
            message=message,
            fix=fix,
            location=location,
            related=related,
        )

    def checked(self, subject: str, location: SourceRef | None = None) -> Checked:
        """Record that ``subject`` was judged; yield it whether or not a finding follows."""
        return Checked(self.rule.id, subject, location)

    def require_process(self) -> Process:
        if self.process is None:
            raise NotApplicable("no process file: this rule compares the org with the documented process")
        return self.process

    def require_scoring(self) -> ScoringModel:
        if self.scoring is None:
            raise NotApplicable(
                "no scoring model: name a scoring model file with 'scoring_model' in the process file "
                "(leadaudit init --scoring writes one), or retrieve the Account Engagement fields on Lead"
            )
        return self.scoring

    @property
    def today(self) -> dt.date:
        return self.options.get("today") or dt.date.today()


def setting_for(rule: Rule, process: Process | None) -> RuleSetting | None:
    if process is None:
        return None
    return process.rule_settings.get(rule.id) or process.rule_settings.get(rule.name)


def _apply_severity(findings: list[Finding], rule: Rule, setting: RuleSetting | None) -> list[Finding]:
    """A user's re-grading replaces the rule's default; a check's own lower grade is kept relative."""
    if setting is None or setting.severity is None:
        return findings
    shift = int(setting.severity) - int(rule.severity)
    return [
        replace(f, severity=Severity(min(max(int(f.severity) + shift, 1), 3))) for f in findings
    ]


def _waive(
    findings: list[Finding], process: Process | None, today: dt.date
) -> tuple[list[Finding], list[WaivedFinding]]:
    if process is None or not process.waivers:
        return findings, []
    kept: list[Finding] = []
    waived: list[WaivedFinding] = []
    for finding in findings:
        waiver = next(
            (
                w
                for w in process.waivers
                if w.rule in (finding.rule_id, finding.rule_name)
                and w.subject == finding.subject
                and w.expires >= today  # an expired waiver no longer hides anything
            ),
            None,
        )
        if waiver is None:
            kept.append(finding)
        else:
            waived.append(WaivedFinding(finding, waiver.reason, waiver.expires.isoformat()))
    return kept, waived


def _passed(checked: list[Checked], findings: list[Finding], outcomes: list[RuleOutcome]) -> tuple[Checked, ...]:
    """Checked (rule, subject) pairs with no finding (waived or not): the passing testcases."""
    failed = {(f.rule_id, f.subject) for f in findings}
    first: dict[tuple[str, str], Checked] = {}
    for item in sorted(checked, key=Checked.sort_key):
        first.setdefault((item.rule_id, item.subject), item)
    judged = {rule_id for rule_id, _ in first} | {rule_id for rule_id, _ in failed}
    for outcome in outcomes:  # a rule that ran on nothing still shows, as one skipped case
        if outcome.status == "ran" and outcome.rule.id not in judged:
            first[(outcome.rule.id, NOTHING_TO_CHECK)] = Checked(outcome.rule.id, NOTHING_TO_CHECK, None)
    return tuple(sorted((c for key, c in first.items() if key not in failed), key=Checked.sort_key))


def run_audit(
    model: Model,
    process: Process | None,
    checks: Iterable[ModuleType | Check],
    *,
    now: dt.datetime,
    tool_version: str,
    options: Mapping[str, Any] | None = None,
    baseline: Baseline | None = None,
    scoring_parts: Iterable[ScoringModel] = (),
    measurements: tuple[Measurement, ...] = (),
) -> AuditResult:
    """``scoring_parts``: scoring model parts from sources other than the scoring file and the
    metadata (the live Account Engagement API), merged with them."""
    graph = build_graph(model, process)
    scoring = build_scoring(model, process, tuple(scoring_parts))
    opts = {"today": now.date(), **(options or {})}
    findings: list[Finding] = []
    checked: list[Checked] = []
    outcomes: list[RuleOutcome] = []
    incomplete: list[str] = []

    for check in checks:
        rule: Rule = check.RULE
        setting = setting_for(rule, process)
        if setting is not None and not setting.enabled:
            outcomes.append(RuleOutcome(rule, "disabled", f"disabled in {process.path if process else ''}"))
            continue
        ctx = CheckContext(rule=rule, model=model, graph=graph, process=process, options=opts, scoring=scoring)
        try:
            produced = list(check.check(ctx))
        except NotApplicable as na:
            outcomes.append(RuleOutcome(rule, "not-applicable", na.reason))
            continue
        except Exception as exc:  # a crashing check must never pass silently
            outcomes.append(RuleOutcome(rule, "error", f"{type(exc).__name__}: {exc}"))
            findings.append(
                CheckContext(rule=INTERNAL_ERROR, model=model, graph=graph, process=process).finding(
                    f"Rule:{rule.id}",
                    f"{rule.id} {rule.name} failed with {type(exc).__name__}: {exc}; its verdict is unknown",
                    fix="Review this rule's area by hand and report the error with the metadata involved.",
                    location=None,
                )
            )
            incomplete.append(f"rule {rule.id} {rule.name} crashed ({type(exc).__name__})")
            continue
        checked.extend(item for item in produced if isinstance(item, Checked))
        found = [item for item in produced if isinstance(item, Finding)]
        findings.extend(_apply_severity(found, rule, setting))
        outcomes.append(RuleOutcome(rule, "ran"))

    unreadable = sorted(p.source.path for p in model.problems if p.kind == "unreadable")
    if unreadable:
        named = ", ".join(unreadable[:5]) + (f" and {len(unreadable) - 5} more" if len(unreadable) > 5 else "")
        incomplete.insert(0, f"{len(unreadable)} file(s) could not be read: {named}")
    if model.facts is not None and not model.facts.complete:
        # a partial retrieval is never audited as if it were whole (DESIGN: robustness)
        missing = "; ".join(model.facts.unavailable) or "see facts.json"
        incomplete.append(f"the retrieval from the org was incomplete: {missing}")
    if not any(record.status == "read" for record in model.files) and not unreadable:
        # A wrong path, an empty retrieve or a folder of something else must never pass as clean.
        incomplete.insert(0, f"the source {model.source_name} holds no metadata leadaudit reads, so nothing was audited")
    kept, waived = _waive(findings, process, opts["today"])
    return AuditResult(
        source=model.source_name,
        process_file=process.path if process else None,
        generated_at=now.isoformat(),
        tool_version=tool_version,
        findings=tuple(sorted(kept, key=Finding.sort_key)),
        waived=tuple(sorted(waived, key=lambda w: w.finding.sort_key())),
        outcomes=tuple(sorted(outcomes, key=lambda o: o.rule.id)),
        files=model.files,
        incomplete_reasons=tuple(incomplete),
        passed=_passed(checked, findings, outcomes),
        overview=build_overview(model, graph, process, findings, scoring=scoring),
        baseline=baseline,
        measurements=measurements,
    )
