"""``ara convert ARCHIVE -o DATASET/`` and ``ara expand`` on the dataset, in process and on a
Dask cluster (issue 18): certificates read once into Parquet files of certificate rows; their
expansion from the dataset equals the expansion of the archive itself, row for row, and the
cluster's parts concatenated equal the in-process output bit for bit.

Inputs: the bundled sample's bulk archive (2,000 synthetic certificates) and the open-data
summary CSV fixture of the reader tests; the clusters are real 2-process ``LocalCluster``s."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster  # the 'cluster' extra, part of 'dev'

from ara.cli import bundled, main

ARCHIVE = bundled("sample_portfolio") / "certificates.ndjson.gz"
ODC_CSV = Path(__file__).resolve().parent / "rdsap/fixtures/odc_certificates.csv"


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("part-*.parquet"))


def read_dataset(folder: Path) -> pa.Table:
    return pa.concat_tables(pq.read_table(folder / name) for name in parts(folder))


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("convert") / "certs"
    assert main(["convert", str(ARCHIVE), "-o", str(out), "--rows-per-file", "700",
                 "--batch-size", "300"]) == 0
    return out


@pytest.fixture(scope="module")
def expanded_archive(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    out = tmp_path_factory.mktemp("expand") / "from_archive.parquet"
    assert main(["expand", str(ARCHIVE), "-o", str(out), "--mode", "estimate"]) == 0
    return pq.read_table(out)


# ------------------------------------------------------------------------------- convert --
def test_convert_writes_files_of_certificate_rows_in_input_order(dataset: Path) -> None:
    assert parts(dataset) == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    sizes = [pq.read_metadata(dataset / n).num_rows for n in parts(dataset)]
    assert sizes == [700, 700, 600]
    meta = pq.read_schema(dataset / parts(dataset)[0]).metadata
    assert meta[b"ara.dataset"] == b"certificates" and b"ara.estimate" not in meta
    assert pq.read_table(dataset / "_unreadable.parquet").num_rows == 0
    # row groups of the batch size
    assert pq.read_metadata(dataset / parts(dataset)[0]).row_group(0).num_rows == 300
    # the rows are the archive's certificates, in order
    with gzip.open(ARCHIVE, "rt", encoding="utf-8") as fh:
        first = next(fh)
    table = read_dataset(dataset)
    assert table.num_rows == 2000
    assert table.column("certificate_number")[0].as_py() in first
    # pyarrow reads the folder as one dataset too (the _ file is skipped)
    assert ds.dataset(str(dataset)).count_rows() == 2000


def test_unreadable_certificates_are_listed_and_the_rest_converted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with gzip.open(ARCHIVE, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(5)]
    archive = tmp_path / "some.ndjson"
    archive.write_text("".join(lines[:2]) + "{not json\n" + "".join(lines[2:]),
                       encoding="utf-8")
    out = tmp_path / "ds"
    assert main(["convert", str(archive), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert "5 certificates converted" in captured.out and "1 unreadable" in captured.out
    assert "unreadable:" in captured.err and "Traceback" not in captured.err
    failures = pq.read_table(out / "_unreadable.parquet").to_pylist()
    assert len(failures) == 1 and failures[0]["source"].endswith("some.ndjson:3")
    assert read_dataset(out).num_rows == 5


def test_converting_again_replaces_the_dataset(tmp_path: Path, dataset: Path) -> None:
    out = tmp_path / "again"
    shutil.copytree(dataset, out)
    assert main(["convert", str(ARCHIVE), "-o", str(out), "--rows-per-file", "1500"]) == 0
    assert parts(out) == ["part-00000.parquet", "part-00001.parquet"]  # no stale third part
    assert not [p for p in out.iterdir() if p.name.startswith(".ara-convert")]


@pytest.mark.parametrize(("setup", "words"), [
    ("file", "is a file"), ("missing", "no such file"), ("rows", "--rows-per-file must be"),
])
def test_convert_refuses_bad_input_in_one_line(tmp_path: Path, setup: str, words: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    source, out, extra = str(ARCHIVE), tmp_path / "out", []
    if setup == "file":
        out.write_text("x")
    elif setup == "missing":
        source = str(tmp_path / "nothing.ndjson")
    else:
        extra = ["--rows-per-file", "0"]
    assert main(["convert", source, "-o", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_a_summary_csv_converts_to_inferred_rows_marked_as_estimates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "csv"
    code = main(["convert", str(ODC_CSV), "-o", str(out)])
    assert code in (0, 1)
    meta = pq.read_schema(out / "part-00000.parquet").metadata
    assert b"ara.estimate" in meta
    capsys.readouterr()
    # inferred rows expand only in estimate mode, as the CSV itself
    assert main(["expand", str(out), "-o", str(tmp_path / "x.parquet")]) == 2
    assert "only with --mode estimate" in capsys.readouterr().err
    assert main(["expand", str(out), "-o", str(tmp_path / "x.parquet"), "--mode",
                 "estimate"]) in (0, 1)
    assert b"ara.estimate" in pq.read_schema(tmp_path / "x.parquet").metadata


# --------------------------------------------------------------- expand on the dataset --
def test_expanding_the_dataset_equals_expanding_the_archive(
        dataset: Path, expanded_archive: pa.Table, tmp_path: Path) -> None:
    out = tmp_path / "from_dataset.parquet"
    assert main(["expand", str(dataset), "-o", str(out), "--mode", "estimate"]) == 0
    assert pq.read_table(out).equals(expanded_archive)
    # one file of the dataset, and a glob, read the same way
    one = tmp_path / "one.parquet"
    assert main(["expand", str(dataset / "part-00001.parquet"), "-o", str(one), "--mode",
                 "estimate"]) == 0
    assert pq.read_table(one).equals(expanded_archive.slice(700, 700))


def test_workers_2_gives_the_in_process_expansion_bit_for_bit(
        dataset: Path, expanded_archive: pa.Table, tmp_path: Path) -> None:
    out = tmp_path / "parts"
    assert main(["expand", str(dataset), "-o", str(out), "--mode", "estimate",
                 "--workers", "2"]) == 0
    assert parts(out) == ["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"]
    got = read_dataset(out)
    assert got.schema.equals(expanded_archive.schema)
    assert got.equals(expanded_archive)


def test_an_existing_scheduler_and_strict_refusals_are_counted(
        dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Strict mode on the sample refuses the certificates that need estimate fallbacks: the
    parts hold the others, the count and examples are reported, exit 1; the same rows as the
    in-process strict expansion."""
    single = tmp_path / "strict.parquet"
    assert main(["expand", str(dataset), "-o", str(single)]) == 1
    capsys.readouterr()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        out = tmp_path / "strict"
        code = main(["expand", str(dataset), "-o", str(out), "--scheduler",
                     cluster.scheduler_address])
    captured = capsys.readouterr()
    assert code == 1 and "refused" in captured.out
    assert read_dataset(out).equals(pq.read_table(single))


@pytest.mark.parametrize(("args", "words"), [
    (["--workers", "2"], "take a Parquet dataset of certificate rows"),
    (["--workers", "0"], "--workers must be at least 1"),
])
def test_cluster_expansion_needs_a_certificate_dataset(
        tmp_path: Path, args: list[str], words: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    source = str(ARCHIVE) if "2" in args else str(tmp_path)
    if "0" in args:
        pq.write_table(pa.table({"x": [1]}), tmp_path / "a.parquet")
    assert main(["expand", source, "-o", str(tmp_path / "out"), *args]) == 2
    assert words in capsys.readouterr().err


def test_a_parquet_file_that_is_not_certificates_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = tmp_path / "inputs.parquet"
    pq.write_table(pq.read_table(bundled("sample_dwellings.parquet")).slice(0, 5), inputs)
    assert main(["expand", str(inputs), "-o", str(tmp_path / "x.parquet")]) == 2
    err = capsys.readouterr().err
    assert "not a dataset of certificate rows" in err and "ara convert" in err


# ------------------------------------------------------------- validate on the dataset --
def _comparable(summary: object) -> dict[str, object]:
    import json

    data = json.loads(summary.to_json())  # type: ignore[attr-defined]
    for key in ("inputs", "elapsed_s", "certificates_per_s"):
        data.pop(key, None)
    return data


@pytest.mark.parametrize("mode", ["estimate", "strict"])
def test_validating_the_dataset_equals_validating_the_archive(dataset: Path,
                                                               mode: str) -> None:
    from ara.validate import validate

    assert _comparable(validate([dataset], mode)) == _comparable(validate([ARCHIVE], mode))


def test_validate_counts_the_datasets_unreadable_certificates(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ara.validate import validate

    with gzip.open(ARCHIVE, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(4)]
    archive = tmp_path / "some.ndjson"
    archive.write_text("".join(lines[:2]) + "{not json\n" + "".join(lines[2:]),
                       encoding="utf-8")
    out = tmp_path / "ds"
    main(["convert", str(archive), "-o", str(out)])
    from_dataset, from_archive = _comparable(validate([out])), _comparable(validate([archive]))
    # the reason as each reader words it: ara convert's archive reader names the line,
    # ara validate's document reader the document
    assert from_dataset.pop("unreadable_reasons") == {"(line): invalid JSON": 1}
    assert from_archive.pop("unreadable_reasons") == {"(document): invalid JSON": 1}
    assert from_dataset == from_archive and from_dataset["coverage"]["unreadable"] == 1
    capsys.readouterr()
    # a Parquet input that is not certificate rows: one line, exit 2
    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    assert main(["validate", str(tmp_path / "other.parquet")]) == 2
    assert "not a dataset of certificate rows" in capsys.readouterr().err
