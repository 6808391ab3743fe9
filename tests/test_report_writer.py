"""The report files of one audit written on two processes: the same files, and every failure heard."""

from __future__ import annotations

import datetime as dt
import functools
import os
import signal
from pathlib import Path

import pytest

from auditor import cli, registry
from auditor.cli import _renderers
from auditor.cli_support import UsageFailure
from auditor.engine import run_audit
from auditor.process import load_process
from auditor.report_writer import ReportJob, ReportWriterError, _share, write_reports
from auditor.sources import load_model
from tests.conftest import REPO

DEMO = REPO / "examples" / "demo-org"
NOW = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX): elsewhere reports are written in turn")


@pytest.fixture(scope="module")
def jobs_for() -> functools.partial[list[ReportJob]]:
    result = run_audit(load_model(DEMO), load_process(DEMO / "process.yaml"), registry.all_checks(), now=NOW,
                       tool_version="test")
    renderers = _renderers()

    def jobs(folder: Path) -> list[ReportJob]:
        return [ReportJob(name, folder / f"report.{name}", functools.partial(renderers[name], result))
                for name in ("html", "junit", "sarif", "json")]

    return functools.partial(jobs)


def test_two_processes_write_the_same_files_as_one(tmp_path: Path, jobs_for: functools.partial[list[ReportJob]]) -> None:
    write_reports(jobs_for(tmp_path / "one"), parallel=False)
    write_reports(jobs_for(tmp_path / "two"), parallel=True)
    for name in ("html", "junit", "sarif", "json"):
        alone, shared = tmp_path / "one" / f"report.{name}", tmp_path / "two" / f"report.{name}"
        assert shared.read_bytes() == alone.read_bytes() and alone.stat().st_size > 1000, name


def test_the_work_is_shared_by_cost(tmp_path: Path, jobs_for: functools.partial[list[ReportJob]]) -> None:
    here, child = _share(jobs_for(tmp_path))
    assert [j.name for j in here] == ["json", "sarif"] and [j.name for j in child] == ["junit", "html"]


@pytest.mark.parametrize("name", ["json", "html"])  # json is written here, html by the child
def test_an_unwritable_path_is_a_usage_error_in_either_process(
    tmp_path: Path, jobs_for: functools.partial[list[ReportJob]], name: str
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    jobs = [job if job.name != name else ReportJob(name, blocker / "sub" / "r", job.render)
            for job in jobs_for(tmp_path)]
    with pytest.raises(UsageFailure, match=f"cannot write {blocker / 'sub' / 'r'}"):
        write_reports(jobs, parallel=True)
    assert (tmp_path / "report.junit").is_file()  # the other files are still written


def test_a_crash_in_the_child_is_raised_not_lost(tmp_path: Path, jobs_for: functools.partial[list[ReportJob]]) -> None:
    def broken() -> str:
        raise KeyError("no such section")

    jobs = [job if job.name != "junit" else ReportJob("junit", job.path, broken) for job in jobs_for(tmp_path)]
    with pytest.raises(ReportWriterError, match="junit.*KeyError"):
        write_reports(jobs, parallel=True)


def test_the_audit_command_writes_on_two_processes_for_a_large_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "PARALLEL_REPORTS_FROM", 0)  # the demo org counts as large
    outputs = {name: tmp_path / f"r.{name}" for name in ("html", "junit", "sarif", "json")}
    options = [item for name, path in outputs.items() for item in (f"--{name}", str(path))]
    assert cli.main(["audit", str(DEMO), "-q", *options]) == 1
    assert capsys.readouterr().out.strip().endswith("audit complete")
    assert all(path.stat().st_size > 1000 for path in outputs.values())
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert cli.main(["audit", str(DEMO), "-q", *options[:-1], str(blocker / "r.json")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_without_a_process_to_spare_the_files_are_written_in_turn(
    tmp_path: Path, jobs_for: functools.partial[list[ReportJob]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    open_before = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    monkeypatch.setattr(os, "fork", no_fork)
    write_reports(jobs_for(tmp_path), parallel=True)
    assert all((tmp_path / f"report.{name}").stat().st_size > 1000 for name in ("html", "junit", "sarif", "json"))
    if open_before is not None:
        assert len(os.listdir("/proc/self/fd")) == open_before  # the pipe was closed again


def test_reports_sharing_a_path_are_written_in_turn_and_the_last_one_stays(
    tmp_path: Path, jobs_for: functools.partial[list[ReportJob]]
) -> None:
    same = tmp_path / "report.out"
    jobs = [ReportJob(job.name, same, job.render) for job in jobs_for(tmp_path)]
    write_reports(jobs, parallel=True)
    assert same.read_text(encoding="utf-8") == jobs[-1].render()  # json, the last given


def test_of_several_unwritable_paths_the_first_in_order_is_named(
    tmp_path: Path, jobs_for: functools.partial[list[ReportJob]]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    bad = {"html": blocker / "a" / "r.html", "json": blocker / "b" / "r.json"}  # written by the child and here
    jobs = [ReportJob(job.name, bad.get(job.name, job.path), job.render) for job in jobs_for(tmp_path)]
    with pytest.raises(UsageFailure, match=f"cannot write {bad['html']}"):
        write_reports(jobs, parallel=True)


def test_a_child_killed_on_the_way_is_reported(tmp_path: Path, jobs_for: functools.partial[list[ReportJob]]) -> None:
    def killed() -> str:
        os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's out-of-memory killer would
        return ""

    jobs = [job if job.name != "junit" else ReportJob("junit", job.path, killed) for job in jobs_for(tmp_path)]
    with pytest.raises(ReportWriterError, match="junit, html report was killed by signal 9"):
        write_reports(jobs, parallel=True)
