"""National-scale ``ara calc`` on a Dask cluster (issue 18): a partitioned Parquet dataset of
synthetic dwellings through a whole ``python -m ara calc DATASET/ -o OUT/ --scheduler ADDRESS``
process, on a real ``distributed.LocalCluster`` of 1 and of 2 worker processes (1 Dask thread
and 1 Numba thread each, so that a worker is one core), and a projection of the wall time to
many workers built from what was measured.

* The dataset: ``ara.sap.synthetic.generate`` in chunks of ``PARTITION_ROWS`` (seed
  ``SEED + i`` for file ``i``: unique dwelling ids), each chunk written as its own Parquet file,
  so memory stays at one chunk however large the dataset; one partition per file. Generated
  once per session and size, before any timing.
* Each test starts its cluster, warms its workers (one small ``ara calc`` job: worker plugin,
  spec tables, Numba kernels loaded from the on-disk cache), then times one job (one round:
  at 5 million dwellings a run takes minutes). The cluster's start and warm-up are not in the
  time; the ``ara calc`` process's own start (Python, imports, partition planning, publishing
  the parts) is, and is reported as ``client_serial_s``.
* ``extra_info``: dwellings per second (and per worker); per-partition compute seconds from the
  scheduler's task stream (min, median, mean, max); the job's compute span; the scheduler and
  serialisation overhead per partition (the gap between one task's end and the next task's
  start on the same worker, and a burst of no-op tasks: the scheduler's cost per task); each
  worker's peak RSS; the Parquet bytes per dwelling in and out; CPU model and load average.
* :func:`project_wall_s` / :func:`projection_table`: a model, not a measurement (see there).
  After the last test the table is printed from the largest size's figures, and written as
  JSON to ``ARA_BENCH_NATIONAL_JSON`` when that names a file.

Sizes: 500,000 dwellings; the sizes in ``ARA_BENCH_SIZES`` of 500,000 or more instead
(``ARA_BENCH_SIZES=5e6`` for the national-scale run: about 1.2 GB of Parquet in a temporary
folder, some 15 minutes on 2 cores). ``ARA_BENCH_PARTITION_ROWS`` (default 50,000: 100
partitions at 5 million). No assertion on timings. Run:
``ARA_BENCH_SIZES=5e6 python -m pytest benchmarks/test_national_scale.py --benchmark-only -s``.
"""

from __future__ import annotations

import json
import logging
import math
import operator
import os
import resource
import shutil
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import pytest

_ASKED = [int(float(s)) for s in os.environ.get("ARA_BENCH_SIZES", "").split(",") if s]
SIZES = tuple(sorted({n for n in _ASKED if n >= 500_000})) or (500_000,)
PARTITION_ROWS = int(float(os.environ.get("ARA_BENCH_PARTITION_ROWS", "50000")))
WORKER_COUNTS = (1, 2)
#: Per (size, workers): the measured figures the projection is built from.
MEASURED: dict[tuple[int, int], dict[str, Any]] = {}
NOOP_TASKS = 2_000


# ------------------------------------------------------------------------------------------
# The projection: a model, not a measurement
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScaleModel:
    """The inputs of :func:`project_wall_s`. Measured on this machine: ``client_serial_s``,
    ``compute_s_per_dwelling``, ``task_overhead_s``, ``scheduler_s_per_task``,
    ``bytes_per_dwelling``. Assumed (parameters, not measured here): the object store's
    throughput per worker and for the whole cluster."""

    #: the client's work that no worker shares: process start, imports, planning the
    #: partitions, connecting, registering the worker plugin, publishing the parts
    client_serial_s: float
    #: one worker (one core) computing one dwelling: read from local disk, calculate, write
    compute_s_per_dwelling: float
    #: per partition, on its worker: from the end of one task to the start of the next
    #: (scheduler round trip, deserialising the task; the result sent back is ~60 bytes)
    task_overhead_s: float
    #: the scheduler's own serial cost per task (one scheduler process for the whole job)
    scheduler_s_per_task: float
    #: Parquet bytes read and written per dwelling (input plus output)
    bytes_per_dwelling: float
    partition_rows: int = 50_000
    #: ASSUMPTION: object-store (S3-like) read plus write throughput of one worker, bytes/s;
    #: added on top of the measured compute (which read and wrote local disk): no overlap
    worker_io_bytes_per_s: float = 50e6
    #: ASSUMPTION: the object store's (or the network's) ceiling for the whole cluster
    aggregate_io_bytes_per_s: float = 2e9


def project_wall_s(model: ScaleModel, workers: int, dwellings: int) -> float:
    """Predicted wall seconds of ``ara calc`` on ``workers`` one-core workers (Amdahl-style):

        client_serial_s + max(waves x per_partition, IO floor, scheduler floor)

    with ``partitions = ceil(dwellings / partition_rows)``, ``waves = ceil(partitions /
    workers)`` (every partition costed as a full one), ``per_partition = partition_rows x
    (compute_s_per_dwelling + bytes_per_dwelling / worker_io_bytes_per_s) +
    task_overhead_s``, the IO floor ``dwellings x bytes_per_dwelling /
    aggregate_io_bytes_per_s`` and the scheduler floor ``partitions x
    scheduler_s_per_task``. A model: it ignores stragglers, worker failures and retries,
    start-up of the workers, and a client whose planning grows with the number of files."""
    if workers < 1 or dwellings < 1:
        raise ValueError("workers and dwellings must be at least 1")
    partitions = math.ceil(dwellings / model.partition_rows)
    waves = math.ceil(partitions / workers)
    per_partition = (model.partition_rows
                     * (model.compute_s_per_dwelling
                        + model.bytes_per_dwelling / model.worker_io_bytes_per_s)
                     + model.task_overhead_s)
    io_floor = dwellings * model.bytes_per_dwelling / model.aggregate_io_bytes_per_s
    scheduler_floor = partitions * model.scheduler_s_per_task
    return model.client_serial_s + max(waves * per_partition, io_floor, scheduler_floor)


def projection_table(model: ScaleModel, workers: Sequence[int] = (1, 2, 10, 25, 50, 100),
                     dwellings: Sequence[int] = (5_000_000, 30_000_000)) \
        -> list[dict[str, Any]]:
    """One row per worker count: the predicted wall seconds and dwellings per second for
    each number of dwellings."""
    rows = []
    for n_workers in workers:
        row: dict[str, Any] = {"workers": n_workers}
        for n in dwellings:
            wall = project_wall_s(model, n_workers, n)
            row[f"wall_s_{n}"] = round(wall, 1)
            row[f"dwellings_per_s_{n}"] = round(n / wall)
        rows.append(row)
    return rows


def format_table(rows: list[dict[str, Any]], dwellings: Sequence[int] = (5_000_000,
                                                                         30_000_000)) -> str:
    """The projection as a Markdown table."""
    head = "| workers | " + " | ".join(f"{n / 1e6:g}M: wall | {n / 1e6:g}M: dwellings/s"
                                      for n in dwellings) + " |"
    lines = [head, "|" + "---|" * (1 + 2 * len(dwellings))]
    for row in rows:
        cells = " | ".join(f"{_duration(row[f'wall_s_{n}'])} | {row[f'dwellings_per_s_{n}']:,}"
                           for n in dwellings)
        lines.append(f"| {row['workers']} | {cells} |")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    return f"{seconds:,.0f} s" if seconds < 120 else f"{seconds / 60:,.1f} min"


# ------------------------------------------------------------------------------------------
# Fixtures
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def national_dataset(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int], Path]:
    """``dataset(n)``: a folder of ``ceil(n / PARTITION_ROWS)`` Parquet files of synthetic
    dwellings, generated once per session and size, one chunk in memory at a time."""
    import pyarrow.parquet as pq
    from bench_support import SEED

    from ara.sap import synthetic

    folder = tmp_path_factory.mktemp("national-scale")
    made: dict[int, Path] = {}

    def dataset(n: int) -> Path:
        if n not in made:
            root = folder / f"n{n}"
            root.mkdir()
            started = time.perf_counter()
            width = len(str(-(-n // PARTITION_ROWS)))
            for i, start in enumerate(range(0, n, PARTITION_ROWS)):
                chunk = synthetic.generate(min(PARTITION_ROWS, n - start), seed=SEED + i)
                pq.write_table(chunk, root / f"{i:0{width}d}.parquet")
                del chunk
            GENERATION_S[n] = round(time.perf_counter() - started, 1)
            made[n] = root
        return made[n]

    return dataset


GENERATION_S: dict[int, float] = {}


@pytest.fixture(scope="module", autouse=True)
def projection_report() -> Iterator[None]:
    """After the module's tests: the projection from the largest size's figures, printed
    (``-s``) and written to ``ARA_BENCH_NATIONAL_JSON`` when set."""
    yield
    model = model_from_measurements(MEASURED)
    if model is None:
        return
    rows = projection_table(model)
    print("\nProjection (a model, not a measurement) from the measured figures:")
    print(json.dumps(asdict(model), indent=1))
    print(format_table(rows))
    out = os.environ.get("ARA_BENCH_NATIONAL_JSON")
    if out:
        validation = {f"{n}x{w}": {"measured_s": m["seconds"],
                                   "predicted_s": round(project_wall_s(
                                       replace(model, worker_io_bytes_per_s=math.inf,
                                               aggregate_io_bytes_per_s=math.inf),
                                       w, n), 1)}
                      for (n, w), m in MEASURED.items()}
        Path(out).write_text(json.dumps({
            "measured": {f"{n}x{w}": m for (n, w), m in MEASURED.items()},
            "model": asdict(model), "projection": rows,
            "model_vs_measured_local_disk": validation}, indent=1))


def model_from_measurements(measured: dict[tuple[int, int], dict[str, Any]]) \
        -> ScaleModel | None:
    """The model's measured inputs from the largest size's runs: compute per dwelling from
    the 1-worker run's mean partition (one core, no sibling worker on the machine; the mean,
    not the median, since the wall time is the partitions' sum), the task gap and the
    scheduler's cost per task from the run with most workers, the client's serial seconds as
    the mean of the runs."""
    if not measured:
        return None
    n = max(size for size, _ in measured)
    runs = {w: m for (size, w), m in measured.items() if size == n}
    one = runs[min(runs)]
    most = runs[max(runs)]
    return ScaleModel(
        client_serial_s=round(statistics.mean(m["client_serial_s"] for m in runs.values()), 3),
        compute_s_per_dwelling=one["partition_compute_s"]["mean"] / one["partition_rows"],
        task_overhead_s=most["task_gap_s"]["mean"] if most["task_gap_s"]["mean"] is not None
        else 0.0,
        scheduler_s_per_task=most["scheduler_s_per_noop_task"],
        bytes_per_dwelling=round(one["bytes_per_dwelling_in"] + one["bytes_per_dwelling_out"],
                                 1),
        partition_rows=one["partition_rows"])


# ------------------------------------------------------------------------------------------
# The benchmark
# ------------------------------------------------------------------------------------------
def start_cluster(workers: int) -> Any:
    """A ``LocalCluster`` of ``workers`` processes, 1 Dask thread and 1 Numba thread each
    (``NUMBA_NUM_THREADS`` in the worker's environment, set by its nanny before the worker
    imports Numba)."""
    import distributed

    return distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                    dashboard_address=":0", silence_logs=logging.CRITICAL,
                                    env={"NUMBA_NUM_THREADS": "1"})


def numba_threads(client: Any) -> dict[str, int]:
    """Each worker's Numba thread count, asked on its (only) task thread."""
    import numba

    return {w: client.submit(numba.get_num_threads, workers=[w], pure=False).result()
            for w in client.scheduler_info()["workers"]}


def _spread(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return {"min": None, "median": None, "mean": None, "max": None}
    return {"min": round(min(values), 4), "median": round(statistics.median(values), 4),
            "mean": round(statistics.mean(values), 4), "max": round(max(values), 4)}


def task_figures(records: list[dict[str, Any]]) -> dict[str, Any]:
    """From the task stream's records of one job: per-partition compute seconds, the other
    start/stop actions (transfer, deserialisation) summed, the compute span and the gaps
    between consecutive tasks on each worker."""
    computes: list[float] = []
    other: dict[str, float] = {}
    by_worker: dict[str, list[tuple[float, float]]] = {}
    for record in records:
        for ss in record["startstops"]:
            seconds = ss["stop"] - ss["start"]
            if ss["action"] == "compute":
                computes.append(seconds)
                by_worker.setdefault(record["worker"], []).append((ss["start"], ss["stop"]))
            else:
                other[ss["action"]] = other.get(ss["action"], 0.0) + seconds
    gaps = []
    for spans in by_worker.values():
        spans.sort()
        gaps += [b[0] - a[1] for a, b in zip(spans, spans[1:], strict=False)]
    starts = [s for spans in by_worker.values() for s, _ in spans]
    stops = [e for spans in by_worker.values() for _, e in spans]
    return {
        "partitions_in_stream": len(computes),
        "partition_compute_s": _spread(computes),
        "compute_s_total": round(sum(computes), 3),
        "compute_span_s": round(max(stops) - min(starts), 3) if starts else None,
        "first_task_start": min(starts) if starts else None,
        "last_task_stop": max(stops) if stops else None,
        "task_gap_s": _spread(gaps),
        "non_compute_actions_s": {k: round(v, 4) for k, v in other.items()},
        "tasks_per_worker": {w: len(s) for w, s in by_worker.items()},
    }


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.parquet"))


@pytest.mark.parametrize("workers", WORKER_COUNTS, ids=[f"workers-{w}" for w in WORKER_COUNTS])
@pytest.mark.parametrize("n", SIZES, ids=[f"{n:.0e}".replace("+0", "") for n in SIZES])
def test_national_scale(benchmark: Any, national_dataset: Callable[[int], Path],
                        tmp_path: Path, n: int, workers: int) -> None:
    import distributed
    import pyarrow.parquet as pq
    from bench_support import machine_info, remember, run_calc

    dataset = national_dataset(n)
    files = sorted(dataset.glob("*.parquet"))
    out = tmp_path / "out"
    benchmark.group = f"ara calc on a LocalCluster, {n:,} dwellings"
    with start_cluster(workers) as cluster, distributed.Client(cluster) as client:
        address = cluster.scheduler_address
        # warm every worker (plugin, tables, kernels) on one partition, outside the timing
        run_calc([str(files[0]), "-o", str(tmp_path / "warm"), "--scheduler", address])
        shutil.rmtree(tmp_path / "warm")
        threads = numba_threads(client)
        assert set(threads.values()) == {1}, threads
        client.get_task_stream()  # installs the scheduler's task-stream plugin
        load_before = round(os.getloadavg()[0], 2)
        span: dict[str, float] = {}

        def job() -> float:
            span["start"] = time.time()
            wall = run_calc([str(dataset), "-o", str(out), "--scheduler", address])
            span["stop"] = time.time()
            return wall

        benchmark.pedantic(job, rounds=1, iterations=1)
        load_after = round(os.getloadavg()[0], 2)

        records = [r for r in client.get_task_stream(start=span["start"])
                   if ".ara-calc-" in str(r["key"])]
        rss = client.run(resource.getrusage, resource.RUSAGE_SELF)
        peak_rss_mb = {w: round(r.ru_maxrss / 1024) for w, r in rss.items()}
        # the scheduler's cost per task: a burst of no-op tasks (builtin: nothing to import)
        started = time.perf_counter()
        client.gather(client.map(operator.neg, range(NOOP_TASKS), pure=False))
        noop_s = (time.perf_counter() - started) / NOOP_TASKS

    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) == len(files)
    assert sum(pq.ParquetFile(p).metadata.num_rows for p in parts) == n
    bytes_out = _folder_bytes(out)
    shutil.rmtree(out)

    wall = benchmark.stats.stats.mean
    tasks = task_figures(records)
    assert tasks["partitions_in_stream"] == len(files), tasks["partitions_in_stream"]
    busy = tasks["compute_s_total"]
    serial = wall - tasks["compute_span_s"]
    info = {
        "dwellings": n,
        "workers": workers,
        "threads": workers,  # one Dask thread and one Numba thread per worker
        "partitions": len(files),
        "partition_rows": PARTITION_ROWS,
        "seconds": round(wall, 3),
        "dwellings_per_s": round(n / wall),
        "dwellings_per_s_per_worker": round(n / wall / workers),
        "dwellings_per_s_per_core": round(n / wall / workers),
        "us_per_dwelling_per_core": round(wall * workers / n * 1e6, 3),
        "compute_dwellings_per_s_per_worker": round(n / busy),
        **{k: v for k, v in tasks.items() if k not in ("first_task_start", "last_task_stop")},
        # the ara calc process's start, planning and publishing: outside the task span
        "client_serial_s": round(serial, 3),
        "client_before_first_task_s": round(tasks["first_task_start"] - span["start"], 3),
        "client_after_last_task_s": round(span["stop"] - tasks["last_task_stop"], 3),
        # everything not computing, per partition: (wall x workers - compute) / partitions
        "overhead_s_per_partition": round((wall * workers - busy) / len(files), 4),
        # the same without the client's serial part: scheduling, gaps and the tail
        "dask_overhead_s_per_partition": round(
            (tasks["compute_span_s"] * workers - busy) / len(files), 4),
        "scheduler_s_per_noop_task": round(noop_s, 6),
        "peak_worker_rss_mb": peak_rss_mb,
        "bytes_per_dwelling_in": round(_folder_bytes(dataset) / n, 1),
        "bytes_per_dwelling_out": round(bytes_out / n, 1),
        "generation_s": GENERATION_S.get(n),
        "load_before": load_before,
        "load_after": load_after,
        **machine_info(),
    }
    benchmark.extra_info.update(info)
    MEASURED[(n, workers)] = info
    remember(benchmark)
