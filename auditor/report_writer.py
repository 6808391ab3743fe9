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

    Raises UsageFailure for an unwritable path (exit 2). When several fail, the one raised is the
    first in ``jobs``' order, as when one process writes them in turn (the others may be written).
    """
    if not parallel or len(jobs) < 2 or not hasattr(os, "fork") or _shares_a_path(jobs):
        _write_in_turn(jobs)  # two processes writing one file would leave either, or a mix
        return
    here, child = _share(jobs)
    place = {id(job): index for index, job in enumerate(jobs)}  # a job's place in the given order
    read_end, write_end = os.pipe()
    _flush_standard_streams()  # or the child would inherit, and could repeat, buffered output
    try:
        pid = os.fork()
    except OSError:  # no process to spare (a container's process limit, memory): write in turn
        os.close(read_end)
        os.close(write_end)
        _write_in_turn(jobs)
        return
    if pid == 0:
        os.close(read_end)
        _run_in_child([(place[id(job)], job) for job in child], write_end)
    os.close(write_end)
    failures: list[tuple[int, Exception]] = []
    try:
        for job in here:
            try:
                job.run()
            except UsageFailure as exc:
                failures.append((place[id(job)], exc))
                break  # as one process would stop at its first unwritable path
    finally:
        with os.fdopen(read_end, "rb") as pipe:
            sent = pipe.read()
        _, status = os.waitpid(pid, 0)
    failures.extend(_child_failures(sent, status, child))
    if failures:
        raise min(failures, key=lambda failure: failure[0])[1]


def _write_in_turn(jobs: Sequence[ReportJob]) -> None:
    for job in jobs:
        job.run()


def _shares_a_path(jobs: Sequence[ReportJob]) -> bool:
    return len({os.path.abspath(job.path) for job in jobs}) < len(jobs)


def _flush_standard_streams() -> None:
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:  # None when the process started with that descriptor closed
            try:
                stream.flush()
            except (OSError, ValueError):
                pass  # a closed pipe: the command's own output meets it later, as it always did


def _run_in_child(jobs: Sequence[tuple[int, ReportJob]], write_end: int) -> None:
    """Write ``jobs``, send back what went wrong (with the job's place), and end without the
    parent's clean-up."""
    failure = b""
    for index, job in jobs:
        try:
            job.run()
        except UsageFailure as exc:
            failure = _USAGE + f"{index}\n{exc.message}".encode("utf-8", "replace")
        except BaseException as exc:  # anything: the parent must hear of it, never a silent pass
            failure = _ERROR + f"{index}\nwriting the {job.name} report failed: {type(exc).__name__}: {exc}".encode(
                "utf-8", "replace")
        if failure:
            break
    try:
        os.write(write_end, failure[:4000])  # one short write: a pipe takes it whole
    finally:
        os._exit(1 if failure else 0)


def _child_failures(sent: bytes, status: int, jobs: Sequence[ReportJob]) -> list[tuple[int, Exception]]:
    """What the child sent back, or what its exit status says when it could not send anything."""
    if sent:
        index, _, message = sent[1:].decode("utf-8", "replace").partition("\n")
        error: Exception = UsageFailure(message) if sent.startswith(_USAGE) else ReportWriterError(message)
        return [(int(index), error)]
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return []
    names = ", ".join(job.name for job in jobs)
    how = f"was killed by signal {-code} (out of memory?)" if code < 0 else f"ended with exit code {code}"
    return [(-1, ReportWriterError(f"the process writing the {names} report {how}"))]


def _share(jobs: Sequence[ReportJob]) -> tuple[list[ReportJob], list[ReportJob]]:
    """Two lists of about equal cost, heaviest first; this process keeps the first."""
    here: list[ReportJob] = []
    child: list[ReportJob] = []
    for job in sorted(jobs, key=lambda j: -_WEIGHT.get(j.name, 1.0)):
        lighter = here if sum(_WEIGHT.get(j.name, 1.0) for j in here) <= sum(_WEIGHT.get(j.name, 1.0) for j in child) else child
        lighter.append(job)
    return here, child
