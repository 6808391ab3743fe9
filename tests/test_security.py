"""Hostile input: XXE, billion laughs, malformed XML, zip path escapes, HTML injection.

Each gives a located CF001 finding, exit code 3, nothing read from outside the source, and the
other files' findings still reported.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from auditor.cli import main

SECRET = "leadaudit-canary-7f3e9a"

STATUSES_NO_DEFAULT = b"""<?xml version="1.0" encoding="UTF-8"?>
<StandardValueSet xmlns="http://soap.sforce.com/2006/04/metadata">
    <standardValue><fullName>New</fullName><default>false</default></standardValue>
    <standardValue><fullName>Converted</fullName><default>false</default><converted>true</converted></standardValue>
</StandardValueSet>
"""


def _xxe(secret_file: Path) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE Flow [ <!ENTITY leak SYSTEM "file://{secret_file}"> ]>
<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><label>&leak;</label></Flow>
""".encode()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Workflow xmlns="http://soap.sforce.com/2006/04/metadata"><rules><fullName>&lol9;</fullName></rules></Workflow>
"""


def _audit(source: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, dict[str, object]]:
    code = main(["audit", str(source), "--json", str(out / "r.json"), "--html", str(out / "r.html"),
                 "--junit", str(out / "r.xml")])
    text = capsys.readouterr().out
    outputs = text + "".join((out / n).read_text(encoding="utf-8") for n in ("r.json", "r.html", "r.xml"))
    return code, outputs, json.loads((out / "r.json").read_text(encoding="utf-8"))


def _cf001(report: dict[str, object]) -> list[dict[str, object]]:
    return [f for f in report["findings"] if f["rule_id"] == "CF001"]  # type: ignore[union-attr,index]


def test_hostile_xml_is_refused_located_and_the_rest_is_audited(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET)
    org = tmp_path / "org"
    (org / "flows").mkdir(parents=True)
    (org / "workflows").mkdir()
    (org / "standardValueSets").mkdir()
    (org / "flows" / "Leak.flow").write_bytes(_xxe(secret_file))
    (org / "workflows" / "Lead.workflow").write_bytes(BILLION_LAUGHS)
    (org / "flows" / "Cut.flow").write_bytes(b'<?xml version="1.0"?>\n<Flow xmlns="x">\n  <label>cut')
    (org / "standardValueSets" / "LeadStatus.standardValueSet").write_bytes(STATUSES_NO_DEFAULT)

    code, outputs, report = _audit(org, tmp_path / "out", capsys)

    assert code == 3
    assert SECRET not in outputs
    assert report["complete"] is False
    located = {(f["location"]["path"], f["location"]["line"]) for f in _cf001(report)}  # type: ignore[index]
    assert located == {("flows/Leak.flow", 2), ("workflows/Lead.workflow", 2), ("flows/Cut.flow", 3)}
    assert "audit incomplete" in outputs
    # the readable file's defect is still reported
    assert any(f["rule_id"] == "LC003" for f in report["findings"])  # type: ignore[index,union-attr]


def test_zip_entries_cannot_escape(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = tmp_path / "retrieve.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("unpackaged/../../escaped.txt", "pwned")
        zf.writestr("/abs/evil.flow", "<Flow/>")
        zf.writestr("unpackaged/standardValueSets/LeadStatus.standardValueSet", STATUSES_NO_DEFAULT)
    before = set(tmp_path.parent.rglob("escaped.txt"))

    code, _outputs, report = _audit(archive, tmp_path / "out", capsys)

    assert code == 3
    assert set(tmp_path.parent.rglob("escaped.txt")) == before  # nothing written anywhere
    messages = sorted(str(f["message"]) for f in _cf001(report))
    assert any("path escapes the archive with '..'" in m for m in messages)
    assert any("absolute path" in m for m in messages)
    assert any(f["rule_id"] == "LC003" for f in report["findings"])  # type: ignore[index,union-attr]


def test_a_file_that_is_not_a_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "retrieve.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    code, _outputs, report = _audit(bad, tmp_path / "out", capsys)
    assert code == 3
    assert "not a readable zip file" in str(_cf001(report)[0]["message"])


def test_metadata_text_is_escaped_in_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    org = tmp_path / "org" / "objects" / "Lead" / "validationRules"
    org.mkdir(parents=True)
    (tmp_path / "org" / "standardValueSets").mkdir()
    (tmp_path / "org" / "standardValueSets" / "LeadStatus.standardValueSet").write_bytes(STATUSES_NO_DEFAULT)
    payload = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    formula = f"ISPICKVAL(Status, '{payload}')".replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    (org / "X.validationRule-meta.xml").write_text(
        '<?xml version="1.0"?>\n<ValidationRule xmlns="http://soap.sforce.com/2006/04/metadata">'
        f"<fullName>X</fullName><active>true</active><errorConditionFormula>{formula}</errorConditionFormula>"
        "<errorMessage>m</errorMessage></ValidationRule>"
    )
    main(["audit", str(tmp_path / "org"), "--html", str(tmp_path / "r.html")])
    capsys.readouterr()
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
