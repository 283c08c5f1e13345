"""Throughput of the RdSAP 10 services expansion (``ara.rdsap.expansion.services``):
certificates per second.

100,000 certificate rows (CERTIFICATE_SCHEMA) made by repeating a sample: the sap10calcs R1
case and the register's RdSAP-Schema-21.0.1 / 21.0.0 / 20.0.0 / 19.0 samples as read by
``ara.rdsap.readers``, plus three edits of the 21.0.1 sample that take the other branches
(inaccessible cylinder on a regular boiler with a dual meter, storage heaters with PV by
percentage of roof on a flat, two main systems with a mixer shower). The roof and floor
areas stand in for the fabric expansion. ``ARA_BENCH_SERVICES_N`` changes the number.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from bench_support import record

from ara.rdsap.expansion.services import expand_services
from ara.rdsap.readers import CERTIFICATE_SCHEMA, read_rdsap_xml

N = int(float(os.environ.get("ARA_BENCH_SERVICES_N", "1e5")))
REPO = Path(__file__).resolve().parents[1]
VECTORS = REPO / "tests" / "vectors"  # copies with their sources: tests/vectors/README.md
SAMPLES = [VECTORS / "sap10calcs/tests/rdsap/1_base_case/1_detached/in.xml"] + [
    VECTORS / f"epb-register-api/samples/RdSAP-Schema-{v}/epc.xml"
    for v in ("21.0.1", "21.0.0", "20.0.0", "19.0")]


def _variants(row: dict[str, Any]) -> list[dict[str, Any]]:
    heating = row["main_heating"][0]
    cylinder = copy.deepcopy(row)
    cylinder.update(cylinder_size="0", cylinder_thermostat=True, meter_type="1",
                    extract_fans_count=None, number_baths=1)
    cylinder["main_heating"] = [dict(heating, sap_main_heating_code="102")]
    storage = copy.deepcopy(row)
    storage.update(property_type="2", flat_location="2", heat_loss_corridor="2",
                   meter_type="3", water_heating_code="903", water_heating_fuel="29",
                   immersion_heating_type="1", cylinder_size="3", pv_percent_roof_area=30,
                   pv_connection="2", mechanical_ventilation="0")
    storage["main_heating"] = [dict(heating, sap_main_heating_code="402", main_fuel_type="29",
                                    main_heating_category="7", main_heating_control="2402")]
    two = copy.deepcopy(row)
    two.update(number_baths=1, shower_outlets=[{"shower_outlet_type": "1"},
                                               {"shower_outlet_type": "2"}])
    two["main_heating"] = [dict(heating, sap_main_heating_code="104",
                                main_heating_fraction=0.8),
                           dict(heating, main_heating_number=2, sap_main_heating_code="691",
                                main_fuel_type="29", main_heating_category="10",
                                main_heating_fraction=0.2)]
    return [cylinder, storage, two]


@pytest.fixture(scope="module")
def certificates() -> tuple[pa.Table, np.ndarray, np.ndarray]:
    rows = [read_rdsap_xml(path) for path in SAMPLES]
    rows += _variants(rows[1])
    for row in rows:
        row["raw_document"] = None
    sample = pa.Table.from_pylist(rows, schema=CERTIFICATE_SCHEMA)
    table = sample.take(pa.array(np.arange(N) % sample.num_rows))
    rng = np.random.default_rng(42)
    return table, rng.uniform(20, 120, N), rng.uniform(30, 200, N)


def test_expand_services(benchmark: Any,
                         certificates: tuple[pa.Table, np.ndarray, np.ndarray]) -> None:
    benchmark.group = "rdsap expansion"
    table, roof, tfa = certificates
    result = benchmark.pedantic(expand_services, args=(table, roof, tfa), rounds=3,
                                iterations=1, warmup_rounds=1)
    assert len(result.columns["main1_code"]) == N
    per_s = record(benchmark, N, 1)
    benchmark.extra_info.update({"certificates": N, "certificates_per_s": round(per_s),
                                 "problems": result.problem_table.num_rows})
