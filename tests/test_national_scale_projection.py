"""The arithmetic of the national-scale projection (benchmarks/test_national_scale.py, issue 18):
wall = client serial + max(waves x per-partition, IO floor, scheduler floor)."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "test_national_scale.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("national_scale_bench", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


ns = _load()


def model(**changes: float) -> Any:
    base = {"client_serial_s": 2.0, "compute_s_per_dwelling": 1e-4, "task_overhead_s": 0.01,
            "scheduler_s_per_task": 0.001, "bytes_per_dwelling": 0.0, "partition_rows": 1000,
            "worker_io_bytes_per_s": math.inf, "aggregate_io_bytes_per_s": math.inf}
    return ns.ScaleModel(**{**base, **changes})


def test_waves_of_partitions_plus_serial() -> None:
    # 10 partitions of 0.1 s compute + 0.01 s overhead; 3 workers: 4 waves
    assert ns.project_wall_s(model(), 3, 10_000) == pytest.approx(2.0 + 4 * 0.11)
    # one worker: all 10 in turn; more workers than partitions: one wave
    assert ns.project_wall_s(model(), 1, 10_000) == pytest.approx(2.0 + 10 * 0.11)
    assert ns.project_wall_s(model(), 100, 10_000) == pytest.approx(2.0 + 0.11)


def test_a_partial_partition_costs_a_full_one() -> None:
    assert ns.project_wall_s(model(), 1, 10_001) == pytest.approx(2.0 + 11 * 0.11)


def test_object_store_time_per_worker_is_added_to_each_partition() -> None:
    # 1000 rows x 100 bytes at 1 MB/s: 0.1 s more per partition
    m = model(bytes_per_dwelling=100.0, worker_io_bytes_per_s=1e6)
    assert ns.project_wall_s(m, 5, 10_000) == pytest.approx(2.0 + 2 * 0.21)


def test_aggregate_io_and_scheduler_are_floors() -> None:
    # 10,000 x 100 bytes at 0.5 MB/s for the whole cluster: 2 s, more than one 0.11 s wave
    io_bound = model(bytes_per_dwelling=100.0, aggregate_io_bytes_per_s=5e5)
    assert ns.project_wall_s(io_bound, 100, 10_000) == pytest.approx(2.0 + 2.0)
    # 10 tasks at 0.5 s of scheduler each: 5 s
    assert ns.project_wall_s(model(scheduler_s_per_task=0.5), 100, 10_000) \
        == pytest.approx(2.0 + 5.0)


def test_refuses_no_workers_or_dwellings() -> None:
    with pytest.raises(ValueError):
        ns.project_wall_s(model(), 0, 10)
    with pytest.raises(ValueError):
        ns.project_wall_s(model(), 1, 0)


def test_table_rows_and_markdown() -> None:
    rows = ns.projection_table(model(), workers=(1, 10), dwellings=(10_000, 20_000))
    assert [r["workers"] for r in rows] == [1, 10]
    assert rows[0]["wall_s_10000"] == pytest.approx(round(2.0 + 1.1, 1))
    assert rows[1]["wall_s_20000"] == pytest.approx(round(2.0 + 2 * 0.11, 1))
    assert rows[1]["dwellings_per_s_20000"] == round(20_000 / (2.0 + 0.22))
    text = ns.format_table(rows, dwellings=(10_000, 20_000))
    assert text.splitlines()[0].startswith("| workers | 0.01M: wall")
    assert len(text.splitlines()) == 4


def test_model_from_measurements() -> None:
    def run(workers: int, serial: float) -> dict[str, object]:
        return {"client_serial_s": serial, "partition_rows": 1000,
                "partition_compute_s": {"mean": 0.2 * workers, "median": 0.1},
                "task_gap_s": {"mean": 0.003 * workers},
                "scheduler_s_per_noop_task": 0.0005 * workers,
                "bytes_per_dwelling_in": 200.0, "bytes_per_dwelling_out": 50.0}

    measured = {(500, 1): run(1, 9.0), (1000, 1): run(1, 1.0), (1000, 2): run(2, 3.0)}
    m = ns.model_from_measurements(measured)
    assert m.client_serial_s == pytest.approx(2.0)  # the largest size's runs only
    assert m.compute_s_per_dwelling == pytest.approx(0.2 / 1000)  # from 1 worker
    assert m.task_overhead_s == pytest.approx(0.006)  # from the most workers
    assert m.scheduler_s_per_task == pytest.approx(0.001)
    assert m.bytes_per_dwelling == pytest.approx(250.0)
    assert ns.model_from_measurements({}) is None
