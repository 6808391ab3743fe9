"""Writing the report files of one audit, on two cores where that pays.

A large org's reports take a fifth of the run (JSON, JUnit, HTML and SARIF are each a walk over
tens of thousands of findings and passed checks), and they are independent of one another. Where
the operating system can fork, a child process writes part of them from the same memory (nothing
is copied or sent to it) while this process writes the rest; a failure in the child comes back
through a pipe and is raised here, as it would have been had this process written that file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from auditor.cli_support import UsageFailure, write_output

# Relative cost of each format on a large org (bench/), to share the work evenly.
_WEIGHT = {"json": 4.0, "junit": 3.0, "html": 2.0, "sarif": 0.5}
_USAGE, _ERROR = b"U", b"E"  # the first byte of a failure sent back by the child


@dataclass(frozen=True)
class ReportJob:
    name: str  # the format: json, junit, html, sarif
    path: Path
    render: Callable[[], str | bytes]

    def run(self) -> None:
        write_output(self.path, self.render())


class ReportWriterError(RuntimeError):
    """A report could not be rendered in the child process (the message carries its error)."""


def write_reports(jobs: Sequence[ReportJob], *, parallel: bool) -> None:
    """Write every job; with ``parallel`` (and fork available) on two processes.

    Raises UsageFailure for an unwritable path (exit 2), whichever process met it.
    """
    if not parallel or len(jobs) < 2 or not hasattr(os, "fork"):
        for job in jobs:
            job.run()
        return
    here, child = _share(jobs)
    read_end, write_end = os.pipe()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()  # or the child would inherit, and could repeat, buffered output
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        _run_in_child(child, write_end)
    os.close(write_end)
    try:
        for job in here:
            job.run()
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            failure = pipe.read()
        _, status = os.waitpid(pid, 0)
    if failure.startswith(_USAGE):
        raise UsageFailure(failure[1:].decode("utf-8", "replace"))
    if failure or os.waitstatus_to_exitcode(status) != 0:
        raise ReportWriterError(failure[1:].decode("utf-8", "replace") or f"the report writer ended with status {status}")


def _run_in_child(jobs: Sequence[ReportJob], write_end: int) -> None:
    """Write ``jobs``, send back what went wrong, and end without the parent's clean-up."""
    failure = b""
    try:
        for job in jobs:
            job.run()
    except UsageFailure as exc:
        failure = _USAGE + exc.message.encode("utf-8", "replace")
    except BaseException as exc:  # anything: the parent must hear of it, never a silent pass
        failure = _ERROR + f"writing the {', '.join(j.name for j in jobs)} report failed: {type(exc).__name__}: {exc}".encode(
            "utf-8", "replace")
    try:
        os.write(write_end, failure[:4000])  # one short write: a pipe takes it whole
    finally:
        os._exit(1 if failure else 0)


def _share(jobs: Sequence[ReportJob]) -> tuple[list[ReportJob], list[ReportJob]]:
    """Two lists of about equal cost, heaviest first; this process keeps the first."""
    here: list[ReportJob] = []
    child: list[ReportJob] = []
    for job in sorted(jobs, key=lambda j: -_WEIGHT.get(j.name, 1.0)):
        lighter = here if sum(_WEIGHT.get(j.name, 1.0) for j in here) <= sum(_WEIGHT.get(j.name, 1.0) for j in child) else child
        lighter.append(job)
    return here, child
