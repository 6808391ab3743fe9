"""A Metadata API retrieve zip, read in memory: nothing is extracted, so nothing can escape.

Entries whose names would escape a target folder (absolute paths, ``..``) are refused and
reported; size limits stop zip bombs before they are inflated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

from auditor.model import LoadProblem, SourceRef

MAX_ENTRY_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 500 * 1024 * 1024
MAX_ENTRIES = 100_000


def unsafe_entry_reason(name: str) -> str | None:
    """Why an entry name is refused, or None when it stays inside the archive's root."""
    if "\\" in name:
        name = name.replace("\\", "/")
    path = PurePosixPath(name)
    if path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    if ".." in path.parts:
        return "path escapes the archive with '..'"
    return None


def read_zip(path: Path) -> tuple[list[tuple[str, bytes]], list[LoadProblem]]:
    zip_name = path.name
    files: list[tuple[str, bytes]] = []
    problems: list[LoadProblem] = []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        return [], [LoadProblem(SourceRef(zip_name), f"not a readable zip file: {exc}")]
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            return [], [LoadProblem(SourceRef(zip_name), f"more than {MAX_ENTRIES} entries: not read")]
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            where = SourceRef(f"{zip_name}!{info.filename}")
            reason = unsafe_entry_reason(info.filename)
            if reason:
                problems.append(LoadProblem(where, f"zip entry refused: {reason}"))
                continue
            if info.file_size > MAX_ENTRY_BYTES:
                problems.append(LoadProblem(where, "zip entry larger than 50 MiB: not read"))
                continue
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                problems.append(LoadProblem(SourceRef(zip_name), "zip content larger than 500 MiB: rest not read"))
                break
            try:
                with archive.open(info) as handle:
                    # read one byte more than declared: a lying header must not inflate unbounded
                    data = handle.read(info.file_size + 1)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                problems.append(LoadProblem(where, f"zip entry cannot be read: {exc}"))
                continue
            if len(data) > info.file_size:
                problems.append(LoadProblem(where, "zip entry larger than its header says: not read"))
                continue
            files.append((info.filename.replace("\\", "/"), data))
    return files, problems
