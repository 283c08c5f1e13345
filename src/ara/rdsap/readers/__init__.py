"""Readers of EPC certificates in every form the register publishes, into one Arrow table of
certificate data (:data:`CERTIFICATE_SCHEMA`).

======================================  =========================================================
function                                reads
======================================  =========================================================
:func:`read_rdsap_xml`                  one RdSAP XML certificate (RdSAP-Schema-21.0.1, 21.0.0,
                                        20.0.0, 19.0) -> row dict
:func:`read_register_json`              one certificate of the register API (``GET
                                        /api/certificate``) -> row dict
:func:`read_certificates`               NDJSON archives (plain, ``.gz``, ``.zip``), folders of
                                        XML/JSON, lists of files -> stream of
                                        ``(RecordBatch, failures)``
:func:`read_documents`                  documents already in memory -> the same stream
:func:`read_summary_csv`                open-data summary CSV rows -> ``(Table, failures)``
                                        (:func:`iter_summary_csv` streams)
:func:`parse_descriptions`              description texts -> coded fields, where unambiguous
:func:`xml_to_register_json`            RdSAP XML -> the register's JSON for it
======================================  =========================================================

XML and JSON of the same certificate give identical rows: both go through one mapping of the
register's JSON shape (:mod:`ara.rdsap.readers.mapping`). Codes of RdSAP 9.x schemas that
changed meaning are translated to RdSAP 10 codes (:mod:`ara.rdsap.readers.code_mapping`,
``docs/rdsap/code_mapping.md``). XML is parsed with ``defusedxml``. A certificate that cannot be
read, or breaks the register's lodgement rules (:mod:`ara.rdsap.readers.rules`), raises
:class:`CertificateReadError` (certificate, field, message); the batch readers report it as a
:class:`ReadFailure` and go on.
"""

from ara.rdsap.readers.bulk import (
    read_certificates,
    read_certificates_table,
    read_documents,
    rows_to_batch,
)
from ara.rdsap.readers.csv_summary import iter_summary_csv, read_summary_csv
from ara.rdsap.readers.descriptions import parse_descriptions
from ara.rdsap.readers.documents import read_rdsap_xml, read_register_json, xml_to_register_json
from ara.rdsap.readers.errors import CertificateReadError, ReadFailure, UnsafeDocumentError
from ara.rdsap.readers.schema import CERTIFICATE_SCHEMA, CERTIFICATE_SCHEMA_VERSION
from ara.rdsap.readers.xml_document import MAX_DOCUMENT_BYTES, SUPPORTED_SCHEMA_TYPES

__all__ = [
    "CERTIFICATE_SCHEMA",
    "CERTIFICATE_SCHEMA_VERSION",
    "MAX_DOCUMENT_BYTES",
    "SUPPORTED_SCHEMA_TYPES",
    "CertificateReadError",
    "ReadFailure",
    "UnsafeDocumentError",
    "iter_summary_csv",
    "parse_descriptions",
    "read_certificates",
    "read_certificates_table",
    "read_documents",
    "read_rdsap_xml",
    "read_register_json",
    "read_summary_csv",
    "rows_to_batch",
    "xml_to_register_json",
]
