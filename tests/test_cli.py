"""The ``ara`` command: ``calc`` over every input and output format, strict and lenient
modes, and ``trace``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from ara.cli import example_xml_path, main, sample_dwellings_path
from ara.sap import OUTPUT_SCHEMA, synthetic

N = 40
BAD_ROW = 7


@pytest.fixture(scope="module")
def dwellings() -> pa.Table:
    return synthetic.generate(N, seed=5)


@pytest.fixture
def small_parquet(tmp_path: Path, dwellings: pa.Table) -> Path:
    path = tmp_path / "dwellings.parquet"
    pq.write_table(dwellings, path)
    return path


@pytest.fixture
def bad_parquet(tmp_path: Path, dwellings: pa.Table) -> Path:
    living = dwellings.column("living_area_m2").to_pylist()
    living[BAD_ROW] = -5.0
    index = dwellings.schema.get_field_index("living_area_m2")
    path = tmp_path / "bad.parquet"
    pq.write_table(dwellings.set_column(index, "living_area_m2", pa.array(living)), path)
    return path


def read_output(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    if path.suffix == ".csv":
        return pacsv.read_csv(path)
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    return pa.Table.from_pylist(rows, schema=OUTPUT_SCHEMA)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_calc_writes_one_row_per_dwelling(small_parquet: Path, tmp_path: Path,
                                          suffix: str) -> None:
    output = tmp_path / f"results{suffix}"

    code = main(["calc", str(small_parquet), "-o", str(output), "--batch-size", "16"])

    table = read_output(output)
    assert code == 0
    assert table.num_rows == N
    assert table.column_names == OUTPUT_SCHEMA.names
    assert set(table.column("status").to_pylist()) == {"ok"}


def test_calc_parquet_output_keeps_line_numbers_in_field_metadata(small_parquet: Path,
                                                                  tmp_path: Path) -> None:
    output = tmp_path / "results.parquet"

    main(["calc", str(small_parquet), "-o", str(output)])

    field = pq.read_schema(output).field("space_heating_requirement_kwh")
    assert field.metadata[b"line"] == b"98"


def test_calc_batches_give_the_same_results_as_one_batch(small_parquet: Path,
                                                         tmp_path: Path) -> None:
    one, many = tmp_path / "one.parquet", tmp_path / "many.parquet"

    main(["calc", str(small_parquet), "-o", str(one)])
    main(["calc", str(small_parquet), "-o", str(many), "--batch-size", "3"])

    assert pq.read_table(one).equals(pq.read_table(many))


@pytest.mark.parametrize("fmt", ["jsonl", "feather", "arrow-stream"])
def test_calc_reads_jsonl_and_arrow_ipc(dwellings: pa.Table, tmp_path: Path, fmt: str) -> None:
    if fmt == "jsonl":
        source = tmp_path / "in.jsonl"
        source.write_text("".join(json.dumps(row) + "\n" for row in dwellings.to_pylist()))
    elif fmt == "feather":
        source = tmp_path / "in.feather"
        feather.write_feather(dwellings, source)
    else:
        source = tmp_path / "in.arrow"
        with pa.OSFile(str(source), "wb") as sink, \
                pa.ipc.new_stream(sink, dwellings.schema) as writer:
            writer.write_table(dwellings, max_chunksize=9)
    output = tmp_path / "out.parquet"

    code = main(["calc", str(source), "-o", str(output), "--batch-size", "16"])

    assert code == 0
    assert pq.read_table(output).column("dwelling_id").to_pylist() == \
        dwellings.column("dwelling_id").to_pylist()


def test_calc_reads_a_folder_of_sap_xml(tmp_path: Path) -> None:
    folder = tmp_path / "certificates"
    folder.mkdir()
    shutil.copy(example_xml_path(), folder / "house_a.xml")
    shutil.copy(example_xml_path(), folder / "house_b.xml")
    output = tmp_path / "results.csv"

    code = main(["calc", str(folder), "-o", str(output)])

    table = read_output(output)
    assert code == 0
    assert table.column("dwelling_id").to_pylist() == ["house_a", "house_b"]
    assert table.column("space_heating_requirement_kwh").to_pylist() == \
        pytest.approx([9166.7, 9166.7], abs=1.0)


def test_calc_strict_bad_row_exits_2_naming_dwelling_and_field_and_writes_nothing(
        bad_parquet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "results.parquet"

    code = main(["calc", str(bad_parquet), "-o", str(output), "--batch-size", "16"])

    err = capsys.readouterr().err
    assert code == 2
    assert str(bad_parquet) in err
    assert f"synthetic-5-{BAD_ROW}" in err
    assert "living_area_m2" in err
    assert list(tmp_path.iterdir()) == [bad_parquet], "no output, not even a partial file"


def test_calc_lenient_writes_every_row_with_status_and_exits_1(
        bad_parquet: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "results.parquet"

    code = main(["calc", str(bad_parquet), "-o", str(output), "--lenient"])

    table = pq.read_table(output)
    rejected = table.filter(pa.compute.equal(table.column("status"), "error"))
    assert code == 1
    assert table.num_rows == N
    assert rejected.column("dwelling_id").to_pylist() == [f"synthetic-5-{BAD_ROW}"]
    assert "living_area_m2" in rejected.column("error")[0].as_py()
    assert "1 of 40 dwellings rejected" in capsys.readouterr().err


def test_calc_without_input_runs_the_bundled_sample(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["calc"])

    out = capsys.readouterr()
    assert code == 0
    assert "space_heating_requirement_kwh" in out.out
    assert "2000 dwellings" in out.err


def test_bundled_sample_is_labelled_synthetic() -> None:
    metadata = pq.read_schema(sample_dwellings_path()).metadata

    assert metadata[b"ara.synthetic"] == b"true"
    assert b"SYNTHETIC" in metadata[b"ara.provenance"]


@pytest.mark.parametrize("args, message", [
    (["calc", "missing.parquet", "-o", "x.parquet"], "missing.parquet: no such file"),
    (["calc", "{sample}", "-o", "x.txt"], "x.txt: unsupported output type"),
    (["calc", "{notes}", "-o", "x.csv"], "notes.txt: unsupported input type"),
])
def test_calc_errors_name_the_file(args: list[str], message: str, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("hello")
    args = [a.format(sample=sample_dwellings_path(), notes="notes.txt") for a in args]

    code = main(args)

    assert code == 2
    assert message in capsys.readouterr().err


def test_calc_names_an_unknown_jsonl_field(dwellings: pa.Table, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    row = dwellings.slice(0, 1).to_pylist()[0]
    row["wall_colour"] = "red"
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps(row) + "\n")

    code = main(["calc", str(source), "-o", str(tmp_path / "out.csv")])

    err = capsys.readouterr().err
    assert code == 2
    assert str(source) in err and "wall_colour" in err and "synthetic-5-0" in err
    assert not (tmp_path / "out.csv").exists()


def test_trace_example_xml_prints_lines_39_and_98(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["trace", str(example_xml_path()), "--lines", "39,98"])

    lines = capsys.readouterr().out.splitlines()
    assert code == 0
    assert any(line.startswith("(39)") for line in lines)
    row_98 = next(line for line in lines if line.startswith("(98)"))
    assert len(row_98.split()) >= 14  # label, quantity, 12 months, annual
    assert row_98.split()[-1] == "9166.7"


def test_trace_json_prints_the_trace_dict(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["trace", str(example_xml_path()), "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["dwelling_id"] == "example_complete_sap"
    assert len(data["lines"]["98"]["monthly"]) == 12
    assert data["lines"]["98"]["annual"] == pytest.approx(9166.7, abs=1.0)


def test_trace_picks_a_row_of_a_table_file(small_parquet: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["trace", str(small_parquet), "--row", "3", "--lines", "4"])

    out = capsys.readouterr().out
    assert code == 0
    assert "synthetic-5-3" in out


def test_trace_refuses_a_file_of_many_dwellings_without_row(
        small_parquet: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["trace", str(small_parquet)])

    assert code == 2
    assert f"{small_parquet}: holds more than one dwelling" in capsys.readouterr().err


def test_console_entry_point_runs_as_a_module() -> None:
    proc = subprocess.run([sys.executable, "-m", "ara.cli", "--version"],
                          capture_output=True, text=True, check=False)

    assert proc.returncode == 0
    assert proc.stdout.startswith("ara ")


def test_calc_estimate_mode_completes_full_sap_xml_with_declared_fallbacks(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The register's SAP-Schema-19.1.0 sample as lodged: refused by ara calc (strict, the
    default) naming what it lacks; with --mode estimate the full-SAP reader completes it (SAP
    rules and declared fallbacks) and it is calculated, the count of estimates on stderr."""
    sample = Path(__file__).resolve().parent / "vectors" / "register" / "SAP-Schema-19.1.0.xml"
    output = tmp_path / "results.parquet"
    assert main(["calc", str(sample), "-o", str(output)]) == 2
    assert "bath_count" in capsys.readouterr().err and not output.exists()
    assert main(["calc", str(sample), "-o", str(output), "--mode", "estimate"]) == 0
    assert "1 SAP XML file(s) completed with declared estimate fallbacks" in \
        capsys.readouterr().err
    table = pq.read_table(output)
    assert table.column("dwelling_id").to_pylist() == ["SAP-Schema-19.1.0"]
    assert table.column("status").to_pylist() == ["ok"]


def test_calc_writes_only_the_columns_asked_for_with_the_codec_asked_for(tmp_path: Path) -> None:
    output = tmp_path / "few.parquet"
    assert main(["calc", "-o", str(output), "--columns", "sap_rating,co2_kg_per_year",
                 "--compression", "lz4"]) == 0
    table = pq.read_table(output)
    assert table.column_names == ["dwelling_id", "status", "error", "co2_kg_per_year",
                                  "sap_rating"]
    meta = pq.ParquetFile(output).metadata.row_group(0)
    codecs = {meta.column(i).compression for i in range(meta.num_columns)}
    assert codecs == {"LZ4"}
    # float outputs are written without dictionary encoding (decision: 3x faster to write)
    full = tmp_path / "all.parquet"
    assert main(["calc", "-o", str(full)]) == 0
    row_group = pq.ParquetFile(full).metadata.row_group(0)
    names = pq.ParquetFile(full).schema_arrow.names
    sap = row_group.column(names.index("sap_rating_continuous"))
    assert not any("DICTIONARY" in str(e) for e in sap.encodings)
    assert pq.read_table(full).select(["dwelling_id", "sap_rating", "co2_kg_per_year"]).equals(
        pq.read_table(output).select(["dwelling_id", "sap_rating", "co2_kg_per_year"]))


def test_calc_refuses_an_unknown_column_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", "--columns", "sap_rating,no_such_column"]) == 2
    assert "--columns: unknown output column(s) no_such_column" in capsys.readouterr().err


def test_calc_does_not_import_the_database_stack(tmp_path: Path) -> None:
    """Start-up of ara calc: the database, HTTP and plotting stacks stay unloaded."""
    code = ("import sys; from ara.cli import main; main(['calc', '-o', sys.argv[1]]); "
            "print(sorted(m for m in ('sqlalchemy', 'httpx', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path / "x.parquet")],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_calculate_takes_any_object_with_the_arrow_c_stream_interface() -> None:
    """Issue 14: polars and pandas (2.2+) DataFrames expose __arrow_c_stream__; any such
    object is read as SAP_INPUT_SCHEMA columns and gives the same results as the table."""
    from ara.sap import calculate

    table = pq.read_table(sample_dwellings_path()).slice(0, 50)

    class Stream:  # what a dataframe library hands over: only the C stream capsule
        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            return table.__arrow_c_stream__(requested_schema)

    assert calculate(Stream()).equals(calculate(table))
    with pytest.raises(TypeError, match="Arrow C stream interface"):
        calculate(42)


@pytest.mark.parametrize("source", ["archive:missing.ndjson.gz", "xml:no-folder",
                                    "csv:missing.csv"])
def test_run_refuses_a_local_epc_source_that_does_not_exist(
        source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One line naming the source, exit 2, before any database is made (it used to end in
    'internal error: FileNotFoundError')."""
    monkeypatch.chdir(tmp_path)
    code = main(["run", "--epc-source", source, "--db", str(tmp_path / "ara.db")])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--epc-source {source}: no such file or folder" in err
    assert "Traceback" not in err and not (tmp_path / "ara.db").exists()
