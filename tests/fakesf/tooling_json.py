"""Metadata XML -> the JSON the Tooling API returns in a record's ``Metadata`` field.

Salesforce serialises the Metadata API type itself: every field of the type appears, lists as
arrays (empty when absent) and single values as JSON scalars of the schema type (null when
absent). Which fields are lists and which are numbers or booleans comes from the Metadata API
WSDL that simple-salesforce ships, so the fake follows the published schema, not a guess.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import simple_salesforce
from lxml import etree

from tests.fakesf.orgfiles import MD_NS, parse_metadata

XSD_NS = "http://www.w3.org/2001/XMLSchema"
WSDL_PATH = Path(simple_salesforce.__file__).parent / "metadata.wsdl"
_INTEGER_TYPES = {"int", "long", "short", "integer"}
_NUMBER_TYPES = {"double", "decimal", "float"}


@dataclass(frozen=True)
class SchemaField:
    name: str
    type_name: str  # local name: "boolean", "string", "FlowStart", ...
    is_list: bool


@functools.lru_cache(maxsize=1)
def _complex_types() -> dict[str, tuple[str | None, tuple[SchemaField, ...]]]:
    """complexType name -> (base type or None, own fields in schema order)."""
    tree = etree.parse(str(WSDL_PATH), etree.XMLParser(resolve_entities=False, no_network=True))
    types: dict[str, tuple[str | None, tuple[SchemaField, ...]]] = {}
    ns = {"xsd": XSD_NS}
    for complex_type in tree.iterfind(".//xsd:schema/xsd:complexType", ns):
        extension = complex_type.find("xsd:complexContent/xsd:extension", ns)
        base = str(extension.get("base", "")).split(":")[-1] if extension is not None else None
        container = extension if extension is not None else complex_type
        fields = tuple(
            SchemaField(
                str(element.get("name")),
                str(element.get("type", "")).split(":")[-1],
                element.get("maxOccurs") == "unbounded",
            )
            for element in container.iterfind("xsd:sequence/xsd:element", ns)
        )
        types[str(complex_type.get("name"))] = (base, fields)
    return types


def _fields(type_name: str) -> list[SchemaField]:
    """All fields of a type, inherited first; the Metadata base (fullName) is not in the JSON."""
    base, own = _complex_types()[type_name]
    inherited = _fields(base) if base and base != "Metadata" else []
    return inherited + list(own)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _scalar(element: etree._Element, type_name: str) -> Any:
    value = element.text or ""
    if type_name == "boolean":
        return value.strip() == "true"
    if type_name in _INTEGER_TYPES:
        return int(value)
    if type_name in _NUMBER_TYPES:
        return float(value)
    return value


def _convert(element: etree._Element, type_name: str) -> Any:
    if type_name not in _complex_types():
        return _scalar(element, type_name)
    children: dict[str, list[etree._Element]] = {}
    for child in element:
        if isinstance(child.tag, str):
            children.setdefault(_local(child), []).append(child)
    result: dict[str, Any] = {}
    for schema_field in _fields(type_name):
        found = children.pop(schema_field.name, [])
        if schema_field.is_list:
            result[schema_field.name] = [_convert(child, schema_field.type_name) for child in found]
        else:
            result[schema_field.name] = _convert(found[0], schema_field.type_name) if found else None
    for name, unknown in children.items():  # newer than the WSDL: kept as text, never dropped
        result[name] = unknown[0].text if len(unknown) == 1 else [child.text for child in unknown]
    return result


def metadata_json(xml: bytes) -> dict[str, Any]:
    """The Tooling API ``Metadata`` value of a metadata file (its root names the type)."""
    root = parse_metadata(xml)
    if etree.QName(root).namespace != MD_NS:
        raise ValueError("not a Metadata API document")
    converted = _convert(root, _local(root))
    if not isinstance(converted, dict):
        raise TypeError(f"{_local(root)} is not a Metadata API type")
    return converted
