"""A folder on disk: a Salesforce DX project (sfdx-project.json) or a Metadata API folder."""

from __future__ import annotations

import json
import os
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
            for name in sorted(names):
                full = Path(current) / name
                rel = full.relative_to(root).as_posix()
                if rel in seen:
                    continue
                seen.add(rel)
                if full.is_symlink() and not full.resolve().is_relative_to(resolved_root):
                    problems.append(LoadProblem(SourceRef(rel), "symbolic link to outside the source: not read"))
                    continue
                try:
                    if full.stat().st_size > MAX_FILE_BYTES:
                        problems.append(LoadProblem(SourceRef(rel), "file larger than 50 MiB: not read"))
                        continue
                    files.append((rel, full.read_bytes()))
                except OSError as exc:
                    problems.append(LoadProblem(SourceRef(rel), f"cannot be read: {exc.strerror or exc}"))
    if root.joinpath(DX_PROJECT).is_file() and DX_PROJECT not in seen:
        files.append((DX_PROJECT, root.joinpath(DX_PROJECT).read_bytes()))
    return files, problems
