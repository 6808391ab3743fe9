"""What every command module shares: the exit codes of DESIGN.md and writing an output file."""

from __future__ import annotations

from pathlib import Path

import click

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


PROCESS_FILE_NAMES = ("process.yaml", "process.yml", "process.json")


def find_process(source: Path, explicit: Path | None = None) -> Path | None:
    """--process, else a process file beside the source, else one in the current folder."""
    if explicit is not None:
        return explicit
    for folder in ([source] if source.is_dir() else []) + [Path.cwd()]:
        for name in PROCESS_FILE_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def write_output(path: Path, content: str | bytes) -> None:
    """Write a report, creating missing folders; an unwritable path is a usage error (exit 2)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise UsageFailure(f"cannot write {path}: {exc.strerror or exc}") from None
