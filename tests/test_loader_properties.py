"""Whatever bytes a file holds, loading never raises: the file is read or it is a located problem."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.parse import PARSERS, load_files

KINDS = sorted(PARSERS)
XMLISH = st.lists(
    st.sampled_from(["<?xml version='1.0'?>", "<Flow>", "</Flow>", "<label>", "</label>", "<!DOCTYPE x>",
                     "&amp;", "&x;", "<![CDATA[", "]]>", "\r\n", "\x00", "é", "<", ">", "<fields>", "<fullName>a"]),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(KINDS), data=st.one_of(st.binary(max_size=400), XMLISH.map(str.encode)))
def test_any_content_is_read_or_reported(kind: str, data: bytes) -> None:
    path = f"objects/Lead/{kind}s/X.{kind}-meta.xml" if kind in {"field", "validationRule"} else f"x/Lead.{kind}"
    model = load_files("p", [(path, data)])
    (record,) = model.files
    unreadable = [p for p in model.problems if p.kind == "unreadable"]
    assert (record.status == "unreadable") == bool(unreadable)
    for problem in unreadable:
        assert problem.source.path == path and problem.message
