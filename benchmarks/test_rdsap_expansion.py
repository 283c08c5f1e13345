"""Throughput of the RdSAP 10 fabric expansion (``ara.rdsap.expansion.fabric``):
certificates per second.

100,000 certificates (``ARA_BENCH_EXPANSION_N``), drawn from a pool of 500 varied ones built
like the hand-derived test dwellings: mid-terraces with two extensions, top-floor flats off a
corridor, houses with a room in roof (Type 1, Type 2, detailed), with varied areas, heights,
perimeters, age bands, wall constructions and windows. One Arrow table in, the SAP input
columns out.

``test_expand_fabric_per_row_loop`` times the same expansion called once per certificate on
200 of them, the cost a per-row implementation would pay (reported as
``estimated_s_for_n`` in ``extra_info``, nothing asserted).
"""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from bench_support import record
from rdsap.test_expansion_fabric_cases import (
    certificate,
    mid_terrace_two_extensions,
    part,
    room_in_roof,
    storey,
    surface,
    top_floor_flat_with_corridor,
    wall,
    window,
)

from ara.rdsap.expansion.fabric import expand_fabric
from ara.rdsap.readers import CERTIFICATE_SCHEMA

N = int(float(os.environ.get("ARA_BENCH_EXPANSION_N", "1e5")))
POOL = 500


def _room_in_roof_house(rng: random.Random, number: int) -> dict[str, Any]:
    area = round(rng.uniform(40, 90), 2)
    rr_area = round(area * rng.uniform(0.3, 0.7), 2)
    shape = rng.choice(["1", "2", "details"])
    if shape == "1":
        surfaces = [surface("gable_wall", n, rng.uniform(4, 8), gable_type=rng.choice("012"))
                    for n in (1, 2)]
    elif shape == "2":
        surfaces = [surface("gable_wall", n, rng.uniform(4, 8), rng.uniform(1.5, 2.5),
                            gable_type=rng.choice("0123")) for n in (1, 2)] + \
                   [surface("common_wall", n, rng.uniform(5, 9), rng.uniform(0.5, 1.5))
                    for n in (1, 2)]
    else:
        surfaces = [surface("slope", 1, 6, 2, thickness=rng.choice(["100mm", "AB", "150mm"]),
                            insulation_type="0"),
                    surface("gable_wall", 1, 5, 2, gable_type="0")]
    band = rng.choice("ABCDEFGHI")
    main = part(1, band, [storey("0", area, round(rng.uniform(2.3, 2.9), 2),
                                 round(rng.uniform(20, 35), 1), 0, "1", "1")],
                main_wall=wall(rng.choice("34"), rng.choice("245"), dry_lined=rng.random() < 0.3),
                party="1", rr=room_in_roof(rr_area, band, shape, surfaces))
    return certificate([main], number=f"0000-0000-0000-{number:04d}-0003", built_form="1",
                       rooms=rng.randint(2, 8), doors=rng.randint(1, 2), windows=[
                           window("0", round(rng.uniform(0.5, 1.5), 2),
                                  round(rng.uniform(0.5, 2), 2), orientation=str(o))
                           for o in rng.sample(range(1, 9), rng.randint(2, 6))])


def _pool(seed: int = 42) -> pa.Table:
    rng = random.Random(seed)
    rows = []
    for number in range(POOL):
        kind = number % 3
        if kind == 0:
            row = mid_terrace_two_extensions()
            main = row["building_parts"][0]
            for dim in main["floor_dimensions"]:
                dim["total_floor_area_m2"] = round(rng.uniform(30, 60), 2)
                dim["room_height_m"] = round(rng.uniform(2.3, 2.9), 2)
                dim["heat_loss_perimeter_m"] = round(rng.uniform(8, 14), 1)
            main["construction_age_band"] = rng.choice("ABCDEFGH")
            row["certificate_number"] = f"0000-0000-0000-{number:04d}-0001"
        elif kind == 1:
            row = top_floor_flat_with_corridor(sheltered_alternative=rng.random() < 0.5)
            row["building_parts"][0]["construction_age_band"] = rng.choice("ABCDEFGHIJK")
            row["unheated_corridor_length_m"] = round(rng.uniform(2, 6), 1)
            row["certificate_number"] = f"0000-0000-0000-{number:04d}-0002"
        else:
            row = _room_in_roof_house(rng, number)
        rows.append(row)
    return pa.Table.from_pylist(rows, schema=CERTIFICATE_SCHEMA)


@pytest.fixture(scope="module")
def certificates() -> pa.Table:
    pool = _pool()
    picks = np.random.default_rng(7).integers(0, POOL, N)
    return pool.take(pa.array(picks)).combine_chunks()


def test_expand_fabric(benchmark: Any, certificates: pa.Table) -> None:
    benchmark.group = "rdsap fabric expansion"
    result = benchmark.pedantic(expand_fabric, args=(certificates,), rounds=3, iterations=1,
                                warmup_rounds=1)
    assert len(result.columns["elements"]) == N
    benchmark.extra_info["problem_rows"] = int(result.failed_rows.size)
    record(benchmark, N, 1)


def test_expand_fabric_per_row_loop(benchmark: Any, certificates: pa.Table) -> None:
    benchmark.group = "rdsap fabric expansion"
    sample = [certificates.slice(i, 1) for i in range(200)]

    def per_row() -> None:
        for one in sample:
            expand_fabric(one)

    benchmark.pedantic(per_row, rounds=1, iterations=1)
    per_s = record(benchmark, len(sample), 1)
    benchmark.extra_info["estimated_s_for_n"] = round(N / per_s, 1)
