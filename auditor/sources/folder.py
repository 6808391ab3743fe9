"""A folder on disk: a Salesforce DX project (sfdx-project.json) or a Metadata API folder."""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path

from auditor.model import LoadProblem, SourceRef

MAX_FILE_BYTES = 50 * 1024 * 1024
SKIPPED_DIRS = {".git", ".sfdx", ".sf", "node_modules", ".venv", "__pycache__", ".github"}
DX_PROJECT = "sfdx-project.json"


def _package_dirs(root: Path) -> tuple[list[Path], list[LoadProblem]]:
    """The package directories an SFDX project declares; the whole folder when there is none."""
    project = root / DX_PROJECT
    if not project.is_file():
        return [root], []
    try:
        data = json.loads(project.read_text(encoding="utf-8-sig"))
        dirs = [root / entry["path"] for entry in data["packageDirectories"]]
    except (ValueError, KeyError, TypeError) as exc:
        where = getattr(exc, "lineno", None)
        problem = LoadProblem(
            SourceRef(DX_PROJECT, where),
            f"sfdx-project.json has no readable packageDirectories ({exc}); read the whole folder instead",
        )
        return [root], [problem]
    existing = [d for d in dirs if d.resolve().is_relative_to(root.resolve()) and d.is_dir()]
    problems = [
        LoadProblem(SourceRef(DX_PROJECT, None), f"package directory '{d.relative_to(root)}' does not exist")
        for d in dirs
        if d not in existing and d.resolve().is_relative_to(root.resolve())
    ]
    return existing or [root], problems


def read_folder(root: Path) -> tuple[list[tuple[str, bytes]], list[LoadProblem]]:
    files: list[tuple[str, bytes]] = []
    dirs, problems = _package_dirs(root)
    resolved_root = root.resolve()
    seen: set[str] = set()
    for package_dir in dirs:
        for current, subdirs, names in os.walk(package_dir, followlinks=False):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            if not names:
                continue
            # plain strings per file, pathlib once per folder: an org has thousands of files in
            # a few dozen folders, and building Paths for each file was half the reading time
            folder = Path(current).relative_to(root).as_posix()
            prefix = "" if folder == "." else folder + "/"
            for name in sorted(names):
                rel = prefix + name
                if rel in seen:
                    continue
                seen.add(rel)
                full = os.path.join(current, name)
                if _is_symlink(full):
                    try:
                        inside = Path(full).resolve().is_relative_to(resolved_root)
                    except (OSError, RuntimeError):  # RuntimeError: a loop of links (pathlib before 3.13)
                        problems.append(LoadProblem(SourceRef(rel), "symbolic link that cannot be resolved "
                                                                    "(a loop of links?): not read"))
                        continue
                    if not inside:
                        problems.append(LoadProblem(SourceRef(rel), "symbolic link to outside the source: not read"))
                        continue
                try:
                    size = os.stat(full).st_size
                    if size > MAX_FILE_BYTES:
                        problems.append(LoadProblem(SourceRef(rel), "file larger than 50 MiB: not read"))
                        continue
                    files.append((rel, _read(full, size)))
                except OSError as exc:
                    problems.append(LoadProblem(SourceRef(rel), f"cannot be read: {exc.strerror or exc}"))
    if root.joinpath(DX_PROJECT).is_file() and DX_PROJECT not in seen:
        files.append((DX_PROJECT, root.joinpath(DX_PROJECT).read_bytes()))
    return files, problems


def _is_symlink(path: str) -> bool:
    """What ``Path(path).is_symlink()`` answers, without making a Path for every file: a missing
    file is no link, and any other error is raised as pathlib raises it."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError as exc:
        if exc.errno in _MISSING or getattr(exc, "winerror", None) in _MISSING_ON_WINDOWS:
            return False
        raise
    except ValueError:  # a NUL in the name
        return False


# the errors pathlib's is_symlink takes to mean "no such file" (its _IGNORED_ERRNOS/WINERRORS)
_MISSING = {errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP}
_MISSING_ON_WINDOWS = {21, 123, 1921}


def _read(path: str, size: int) -> bytes:
    """The whole file, with the size stat gave as the first read's length: a Python file object
    asks the system for the size and position again, three calls more for each of thousands of
    files. Read to the end all the same, in case the file grew since."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # O_BINARY exists on Windows only
    try:
        chunks: list[bytes] = []
        while chunk := os.read(fd, size + 1):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
