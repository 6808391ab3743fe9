"""The package.xml that retrieves everything leadaudit reads, for ``sf project retrieve start``."""

from __future__ import annotations

API_VERSION = "62.0"

# (metadata type, members): wildcards where the Metadata API allows them for the type
MANIFEST_TYPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AssignmentRules", ("Lead",)),
    ("AutoResponseRules", ("Lead",)),
    ("CustomObject", ("Lead",)),
    ("DuplicateRule", ("*",)),
    ("Flow", ("*",)),
    ("MatchingRules", ("Lead",)),
    ("Queue", ("*",)),
    ("ReportType", ("*",)),
    ("Settings", ("BusinessHours", "LeadConfig", "LeadConvert")),
    ("StandardValueSet", ("LeadSource", "LeadStatus")),
    ("Workflow", ("Lead",)),
)


def package_xml() -> str:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<Package xmlns="http://soap.sforce.com/2006/04/metadata">',
        "    <!-- Reports cannot be retrieved with '*': add <members>Folder/Report_Name</members>",
        "         under a Report type for the lead reports the process requires. -->",
    ]
    for type_name, members in MANIFEST_TYPES:
        lines.append("    <types>")
        lines.extend(f"        <members>{member}</members>" for member in members)
        lines.append(f"        <name>{type_name}</name>")
        lines.append("    </types>")
    lines.append(f"    <version>{API_VERSION}</version>")
    lines.append("</Package>")
    return "\n".join(lines) + "\n"
