"""The fixture org's files as the fake serves them: which files, under which name, of which type.

A Metadata API fixture is served as it is; an SFDX fixture serves the files of its package
directories, relative to each package directory (the loader reads both layouts).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

SKIPPED_DIRS = {".git", ".sfdx", ".sf", "node_modules", ".venv", "__pycache__", ".github"}
MD_NS = "http://soap.sforce.com/2006/04/metadata"

# Metadata API folder -> metadata type, for the fileProperties of a retrieve result.
FOLDER_TYPES = {
    "assignmentRules": "AssignmentRules",
    "autoResponseRules": "AutoResponseRules",
    "duplicateRules": "DuplicateRule",
    "flows": "Flow",
    "matchingRules": "MatchingRules",
    "objects": "CustomObject",
    "queues": "Queue",
    "reportTypes": "ReportType",
    "reports": "Report",
    "settings": "Settings",
    "standardValueSets": "StandardValueSet",
    "workflows": "Workflow",
}


@dataclass(frozen=True)
class OrgFile:
    name: str  # path inside the retrieve zip, below unpackaged/ (posix)
    path: Path  # the fixture file

    @property
    def folder(self) -> str:
        """The metadata folder the file lives in (flows, queues...), whatever the layout."""
        parts = self.name.split("/")
        for part in reversed(parts[:-1]):
            if part in FOLDER_TYPES:
                return part
        return parts[-2] if len(parts) > 1 else ""

    @property
    def component(self) -> str:
        """The component name: the file name without its suffix (and without -meta.xml)."""
        base = self.name.rsplit("/", 1)[-1].removesuffix("-meta.xml")
        return base.rsplit(".", 1)[0]

    @property
    def suffix(self) -> str:
        return self.name.removesuffix("-meta.xml").rsplit(".", 1)[-1]


def _package_dirs(root: Path) -> list[Path]:
    project = root / "sfdx-project.json"
    if not project.is_file():
        return [root]
    data = json.loads(project.read_text(encoding="utf-8-sig"))
    return [root / entry["path"] for entry in data["packageDirectories"]]


def org_files(root: Path) -> list[OrgFile]:
    files: list[OrgFile] = []
    for package_dir in _package_dirs(root):
        for current, subdirs, names in os.walk(package_dir):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS)
            for name in sorted(names):
                full = Path(current) / name
                files.append(OrgFile(full.relative_to(package_dir).as_posix(), full))
    return files


def parse_metadata(data: bytes) -> etree._Element:
    """Fixture XML, parsed the hardened way (the fake reads what tests give it, nothing more)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    return etree.fromstring(data, parser)


def elements(element: etree._Element, path: str) -> list[etree._Element]:
    """The descendants at a slash-separated path of metadata-namespace tags."""
    return element.findall("/".join(f"{{{MD_NS}}}{step}" for step in path.split("/")))


def texts(element: etree._Element, path: str) -> list[str]:
    return [str(node.text or "").strip() for node in elements(element, path)]


def text(element: etree._Element, path: str, default: str | None = None) -> str | None:
    found = texts(element, path)
    return found[0] if found else default
