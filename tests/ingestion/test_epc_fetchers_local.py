"""Local sources behind the fetcher interface: the bulk NDJSON archive, a folder of RdSAP XML,
the open-data CSV."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from ingestion.replay_server import RECORDINGS, recording

from ara.ingestion import (
    FETCHED_CERTIFICATE_SCHEMA,
    BulkArchiveFetcher,
    EpcFetcher,
    OpenDataCsvFetcher,
    PropertyLookup,
    XmlFolderFetcher,
)

REPO = Path(__file__).resolve().parents[2]
XML_SAMPLE = REPO / "tests" / "vectors" / "epb-register-api" / "samples" / "RdSAP-Schema-21.0.1" / \
    "epc.xml"


def archive_line(name: str, number: str, **changes: object) -> str:
    document = dict(recording(name)["data"], certificate_number=number, **changes)
    return json.dumps(document)


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    """Five certificates of three dwellings, and one line that is not JSON."""
    lines = [
        archive_line("register/certificate_RdSAP-Schema-20.0.0.json", "A-2000"),
        archive_line("register/certificate_RdSAP-Schema-21.0.1.json", "A-2101"),
        archive_line("register/certificate_RdSAP-Schema-21.0.0.json", "A-2100"),
        archive_line("register/certificate_neighbour.json", "B-3100"),
        '{"certificate_number": "C-9999", "uprn": ',
        archive_line("register/certificate_RdSAP-Schema-21.0.0.json", "D-0001", uprn=None,
                     address_line_1="Flat 1", address_line_2="5 Other Road"),
    ]
    path = tmp_path / "domestic.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
    return path


def test_archive_finds_the_newest_certificate_by_uprn(archive: Path) -> None:
    result = BulkArchiveFetcher(archive, batch_size=2).fetch([PropertyLookup("p1", uprn=12457)])

    assert result.certificates.column("certificate_number").to_pylist() == ["A-2101"]
    assert result.certificates.column("data_source").to_pylist() == ["archive"]
    assert result.certificates.schema.equals(FETCHED_CERTIFICATE_SCHEMA)


def test_archive_finds_by_certificate_number_and_by_postcode_and_address(
        archive: Path) -> None:
    lookups = [PropertyLookup("by-number", certificate_number="A-2000"),
               PropertyLookup("by-address", postcode="a00aa",
                              address_lines=("Flat 1", "5 Other Road")),
               PropertyLookup("by-first-line", postcode="A0 0AA",
                              address_lines=("2 Some Street",))]

    result = BulkArchiveFetcher(archive).fetch(lookups)

    assert dict(zip(result.found_ids, result.certificates.column("certificate_number")
                    .to_pylist(), strict=True)) == {
        "by-number": "A-2000", "by-address": "D-0001", "by-first-line": "B-3100"}


def test_archive_reports_not_found_and_keeps_unreadable_lines_apart(archive: Path) -> None:
    result = BulkArchiveFetcher(archive).fetch([PropertyLookup("p1", uprn=31337)])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "not_found")]
    assert "no certificate for UPRN 31337" in result.failures[0].message
    assert [f.field for f in result.source_failures] == ["(line)"]
    assert (result.source_failures[0].source or "").endswith("domestic.jsonl.gz:5")


def test_archive_certificate_the_readers_refuse_fails_its_property(tmp_path: Path) -> None:
    path = tmp_path / "domestic.jsonl"
    path.write_text(archive_line("register/certificate_RdSAP-Schema-21.0.1.json", "X-1",
                                 habitable_room_count=0) + "\n")

    result = BulkArchiveFetcher(path).fetch([PropertyLookup("p1", certificate_number="X-1")])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "unreadable")]
    assert "habitable_room_count" in result.failures[0].message
    assert result.source_failures == ()


def test_archive_of_two_dwellings_at_one_address_is_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "domestic.jsonl"
    path.write_text("\n".join([
        archive_line("register/certificate_RdSAP-Schema-21.0.1.json", "E-1", uprn=501),
        archive_line("register/certificate_RdSAP-Schema-21.0.1.json", "E-2", uprn=502),
    ]) + "\n")

    result = BulkArchiveFetcher(path).fetch([PropertyLookup(
        "p1", postcode="A0 0AA", address_lines=("1 Some Street",))])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "ambiguous")]


def test_missing_archive_is_an_error_naming_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file"):
        BulkArchiveFetcher(tmp_path / "none.jsonl").fetch([PropertyLookup("p1", uprn=1)])


def write_xml(folder: Path, name: str, rrn: str, uprn: int, registered: str) -> None:
    text = XML_SAMPLE.read_text(encoding="utf-8")
    text = text.replace("<RRN>0000-0000-0000-0000-0000</RRN>", f"<RRN>{rrn}</RRN>")
    text = text.replace("<UPRN>UPRN-000000000000</UPRN>", f"<UPRN>UPRN-{uprn:012d}</UPRN>")
    text = text.replace("<Registration-Date>2025-04-04</Registration-Date>",
                        f"<Registration-Date>{registered}</Registration-Date>")
    (folder / name).write_text(text, encoding="utf-8")


def test_xml_folder_finds_the_newest_certificate_of_each_property(tmp_path: Path) -> None:
    if not XML_SAMPLE.is_file():
        pytest.fail(f"test vector not found at {XML_SAMPLE}")
    (tmp_path / "sub").mkdir()
    write_xml(tmp_path, "a.xml", "1111-0000-0000-0000-0001", 12457, "2025-04-04")
    write_xml(tmp_path / "sub", "b.xml", "1111-0000-0000-0000-0002", 12457, "2025-05-01")
    write_xml(tmp_path, "c.xml", "1111-0000-0000-0000-0003", 777, "2025-04-04")

    result = XmlFolderFetcher(tmp_path).fetch([PropertyLookup("p1", uprn=12457),
                                               PropertyLookup("p2", uprn=777),
                                               PropertyLookup("p3", uprn=1)])

    assert result.found_ids == ("p1", "p2")
    assert result.certificates.column("certificate_number").to_pylist() == [
        "1111-0000-0000-0000-0002", "1111-0000-0000-0000-0003"]
    assert result.certificates.column("data_source").to_pylist() == ["xml", "xml"]
    assert [f.property_id for f in result.not_found] == ["p3"]


def test_xml_folder_must_be_a_folder(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        XmlFolderFetcher(tmp_path / "missing").fetch([PropertyLookup("p1", uprn=1)])


def test_open_data_csv_finds_rows_by_uprn_and_by_address() -> None:
    fetcher = OpenDataCsvFetcher(RECORDINGS / "legacy" / "odc_certificates.csv")

    result = fetcher.fetch([PropertyLookup("p1", uprn=10023456789),
                            PropertyLookup("p2", postcode="AB1 2CE",
                                           address_lines=("Flat 3",))])

    assert result.certificates.column("certificate_number").to_pylist() == [
        "100000000012345678901234567890123", "100000000012345678901234567890124"]
    assert result.certificates.column("data_source").to_pylist() == ["csv_summary"] * 2
    assert [f.message for f in result.source_failures] == [
        "MUST_HAVE_HABITABLE_ROOMS: 0 is less than 1"]


def test_local_fetchers_satisfy_the_fetcher_protocol(archive: Path, tmp_path: Path) -> None:
    fetchers = [BulkArchiveFetcher(archive), XmlFolderFetcher(tmp_path),
                OpenDataCsvFetcher(RECORDINGS / "legacy" / "odc_certificates.csv")]

    assert all(isinstance(f, EpcFetcher) for f in fetchers)
    assert all(f.fetch([]).certificates.num_rows == 0 for f in fetchers)
