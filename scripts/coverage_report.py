"""Coverage, measured (issue 13): every element of the SAP data of an RdSAP certificate, and
every enumerated value of its type, read, expanded and rated.

    python scripts/coverage_report.py            # writes docs/coverage.md
    python scripts/coverage_report.py --check    # exit 1 when docs/coverage.md is stale

From the register's XSDs (``tests/vectors/xsd/<schema>/``, copies with their source) the
harness lists every element of ``SAP-Data`` (the ``SAP-Property-Details`` subtree the RdSAP
reader reads) with its type, its enumerated values and whether it is optional. From a valid
base certificate per schema (the register's sample, ``tests/vectors/register/<schema>.xml``,
with its own contradictions repaired and its unlodged items lodged, see :data:`BASES`) it
builds one certificate per element and value: the value set at the element's first
occurrence, and, for an optional element, the certificate without it (an optional subtree the
base lacks is added with its required children). Each certificate is read with the real reader
(:func:`ara.rdsap.readers.read_rdsap_xml`), expanded with :func:`ara.rdsap.expansion.expand`
in strict and in estimate mode, and rated with ``ara.sap.calculate(..., strict=False)``.

A variant the schema itself forbids is not rated but listed with the reason:

* the XSD's own co-occurrence notes: of mutually exclusive siblings (an ``xs:choice``, "Only
  one of Floor-Insulation-Thickness and Floor-U-Value is included", ...) the one set replaces
  the others (:data:`EXCLUSIVE`), and an element the XSD says to include only with another
  value is tried with that value (:func:`companions`);
* the register's lodgement rules the reader enforces (``ONLY_CAVITY_WALLS_SUPPORT_CAVITY_
  INSULATION``, ...): where a rule names the companion value that makes the variant lodgeable
  the harness sets it too (:func:`companions`), otherwise the variant is excluded with the
  rule's message.

Free-valued elements (decimals, counts, strings, the SAP heating codes, which the XSD types as
``xs:string`` and the SAP tables enumerate) are tried at a few values (:func:`trial_values`).
On top of the one-at-a-time variants, a fixed-seed sample of combinations (two or three
one-at-a-time edits together) is rated the same way and reported separately.

The test ``tests/test_coverage_harness.py`` runs the same harness and holds the measured
shares as floors.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
import traceback
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as DefusedET
import pyarrow as pa

from ara.rdsap.expansion import expand
from ara.rdsap.readers import CERTIFICATE_SCHEMA, CertificateReadError, read_rdsap_xml
from ara.sap import calculate
from ara.sap.fallbacks import fallbacks
from ara.sap.tables import read_table

REPO = Path(__file__).resolve().parents[1]
XSD_DIR = REPO / "tests" / "vectors" / "xsd"
REGISTER = REPO / "tests" / "vectors" / "register"
DOC = REPO / "docs" / "coverage.md"
SCHEMAS: tuple[str, ...] = ("RdSAP-Schema-21.0.1", "RdSAP-Schema-20.0.0")
COMBINATION_SEED = 13
COMBINATIONS_PER_SCHEMA = 150

XS = "{http://www.w3.org/2001/XMLSchema}"
ABSENT = "(absent)"
PRESENT = "(present)"

#: Subtrees of SAP-Data the reader never reads (``xml_document._UNREAD``): not varied.
UNREAD = {"SAP-Deselected-Improvements": "improvements the assessor deselected: the reader "
                                         "does not read them (no bearing on the rating)",
          "SAP-Special-Features": "special features: the reader does not read them (no "
                                  "bearing on the rating)"}


# ------------------------------------------------------------------------------ the XSD ---

@dataclass(frozen=True)
class Node:
    """One element declaration below ``SAP-Data``."""

    path: tuple[str, ...]
    """Element names from ``SAP-Data`` down (``SAP-Property-Details`` first)."""
    type_name: str
    min_occurs: int
    max_occurs: int | None
    complex: bool
    children: tuple[str, ...] = ()
    choice: tuple[str, ...] = ()
    """The alternatives of the ``xs:choice`` this element belongs to (itself included)."""
    base: str = ""
    enums: tuple[str, ...] = ()
    enum_docs: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    doc: str = ""

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def where(self) -> str:
        return where(self.path)


def where(path: Sequence[str]) -> str:
    """A path for people: below ``SAP-Property-Details``."""
    return "/".join(path[1:]) if path and path[0] == "SAP-Property-Details" else "/".join(path)


@dataclass
class Schema:
    name: str
    nodes: dict[tuple[str, ...], Node]

    def node(self, path: Sequence[str]) -> Node:
        return self.nodes[tuple(path)]

    def leaves(self) -> list[Node]:
        return [n for n in self.nodes.values() if not n.complex]


def _documentation(element: Element) -> str:
    annotation = element.find(XS + "annotation")
    if annotation is None:
        return ""
    return " ".join(" ".join((d.text or "").split())
                    for d in annotation.findall(XS + "documentation"))


def _occurs(text: str | None, default: int) -> int | None:
    if text is None:
        return default
    return None if text == "unbounded" else int(text)


def load_schema(name: str, folder: Path | None = None) -> Schema:
    """The element tree of ``SAP-Data`` in the XSDs of schema ``name``."""
    folder = folder or XSD_DIR / name
    types: dict[str, Element] = {}
    for path in sorted(folder.rglob("*.xsd")):
        for child in DefusedET.parse(path).getroot():
            if child.tag in (XS + "complexType", XS + "simpleType") and child.get("name"):
                types[str(child.get("name"))] = child
    if "SAP-Data" not in types:
        raise FileNotFoundError(f"no SAP-Data type in the XSDs under {folder}")
    nodes: dict[tuple[str, ...], Node] = {}
    _walk_complex(types, types["SAP-Data"], (), nodes)
    return Schema(name, nodes)


def _simple_facts(types: dict[str, Element], definition: Element | None, type_name: str
                  ) -> tuple[str, tuple[str, ...], tuple[str, ...], int | None, int | None]:
    """(xs base, enumerations, their documentation, minInclusive, maxInclusive)."""
    if definition is None:
        return type_name, (), (), None, None
    enums = tuple(str(e.get("value")) for e in definition.iter(XS + "enumeration"))
    docs = tuple(" ".join(" ".join((d.text or "").split())
                          for d in e.iter(XS + "documentation"))
                 for e in definition.iter(XS + "enumeration"))
    low = next((int(f.get("value", "0")) for f in definition.iter(XS + "minInclusive")), None)
    high = next((int(f.get("value", "0")) for f in definition.iter(XS + "maxInclusive")), None)
    base = ""
    for tag in ("restriction", "extension"):
        found = definition.find(f".//{XS}{tag}")
        if found is not None:
            base = str(found.get("base"))
            break
    if base and not base.startswith("xs:") and base in types:  # Count -> xs:nonNegativeInteger
        inner = _simple_facts(types, types[base], base)
        base = inner[0]
        low = inner[3] if low is None else low
        high = inner[4] if high is None else high
    if base == "xs:nonNegativeInteger" and low is None:
        low = 0
    if base == "xs:positiveInteger" and low is None:
        low = 1
    return base, enums, docs, low, high


def _walk_complex(types: dict[str, Element], definition: Element, path: tuple[str, ...],
                  nodes: dict[tuple[str, ...], Node]) -> tuple[str, ...]:
    names: list[str] = []
    for compositor in definition:
        if compositor.tag in (XS + "all", XS + "sequence", XS + "choice"):
            names += _walk_compositor(types, compositor, path, nodes)
    return tuple(names)


def _walk_compositor(types: dict[str, Element], compositor: Element, path: tuple[str, ...],
                     nodes: dict[tuple[str, ...], Node]) -> list[str]:
    names: list[str] = []
    choice = tuple(str(e.get("name")) for e in compositor if e.tag == XS + "element") \
        if compositor.tag == XS + "choice" else ()
    for item in compositor:
        if item.tag in (XS + "all", XS + "sequence", XS + "choice"):
            names += _walk_compositor(types, item, path, nodes)
            continue
        if item.tag != XS + "element":
            continue
        name = str(item.get("name"))
        here = path + (name,)
        names.append(name)
        type_name = item.get("type") or ""
        definition: Element | None
        if type_name and not type_name.startswith("xs:"):
            definition = types[type_name]
        else:
            definition = item.find(XS + "complexType")
            if definition is None:
                definition = item.find(XS + "simpleType")
            type_name = type_name or "(inline)"
        low = _occurs(item.get("minOccurs"), 1) or 0
        high = _occurs(item.get("maxOccurs"), 1)
        doc = _documentation(item)
        if (definition is not None and definition.tag == XS + "complexType"
                and definition.find(XS + "simpleContent") is None):
            children = _walk_complex(types, definition, here, nodes)
            nodes[here] = Node(here, type_name, low, high, True, children, choice, doc=doc)
            # keep document order: a complex node after its children is fine for lookups
            continue
        base, enums, docs, minimum, maximum = _simple_facts(
            types, definition, type_name if type_name.startswith("xs:") else type_name)
        if definition is not None and definition.tag == XS + "complexType":
            base = "xs:decimal" if type_name == "Measurement" else "xs:string"
        nodes[here] = Node(here, type_name, low, high, False, (), choice, base or type_name,
                           enums, docs, minimum, maximum, doc)
    return names


# ------------------------------------------------------------------------ the variants ----

@dataclass(frozen=True)
class Edit:
    """Set ``path`` (first occurrence of each step) to ``value``; ``ABSENT`` removes the
    element, ``PRESENT`` makes sure it is there (a subtree with its required children)."""

    path: tuple[str, ...]
    value: str

    def describe(self) -> str:
        return f"{where(self.path)} = {self.value}"


@dataclass(frozen=True)
class Variant:
    schema: str
    element: str
    """The varied element (:func:`where` path); ``(combination)`` for combinations."""
    value: str
    edits: tuple[Edit, ...]
    """The edit tried, then the companions the schema or the lodgement rules require."""
    notes: tuple[str, ...] = ()
    """Why each companion edit was made."""

    @property
    def label(self) -> str:
        return f"{self.element} = {self.value}"


@dataclass(frozen=True)
class Base:
    """A schema's base certificate: the register sample and what was changed in it."""

    sample: str
    repairs: tuple[tuple[Edit, str], ...]
    """Contradictions in the sample's own data, repaired so that it rates at all."""
    lodged: tuple[tuple[Edit, str], ...]
    """Items the sample leaves unlodged, lodged so that the base rates in strict mode and
    every strict refusal of a variant is the variant's own."""


def _e(path: str, value: str) -> Edit:
    return Edit(tuple(["SAP-Property-Details", *path.split("/")]), value)


BASES: dict[str, Base] = {
    "RdSAP-Schema-21.0.1": Base(
        sample="RdSAP-Schema-21.0.1.xml",
        repairs=(
            (_e("SAP-Building-Parts/SAP-Building-Part/SAP-Room-In-Roof/Floor-Area", "20"),
             "a 100 m2 room in roof above a 45.82 m2 top storey (it leaves no roof to vary): "
             "20 m2"),
        ),
        lodged=(
            (_e("SAP-Building-Parts/SAP-Building-Part/Wall-Thickness-Measured", "Y"),
             "band M wall of unmeasured thickness (no Table S3 row): measured"),
            (_e("SAP-Building-Parts/SAP-Building-Part/Wall-Thickness", "300"),
             "the measured thickness"),
            (_e("Pressure-Test", "4"), "pressure test 'measured' without its result: no test"),
            (_e("Mechanical-Ventilation", "0"),
             "positive input ventilation from a PCDB index Ara does not hold: natural"),
            (_e("Mechanical-Ventilation-Index-Number", ABSENT), "natural ventilation"),
            (_e("Mechanical-Vent-Duct-Type", ABSENT), "natural ventilation"),
            (_e("Mechanical-Vent-Duct-Placement", ABSENT), "natural ventilation"),
            (_e("Mechanical-Vent-Duct-Insulation", ABSENT), "natural ventilation"),
            (_e("Mechanical-Vent-Duct-Insulation-Level", ABSENT), "natural ventilation"),
            (_e("Mechanical-Vent-Measured-Installation", ABSENT), "natural ventilation"),
            (_e("SAP-Heating/Secondary-Heating-Type", "691"),
             "a secondary fuel without a heater: electric room heaters (the summary's "
             "'Room heaters, electric')"),
            (_e("SAP-Heating/Secondary-Fuel-Type", "29"), "electricity (not community)"),
            (_e("SAP-Heating/Cylinder-Size", "2"),
             "a regular boiler with 'no cylinder': a normal cylinder"),
            (_e("SAP-Heating/Cylinder-Insulation-Type", "1"), "factory-applied insulation"),
            (_e("SAP-Heating/Cylinder-Insulation-Thickness", "50"), "50 mm"),
            (_e("SAP-Heating/Cylinder-Thermostat", "Y"), "with a thermostat"),
            (_e("SAP-Heating/Number-Baths", "1"), "showers without Number-Baths: one bath"),
            (_e("SAP-Heating/Instantaneous-WWHRS", ABSENT),
             "WWHRS index numbers with no shower connected: no WWHRS"),
            (_e("SAP-Windows/SAP-Window/Window-Wall-Type", "1"),
             "the windows sit in the room in roof's gable wall 2, which a variant of the room "
             "in roof (detailed surfaces) removes: in the main wall"),
            (Edit(("SAP-Property-Details", "SAP-Windows", "SAP-Window#2", "Window-Wall-Type"),
                  "1"), "the same for the second window"),
        )),
    "RdSAP-Schema-20.0.0": Base(
        sample="RdSAP-Schema-20.0.0.xml",
        repairs=(
            (_e("SAP-Building-Parts/SAP-Building-Part/SAP-Room-In-Roof/Floor-Area", "20"),
             "a 100 m2 room in roof above a 45.82 m2 top storey (it leaves no roof to vary): "
             "20 m2"),
            (_e("SAP-Windows/SAP-Window/Window-Area", "2.4"),
             "a 200.1 m2 window, larger than the dwelling's walls: 2.4 m2"),
            (Edit(("SAP-Property-Details", "SAP-Windows", "SAP-Window#2", "Window-Area"),
                  "1.8"), "a 180.2 m2 window, larger than the dwelling's walls: 1.8 m2"),
        ),
        lodged=(
            (_e("SAP-Windows/SAP-Window/PVC-Frame", "true"),
             "frame material not lodged: PVC (XSD: include when Glazing-Type is 1 or 3)"),
            (_e("SAP-Windows/SAP-Window/Glazing-Gap", "12"),
             "glazing gap of pre-2002 double glazing not lodged: 12 mm"),
            (Edit(("SAP-Property-Details", "SAP-Windows", "SAP-Window#2", "PVC-Frame"),
                  "true"), "the same for the second window"),
            (Edit(("SAP-Property-Details", "SAP-Windows", "SAP-Window#2", "Glazing-Gap"),
                  "12"), "the same for the second window"),
            (_e("SAP-Heating/Secondary-Heating-Type", "691"),
             "a secondary fuel without a heater: electric room heaters"),
            (_e("SAP-Heating/Secondary-Fuel-Type", "29"), "electricity (not community)"),
            (_e("SAP-Heating/Cylinder-Size", "2"),
             "a regular boiler with 'no cylinder': a normal cylinder"),
            (_e("SAP-Heating/Cylinder-Insulation-Type", "1"), "factory-applied insulation"),
            (_e("SAP-Heating/Cylinder-Insulation-Thickness", "50"), "50 mm"),
            (_e("SAP-Heating/Cylinder-Thermostat", "Y"), "with a thermostat"),
        )),
}


def load_base(schema: Schema) -> Element:
    """The base certificate's XML tree (repairs and lodged items applied)."""
    base = BASES[schema.name]
    root = DefusedET.parse(REGISTER / base.sample).getroot()
    for edit, _why in (*base.repairs, *base.lodged):
        apply_edit(root, edit, schema)
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(root: Element) -> str:
    return root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""


def _find(parent: Element, step: str) -> Element | None:
    name, _, nth = step.partition("#")
    count = int(nth) if nth else 1
    for child in parent:
        if isinstance(child.tag, str) and _local(child.tag) == name:
            count -= 1
            if count == 0:
                return child
    return None


def find(root: Element, path: Sequence[str]) -> Element | None:
    node: Element | None = _find(root, "SAP-Data")
    for step in path:
        if node is None:
            return None
        node = _find(node, step)
    return node


#: Elements not varied, with the reason.
FIXED: dict[str, str] = {
    "Main-Heating-Number": "XSD: 'System 1 must always be present, system 2 is included only "
                           "when there are two systems' (the base has one)",
    "Building-Part-Number": "XSD: 'the value 1 must be used for the main building' (the "
                            "base has one building part)",
}

#: Values for elements that must be invented (a subtree the base lacks, a free-valued
#: element absent from the base). Plausible, not meaningful.
DEFAULTS: dict[str, str] = {
    "Window-Height": "1.2", "Window-Width": "1.0", "Window-Area": "1.5", "Peak-Power": "2.5",
    "Wall-Area": "10", "Floor-Area": "20", "Glazed-Perimeter": "6", "Total-Floor-Area": "40",
    "Room-Height": "2.5", "Heat-Loss-Perimeter": "20", "Party-Wall-Length": "0",
    "Aperture-Area": "3", "Zero-Loss-Efficiency": "75", "Total-Store-Volume": "200",
    "Dedicated-Solar-Volume": "75", "WWHRS-Store-Volume": "100", "Rotor-Diameter": "2",
    "Hub-Height": "2", "Battery-Capacity": "5", "Main-Heating-Fraction": "1", "U-Value": "2",
    "Solar-Transmittance": "0.72", "Air-Permeability": "5", "Wall-Thickness": "300",
    "Unheated-Corridor-Length": "5", "Cylinder-Size-Measured": "150",
    "Cylinder-Heat-Loss": "1.5", "Secondary-Heating-Type": "691", "Number-Of-Heaters": "2",
    "Hydro-Electric-Generation": "500", "Main-Heating-Number": "1", "Building-Part-Number": "1",
    "Frame-Factor": "0.7", "Wall-Insulation-Thickness-Measured": "100",
    "Collector-Loop-Efficiency": "0.8", "Incidence-Angle-Modifier": "0.9",
    "Overall-Heat-Loss": "5", "Heat-Loss-Rate": "4", "Linear-Heat-Loss-Coefficient": "3.5",
    "Second-Order-Heat-Loss-Coefficient": "0.01", "FGHRS-PV-Peak-Power": "1",
    "Insulated-Door-U-Value": "1.5", "Percent-Roof-Area": "0", "Main-Heating-Control": "2106",
    "Water-Heating-Code": "901", "SAP-Main-Heating-Code": "101",
    "Main-Heating-Index-Number": "17507", "Identifier": "Extension", "Description": "x",
    "Pressure-Test-Certificate-Number": "PT-1", "Community-Heat-Sub-Network-Name": "Sub",
    "Community-DHW-Sub-Network-Name": "Sub", "Wall-Insulation-Type": "4",
    "Service-Provision": "3", "Collector-Type": "2", "Solar-Water-Pump": "1",
}
_LENGTHS = ("-Length-1", "-Length-2")
_HEIGHTS = ("-Height-1", "-Height-2")


#: The same by (parent, element) where the name alone is ambiguous.
PATH_DEFAULTS: dict[tuple[str, str], str] = {
    ("PV-Array", "Orientation"): "5", ("PV-Array", "Pitch"): "2",
    ("PV-Array", "PV-Connection"): "2", ("Solar-Water-Heating-Details",
                                         "Solar-Panel-Collector-Orientation"): "5",
    ("Solar-Water-Heating-Details", "Solar-Panel-Collector-Pitch"): "2",
    # ConservatoryHeightCode in storeys: 1.5 fits the two-storey bases
    ("SAP-Integral-Conservatory", "Room-Height"): "1.5",
    ("SAP-Integral-Conservatory", "Double-Glazed"): "Y",
}

#: The children written when a subtree must be invented and its required children alone
#: would not describe anything (a detailed room in roof: every surface is optional).
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "Room-In-Roof-Details": (
        # RdSAP 10 (RdSAP-Schema-21.0.x): surfaces by length and height
        ("Flat-Ceiling-Length-1", "4"), ("Flat-Ceiling-Height-1", "3"),
        ("Flat-Ceiling-Insulation-Thickness-1", "100mm"),
        ("Stud-Wall-Length-1", "4"), ("Stud-Wall-Height-1", "1.2"),
        ("Stud-Wall-Insulation-Thickness-1", "100mm"),
        ("Slope-Length-1", "4"), ("Slope-Height-1", "2"),
        ("Slope-Insulation-Thickness-1", "100mm"),
        ("Gable-Wall-Length-1", "4"), ("Gable-Wall-Height-1", "2.5"), ("Gable-Wall-Type-1", "0"),
        ("Gable-Wall-Length-2", "4"), ("Gable-Wall-Height-2", "2.5"), ("Gable-Wall-Type-2", "0"),
        # RdSAP 9.x (RdSAP-Schema-20.0.0): surfaces by area and U-value
        ("Flat-Ceiling-Area-1", "12"), ("Flat-Ceiling-U-Value-1", "0.3"),
        ("Stud-Wall-Area-1", "5"), ("Stud-Wall-U-Value-1", "0.5"),
        ("Slope-Area-1", "8"), ("Slope-U-Value-1", "0.5"),
        ("Gable-Wall-Area-1", "10"), ("Gable-Wall-U-Value-1", "1.0"),
        ("Gable-Wall-Area-2", "10"), ("Gable-Wall-U-Value-2", "1.0"),
    ),
}


def default_value(node: Node) -> str:
    """The value written where one must be invented."""
    name = node.name
    parent = node.path[-2] if len(node.path) > 1 else ""
    if (parent, name) in PATH_DEFAULTS:
        return PATH_DEFAULTS[(parent, name)]
    if name in DEFAULTS and (not node.enums or DEFAULTS[name] in node.enums):
        return DEFAULTS[name]
    if name.endswith("U-Value") or name.endswith(("U-Value-1", "U-Value-2")):
        return "0.5"
    if name.endswith(("-Area-1", "-Area-2")):
        return "10"
    if name.endswith(_LENGTHS):
        return "4"
    if name.endswith(_HEIGHTS):
        return "2"
    if node.enums:
        if node.type_name == "Flag":
            return "N"
        usable = [e for e in node.enums if e not in ("NR", "ND", "NA")]
        return (usable or list(node.enums))[0]
    if node.base == "xs:boolean":
        return "false"
    if node.base in ("xs:integer", "xs:nonNegativeInteger", "xs:positiveInteger"):
        return str(max(node.minimum or 0, 1) if node.minimum is None or node.minimum > 0
                   else 1)
    if node.base == "xs:decimal":
        return "1"
    return "1"


def synthesize(schema: Schema, node: Node, namespace: str) -> Element:
    """An element for ``node`` with its required children (of an xs:choice, the first)."""
    element = Element(namespace + node.name)
    if not node.complex:
        element.text = default_value(node)
        return element
    template = dict(TEMPLATES.get(node.name, ()))
    taken_choice: set[str] = set()
    for child_name in node.children:
        if child_name in template:
            child_element = SubElement(element, namespace + child_name)
            child_element.text = template[child_name]
            continue
        child = schema.nodes[node.path + (child_name,)]
        if child.choice:
            if taken_choice & set(child.choice):
                continue
            taken_choice.add(child_name)
        elif child.min_occurs == 0:
            continue
        element.append(synthesize(schema, child, namespace))
    return element


def apply_edit(root: Element, edit: Edit, schema: Schema | None) -> None:
    """Apply ``edit`` to the document ``root`` in place (``schema`` is needed to create
    elements the document lacks; without it a missing element is an error)."""
    namespace = _namespace(root)
    parent = _find(root, "SAP-Data")
    if parent is None:
        raise ValueError("document without SAP-Data")
    steps = list(edit.path)
    for depth, step in enumerate(steps):
        last = depth == len(steps) - 1
        found = _find(parent, step)
        if last and edit.value == ABSENT:
            if found is not None:
                parent.remove(found)
            return
        if found is None:
            if schema is None:
                raise ValueError(f"base edit {edit.describe()}: element missing")
            node = schema.node([s.partition("#")[0] for s in steps[:depth + 1]])
            for other in node.choice:  # an xs:choice: the alternatives go
                if other != node.name and (gone := _find(parent, other)) is not None:
                    parent.remove(gone)
            found = synthesize(schema, node, namespace)
            parent.append(found)
        parent = found
        if last and edit.value != PRESENT:
            for child in list(parent):
                parent.remove(child)
            parent.text = edit.value


# Mutually exclusive siblings the XSD names in its documentation ("Only one of ... is
# included", "Include one of ...", "Mutually exclusive with U-value"): setting one removes
# the others.
EXCLUSIVE: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"Floor-U-Value", "Floor-Insulation-Thickness"}),
     "XSD: only one of Floor-Insulation-Thickness and Floor-U-Value is included"),
    (frozenset({"Wall-U-Value", "Wall-Insulation-Thickness"}),
     "XSD: only one of Wall-Insulation-Thickness and Wall-U-Value is included"),
    (frozenset({"Wall-U-Value", "Wall-Insulation-Thickness-Measured"}),
     "XSD: only one of Wall-Insulation-Thickness-Measured and Wall-U-Value is included"),
    (frozenset({"Roof-U-Value", "Roof-Insulation-Thickness", "Rafter-Insulation-Thickness",
                "Flat-Roof-Insulation-Thickness", "Sloping-Ceiling-Insulation-Thickness"}),
     "XSD: include one of Roof-U-Value, Roof-Insulation-Thickness, Rafter-, Flat-Roof- or "
     "Sloping-Ceiling-Insulation-Thickness"),
    (frozenset({"Room-In-Roof-Details", "Room-In-Roof-Type-1", "Room-In-Roof-Type-2"}),
     "XSD: Room-In-Roof-Type-1/-2 only when the detailed input (Room-In-Roof-Details) is not "
     "provided, one room-in-roof type"),
) + tuple(
    (frozenset({f"{surface}-U-Value-{n}", f"{surface}-Insulation-Thickness-{n}",
                f"{surface}-Insulation-Type-{n}"} | (
        {f"{surface}-Insulation-Location-{n}"} if surface == "Flat-Ceiling" else set())),
     f"XSD: {surface}-Insulation-Thickness/-Type-{n} mutually exclusive with the U-value")
    for surface in ("Flat-Ceiling", "Stud-Wall", "Slope") for n in (1, 2)
) + tuple(
    (frozenset({f"Gable-Wall-U-Value-{n}", f"Gable-Wall-Type-{n}"}),
     f"XSD: Gable-Wall-Type-{n} mutually exclusive with the U-value") for n in (1, 2))

_RR_SURFACE = re.compile(r"^(Flat-Ceiling|Stud-Wall|Slope|Gable-Wall|Common-Wall)-(.+)-([12])$")
_RR_INSULATED = ("Flat-Ceiling", "Stud-Wall", "Slope")


def _value(base: Element, path: Sequence[str]) -> str | None:
    element = find(base, path)
    return None if element is None else (element.text or "").strip()


def companions(schema: Schema, base: Element, node: Node, value: str
               ) -> list[tuple[Edit, str]]:
    """The edits that must go with setting ``node`` to ``value`` for the certificate to be one
    the schema allows: the XSD's co-occurrence notes, and the partner value a register
    lodgement rule names. Each with the reason."""
    out: list[tuple[Edit, str]] = []
    name, parent = node.name, node.path[:-1]

    def sibling(other: str, new: str, why: str) -> None:
        if parent + (other,) in schema.nodes and not (
                new == ABSENT and find(base, parent + (other,)) is None):
            out.append((Edit(parent + (other,), new), why))

    def top(path: str, new: str, why: str) -> None:
        full = ("SAP-Property-Details", *path.split("/"))
        if full in schema.nodes and not (new == ABSENT and find(base, full) is None):
            out.append((Edit(full, new), why))

    if value != ABSENT:
        for group, why in EXCLUSIVE:
            if name in group:
                for other in sorted(group - {name}):
                    sibling(other, ABSENT, why)
    _xsd_notes(name, value, parent, sibling, top, lambda path: find(base, path),
               lambda path: path in schema.nodes)
    _lodgement_rules(name, value, parent, base, sibling, top)
    return out


def _xsd_notes(name: str, value: str, parent: tuple[str, ...], sibling: Any, top: Any,
               find_sibling: Any, has: Any) -> None:
    """The XSD's own "include when ..." notes."""
    present = value != ABSENT
    if name == "Wall-Thickness":
        if present:
            sibling("Wall-Thickness-Measured", "Y",
                    "XSD: Wall-Thickness omitted if Wall-Thickness-Measured is false")
        else:
            sibling("Wall-Thickness-Measured", "N", "register rule SUPPLY_WALL_THICKNESS: a "
                    "measured thickness needs Wall-Thickness")
    if name == "Wall-Thickness-Measured" and value == "Y":
        sibling("Wall-Thickness", DEFAULTS["Wall-Thickness"], "register rule "
                "SUPPLY_WALL_THICKNESS: a measured thickness needs Wall-Thickness")
    if name == "Wall-Thickness-Measured" and value == "N":
        sibling("Wall-Thickness", ABSENT,
                "XSD: Wall-Thickness omitted if Wall-Thickness-Measured is false")
    if name == "Glazing-Gap" and present:
        sibling("PVC-Frame", "true", "XSD: Glazing-Gap included when PVC-Frame is true")
    if name in ("Glazing-Type", "Multiple-Glazing-Type") and value in ("1", "3"):
        why = "XSD: PVC-Frame (and with it Glazing-Gap) included when Glazing-Type is 1 or 3"
        if find_sibling(parent + ("PVC-Frame",)) is None:
            sibling("PVC-Frame", "true", why)
        if find_sibling(parent + ("Glazing-Gap",)) is None:
            sibling("Glazing-Gap", "12", why)
    if name == "PVC-Frame" and value != "true":
        sibling("Glazing-Gap", ABSENT, "XSD: Glazing-Gap included when PVC-Frame is true")
    if name == "Permanent-Shutters-Insulated" and value == "Y":
        sibling("Permanent-Shutters-Present", "Y",
                "XSD: include when permanent shutters are present")
    if name == "Cylinder-Size-Measured" and present:
        sibling("Cylinder-Size", "6", "XSD: the exact cylinder size when Cylinder-Size is 6")
    if name == "Cylinder-Size" and value == "6":
        sibling("Cylinder-Size-Measured", DEFAULTS["Cylinder-Size-Measured"],
                "XSD: the exact cylinder size when Cylinder-Size is 6")
    if name == "Cylinder-Size" and value == "5":
        why = "XSD: Cylinder-Size 5, the actual size is in Solar-Water-Heating-Details"
        top("Solar-Water-Heating", "Y", why)
        top("SAP-Heating/Solar-Water-Heating-Details/Store-Volume-Details-Known", "Y", why)
        top("SAP-Heating/Solar-Water-Heating-Details/Solar-Volume-Details", PRESENT, why)
    if name == "Conservatory-Type" and value == "4":
        top("SAP-Building-Parts/SAP-Integral-Conservatory", PRESENT,
            "XSD: a conservatory integrated into the property (not separated, type 4) is "
            "described by SAP-Integral-Conservatory")
    if name == "FGHRS-Index-Number" and present:
        sibling("Has-FGHRS", "Y", "XSD: FGHRS index number only if FGHRS")
    if name == "Has-FGHRS" and value == "Y":
        sibling("FGHRS-Index-Number", "1", "XSD: FGHRS index number only if FGHRS")
    if name == "Unheated-Corridor-Length" and present:
        sibling("Heat-Loss-Corridor", "2",
                "XSD: only populated if Heat-Loss-Corridor is unheated (2)")
    if name == "Heat-Loss-Corridor" and value != "2":
        sibling("Unheated-Corridor-Length", ABSENT,
                "XSD: only populated if Heat-Loss-Corridor is unheated (2)")
    if name == "WWHRS-Index-Number2" and present:
        sibling("WWHRS-Index-Number1", "1", "XSD: a second WWHRS after the first")
    if (name == "Solar-Water-Heating-Details" and value == PRESENT) or (
            "Solar-Water-Heating-Details" in parent and present):
        top("Solar-Water-Heating", "Y",
            "XSD: Solar-Water-Heating-Details go with Solar-Water-Heating Y")
    if ("Solar-Water-Heating-Details" in parent and present and name != "Solar-Collector-Details"
            and "Solar-Collector-Details" not in parent) or (name == "Cylinder-Size"
                                                             and value == "5"):
        top("SAP-Heating/Solar-Water-Heating-Details/Solar-Collector-Details", PRESENT,
            "the collector's details, so that the element varied is the one that decides "
            "(Solar-Water-Heating-Details = (present) is tried without them)")
    if name == "Solar-Panel-Collector-Data-Source" and value == "2":
        why = "XSD: the declared collector values, 'only if declared values'"
        for other, number in (("Collector-Loop-Efficiency", "0.8"),
                              ("Incidence-Angle-Modifier", "0.9")):
            sibling(other, number, why)
        for other, number in (("Linear-Heat-Loss-Coefficient", "3.5"),
                              ("Second-Order-Heat-Loss-Coefficient", "0.01")):
            top(f"SAP-Heating/Solar-Water-Heating-Details/Solar-Collector-Details/{other}",
                number, why)
    if "PV-Arrays" in parent + (name,) and present:
        top("SAP-Energy-Source/PV-Connection", "2", "XSD: PV-Connection 0 is for no PV: "
            "connected to the dwelling's meter")
    if name == "Solar-Water-Heating" and value == "N":
        top("SAP-Heating/Solar-Water-Heating-Details", ABSENT,
            "XSD: Solar-Water-Heating-Details go with Solar-Water-Heating Y")
    found = _RR_SURFACE.match(name)
    if "Room-In-Roof-Details" in parent and found and present and has(
            parent + (f"{found[1]}-Area-{found[3]}",)):  # RdSAP 9.x: area and U-value
        surface, number = found[1], found[3]
        why = f"a detailed room-in-roof {surface.lower()} {number} needs its area and U-value"
        for other, default in ((f"{surface}-Area-{number}", "10"),
                               (f"{surface}-U-Value-{number}", "0.5")):
            if name != other:
                sibling(other, default, why)
    elif "Room-In-Roof-Details" in parent and found and present:
        surface, _what, number = found.groups()
        why = f"a detailed room-in-roof {surface.lower()} {number} needs its length and height"
        for dim, default in (("Length", "4"), ("Height", "2")):
            if name != f"{surface}-{dim}-{number}":
                sibling(f"{surface}-{dim}-{number}", default, why)
        if surface in _RR_INSULATED and not any(name == f"{surface}-{k}-{number}" for k in (
                "U-Value", "Insulation-Thickness", "Insulation-Type", "Insulation-Location")):
            sibling(f"{surface}-Insulation-Thickness-{number}", "100mm",
                    f"{why}, and its insulation or U-value")
        if surface == "Gable-Wall" and name not in (f"Gable-Wall-U-Value-{number}",
                                                    f"Gable-Wall-Type-{number}"):
            sibling(f"Gable-Wall-Type-{number}", "0", f"{why}, and its type or U-value")


def _lodgement_rules(name: str, value: str, parent: tuple[str, ...], base: Element,
                     sibling: Any, top: Any) -> None:
    """The register's lodgement rules (``ara.rdsap.readers.rules``), where the rule names the
    one partner value that makes the variant lodgeable."""
    if name == "Wall-Construction" and value not in ("4", ABSENT) and _value(
            base, parent + ("Wall-Insulation-Type",)) in ("2", "6", "7"):
        sibling("Wall-Insulation-Type", "4", "register rule ONLY_CAVITY_WALLS_SUPPORT_CAVITY_"
                "INSULATION: a filled cavity only in a cavity wall (as built instead)")
    if name == "Wall-Insulation-Type" and value in ("2", "6", "7") and _value(
            base, parent + ("Wall-Construction",)) not in ("4", None):
        sibling("Wall-Construction", "4", "register rule ONLY_CAVITY_WALLS_SUPPORT_CAVITY_"
                "INSULATION: a filled cavity only in a cavity wall")
    fuel = code_fuel(name, value)
    if name == "Water-Heating-Code" and value != ABSENT:
        main_fuel = _value(base, ("SAP-Property-Details", "SAP-Heating", "Main-Heating-Details",
                                  "Main-Heating", "Main-Fuel-Type"))
        secondary_fuel = _value(base, ("SAP-Property-Details", "SAP-Heating",
                                       "Secondary-Fuel-Type"))
        fuel = fuel or (main_fuel if value == "901" else secondary_fuel if value == "902"
                        else None)
        if fuel and fuel != _value(base, ("SAP-Property-Details", "SAP-Heating",
                                          "Water-Heating-Fuel")):
            sibling("Water-Heating-Fuel", fuel, "the fuel the water heater burns")
        if value == "903":
            sibling("Immersion-Heating-Type", "1", "register rule SUPPLY_IMMERSION_HEATER_"
                    "TYPE: an immersion heater needs its type (dual)")
    if name == "Secondary-Heating-Type" and fuel and fuel != _value(
            base, parent + ("Secondary-Fuel-Type",)):
        sibling("Secondary-Fuel-Type", fuel, "the fuel the room heater burns")
    family = fuel_family(value)
    system = ("SAP-Property-Details", "SAP-Heating", "Main-Heating-Details", "Main-Heating")
    if name == "Main-Fuel-Type" and family in MAIN_SYSTEM_FOR_FUEL and \
            parent == system:
        category, code, control = MAIN_SYSTEM_FOR_FUEL[family]
        why = f"a main system that burns {family} fuel (Ara's Table 4a/4b/4e rows)"
        for other, new in (("Main-Heating-Category", category), ("SAP-Main-Heating-Code", code),
                           ("Main-Heating-Control", control)):
            if _value(base, parent + (other,)) != new:
                sibling(other, new, why)
    if name == "Secondary-Fuel-Type" and family in SECONDARY_FOR_FUEL and _value(
            base, parent + ("Secondary-Heating-Type",)) not in (None, SECONDARY_FOR_FUEL[family]):
        sibling("Secondary-Heating-Type", SECONDARY_FOR_FUEL[family],
                f"a room heater that burns {family} fuel (Ara's Table 4a rows)")
    heated = _value(base, ("SAP-Property-Details", "Heated-Room-Count"))
    if name == "Habitable-Room-Count" and value.isdigit() and heated and heated.isdigit() and (
            0 < int(value) < int(heated)):
        top("Heated-Room-Count", value, "register rule TOO_MANY_HEATED_ROOMS: no more heated "
            "rooms than habitable rooms")
    if (name == "Heated-Room-Count" and value == "0") or (
            name == "Main-Heating-Category" and value == "1"):
        why = ("register rules UNHEATED_ROOMS_MUST_HAVE_HEATING and MAIN_HEATING_INVALID_FOR_"
               "NO_HEATED_ROOMS: no heated rooms goes with no main heating (category 1, "
               "code 699)")
        heating = "SAP-Heating/Main-Heating-Details/Main-Heating/"
        if name != "Heated-Room-Count":
            top("Heated-Room-Count", "0", why)
        if name != "Main-Heating-Category":
            top(heating + "Main-Heating-Category", "1", why)
        top(heating + "SAP-Main-Heating-Code", "699", why)
    roof_data = {"1": ("6", "Flat-Roof-Insulation-Thickness"),
                 "8": ("7", "Sloping-Ceiling-Insulation-Thickness")}
    if name == "Roof-Construction" and value in roof_data:
        location, thickness = roof_data[value]
        why = ("register rules ROOF_INSULATION_INVALID_FOR_FLAT_ROOF / INVALID_INSULATION_"
               "LOCATION_FOR_SLOPING_CEILING_ROOF_CONSTRUCTION and SUPPLY_FLAT_ROOF_DATA: the "
               "roof's own insulation location and thickness")
        sibling("Roof-Insulation-Location", location, why)
        sibling(thickness, "100mm", why)
        sibling("Roof-Insulation-Thickness", ABSENT, why)
    locations = {"6": ("1", "Flat-Roof-Insulation-Thickness"),
                 "7": ("8", "Sloping-Ceiling-Insulation-Thickness")}
    if name == "Roof-Insulation-Location" and value in locations:
        roof, thickness = locations[value]
        why = ("register rules ROOF_CONSTRUCTION_MUST_BE_FLAT / INVALID_ROOF_CONSTRUCTION_FOR_"
               "SLOPING_CEILING_INSULATION: the roof that location belongs to, with its "
               "thickness")
        sibling("Roof-Construction", roof, why)
        sibling(thickness, "100mm", why)
        sibling("Roof-Insulation-Thickness", ABSENT, why)
    flat_details = ("SAP-Property-Details", "SAP-Flat-Details")
    if parent == flat_details and name == "Level" and value in ("2", "3", "99"):
        top("SAP-Building-Parts/SAP-Building-Part/Floor-Heat-Loss", "6",
            "register rule GROUND_FLOOR_HEAT_LOSS_ON_UPPER_FLOOR: a flat above the ground "
            "floor has another flat below")
    if parent == flat_details and name == "Level" and value == "0":
        sibling("Flat-Location", "-1", "register rule FLAT_LOCATION_MUST_MATCH_LEVEL: a "
                "basement flat is at location -1")
    if parent == flat_details and name == "Flat-Location" and value == "-1":
        sibling("Level", "0", "register rule FLAT_LOCATION_MUST_MATCH_LEVEL: location -1 is "
                "the basement")
    if name == "Door-Count" and value.isdigit():
        for other in ("Insulated-Door-Count", "Draughtproofed-Door-Count"):
            current = _value(base, ("SAP-Property-Details", other))
            if current and current.isdigit() and int(current) > int(value):
                top(other, value, "register rule INVALID_DOOR_COUNT: no more insulated or "
                    "draught-proofed doors than doors")
    if name == "Insulated-Door-Count" and value.isdigit() and int(value) > 0 and _value(
            base, ("SAP-Property-Details", "Insulated-Door-U-Value")) is None:
        top("Insulated-Door-U-Value", DEFAULTS["Insulated-Door-U-Value"],
            "register rule SUPPLY_DOOR_U_VALUE: insulated doors need their U-value")


#: The SAP heating codes are free strings in the XSD (``SAP-HeatingCode``); their values are
#: the rows of SAP 10.2 Tables 4a/4b/4e and the RdSAP water heating codes. They are tried
#: from Ara's own transcriptions (``spec/tables``), those that fit the base's system (a gas
#: boiler with radiators): (table, column, filter on the row).
CODE_TABLES: dict[str, tuple[str, str, Any]] = {
    "Main-Heating-Control": ("sap10_2_table4e_control_codes_PARTIAL.csv", "code",
                             lambda row: row["group"].startswith("1 ")),
    "SAP-Main-Heating-Code": ("sap10_2_table4b_boiler_seasonal_efficiency_PARTIAL.csv",
                              "sap_code", lambda row: row["group"].startswith(
                                  ("Gas ", "Combined Primary"))),
    "Water-Heating-Code": ("rdsap10_water_heating_codes.csv", "code",
                           lambda row: row["code"] != "914"),  # 914: a second main system
    "Secondary-Heating-Type": ("sap10_2_table4a_heating_systems_PARTIAL.csv", "sap_code",
                               lambda row: row["sap_code"].startswith("6")
                               and row["sap_code"] != "699"),
}
CODE_SOURCE = ("the SAP heating codes (`Main-Heating-Control`, `SAP-Main-Heating-Code`, "
               "`Water-Heating-Code`, `Secondary-Heating-Type`) are `xs:string` in the XSD; "
               "they are tried from Ara's own transcriptions in `spec/tables` (Table 4e "
               "boiler controls, Table 4b gas boilers and CPSUs, the RdSAP water heating "
               "codes but 914, the Table 4a room heaters), with the fuel each needs: codes "
               "Ara has not transcribed are not tried")


def code_values(name: str) -> list[str]:
    found = CODE_TABLES.get(name)
    if found is None:
        return []
    table, column, keep = found
    return [row[column].strip() for row in read_table(table) if keep(row)]


#: The fuel a water heating or secondary heating code burns (RdSAP 10 fuel codes: 26 mains
#: gas, 28 oil, 29 electricity, 15 smokeless coal, 16 wood pellets in bags, 20 mains gas
#: (community)).
def code_fuel(name: str, code: str) -> str | None:
    if not code.isdigit():
        return None
    n = int(code)
    if name == "Water-Heating-Code":
        if n in (903, 909, 941, 999):
            return "29"
        if n in (907, 908, 911, 921, 922, 923, 924, 925, 926):
            return "26"
        if n in (912, 927, 928, 929):
            return "28"
        if n in (913, 930, 931):
            return "15"
        if 950 <= n <= 952:
            return "20"
        return None  # 901, 902: the fuel of the main or secondary system
    if name == "Secondary-Heating-Type":
        if 601 <= n <= 619:
            return "26"
        if 621 <= n <= 629:
            return "28"
        if n in (635, 636):
            return "16"
        if 631 <= n <= 639:
            return "15"
        if 691 <= n <= 699:
            return "29"
    return None


#: RdSAP 10 fuel codes (HeatingFuelTypeCode) by the kind of appliance that burns them.
FUEL_FAMILIES: dict[str, frozenset[str]] = {
    "gas": frozenset({"26", "27", "17", "3", "38", "51", "1", "2"}),
    "liquid": frozenset({"28", "18", "34", "35", "36", "37", "4"}),
    "solid": frozenset({"5", "6", "9", "15", "33", "14"}),
    "pellets": frozenset({"7", "8", "16"}),
    "electric": frozenset({"29", "10"}),
    "community": frozenset({"20", "21", "22", "23", "24", "25", "30", "31", "32", "56", "57",
                            "58", "99"}),
}
#: For a main fuel: (Main-Heating-Category, SAP-Main-Heating-Code, Main-Heating-Control) of
#: an appliance that burns it (Ara's Table 4a/4b/4e rows), so that a fuel variant is a
#: system that exists rather than a gas boiler burning it.
MAIN_SYSTEM_FOR_FUEL: dict[str, tuple[str, str, str]] = {
    "liquid": ("2", "127", "2106"), "solid": ("2", "151", "2106"),
    "pellets": ("2", "155", "2106"), "electric": ("2", "191", "2106"),
    "community": ("6", "301", "2306"),
}
#: For a secondary fuel: a Table 4a room heater that burns it.
SECONDARY_FOR_FUEL: dict[str, str] = {
    "gas": "609", "liquid": "621", "solid": "633", "pellets": "635", "electric": "691"}


def fuel_family(code: str) -> str | None:
    return next((family for family, codes in FUEL_FAMILIES.items() if code in codes), None)


def trial_values(node: Node, base_value: str | None) -> list[str]:
    """The values tried for a simple element (the base's own value left out)."""
    values: list[str]
    if node.name in CODE_TABLES:
        values = code_values(node.name)
    elif node.enums:
        values = list(node.enums)
    elif node.base == "xs:boolean":
        values = ["true", "false"]
    elif node.base in ("xs:integer", "xs:nonNegativeInteger", "xs:positiveInteger"):
        low = node.minimum if node.minimum is not None else 0
        high = node.maximum
        if node.name in FIXED:
            values = []
        elif high is not None:  # a range: its ends and middle (and 0 inside it)
            middle = (low + high) // 2
            values = [str(v) for v in sorted({low, 0 if low < 0 < high else low, middle, high})]
        elif node.name in DEFAULTS or (node.base == "xs:integer" and "Index" not in node.name
                                       and not node.name.endswith("Count")):
            # a measure (a thickness in mm, ...): like a decimal
            number = int(base_value) if base_value and base_value.lstrip("-").isdigit() \
                else int(DEFAULTS.get(node.name, "1"))
            values = [str(round(number * 0.5)), str(round(number * 1.5))] \
                if base_value else [str(number)]
        else:  # counts and index numbers: 0 (where allowed), 1, 2
            values = [str(v) for v in (low, low + 1, low + 2)]
    elif node.base == "xs:decimal":
        if base_value is not None:
            try:
                decimal = float(base_value)
            except ValueError:
                decimal = 1.0
            upper = decimal * 1.5
            if any(word in node.name for word in _UNIT_FRACTIONS):
                upper = (decimal + 1) / 2  # a fraction stays at most 1
            values = [_fmt(decimal * 0.5), _fmt(upper)] if decimal else ["1"]
        else:
            values = [default_value(node)]
    else:  # strings, heating codes, identifiers
        values = [] if base_value is not None else [default_value(node)]
    return [v for v in dict.fromkeys(values) if v != base_value]


_UNIT_FRACTIONS = ("Transmittance", "Fraction", "Frame-Factor", "Loop-Efficiency",
                   "Angle-Modifier")


def _fmt(number: float) -> str:
    text = f"{number:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def _varied_paths(schema: Schema) -> tuple[list[Node], list[tuple[str, str]]]:
    """The nodes varied, and the ones left out with the reason."""
    varied: list[Node] = []
    left_out: list[tuple[str, str]] = []
    for node in schema.nodes.values():
        unread = next((why for top, why in UNREAD.items() if top in node.path), None)
        if unread:
            if node.path[-1] in UNREAD:
                left_out.append((node.where, unread))
            continue
        varied.append(node)
    return varied, left_out


def variants(schema: Schema, base: Element) -> tuple[list[Variant], list[tuple[str, str]]]:
    """The one-at-a-time variants of ``schema`` on ``base``, and the elements left out."""
    nodes, left_out = _varied_paths(schema)
    out: list[Variant] = []
    for node in nodes:
        if node.path == ("SAP-Property-Details",):
            continue
        element = find(base, node.path)
        tries: list[str] = []
        if node.complex:
            if element is None:
                tries.append(PRESENT)
        else:
            current = None if element is None else (element.text or "").strip()
            tries += trial_values(node, current)
        if element is not None and node.min_occurs == 0:
            tries.append(ABSENT)
        for value in tries:
            extra = companions(schema, base, node, value)
            out.append(Variant(schema.name, node.where, value,
                               (Edit(node.path, value), *(e for e, _w in extra)),
                               tuple(f"{e.describe()} ({why})" for e, why in extra)))
    return out, left_out


def build(schema: Schema, base: Element, variant: Variant) -> bytes:
    """The certificate of ``variant``: ``base`` with its edits."""
    root = copy.deepcopy(base)
    for edit in variant.edits:
        apply_edit(root, edit, schema)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8")


def combinations(pool: Sequence[Variant], count: int, seed: int) -> list[Variant]:
    """``count`` combinations of two or three one-at-a-time variants of distinct elements,
    drawn with a fixed seed."""
    rng = random.Random(seed)
    out: list[Variant] = []
    seen: set[tuple[str, ...]] = set()
    attempts = 0
    while len(out) < count and attempts < count * 20 and len(pool) > 3:
        attempts += 1
        chosen = rng.sample(list(pool), rng.choice((2, 3)))
        if len({v.element for v in chosen}) < len(chosen):
            continue
        key = tuple(sorted(v.label for v in chosen))
        if key in seen:
            continue
        seen.add(key)
        out.append(combine(chosen))
    return out


def combine(chosen: Sequence[Variant]) -> Variant:
    """One variant making the edits of all of ``chosen``."""
    return Variant(chosen[0].schema, "(combination)", " + ".join(v.label for v in chosen),
                   tuple(e for v in chosen for e in v.edits),
                   tuple(n for v in chosen for n in v.notes))


# -------------------------------------------------------------------------- the running ---

_RULE = re.compile(r"^(?:XSD [A-Za-z]+|[A-Z][A-Z0-9_]{3,})(?::|$)")
_FALLBACK = re.compile(r"estimate mode would use fallback ([a-z0-9_]+):")


@dataclass
class Outcome:
    variant: Variant
    excluded: str | None = None
    """The lodgement rule the variant breaks (read refused by rule): not rated."""
    read_failure: list[tuple[str, str]] = field(default_factory=list)
    """The reader could not read a value the XSD allows: a failure in both modes."""
    exception: str | None = None
    strict: list[tuple[str, str]] = field(default_factory=list)
    """(cited item, message) of every strict refusal."""
    estimate: list[tuple[str, str]] = field(default_factory=list)
    """(field, message) of every estimate-mode failure."""
    assumptions: tuple[str, ...] = ()
    sap: float | None = None
    row_key: str | None = None
    """The certificate row as read (a fingerprint), to find elements the reader ignores."""
    inputs_key: str | None = None
    """The calculator inputs of estimate mode (a fingerprint)."""

    @property
    def rated_strict(self) -> bool:
        return self.counted and not self.strict

    @property
    def rated_estimate(self) -> bool:
        return self.counted and not self.estimate

    @property
    def counted(self) -> bool:
        return self.excluded is None


def _where_raised(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "/src/ara/" in f.filename or "/kernels/" in f.filename]
    frame = (inside or frames)[-1] if frames else None
    if frame is None:
        return f"{type(exc).__name__}: {exc}"
    path = Path(frame.filename)
    shown = path.relative_to(REPO) if REPO in path.parents else path
    place = f" at {shown}:{frame.lineno}"
    return f"{type(exc).__name__}: {exc}{place}"


def cite(field_name: str, message: str) -> str:
    """The item a refusal cites: the fallback id, else the blocking field."""
    found = _FALLBACK.search(message)
    if found:
        return found[1]
    return field_name


def head(message: str, width: int = 90) -> str:
    text = " ".join(message.split())
    return text if len(text) <= width else text[:width - 1] + "…"


def run(schema: Schema, base: Element, batch: Sequence[Variant]) -> list[Outcome]:
    """Read, expand (both modes) and rate every variant."""
    outcomes = [Outcome(v) for v in batch]
    rows: list[dict[str, Any]] = []
    where_row: list[int] = []
    for i, variant in enumerate(batch):
        outcome = outcomes[i]
        try:
            document = build(schema, base, variant)
            row = read_rdsap_xml(document)
        except CertificateReadError as exc:
            failures = [(f.field, f.message) for f in exc.failures]
            rules = [(f, m) for f, m in failures if _RULE.match(m)]
            if "unexpected document structure" in exc.message:
                outcome.exception = f"reader: {exc.message}"
            elif rules and len(rules) == len(failures):
                outcome.excluded = "; ".join(f"{m}" for _f, m in rules)
            else:
                outcome.read_failure = [(f, m) for f, m in failures if not _RULE.match(m)]
            continue
        except Exception as exc:  # every exception is a finding
            outcome.exception = _where_raised(exc)
            continue
        row["raw_document"] = None
        outcome.row_key = _fingerprint(row)
        rows.append(row)
        where_row.append(i)
    for i in range(len(batch)):
        o = outcomes[i]
        if o.read_failure:
            o.strict = [(f, m) for f, m in o.read_failure]
            o.estimate = list(o.strict)
        if o.exception:
            o.strict = [("(exception)", o.exception)]
            o.estimate = list(o.strict)
    if rows:
        _rate(rows, [outcomes[i] for i in where_row])
    return outcomes


def _rate(rows: list[dict[str, Any]], outcomes: list[Outcome]) -> None:
    try:
        table = pa.Table.from_pylist(rows, schema=CERTIFICATE_SCHEMA)
        results = {mode: expand(table, [str(i) for i in range(len(rows))], mode=mode)
                   for mode in ("strict", "estimate")}
        rated = {mode: calculate(r.inputs, strict=False).to_pylist()
                 for mode, r in results.items()}
    except Exception:  # localise it: one row at a time
        if len(rows) == 1:
            _rate_one_failed(rows[0], outcomes[0])
            return
        middle = len(rows) // 2
        _rate(rows[:middle], outcomes[:middle])
        _rate(rows[middle:], outcomes[middle:])
        return
    for mode, result in results.items():
        problems: dict[int, list[tuple[str, str]]] = {}
        for row, _number, fld, message in result.problems:
            problems.setdefault(row, []).append((fld, message))
        assumptions = result.assumptions.to_pylist()
        inputs = result.inputs.drop_columns(["dwelling_id"]).to_pylist() \
            if mode == "estimate" else []
        for i, outcome in enumerate(outcomes):
            if inputs:
                outcome.inputs_key = _fingerprint(inputs[i])
            found = problems.get(i, [])
            out = rated[mode][i]
            if not found and out["status"] != "ok":
                found = calculator_problems(str(out["error"]))
            if mode == "strict":
                outcome.strict = [(cite(f, m), m) for f, m in found]
            else:
                outcome.estimate = found
                outcome.assumptions = tuple(assumptions[i] or ())
                if not found:
                    sap = out.get("sap_rating")
                    outcome.sap = None if sap is None else float(sap)


def _fingerprint(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, default=str)


def calculator_problems(error: str) -> list[tuple[str, str]]:
    """The calculator's refusal (``field: message; field: message``) as (``calculate:
    field``, message) pairs."""
    out: list[tuple[str, str]] = []
    for part in error.split("; "):
        fld, sep, message = part.partition(": ")
        if sep and re.fullmatch(r"[A-Za-z0-9_.\[\]]+", fld):
            out.append((f"calculate: {fld}", message))
        elif out:
            out[-1] = (out[-1][0], f"{out[-1][1]}; {part}")
        else:
            out.append(("calculate: (unnamed)", part))
    return out


def _rate_one_failed(row: dict[str, Any], outcome: Outcome) -> None:
    try:
        table = pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA)
        for mode in ("strict", "estimate"):
            result = expand(table, ["0"], mode=mode)  # type: ignore[arg-type]
            calculate(result.inputs, strict=False)
    except Exception as exc:  # the finding
        outcome.exception = _where_raised(exc)
    else:  # pragma: no cover - fails only in a batch: a batch effect
        outcome.exception = "fails in a batch only (batch effect)"
    outcome.strict = [("(exception)", str(outcome.exception))]
    outcome.estimate = list(outcome.strict)


# --------------------------------------------------------------------------- the report ---

@dataclass
class SchemaReport:
    schema: str
    nodes: list[Node]
    """The elements of SAP-Data in the XSD (``SAP-Property-Details`` itself left out)."""
    left_out: list[tuple[str, str]]
    """Subtrees not varied, with the reason."""
    sample: Outcome
    """The register's sample as lodged."""
    base: Outcome
    """The base (sample repaired, unlodged items lodged)."""
    outcomes: list[Outcome]
    combos: list[Outcome]
    base_values: dict[str, str | None]
    """The base's value of each element (:func:`where` path), ``None`` when absent."""

    @property
    def counted(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.counted]

    @property
    def excluded(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.counted]

    def share(self, mode: str, outcomes: Iterable[Outcome] | None = None) -> tuple[int, int]:
        """(rated, counted) in ``mode`` over the one-at-a-time variants (or ``outcomes``)."""
        pool = [o for o in (self.outcomes if outcomes is None else outcomes) if o.counted]
        ok = sum(o.rated_strict if mode == "strict" else o.rated_estimate for o in pool)
        return ok, len(pool)

    @property
    def in_scope(self) -> list[Node]:
        return [n for n in self.nodes if not any(top in n.path for top in UNREAD)]

    @property
    def varied(self) -> set[str]:
        return {o.variant.element for o in self.outcomes}

    def enum_coverage(self) -> tuple[int, int]:
        """(enumerated values tried or held by the base, enumerated values in scope)."""
        tried = {(o.variant.element, o.variant.value) for o in self.outcomes}
        total = covered = 0
        for node in self.in_scope:
            for value in node.enums:
                total += 1
                covered += (node.where, value) in tried or \
                    self.base_values.get(node.where) == value
        return covered, total

    def not_varied(self) -> list[tuple[str, str]]:
        """Elements in scope without a variant, with the reason."""
        out = []
        for node in self.in_scope:
            if node.where in self.varied or node.complex:
                continue  # a required subtree is varied through its elements
            if node.name in FIXED:
                why = FIXED[node.name]
            elif node.min_occurs and self.base_values.get(node.where) is not None and (
                    not node.enums):
                why = ("required and free-valued (`" + node.base + "`): kept at the base's "
                       f"value `{self.base_values[node.where]}`")
            else:
                why = "no value to try"
            out.append((node.where, why))
        return out

    def not_read(self) -> list[str]:
        """Elements every counted variant of which reads into the base's own row."""
        by: dict[str, list[Outcome]] = {}
        for o in self.counted:
            if o.row_key is not None:
                by.setdefault(o.variant.element, []).append(o)
        return [element for element, found in by.items()
                if all(o.row_key == self.base.row_key for o in found)]


def measure(schema_name: str, combos: int = COMBINATIONS_PER_SCHEMA,
            seed: int = COMBINATION_SEED) -> SchemaReport:
    """Run the harness on one schema."""
    schema = load_schema(schema_name)
    raw = DefusedET.parse(REGISTER / BASES[schema_name].sample).getroot()
    [sample] = run(schema, raw, [Variant(schema_name, "(sample as lodged)", "-", ())])
    base = load_base(schema)
    [base_outcome] = run(schema, base, [Variant(schema_name, "(base)", "-", ())])
    batch, left_out = variants(schema, base)
    outcomes = run(schema, base, batch)
    pool = [o.variant for o in outcomes if o.counted and o.variant.value != ABSENT]
    drawn = combinations(pool, combos, seed) if combos else []
    combo_outcomes = run(schema, base, drawn) if drawn else []
    base_values: dict[str, str | None] = {}
    for node in schema.nodes.values():
        element = find(base, node.path)
        base_values[node.where] = None if element is None else (element.text or "").strip()
    nodes = [n for n in schema.nodes.values() if n.path != ("SAP-Property-Details",)]
    return SchemaReport(schema_name, nodes, left_out, sample, base_outcome, outcomes,
                        combo_outcomes, base_values)


def _pct(ok: int, total: int) -> str:
    return f"{100 * ok / total:.1f} %" if total else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return f"`{text}`" if text else ""


def render(reports: Sequence[SchemaReport]) -> str:
    """``docs/coverage.md``."""
    lines = [
        "# Coverage, measured",
        "",
        "Generated by `python scripts/coverage_report.py` (issue 13); do not edit by hand "
        "(`--check` says whether it is current). `tests/test_coverage_harness.py` runs the "
        "same harness in CI and holds the estimate-mode shares below as floors.",
        "",
        "## How it is measured",
        "",
        "- **Elements and values.** From the register's XSDs (`tests/vectors/xsd/<schema>/`, "
        "copies with their source in `tests/vectors/README.md`) every element of "
        "`SAP-Data/SAP-Property-Details`, with its type, its enumerated values and whether it "
        "is optional.",
        "- **One at a time.** From a valid base per schema (the register's sample, its "
        "contradictions repaired and its unlodged items lodged: see *Base*), one certificate "
        "per element and value: the value set at the element's first occurrence; for an "
        "optional element also the certificate without it; an optional subtree the base "
        "lacks is added with its required children. Free-valued elements are tried at a few "
        "values (booleans both ways, counts 0-2, a range's ends and middle, decimals at half "
        "and one and a half times the base's value); " + CODE_SOURCE + ".",
        "- **Rated.** Each certificate is read with `read_rdsap_xml` (the lodgement rules "
        "on), expanded with `expand` in strict and in estimate mode, and calculated with "
        "`calculate(..., strict=False)`. *Rated* means read, expanded without a problem and "
        "calculated with status `ok`.",
        "- **What the schema forbids is not counted.** The XSD's own notes are followed: of "
        "mutually exclusive siblings (\"only one of Floor-Insulation-Thickness and "
        "Floor-U-Value is included\", an `xs:choice`) the one set replaces the others, and an "
        "element allowed only with another value is tried with it (*companions*, listed per "
        "schema). Where a register lodgement rule names the one partner value that makes a "
        "variant lodgeable (a filled cavity only in a cavity wall, no more heated rooms than "
        "rooms, ...) it is set too; a variant that still breaks a lodgement rule is refused "
        "by the reader and listed under *Excluded* with the rule. So is a variant that "
        "contradicts itself by one of Ara's consistency rules: `ARA_HEATING_CODE_FUEL` (a "
        "main system lodged with a fuel its Table 4a / 4b group cannot burn, e.g. a gas "
        "boiler on anthracite: `spec/tables/sap10_2_heating_code_fuel_families.csv`) and "
        "`ARA_AGE_BAND_NOT_APPLICABLE` (a building part's age band lodged as 0, 'not "
        "applicable': the code serves a room in roof built with its part); the reader "
        "refuses such a certificate in both modes, naming the values.",
        f"- **Combinations.** {COMBINATIONS_PER_SCHEMA} per schema, each two or three of the "
        f"one-at-a-time edits together, drawn with seed {COMBINATION_SEED}; reported apart "
        "(the test adds a bounded Hypothesis search over the same pool).",
        "",
        "## Summary",
        "",
        "| schema | elements in scope | varied | enumerated values tried | variants | "
        "excluded | counted | rated strict | rated estimate | exceptions |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in reports:
        s_ok, n = r.share("strict")
        e_ok, _ = r.share("estimate")
        covered, total = r.enum_coverage()
        raised = sum(1 for o in r.outcomes + r.combos if o.exception)
        lines.append(
            f"| {r.schema} | {len(r.in_scope)} | {len(r.varied)} | {covered} of {total} | "
            f"{len(r.outcomes)} | {len(r.excluded)} | {n} | **{s_ok} ({_pct(s_ok, n)})** | "
            f"**{e_ok} ({_pct(e_ok, n)})** | {raised} |")
    lines += ["", "Combinations:", "",
              "| schema | combinations | excluded | counted | rated strict | rated estimate | "
              "exceptions |", "|---|---:|---:|---:|---:|---:|---:|"]
    for r in reports:
        s_ok, n = r.share("strict", r.combos)
        e_ok, _ = r.share("estimate", r.combos)
        raised = sum(1 for o in r.combos if o.exception)
        lines.append(f"| {r.schema} | {len(r.combos)} | {len(r.combos) - n} | {n} | "
                     f"{s_ok} ({_pct(s_ok, n)}) | {e_ok} ({_pct(e_ok, n)}) | {raised} |")
    for r in reports:
        lines += _schema_section(r)
    return "\n".join(lines).rstrip() + "\n"


def _cited(outcome: Outcome) -> list[str]:
    return sorted({c for c, _m in outcome.strict})


def _schema_section(r: SchemaReport) -> list[str]:
    base = BASES[r.schema]
    declared = set(fallbacks())
    lines = ["", f"## {r.schema}", "", "### Base", "",
             f"The register's sample `tests/vectors/register/{base.sample}` as lodged: "
             + _verdict(r.sample) + ".", ""]
    if base.repairs:
        lines += ["Contradictions in its own data, repaired:", ""]
        lines += [f"- `{e.describe()}`: {why}" for e, why in base.repairs]
        lines.append("")
    if base.lodged:
        lines += ["Items it leaves unlodged, lodged (so that the base rates in strict mode "
                  "and every strict refusal below is the variant's own):", ""]
        lines += [f"- `{e.describe()}`: {why}" for e, why in base.lodged]
        lines.append("")
    lines += [f"The base: {_verdict(r.base)}.", ""]
    s_ok, n = r.share("strict")
    e_ok, _ = r.share("estimate")
    covered, total = r.enum_coverage()
    lines += ["### Shares", "",
              f"{len(r.in_scope)} elements in scope, {len(r.varied)} varied; {covered} of "
              f"{total} enumerated values tried (or held by the base); {len(r.outcomes)} "
              f"variants, {len(r.excluded)} excluded as forbidden, {n} counted: **{s_ok} "
              f"({_pct(s_ok, n)}) rate in strict mode, {e_ok} ({_pct(e_ok, n)}) in estimate "
              "mode**.", ""]
    lines += _strict_section(r, declared)
    lines += _estimate_section(r)
    raised = [o for o in r.outcomes + r.combos if o.exception]
    lines += ["", "### Exceptions", ""]
    lines += [f"- `{o.variant.label}`: {_cell(str(o.exception))}" for o in raised] or [
        "None: no variant raised a Python exception (every refusal is by name)."]
    lines += ["", "### Excluded: what the schema or a rule forbids", ""]
    if r.excluded:
        lines += ["| element | value | refused by the reader for |", "|---|---|---|"]
        lines += [f"| `{o.variant.element}` | `{o.variant.value}` | "
                  f"{_cell(head(str(o.excluded), 200))} |" for o in r.excluded]
    else:
        lines.append("None.")
    lines += ["", "Not varied:", ""]
    lines += [f"- `{w}`: {why}" for w, why in r.left_out]
    lines += [f"- `{w}`: {why}" for w, why in r.not_varied()]
    unread = r.not_read()
    if unread:
        lines += ["", "Varied, but no variant changes the certificate row the reader makes "
                  "(the reader does not read the element, or reads another one instead):", ""]
        lines += [f"- `{w}`" for w in unread]
    lines += _companion_section(r)
    return lines


def _verdict(outcome: Outcome) -> str:
    if outcome.exception:
        return f"raised {outcome.exception}"
    strict = "rates in strict mode" if not outcome.strict else (
        "strict mode refuses it for " + ", ".join(f"`{c}`" for c in _cited(outcome)))
    estimate = "rates in estimate mode" if not outcome.estimate else (
        "estimate mode refuses it for " + "; ".join(
            f"`{f}` ({head(m, 80)})" for f, m in outcome.estimate))
    return f"{strict}; {estimate}"


def _strict_section(r: SchemaReport, declared: set[str]) -> list[str]:
    lines = ["### Strict mode: refusals by cited item", "",
             "Each refusal cites the declared fallback estimate mode would use "
             "(`spec/tables/estimate_fallbacks.csv`), or the field of a problem that blocks "
             "both modes (`calculate: ...`: the calculator's refusal of the expanded inputs).",
             ""]
    gaps: Counter[str] = Counter()
    examples: dict[str, list[Variant]] = {}
    messages: dict[str, str] = {}
    for o in r.counted:
        for item in _cited(o):
            gaps[item] += 1
            examples.setdefault(item, []).append(o.variant)
            messages.setdefault(item, next(m for c, m in o.strict if c == item))
    if not gaps:
        return lines + ["None."]
    refused = sum(1 for o in r.counted if o.strict)
    lines += [f"{refused} variants refused; by cited item (a variant citing two items counts "
              "in both):", "",
              "| cited item | kind | variants | message (head) | element: values |",
              "|---|---|---:|---|---|"]
    for item, count in gaps.most_common():
        kind = "fallback" if item in declared else "blocking"
        lines.append(f"| `{item}` | {kind} | {count} | {_cell(head(messages[item]))} | "
                     f"{_cell(_by_element(examples[item]))} |")
    return lines


def _by_element(found: Sequence[Variant]) -> str:
    """``element``: value, value; ... (elements in first-seen order)."""
    values: dict[str, list[str]] = {}
    for v in found:
        values.setdefault(v.element, []).append(v.value)
    return "; ".join(f"`{element}`: {', '.join(vs)}" for element, vs in values.items())


def _estimate_section(r: SchemaReport) -> list[str]:
    lines = ["", "### Estimate mode: failures (the gaps to close)", ""]
    groups: dict[tuple[str, str], list[Variant]] = {}
    for o in r.counted:
        for fld, message in o.estimate:
            groups.setdefault((fld, message), []).append(o.variant)
    if not groups:
        lines.append("None: every counted variant rates in estimate mode.")
    else:
        failed = sum(1 for o in r.counted if o.estimate)
        lines += [f"{failed} variants fail; grouped by field and message (a variant failing "
                  "for two reasons is in two rows):", "",
                  "| field | message | variants | element: values |", "|---|---|---:|---|"]
        for (fld, message), found in sorted(groups.items(), key=lambda kv: (-len(kv[1]),
                                                                           kv[0])):
            lines.append(f"| `{fld}` | {_cell(message)} | {len(found)} | "
                         f"{_cell(_by_element(found))} |")
    combo_failed = [o for o in r.combos if o.counted and o.estimate]
    if combo_failed:
        lines += ["", "Combinations that fail in estimate mode:", "",
                  "| combination | field: message |", "|---|---|"]
        for o in combo_failed:
            text = "; ".join(f"`{f}`: {head(m, 120)}" for f, m in o.estimate)
            lines.append(f"| {_cell(o.variant.value)} | {_cell(text)} |")
    return lines


def _companion_section(r: SchemaReport) -> list[str]:
    rows: dict[str, set[str]] = {}
    for o in r.outcomes:
        for note in o.variant.notes:
            rows.setdefault(o.variant.element, set()).add(note)
    if not rows:
        return []
    lines = ["", "### Companions set with a variant", "",
             "| element varied | also set (why) |", "|---|---|"]
    for element, notes in rows.items():
        lines.append(f"| `{element}` | {_cell('; '.join(sorted(notes)))} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate docs/coverage.md (issue 13).")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when docs/coverage.md differs from a fresh report")
    parser.add_argument("-o", "--output", type=Path, default=DOC)
    args = parser.parse_args(argv)
    reports = [measure(name) for name in SCHEMAS]
    text = render(reports)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python scripts/coverage_report.py",
                  file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    for r in reports:
        s_ok, n = r.share("strict")
        e_ok, _ = r.share("estimate")
        print(f"{r.schema}: {len(r.outcomes)} variants, {n} counted, strict {s_ok} "
              f"({_pct(s_ok, n)}), estimate {e_ok} ({_pct(e_ok, n)})")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
