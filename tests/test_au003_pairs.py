"""AU003 draws the writer pairs it compares from groups; they must be the pairs Salesforce leaves
unordered, in the same order as comparing every pair."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.model import SourceRef
from checks._status_writers import Writer
from checks.au003_status_write_conflict import _unordered_pairs


def _ordered(a: Writer, b: Writer) -> bool:
    """Salesforce's order of execution, pair by pair: different kinds are ordered; two flows are
    when either has a trigger order; two workflow rules or two processes never are."""
    if a.kind != b.kind:
        return True
    if a.kind != "flow":
        return False
    return a.trigger_order is not None or b.trigger_order is not None


writers = st.builds(
    lambda kind, trigger, order, n: Writer(f"{kind}:{n}", str(n), kind, kind, trigger, frozenset({"Update"}), (),
                                           None, SourceRef("x"), None, order),
    st.sampled_from(["flow", "process", "workflow"]),
    st.sampled_from(["RecordBeforeSave", "RecordAfterSave"]),
    st.one_of(st.none(), st.integers(1, 3)),
    st.integers(0, 10_000),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(writers, max_size=12))
def test_the_grouped_pairs_are_the_unordered_pairs_of_every_pair(found: list[Writer]) -> None:
    expected = [(a, b) for a, b in combinations(found, 2) if a.trigger == b.trigger and not _ordered(a, b)]
    assert _unordered_pairs(found) == expected
