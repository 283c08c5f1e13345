"""RdSAP XML: safe parsing, schema detection, and the transform into the register's JSON shape.

Safety
------
Documents are parsed by :func:`ara.xml_safety.parse_xml_safely`, the one safe XML parser of
the readers: any entity declaration is refused (this stops both external entities, XXE, and
entity-expansion bombs, "billion laughs"), external references are refused, and expat never
fetches a DTD, so parsing touches neither the network nor the file system. Documents over
:data:`MAX_DOCUMENT_BYTES` are refused before parsing. Every refusal is an
:class:`~ara.rdsap.readers.errors.UnsafeDocumentError` naming the reason.

The JSON shape
--------------
The register publishes each certificate as JSON made from the lodged XML by a SAX transform
(communitiesuk/epb-data-warehouse ``XmlPresenter::Parser`` with the ``Rdsap21Base`` /
``Rdsap20Base`` export configurations). :func:`xml_to_document` applies the same rules, so the
readers map one document shape whatever the input:

* element names become snake_case keys (``Wall-Construction`` -> ``wall_construction``);
* wrapper elements are dropped and their children promoted (``Report-Header``,
  ``Energy-Assessment``, ``Property-Summary``, ``Energy-Use``, ``SAP-Data``,
  ``SAP-Property-Details``, ``Property``, ``Address``, ``Identification-Number``);
* some subtrees are dropped (assessor, insurance, related-party disclosure, ``RRN``: the RRN is
  read separately by :func:`certificate_number`);
* the children of list containers become arrays (``SAP-Building-Parts``,
  ``SAP-Floor-Dimensions``, ``SAP-Windows``, ``Main-Heating-Details``, ``PV-Arrays``, ...);
  repeated summary elements (``Wall``, ``Roof``, ``Floor``, ``Main-Heating``, ...) become arrays
  under a plural key (``walls``, ``roofs``, ``floors``, ``main_heating``, ...);
* an element carrying attributes becomes ``{"value": text, <attribute>: ...}``;
* empty elements are left out.

With ``coerce_numbers=True`` numeric-looking texts become numbers as in the register's JSON
(``"017507"`` -> ``17507``); the readers keep the texts and normalise both forms in
:mod:`ara.rdsap.readers.values`.
"""

from __future__ import annotations

import math
import re
from typing import Any
from xml.etree.ElementTree import Element

from ara.rdsap.readers.errors import CertificateReadError, UnsafeDocumentError
from ara.xml_safety import (
    MAX_DEPTH,
    MAX_DOCUMENT_BYTES,
    XmlRefusedError,
    local_name,
    parse_xml_safely,
)

__all__ = ["MAX_DOCUMENT_BYTES", "SCHEMA_ALIASES", "SUPPORTED_SCHEMA_TYPES", "certificate_number",
           "decode_document", "detect_schema_type", "parse_xml", "reading_schema",
           "xml_to_document"]


#: Register schemas read by a schema of the same data: the SAP-Data part of 17.0, 17.1 and
#: 18.0 is 19.0's without SAP-Special-Features (which the readers skip), and their code
#: lists are subsets of 19.0's; the Northern Ireland schemas differ from their England and
#: Wales twins only in their version attribute, an optional main-heating brand / model block
#: and (NI-20.0.0) fewer enumerations. Compared with the register's XSDs
#: (communitiesuk/epb-register-api @ 4b94aabf3141bf0f6292576db077667cdc8182cb,
#: api/schemas/xml/<schema>/RdSAP/Templates/EPC-CollectedData.xsd and UDT/SAP-Domains.xsd).
#: NI-19.0 is laid out differently and is not read.
SCHEMA_ALIASES: dict[str, str] = {
    "RdSAP-Schema-17.0": "RdSAP-Schema-19.0", "RdSAP-Schema-17.1": "RdSAP-Schema-19.0",
    "RdSAP-Schema-18.0": "RdSAP-Schema-19.0", "RdSAP-Schema-NI-17.3": "RdSAP-Schema-19.0",
    "RdSAP-Schema-NI-17.4": "RdSAP-Schema-19.0", "RdSAP-Schema-NI-18.0": "RdSAP-Schema-19.0",
    "RdSAP-Schema-NI-20.0.0": "RdSAP-Schema-20.0.0",
    "RdSAP-Schema-NI-21.0.0": "RdSAP-Schema-21.0.0",
    "RdSAP-Schema-NI-21.0.1": "RdSAP-Schema-21.0.1"}
#: Register schemas the readers accept: RdSAP 10 (21.0.x), RdSAP 9.x (20.0.0, 19.0) and the
#: schemas read as one of them (SCHEMA_ALIASES).
SUPPORTED_SCHEMA_TYPES: tuple[str, ...] = (
    "RdSAP-Schema-21.0.1", "RdSAP-Schema-21.0.0", "RdSAP-Schema-20.0.0", "RdSAP-Schema-19.0",
    *SCHEMA_ALIASES)


def reading_schema(schema_type: str | None) -> str:
    """The schema whose rules read ``schema_type`` (itself unless it is an alias)."""
    return SCHEMA_ALIASES.get(schema_type or "", schema_type or "")

_BASES = frozenset({"Report-Header", "Energy-Assessment", "Property-Summary", "Energy-Use",
                    "SAP-Data", "SAP-Property-Details", "Identification-Number", "Property",
                    "Address"})
_EXCLUDES = frozenset({"ExternalDefinitions-Revision-Number", "User-Interface-Name",
                       "User-Interface-Version", "PCDF-Revision-Number",
                       "Related-Party-Disclosure", "Insurance-Details", "Previous-EPC-Check",
                       "Green-Deal-Package", "Energy-Assessor", "Green-Deal-Category", "RRN"})
# The warehouse's list nodes, plus Shower-Outlets and PV-Batteries (arrays in its samples).
_LIST_NODES = frozenset({"SAP-Floor-Dimensions", "LZC-Energy-Sources", "Suggested-Improvements",
                         "ImprovementTexts", "SAP-Building-Parts", "SAP-Windows",
                         "SAP-Deselected-Improvements", "Main-Heating-Details",
                         "Storage-Heaters", "SAP-Special-Features", "Air-Change-Rates",
                         "PV-Arrays", "Alternative-Improvements", "Shower-Outlets",
                         "PV-Batteries"})
_ROOTLESS = {"Wall": "walls", "Roof": "roofs", "Main-Heating-Controls": "main_heating_controls",
             "Addendum-Number": "addendum_numbers"}
_ROOTLESS_IN_SUMMARY = {"Floor": "floors", "Main-Heating": "main_heating"}

_SCHEMA_RE = re.compile(r"(RdSAP-Schema(?:-NI|-S)?-\d+(?:\.\d+)*|SAP-Schema(?:-NI|-S)?-\d+"
                        r"(?:\.\d+)*)")
_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _snake(name: str) -> str:
    return name.lower().replace("-", "_")


def decode_document(data: bytes) -> str:
    """The document's text, decoded with the encoding its XML declaration names (UTF-8 when
    none), for ``raw_document``; undecodable bytes become U+FFFD."""
    match = _ENCODING_RE.match(data[:200])
    encoding = match[1].decode("ascii") if match else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


def parse_xml(data: bytes | str, source: str | None = None) -> Element:
    """Parse one XML document safely (see the module docstring) and return its root.

    Tags (and attribute names) in the returned tree may be in expat's ``namespace}local``
    form; read them with :func:`local_name`."""
    try:
        # the limits are read here, at the call, so that a test may lower them
        return parse_xml_safely(data, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DEPTH)
    except XmlRefusedError as exc:
        error = UnsafeDocumentError if exc.unsafe else CertificateReadError
        raise error(None, "(document)", exc.reason, source=source) from None


def certificate_number(root: Element) -> str | None:
    """The RRN (``Report-Header/RRN``), or ``None`` when the document has none."""
    for child in root:
        if local_name(child.tag) == "Report-Header":
            for item in child:
                if local_name(item.tag) == "RRN":
                    text = (item.text or "").strip()
                    return text or None
    return None


def detect_schema_type(root: Element, document: dict[str, Any]) -> tuple[str | None, bool]:
    """The register schema of an RdSAP document, and whether it was guessed.

    Read in turn from ``xsi:schemaLocation`` (``.../RdSAP-Schema-21.0.1/RdSAP/...``) and from
    ``Schema-Version-Original`` when it names a register schema; otherwise guessed: the old
    ``www.epcregister.com`` namespace means RdSAP-Schema-19.0, ``SAP-Version`` 10.2 means
    RdSAP-Schema-21.0.1 (21.0.0 differs only in addendum codes), an older SAP version
    RdSAP-Schema-20.0.0.
    """
    location = next((value for key, value in root.attrib.items()
                     if local_name(key) == "schemaLocation"), "")
    if match := _SCHEMA_RE.search(location):
        return match[1], False
    original = document.get("schema_version_original")
    if isinstance(original, str) and _SCHEMA_RE.fullmatch(original.strip()):
        return original.strip(), False
    if "epcregister.com" in root.tag:
        return "RdSAP-Schema-19.0", True
    version = document.get("sap_version")
    try:
        version_number = float(version) if version is not None else None
    except (TypeError, ValueError):
        version_number = None
    if version_number is None or version_number >= 10:
        return "RdSAP-Schema-21.0.1", True
    return "RdSAP-Schema-20.0.0", True


def _coerce(text: str) -> Any:
    """The register JSON transform's number coercion (``try_as_number``)."""
    if not _NUMBER_RE.fullmatch(text):
        return text
    if "." in text or "e" in text or "E" in text:
        number = float(text)
        return number if math.isfinite(number) else text
    return int(text)


#: Subtrees the readers never look at, skipped when building a document for them.
_UNREAD = frozenset({"Suggested-Improvements", "Alternative-Improvements", "LZC-Energy-Sources",
                     "Addendum", "SAP-Deselected-Improvements", "SAP-Special-Features",
                     "Calculation-Software-Name", "Calculation-Software-Version"})
_TAGS: dict[str, tuple[str, str]] = {}


def _tag(tag: str) -> tuple[str, str]:
    """(local name, snake_case key) of a tag, memoised (bounded: hostile documents can hold any
    number of distinct tags)."""
    found = _TAGS.get(tag)
    if found is None:
        name = local_name(tag)
        found = (name, _snake(name))
        if len(_TAGS) < 4096:
            _TAGS[tag] = found
    return found


class _Converter:
    def __init__(self, coerce: bool, skip: frozenset[str]) -> None:
        self.coerce = coerce
        self.skip = skip

    def leaf(self, element: Element) -> Any:
        text = element.text
        if text is None:
            return None
        text = text.strip()
        if not text:
            return None
        value: Any = _coerce(text) if self.coerce else text
        if element.attrib:
            attributes: dict[str, Any] = {local_name(k): v for k, v in element.attrib.items()}
            attributes["value"] = value
            return attributes
        return value

    def convert(self, element: Element, name: str, in_summary: bool) -> Any:
        if len(element) == 0:
            return self.leaf(element)
        if name in _LIST_NODES:
            out_list = []
            for child in element:
                if isinstance(child.tag, str):
                    item = self.convert(child, _tag(child.tag)[0], in_summary)
                    if item is not None:
                        out_list.append(item)
            return out_list or None
        out: dict[str, Any] = {}
        self.fill(out, element, in_summary)
        return out or None

    def fill(self, target: dict[str, Any], element: Element, in_summary: bool) -> None:
        written: set[str] = set()
        repeated: set[str] = set()
        skip = self.skip
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):  # comments, processing instructions
                continue
            name, key = _tag(tag)
            if name in skip:
                continue
            if name in _BASES:
                self.fill(target, child, in_summary or name == "Property-Summary")
                continue
            value = self.convert(child, name, in_summary)
            if value is None:
                continue
            rootless = _ROOTLESS.get(name) or (_ROOTLESS_IN_SUMMARY.get(name) if in_summary
                                               else None)
            if rootless:
                existing = target.get(rootless)
                if isinstance(existing, list):
                    existing.append(value)
                else:
                    target[rootless] = [value]
            elif name in _LIST_NODES:  # repeated containers (PV-Arrays) extend one array
                if key in written and isinstance(target[key], list):
                    target[key].extend(value)
                else:
                    target[key] = value
                    written.add(key)
            elif key in written:
                if key in repeated:
                    target[key].append(value)
                else:
                    target[key] = [target[key], value]
                    repeated.add(key)
            else:
                target[key] = value
                written.add(key)


def xml_to_document(root: Element, *, coerce_numbers: bool = False, complete: bool = True
                    ) -> dict[str, Any]:
    """The register JSON shape of a parsed RdSAP document (see the module docstring).

    ``complete=False`` leaves out the subtrees the readers never use (improvements, addendum,
    low and zero carbon sources, software names)."""
    document: dict[str, Any] = {}
    skip = _EXCLUDES if complete else _EXCLUDES | _UNREAD
    _Converter(coerce_numbers, skip).fill(document, root, False)
    return document
