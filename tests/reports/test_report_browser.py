"""The HTML report in a real browser: Debian's headless Chromium renders it, and nothing runs.

Two reports are opened from file:// with no network: the demo org's (complete), and a crafted
org's (incomplete) whose flow label, assignment rule name, assignee and unreadable file name hold
script and markup payloads. Chromium's own DOM after loading (``--dump-dom``) must show each
payload as text and contain no element or handler they would have created; the screenshot must
show a rendered page, with the incomplete banner's red on the first screen.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html as lxml_html

from auditor import cli
from tests.conftest import REPO

DEMO = "examples/demo-org"
CHROMIUM = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs the 'chromium' browser (Debian package chromium; .ci/run installs it)"
)

SCRIPT = "<script>document.title='PWNED'</script>"
IMG = "\"><img src=x onerror=\"document.title='PWNED'\">"
FLOW_LABEL = f"Route {SCRIPT} now"
RULE_NAME = f"Routing {IMG}{SCRIPT}"
ASSIGNEE = f"Queue{IMG}"
FILE_NAME = '"><img src=x onerror=alert(1)>'  # a file name may hold anything but "/"

_FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata">
    <actionCalls>
        <name>Notify_Owner</name>
        <label>{label}</label>
        <locationX>0</locationX>
        <locationY>0</locationY>
        <actionName>Lead.Notify_Owner</actionName>
        <actionType>emailAlert</actionType>
    </actionCalls>
    <apiVersion>62.0</apiVersion>
    <label>{label}</label>
    <processType>AutoLaunchedFlow</processType>
    <start>
        <connector><targetReference>Notify_Owner</targetReference></connector>
        <object>Lead</object>
        <recordTriggerType>Create</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
</Flow>
"""
_RULES = """<?xml version="1.0" encoding="UTF-8"?>
<AssignmentRules xmlns="http://soap.sforce.com/2006/04/metadata">
    <assignmentRule>
        <fullName>{name}</fullName>
        <active>true</active>
        <ruleEntry>
            <assignedTo>{assignee}</assignedTo>
            <assignedToType>Queue</assignedToType>
            <criteriaItems>
                <field>Lead.Country</field>
                <operation>equals</operation>
                <value>Germany</value>
            </criteriaItems>
        </ruleEntry>
    </assignmentRule>
</AssignmentRules>
"""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _crafted_org(root: Path) -> Path:
    (root / "flows").mkdir(parents=True)
    (root / "assignmentRules").mkdir()
    (root / "flows" / "Lead_Router.flow").write_text(_FLOW.format(label=_escape(FLOW_LABEL)), encoding="utf-8")
    (root / "flows" / f"{FILE_NAME}.flow").write_text("<Flow><unclosed></Flow>", encoding="utf-8")
    rules = _RULES.format(name=_escape(RULE_NAME), assignee=_escape(ASSIGNEE))
    (root / "assignmentRules" / "Lead.assignmentRules").write_text(rules, encoding="utf-8")
    return root


def _report(source: str, out: Path, cwd: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        result = CliRunner().invoke(cli.cli, ["audit", source, "-q", "--html", str(out)],
                                    env={"SOURCE_DATE_EPOCH": "1795478400"})
    assert result.exit_code in (1, 3), result.output
    return out


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess[bytes]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}", *args,
    ]
    return subprocess.run(command, capture_output=True, timeout=120, check=True)


def _dom(report: Path, tmp: Path) -> lxml_html.HtmlElement:
    done = _chromium("--dump-dom", report.as_uri(), tmp=tmp)
    return lxml_html.fromstring(done.stdout)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("browser")
    crafted = _crafted_org(tmp / "crafted")
    yield {
        "demo": _report(DEMO, tmp / "demo.html", REPO),
        "crafted": _report(str(crafted), tmp / "crafted.html", tmp),
        "tmp": tmp,
    }


def test_demo_report_renders_every_part(reports: dict[str, Path]) -> None:
    dom = _dom(reports["demo"], reports["tmp"])
    assert dom.get_element_by_id("cover") is not None
    assert "Action needed" in dom.get_element_by_id("status").text_content()
    scores = dom.get_element_by_id("scores").xpath(".//tbody/tr")
    assert len(scores) == 7  # lifecycle, sla, routing, automation, validation, scoring, reporting
    assert dom.xpath("//article[contains(@class, 'finding')]"), "no finding rendered"
    svg = dom.xpath("//section[@id='lifecycle']//*[local-name()='svg']")
    assert len(svg) == 1 and svg[0].get("role") == "img"
    assert "SQL" in "".join(svg[0].itertext())
    rows = dom.get_element_by_id("routing-table").xpath(".//tbody/tr")
    assert len(rows) >= 3 and "Hand_Raiser__c equals True" in rows[0].text_content()
    assert any("Country" in row.text_content() for row in rows)
    assert dom.get_element_by_id("files-table").xpath(".//tbody/tr")


def _screenshot(report: Path, tmp: Path, name: str) -> object:
    from PIL import Image  # the test extra installs Pillow

    png = tmp / f"{name}.png"
    _chromium("--window-size=1280,900", f"--screenshot={png}", report.as_uri(), tmp=tmp)
    return Image.open(io.BytesIO(png.read_bytes())).convert("RGB")


def test_screenshot_is_a_rendered_page_not_a_blank_one(reports: dict[str, Path]) -> None:
    image = _screenshot(reports["demo"], reports["tmp"], "demo")
    colours = image.getcolors(maxcolors=1 << 20)  # type: ignore[attr-defined]
    assert colours is not None and len(colours) > 50, "the page looks blank"
    non_white = sum(count for count, rgb in colours if rgb != (255, 255, 255))
    assert non_white > 0.03 * image.width * image.height  # type: ignore[attr-defined]


def test_incomplete_audit_shows_red_on_the_first_screen(reports: dict[str, Path]) -> None:
    image = _screenshot(reports["crafted"], reports["tmp"], "crafted")
    alarm = (0xB3, 0x26, 0x1E)  # --alarm in the template: the incomplete banner's background
    pixels = image.getcolors(maxcolors=1 << 20)  # type: ignore[attr-defined]
    assert sum(count for count, rgb in pixels if rgb == alarm) > 20_000, "no incomplete banner on screen"
    dom = _dom(reports["crafted"], reports["tmp"])
    status = dom.get_element_by_id("status").text_content()
    assert "Audit incomplete" in status and FILE_NAME in status


def test_payloads_are_shown_as_text_and_never_run(reports: dict[str, Path]) -> None:
    dom = _dom(reports["crafted"], reports["tmp"])
    assert dom.xpath("//script") == []
    assert dom.xpath("//img") == []
    handlers = [(el.tag, name) for el in dom.iter() if isinstance(el.tag, str) for name in el.attrib
                if name.lower().startswith("on")]
    assert handlers == []
    assert dom.findtext(".//title") is not None and "PWNED" not in dom.findtext(".//title")
    text = dom.text_content()
    for payload in (FLOW_LABEL, RULE_NAME, ASSIGNEE, FILE_NAME):
        assert payload in text, f"{payload!r} is not shown as text"


def test_prints_to_pdf_with_the_cover_on_its_own_page(reports: dict[str, Path]) -> None:
    """The print stylesheet: Chromium's "Save as PDF" gives A4 pages, the cover alone on the first."""
    import re

    pdf = reports["tmp"] / "demo.pdf"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", reports["demo"].as_uri(), tmp=reports["tmp"])
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = re.findall(rb"/Type\s*/Page\b(?!s)", data)
    # cover, scores and findings, lifecycle, routing, appendix: at least one page each
    assert len(pages) >= 5, len(pages)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    # A4 is 595 x 842 points (the @page size); Chromium rounds to whole device pixels
    assert boxes and all(abs(float(w) - 595.5) < 1.5 and abs(float(h) - 842.3) < 1.5 for w, h in boxes), boxes
