"""account-engagement.json: what the Account Engagement API said about a business unit.

``leadaudit retrieve --business-unit-id`` writes it beside the metadata; like facts.json it is
JSON read only at the top of the source. A file that does not follow
schemas/account-engagement.schema.json is unreadable like any broken file: the audit goes on
and ends incomplete. Each program and form points to its line in the file, so a finding on it
opens where the API's answer is kept.
"""

from __future__ import annotations

import re

from auditor.contracts import parse_document
from auditor.model import AccountEngagement, EngagementForm, EngagementProgram, SourceRef

ACCOUNT_ENGAGEMENT_FILE = "account-engagement.json"
_SECTION = re.compile(r'^  "(\w+)": \[')
_NAME = re.compile(r'^\s+"name": ("(?:[^"\\]|\\.)*")')


def _name_lines(text: str) -> dict[tuple[str, int], int]:
    """(section, index) -> line of the record's name, in the layout retrieve writes (two-space
    indent); a file laid out otherwise gets line 1 for its records."""
    lines: dict[tuple[str, int], int] = {}
    section, index = "", 0
    for number, line in enumerate(text.splitlines(), start=1):
        if found := _SECTION.match(line):
            section, index = found.group(1), 0
        elif section and _NAME.match(line):
            lines[(section, index)] = number
            index += 1
    return lines


def parse_account_engagement(data: bytes, path: str) -> AccountEngagement:
    """The business unit's configuration, or contracts.DocumentError (the loader's "unreadable")."""
    document = parse_document(data, "account-engagement.schema.json")
    lines = _name_lines(data.decode("utf-8"))  # decodes: parse_document has read it as UTF-8

    def ref(section: str, index: int) -> SourceRef:
        return SourceRef(path, lines.get((section, index), 1))

    stages = sorted(document["lifecycle_stages"], key=lambda s: (s["position"] is None, s["position"] or 0, s["id"]))
    forms = [
        EngagementForm(kind, record["id"], record["name"], ref(section, i))
        for section, kind in (("forms", "form"), ("form_handlers", "form handler"))
        for i, record in enumerate(document[section])
    ]
    return AccountEngagement(
        business_unit_id=document["business_unit"]["id"],
        business_unit_name=document["business_unit"]["name"],
        host=document["host"],
        retrieved_at=document["retrieved_at"],
        complete=document["complete"],
        unavailable=tuple(f"{u['item']}: {u['reason']}" for u in document["unavailable"]),
        lifecycle_stages=tuple(stage["name"] for stage in stages),
        programs=tuple(
            EngagementProgram(p["id"], p["name"], p["status"], ref("engagement_studio_programs", i))
            for i, p in enumerate(document["engagement_studio_programs"])
        ),
        forms=tuple(forms),
        custom_fields=tuple(f["field_id"] or f["name"] for f in document["custom_fields"]),
        lists=tuple(item["name"] for item in document["lists"]),
        users=len(document["users"]),
        source=SourceRef(path, 1),
    )
