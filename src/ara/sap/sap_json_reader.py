"""Read full-SAP register JSON (the data warehouse's ``GET /api/certificate`` for SAP-Schema
certificates) into ``SAP_INPUT_SCHEMA`` rows: the same rows as :mod:`ara.sap.xml_reader` gives
for the XML of the same certificate.

Public API
----------
* :func:`read_sap_json` - one document -> one row (as :func:`~ara.sap.xml_reader.read_sap_xml`).
* :func:`read_sap_json_certificate` - one document -> a :class:`~ara.sap.xml_reader.SapReading`
  in strict or estimate mode (as :func:`~ara.sap.xml_reader.read_sap_xml_certificate`).
* :func:`is_sap_json` - whether a parsed register document is a full-SAP certificate.
* :class:`SapJsonError` - every failure, naming the file and the JSON path (a subclass of
  :class:`~ara.sap.xml_reader.SapXmlError`, so callers catching that catch both).

The JSON shape
--------------
The warehouse makes the JSON from the lodged XML by a mechanical transform
(communitiesuk/epb-data-warehouse ``XmlPresenter::Parser``, ``Sap1900ExportConfiguration``:
``setup additional_bases: %w[SAP10-Data]``); compared element by element with the XML of the
same certificate (``tests/vectors/register/SAP-Schema-19.1.0.json`` / ``.xml``):

* element names become snake_case keys (``Main-Heating-Code`` -> ``main_heating_code``,
  ``IsArgonFilled`` -> ``isargonfilled``, ``PSV-Count`` -> ``psv_count``);
* the wrappers ``Report-Header``, ``Energy-Assessment``, ``Property-Summary``, ``Energy-Use``,
  ``SAP10-Data`` and ``SAP-Property-Details`` are dropped, so the collected data sit at the top
  level beside the summary (``living_area``, ``sap_heating``, ``sap_building_parts``, ...);
* list containers become arrays of their items (``sap_building_parts``,
  ``sap_floor_dimensions``, ``sap_openings``, ``sap_walls``, ``sap_roofs``,
  ``sap_opening_types``, ``main_heating_details``, ``shower_outlets``, ``wind_turbines``,
  ``sap_community_heating_systems``, ``pv_arrays``); ``SAP-Lighting/Fixed-Lights`` becomes an
  array holding the array of lights (``sap_lighting: [[{...}, ...]]``);
* ``SAP-Thermal-Bridges`` stays an object whose ``SAP-Thermal-Bridge`` items are the array
  ``thermal_bridges``;
* numbers become JSON numbers (leading zeros lost), booleans the strings ``"true"`` /
  ``"false"``; an element with attributes becomes ``{"value": ..., <attribute>: ...}``;
  empty elements are left out;
* ``schema_type`` (and ``schema_version_original``) name the schema; the response may come in a
  ``{"data": {...}}`` envelope.

Reading goes through the XML reader's mapping (every rule, code list and check is the same):
:class:`_JsonNode` answers its element-name look-ups on the JSON object. Known differences of
the sample pair (synthetic documents; neither is read wrongly): the JSON lodges
``main_fuel_type`` 47 (heat from a heat network, "high grade heat recovered from process")
where the XML lodges 39 (electricity) for the same electric CPSU (Main-Heating-Code 192), and
its postcode, UPRN and ``created_at`` differ; every other input field agrees.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ara.sap.fallbacks import check_mode
from ara.sap.products import BoilerProducts
from ara.sap.xml_reader import (
    MAX_DOCUMENT_BYTES,
    SAP10_SCHEMA_VERSIONS,
    SapReading,
    SapXmlError,
    _complete,
    _Lodged,
    _map_details,
    _Node,
)

__all__ = ["SapJsonError", "is_sap_json", "read_sap_json", "read_sap_json_certificate"]


class SapJsonError(SapXmlError):
    """A full-SAP register JSON document could not be read (``field`` is the JSON path)."""


#: Element names whose JSON key is not their snake_case form.
_ALIASES: dict[str, tuple[str, ...]] = {"SAP-Thermal-Bridge": ("thermal_bridges",)}
#: A wrapper inside a wrapper that the transform turns into a nested array.
_NESTED_WRAPPERS = frozenset({"Fixed-Lights"})


def _snake(name: str) -> str:
    return name.lower().replace("-", "_")


class _JsonNode(_Node):
    """A JSON value answering the XML reader's element-name look-ups (see the module doc)."""

    __slots__ = ()

    def error(self, name: str | None, reason: str) -> SapXmlError:
        return SapJsonError(self.source, f"{self.path}/{self._step(name)}" if name
                            else self.path, reason)

    def _step(self, name: str) -> str:
        return _snake(name)

    def _item_path(self, name: str, i: int) -> str:
        # the items of an array are addressed by position: sap_building_parts[1]
        base = self.path if isinstance(self.el, list) else f"{self.path}/{self._step(name)}"
        return f"{base}[{i}]"

    def _value_of(self, name: str) -> Any:
        if not isinstance(self.el, dict):
            return None
        for key in (_snake(name), *_ALIASES.get(name, ())):
            value = self.el.get(key)
            if value is not None:
                return value
        return None

    def _one(self, name: str) -> list[Any]:
        if isinstance(self.el, list):
            if name not in _NESTED_WRAPPERS:
                raise self.error(name, "expected an object, found an array")
            # [[item, ...]] (the transform's nesting) or [item, ...] (already flat)
            if self.el and all(isinstance(item, list) for item in self.el):
                return [[item for inner in self.el for item in inner]]
            return [self.el]
        value = self._value_of(name)
        return [] if value is None else [value]

    def _many(self, name: str) -> list[Any]:
        value = self.el if isinstance(self.el, list) else self._value_of(name)
        if value is None:
            return []
        return [v for v in value if v is not None] if isinstance(value, list) else [value]

    def _leaf(self) -> str:
        value = self.el
        if isinstance(value, dict) and "value" in value:  # {"value": ..., "quantity": ...}
            value = value["value"]
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise SapJsonError(self.source, self.path, f"non-finite number {value!r}")
            return repr(value)
        if isinstance(value, str):
            return value.strip()
        raise SapJsonError(self.source, self.path, "expected a value, found "
                           + ("an array" if isinstance(value, list) else "an object"))


def _unwrap(obj: Any, source: str) -> dict[str, Any]:
    """The certificate document from the response body ``{"data": {...}}`` or the document."""
    if not isinstance(obj, dict):
        raise SapJsonError(source, "(document)", f"expected a JSON object, found "
                           f"{type(obj).__name__}")
    inner = obj.get("data")
    if isinstance(inner, dict) and len(obj) <= 4:
        return inner
    return obj


def _schema(document: dict[str, Any]) -> str | None:
    for key in ("schema_type", "schema_version_original"):
        value = document.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def is_sap_json(obj: Any) -> bool:
    """Whether a parsed register document (or its ``{"data": ...}`` envelope) is a full-SAP
    certificate (``schema_type`` SAP-Schema-..., or ``assessment_type`` SAP)."""
    try:
        document = _unwrap(obj, "")
    except SapJsonError:
        return False
    schema = _schema(document) or ""
    return schema.startswith("SAP-Schema") or (
        not schema and str(document.get("assessment_type", "")).upper() == "SAP")


def _load(source: str | Path | bytes | dict[str, Any],
          dwelling_id: str | None) -> tuple[dict[str, Any], str, str]:
    """(document, source name for errors, dwelling id)."""
    if isinstance(source, dict):
        ident = dwelling_id if dwelling_id is not None else "dwelling"
        return _unwrap(source, ident), ident, ident
    if isinstance(source, bytes | bytearray):
        ident = dwelling_id if dwelling_id is not None else "dwelling"
        data, name = bytes(source), ident
    else:
        path = Path(source)
        name, ident = path.name, dwelling_id if dwelling_id is not None else path.stem
        try:
            if (size := path.stat().st_size) > MAX_DOCUMENT_BYTES:  # refused before reading
                raise SapJsonError(name, "(document)", f"document is {size} bytes, above the "
                                   f"{MAX_DOCUMENT_BYTES}-byte limit")
            data = path.read_bytes()
        except OSError as exc:
            raise SapJsonError(name, "(file)", f"cannot read file: {exc.strerror or exc}"
                               ) from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise SapJsonError(name, "(document)", f"document is {len(data)} bytes, above the "
                           f"{MAX_DOCUMENT_BYTES}-byte limit")
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SapJsonError(name, "(document)", f"invalid JSON: {exc}") from None
    return _unwrap(obj, name), name, ident


def _map(document: dict[str, Any], name: str, ident: str) -> tuple[dict[str, Any], _Lodged]:
    root = _JsonNode(document, "", name)
    schema = _schema(document)
    if schema is not None and schema.startswith("RdSAP"):
        raise root.error("schema_type", f"this is an RdSAP certificate ({schema}); "
                         "read_sap_json reads full SAP certificates (SAP-Schema-19.x) only")
    if schema is not None and schema not in SAP10_SCHEMA_VERSIONS:
        raise root.error("schema_type", f"unsupported schema version {schema!r} (supported: "
                         f"{', '.join(sorted(SAP10_SCHEMA_VERSIONS))})")
    if document.get("sap_heating") is None or document.get("sap_building_parts") is None:
        raise root.error("sap_heating", "the document carries no collected SAP data "
                         "(sap_heating / sap_building_parts): a summary without the SAP10-Data "
                         "cannot be mapped")
    return _map_details(root, ident)


def read_sap_json(source: str | Path | bytes | dict[str, Any],
                  dwelling_id: str | None = None) -> dict[str, Any]:
    """Read one full-SAP register JSON document into a ``SAP_INPUT_SCHEMA`` row.

    ``source`` is a file path, the document's bytes, or the parsed object (the
    ``{"data": ...}`` envelope is optional). ``dwelling_id`` defaults to the file stem, or
    ``'dwelling'``. Raises :class:`SapJsonError`.
    """
    document, name, ident = _load(source, dwelling_id)
    return _map(document, name, ident)[0]


def read_sap_json_certificate(source: str | Path | bytes | dict[str, Any],
                              mode: str = "strict",
                              dwelling_id: str | None = None, *,
                              products: BoilerProducts | None = None) -> SapReading:
    """Read one full-SAP register JSON certificate for rating in ``mode``: the row of
    :func:`read_sap_json` completed by the SAP rules and declared fallbacks exactly as
    :func:`~ara.sap.xml_reader.read_sap_xml_certificate` completes the XML's.

    ``products`` (keyword): the user's PCDB, for a gas / LPG / oil boiler lodged by its PCDB
    index (``main_heating_index_number``) without a ``main_heating_code``: its product
    efficiencies (SAP 10.2 Appendix D), else the declared fallback
    ``boiler_product_unavailable`` - as in
    :func:`~ara.sap.xml_reader.read_sap_xml_certificate`."""
    document, name, ident = _load(source, dwelling_id)
    row, lodged = _map(document, name, ident)
    return _complete(row, lodged, check_mode(mode), products)
