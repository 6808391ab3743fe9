"""The format registry, and determinism shared by every format."""

from __future__ import annotations

import dataclasses

import pytest

from auditor.findings import AuditResult
from reports import FORMATS, html, json_report, junit, sarif, text


def test_registry_maps_names_to_renderers() -> None:
    assert FORMATS == {
        "text": text.render,
        "json": json_report.render,
        "junit": junit.render,
        "sarif": sarif.render,
        "html": html.render,
    }


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("which", ["complete_result", "incomplete_result", "hostile_result", "empty_result"])
def test_render_twice_is_byte_identical(name: str, which: str, request: pytest.FixtureRequest) -> None:
    result: AuditResult = request.getfixturevalue(which)
    first, second = FORMATS[name](result), FORMATS[name](result)
    assert isinstance(first, (str, bytes))
    assert first == second


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_input_order_does_not_matter(name: str, incomplete_result: AuditResult) -> None:
    shuffled = dataclasses.replace(
        incomplete_result,
        findings=tuple(reversed(incomplete_result.findings)),
        outcomes=tuple(reversed(incomplete_result.outcomes)),
        files=tuple(reversed(incomplete_result.files)),
        incomplete_reasons=tuple(reversed(incomplete_result.incomplete_reasons)),
    )
    assert FORMATS[name](shuffled) == FORMATS[name](incomplete_result)


def test_text_default_is_plain(complete_result: AuditResult) -> None:
    assert "\x1b" not in FORMATS["text"](complete_result)
