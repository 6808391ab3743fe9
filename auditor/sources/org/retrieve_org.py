"""Retrieve a live org into a folder: metadata (active flow versions in place) plus facts.json.

The folder is built beside its destination and moved into place when done, so an interrupted
run never leaves something that looks like a finished retrieval. A retrieval that is not whole
(the retrieve failed or timed out, the zip was bad, a query was refused) still writes what it
got, with ``complete: false`` and the reasons in facts.json, and says so in its report: the
caller ends the audit incomplete (exit 3), never audits it as a whole org.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from auditor.sources.org.connection import OrgConnection, QueryRefused
from auditor.sources.org.errors import OrgError
from auditor.sources.org.facts import FACTS_FILE, FactsCollector, assemble, collect_facts, now_iso, write_facts
from auditor.sources.org.flows import AuditedFlow, audit_active_versions
from auditor.sources.org.pardot import AccountEngagementTarget, retrieve_account_engagement
from auditor.sources.org.retrieve import PollPolicy, RetrieveIncomplete, RetrieveOutcome, retrieve_into


@dataclass(frozen=True)
class RetrievalReport:
    """What a retrieval produced: complete, or which parts are missing and why."""

    out_dir: Path
    complete: bool
    missing: tuple[str, ...]  # "item: reason", one per part that could not be retrieved
    files: int  # metadata files written
    flows: tuple[AuditedFlow, ...]
    round_trips: int  # HTTP requests, retries included, login excluded
    facts_path: Path


class Progress:
    """Step lines on standard error when asked for (a terminal); silent otherwise (CI logs)."""

    def __init__(self, enabled: bool, write: Callable[[str], None] | None = None) -> None:
        self.enabled = enabled
        self.write = write or (lambda line: print(line, file=sys.stderr, flush=True))

    def step(self, text: str) -> None:
        if self.enabled:
            self.write(f"leadaudit: {text}")


def _prepare_target(out_dir: Path) -> None:
    """Refuse to replace a folder that is not empty and not an earlier retrieval."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OrgError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / FACTS_FILE).is_file():
        raise OrgError(f"{out_dir} is not empty and is not an earlier retrieval (no {FACTS_FILE}): "
                       "choose an empty or new folder")
    out_dir.parent.mkdir(parents=True, exist_ok=True)


def _move_into_place(work: Path, out_dir: Path) -> None:
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        old.rmdir()
        out_dir.rename(old)
        work.rename(out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(out_dir)


def retrieve_org(
    conn: OrgConnection,
    out_dir: Path,
    *,
    progress: bool,
    poll: PollPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], str] = now_iso,
    account_engagement: AccountEngagementTarget | None = None,
) -> RetrievalReport:
    """Write the org's metadata and facts.json into out_dir; OrgError when the org cannot be used
    at all (expired session, limits after retries), a report with ``complete=False`` when only
    part of it could be retrieved.

    With a business unit (``account_engagement``), its Account Engagement configuration is
    written too (account-engagement.json); what it could not give is listed in facts.json, so
    the retrieval is incomplete exactly as for a part of the org."""
    from auditor.model import Model
    from auditor.sources import load_model  # late: auditor.sources may one day import this package

    show = Progress(progress)
    _prepare_target(out_dir)
    started_trips = conn.round_trips
    work = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.retrieving-", dir=out_dir.parent))
    try:
        unavailable: list[dict[str, str]] = []
        show.step("retrieving metadata with the Metadata API")
        outcome = RetrieveOutcome()
        metadata_whole = True
        try:
            outcome = retrieve_into(conn, work, poll or PollPolicy(), sleep=sleep,
                                    on_poll=lambda n, status: show.step(f"retrieve {status or 'pending'} (check {n})"))
        except RetrieveIncomplete as exc:
            metadata_whole = False
            unavailable.append({"item": "metadata", "reason": exc.reason})
        flows: list[AuditedFlow] = []
        if metadata_whole:
            show.step("reading the active version of each Lead flow")
            try:
                flows = audit_active_versions(conn, work)
            except QueryRefused as exc:
                unavailable.append({"item": "flow versions",
                                    "reason": f"{exc.message}; retrieved flow files may be drafts that do not run"})
            unavailable.extend({"item": f"flow {f.api_name}", "reason": f.problem} for f in flows if f.problem)
        else:
            unavailable.append({"item": "flow versions", "reason": "not read: the metadata retrieve did not complete"})
        show.step("reading users, queues and Lead Status records")
        model = load_model(work) if metadata_whole else Model(source_name=str(out_dir))
        collector = FactsCollector(unavailable)
        partial = collect_facts(conn, model, collector)
        if account_engagement is not None:
            show.step(f"reading Account Engagement business unit {account_engagement.business_unit_id}")
            engagement = retrieve_account_engagement(conn, account_engagement, work, retrieved_at=clock())
            unavailable.extend(engagement.unavailable)
        facts = assemble(partial, flows=[f.as_json() for f in flows], unavailable=unavailable,
                         messages=outcome.messages, retrieved_at=clock(), instance_url=conn.instance_url)
        write_facts(work, facts)
        _move_into_place(work, out_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    missing = tuple(f"{item['item']}: {item['reason']}" for item in unavailable)
    show.step(f"wrote {out_dir} ({len(outcome.files)} metadata files)" + ("" if not missing else ", incomplete"))
    return RetrievalReport(out_dir=out_dir, complete=not missing, missing=missing, files=len(outcome.files),
                           flows=tuple(flows), round_trips=conn.round_trips - started_trips,
                           facts_path=out_dir / FACTS_FILE)
