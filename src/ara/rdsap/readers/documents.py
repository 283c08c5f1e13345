"""One certificate in, one row out: RdSAP XML and register JSON documents."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import IO, Any, Literal

from ara.rdsap.readers.errors import CertificateReadError
from ara.rdsap.readers.mapping import (
    Context,
    document_to_row,
    full_sap_summary_row,
    is_full_sap_schema,
)
from ara.rdsap.readers.values import to_text
from ara.rdsap.readers.xml_document import (
    MAX_DOCUMENT_BYTES,
    certificate_number,
    decode_document,
    detect_schema_type,
    local_name,
    parse_xml,
    xml_to_document,
)

__all__ = ["FullSap", "XmlSource", "read_register_json", "read_rdsap_xml", "register_json_row",
           "xml_row", "xml_to_register_json"]

#: A path, the document's bytes or text, or a binary/text file object.
XmlSource = str | os.PathLike[str] | bytes | IO[bytes] | IO[str]

#: What the readers do with a full SAP (SAP-Schema) certificate: ``"refuse"`` it (the default:
#: the RdSAP readers read RdSAP certificates; ``ara.sap.xml_reader`` and
#: ``ara.sap.sap_json_reader`` read full SAP ones), or read its ``"summary"`` only (metadata,
#: lodged results, descriptions, ``raw_document``; every RdSAP physical column null), as the
#: ingestion paths do so that the First Run stores the certificate and the Baseline rates it
#: with the full SAP readers from ``raw_document``.
FullSap = Literal["refuse", "summary"]
_FULL_SAP_ROOTS = ("SAP-Report", "SAP-Compliance-Report")
_SAP_SCHEMA_RE = re.compile(r"SAP-Schema(?:-NI|-S)?-\d+(?:\.\d+)*")


def _check_full_sap(full_sap: str) -> None:
    if full_sap not in ("refuse", "summary"):
        raise ValueError(f"full_sap must be 'refuse' or 'summary', not {full_sap!r}")


def _full_sap_xml_schema(root: Any, document: dict[str, Any]) -> str | None:
    """The SAP-Schema a full SAP XML document states (``xsi:schemaLocation``, else
    ``Schema-Version-Original``); None when it states none."""
    location = next((value for key, value in root.attrib.items()
                     if local_name(key) == "schemaLocation"), "")
    for text in (location, document.get("schema_version_original")):
        if isinstance(text, str) and (match := _SAP_SCHEMA_RE.search(text)):
            return match[0]
    return None

_CERTIFICATE_KEYS = ("certificate_number", "certificateNumber", "rrn", "assessment_id")


def _load_xml_source(source: XmlSource) -> tuple[bytes, str | None]:
    """(document bytes, source name)."""
    if isinstance(source, bytes):
        return source, None
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n").startswith("<"):
        return source.encode("utf-8"), None
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise CertificateReadError(None, "(document)", f"file of {size} bytes exceeds the "
                                       f"{MAX_DOCUMENT_BYTES}-byte limit", source=str(path))
        return path.read_bytes(), str(path)
    data = source.read(MAX_DOCUMENT_BYTES + 1)
    name = getattr(source, "name", None)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise CertificateReadError(None, "(document)", "document exceeds the "
                                   f"{MAX_DOCUMENT_BYTES}-byte limit", source=name)
    return (data.encode("utf-8") if isinstance(data, str) else data), (
        str(name) if name is not None else None)


def xml_row(data: bytes, *, source: str | None = None, schema_type: str | None = None,
            validate: bool = True, keep_raw: bool = True, data_source: str = "xml",
            full_sap: FullSap = "refuse") -> dict[str, Any]:
    """The row of one RdSAP XML document given as bytes (see :func:`read_rdsap_xml`)."""
    _check_full_sap(full_sap)
    root = parse_xml(data, source)
    name = local_name(root.tag)
    rrn = certificate_number(root)
    if name in _FULL_SAP_ROOTS and full_sap == "summary":
        document = xml_to_document(root, complete=False)
        stated = schema_type or _full_sap_xml_schema(root, document)
        if stated is None:
            raise CertificateReadError(rrn, "schema_type", "a full SAP certificate that names "
                                       "no SAP-Schema (xsi:schemaLocation, "
                                       "Schema-Version-Original)", source=source)
        return full_sap_summary_row(document, Context(
            certificate_number=rrn, schema_type=stated, data_source=data_source,
            source=source, raw_document=decode_document(data) if keep_raw else None))
    if name != "RdSAP-Report":
        # SAP-Schema-16.x full SAP: SAP09-Data inside a ConditionReportCreateRequest_1 message
        sap09 = name == "ConditionReportCreateRequest_1" and any(
            local_name(e.tag) == "SAP09-Data" for e in root.iter() if isinstance(e.tag, str))
        what = "a full SAP certificate (read it with ara.sap.xml_reader.read_sap_xml)" if name in (
            "SAP-Report", "SAP-Compliance-Report") or sap09 else f"root element <{name}>"
        raise CertificateReadError(rrn, "(document)", f"not an RdSAP certificate: {what}",
                                   source=source)
    document = xml_to_document(root, complete=False)
    detected, guessed = detect_schema_type(root, document)
    ctx = Context(certificate_number=rrn, schema_type=schema_type or detected,
                  data_source=data_source, source=source,
                  raw_document=decode_document(data) if keep_raw else None)
    if guessed and schema_type is None:
        ctx.inferred_fields.append("schema_type")
    return document_to_row(document, ctx, validate=validate)


def read_rdsap_xml(source: XmlSource, *, schema_type: str | None = None,
                   validate: bool = True, keep_raw: bool = True,
                   full_sap: FullSap = "refuse") -> dict[str, Any]:
    """Read one RdSAP XML certificate (schemas 21.0.1, 21.0.0, 20.0.0, 19.0) into a row.

    ``source`` is a path, the document as bytes or text, or a file object. The row is a
    dict keyed by the names of ``CERTIFICATE_SCHEMA`` (list columns are lists of dicts).
    ``schema_type`` overrides the schema found in the document (``xsi:schemaLocation``,
    ``Schema-Version-Original``, else guessed and listed in ``inferred_fields``).
    With ``validate`` the register's lodgement rules are checked; ``keep_raw=False``
    leaves ``raw_document`` null. A full SAP certificate (``SAP-Report``) is refused
    unless ``full_sap="summary"`` (see :data:`FullSap`). The schemas read as one of these
    (``SCHEMA_ALIASES``: 17.0, 17.1, 18.0 and the Northern Ireland schemas NI-17.3 to
    NI-21.0.1) are read too; RdSAP 9.x codes that changed meaning are translated to
    RdSAP 10 codes. XML is parsed with ``defusedxml``; the same certificate as register
    JSON gives the same row (:func:`read_register_json`).

    Parameters
    ----------
    source : str, os.PathLike, bytes or file object
        The certificate: a path, the XML as bytes or as text (a string that starts with
        ``<``), or a binary or text file object. Documents over ``MAX_DOCUMENT_BYTES``
        (16 MiB) are refused.
    schema_type : str, optional
        The register schema to read the document as (e.g. ``"RdSAP-Schema-21.0.1"``),
        overriding the one the document states or the guess.
    validate : bool, default True
        Check the register's lodgement rules (``ara.rdsap.readers.rules``) and refuse a
        certificate that breaks one.
    keep_raw : bool, default True
        Keep the document's text in ``raw_document``; False leaves it null.
    full_sap : {"refuse", "summary"}, default "refuse"
        A full SAP certificate (``SAP-Report``, ``SAP-Compliance-Report``): ``"refuse"``
        raises; ``"summary"`` reads its metadata, lodged results, descriptions and
        ``raw_document`` only, every RdSAP physical column null.

    Returns
    -------
    dict
        One row of ``CERTIFICATE_SCHEMA`` (``CERTIFICATE_SCHEMA_VERSION`` 1.0.0): column
        name -> value, list columns (building parts, windows, ...) as lists of dicts,
        with ``certificate_number``, ``schema_type``, ``data_source`` "xml",
        ``inferred_fields`` and ``raw_document``; ``rows_to_batch`` turns rows into a
        record batch.

    Raises
    ------
    UnsafeDocumentError
        An XXE / entity-expansion document (entity declarations, external references)
        or one over the size limit.
    CertificateReadError
        Anything else that cannot be read or breaks a lodgement rule: not an RdSAP
        certificate, a full SAP one with ``full_sap="refuse"``, bad XML, a bad value;
        ``certificate_number``, ``field`` and ``message`` say which, ``failures`` lists
        every problem.
    ValueError
        ``full_sap`` is not "refuse" or "summary".
    OSError
        ``source`` is a path that cannot be read.

    References
    ----------
    The register's XSDs (communitiesuk/epb-register-api @ 4b94aabf,
    ``api/schemas/xml/<schema>/RdSAP/Templates/EPC-CollectedData.xsd`` and
    ``UDT/SAP-Domains.xsd``): RdSAP-Schema-21.0.1 and 21.0.0 (RdSAP 10), 20.0.0 and 19.0
    (RdSAP 9.x), with the aliases of ``SCHEMA_ALIASES``; copies of 21.0.1 and 20.0.0 in
    ``tests/vectors/xsd/``. The register's domestic lodgement rules
    (``ara.rdsap.readers.rules``); RdSAP 9.x -> RdSAP 10 codes:
    ``docs/rdsap/code_mapping.md``. Measured coverage of the XSDs: ``docs/coverage.md``.
    Project decision 0008 (every certificate becomes a row through these readers).
    """
    data, name = _load_xml_source(source)
    return xml_row(data, source=name, schema_type=schema_type, validate=validate,
                   keep_raw=keep_raw, full_sap=full_sap)


def unwrap_envelope(obj: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """(certificate document, certificate number) from what the register serves: the
    ``GET /api/certificate`` body ``{"data": {...}}``, a bulk-export row
    ``{"certificate_number": ..., "document": {...}}``, or the document itself."""
    number = next((to_text(obj[k]) for k in _CERTIFICATE_KEYS if obj.get(k) is not None), None)
    for key in ("data", "document"):
        inner = obj.get(key)
        if isinstance(inner, dict) and len(obj) <= 4:
            inner_number = next((to_text(inner[k]) for k in _CERTIFICATE_KEYS
                                 if inner.get(k) is not None), None)
            return inner, inner_number or number
    return obj, number


def _json_schema_type(document: dict[str, Any]) -> tuple[str | None, bool]:
    declared = to_text(document.get("schema_type"))
    if declared:
        return declared, False
    version = document.get("sap_version")
    try:
        older = version is not None and float(version) < 10
    except (TypeError, ValueError):
        older = False
    return ("RdSAP-Schema-20.0.0" if older else "RdSAP-Schema-21.0.1"), True


def _json_full_sap_schema(document: dict[str, Any]) -> str | None:
    """The SAP-Schema a register JSON document names (``schema_type``, else
    ``schema_version_original``), or None when it is not a full SAP certificate."""
    for key in ("schema_type", "schema_version_original"):
        declared = document.get(key)
        if isinstance(declared, str) and declared.strip():
            declared = declared.strip()
            return declared if is_full_sap_schema(declared) else None
    return None


def register_json_row(obj: dict[str, Any], *, certificate_number: str | None = None,
                      source: str | None = None, raw_document: str | None = None,
                      validate: bool = True, data_source: str = "register_json",
                      full_sap: FullSap = "refuse") -> dict[str, Any]:
    """The row of one parsed register JSON object (see :func:`read_register_json`)."""
    _check_full_sap(full_sap)
    if not isinstance(obj, dict):
        raise CertificateReadError(certificate_number, "(document)",
                                   f"expected a JSON object, found {type(obj).__name__}",
                                   source=source)
    document, number = unwrap_envelope(obj)
    if full_sap == "summary" and (sap_schema := _json_full_sap_schema(document)):
        return full_sap_summary_row(document, Context(
            certificate_number=certificate_number or number, schema_type=sap_schema,
            data_source=data_source, source=source, raw_document=raw_document))
    schema_type, guessed = _json_schema_type(document)
    ctx = Context(certificate_number=certificate_number or number, schema_type=schema_type,
                  data_source=data_source, source=source, raw_document=raw_document)
    if guessed:
        ctx.inferred_fields.append("schema_type")
    return document_to_row(document, ctx, validate=validate)


def read_register_json(obj_or_text: dict[str, Any] | str | bytes, *,
                       certificate_number: str | None = None, validate: bool = True,
                       keep_raw: bool = True, full_sap: FullSap = "refuse") -> dict[str, Any]:
    """Read one certificate of the register API (``GET /api/certificate``) into a row.

    ``obj_or_text`` is the parsed JSON or its text; the ``{"data": ...}`` envelope is
    optional (a bulk-export row ``{"certificate_number": ..., "document": {...}}`` is
    unwrapped too). The certificate number is taken from ``certificate_number`` when
    given, else from the document (``certificate_number``, ``rrn``); the register's
    document itself carries none. ``raw_document`` holds the text given, or the object
    re-serialised when an object was given. A full SAP certificate (``schema_type``
    SAP-Schema-...) is refused unless ``full_sap="summary"`` (see :data:`FullSap`).
    Errors as for :func:`read_rdsap_xml`. The schema is the document's ``schema_type``,
    else guessed from ``sap_version`` (below 10: RdSAP-Schema-20.0.0, otherwise 21.0.1)
    and listed in ``inferred_fields``.

    Parameters
    ----------
    obj_or_text : dict, str or bytes
        The register's JSON for one certificate, parsed or as (UTF-8) text, with or
        without its envelope.
    certificate_number : str, optional
        The certificate's RRN, used in place of any number found in the object.
    validate : bool, default True
        Check the register's lodgement rules and refuse a certificate that breaks one.
    keep_raw : bool, default True
        Keep the JSON text in ``raw_document``; False leaves it null.
    full_sap : {"refuse", "summary"}, default "refuse"
        A full SAP certificate: ``"refuse"`` raises; ``"summary"`` reads its summary only
        (metadata, lodged results, descriptions, ``raw_document``).

    Returns
    -------
    dict
        One row of ``CERTIFICATE_SCHEMA`` as for :func:`read_rdsap_xml`, with
        ``data_source`` "register_json"; XML and JSON of the same certificate give the
        same row (one mapping of the register's JSON shape).

    Raises
    ------
    CertificateReadError
        Invalid JSON, not a JSON object, a full SAP certificate with
        ``full_sap="refuse"``, a value that cannot be read or breaks a lodgement rule.
    ValueError
        ``full_sap`` is not "refuse" or "summary".

    References
    ----------
    The register's JSON of the RdSAP schemas RdSAP-Schema-21.0.1, 21.0.0 and 20.0.0 (and
    the XSDs above them, as for :func:`read_rdsap_xml`), as served by ``GET
    /api/certificate`` and by the bulk export (communitiesuk/epb-data-warehouse samples in
    ``tests/vectors/register/``). The register's domestic lodgement rules
    (``ara.rdsap.readers.rules``). Project decision 0008 (EPC fetchers read through these
    readers).
    """
    if isinstance(obj_or_text, bytes | str):
        text = obj_or_text.decode("utf-8") if isinstance(obj_or_text, bytes) else obj_or_text
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise CertificateReadError(certificate_number, "(document)",
                                       f"invalid JSON: {exc}") from None
        raw = text if keep_raw else None
    else:
        obj = obj_or_text
        raw = json.dumps(obj, ensure_ascii=False) if keep_raw else None
    return register_json_row(obj, certificate_number=certificate_number, raw_document=raw,
                             validate=validate, full_sap=full_sap)


def xml_to_register_json(source: XmlSource, *, include_certificate_number: bool = True,
                         schema_type: str | None = None) -> dict[str, Any]:
    """The register's JSON for an RdSAP XML certificate, as the register's transform makes it
    (numbers coerced, leading zeros lost), plus ``schema_type`` and, unless told otherwise,
    ``certificate_number`` (the register drops the RRN from the document). Useful to turn a
    folder of XML into the NDJSON the bulk reader streams."""
    data, name = _load_xml_source(source)
    root = parse_xml(data, name)
    document = xml_to_document(root, coerce_numbers=True)
    detected, _guessed = detect_schema_type(root, document)
    document["schema_type"] = schema_type or detected
    rrn = certificate_number(root)
    if include_certificate_number and rrn:
        document["certificate_number"] = rrn
    return document
