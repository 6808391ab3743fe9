"""The ``leadaudit`` command: a thin click layer over sources, process, engine and reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import importlib
import logging
import os
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from auditor.cli_support import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INCOMPLETE,
    EXIT_USAGE,
    UsageFailure,
    find_process,
    write_output,
)
from auditor.org_cli import OrgSelection, org_options

# The rest of the tool is imported inside the commands that need it, so that 'leadaudit --version'
# (what a pre-commit hook runs first) and '--help' start without loading the engine, networkx,
# jsonschema or the HTTP stack.
if TYPE_CHECKING:
    from auditor.findings import AuditResult
    from auditor.measurements import Measurement
    from auditor.model import Model
    from auditor.process import Process

    Loaded = tuple[Model, tuple[Measurement, ...]]


def tool_version() -> str:
    try:
        return version("leadaudit")
    except PackageNotFoundError:
        return "0.0.0+unknown"


def now_utc() -> dt.datetime:
    """The report clock: SOURCE_DATE_EPOCH when set, so two runs give identical reports."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(tz=dt.timezone.utc).replace(microsecond=0)


class LazyGroup(click.Group):
    """A click group whose commands from other modules are imported only when asked for.

    ``leadaudit --version`` (what a pre-commit hook runs first) must not load the drift engine or
    the HTTP stack; running or listing a command imports its module (click's documented pattern
    for lazily loaded subcommands).
    """

    LAZY: dict[str, str] = {
        "retrieve": "auditor.org_cli:retrieve",
        "snapshot": "auditor.drift_cli:snapshot",
        "diff": "auditor.drift_cli:diff",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module_name, attribute = self.LAZY[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attribute)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(tool_version(), prog_name="leadaudit")
def cli() -> None:
    """Audit a Salesforce + Account Engagement lead process against the documented process."""


OUTPUT_FORMATS = ("text", "json", "junit", "sarif", "html")
PARALLEL_REPORTS_FROM = 5000  # findings and passed checks: about a medium-sized org (bench/)


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option("--process", "process_path", type=click.Path(path_type=Path), help="The process file (default: process.yaml beside SOURCE or in the current folder).")
@org_options
@click.option("--html", type=click.Path(path_type=Path), help="Write the HTML health report here.")
@click.option("--junit", type=click.Path(path_type=Path), help="Write JUnit XML here.")
@click.option("--sarif", type=click.Path(path_type=Path), help="Write SARIF 2.1.0 here (GitHub code scanning).")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON result here.")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="text", show_default=True,
              help="What to print on standard output.")
@click.option("--baseline", type=click.Path(path_type=Path), help="An earlier JSON report: mark findings new or unchanged.")
@click.option("--fail-on", type=click.Choice(["high", "medium", "low", "never"]), default="low", show_default=True,
              help="Exit 1 when a finding is at or above this severity.")
@click.option("--fail-on-new", is_flag=True,
              help="With --baseline: exit 1 only for new findings at or above --fail-on (adopt on an org with history).")
@click.option("--metrics", is_flag=True,
              help="Live org: also measure its leads (past SLA, time in status, MQL to SAL rate, owners).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line (text format).")
def audit(source: Path | None, process_path: Path | None, org: OrgSelection, html: Path | None, junit: Path | None,
          sarif: Path | None, json_path: Path | None, fmt: str, baseline: Path | None, fail_on: str,
          fail_on_new: bool, metrics: bool, quiet: bool) -> None:
    """Audit SOURCE: an SFDX project, a Metadata API folder or a retrieve .zip (default: here),
    or a live org (--org, --target-org or --instance-url with the SF_* environment variables)."""
    from auditor import registry
    from auditor.baseline import BaselineError, load_baseline
    from auditor.engine import run_audit
    from auditor.parse import cyclic_gc_paused
    from auditor.report_writer import ReportJob, write_reports
    from reports.text import render as render_text

    if fail_on_new and baseline is None:
        raise UsageFailure("--fail-on-new needs --baseline: the earlier JSON report new findings are measured against")
    if org.requested and source is not None:
        raise UsageFailure("give either SOURCE or a live org (--org, --target-org, --instance-url), not both")
    folder = source if source is not None else Path(".")
    process = _load_process_or_fail(find_process(folder if not org.requested else Path.cwd(), process_path))
    try:
        earlier = load_baseline(baseline) if baseline is not None else None
    except BaselineError as exc:
        raise UsageFailure(str(exc)) from None
    if metrics and not org.requested:
        raise UsageFailure("--metrics measures a live org: use it with --org, --target-org or --instance-url "
                           "(a folder from 'leadaudit retrieve --metrics' brings its metrics.json along)")
    # The model, the graph and the findings are millions of small objects that all live until the
    # process ends: the cyclic collector would scan them again and again and free nothing.
    with cyclic_gc_paused():
        model, measurements = _live_model(org, process, metrics) if org.requested else _folder_model(folder)
        result = run_audit(model, process, registry.all_checks(), now=now_utc(), tool_version=tool_version(),
                           baseline=earlier, measurements=measurements)
        renderers = _renderers()
        jobs = [ReportJob(name, path, functools.partial(renderers[name], result))
                for path, name in ((html, "html"), (junit, "junit"), (sarif, "sarif"), (json_path, "json"))
                if path is not None]
        # a fork costs a few milliseconds: worth it only when the reports are large
        write_reports(jobs, parallel=len(result.passed) + len(result.findings) >= PARALLEL_REPORTS_FROM)
        if fmt == "text":
            text = render_text(result, color=sys.stdout.isatty() and "NO_COLOR" not in os.environ)
            click.echo(text.rstrip("\n").splitlines()[-1] if quiet else text.rstrip("\n"))
        else:
            output = renderers[fmt](result)
            click.echo(output.decode("utf-8") if isinstance(output, bytes) else output, nl=False)
    if process is None:
        click.echo("note: no process file found; rules that compare with the documented process were not applicable "
                   "(run 'leadaudit init' to write one)", err=True)
    sys.exit(exit_code(result, fail_on, only_new=fail_on_new))


def _folder_model(source: Path) -> Loaded:
    """The model of a folder, zip or snapshot, and the measurements a retrieval left beside it."""
    from auditor.measurements import METRICS_FILE, MetricsError, read_measurements
    from auditor.sources import SourceError, load_model

    try:
        model = load_model(source)
    except SourceError as exc:
        raise UsageFailure(str(exc)) from None
    metrics_file = source / METRICS_FILE
    if not (source.is_dir() and metrics_file.is_file()):
        return model, ()
    try:
        return model, read_measurements(metrics_file)
    except MetricsError as exc:
        raise UsageFailure(str(exc)) from None


def _live_model(org: OrgSelection, process: Process | None, metrics: bool) -> Loaded:
    """Retrieve the org into a temporary folder and read it as any folder is read, so a live audit
    and an audit of 'leadaudit retrieve' output give the same findings by construction."""
    with tempfile.TemporaryDirectory(prefix="leadaudit-org-") as work:
        folder = Path(work) / "org"
        from auditor.org_cli import retrieve_into

        conn = retrieve_into(org, folder, process=process, metrics=metrics)
        model, measurements = _folder_model(folder)  # an incomplete retrieval is flagged by its facts.json
        return dataclasses.replace(model, source_name=f"org {conn.instance_url}"), measurements


def _renderers() -> dict[str, Callable[[AuditResult], str | bytes]]:
    """The report formats, with the rule catalogue's documentation for those that show it."""
    from auditor import registry

    from reports import FORMATS, html, sarif

    docs = {rule.id: doc for rule, doc in registry.catalogue()}
    renderers: dict[str, Callable[[AuditResult], str | bytes]] = dict(FORMATS)
    renderers["html"] = functools.partial(html.render, rule_docs=docs)
    renderers["sarif"] = functools.partial(sarif.render, rule_docs=docs)
    return renderers


def exit_code(result: AuditResult, fail_on: str, *, only_new: bool = False) -> int:
    from auditor.findings import Severity

    if not result.complete:
        return EXIT_INCOMPLETE  # an audit that could not see everything never passes
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    if only_new:
        new = [f for f in result.findings if result.baseline_state(f) == "new"]
        return EXIT_FINDINGS if threshold is not None and any(f.severity >= threshold for f in new) else EXIT_CLEAN
    return EXIT_FINDINGS if result.fails(threshold) else EXIT_CLEAN


@cli.command()
@click.option("--from", "from_dir", type=click.Path(path_type=Path, exists=True),
              help="Draft the statuses from this org folder's Lead Status values.")
@click.option("--scoring", is_flag=True,
              help="Write a commented scoring model file (scoring.yaml) instead of process.yaml.")
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help="The file to write.  [default: process.yaml, or scoring.yaml with --scoring]")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(from_dir: Path | None, scoring: bool, out: Path | None, force: bool) -> None:
    """Write a commented process.yaml (the reference lifecycle, or the org's own statuses), or with
    --scoring the scoring model file process.yaml can name as scoring_model."""
    from auditor.init_process import process_from_org, reference_process
    from auditor.init_scoring import scoring_template
    from auditor.sources import load_model

    if scoring and from_dir is not None:
        raise UsageFailure("--scoring writes a template; it cannot be drafted --from an org folder")
    target = out if out is not None else Path("scoring.yaml" if scoring else "process.yaml")
    if target.exists() and not force:
        raise UsageFailure(f"{target} exists; use --force to overwrite it")
    if scoring:
        text = scoring_template()
    elif from_dir is None:
        text = reference_process()
    else:
        model = load_model(from_dir)
        try:
            text = process_from_org(model)
        except ValueError as exc:
            raise UsageFailure(f"{from_dir}: {exc}") from None
    write_output(target, text)
    click.echo(f"wrote {target}" + ("; name it in process.yaml as  scoring_model: " + target.name if scoring else ""))


@cli.command()
@click.argument("rule_id", required=False)
def rules(rule_id: str | None) -> None:
    """List the rule catalogue, or print one rule's documentation (by id or name)."""
    from auditor import registry

    if rule_id is None:
        for rule, _doc in registry.catalogue():
            click.echo(f"{rule.id}  {rule.name:<34} {rule.severity.label:<6}  {rule.area:<13} {rule.summary}")
        return
    found = registry.find_rule(rule_id)
    if found is None:
        raise UsageFailure(f"no rule '{rule_id}'; 'leadaudit rules' lists them")
    rule, doc = found
    click.echo(f"{rule.id} {rule.name} (severity {rule.severity.label}, area {rule.area})\n")
    click.echo(doc)


@cli.command()
@click.argument("source", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option("--process", "process_path", type=click.Path(path_type=Path), help="The process file (found as for audit).")
@click.option("--format", "fmt", type=click.Choice(["graphml", "dot", "json"]), default="graphml", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of standard output.")
def graph(source: Path, process_path: Path | None, fmt: str, output: Path | None) -> None:
    """Export the process graph of SOURCE for Gephi, yEd or Graphviz."""
    from auditor.sources import SourceError, load_model

    from auditor.graph import build_graph
    from auditor.graph_export import RENDERERS

    process = _load_process_or_fail(find_process(source, process_path))
    try:
        model = load_model(source)
    except SourceError as exc:
        raise UsageFailure(str(exc)) from None
    text = RENDERERS[fmt](build_graph(model, process))
    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)


def _load_process_or_fail(process_file: Path | None) -> Process | None:
    from auditor.process import ProcessError, load_process

    if process_file is None:
        return None
    try:
        return load_process(process_file)
    except ProcessError as exc:
        raise UsageFailure(f"invalid process file:\n{exc}") from None


@cli.command()
def manifest() -> None:
    """Print the package.xml that retrieves everything leadaudit reads."""
    from auditor.manifest import package_xml

    click.echo(package_xml(), nl=False)




def main(argv: list[str] | None = None) -> int:
    try:
        cli.main(args=argv, prog_name="leadaudit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        return EXIT_USAGE
    except SystemExit as exc:
        return int(exc.code or 0)
    return EXIT_CLEAN


def console() -> NoReturn:
    """The ``leadaudit`` command: ``main()``, then the process ends without tearing its heap down.

    A large org's model, graph and findings are millions of objects; freeing them one by one at
    interpreter shutdown takes a tenth of the run, and the operating system reclaims the memory
    anyway. Every report file is closed by then; only the standard streams need flushing.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # the process started with that descriptor closed
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (leadaudit ... | head): nothing left to say
            pass
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    console()
