"""Bulk reading: NDJSON archives streamed in bounded memory, folders, zip and gzip files."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from rdsap.fixtures.readers_helpers import (
    JSON_SAMPLES,
    SAMPLES,
    SAP10CALCS,
    require_shared,
)

import ara.rdsap.readers.bulk as bulk
from ara.rdsap.readers import (
    CERTIFICATE_SCHEMA,
    CertificateReadError,
    read_certificates,
    read_certificates_table,
    read_documents,
    xml_to_register_json,
)

LINES = 20_000


def _small_document() -> dict[str, Any]:
    require_shared()
    return xml_to_register_json(SAP10CALCS / "tests/rdsap/1_base_case/1_detached/in.xml")


def _line(template: dict[str, Any], number: int) -> str:
    document = dict(template, certificate_number=f"0000-0000-0000-{number // 10000:04d}-"
                                                 f"{number % 10000:04d}")
    document["habitable_room_count"] = 1 + number % 7
    document["heated_room_count"] = 1
    return json.dumps(document, separators=(",", ":"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An NDJSON archive of 20,000 certificates whose last ten lines are malformed."""
    path = tmp_path_factory.mktemp("ndjson") / "certificates.jsonl"
    template = _small_document()
    with path.open("w", encoding="utf-8") as out:
        for number in range(LINES - 10):
            out.write(_line(template, number) + "\n")
        for number in range(10):
            out.write(_line(template, LINES + number)[: 40 + number] + "\n")  # truncated
    return path


class CountingReader(io.RawIOBase):
    """A binary stream that records how many bytes have been read from it."""

    def __init__(self, path: Path) -> None:
        self.stream = path.open("rb")
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


def test_ndjson_archive_streams_in_batches_in_bounded_memory(archive: Path) -> None:
    sizes: list[int] = []
    failures_by_batch: list[int] = []
    failures = []
    numbers: set[str] = set()
    peak_arrow = 0
    tracemalloc.start()
    try:
        for batch, found in read_certificates(archive, batch_size=500):
            assert batch.schema == CERTIFICATE_SCHEMA
            sizes.append(batch.num_rows)
            failures_by_batch.append(len(found))
            failures += found
            numbers.update(batch.column("certificate_number").to_pylist())
            peak_arrow = max(peak_arrow, pa.total_allocated_bytes())
            del batch
        _current, peak_python = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sizes == [500] * 39 + [490]
    assert len(numbers) == LINES - 10
    assert failures_by_batch == [0] * 39 + [10]  # the malformed tail comes last
    assert all(f.field == "(line)" and "invalid JSON" in f.message for f in failures)
    assert failures[0].source == f"{archive}:{LINES - 9}"
    # memory of about one batch of 500 rows: a third of the archive's size, where holding
    # the 20,000 rows as Python objects would take several times the archive's size
    file_size = archive.stat().st_size
    assert peak_python < file_size / 3, (peak_python, file_size)
    assert peak_arrow < file_size / 3, (peak_arrow, file_size)


def test_first_batches_arrive_before_the_error_of_a_malformed_tail(archive: Path) -> None:
    received = []
    with pytest.raises(CertificateReadError) as caught:
        for batch, _found in read_certificates(archive, batch_size=1000, errors="raise"):
            received.append(batch.num_rows)
    assert received == [1000] * 19
    assert caught.value.field == "(line)"
    assert caught.value.source == f"{archive}:{LINES - 9}"


def test_reader_yields_before_reading_the_whole_file(archive: Path) -> None:
    stream = CountingReader(archive)
    with io.BufferedReader(stream, buffer_size=1 << 16) as buffered:
        batches = read_certificates(buffered, batch_size=500)
        first, _failures = next(batches)
        assert first.num_rows == 500
        assert stream.bytes_read < archive.stat().st_size / 10
        batches.close()


def test_gzip_and_zip_archives_and_folders(tmp_path: Path, archive: Path) -> None:
    lines = archive.read_bytes().splitlines(keepends=True)[:30]
    with gzip.open(tmp_path / "part.jsonl.gz", "wb") as out:
        out.writelines(lines)
    with zipfile.ZipFile(tmp_path / "bundle.zip", "w") as bundle:
        bundle.writestr("certificates/a.jsonl", b"".join(lines[:5]))
        bundle.write(SAMPLES / "RdSAP-Schema-21.0.1" / "epc.xml", "xml/epc.xml")
    folder = tmp_path / "folder"
    (folder / "nested").mkdir(parents=True)
    shutil.copy(SAMPLES / "RdSAP-Schema-20.0.0" / "epc.xml", folder / "nested" / "old.xml")
    shutil.copy(JSON_SAMPLES / "RdSAP-Schema-21.0.1" / "epc.json", folder / "cert.json")
    (folder / "notes.txt").write_text("not a certificate")
    table, failures = read_certificates_table([tmp_path / "part.jsonl.gz",
                                               tmp_path / "bundle.zip", folder])
    assert failures == []
    assert table.num_rows == 30 + 5 + 1 + 2
    assert table.column("data_source").to_pylist() == (
        ["archive"] * 35 + ["xml", "register_json", "xml"])
    assert table.column("source").to_pylist()[35].endswith("bundle.zip!xml/epc.xml")


def test_folder_of_xml_samples_streams_in_name_order(tmp_path: Path) -> None:
    require_shared()
    for version in ("21.0.1", "21.0.0", "20.0.0", "19.0"):
        shutil.copy(SAMPLES / f"RdSAP-Schema-{version}" / "epc.xml",
                    tmp_path / f"{version}.xml")
    batches = list(read_certificates(tmp_path, batch_size=3))
    assert [b.num_rows for b, _ in batches] == [3, 1]
    schemas = [s for b, _ in batches for s in b.column("schema_type").to_pylist()]
    assert schemas == ["RdSAP-Schema-19.0", "RdSAP-Schema-20.0.0", "RdSAP-Schema-21.0.0",
                       "RdSAP-Schema-21.0.1"]


def test_bad_lines_are_failures_with_their_line_numbers(tmp_path: Path) -> None:
    good = _line(_small_document(), 1)
    path = tmp_path / "mixed.ndjson"
    path.write_bytes(b"\n".join([good.encode(), b"", b"[1, 2]", b"\xff\xfe not utf-8",
                                 good.encode()]) + b"\n")
    (batch, failures), = list(read_certificates(path))
    assert batch.num_rows == 2
    assert [(f.source, f.field) for f in failures] == [(f"{path}:3", "(document)"),
                                                      (f"{path}:4", "(line)")]


def test_overlong_line_is_skipped_without_reading_it_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "MAX_DOCUMENT_BYTES", 5000)
    good = _line(_small_document(), 2)
    path = tmp_path / "long.jsonl"
    path.write_text("x" * 20_000 + "\n" + good + "\n", encoding="utf-8")
    (batch, failures), = list(read_certificates(path))
    assert batch.num_rows == 1
    assert failures[0].field == "(line)" and "longer than 5000 bytes" in failures[0].message


def test_json_file_holding_an_array_of_certificates(tmp_path: Path) -> None:
    document = json.loads((JSON_SAMPLES / "RdSAP-Schema-21.0.1" / "epc.json").read_text())
    path = tmp_path / "saved.json"
    path.write_text(json.dumps([document, {"data": document}, 42]))
    (batch, failures), = list(read_certificates(path))
    assert batch.num_rows == 2
    assert [(f.source, f.field) for f in failures] == [(f"{path}[2]", "(document)")]


def test_missing_path_is_a_failure(tmp_path: Path) -> None:
    (batch, failures), = list(read_certificates(tmp_path / "absent.jsonl"))
    assert batch.num_rows == 0
    assert "no such file" in failures[0].message


def test_parallel_workers_give_the_same_rows_in_order() -> None:
    require_shared()
    template = _small_document()
    documents = [_line(template, n) for n in range(60)] + ["not json"]
    serial = pa.Table.from_batches([b for b, _ in read_documents(documents, batch_size=25)])
    results = list(read_documents(documents, batch_size=25, workers=2))
    parallel = pa.Table.from_batches([b for b, _ in results])
    assert parallel.equals(serial)
    assert sum(len(found) for _, found in results) == 1


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        next(read_documents([], batch_size=0))
