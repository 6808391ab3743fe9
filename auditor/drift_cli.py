"""The ``leadaudit snapshot`` and ``leadaudit diff`` commands: drift detection for CI.

``snapshot`` keeps an org's normalised configuration as JSON (commit it as the approved state);
``diff`` says what changed between two sources, each a snapshot, a folder or a retrieve zip,
and fails unless every change is in the approved-drift file.

Scoring is part of a source only with a process file: its scoring settings and the scoring
model file it names. A snapshot carries the scoring part it was written with; a folder or zip
takes the process file ``leadaudit audit`` would (beside the folder, else in the current
folder). When only one side of a diff has a scoring part, scoring is not compared, and the
diff says so on standard error rather than report the whole scoring model as added or removed. Exit codes follow the audit's:
0 no unapproved change, 1 unapproved changes, 2 usage error (unreadable source, snapshot or
approvals file), 3 a source could not be read whole, so its diff would report missing
configuration as removed (never read as a pass).

This module does not import auditor.cli: the ``leadaudit`` group adds these commands, so the
import must run one way only.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from auditor.cli_support import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE, UsageFailure, find_process, write_output
from auditor.diff import diff as diff_models
from auditor.drift import ApprovalError, DriftReport, load_approvals, review
from auditor.model import Model
from auditor.org_cli import OrgSelection, org_options, retrieve_into
from auditor.process import ProcessError, load_process
from auditor.snapshot import (
    ScoringSnapshot,
    SnapshotError,
    dumps,
    is_snapshot_file,
    load_snapshot,
    scoring_of,
    scoring_snapshot,
    snapshot as snapshot_of,
    source_label,
)
from auditor.sources import SourceError, load_model

EXIT_DRIFT = EXIT_FINDINGS  # an unapproved change fails like a finding
FACTS_FILE = "facts.json"
DIFF_FORMATS = ("text", "json", "junit", "html")


def _load(source: Path) -> Model:
    try:
        return load_model(source)
    except SourceError as exc:
        raise UsageFailure(str(exc)) from None


def _unreadable(model: Model) -> list[str]:
    return [f"{p.source}: {p.message}" for p in model.problems if p.kind == "unreadable"]


def _snapshot_document(source: Path) -> dict[str, Any]:
    try:
        return load_snapshot(source)
    except SnapshotError as exc:
        raise UsageFailure(str(exc)) from None


def _origin(document: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """The facts and origin name an input snapshot carries, so a snapshot of it is the same file."""
    facts = document["facts"]
    return (facts if isinstance(facts, dict) else None), str(document["source"])


def _scoring_with(model: Model, process_file: Path) -> ScoringSnapshot:
    try:
        process = load_process(process_file)
    except ProcessError as exc:
        raise UsageFailure(f"invalid process file:\n{exc}") from None
    return scoring_snapshot(model, process, process_file)


def _scoring(source: Path, model: Model, explicit: Path | None = None) -> ScoringSnapshot | None:
    """The scoring part of ``source``: with ``explicit``, from that process file; a snapshot's
    own (so a snapshot of a snapshot is the same file); else from the process file found for it."""
    if explicit is not None:
        return _scoring_with(model, explicit)
    if is_snapshot_file(source):
        try:
            return scoring_of(_snapshot_document(source))
        except SnapshotError as exc:
            raise UsageFailure(f"{source}: {exc}") from None
    found = find_process(source)
    return _scoring_with(model, found) if found is not None else None


def _facts(source: Path) -> dict[str, Any] | None:
    """The facts.json a retrieval wrote beside the metadata, kept as evidence."""
    path = source / FACTS_FILE
    if not (source.is_dir() and path.is_file()):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageFailure(f"{path}: cannot be read as JSON: {exc}") from None
    if not isinstance(data, dict):
        raise UsageFailure(f"{path}: not a facts file (expected a JSON object)")
    return data


@click.command()
@click.argument("source", type=click.Path(path_type=Path), required=False)
@org_options
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False),
              help="Write the snapshot here (default: standard output).")
@click.option("--process", "process_path", type=click.Path(path_type=Path, dir_okay=False),
              help="The process file whose scoring settings and scoring model file the snapshot keeps "
                   "(default: process.yaml beside SOURCE or in the current folder; a snapshot keeps its own).")
def snapshot(source: Path | None, org: OrgSelection, output: Path | None, process_path: Path | None) -> None:
    """Write SOURCE's lead process configuration as a snapshot (JSON) to keep, audit or compare.

    SOURCE is an SFDX project, a Metadata API folder, a retrieve .zip or a snapshot. With a
    process file, the snapshot also keeps the scoring model and the process's scoring settings,
    so 'leadaudit diff' sees a changed MQL threshold or decay. The file is the same byte for byte
    for the same configuration, and holds no credential or absolute path.
    With --org, --target-org or --instance-url instead of SOURCE, the live org is retrieved first.
    Exit 3 when a file of SOURCE could not be read (the snapshot is written, and says so).
    """
    if org.requested:
        if source is not None:
            raise UsageFailure("give either SOURCE or a live org (--org, --target-org, --instance-url), not both")
        with tempfile.TemporaryDirectory(prefix="leadaudit-org-") as work:
            folder = Path(work) / "org"
            conn = retrieve_into(org, folder)
            _write_snapshot(folder, output, process_path or find_process(Path.cwd()), f"org {conn.instance_url}")
        return
    _write_snapshot(source if source is not None else Path("."), output, process_path, None)


def _write_snapshot(source: Path, output: Path | None, process_path: Path | None, label: str | None) -> None:
    model = _load(source)
    facts, origin = _origin(_snapshot_document(source)) if is_snapshot_file(source) else (_facts(source), label)
    text = dumps(snapshot_of(model, facts, source=origin, scoring=_scoring(source, model, process_path)))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)
        click.echo(f"wrote {output}", err=True)
    unreadable = _unreadable(model)
    if unreadable:
        click.echo(f"the snapshot of {source} is incomplete: {len(unreadable)} file(s) could not be read:", err=True)
        for line in unreadable:
            click.echo(f"  - {line}", err=True)
        sys.exit(EXIT_INCOMPLETE)


def _renderers() -> dict[str, Callable[[DriftReport], str | bytes]]:
    from reports import diff_html, diff_json, diff_junit, diff_text

    return {"text": diff_text.render, "json": diff_json.render, "junit": diff_junit.render,
            "html": diff_html.render}


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(DIFF_FORMATS), default="text", show_default=True,
              help="What to print on standard output.")
@click.option("--junit", type=click.Path(path_type=Path, dir_okay=False), help="Write JUnit XML here (a testcase per change).")
@click.option("--json", "json_path", type=click.Path(path_type=Path, dir_okay=False), help="Write the JSON drift report here.")
@click.option("--html", type=click.Path(path_type=Path, dir_okay=False), help="Write the HTML drift report here.")
@click.option("--approved", type=click.Path(path_type=Path, dir_okay=False),
              help="The approved-drift file (YAML): changes accepted, by whom, when and why.")
def diff(old: Path, new: Path, fmt: str, junit: Path | None, json_path: Path | None, html: Path | None,
         approved: Path | None) -> None:
    """Say what changed in the lead process from OLD to NEW, in process terms.

    OLD and NEW are each a snapshot, an SFDX project, a Metadata API folder or a retrieve .zip.
    Scoring is compared when both carry a scoring part (a snapshot written with a process file,
    or a folder with a process file beside it or in the current folder).
    Exit 0 when every change is approved (or nothing changed), 1 otherwise, 2 on a usage
    error, 3 when a source could not be read whole.
    """
    try:
        approvals = load_approvals(approved) if approved is not None else ()
    except ApprovalError as exc:
        raise UsageFailure(str(exc)) from None
    before, after = _load(old), _load(new)
    old_scoring, new_scoring = _scoring(old, before), _scoring(new, after)
    if (old_scoring is None) != (new_scoring is None):
        side, other = ("OLD", "NEW") if old_scoring is None else ("NEW", "OLD")
        click.echo(f"scoring not compared: {side} has no scoring part (no process file), {other} has; write the "
                   f"snapshot again with 'leadaudit snapshot SOURCE --process process.yaml'", err=True)
    changes = diff_models(before, after, old_scoring=old_scoring, new_scoring=new_scoring)
    report = review(changes, approvals, old=source_label(str(old)), new=source_label(str(new)),
                    approvals_file=source_label(str(approved)) if approved is not None else None)
    renderers = _renderers()
    for path, name in ((junit, "junit"), (json_path, "json"), (html, "html")):
        if path is not None:
            write_output(path, renderers[name](report))
    output = renderers[fmt](report)
    click.echo(output.decode("utf-8") if isinstance(output, bytes) else output, nl=False)
    incomplete = [(side, line) for side, model in (("OLD", before), ("NEW", after)) for line in _unreadable(model)]
    if incomplete:
        click.echo("the diff is incomplete: what could not be read may show as removed or added:", err=True)
        for side, line in incomplete:
            click.echo(f"  - {side} {line}", err=True)
        sys.exit(EXIT_INCOMPLETE)
    sys.exit(EXIT_CLEAN if report.passed else EXIT_DRIFT)
