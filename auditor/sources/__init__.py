"""Where metadata comes from: a folder (source or Metadata API layout), a retrieve zip, or a
snapshot file (``leadaudit snapshot`` output), which holds the Model itself.

Each source yields (relative path, bytes) pairs and the problems met while listing them; the
parse package never touches the file system, so every source is audited the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from auditor.model import LoadProblem, Model
from auditor.parse import load_files
from auditor.sources import folder, zipfile_source


class SourceError(Exception):
    """The source as a whole cannot be opened (missing path, not a folder or zip)."""


@dataclass
class SourceFiles:
    name: str
    files: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


def read_source(path: Path) -> SourceFiles:
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    if path.is_dir():
        files, problems = folder.read_folder(path)
    elif path.suffix.lower() == ".zip":
        files, problems = zipfile_source.read_zip(path)
    else:
        raise SourceError(f"{path}: not a folder, a .zip file or a snapshot (.json)")
    return SourceFiles(name=str(path), files=files, problems=problems)


def load_model(path: Path) -> Model:
    """Read a source into a Model; every unreadable file is a problem on the model, not an error."""
    from auditor.snapshot import SnapshotError, is_snapshot_file
    from auditor.sources.snapshot_source import load_snapshot_model

    if is_snapshot_file(path):
        try:
            return load_snapshot_model(path)
        except SnapshotError as exc:
            raise SourceError(str(exc)) from None
    source = read_source(path)
    model = load_files(source.name, source.files)
    if not source.problems:
        return model
    from dataclasses import replace

    return replace(model, problems=tuple(source.problems) + model.problems)
