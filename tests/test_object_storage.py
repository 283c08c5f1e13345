"""Datasets on object storage (issue 18): ``ara calc`` and ``ara expand`` on Dask read a
Parquet dataset from an ``s3://`` prefix and write their parts to another, with the same rows
as the local run, bit for bit. ``ara convert`` reads a certificate archive from the store and
writes its dataset there (or either one locally), row for row as from the local file, and
``ara run`` takes its bulk archive and UPRN data from the store, storing the same rows.

The store is a real S3 HTTP endpoint on loopback (moto's server, in this process), reached by
Arrow's S3 file system through ``AWS_ENDPOINT_URL`` as a user's cluster would reach S3 or
MinIO; the clusters are real 2-process ``LocalCluster``s, which inherit the environment."""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster  # the 'cluster' extra, part of 'dev'
from moto.server import ThreadedMotoServer  # part of 'dev'
from pg_support import snapshot
from sample_support import SAMPLE, first_homes

from ara.cli import bundled, main
from ara.sap import synthetic

BUCKET = "ara-test"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def environment(endpoint: str) -> Iterator[None]:
    """Credentials and endpoint in the environment, as a user sets them (the workers of a
    cluster started afterwards inherit them)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                           "AWS_EC2_METADATA_DISABLED": "true"}.items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="module")
def scheduler(environment: None) -> Iterator[str]:
    """One 2-worker cluster for the module (``--scheduler``); one test starts its own with
    ``--workers 2``."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def s3(endpoint: str, environment: None) -> pafs.S3FileSystem:
    """A fresh bucket."""
    fs = pafs.S3FileSystem(endpoint_override=endpoint, allow_bucket_creation=True,
                           allow_bucket_deletion=True, access_key="test", secret_key="test",
                           region="us-east-1")
    try:
        fs.delete_dir(BUCKET)
    except OSError:
        pass
    fs.create_dir(BUCKET)
    return fs


def upload(fs: pafs.S3FileSystem, table: pa.Table, prefix: str, rows_per_file: int) -> None:
    for i, start in enumerate(range(0, table.num_rows, rows_per_file)):
        pq.write_table(table.slice(start, rows_per_file), f"{BUCKET}/{prefix}/{i:05d}.parquet",
                       filesystem=fs)


def parts(fs: pafs.S3FileSystem, prefix: str) -> list[str]:
    found = fs.get_file_info(pafs.FileSelector(f"{BUCKET}/{prefix}", recursive=True))
    return sorted(f.path.rsplit("/", 1)[-1] for f in found if f.type == pafs.FileType.File)


def read_parts(fs: pafs.S3FileSystem, prefix: str) -> pa.Table:
    return pa.concat_tables(pq.read_table(f"{BUCKET}/{prefix}/{name}", filesystem=fs)
                            for name in parts(fs, prefix))


def test_calc_on_s3_equals_the_local_run(s3: pafs.S3FileSystem, tmp_path: Path) -> None:
    dwellings = synthetic.generate(3_000, seed=7)
    upload(s3, dwellings, "in", 1_000)
    local_in, local_out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(dwellings, local_in)
    assert main(["calc", str(local_in), "-o", str(local_out)]) == 0
    expected = pq.read_table(local_out)

    assert main(["calc", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out/",
                 "--workers", "2"]) == 0
    assert parts(s3, "out") == ["part-00000.parquet", "part-00001.parquet",
                                "part-00002.parquet"]  # no staging prefix left behind
    got = read_parts(s3, "out")
    assert got.schema.equals(expected.schema) and got.equals(expected)

    # run again with one input file: the earlier run's extra parts are removed
    s3.delete_dir(f"{BUCKET}/in")
    upload(s3, dwellings, "in", 3_000)
    assert main(["calc", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out/",
                 "--workers", "2"]) == 0
    assert parts(s3, "out") == ["part-00000.parquet"]
    assert read_parts(s3, "out").equals(expected)


def test_one_s3_file_is_split_along_its_row_groups(s3: pafs.S3FileSystem, tmp_path: Path,
                                                    scheduler: str) -> None:
    dwellings = synthetic.generate(2_000, seed=11)
    pq.write_table(dwellings, f"{BUCKET}/one.parquet", filesystem=s3, row_group_size=500)
    local = tmp_path / "all.parquet"
    pq.write_table(dwellings, local)
    assert main(["calc", str(local), "-o", str(tmp_path / "out.parquet")]) == 0
    assert main(["calc", f"s3://{BUCKET}/one.parquet", "-o", f"s3://{BUCKET}/split/",
                 "--scheduler", scheduler, "--partition-rows", "1000"]) == 0
    assert parts(s3, "split") == ["part-00000.parquet", "part-00001.parquet"]
    assert read_parts(s3, "split").equals(pq.read_table(tmp_path / "out.parquet"))


def test_expand_a_certificate_dataset_on_s3(s3: pafs.S3FileSystem, tmp_path: Path,
                                            scheduler: str) -> None:
    archive = bundled("sample_portfolio") / "certificates.ndjson.gz"
    local = tmp_path / "certs"
    assert main(["convert", str(archive), "-o", str(local), "--rows-per-file", "1000"]) == 0
    for name in ("part-00000.parquet", "part-00001.parquet"):
        pq.write_table(pq.read_table(local / name), f"{BUCKET}/certs/{name}", filesystem=s3)
    assert main(["expand", str(local), "-o", str(tmp_path / "inputs.parquet"), "--mode",
                 "estimate"]) == 0
    assert main(["expand", f"s3://{BUCKET}/certs/", "-o", f"s3://{BUCKET}/inputs/",
                 "--mode", "estimate", "--scheduler", scheduler]) == 0
    assert read_parts(s3, "inputs").equals(pq.read_table(tmp_path / "inputs.parquet"))


def test_a_missing_prefix_is_refused_in_one_line(s3: pafs.S3FileSystem, scheduler: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", f"s3://{BUCKET}/nothing/", "-o", f"s3://{BUCKET}/out/",
                 "--scheduler", scheduler]) == 2
    err = capsys.readouterr().err
    assert "holds no Parquet files" in err and "Traceback" not in err
    assert main(["calc", f"s3://{BUCKET}/absent.parquet", "-o", f"s3://{BUCKET}/out/",
                 "--scheduler", scheduler]) == 2
    assert "no such file or folder" in capsys.readouterr().err


# ------------------------------------------------------------------ sources on the store --
ARCHIVE = SAMPLE / "certificates.ndjson.gz"


def put_file(fs: pafs.S3FileSystem, local: Path, key: str) -> str:
    """Upload ``local`` as ``key``; its URI."""
    with fs.open_output_stream(f"{BUCKET}/{key}", compression=None) as sink:
        sink.write(local.read_bytes())
    return f"s3://{BUCKET}/{key}"


def zipped_archive(folder: Path) -> Path:
    """The sample archive as the register ships it zipped: one NDJSON member."""
    path = folder / "certificates.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("certificates.ndjson", gzip.decompress(ARCHIVE.read_bytes()))
    return path


def dataset_files(fs: pafs.S3FileSystem, output: str) -> dict[str, pa.Table]:
    """The files of a dataset (local folder or URI) by name, read as tables."""
    if output.startswith("s3://"):
        prefix = output.removeprefix("s3://").rstrip("/")
        found = fs.get_file_info(pafs.FileSelector(prefix, recursive=True))
        return {f.base_name: pq.read_table(f.path, filesystem=fs)
                for f in found if f.type == pafs.FileType.File}
    return {p.name: pq.read_table(p) for p in Path(output).iterdir()}


def named_as(table: pa.Table, local: str, uri: str) -> pa.Table:
    """``table`` with the local archive's path in its ``source`` column read as the URI: the
    one column that names where a certificate was read."""
    import pyarrow.compute as pc

    index = table.schema.get_field_index("source")
    return table.set_column(index, table.schema.field(index), pc.replace_substring(
        table.column("source"), local, uri))


@pytest.mark.parametrize(("kind", "source_on_s3", "output_on_s3"), [
    ("ndjson.gz", True, True), ("zip", True, False), ("ndjson.gz", False, True)],
    ids=["gz-s3-to-s3", "zip-s3-to-local", "gz-local-to-s3"])
def test_convert_with_the_store_equals_the_local_conversion(
        s3: pafs.S3FileSystem, tmp_path: Path, kind: str, source_on_s3: bool,
        output_on_s3: bool) -> None:
    local = ARCHIVE if kind == "ndjson.gz" else zipped_archive(tmp_path)
    uri = put_file(s3, local, local.name)
    expected_code = main(["convert", str(local), "-o", str(tmp_path / "local"),
                          "--rows-per-file", "700"])
    expected = dataset_files(s3, str(tmp_path / "local"))
    assert sorted(expected) == ["_unreadable.parquet", "part-00000.parquet",
                                "part-00001.parquet", "part-00002.parquet"]

    output = f"s3://{BUCKET}/dataset/" if output_on_s3 else str(tmp_path / "out")
    code = main(["convert", uri if source_on_s3 else str(local), "-o", output,
                 "--rows-per-file", "700"])

    assert code == expected_code
    got = dataset_files(s3, output)
    assert sorted(got) == sorted(expected)  # no staging folder or prefix left behind
    for name, table in expected.items():
        want = named_as(table, str(local), uri) if source_on_s3 else table
        assert got[name].schema.equals(want.schema, check_metadata=True), name
        assert got[name].equals(want), name
    assert got["part-00000.parquet"].column("source")[0].as_py().startswith(
        uri if source_on_s3 else str(local))


def test_convert_to_s3_replaces_the_earlier_parts(s3: pafs.S3FileSystem) -> None:
    uri = put_file(s3, ARCHIVE, "certificates.ndjson.gz")
    assert main(["convert", uri, "-o", f"s3://{BUCKET}/dataset/", "--rows-per-file",
                 "500"]) == 0
    assert main(["convert", uri, "-o", f"s3://{BUCKET}/dataset/"]) == 0
    assert parts(s3, "dataset") == ["_unreadable.parquet", "part-00000.parquet"]


def mixed_portfolio(folder: Path) -> Path:
    """80 homes with a certificate in the archive and the last 20 of the sample, which have
    none: their EPC is predicted from comparables, which the run reads from its archive."""
    lines = (SAMPLE / "portfolio.csv").read_text(encoding="utf-8").splitlines()
    path = folder / "homes.csv"
    path.write_text("\n".join(lines[:81] + lines[-20:]) + "\n", encoding="utf-8")
    return path


def run_with_statements(portfolio: Path, db: Path, archive: str, uprn: str) -> None:
    """``ara run``, the sample's statements of the uncertified homes imported, and again."""
    command = ["run", str(portfolio), "--db", str(db), "--report", "none", "--batch-size",
               "50", "--epc-source", f"archive:{archive}", "--uprn-data", uprn]
    assert main(command) in (0, 1)  # 1: some homes failed, as the summary says
    assert main(["overrides", "import", str(SAMPLE / "overrides_predicted_homes.csv"),
                 "--db", str(db)]) in (0, 1)  # 1: statements of homes not in this portfolio
    assert main(command) in (0, 1)


def stored_rows(db: Path, local: str, uri: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, timestamps aside, the local archive's path read as its URI."""
    return {name: sorted((tuple(v.replace(local, uri) if isinstance(v, str) else v
                                for v in row) for row in rows), key=repr)
            for name, rows in snapshot(str(db)).items()}


def test_run_from_an_archive_and_uprn_data_on_s3_stores_the_same_rows(
        s3: pafs.S3FileSystem, tmp_path: Path) -> None:
    portfolio = mixed_portfolio(tmp_path)
    archive = put_file(s3, ARCHIVE, "register/certificates.ndjson.gz")
    uprn = put_file(s3, SAMPLE / "uprn.parquet", "reference/uprn.parquet")
    run_with_statements(portfolio, tmp_path / "local.db", str(ARCHIVE),
                        str(SAMPLE / "uprn.parquet"))
    expected = stored_rows(tmp_path / "local.db", str(ARCHIVE), archive)
    assert len(expected["properties"]) == 100 and len(expected["epc_certificates"]) == 80
    assert expected["property_spatial"] and expected["predicted_epcs"]  # comparables read

    run_with_statements(portfolio, tmp_path / "s3.db", archive, uprn)

    assert stored_rows(tmp_path / "s3.db", str(ARCHIVE), archive) == expected
    # each stored certificate names where it was read: the archive on the store
    data = snapshot(str(tmp_path / "s3.db"))["epc_certificates"]
    assert all(f'"{archive}:' in repr(row) for row in data)


def one_line_error(capsys: pytest.CaptureFixture[str], command: str) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith(f"ara {command}: error: "), err
    return err


def test_a_missing_object_is_refused_in_one_line(s3: pafs.S3FileSystem, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    absent = f"s3://{BUCKET}/absent.ndjson.gz"
    assert main(["convert", absent, "-o", str(tmp_path / "out")]) == 2
    assert f"{absent}: no such file" in one_line_error(capsys, "convert")
    assert not (tmp_path / "out").exists()

    db = tmp_path / "ara.db"
    portfolio = first_homes(tmp_path, 5)
    assert main(["run", str(portfolio), "--db", str(db), "--report", "none",
                 "--epc-source", f"archive:{absent}"]) == 2
    assert f"{absent}: no such file" in one_line_error(capsys, "run")
    assert main(["run", str(portfolio), "--db", str(db), "--report", "none",
                 "--epc-source", f"archive:{ARCHIVE}", "--uprn-data",
                 f"s3://{BUCKET}/absent.parquet"]) == 2
    assert "--uprn-data" in one_line_error(capsys, "run")
    assert not db.exists()  # refused before the database is opened


@pytest.mark.parametrize("fault", ["unreachable endpoint", "refused credentials"])
def test_a_store_that_cannot_be_used_is_a_configuration_error(
        s3: pafs.S3FileSystem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], fault: str) -> None:
    uri = put_file(s3, ARCHIVE, "certificates.ndjson.gz")
    if fault == "unreachable endpoint":
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    else:  # the server checks signatures from now on; these keys are no one's
        import moto.settings

        monkeypatch.setattr(moto.settings, "INITIAL_NO_AUTH_ACTION_COUNT", 0)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNUNKNOWN00")
    assert main(["convert", uri, "-o", str(tmp_path / "out")]) == 78
    err = one_line_error(capsys, "convert")
    assert uri in err and "cannot read" in err
    assert main(["convert", str(ARCHIVE), "-o", f"s3://{BUCKET}/dataset/"]) == 78
    assert f"s3://{BUCKET}/dataset/" in one_line_error(capsys, "convert")
    assert main(["run", str(first_homes(tmp_path, 5)), "--db", str(tmp_path / "ara.db"),
                 "--report", "none", "--epc-source", f"archive:{uri}"]) == 78
    assert uri in one_line_error(capsys, "run")
    assert not (tmp_path / "ara.db").exists()
