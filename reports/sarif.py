"""SARIF 2.1.0 report: findings as code-scanning results, with file, line and a stable identity.

One run, one result per finding. Waived findings stay in the log as suppressed results (a
reviewer sees what was accepted, and why, instead of an alert vanishing); with a baseline, each
result says whether it is new or unchanged (findings that are gone are left to the JSON, HTML and
text reports: code-scanning services would show an "absent" result as an open alert). ``partialFingerprints`` carries ``Finding.fingerprint`` so a code-scanning service
tracks an alert across runs even when edits above it move its line.

URIs. A finding's path is relative to the audited SOURCE, but SARIF consumers resolve relative
URIs against the folder the tool ran in (the repository root in CI). So paths are re-rooted at
the source: ``force-app/...`` of source ``examples/demo-org`` becomes
``examples/demo-org/force-app/...``. The process file's path is already relative to that folder
and is kept as it is. Inside a retrieve ``.zip`` there is no file to open, so entries keep their
archive name under the base id LEADAUDIT_SOURCE, which ``run.originalUriBaseIds`` describes. An
absolute source (or process file) lies outside any repository; its files get absolute
``file://`` URIs, which a local viewer can still open, rather than relative ones that would
point at the wrong place. Paths are percent-encoded (spaces, ``#``, ``%``, non-ASCII).

An incomplete audit must never look clean: ``invocations[0].executionSuccessful`` is false and
each reason is an error notification. Columns are unknown, so regions carry lines only. The
output is pure ASCII JSON with sorted keys, so it is valid whatever the writer's encoding and
two runs over the same org give identical files.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

from auditor.findings import AuditResult, Finding, Rule, RuleOutcome, Severity, WaivedFinding
from reports import jsontext
from reports.common import area_rank, doc_sections, ordered_findings, ordered_outcomes, ordered_reasons, ordered_waived

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "leadaudit"
INFORMATION_URI = "https://github.com/leadaudit/leadaudit"
#: The partialFingerprints key; the version changes if Finding.fingerprint ever changes meaning.
FINGERPRINT_KEY = "leadaudit/v1"
#: The base id of entries inside a retrieve zip, described in run.originalUriBaseIds.
ZIP_BASE_ID = "LEADAUDIT_SOURCE"

LEVELS: dict[Severity, str] = {Severity.HIGH: "error", Severity.MEDIUM: "warning", Severity.LOW: "note"}

Document = dict[str, Any]


# --- URIs -------------------------------------------------------------------------------------


def _encode(posix_path: str) -> str:
    # surrogateescape: a file name that is not UTF-8 comes back as its original bytes, encoded.
    return quote(posix_path, safe="/", errors="surrogateescape")


def _file_uri(path: PurePath) -> str:
    return path.as_uri()  # absolute only; percent-encodes like _encode


def _relative_uri(path: PurePath) -> str:
    return _encode(posixpath.normpath(path.as_posix()))


def _is_zip(source: str) -> bool:
    return source.lower().endswith(".zip")


class _UriMaker:
    """Turns a finding's path into a SARIF artifactLocation, per the rules in the module doc."""

    def __init__(self, source: str, process_file: str | None, beside_process: tuple[str, ...] = ()) -> None:
        self.source = PurePath(source)
        self.process_file = process_file
        # files the process file names (the scoring model file): paths as the user gave them, like it
        self.user_files = {p for p in (process_file, *beside_process) if p}
        self.zip_name = self.source.name if _is_zip(source) else None

    def _outside(self, path: PurePath) -> Document:
        """A file of the working folder (or an absolute one): no base id needed."""
        return {"uri": _file_uri(path) if path.is_absolute() else _relative_uri(path)}

    def location(self, path: str) -> Document:
        if path in self.user_files or PurePath(path).is_absolute():
            return self._outside(PurePath(path))
        if self.zip_name is None:
            return self._outside(self.source / path)
        if path == self.zip_name:  # a problem with the archive itself
            return self._outside(self.source)
        entry = path.removeprefix(f"{self.zip_name}!")  # zip problems are named "demo.zip!entry"
        return {"uri": _encode(posixpath.normpath(entry)), "uriBaseId": ZIP_BASE_ID}

    def fallback(self) -> Document:
        """Where a finding with no file of its own points: the process file, else the source.

        GitHub code scanning refuses a whole upload when one result has no location, so a finding
        about the org as a whole (a crashed rule, a missing catch-all) is placed on the file that
        says what the org should be, or on the audited source itself.
        """
        if self.process_file:
            return {"artifactLocation": self.location(self.process_file), "region": {"startLine": 1}}
        return {"artifactLocation": self._outside(self.source)}

    def original_uri_base_ids(self) -> Document | None:
        if self.zip_name is None:
            return None
        # No "uri": an archive's inside has no URI a consumer could resolve against.
        return {
            ZIP_BASE_ID: {
                "description": {"text": f"The inside of the retrieve zip {self.source.as_posix()}: URIs are entry names."},
                "properties": {"archive": self._outside(self.source)["uri"]},
            }
        }


# --- Rules ------------------------------------------------------------------------------------


def _first_paragraph(doc: str) -> str:
    return " ".join(doc.strip().split("\n\n", 1)[0].split())


def _headline(doc: str, rule_id: str, name: str) -> str:
    """The summary in a doc's title line ``ID name: summary``; "" when the doc has no such line."""
    title = _first_paragraph(doc)
    prefix = f"{rule_id} {name}:"
    return title[len(prefix):].strip() if title.startswith(prefix) else ""


def _rules_in_play(result: AuditResult, docs: Mapping[str, str]) -> list[RuleOutcome | Rule]:
    """The rules of the outcomes, then one for each finding whose rule has none (CF002).

    Such a rule is rebuilt from its findings: the engine's internal-error rule has no outcome.
    """
    known = {o.rule.id for o in result.outcomes}
    extra: dict[str, list[Finding]] = {}
    for f in (*result.findings, *(w.finding for w in result.waived)):
        if f.rule_id not in known:
            extra.setdefault(f.rule_id, []).append(f)
    rebuilt = [_rule_from_findings(rule_id, found, docs) for rule_id, found in extra.items()]
    seen: set[str] = set()
    ordered: list[RuleOutcome | Rule] = []
    candidates: list[RuleOutcome | Rule] = [*ordered_outcomes(result.outcomes), *rebuilt]
    for item in candidates:
        rule = _rule_of(item)
        if rule.id not in seen:
            seen.add(rule.id)
            ordered.append(item)
    return sorted(ordered, key=lambda i: (area_rank(_rule_of(i).area), _rule_of(i).id))


def _rule_from_findings(rule_id: str, found: list[Finding], docs: Mapping[str, str]) -> Rule:
    # min/max rather than "the first": the result must not depend on the findings' order.
    name = min(f.rule_name for f in found)
    return Rule(
        id=rule_id,
        name=name,
        severity=max(f.severity for f in found),
        category=min(f.category for f in found),
        summary=_headline(docs.get(rule_id, ""), rule_id, name) or name,
    )


def _rule_of(item: RuleOutcome | Rule) -> Rule:
    return item.rule if isinstance(item, RuleOutcome) else item


def _descriptor(item: RuleOutcome | Rule, docs: Mapping[str, str]) -> Document:
    rule = _rule_of(item)
    doc = docs.get(rule.id, "").strip()
    # Without documentation (a caller that passes none) both fall back on the one-line summary.
    full = _first_paragraph(doc) if doc else rule.summary
    how_to_fix = doc_sections(doc).get("How to fix", "") if doc else ""
    help_text = f"How to fix: {how_to_fix}" if how_to_fix else (doc or rule.summary)
    properties: Document = {
        "area": rule.area,
        "category": rule.category,
        "severity": rule.severity.label,
        "tags": sorted({rule.area, rule.category}),
    }
    if isinstance(item, RuleOutcome):
        # What the rule did in this run: "not-applicable" must never read as "passed".
        properties.update({"status": item.status, "reason": item.reason})
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": properties,
    }


# --- Results ----------------------------------------------------------------------------------


def _message(finding: Finding) -> str:
    text = finding.message.rstrip()
    if not finding.fix:
        return text
    # Messages are clauses without a full stop; the fix must read as its own sentence.
    stop = "" if text.endswith((".", "!", "?")) else "."
    return f"{text}{stop} Fix: {finding.fix}"


def _result(finding: Finding, rule_index: Mapping[str, int], uris: _UriMaker) -> Document:
    result: Document = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index[finding.rule_id],
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": {
            "subject": finding.subject,
            "severity": finding.severity.label,
            "area": finding.area,
            "category": finding.category,
        },
    }
    ref = finding.location
    if ref is not None and ref.path:
        physical: Document = {"artifactLocation": uris.location(ref.path)}
        if ref.line is not None and ref.line >= 1:  # SARIF lines are 1-based; 0 means unknown here
            physical["region"] = {"startLine": ref.line}
    else:
        physical = uris.fallback()
    result["locations"] = [{"physicalLocation": physical}]
    return result


def _results(result: AuditResult, rule_index: Mapping[str, int], uris: _UriMaker) -> list[Document]:
    out: list[Document] = []
    for finding in ordered_findings(result.findings):
        entry = _result(finding, rule_index, uris)
        if result.baseline is not None:
            entry["baselineState"] = result.baseline_state(finding)
        out.append(entry)
    for waived in ordered_waived(result.waived):
        out.append(_waived_result(result, waived, rule_index, uris))
    # Findings fixed since the baseline are not written: code-scanning services ignore
    # baselineState and would show an "absent" result as an open alert. The JSON, HTML and text
    # reports list them as resolved.
    return out


def _waived_result(result: AuditResult, waived: WaivedFinding, rule_index: Mapping[str, int], uris: _UriMaker) -> Document:
    entry = _result(waived.finding, rule_index, uris)
    entry["suppressions"] = [{"kind": "external", "status": "accepted", "justification": waived.reason}]
    entry["properties"]["waiverExpires"] = waived.expires
    if result.baseline is not None:
        entry["baselineState"] = result.baseline_state(waived.finding)
    return entry


# --- Run --------------------------------------------------------------------------------------


def _utc(timestamp: str) -> str | None:
    """SARIF times are UTC with a Z; None when the injected clock's text cannot be read."""
    try:
        moment = dt.datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None  # a local time of unknown zone cannot be placed in UTC honestly
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _invocation(result: AuditResult) -> Document:
    invocation: Document = {
        "executionSuccessful": result.complete,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": f"The audit is incomplete: {reason}"}}
            for reason in ordered_reasons(result)
        ],
    }
    started = _utc(result.generated_at)
    if started is not None:
        invocation["startTimeUtc"] = started
    return invocation


def _run_properties(result: AuditResult) -> Document:
    properties: Document = {
        "complete": result.complete,
        "source": result.source,
        "processFile": result.process_file,
        "generatedAt": result.generated_at,
    }
    if result.baseline is not None:
        properties["baseline"] = {"path": result.baseline.path, "generatedAt": result.baseline.generated_at}
    return properties


def as_document(result: AuditResult, rule_docs: Mapping[str, str] | None = None) -> Document:
    """The SARIF log as JSON-ready data; ``rule_docs`` maps rule ids to their documentation."""
    docs = rule_docs or {}
    scoring = result.overview.scoring if result.overview is not None else None
    beside = (scoring.location.path,) if scoring is not None and scoring.location is not None else ()
    uris = _UriMaker(result.source, result.process_file, beside)
    rules = _rules_in_play(result, docs)
    rule_index = {_rule_of(item).id: index for index, item in enumerate(rules)}
    run: Document = {
        "tool": {
            "driver": {
                "name": TOOL_NAME,
                "version": result.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_descriptor(item, docs) for item in rules],
            }
        },
        "invocations": [_invocation(result)],
        "results": _results(result, rule_index, uris),
        "properties": _run_properties(result),
    }
    base_ids = uris.original_uri_base_ids()
    if base_ids is not None:
        run["originalUriBaseIds"] = base_ids
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render(result: AuditResult, rule_docs: Mapping[str, str] | None = None) -> str:
    """The SARIF log as text. The CLI passes the catalogue's docs for descriptions and help."""
    # jsontext writes what json.dumps(..., sort_keys=True, indent=2) would, without its slow path.
    return jsontext.dumps(as_document(result, rule_docs), ensure_ascii=True) + "\n"
