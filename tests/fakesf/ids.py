"""Salesforce record ids: 15 characters plus the 3-character case-safe suffix.

Clients compare, store and sometimes validate ids; the fake hands out ids shaped like the ones an
org returns (key prefix, 18 characters with a correct checksum) so a client that checks their
shape accepts them, and one that mixes up 15- and 18-character ids is caught.
"""

from __future__ import annotations

import itertools
import threading

_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# Key prefixes of the objects the fake serves (as in any org).
ORGANIZATION = "00D"
USER = "005"
GROUP = "00G"
GROUP_MEMBER = "011"
QUEUE_SOBJECT = "03g"
LEAD_STATUS = "01J"
FLOW_DEFINITION = "300"
FLOW_VERSION = "301"
RETRIEVE_JOB = "09S"
QUERY_LOCATOR = "01g"
LEAD = "00Q"
LEAD_HISTORY = "017"


def case_safe(id15: str) -> str:
    """Append the suffix that encodes which of the 15 characters are upper case."""
    if len(id15) != 15:
        raise ValueError(f"a 15-character id is expected, got {id15!r}")
    suffix = ""
    for start in range(0, 15, 5):
        chunk = id15[start : start + 5]
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += _SUFFIX_ALPHABET[bits]
    return id15 + suffix


def _base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    return digits.rjust(width, "0")


class IdFactory:
    """Deterministic ids per key prefix: the same fixture gives the same ids on every run."""

    def __init__(self, pod: str = "5g") -> None:
        self._pod = pod  # characters 4-5 of an id: the instance that created the record
        self._counters: dict[str, itertools.count[int]] = {}
        self._lock = threading.Lock()

    def new(self, prefix: str) -> str:
        with self._lock:
            counter = self._counters.setdefault(prefix, itertools.count(1))
            number = next(counter)
        return case_safe(prefix + self._pod + _base62(number, 10))
