"""Leads and their Status history for the fake org: seeded, so every run holds the same records.

A few hundred leads across the org's own Lead Status values, owned by its users, by users who
have left (inactive), and by its queues, with Status changes recorded in LeadHistory the way
field history tracking records them (a ``created`` row when the lead is made, then one
``Status`` row per change with OldValue and NewValue). Times are relative to the clock the test
passes, so "the last 90 days" means the same records on every run. Leads carry names, emails and
companies like real ones, so a test can prove that none of them leaves the org in a measurement.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakesf import ids

if TYPE_CHECKING:
    from tests.fakesf.facts import OrgFacts

API_VERSION = "62.0"
FIRST_NAMES = ("Avery", "Jordan", "Casey", "Riley", "Morgan", "Quinn", "Harper", "Rowan", "Emerson", "Sasha")
LAST_NAMES = ("Okafor", "Lindqvist", "Moreau", "Tanaka", "Castillo", "Novak", "Brennan", "Haddad", "Iyer", "Vance")
COMPANIES = ("Globex", "Initech", "Umbrella Works", "Stark Tooling", "Wayne Freight", "Hooli Labs", "Vandelay Imports")
INACTIVE_OWNERS = ("former.sdr", "former.ae")  # users who left: their leads were never reassigned


@dataclass
class LeadFact:
    id: str
    first_name: str
    last_name: str
    email: str
    company: str
    status: str
    is_converted: bool
    created: dt.datetime
    owner_id: str


@dataclass
class LeadHistoryFact:
    id: str
    lead_id: str
    field: str  # "created" or "Status"
    old_value: str | None
    new_value: str | None
    created: dt.datetime


@dataclass
class LeadBook:
    """What was generated, for a test to compute the expected measurements from."""

    now: dt.datetime
    leads: list[LeadFact] = field(default_factory=list)
    history: list[LeadHistoryFact] = field(default_factory=list)
    inactive_user_ids: set[str] = field(default_factory=set)
    queue_ids: set[str] = field(default_factory=set)


def _owners(facts: OrgFacts) -> tuple[list[str], list[str], list[str]]:
    """Active user ids, inactive user ids (created here) and queue ids that may own leads."""
    domain = next(iter(facts.users.values())).username.split("@", 1)[1] if facts.users else "example.com"
    active = sorted(user.id for user in facts.users.values() if user.is_active)
    inactive = []
    for local in INACTIVE_OWNERS:
        user = facts.user(f"{local}@{domain}")
        user.is_active = False
        inactive.append(user.id)
    queues = sorted(queue.id for queue in facts.queues.values() if "Lead" in queue.sobject_types)
    return active, inactive, queues


def _next_status(rng: random.Random, statuses: list[str], current: str) -> str:
    """Mostly the next status in the picklist's order (the funnel), sometimes any other one."""
    position = statuses.index(current)
    if position + 1 < len(statuses) and rng.random() < 0.6:
        return statuses[position + 1]
    return rng.choice([status for status in statuses if status != current])


def generate_leads(facts: OrgFacts, *, now: dt.datetime, count: int = 300, seed: int = 2025) -> LeadBook:
    """Add ``count`` leads and their Status history to the fake org; returns what was added."""
    rng = random.Random(seed)
    statuses = [status.api_name for status in sorted(facts.lead_statuses, key=lambda s: s.sort_order)]
    if not statuses:
        raise ValueError("the fixture org has no Lead Status values to put leads in")
    converted = {status.api_name for status in facts.lead_statuses if status.is_converted}
    default = next((s.api_name for s in facts.lead_statuses if s.is_default), statuses[0])
    active, inactive, queues = _owners(facts)
    book = LeadBook(now=now, inactive_user_ids=set(inactive), queue_ids=set(queues))
    for number in range(count):
        created = now - dt.timedelta(minutes=rng.randint(10, 150 * 24 * 60))
        owner_pool = rng.choices([active or inactive, inactive, queues or active], weights=(65, 15, 20))[0]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        lead = LeadFact(
            id=facts.id_factory.new(ids.LEAD), first_name=first, last_name=f"{last}{number:03d}",
            email=f"{first.lower()}.{last.lower()}{number:03d}@prospect.example", company=rng.choice(COMPANIES),
            status=default, is_converted=False, created=created, owner_id=rng.choice(owner_pool),
        )
        book.history.append(LeadHistoryFact(facts.id_factory.new(ids.LEAD_HISTORY), lead.id, "created", None, None,
                                            created))
        moment = created
        for _ in range(rng.randint(0, 5)):
            moment += dt.timedelta(minutes=rng.randint(5, 9 * 24 * 60))
            if moment >= now or lead.status in converted:
                break
            new_status = _next_status(rng, statuses, lead.status)
            book.history.append(LeadHistoryFact(facts.id_factory.new(ids.LEAD_HISTORY), lead.id, "Status",
                                                lead.status, new_status, moment))
            lead.status = new_status
        lead.is_converted = lead.status in converted
        book.leads.append(lead)
    facts.leads.extend(book.leads)
    facts.lead_history.extend(book.history)
    return book


def _owner(facts: OrgFacts, owner_id: str) -> dict[str, Any]:
    """The Owner parent record as the polymorphic Name object gives it (IsActive is only a user's)."""
    user = next((u for u in facts.users.values() if u.id == owner_id), None)
    queue = next((q for q in facts.queues.values() if q.id == owner_id), None)
    kind = "User" if user is not None else "Queue"
    return {
        "attributes": {"type": "Name", "url": f"/services/data/v{API_VERSION}/sobjects/{kind}/{owner_id}"},
        "Type": kind,
        "IsActive": bool(user.is_active) if user is not None else False,
        "Name": user.name if user is not None else (queue.name if queue is not None else None),
    }


def lead_rows(facts: OrgFacts) -> list[dict[str, Any]]:
    return [
        {
            "Id": lead.id, "FirstName": lead.first_name, "LastName": lead.last_name,
            "Name": f"{lead.first_name} {lead.last_name}", "Email": lead.email, "Company": lead.company,
            "Status": lead.status, "IsConverted": lead.is_converted, "CreatedDate": lead.created,
            "OwnerId": lead.owner_id, "Owner": _owner(facts, lead.owner_id),
        }
        for lead in facts.leads
    ]


def lead_history_rows(facts: OrgFacts) -> list[dict[str, Any]]:
    leads = {lead.id: lead for lead in facts.leads}
    return [
        {
            "Id": row.id, "LeadId": row.lead_id, "Field": row.field, "OldValue": row.old_value,
            "NewValue": row.new_value, "CreatedDate": row.created,
            "Lead": {
                "attributes": {"type": "Lead", "url": f"/services/data/v{API_VERSION}/sobjects/Lead/{row.lead_id}"},
                "CreatedDate": leads[row.lead_id].created, "Status": leads[row.lead_id].status,
            },
        }
        for row in facts.lead_history
    ]
