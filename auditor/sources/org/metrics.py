"""Live measurements (``--metrics``): what the org's Lead and LeadHistory records say now.

Six measurements, each a count, a median or a rate (never a record id, name or email address):

- ``open-leads``: unconverted leads per Status (the denominator of the others).
- ``leads-past-sla``: open leads whose time in their status exceeds the process file's
  ``sla_hours`` for it. A lead entered its status at its last Status change (LeadHistory), or
  at its creation when it never changed; a lead with no change in the window but created before
  it has been waiting at least the whole window.
- ``median-hours-in-status``: the median length of the stays in each status that began and
  ended in the window (a lead created in the window begins its first stay at its creation).
  Stays still running are left out: leads stuck now are what ``leads-past-sla`` counts.
- ``mql-to-sal-acceptance``: of the MQL stays that began in the window and have ended, the share
  that went straight to SAL; the breakdown says where the others went. MQL and SAL are the
  statuses whose API name or label is "MQL"/"SAL" or starts with "Marketing Qualified"/"Sales
  Accepted": names, not positions, because a process often puts Nurture or Recycled between them.
- ``leads-owned-by-inactive-users`` and ``leads-in-queues``: open leads whose owner is a user
  who is no longer active, or still a queue (nobody has picked them up), per status; terminal
  statuses of the process (Disqualified...) are not counted.

Round trips stay bounded: the counts are three aggregate queries (``GROUP BY Status``), the
history and the waiting leads are one paged query each, so only their page count grows with the
org. The window is written as a dateTime literal computed from the injected clock rather than
``LAST_N_DAYS:90``: a date literal starts at midnight in the API user's time zone, which the
client does not know, and the stays it measures must start at the very instant it assumes.
A query that fails makes the measurements needing it unavailable, with the reason; an expired
session still ends the whole run (SessionExpired).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import statistics
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.measurements import METRICS_FILE, validate_metrics
from auditor.process import Process
from auditor.sources.org.connection import OrgConnection
from auditor.sources.org.errors import OrgError, SessionExpired
from auditor.sources.org.facts import soql_string

WINDOW_DAYS = 90
MQL_NAMES = ("mql", "marketing qualified")
SAL_NAMES = ("sal", "sales accepted")
_COUNT_BY_STATUS = "SELECT Status, COUNT(Id) leads FROM Lead WHERE IsConverted = false"
OPEN_BY_STATUS_SOQL = f"{_COUNT_BY_STATUS} GROUP BY Status"
INACTIVE_OWNER_SOQL = f"{_COUNT_BY_STATUS} AND Owner.Type = 'User' AND Owner.IsActive = false GROUP BY Status"
QUEUE_OWNER_SOQL = f"{_COUNT_BY_STATUS} AND Owner.Type = 'Queue' GROUP BY Status"
_SF_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
Breakdown = list[tuple[str, float | int | None]]


class Unavailable(Exception):
    """A measurement cannot be given; the message says why, for the person reading the report."""


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def history_soql(start: dt.datetime) -> str:
    return ("SELECT Id, LeadId, Lead.CreatedDate, OldValue, NewValue, CreatedDate FROM LeadHistory "
            f"WHERE Field = 'Status' AND CreatedDate >= {iso(start)}")


def waiting_leads_soql(statuses: Iterable[str]) -> str:
    return (f"SELECT Id, Status, CreatedDate FROM Lead WHERE IsConverted = false "
            f"AND Status IN ({', '.join(map(soql_string, statuses))})")


def parse_sf_datetime(text: Any) -> dt.datetime | None:
    """A REST dateTime (``2025-02-27T10:15:00.000+0000``) as an aware datetime."""
    if not isinstance(text, str) or not text:
        return None
    try:
        return dt.datetime.fromisoformat(_SF_OFFSET.sub(r"\1:\2", text.replace("Z", "+00:00")))
    except ValueError:
        return None


@dataclass(frozen=True)
class StatusChange:
    record_id: str
    lead_id: str
    lead_created: dt.datetime | None
    old: str
    new: str
    at: dt.datetime


class _Org:
    """The queries, each asked once; a failed one is remembered with its reason."""

    def __init__(self, conn: OrgConnection) -> None:
        self.conn = conn
        self._answers: dict[str, list[dict[str, Any]] | str] = {}

    def rows(self, soql: str, what: str) -> list[dict[str, Any]]:
        if soql not in self._answers:
            try:
                self._answers[soql] = self.conn.query(soql, f"{what} query")
            except SessionExpired:
                raise
            except OrgError as exc:
                self._answers[soql] = exc.message
        answer = self._answers[soql]
        if isinstance(answer, str):
            raise Unavailable(answer)
        return answer

    def counts(self, soql: str, what: str) -> dict[str, int]:
        return {str(row.get("Status")): int(row.get("leads") or 0) for row in self.rows(soql, what)}


class _Statuses:
    """Status names as the process file knows them (a label in history maps to its API name)."""

    def __init__(self, process: Process | None) -> None:
        self.process = process
        self.order = [s.api_name for s in process.statuses] if process else []
        self._by_label = {s.label.lower(): s.api_name for s in process.statuses} if process else {}
        self.terminal = {s.api_name for s in process.statuses if s.terminal} if process else set()

    def canonical(self, value: Any) -> str:
        text = str(value or "")
        if text in self.order:
            return text
        return self._by_label.get(text.lower(), text)

    def sort_key(self, status: str) -> tuple[int, str]:
        return (self.order.index(status), "") if status in self.order else (len(self.order), status.lower())

    def sorted(self, statuses: Iterable[str]) -> list[str]:
        return sorted(set(statuses), key=self.sort_key)

    def named(self, names: tuple[str, ...], seen: Iterable[str]) -> str | None:
        """The status called by one of ``names`` (API name or label), in the process or else as seen."""
        candidates = ([(s.api_name, s.label) for s in self.process.statuses] if self.process
                      else [(s, s) for s in sorted(set(seen))])
        for api_name, label in candidates:
            for text in (api_name.lower(), label.lower()):
                if any(text == name or (len(name) > 3 and text.startswith(name)) for name in names):
                    return api_name
        return None


class _Measurer:
    def __init__(self, conn: OrgConnection, process: Process | None, now: dt.datetime) -> None:
        self.org = _Org(conn)
        self.process = process
        self.statuses = _Statuses(process)
        self.now = now
        self.window_start = now - dt.timedelta(days=WINDOW_DAYS)
        self.since = f"since {iso(self.window_start)}"

    # -- shared data -------------------------------------------------------------------------
    def changes(self) -> dict[str, list[StatusChange]]:
        """Status changes of the window, per lead, oldest first."""
        by_lead: dict[str, list[StatusChange]] = {}
        for row in self.org.rows(history_soql(self.window_start), "lead status history"):
            at = parse_sf_datetime(row.get("CreatedDate"))
            parent = row.get("Lead")
            lead: dict[str, Any] = parent if isinstance(parent, dict) else {}
            if at is None or not row.get("LeadId"):
                continue
            by_lead.setdefault(str(row["LeadId"]), []).append(StatusChange(
                str(row.get("Id") or ""), str(row["LeadId"]), parse_sf_datetime(lead.get("CreatedDate")),
                self.statuses.canonical(row.get("OldValue")), self.statuses.canonical(row.get("NewValue")), at))
        for changes in by_lead.values():
            changes.sort(key=lambda change: (change.at, change.record_id))
        return by_lead

    def stays(self) -> list[tuple[str, dt.datetime, StatusChange]]:
        """Stays that began in the window and have ended: (status, began, the change that ended it)."""
        stays: list[tuple[str, dt.datetime, StatusChange]] = []
        for changes in self.changes().values():
            first = changes[0]
            if first.lead_created is not None and first.lead_created >= self.window_start:
                stays.append((first.old, first.lead_created, first))
            stays.extend((before.new, before.at, after) for before, after in zip(changes, changes[1:]))
        return stays

    def no_history_reason(self) -> str:
        return (f"no Lead Status change is recorded in LeadHistory {self.since}; is field history "
                "tracking on for the Lead Status field?")

    # -- the measurements ---------------------------------------------------------------------
    def open_leads(self) -> tuple[int, Breakdown, str]:
        counts = self.org.counts(OPEN_BY_STATUS_SOQL, "open leads by status")
        breakdown: Breakdown = [(status, counts[status]) for status in self.statuses.sorted(counts)]
        return sum(counts.values()), breakdown, "leads not converted, by their Status now"

    def past_sla(self) -> tuple[int, Breakdown, str]:
        if self.process is None:
            raise Unavailable("no process file: the SLAs are the sla_hours of its statuses (give --process)")
        slas = {s.api_name: float(s.sla_hours) for s in self.process.statuses
                if s.sla_hours is not None and not s.terminal}
        if not slas:
            raise Unavailable("the process file gives no open status an sla_hours")
        changes = self.changes()
        leads = self.org.rows(waiting_leads_soql(slas), "leads in statuses with an SLA")
        entry = self.process.entry_status.api_name if self.process.entry_status else None
        if not changes and any(self.statuses.canonical(lead.get("Status")) != entry for lead in leads):
            raise Unavailable(f"{self.no_history_reason()} Without it, when a lead entered its status is unknown")
        window_hours = (self.now - self.window_start).total_seconds() / 3600
        late: Counter[str] = Counter()
        undetermined = 0
        for lead in leads:
            status = self.statuses.canonical(lead.get("Status"))
            if status not in slas:
                continue
            own = changes.get(str(lead.get("Id")))
            created = parse_sf_datetime(lead.get("CreatedDate"))
            entered = own[-1].at if own else (created if created and created >= self.window_start else None)
            if entered is not None:
                late[status] += int((self.now - entered).total_seconds() / 3600 > slas[status])
            elif window_hours >= slas[status]:  # it has waited longer than the whole window
                late[status] += 1
            else:
                undetermined += 1
        detail = (f"open leads in their status longer than its sla_hours at {iso(self.now)}; a lead entered its "
                  "status at its last Status change, or at its creation if it never changed")
        if undetermined:
            detail += (f"; {undetermined} waiting since before the {WINDOW_DAYS}-day history in a status whose SLA "
                       "is longer are not counted")
        breakdown: Breakdown = [(status, late[status]) for status in self.statuses.sorted(slas)]
        return sum(late.values()), breakdown, detail

    def median_hours(self) -> tuple[None, Breakdown, str]:
        stays = self.stays()
        if not stays:
            raise Unavailable(self.no_history_reason())
        hours: dict[str, list[float]] = {}
        for status, began, ended in stays:
            hours.setdefault(status, []).append((ended.at - began).total_seconds() / 3600)
        open_statuses = [s for s in self.statuses.order if s not in self.statuses.terminal]
        breakdown: Breakdown = [
            (status, round(statistics.median(hours[status]), 2) if status in hours else None)
            for status in self.statuses.sorted([*hours, *open_statuses])
        ]
        detail = (f"median hours of the {len(stays)} stays in a status that began and ended between "
                  f"{iso(self.window_start)} and {iso(self.now)}; stays still running are not counted")
        return None, breakdown, detail

    def mql_to_sal(self) -> tuple[float, Breakdown, str]:
        stays = self.stays()
        seen = {status for status, _, ended in stays} | {ended.new for _, _, ended in stays}
        if self.process is None:  # the org's own status names, from its leads
            seen |= set(self.org.counts(OPEN_BY_STATUS_SOQL, "open leads by status"))
        where = "in the process file" if self.process else "among the org's statuses"
        mql, sal = self.statuses.named(MQL_NAMES, seen), self.statuses.named(SAL_NAMES, seen)
        if mql is None or sal is None:
            missing = " and ".join(n for n, s in (("an MQL status", mql), ("a SAL status", sal)) if s is None)
            raise Unavailable(f"{missing} not found {where} (API name or label 'MQL'/'Marketing Qualified...', "
                              "'SAL'/'Sales Accepted...')")
        if not stays:
            raise Unavailable(self.no_history_reason())
        outcomes = Counter(ended.new for status, _, ended in stays if status == mql)
        decided = sum(outcomes.values())
        if not decided:
            raise Unavailable(f"no {mql} stay that began {self.since} has ended yet")
        rate = round(100 * outcomes[sal] / decided, 1)
        breakdown: Breakdown = [(status, outcomes[status]) for status in self.statuses.sorted(outcomes)]
        detail = (f"{outcomes[sal]} of the {decided} {mql} stays that began and ended {self.since} went to {sal}; "
                  "the breakdown says where each went")
        return rate, breakdown, detail

    def owned(self, soql: str, what: str, who: str) -> tuple[int, Breakdown, str]:
        counts = self.org.counts(soql, what)
        kept = {status: n for status, n in counts.items() if status not in self.statuses.terminal}
        detail = f"open leads owned by {who}, by status"
        left_out = sorted(set(counts) - set(kept), key=self.statuses.sort_key)
        if left_out:
            detail += f"; {sum(counts[s] for s in left_out)} in terminal statuses ({', '.join(left_out)}) not counted"
        breakdown: Breakdown = [(status, kept[status]) for status in self.statuses.sorted(kept)]
        return sum(kept.values()), breakdown, detail


MeasureFn = Callable[[_Measurer], tuple[float | int | None, Breakdown, str]]
MEASUREMENTS: tuple[tuple[str, str, str, MeasureFn], ...] = (
    ("open-leads", "Open leads", "leads", _Measurer.open_leads),
    ("leads-past-sla", "Leads past their status SLA now", "leads", _Measurer.past_sla),
    ("median-hours-in-status", f"Median time in each status (last {WINDOW_DAYS} days)", "hours",
     _Measurer.median_hours),
    ("mql-to-sal-acceptance", f"MQL to SAL acceptance rate (last {WINDOW_DAYS} days)", "percent",
     _Measurer.mql_to_sal),
    ("leads-owned-by-inactive-users", "Open leads owned by inactive users", "leads",
     lambda m: m.owned(INACTIVE_OWNER_SOQL, "leads owned by inactive users", "users who are no longer active")),
    ("leads-in-queues", "Open leads left in queues", "leads",
     lambda m: m.owned(QUEUE_OWNER_SOQL, "leads owned by queues", "a queue (not picked up by a person)")),
)


def collect_metrics(conn: OrgConnection, process: Process | None, *, now: dt.datetime) -> dict[str, Any]:
    """The measurements as the metrics.json document (valid, deterministic order)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    measurer = _Measurer(conn, process, now)
    measurements: list[dict[str, Any]] = []
    for measurement_id, title, unit, measure in MEASUREMENTS:
        item: dict[str, Any] = {"id": measurement_id, "title": title, "unit": unit}
        try:
            value, breakdown, detail = measure(measurer)
        except Unavailable as exc:
            item |= {"available": False, "value": None, "detail": str(exc), "breakdown": []}
        else:
            item |= {"available": True, "value": value, "detail": detail,
                     "breakdown": [{"status": status, "value": figure} for status, figure in breakdown]}
        measurements.append(item)
    document = {
        "version": 1,
        "measured_at": iso(now),
        "window": {"days": WINDOW_DAYS, "start": iso(measurer.window_start)},
        "sla_source": Path(process.path).name if process else None,
        "complete": all(item["available"] for item in measurements),
        "measurements": measurements,
    }
    validate_metrics(document)
    return document


def write_metrics(out_dir: Path, document: dict[str, Any]) -> Path:
    """Validate and write ``out_dir/metrics.json``, replacing it in one step."""
    validate_metrics(document)
    path = out_dir / METRICS_FILE
    handle, temporary = tempfile.mkstemp(prefix=".metrics-", suffix=".json", dir=out_dir)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
