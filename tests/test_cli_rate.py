"""``ara rate``: a readable summary or JSON per file, an error field, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ara.cli import main
from ara.sap.fallbacks import fallback


def test_rate_prints_rating_and_band(sap10calcs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", str(sap10calcs / "examples/example_complete_sap.xml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "SAP rating   70 C" in out and "EI rating 70 C" in out


def test_rate_json_has_output_columns_and_null_error(
        sap10calcs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", "--json", str(sap10calcs / "tests/sap/M1_Photovoltaics/2/in.xml")])
    record = json.loads(capsys.readouterr().out)
    assert code == 0
    assert record["error"] is None
    assert (record["sap_rating"], record["sap_band"]) == (83, "B")
    assert abs(record["pv_generation_kwh"] - 3454.48) < 0.01 * 3454.48


#: The output columns the calculator contract names (issue 3), each with its worksheet line.
CONTRACT = {"space_heating_fuel_main_kwh": "211", "space_heating_fuel_secondary_kwh": "215",
            "water_heating_fuel_kwh": "219", "pumps_fans_kwh": "231", "lighting_kwh": "232",
            "total_fuel_cost_gbp": "255", "energy_cost_factor": "257",
            "sap_rating_continuous": "258", "sap_rating": "258", "sap_band": "258",
            "co2_kg_per_year": "272", "ei_rating": "274", "ei_band": "274",
            "primary_energy_kwh": "286", "primary_energy_kwh_per_m2": "287"}


def test_rate_json_carries_every_contract_column(
        sap10calcs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every named output of the contract is in ``ara rate --json`` and in OUTPUT_SCHEMA with
    its worksheet line; (211) under its contract name equals main system 1's fuel."""
    from ara.sap import OUTPUT_SCHEMA

    code = main(["rate", "--json", str(sap10calcs / "tests/sap/M1_Photovoltaics/2/in.xml")])
    record = json.loads(capsys.readouterr().out)
    assert code == 0 and record["error"] is None
    for name, line in CONTRACT.items():
        assert record[name] is not None, name
        assert OUTPUT_SCHEMA.field(name).metadata[b"line"].decode() == line, name
    for name in ("pv_generation_kwh", "pv_exported_kwh"):
        assert record[name] is not None
    assert record["space_heating_fuel_main_kwh"] == record["space_heating_fuel_main1_kwh"] > 0


def test_rate_reports_a_bad_file_and_rates_the_others(
        sap10calcs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text("<SAP-Report><unclosed>")
    code = main(["rate", "--json", str(bad), str(sap10calcs / "examples/example_complete_sap.xml")])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert records[0]["error"] and "broken.xml" in records[0]["file"]
    assert records[1]["error"] is None and records[1]["sap_rating"] == 70


def test_rate_reads_rdsap_xml_through_the_expansion(
        sap10calcs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", "--json",
                 str(sap10calcs / "tests/rdsap/1_base_case/1_detached/in.xml")])
    record = json.loads(capsys.readouterr().out)
    assert code == 0 and record["error"] is None
    assert (record["ei_rating"], record["ei_band"]) == (68, "D")
    assert record["sap_band"] == "G"
    # the engine's space heating requirement for R1 is 21064.48 kWh (within 0.5 %)
    assert abs(record["space_heating_requirement_kwh"] - 21064.48) <= 0.005 * 21064.48


def test_expand_writes_calculator_inputs(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    from ara.cli import bundled
    from ara.sap import SAP_INPUT_SCHEMA

    out = tmp_path / "sap_inputs.parquet"
    archive = str(bundled("sample_portfolio") / "certificates.ndjson.gz")
    code = main(["expand", archive, "-o", str(out), "--mode", "estimate"])
    table = pq.read_table(out)
    assert code == 0
    assert table.num_rows == 2000
    assert table.schema.equals(SAP_INPUT_SCHEMA, check_metadata=False)
    printed = capsys.readouterr().out
    assert "2000 certificates read" in printed
    estimated = int(printed.split(" rows expanded with declared estimate fallbacks")[0])
    # strict mode writes only the certificates that need no fallback, and exits 1
    assert main(["expand", archive, "-o", str(out)]) == 1
    assert pq.read_table(out).num_rows == 2000 - estimated
    assert f"({estimated} refused, not written" in capsys.readouterr().out


ODC_CSV = Path(__file__).resolve().parent / "rdsap/fixtures/odc_certificates.csv"


def test_rate_csv_gives_one_estimate_per_row(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", "--json", "--mode", "estimate", str(ODC_CSV)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # one row breaks a lodgement rule
    assert [r["file"].rsplit(":", 1)[1] for r in records] == ["2", "3", "4"]
    assert all(r["estimate"] for r in records)
    first = records[0]
    assert first["error"] is None and first["certificate_number"].endswith("123")
    assert first["lodged_sap_rating"] == 61 and first["inferred_fields"] > 10
    assert 1 <= first["sap_rating"] <= 100
    # the CSV inference is the first assumption of every rated row; each one is declared
    for record in records[:2]:
        assert record["assumptions"][0] == "csv_summary_inference"
        assert all(fallback(fid) for fid in record["assumptions"])
    # the flat: MEV with the Table 4g default SFP, 7-hour tariff (decision 0016)
    assert records[1]["error"] is None and 1 <= records[1]["sap_rating"] <= 100
    assert records[2]["error"].startswith("unreadable row: habitable_room_count")


def test_rate_csv_readable_summary_says_it_is_an_estimate(
        capsys: pytest.CaptureFixture[str]) -> None:
    main(["rate", "--mode", "estimate", str(ODC_CSV)])
    out = capsys.readouterr().out
    assert "ESTIMATE     from an open-data CSV summary row" in out
    assert "(lodged SAP 61)" in out


def test_rate_csv_in_strict_mode_refuses_every_row_and_names_estimate_mode(
        capsys: pytest.CaptureFixture[str]) -> None:
    """Strict mode (the default) rates only from lodged data: a CSV summary row lodges no
    RdSAP dimensions or systems, so each readable row is refused, the refusal says
    ``--mode estimate`` would rate it, and no rating is given."""
    code = main(["rate", "--json", str(ODC_CSV)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert [r["file"].rsplit(":", 1)[1] for r in records] == ["2", "3", "4"]
    for record in records[:2]:
        assert record["error"].startswith("missing in strict mode")
        assert "--mode estimate" in record["error"]
        assert record["sap_rating"] is None
        assert record["assumptions"][0] == "csv_summary_inference"
    assert records[2]["error"].startswith("unreadable row: habitable_room_count")
    main(["rate", str(ODC_CSV)])
    out = capsys.readouterr().out
    assert "SAP rating" not in out and "--mode estimate" in out


def test_expand_csv_marks_the_inputs_as_an_estimate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import pyarrow.parquet as pq

    from ara.sap import SAP_INPUT_SCHEMA

    out = tmp_path / "sap_inputs.parquet"
    code = main(["expand", "--mode", "estimate", str(ODC_CSV), "-o", str(out)])
    table = pq.read_table(out)
    assert code == 1  # the unreadable row is reported
    assert table.num_rows == 2
    assert table.schema.equals(SAP_INPUT_SCHEMA, check_metadata=False)
    assert pq.read_metadata(out).metadata[b"ara.estimate_rows"] == b"2"
    assert b"estimate" in table.schema.metadata[b"ara.estimate"]
    assert "2 rows are an estimate" in capsys.readouterr().out


def test_expand_streams_in_batches_with_the_same_output_and_no_partial_file(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15 item 5: ``ara expand`` reads, expands and writes a batch at a time (memory
    bounded by one batch; the peak RSS on large inputs is in benchmarks/). Batches of 1 row
    and one batch of all rows write the same table, field documentation included; the output
    appears only when complete; --batch-size 0 is refused in one line."""
    import pyarrow.parquet as pq

    one, whole = tmp_path / "one.parquet", tmp_path / "whole.parquet"
    assert main(["expand", "--mode", "estimate", str(ODC_CSV), "-o", str(one),
                 "--batch-size", "1"]) == 1
    assert main(["expand", "--mode", "estimate", str(ODC_CSV), "-o", str(whole)]) == 1
    a, b = pq.read_table(one), pq.read_table(whole)
    assert a.num_rows == 2 and a.equals(b) and a.schema.equals(b.schema, check_metadata=True)
    assert a.schema.field("storeys").metadata  # the calculator's field documentation is kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.parquet", "whole.parquet"]
    capsys.readouterr()
    assert main(["expand", "--mode", "estimate", str(ODC_CSV), "-o", str(tmp_path / "z"),
                 "--batch-size", "0"]) == 2
    assert "--batch-size must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "z").exists()


def test_expand_csv_in_strict_mode_is_refused_and_names_estimate_mode(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Strict mode (the default): the CSV rows are inferred, not lodged: nothing is written
    and the error says ``--mode estimate``."""
    out = tmp_path / "sap_inputs.parquet"
    code = main(["expand", str(ODC_CSV), "-o", str(out)])
    assert code == 2
    assert not out.exists()
    assert "--mode estimate" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["SAP-Schema-19.1.0.xml", "RdSAP-Schema-21.0.1.xml"])
def test_rate_routes_xml_by_its_parsed_root_whatever_the_encoding(
        name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A UTF-16 document has no ASCII 'RdSAP' in its bytes: the root element decides (issue
    15 item 8), and the UTF-16 file rates exactly as the UTF-8 one."""
    source = Path(__file__).resolve().parent / "vectors" / "register" / name
    text = source.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"', 1)
    utf16 = tmp_path / name
    utf16.write_bytes(text.encode("utf-16"))
    assert b"RdSAP" not in utf16.read_bytes()
    assert main(["rate", "--json", "--mode", "estimate", str(source), str(utf16)]) == 0
    a, b = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert a["sap_rating_continuous"] == b["sap_rating_continuous"]
    assert a["assumptions"] == b["assumptions"]


def test_rate_streams_a_csv_in_batches_with_the_same_results(tmp_path: Path) -> None:
    """Issue 15 item 5: a CSV is read, expanded and rated a batch of rows at a time (memory
    flat in its size); the results, their order and the row labels are those of one batch."""
    from ara.cli_rate import iter_rate_files, rate_files

    lines = ODC_CSV.read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], lines[1:]
    big = tmp_path / "big.csv"
    big.write_text("\n".join([header, *(rows * 7)]) + "\n", encoding="utf-8")  # 21 rows
    xml = Path(__file__).resolve().parent / "vectors/register/RdSAP-Schema-21.0.1.xml"
    paths = [xml, big, xml]
    whole = rate_files(paths, "estimate")
    assert len(whole) == 2 + 21
    for batch in (1, 2, 5, 100):
        assert list(iter_rate_files(paths, "estimate", csv_batch_rows=batch)) == whole
    labels = [r["file"].rsplit(":", 1)[1] for r in whole[1:-1]]
    assert labels == [str(n) for n in range(2, 23)]
