"""How big each benchmark org is.

L is the largest real org the tool is built for (the issue's numbers: about 800 Lead fields, 300
validation rules, 3,000 assignment entries, 300 Lead flows of 50 elements, 100 workflow rules,
1,000 queues, 1,000 reports, 40 statuses). XL is ten times L in every component, to measure how
cost grows. Two dimensions stay as in L on purpose:

- statuses: a lifecycle of 400 statuses does not exist, and the per-status graph search is the
  one cost the issue allows to be linear per status; growing both would measure a product.
- elements per flow: a flow of 500 elements is not a real flow; XL has ten times the flows.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Size:
    name: str
    description: str
    statuses: int
    fields: int  # Lead fields in the org, standard Status field included
    validation_rules: int
    assignment_entries: int  # over all assignment rules; at most 3,000 per rule, as in Salesforce
    auto_response_entries: int
    flows: int  # record-triggered Lead flows (the shared fault handler comes on top)
    flow_elements: int  # elements per flow, decisions included
    workflow_rules: int
    queues: int
    reports: int
    record_types: int
    business_processes: int


SIZES: dict[str, Size] = {
    size.name: size
    for size in (
        Size("S", "a small company: one sales team, a handful of flows", 9, 40, 12, 40, 4, 8, 15, 5, 12, 12, 2, 1),
        Size("M", "a mid-size company: regional teams", 20, 250, 80, 600, 15, 60, 30, 30, 200, 200, 6, 3),
        Size("L", "the largest real orgs", 40, 800, 300, 3000, 50, 300, 50, 100, 1000, 1000, 20, 5),
        Size("XL", "ten times L, to measure growth", 40, 8000, 3000, 30000, 500, 3000, 50, 1000, 10000, 10000, 200, 50),
    )
}

MAX_ENTRIES_PER_RULE = 3000
