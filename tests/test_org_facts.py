"""facts.json: the usernames asked for, the schema, and validation when written and read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.sources import load_model
from auditor.sources.org.facts import FactsError, assemble, read_facts, referenced_usernames, soql_string, write_facts
from tests.conftest import FIXTURE_ORGS


def _facts(**changes: Any) -> dict[str, Any]:
    partial = {
        "org": {"id": "00D5g0000000001EAA", "name": "Acme", "instance_name": "NA139",
                "organization_type": "Enterprise Edition", "instance_url": "https://acme.my.salesforce.com"},
        "users": [{"id": "0055g0000000002AAA", "username": "sam.lee@acme.example", "name": "Sam Lee",
                   "active": False}],
        "missing_users": ["gone@acme.example"],
        "queues": [{"id": "00G5g0000000001EAA", "developer_name": "Hot_Leads", "name": "Hot Leads",
                    "sobject_types": ["Lead"], "members": [{"id": "0055g0000000002AAA", "type": "User",
                                                            "username": "sam.lee@acme.example", "active": False}]}],
        "lead_statuses": [{"id": "01J5g0000000001EAA", "api_name": "New", "label": "New", "converted": False,
                           "default": True, "sort_order": 1}],
    }
    facts = assemble(partial, flows=[], unavailable=[], messages=[("package.xml", "Entity of type 'Report' not found")],
                     retrieved_at="2025-03-01T09:00:00Z", instance_url="https://acme.my.salesforce.com")
    facts.update(changes)
    return facts


def test_the_usernames_asked_for_are_those_the_metadata_names() -> None:
    names = referenced_usernames(load_model(FIXTURE_ORGS / "acme-mdapi"))
    assert {"sam.lee@acme.example", "kim.park@acme.example", "alex.rivera@acme.example"} <= set(names)
    assert all("@" in name for name in names)


def test_facts_are_written_and_read_back(tmp_path: Path) -> None:
    path = write_facts(tmp_path, _facts())
    facts = read_facts(path)
    assert facts["complete"] is True
    assert facts["retrieve_messages"] == [{"file": "package.xml", "problem": "Entity of type 'Report' not found"}]
    assert facts["users"][0]["active"] is False


def test_an_unavailable_item_makes_the_facts_incomplete() -> None:
    facts = assemble({}, flows=[], unavailable=[{"item": "queue members", "reason": "INSUFFICIENT_ACCESS"}],
                     messages=[], retrieved_at="2025-03-01T09:00:00Z", instance_url="https://acme.my.salesforce.com")
    assert facts["complete"] is False
    assert facts["org"]["id"] is None


def test_facts_that_break_the_schema_are_not_written(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match="users/0/active"):
        write_facts(tmp_path, _facts(users=[{"id": "0055g0000000002AAA", "username": "x@y", "name": None,
                                             "active": "yes"}]))
    assert not (tmp_path / "facts.json").exists()


@pytest.mark.parametrize("content, message", [("{not json", "not a readable JSON"), ("[]", "not a JSON object"),
                                              ('{"version": 2}', "schema")])
def test_a_bad_facts_file_is_refused_when_read(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "facts.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FactsError, match=message):
        read_facts(path)


def test_a_retrieval_time_that_is_not_a_date_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(_facts(retrieved_at="yesterday")), encoding="utf-8")
    with pytest.raises(FactsError, match="retrieved_at"):
        read_facts(path)


def test_soql_strings_are_escaped() -> None:
    assert soql_string("o'brien@acme.example") == "'o\\'brien@acme.example'"
    assert soql_string("back\\slash") == "'back\\\\slash'"
