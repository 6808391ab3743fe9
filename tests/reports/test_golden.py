"""Golden files: every report format of one fixture audit, compared byte for byte.

The acme-sfdx fixture org is audited against golden/acme-process.yaml through the real command
line (paths relative to the repository, the clock fixed by SOURCE_DATE_EPOCH, the version pinned),
so these files are exactly what a user's CI would diff. A change to a report's content or order
shows here as a readable diff. After an intended change, regenerate them with
``LEADAUDIT_UPDATE_GOLDEN=1 python -m pytest tests/reports/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from auditor import cli
from tests.conftest import REPO

GOLDEN = Path(__file__).parent / "golden"
ORG = "tests/fixtures/orgs/acme-sfdx"
PROCESS = "tests/reports/golden/acme-process.yaml"
EPOCH = "1795478400"  # 2026-11-24T00:00:00Z
FILES = ("acme.txt", "acme.json", "acme.junit.xml", "acme.sarif", "acme.html")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    out = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        patch.setattr(cli, "tool_version", lambda: "0.0.0-golden")
        result = CliRunner().invoke(
            cli.cli,
            ["audit", ORG, "--process", PROCESS, "--json", str(out / "acme.json"),
             "--junit", str(out / "acme.junit.xml"), "--sarif", str(out / "acme.sarif"),
             "--html", str(out / "acme.html")],
            env={"SOURCE_DATE_EPOCH": EPOCH, "NO_COLOR": "1"},
        )
    assert result.exit_code == 1, result.output  # findings at or above the default --fail-on low
    (out / "acme.txt").write_text(result.stdout, encoding="utf-8")
    yield {name: (out / name).read_bytes() for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_report_matches_its_golden_file(name: str, outputs: dict[str, bytes]) -> None:
    golden = GOLDEN / name
    if os.environ.get("LEADAUDIT_UPDATE_GOLDEN") == "1":
        golden.write_bytes(outputs[name])
    assert golden.is_file(), f"{golden} is missing: run with LEADAUDIT_UPDATE_GOLDEN=1 to write it"
    expected = golden.read_bytes()
    if outputs[name] != expected:
        diff = difflib.unified_diff(
            expected.decode("utf-8").splitlines(), outputs[name].decode("utf-8").splitlines(),
            f"golden/{name}", "now", lineterm="", n=2,
        )
        pytest.fail("report differs from its golden file:\n" + "\n".join(list(diff)[:80]))


def test_two_runs_give_byte_identical_reports(outputs: dict[str, bytes], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    monkeypatch.setattr(cli, "tool_version", lambda: "0.0.0-golden")
    again = CliRunner().invoke(
        cli.cli, ["audit", ORG, "--process", PROCESS, "--format", "json", "--html", str(tmp_path / "a.html")],
        env={"SOURCE_DATE_EPOCH": EPOCH},
    )
    assert again.stdout.encode("utf-8") == outputs["acme.json"]
    assert (tmp_path / "a.html").read_bytes() == outputs["acme.html"]


def test_golden_files_are_valid_against_their_schemas() -> None:
    """What CI systems read must satisfy their formats' published schemas, not only our goldens."""
    import json

    from jsonschema import Draft202012Validator
    from lxml import etree

    from tests.reports.test_report_sarif import sarif_validator

    report_schema = json.loads((REPO / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(report_schema).validate(json.loads((GOLDEN / "acme.json").read_bytes()))
    sarif_validator().validate(json.loads((GOLDEN / "acme.sarif").read_bytes()))
    xsd = etree.XMLSchema(etree.parse(str(REPO / "tests" / "data" / "junit-10.xsd")))
    xsd.assertValid(etree.parse(str(GOLDEN / "acme.junit.xml")))


def test_golden_files_cover_every_section() -> None:
    """The golden audit is only worth having if each report section has something in it."""
    html = (GOLDEN / "acme.html").read_text(encoding="utf-8")
    for needle in ('id="scores"', 'class="finding sev-high"', 'class="finding sev-medium"',
                   "the funnel report is built in CRM Analytics",  # the waiver's reason
                   "not-applicable", "disabled", "<svg", 'id="routing-table"', 'id="files-table"'):
        assert needle in html, needle
