"""Issue 15 item 1: one bad certificate file fails only itself. An unknown encoding
declaration, an integer too large for its column and XML nested thousands deep are refused by
name by the readers, so a folder of certificates reads (or rates, or calculates) every other
file."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pacsv
import pytest

from ara.cli import main
from ara.rdsap.readers import CertificateReadError, read_certificates_table, read_rdsap_xml
from ara.sap.xml_reader import SapXmlError, read_sap_xml

VECTORS = Path(__file__).resolve().parent / "vectors"
RDSAP = (VECTORS / "register" / "RdSAP-Schema-21.0.1.xml").read_text(encoding="utf-8")
_SAP_TEXT = (VECTORS / "sap10calcs" / "examples" / "example_complete_sap.xml").read_text(
    encoding="utf-8")
#: with the XML declaration written as the register writes it (double quotes)
SAP = '<?xml version="1.0" encoding="UTF-8"?>\n' + _SAP_TEXT.split("?>", 1)[1].lstrip()


def bad_variants(text: str, number_element: str) -> dict[str, str]:
    """(name -> document): unknown encoding, an int32 overflow, 5,000-deep nesting."""
    open_tag = f"<{number_element}>"
    assert text.count(open_tag) >= 1
    root_end = text.rindex("</")
    return {
        "encoding": text.replace('encoding="UTF-8"', 'encoding="X-NOPE"', 1),
        "overflow": text.replace(open_tag, open_tag + "9" * 30, 1),
        "deep": text[:root_end] + "<a>" * 5000 + "</a>" * 5000 + text[root_end:],
    }


@pytest.mark.parametrize("kind", ["encoding", "overflow", "deep"])
def test_rdsap_reader_refuses_each_bad_document_by_name(kind: str) -> None:
    text = bad_variants(RDSAP, "Habitable-Room-Count")[kind]
    with pytest.raises(CertificateReadError) as caught:
        read_rdsap_xml(text.encode("utf-8"))
    message = str(caught.value)
    assert {"encoding": "unknown encoding", "overflow": "out of range",
            "deep": "nested"}[kind] in message


@pytest.mark.parametrize("kind", ["encoding", "deep"])
def test_sap_reader_refuses_each_bad_document_by_name(kind: str) -> None:
    text = bad_variants(SAP, "Habitable-Rooms-Count" if "<Habitable-Rooms-Count>" in SAP
                        else "Total-Floor-Area")[kind]
    with pytest.raises(SapXmlError, match={"encoding": "unknown encoding",
                                           "deep": "nested"}[kind]):
        read_sap_xml(text.encode("utf-8"))


def test_a_folder_reads_every_good_file_and_names_each_bad_one(tmp_path: Path) -> None:
    for name, text in bad_variants(RDSAP, "Habitable-Room-Count").items():
        (tmp_path / f"{name}.xml").write_bytes(text.encode("utf-8"))
    (tmp_path / "good.xml").write_text(RDSAP, encoding="utf-8")
    table, failures = read_certificates_table(tmp_path)
    assert table.num_rows == 1
    assert sorted(Path(f.source or "").name for f in failures) == [
        "deep.xml", "encoding.xml", "overflow.xml"]
    assert main(["expand", str(tmp_path), "-o", str(tmp_path / "x.parquet"),
                 "--mode", "estimate"]) == 1  # unreadable files: exit 1, the rest written


def test_calc_lenient_writes_an_error_row_for_each_unreadable_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "xml"
    folder.mkdir()
    (folder / "a_good.xml").write_text(SAP, encoding="utf-8")
    (folder / "b_encoding.xml").write_bytes(
        SAP.replace('encoding="UTF-8"', 'encoding="X-NOPE"', 1).encode("utf-8"))
    (folder / "c_malformed.xml").write_text("<SAP-Report><open></SAP-Report>")
    out = tmp_path / "out.csv"
    assert main(["calc", str(folder), "-o", str(out), "--lenient"]) == 1
    rows = pacsv.read_csv(out).to_pylist()
    assert [(r["dwelling_id"], r["status"]) for r in rows] == [
        ("a_good", "ok"), ("b_encoding", "error"), ("c_malformed", "error")]
    assert "unknown encoding" in rows[1]["error"] and "malformed XML" in rows[2]["error"]
    # without --lenient the first unreadable file stops the run, named, nothing written
    assert main(["calc", str(folder), "-o", str(tmp_path / "strict.csv")]) == 2
    assert "b_encoding.xml" in capsys.readouterr().err
    assert not (tmp_path / "strict.csv").exists()


@pytest.mark.parametrize("name", ["big.xml", "big.json"])
def test_an_oversized_document_is_refused_before_it_is_read(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15 item 5: a document over the 16 MiB limit is refused from its size alone (a
    sparse file: nothing is written to disk, and reading it is made to fail), by ``ara rate``
    and by the full-SAP readers, with the limit named."""
    from ara.sap.sap_json_reader import read_sap_json
    from ara.sap.xml_reader import MAX_DOCUMENT_BYTES

    big = tmp_path / name
    with big.open("wb") as fh:
        fh.truncate(MAX_DOCUMENT_BYTES + 1)

    def never(*_args: object, **_kwargs: object) -> bytes:
        raise AssertionError("the oversized document was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    monkeypatch.setattr(Path, "read_text", never)
    assert main(["rate", str(big)]) == 1
    assert f"above the {MAX_DOCUMENT_BYTES:,}-byte limit" in capsys.readouterr().out
    reader = read_sap_xml if name.endswith(".xml") else read_sap_json
    with pytest.raises(SapXmlError, match="-byte limit"):
        reader(big)


def test_a_uprn_too_large_for_its_column_is_no_uprn(tmp_path: Path) -> None:
    """Found by the fuzz test: an open-data CSV row whose UPRN is 10**30 made ``ara expand``
    raise OverflowError when the inferred rows were tabled. A number too large for the int64
    UPRN column is no UPRN (as non-numeric address ids already are); the row is expanded."""
    from ara.rdsap.readers.values import to_uprn

    assert to_uprn(str(10**30)) is None and to_uprn(10**30) is None
    assert to_uprn("UPRN-000012345678") == 12345678 and to_uprn(str(2**63 - 1)) == 2**63 - 1
    source = Path(__file__).parent / "vectors" / "epb-data-warehouse" / "export_csv"
    lines = (source / "domestic.csv").read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    column = header.index("UPRN")
    import csv
    import io

    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    rows[1][column] = str(10**30)
    bad = tmp_path / "domestic.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    code = main(["expand", "--mode", "estimate", str(bad), "-o", str(tmp_path / "o.parquet")])
    assert code in (0, 1) and (tmp_path / "o.parquet").exists()


@pytest.mark.parametrize("area", ["9" * 40, "1e308", "0", "-5", "200000"])
def test_an_impossible_floor_area_in_a_csv_row_fails_only_that_row_by_name(
        area: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Found by the fuzz test in CI: TOTAL_FLOOR_AREA of forty nines was read as 1e40 and the
    inference made room counts too large for their column (OverflowError out of ara expand).
    A floor area outside (0, 100,000] m2 now fails its row, naming the field; the other rows
    are expanded."""
    import csv
    import io

    source = Path(__file__).parent / "vectors" / "epb-data-warehouse" / "export_csv"
    rows = list(csv.reader(io.StringIO(
        (source / "domestic.csv").read_text(encoding="utf-8-sig"))))
    rows[1][rows[0].index("TOTAL_FLOOR_AREA")] = area
    bad = tmp_path / "domestic.csv"
    with bad.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    out = tmp_path / "o.parquet"
    assert main(["expand", "--mode", "estimate", str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "total_floor_area_m2" in err and "not a possible floor area" in err
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows == len(rows) - 2  # every other row expanded


@pytest.mark.parametrize("command", ["rate", "expand", "calc", "validate"])
def test_every_reading_command_states_the_one_document_size_limit(
        command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15 item 5 ('state the limits in the help'): one limit for every reader, and each
    command's help says it (the figure from the readers' constant, not a copy)."""
    from ara.rdsap.readers import MAX_DOCUMENT_BYTES as RDSAP_LIMIT
    from ara.sap.xml_reader import MAX_DOCUMENT_BYTES as SAP_LIMIT

    assert RDSAP_LIMIT == SAP_LIMIT
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert f"{SAP_LIMIT // 2**20} MiB" in " ".join(capsys.readouterr().out.split())
