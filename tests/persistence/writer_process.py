"""A separate writer process for the concurrency and crash tests (run as a script).

``concurrent URL SCHEMA TAG N ROUNDS GO_FILE``: wait for GO_FILE, then ROUNDS times write
the same N properties of portfolio PF, each row tagged TAG, in one unit per round.

``crash URL SCHEMA N MARKER_FILE``: commit unit A (N properties tagged A), then open unit B,
write N more properties and retag A's rows as B, create MARKER_FILE and wait to be killed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import pyarrow as pa

from ara.persistence import UnitOfWork, UnitOfWorkFactory, create_engine
from ara.persistence.repositories import PlanTables

PORTFOLIO = "PF"


def tables(ids: list[str], tag: str, measures_per_plan: int) -> dict[str, pa.Table]:
    n = len(ids)
    fetched = [dt.datetime(2025, 1, 1)] * n
    plan_keys = [(pid, k) for pid in ids for k in range(1, measures_per_plan + 1)]
    return {
        "properties": pa.table({"property_id": ids, "portfolio_id": [PORTFOLIO] * n,
                                "landlord_reference": [tag] * n}),
        "certificates": pa.table({
            "property_id": ids, "certificate_number": [f"C-{pid}" for pid in ids],
            "schema_type": ["RdSAP-Schema-21.0.1"] * n, "sap_spec_version": ["10.2"] * n,
            "inspection_date": [dt.date(2024, 1, 1)] * n,
            "registration_date": [dt.date(2024, 1, 2)] * n,
            "data_json": [f'{{"tag": "{tag}"}}'] * n, "raw_format": ["json"] * n,
            "raw_document": [tag.encode() * 200] * n, "raw_sha256": [tag] * n,
            "fetched_at": fetched}),
        "plans": pa.table({"property_id": ids, "scenario_id": ["S"] * n,
                           "total_cost_gbp": [float(measures_per_plan)] * n,
                           "final_band": [tag] * n, "planned_at": fetched}),
        "plan_phases": pa.table({
            "property_id": ids, "scenario_id": ["S"] * n, "phase_number": [1] * n,
            "cost_gbp": [1.0] * n, "sap_score_after": [70] * n, "band_after": [tag] * n,
            "co2_tonnes_per_year_after": [1.0] * n,
            "primary_energy_kwh_per_m2_year_after": [100.0] * n,
            "bill_after_gbp": [900.0] * n, "reached_goal": [True] * n}),
        "plan_measures": pa.table({
            "property_id": [p for p, _ in plan_keys], "scenario_id": ["S"] * len(plan_keys),
            "phase_number": [1] * len(plan_keys), "sequence": [k for _, k in plan_keys],
            "measure_type": [tag] * len(plan_keys), "measure_option": ["o"] * len(plan_keys),
            "target": ["t"] * len(plan_keys), "cost_gbp": [1.0] * len(plan_keys),
            "sap_gain": [1.0] * len(plan_keys), "bill_saving_gbp": [1.0] * len(plan_keys)}),
    }


def seed(uow: UnitOfWork) -> None:
    """The portfolio and the scenario, written before the writers start."""
    uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
    uow.scenarios.write(pa.table({"scenario_id": ["S"], "name": ["S"]}),
                        pa.table({"scenario_id": ["S"], "phase_number": pa.array([1], pa.int32()),
                                  "allowed_measure_types_json": ["[]"]}))


def write(uow: UnitOfWork, data: dict[str, pa.Table]) -> None:
    """One stage's writes; the first contended rows are the properties themselves."""
    uow.properties.upsert(data["properties"])
    uow.certificates.upsert(data["certificates"])
    uow.plans.write(PlanTables(data["plans"], data["plan_phases"], data["plan_measures"]))


def ids_of(start: int, n: int) -> list[str]:
    return [f"P{i:06d}" for i in range(start, start + n)]


def concurrent(factory: UnitOfWorkFactory, tag: str, n: int, rounds: int, go: Path) -> None:
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("no go signal")
        time.sleep(0.005)
    # The two writers differ in how many measures each plan has, so a mix would show.
    data = tables(ids_of(0, n), tag, measures_per_plan=2 if tag == "A" else 3)
    for _ in range(rounds):
        with factory() as uow:
            write(uow, data)


def crash(factory: UnitOfWorkFactory, n: int, marker: Path) -> None:
    with factory() as uow:
        seed(uow)
        write(uow, tables(ids_of(0, n), "A", 2))
    with factory() as uow:
        write(uow, tables(ids_of(n, n), "B", 3))  # new properties
        uow.properties.upsert(tables(ids_of(0, n), "B", 3)["properties"])  # A's, retagged
        marker.write_text("B in progress")
        time.sleep(600)  # killed here, mid-unit
    raise SystemExit("unit B was never killed")


def main(argv: list[str]) -> None:
    mode, url, schema = argv[0], argv[1], argv[2]
    engine = create_engine(url, schema=None if schema == "-" else schema)
    factory = UnitOfWorkFactory(engine)
    if mode == "concurrent":
        concurrent(factory, argv[3], int(argv[4]), int(argv[5]), Path(argv[6]))
    elif mode == "crash":
        crash(factory, int(argv[3]), Path(argv[4]))
    else:
        raise SystemExit(f"unknown mode {mode}")
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
