"""Sample data for the persistence tests: rows for every table (each column filled, nullable
ones sometimes null, binary with non-UTF-8 bytes) and fully populated Property aggregates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pyarrow as pa
import sqlalchemy as sa

from ara.domain import (
    Address,
    Band,
    Bill,
    BuiltForm,
    Coordinates,
    EndUseKwh,
    EpcCertificate,
    EpcData,
    LandlordOverrides,
    Performance,
    PhaseGoal,
    Plan,
    PlanMeasure,
    PlanningFlags,
    PlanPhase,
    PlanRejection,
    PlanState,
    PredictedEpc,
    Property,
    PropertyBaselinePerformance,
    RebaselineReason,
    RoofInsulation,
    SiteNotes,
    SolarPotential,
    SourcePath,
    WallConstruction,
)
from ara.persistence import UnitOfWork
from ara.persistence import tables as t
from ara.persistence.repositories import PlanTables, ScenarioTables, TableRepository
from ara.persistence.tables import arrow_schema, natural_key

PORTFOLIO = "PF"
SCENARIO = "SC1"


def property_ids(n: int) -> list[str]:
    return [f"P{i:06d}" for i in range(n)]


def _fill(column: sa.Column[object], i: int, tag: str) -> object:
    if column.nullable and i % 3 == 2:
        return None
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return (i + len(tag)) % 2 == 0
    if isinstance(kind, sa.Integer):
        return 10 * i + len(tag)
    if isinstance(kind, sa.Float):
        return i + 0.125 + len(tag) / 7
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2025, 1, 1, 12, 0, 0, 123456) + dt.timedelta(hours=i, seconds=len(tag))
    if isinstance(kind, sa.Date):
        return dt.date(2020, 1, 1) + dt.timedelta(days=i + len(tag))
    if isinstance(kind, sa.LargeBinary):
        return b"\x00\xff<raw>" + f"{tag}-{i}".encode() + b"\x80\n\r\\\"'"
    return f"{column.name} {tag} {i}, with \"quotes\", commas\nand a newline"


def _rows(table: sa.Table, keys: list[dict[str, object]], tag: str) -> pa.Table:
    rows = []
    for i, key in enumerate(keys):
        row = {c.name: _fill(c, i, tag) for c in table.columns if c.name not in key}
        rows.append({**row, **key})
    return pa.Table.from_pylist(rows, schema=arrow_schema(table))


def sample_tables(n: int, tag: str = "a") -> dict[str, pa.Table]:
    """Rows of every table for ``n`` properties of portfolio PF, keys consistent."""
    ids = property_ids(n)
    per_property = [{"property_id": pid} for pid in ids]
    out = {
        "portfolios": _rows(t.portfolios, [{"portfolio_id": PORTFOLIO}], tag),
        "properties": _rows(t.properties, [{"property_id": pid, "portfolio_id": PORTFOLIO,
                                            "uprn": 1000 + i} for i, pid in enumerate(ids)], tag),
        "epc_certificates": _rows(t.epc_certificates, [
            {"property_id": pid, "certificate_number": f"C{i:06d}-{k}"}
            for i, pid in enumerate(ids) for k in range(2)], tag),
        "site_notes": _rows(t.site_notes, [{"property_id": pid, "survey_id": "S1"}
                                           for pid in ids], tag),
        "landlord_overrides": _rows(t.landlord_overrides, [
            {"property_id": pid, "override": name} for pid in ids
            for name in ("wall_construction", "roof_insulation")], tag),
        "landlord_override_changes": _rows(t.landlord_override_changes, per_property, tag),
        "survey_changes": _rows(t.survey_changes, per_property, tag),
        "predicted_epcs": _rows(t.predicted_epcs, per_property, tag),
        "certificate_anomalies": _rows(t.certificate_anomalies, [
            {"property_id": pid, "certificate_number": f"C{i:06d}-0"}
            for i, pid in enumerate(ids)], tag),
        "property_spatial": _rows(t.property_spatial, [{"uprn": 1000 + i}
                                                       for i in range(n)], tag),
        "solar_potential": _rows(t.solar_potential, per_property, tag),
        "baseline_performance": _rows(t.baseline_performance, per_property, tag),
        "stage_failures": _rows(t.stage_failures, [{"property_id": pid, "stage": "baseline"}
                                                   for pid in ids], tag),
        "scenarios": _rows(t.scenarios, [{"scenario_id": SCENARIO}], tag),
        "scenario_phases": _rows(t.scenario_phases, [{"scenario_id": SCENARIO,
                                                      "phase_number": k} for k in (1, 2)], tag),
        "plans": _rows(t.plans, [{"property_id": pid, "scenario_id": SCENARIO}
                                 for pid in ids], tag),
        "plan_phases": _rows(t.plan_phases, [{"property_id": pid, "scenario_id": SCENARIO,
                                              "phase_number": k} for pid in ids
                                             for k in (1, 2)], tag),
        "plan_measures": _rows(t.plan_measures, [
            {"property_id": pid, "scenario_id": SCENARIO, "phase_number": k, "sequence": s}
            for pid in ids for k in (1, 2) for s in (1, 2, 3)], tag),
        "plan_rejections": _rows(t.plan_rejections, [
            {"property_id": pid, "scenario_id": SCENARIO, "phase_number": k,
             "measure_type": m} for pid in ids for k in (1, 2)
            for m in ("solar_pv", "external_wall_insulation")], tag),
    }
    assert set(out) == {table.name for table in t.TABLES}
    return out


class SurveyChanges(TableRepository):
    """``survey_changes`` (written by ``ara surveys import`` through the bulk upsert; the unit
    of work has no repository of its own for it)."""

    table = t.survey_changes


def write_all(uow: UnitOfWork, tables: dict[str, pa.Table]) -> None:
    """Write every sample table through its repository, parents first."""
    uow.portfolios.upsert(tables["portfolios"])
    uow.properties.upsert(tables["properties"])
    uow.certificates.upsert(tables["epc_certificates"])
    uow.site_notes.upsert(tables["site_notes"])
    uow.landlord_overrides.upsert(tables["landlord_overrides"])
    uow.override_changes.upsert(tables["landlord_override_changes"])
    SurveyChanges(uow.connection).upsert(tables["survey_changes"])
    uow.predicted_epcs.upsert(tables["predicted_epcs"])
    uow.anomalies.upsert(tables["certificate_anomalies"])
    uow.spatial.upsert(tables["property_spatial"])
    uow.solar_potential.upsert(tables["solar_potential"])
    uow.baselines.upsert(tables["baseline_performance"])
    uow.stage_failures.upsert(tables["stage_failures"])
    uow.scenarios.write(tables["scenarios"], tables["scenario_phases"])
    uow.plans.write(PlanTables(tables["plans"], tables["plan_phases"],
                               tables["plan_measures"], tables["plan_rejections"]))


def read_all(uow: UnitOfWork, n: int) -> dict[str, pa.Table]:
    """Read every table back through its repository."""
    ids = property_ids(n)
    scenarios: ScenarioTables = uow.scenarios.read([SCENARIO])
    plans = uow.plans.read(ids)
    readers: dict[str, Callable[[], pa.Table]] = {
        "portfolios": lambda: uow.portfolios.read([PORTFOLIO]),
        "properties": lambda: uow.properties.read(ids),
        "epc_certificates": lambda: uow.certificates.read(ids),
        "site_notes": lambda: uow.site_notes.read(ids),
        "landlord_overrides": lambda: uow.landlord_overrides.read(ids),
        "landlord_override_changes": lambda: uow.override_changes.read(ids),
        "survey_changes": lambda: SurveyChanges(uow.connection).read(ids),
        "predicted_epcs": lambda: uow.predicted_epcs.read(ids),
        "certificate_anomalies": lambda: uow.anomalies.read(ids),
        "property_spatial": lambda: uow.spatial.read([1000 + i for i in range(n)]),
        "solar_potential": lambda: uow.solar_potential.read(ids),
        "baseline_performance": lambda: uow.baselines.read(ids),
        "stage_failures": lambda: uow.stage_failures.read(ids),
        "scenarios": lambda: scenarios.scenarios,
        "scenario_phases": lambda: scenarios.phases,
        "plans": lambda: plans.plans,
        "plan_phases": lambda: plans.phases,
        "plan_measures": lambda: plans.measures,
        "plan_rejections": lambda: plans.rejections,
    }
    return {name: read() for name, read in readers.items()}


def sort_by_key(name: str, table: pa.Table) -> pa.Table:
    return table.sort_by([(k, "ascending") for k in natural_key(t.metadata.tables[name])])


# ---------------------------------------------------------------------------------------------
# Domain aggregates
# ---------------------------------------------------------------------------------------------

def epc_data(tag: str = "a") -> EpcData:
    return EpcData({
        "property_type": 0, "built_form": 2, "habitable_room_count": 5,
        "heated_room_count": 5, "total_floor_area": 91.6, "note": f"tag {tag}",
        "building_parts": [{
            "building_part_number": 1, "construction_age_band": "B", "wall_construction": 3,
            "wall_insulation_type": 4, "roof_insulation_thickness": "50mm",
            "floor_dimensions": [{"floor": "0", "total_floor_area_m2": 45.8,
                                  "room_height_m": 2.45}],
        }],
        "main_heating": [{"main_fuel_type": "26", "main_heating_category": "2"}],
        "water_heating_code": "901", "meter_type": "2",
    })


def full_property(i: int, tag: str = "a") -> Property:
    """A property with every slice filled: certificate (with its raw document), survey,
    overrides, prediction, enrichments, baseline and a two-phase plan."""
    pid = f"P{i:06d}"
    lodged = Performance(48 + i % 10, Band.E, 3.25, 290.5)
    effective = Performance(52 + i % 10, Band.E, 3.0, 270.25)
    measure = PlanMeasure(1, "loft_insulation", "loft_insulation_300mm", "main.roof", 950.0,
                          3.5, 61.25, 412.5, 1650.75)
    before = PlanState(effective, 1400.5, 52.625 + i % 10, 47, 24722.9,
                       EndUseKwh(9000.5, 120.0, 2500.25, 300.0, 400.0, 130.0, 0.0, 0.0))
    after = PlanState(Performance(70, Band.C, 2.0, 180.0), 1100.0, 70.375, 66, 16488.0,
                      EndUseKwh(7000.5, 0.0, 2400.25, 300.0, 380.0, 130.0, 0.0, 1500.0))
    return Property(
        property_id=pid, portfolio_id=PORTFOLIO, uprn=5000 + i,
        landlord_reference=f"REF-{i}",
        address=Address((f"{i} Some Street", "Flat 2"), "Whitbury", "a00aa"),
        lodged_epc=EpcCertificate(
            certificate_number=f"0000-0000-0000-0000-{i:04d}", uprn=5000 + i,
            schema_type="RdSAP-Schema-20.0.0", sap_spec_version="9.94",
            inspection_date=dt.date(2019, 5, 1), registration_date=dt.date(2019, 5, 3),
            lodged=lodged, total_floor_area_m2=91.6, data=epc_data(tag),
            raw_format="json", raw_document=f'{{"data": "{tag}"}}\n'.encode()),
        site_notes=SiteNotes("S1", dt.date(2018, 1, 1), epc_data(tag), "A Surveyor", "json",
                             b"survey"),
        landlord_overrides=LandlordOverrides(wall_construction=WallConstruction.CAVITY,
                                             roof_insulation=RoofInsulation.MM_270,
                                             built_form=BuiltForm.MID_TERRACE),
        predicted_epc=PredictedEpc(dt.date(2025, 2, 2), "neighbours-v1", ("C1", "C2"),
                                   epc_data(tag)),
        coordinates=Coordinates(51.5 + i / 1000, -0.1),
        planning_flags=PlanningFlags(conservation_area=True, listed_building=False,
                                     heritage_building=True),
        solar_potential=SolarPotential(30.5, 35.0, 180.0, 950.0, 4.2, "pvgis"),
        baseline=PropertyBaselinePerformance(
            SourcePath.EPC_WITH_OVERLAY, lodged, effective, RebaselineReason.BOTH,
            EndUseKwh(9000.5, 0.0, 2500.25, 0.0, 400.0, 130.0, 0.0, 0.0),
            Bill(1200.5, 330.0, 0.0, "2025Q3")),
        plans=(Plan(pid, SCENARIO, (
            PlanPhase(1, (measure,), after, True, before, PhaseGoal("target_band", Band.C),
                      8000.0, (8.32, 12.5), (2080.0, 3125.0)),
            PlanPhase(2, (), after, False, after, PhaseGoal("max_co2_reduction"), None,
                      (0.0, 0.0), None)),
            (8.32, 12.5), (2080.0, 3125.0), "2025Q3",
            (PlanRejection(1, "solar_pv", "already has PV"),
             PlanRejection(2, "external_wall_insulation", "conservation area: no external "
                           "wall insulation"))),),
    )
