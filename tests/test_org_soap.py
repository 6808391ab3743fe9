"""Reading SOAP answers: a large retrieve zip is read, a DTD is refused, an oversized answer too."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from auditor.sources.org.errors import OrgError
from auditor.sources.org.soap import MAX_ANSWER_BYTES, METADATA_NS, SOAP_ENV, call, text_of


@dataclass
class _Answer:
    content: bytes
    status_code: int = 200


class _Session:
    """Answers every POST with the given bytes: the parsing is what is under test here."""

    def __init__(self, content: bytes) -> None:
        self.answer = _Answer(content)

    def post(self, url: str, data: bytes, headers: dict[str, str]) -> _Answer:
        return self.answer


def _status(zip_text: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{doctype}<soapenv:Envelope xmlns:soapenv="{SOAP_ENV}">'
            f'<soapenv:Body><checkRetrieveStatusResponse xmlns="{METADATA_NS}"><result><done>true</done>'
            f"<zipFile>{zip_text}</zipFile></result></checkRetrieveStatusResponse></soapenv:Body>"
            "</soapenv:Envelope>").encode()


def test_a_retrieve_zip_over_libxml2s_text_limit_is_read() -> None:
    big = "A" * (12 * 1024 * 1024)  # a large org's base64 zip: one text node over 10 MB
    first = call(_Session(_status(big)), "https://x", "checkRetrieveStatus", b"", "checkRetrieveStatus")  # type: ignore[arg-type]
    assert text_of(first, "result/zipFile", METADATA_NS) == big


def test_an_answer_declaring_entities_is_refused() -> None:
    doctype = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    with pytest.raises(OrgError, match="declares a DTD or entities"):
        call(_Session(_status("&x;", doctype)), "https://x", "checkRetrieveStatus", b"", "checkRetrieveStatus")  # type: ignore[arg-type]


def test_an_answer_over_the_cap_is_refused() -> None:
    with pytest.raises(OrgError, match="over the 64 MiB"):
        call(_Session(_status("A" * MAX_ANSWER_BYTES)), "https://x", "checkRetrieveStatus", b"", "checkRetrieveStatus")  # type: ignore[arg-type]
