"""A national-scale lookup never loads the reference file: a batch of 10,000 UPRNs is looked
up in a generated file of 2 million rows (CSV and Parquet) in a fresh process, and the
process's peak resident memory (its high-water mark; ``resource.getrusage`` where /proc is
missing) and Python allocations (``tracemalloc``) are bounded well below what the file's
rows take in memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

REPO = Path(__file__).resolve().parents[2]
ROWS = 2_000_000
SMALL_ROWS = 200_000
FIRST_UPRN = 10_000_000
STEP = 7  # UPRNs are FIRST_UPRN + 7 i: sorted, with gaps that are unknown UPRNs
CHUNK = 250_000
#: Bytes per row the file's columns take as Arrow arrays: UPRN + 4 float64 + 3 bits
ROW_BYTES = 8 + 4 * 8 + 3 / 8
PEAK_GROWTH_BOUND = 68 * 2**20
SCALING_BOUND = 32 * 2**20
PYTHON_PEAK_BOUND = 8 * 2**20


def chunk(start: int, stop: int) -> pa.Table:
    """Rows ``start..stop``: every value a function of the row number, so any can be
    checked."""
    i = np.arange(start, stop, dtype=np.int64)
    return pa.table({
        "UPRN": FIRST_UPRN + STEP * i,
        "X_COORDINATE": 100_000.0 + (i % 500_000),
        "Y_COORDINATE": 10_000.0 + (i % 1_000_000),
        "LATITUDE": 50.0 + (i % 80_000) / 10_000,
        "LONGITUDE": -6.0 + (i % 70_000) / 10_000,
        "CONSERVATION_AREA": i % 20 == 0,
        "LISTED_BUILDING": i % 100 == 0,
        "HERITAGE_BUILDING": i % 200 == 0,
    })


def write_files(directory: Path, rows: int) -> tuple[Path, Path]:
    csv_path, parquet_path = directory / f"uprn_{rows}.csv", directory / f"uprn_{rows}.parquet"
    schema = chunk(0, 1).schema
    with pacsv.CSVWriter(csv_path, schema) as csv_out, \
            pq.ParquetWriter(parquet_path, schema) as parquet_out:
        for start in range(0, rows, CHUNK):
            table = chunk(start, min(start + CHUNK, rows))
            csv_out.write_table(table)
            parquet_out.write_table(table, row_group_size=125_000)
    return csv_path, parquet_path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, Path]]:
    directory = tmp_path_factory.mktemp("uprn_reference")
    return {rows: write_files(directory, rows) for rows in (ROWS, SMALL_ROWS)}


# Run in a fresh interpreter: warm pyarrow and the module on a tiny file, then measure the
# growth of the peak resident memory and the Python peak over one batch lookup. On Linux the
# peak is the process's own high-water mark (VmHWM, reset through clear_refs): ru_maxrss
# would start at the forking parent's size (it survives execve) and could hide the growth.
PROBE = """
import json, os, resource, sys, tracemalloc
import numpy as np
import pyarrow as pa
from ara.ingestion.geospatial import UprnReferenceData
pa.set_cpu_count(2)  # the same thread pools on every machine
pa.set_io_thread_count(2)
path, warm, rows = sys.argv[1], sys.argv[2], int(sys.argv[3])
UprnReferenceData(warm).lookup([1, 2])

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024

def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return status("VmRSS")
    except OSError:
        return status("VmHWM")

if os.path.exists("/proc/self/status"):
    before, peak = reset_peak(), lambda: status("VmHWM")
else:
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    before = peak()
tracemalloc.start()
rows_wanted = np.arange(0, rows, rows // 10_000, dtype=np.int64)
wanted = np.concatenate([10_000_000 + 7 * rows_wanted, [10_000_001, 10_000_002]])
table = UprnReferenceData(path).lookup(wanted)
python_peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"growth": peak() - before, "python_peak": python_peak,
                  "rows": table.num_rows, "found": int(sum(table.column("found").to_pylist())),
                  "sample": table.slice(0, 3).to_pylist()}))
"""


def probe(path: Path, rows: int, warm: Path) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO / "src"), os.environ.get("PYTHONPATH", "")]))
    # pyarrow's default allocator (mimalloc): glibc malloc keeps freed CSV parse buffers, so
    # with ARROW_DEFAULT_MEMORY_POOL=system the high-water mark of a CSV scan is ~400 MB
    # whatever the file size (bounded, but allocator retention, not data held)
    env.pop("ARROW_DEFAULT_MEMORY_POOL", None)
    done = subprocess.run([sys.executable, "-c", PROBE, str(path), str(warm), str(rows)],
                          capture_output=True, text=True, env=env, check=True, timeout=300)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def warm_file(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("warm")
    table = chunk(0, 10)
    pacsv.write_csv(table, directory / "warm.csv")
    pq.write_table(table, directory / "warm.parquet")
    return {"csv": directory / "warm.csv", "parquet": directory / "warm.parquet"}


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_two_million_row_lookup_stays_within_a_memory_bound(
        kind: str, files: dict[int, tuple[Path, Path]], warm_file: dict[str, Path]) -> None:
    path = files[ROWS][0 if kind == "csv" else 1]
    result = probe(path, ROWS, warm_file[kind])
    assert ROWS * ROW_BYTES > 1.1 * PEAK_GROWTH_BOUND  # holding the rows would break it
    assert result["rows"] == 10_002 and result["found"] == 10_000
    assert 0 < result["growth"] < PEAK_GROWTH_BOUND, result["growth"]  # type: ignore[operator]
    assert result["python_peak"] < PYTHON_PEAK_BOUND  # type: ignore[operator]


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_memory_does_not_grow_with_the_file(
        kind: str, files: dict[int, tuple[Path, Path]], warm_file: dict[str, Path]) -> None:
    index = 0 if kind == "csv" else 1
    large = probe(files[ROWS][index], ROWS, warm_file[kind])
    small = probe(files[SMALL_ROWS][index], SMALL_ROWS, warm_file[kind])
    extra = large["growth"] - small["growth"]  # type: ignore[operator]
    assert extra < SCALING_BOUND, (large["growth"], small["growth"])


def test_values_found_in_the_large_file_are_the_rows_of_those_uprns(
        files: dict[int, tuple[Path, Path]], warm_file: dict[str, Path]) -> None:
    result = probe(files[ROWS][1], ROWS, warm_file["parquet"])
    sample = result["sample"]
    assert isinstance(sample, list)
    first, unknown = sample[0], sample[1]
    assert first == {"uprn": 10_000_000, "found": True, "latitude": 50.0, "longitude": -6.0,
                     "easting": 100_000.0, "northing": 10_000.0, "conservation_area": True,
                     "listed_building": True, "heritage_building": True}
    assert (unknown["uprn"], unknown["found"], unknown["latitude"]) == \
        (10_000_001, False, None)
