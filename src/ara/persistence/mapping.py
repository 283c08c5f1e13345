"""Between the domain and the tables: Properties to Arrow tables and back.

The bulk paths (ingestion writing a batch of certificates, the baseline stage writing its
results) may write Arrow tables straight through the repositories; these functions serve the
service layer, which takes and returns ``Properties``. Loading reads each table once for the
whole set of ids, then assembles the aggregates.

Per property, the lodged EPC is the certificate with the latest inspection date (then
registration date, then certificate number) and the Site Notes the latest survey; older ones
stay stored as history.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from ara.domain.codes import (
    Band,
    RebaselineReason,
    SourcePath,
)
from ara.domain.epc import EpcCertificate, EpcData, PredictedEpc, SiteNotes
from ara.domain.failures import utc_now
from ara.domain.overrides import (
    OVERRIDE_FIELDS,
    LandlordOverrides,
    OverrideRow,
    overrides_from_values,
    stored_code,
)
from ara.domain.performance import (
    Bill,
    EndUseKwh,
    Performance,
    PropertyBaselinePerformance,
    UnpricedBill,
)
from ara.domain.plans import (
    PhaseGoal,
    Plan,
    PlanMeasure,
    PlanPhase,
    PlanRejection,
    PlanState,
    Scenario,
    ScenarioPhase,
)
from ara.domain.property import (
    UNRESTRICTED,
    Address,
    Coordinates,
    PlanningFlags,
    Properties,
    Property,
    SolarPotential,
)
from ara.persistence import tables as t
from ara.persistence.bulk import key_filter
from ara.persistence.repositories import PlanTables, ScenarioTables
from ara.persistence.tables import END_USES, STATE_COLUMNS, arrow_schema, state_column
from ara.persistence.uow import UnitOfWork

Row = dict[str, Any]


def to_arrow(table: sa.Table, rows: Sequence[Row], columns: Sequence[str] | None = None
             ) -> pa.Table:
    """Rows (dicts) as an Arrow table with the table's types; ``columns`` limits them."""
    schema = arrow_schema(table)
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    return pa.Table.from_pylist(list(rows), schema=schema)


def _enum_value(value: Any) -> Any:
    return None if value is None else value.value


def _performance_row(prefix: str, performance: Performance | None) -> Row:
    return {
        f"{prefix}sap_score": None if performance is None else performance.sap_score,
        f"{prefix}band": None if performance is None else performance.band.value,
        f"{prefix}co2_tonnes_per_year":
            None if performance is None else performance.co2_tonnes_per_year,
        f"{prefix}primary_energy_kwh_per_m2_year":
            None if performance is None else performance.primary_energy_kwh_per_m2_year,
    }


def _performance(row: Row, prefix: str) -> Performance | None:
    if row[f"{prefix}sap_score"] is None:
        return None
    return Performance(row[f"{prefix}sap_score"], Band(row[f"{prefix}band"]),
                       row[f"{prefix}co2_tonnes_per_year"],
                       row[f"{prefix}primary_energy_kwh_per_m2_year"])


# ---------------------------------------------------------------------------------------------
# Domain -> rows
# ---------------------------------------------------------------------------------------------

def property_row(p: Property) -> Row:
    lines = list(p.address.lines) + [None] * (3 - len(p.address.lines))
    if len(p.address.lines) > 3:
        lines = [*p.address.lines[:2], ", ".join(p.address.lines[2:])]
    return {"property_id": p.property_id, "portfolio_id": p.portfolio_id, "uprn": p.uprn,
            "landlord_reference": p.landlord_reference, "address_line_1": lines[0],
            "address_line_2": lines[1], "address_line_3": lines[2],
            "post_town": p.address.town, "postcode": p.address.postcode}


def certificate_row(property_id: str, c: EpcCertificate, fetched_at: datetime) -> Row:
    row: Row = {
        "property_id": property_id, "certificate_number": c.certificate_number, "uprn": c.uprn,
        "schema_type": c.schema_type, "sap_spec_version": c.sap_spec_version,
        "inspection_date": c.inspection_date, "registration_date": c.registration_date,
        **_performance_row("lodged_", c.lodged),
        "total_floor_area_m2": c.total_floor_area_m2, "data_json": c.data.to_json(),
        "raw_format": c.raw_format, "fetched_at": fetched_at,
    }
    if c.raw_document is not None:
        row["raw_document"] = c.raw_document
        row["raw_sha256"] = hashlib.sha256(c.raw_document).hexdigest()
    return row


def site_notes_row(property_id: str, s: SiteNotes) -> Row:
    row: Row = {"property_id": property_id, "survey_id": s.survey_id,
                "survey_date": s.survey_date, "surveyor": s.surveyor,
                "data_json": s.data.to_json(), "raw_format": s.raw_format}
    if s.raw_document is not None:
        row["raw_document"] = s.raw_document
    return row


def override_rows(property_id: str, overrides: LandlordOverrides) -> list[Row]:
    return [{"property_id": property_id, "override": name,
             "value": str(_enum_value(getattr(overrides, name)))}
            for name in overrides.stated()]


def override_rows_from_csv(matched: Iterable[tuple[str, OverrideRow]], source: str
                           ) -> list[Row]:
    """Rows of overrides read from a landlord's CSV, each matched to a property id, with the
    text the landlord wrote and the file it came from."""
    out = []
    for property_id, row in matched:
        raw = dict(row.raw_values)
        for r in override_rows(property_id, row.overrides):
            out.append({**r, "raw_value": raw.get(r["override"]), "source": source})
    return out


def predicted_row(property_id: str, p: PredictedEpc) -> Row:
    return {"property_id": property_id, "predicted_on": p.predicted_on, "method": p.method,
            "comparable_certificates_json": json.dumps(list(p.comparable_certificates)),
            "data_json": p.data.to_json(), "rung": p.rung, "cohort_size": p.cohort_size,
            "confidence": p.confidence, "template_certificate": p.template_certificate,
            "comparable_weights_json": json.dumps(list(p.comparable_weights))
            if p.comparable_weights else None}


def spatial_row(p: Property, fetched_at: datetime, source: str) -> Row | None:
    if p.uprn is None:
        return None
    return {"uprn": p.uprn,
            "latitude": None if p.coordinates is None else p.coordinates.latitude,
            "longitude": None if p.coordinates is None else p.coordinates.longitude,
            "conservation_area": p.planning_flags.conservation_area,
            "listed_building": p.planning_flags.listed_building,
            "heritage_building": p.planning_flags.heritage_building,
            "source": source, "fetched_at": fetched_at}


def solar_row(property_id: str, s: SolarPotential, fetched_at: datetime) -> Row:
    return {"property_id": property_id, "roof_area_m2": s.roof_area_m2,
            "pitch_deg": s.pitch_deg, "azimuth_deg": s.azimuth_deg,
            "annual_yield_kwh_per_kwp": s.annual_yield_kwh_per_kwp,
            "max_array_kwp": s.max_array_kwp, "source": s.source, "fetched_at": fetched_at}


def _bill_row(bill: Bill | UnpricedBill) -> Row:
    if isinstance(bill, UnpricedBill):
        return {"bill_energy_charges_gbp": None, "bill_standing_charges_gbp": None,
                "bill_export_credit_gbp": None, "bill_total_gbp": None,
                "fuel_rates_snapshot": bill.fuel_rates_snapshot,
                "bill_unpriced_reason": bill.reason}
    return {"bill_energy_charges_gbp": bill.energy_charges_gbp,
            "bill_standing_charges_gbp": bill.standing_charges_gbp,
            "bill_export_credit_gbp": bill.export_credit_gbp,
            "bill_total_gbp": bill.total_gbp,
            "fuel_rates_snapshot": bill.fuel_rates_snapshot, "bill_unpriced_reason": None}


def baseline_row(property_id: str, b: PropertyBaselinePerformance,
                 certificate_number: str | None, survey_id: str | None,
                 calculated_at: datetime) -> Row:
    return {
        "property_id": property_id, "source_path": b.source_path.value,
        "certificate_number": certificate_number, "survey_id": survey_id,
        **_performance_row("lodged_", b.lodged),
        **_performance_row("effective_", b.effective),
        "rebaseline_reason": b.rebaseline_reason.value,
        **{f"{use}_kwh": getattr(b.end_use_kwh, use) for use in END_USES},
        **_bill_row(b.bill),
        "calculated_at": calculated_at,
        "estimate": b.estimate, "assumptions": ",".join(b.assumptions),
        "changed_inputs": None,
    }


def _state_columns(side: str, states: Sequence[PlanState | None], *, plan: bool = False
                   ) -> dict[str, list[Any]]:
    """The ``STATE_COLUMNS`` of one side (``before``/``after``) of phases (or plans), one list
    per column, None throughout where a state is None."""
    def of(get: Any) -> list[Any]:
        return [None if s is None else get(s) for s in states]

    values: dict[str, list[Any]] = {
        "sap_continuous": of(lambda s: s.sap_continuous),
        "sap_score": of(lambda s: s.performance.sap_score),
        "band": of(lambda s: s.performance.band.value),
        "ei_rating": of(lambda s: s.ei_rating),
        "ei_band": of(lambda s: _enum_value(s.ei_band)),
        "co2_tonnes_per_year": of(lambda s: s.performance.co2_tonnes_per_year),
        "primary_energy_kwh_per_m2_year":
            of(lambda s: s.performance.primary_energy_kwh_per_m2_year),
        "primary_energy_kwh_per_year": of(lambda s: s.primary_energy_kwh_per_year),
        "bill": of(lambda s: s.bill_gbp)}
    for use in END_USES:
        values[f"{use}_kwh"] = [None if s is None or s.end_use_kwh is None
                                else getattr(s.end_use_kwh, use) for s in states]
    return {state_column(stem, side, plan=plan): values[stem] for stem, _ in STATE_COLUMNS}


def _plan_state(row: Row, side: str) -> PlanState | None:
    def get(stem: str) -> Any:
        return row[state_column(stem, side)]

    if get("sap_score") is None:
        return None
    ends = None
    if all(get(f"{use}_kwh") is not None for use in END_USES):
        ends = EndUseKwh(**{use: get(f"{use}_kwh") for use in END_USES})
    return PlanState(Performance(get("sap_score"), Band(get("band")), get("co2_tonnes_per_year"),
                                 get("primary_energy_kwh_per_m2_year")),
                     get("bill"), get("sap_continuous"), get("ei_rating"),
                     get("primary_energy_kwh_per_year"), ends)


def _uplift_columns(percent: Sequence[tuple[float, float] | None],
                    gbp: Sequence[tuple[float, float] | None]) -> dict[str, list[Any]]:
    return {"uplift_percent_low": [None if p is None else p[0] for p in percent],
            "uplift_percent_high": [None if p is None else p[1] for p in percent],
            "uplift_gbp_low": [None if g is None else g[0] for g in gbp],
            "uplift_gbp_high": [None if g is None else g[1] for g in gbp]}


def _uplift(row: Row) -> tuple[tuple[float, float] | None, tuple[float, float] | None]:
    def pair(low: Any, high: Any) -> tuple[float, float] | None:
        return None if low is None or high is None else (low, high)

    return (pair(row["uplift_percent_low"], row["uplift_percent_high"]),
            pair(row["uplift_gbp_low"], row["uplift_gbp_high"]))


Columns = Mapping[str, Sequence[Any] | pa.Array | pa.ChunkedArray]


def _column_table(table: sa.Table, columns: Columns) -> pa.Table:
    """``columns`` (name -> values) as an Arrow table with the table's types, the columns
    not given null throughout (as ``to_arrow`` leaves a missing key of a row)."""
    schema = arrow_schema(table)
    unknown = [name for name in columns if name not in schema.names]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {unknown}")
    lengths = {len(values) for values in columns.values()}
    if len(lengths) > 1:
        raise ValueError(f"{table.name}: columns of different lengths {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    arrays = []
    for f in schema:
        values = columns.get(f.name)
        if values is None:
            arrays.append(pa.nulls(n, f.type))
        elif isinstance(values, pa.Array | pa.ChunkedArray):
            arrays.append(values if values.type == f.type else values.cast(f.type))
        else:
            arrays.append(pa.array(values, type=f.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def plan_tables_from_columns(plans: Columns, phases: Columns, measures: Columns,
                             rejections: Columns, planned_at: datetime) -> PlanTables:
    """``PlanTables`` of column values (name -> one value per row; a column not given is
    null), ``planned_at`` on every plan: the bulk path of the Modelling stage."""
    n = len(plans["property_id"])
    stamped = {**plans, "planned_at": pa.array([planned_at] * n, pa.timestamp("us"))}
    return PlanTables(_column_table(t.plans, stamped), _column_table(t.plan_phases, phases),
                      _column_table(t.plan_measures, measures),
                      _column_table(t.plan_rejections, rejections))


def plan_tables(plans: Iterable[Plan], planned_at: datetime) -> PlanTables:
    """The rows of ``plans``, ``plan_phases``, ``plan_measures`` and ``plan_rejections``
    (built column by column)."""
    plan_list = list(plans)
    phases = [(plan, phase) for plan in plan_list for phase in plan.phases]
    measures = [(plan, phase, m) for plan, phase in phases for m in phase.measures]
    rejections = [(plan, r) for plan in plan_list for r in plan.rejections]
    plan_columns: dict[str, Any] = {
        "property_id": [p.property_id for p in plan_list],
        "scenario_id": [p.scenario_id for p in plan_list],
        "total_cost_gbp": [p.total_cost_gbp for p in plan_list],
        "fuel_rates_snapshot": [p.fuel_rates_snapshot for p in plan_list],
        **_state_columns("before", [p.before for p in plan_list], plan=True),
        **_state_columns("after", [p.after for p in plan_list], plan=True),
        **_uplift_columns([p.uplift_percent for p in plan_list],
                          [p.uplift_gbp for p in plan_list])}
    phase_columns: dict[str, Any] = {
        "property_id": [p.property_id for p, _ in phases],
        "scenario_id": [p.scenario_id for p, _ in phases],
        "phase_number": [ph.phase_number for _, ph in phases],
        "goal_kind": [None if ph.goal is None else ph.goal.kind for _, ph in phases],
        "goal_target_band": [None if ph.goal is None else _enum_value(ph.goal.target_band)
                             for _, ph in phases],
        "budget_gbp": [ph.budget_gbp for _, ph in phases],
        "cost_gbp": [ph.cost_gbp for _, ph in phases],
        **_state_columns("before", [ph.before for _, ph in phases]),
        **_state_columns("after", [ph.after for _, ph in phases]),
        **_uplift_columns([ph.uplift_percent for _, ph in phases],
                          [ph.uplift_gbp for _, ph in phases]),
        "reached_goal": [ph.reached_goal for _, ph in phases]}
    measure_columns: dict[str, Any] = {
        "property_id": [p.property_id for p, _, _ in measures],
        "scenario_id": [p.scenario_id for p, _, _ in measures],
        "phase_number": [ph.phase_number for _, ph, _ in measures],
        **{name: [getattr(m, name) for _, _, m in measures]
           for name in ("sequence", "measure_type", "measure_option", "target", "cost_gbp",
                        "sap_gain", "bill_saving_gbp", "co2_saving_kg",
                        "primary_energy_saving_kwh")}}
    rejection_columns: dict[str, Any] = {
        "property_id": [p.property_id for p, _ in rejections],
        "scenario_id": [p.scenario_id for p, _ in rejections],
        **{name: [getattr(r, name) for _, r in rejections]
           for name in ("phase_number", "measure_type", "reason")}}
    return plan_tables_from_columns(plan_columns, phase_columns, measure_columns,
                                    rejection_columns, planned_at)


def scenario_tables(scenarios: Iterable[Scenario]) -> ScenarioTables:
    rows, phases = [], []
    for s in scenarios:
        rows.append({"scenario_id": s.scenario_id, "name": s.name})
        phases += [{"scenario_id": s.scenario_id, "phase_number": p.phase_number,
                    "allowed_measure_types_json": json.dumps(list(p.allowed_measure_types)),
                    "budget_gbp": p.budget_gbp,
                    "target_band": None if p.target_band is None else p.target_band.value,
                    "goal_kind": p.goal_kind}
                   for p in s.phases]
    return ScenarioTables(to_arrow(t.scenarios, rows), to_arrow(t.scenario_phases, phases))


def scenarios_from_tables(tables: ScenarioTables) -> list[Scenario]:
    phases: dict[str, list[ScenarioPhase]] = defaultdict(list)
    for r in tables.phases.to_pylist():
        phases[r["scenario_id"]].append(ScenarioPhase(
            r["phase_number"], tuple(json.loads(r["allowed_measure_types_json"])),
            r["budget_gbp"], None if r["target_band"] is None else Band(r["target_band"]),
            r["goal_kind"]))
    return [Scenario(r["scenario_id"], r["name"], tuple(phases[r["scenario_id"]]))
            for r in tables.scenarios.to_pylist()]


# ---------------------------------------------------------------------------------------------
# Saving and loading Properties
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SaveCounts:
    properties: int
    certificates: int
    site_notes: int
    landlord_overrides: int
    predicted_epcs: int
    spatial: int
    solar_potential: int
    baselines: int
    plans: int


def save_properties(uow: UnitOfWork, properties: Properties, *,
                    written_at: datetime | None = None,
                    spatial_source: str = "uprn_reference_data") -> SaveCounts:
    """Write every slice of the properties (upserts on natural keys; overrides and plans of
    these properties are replaced). Portfolios must exist."""
    now = written_at or utc_now()
    props = list(properties)
    ids = [p.property_id for p in props]
    n_props = uow.properties.upsert(to_arrow(t.properties, [property_row(p) for p in props]))

    # A certificate without its raw document was loaded from storage for modelling; lodged
    # certificates never change, so it is not rewritten (the stored document stays).
    certs = [certificate_row(p.property_id, p.lodged_epc, now) for p in props
             if p.lodged_epc is not None and p.lodged_epc.raw_document is not None]
    n_certs = uow.certificates.upsert(to_arrow(t.epc_certificates, certs))

    notes = [site_notes_row(p.property_id, p.site_notes) for p in props if p.site_notes]
    note_cols = [c.name for c in t.site_notes.columns if c.name != "raw_document"]
    n_notes = uow.site_notes.upsert(to_arrow(t.site_notes, [r for r in notes
                                                            if "raw_document" in r]))
    n_notes += uow.site_notes.upsert(to_arrow(t.site_notes, [r for r in notes
                                                             if "raw_document" not in r],
                                              note_cols))

    n_overrides = _save_overrides(uow, ids, [r for p in props
                                             for r in override_rows(p.property_id,
                                                                    p.landlord_overrides)])
    n_predicted = uow.predicted_epcs.upsert(to_arrow(
        t.predicted_epcs, [predicted_row(p.property_id, p.predicted_epc)
                           for p in props if p.predicted_epc]))
    spatial: dict[int, Row] = {}
    for p in props:
        row = spatial_row(p, now, spatial_source)
        if row is not None and (p.coordinates is not None or not p.planning_flags.unrestricted):
            spatial[row["uprn"]] = row
    n_spatial = uow.spatial.upsert(to_arrow(t.property_spatial, list(spatial.values())))
    n_solar = uow.solar_potential.upsert(to_arrow(
        t.solar_potential, [solar_row(p.property_id, p.solar_potential, now)
                            for p in props if p.solar_potential]))
    baselines = []
    for p in props:
        if p.baseline is None:
            continue
        decision = p.source_decision()
        effective = decision.effective_epc
        baselines.append(baseline_row(
            p.property_id, p.baseline,
            None if effective is None else effective.certificate_number,
            None if effective is None else effective.survey_id, now))
    n_baselines = uow.baselines.upsert(to_arrow(t.baseline_performance, baselines))
    planned = [plan for p in props for plan in p.plans]
    n_plans = uow.plans.write(plan_tables(planned, now)) if planned else 0
    return SaveCounts(n_props, n_certs, n_notes, n_overrides, n_predicted, n_spatial, n_solar,
                      n_baselines, n_plans)


def _save_overrides(uow: UnitOfWork, property_ids: Sequence[str], rows: list[Row]) -> int:
    """Upsert the stated overrides (keeping any stored raw text) and delete the overrides
    of these properties that are no longer stated."""
    conn = uow.connection
    table = t.landlord_overrides
    stale = key_filter(conn, [table.c.property_id], [property_ids], name="override_props")
    if rows:
        keep = key_filter(conn, [table.c.property_id, table.c.override],
                          [[r["property_id"] for r in rows], [r["override"] for r in rows]],
                          name="override_keep", negate=True)
        conn.execute(sa.delete(table).where(sa.and_(stale, keep)))
    else:
        conn.execute(sa.delete(table).where(stale))
    return uow.landlord_overrides.upsert(to_arrow(table, rows, ["property_id", "override",
                                                                "value"]))


def _latest(rows: Iterable[Row], order: Sequence[str]) -> dict[str, Row]:
    out: dict[str, Row] = {}
    for r in rows:
        current = out.get(r["property_id"])
        if current is None or tuple(r[k] for k in order) > tuple(current[k] for k in order):
            out[r["property_id"]] = r
    return out


def _override_value(name: str, text: str) -> Enum:
    return stored_code(name, text)


def load_properties(uow: UnitOfWork, property_ids: Sequence[str], *,
                    with_raw_documents: bool = False, with_results: bool = True) -> Properties:
    """The properties with every slice filled from storage; one query per table. Unknown ids
    are absent from the result. ``with_results=False`` leaves out what the stages computed
    (each property's baseline is None and its plans empty): for a stage that reads only the
    inputs (Modelling replaces the plans it would otherwise read back)."""
    ids = list(property_ids)
    cert_cols = [c.name for c in t.epc_certificates.columns
                 if with_raw_documents or c.name != "raw_document"]
    note_cols = [c.name for c in t.site_notes.columns
                 if with_raw_documents or c.name != "raw_document"]
    certs = _latest(uow.certificates.read(ids, cert_cols).to_pylist(),
                    ("inspection_date", "registration_date", "certificate_number"))
    notes = _latest(uow.site_notes.read(ids, note_cols).to_pylist(),
                    ("survey_date", "survey_id"))
    overrides: dict[str, dict[str, Enum]] = defaultdict(dict)
    for r in uow.landlord_overrides.read(ids).to_pylist():
        if r["override"] in OVERRIDE_FIELDS:
            try:
                value = _override_value(r["override"], r["value"])
            except ValueError as error:
                raise ValueError(f"property {r['property_id']}: stored override "
                                 f"{r['override']} is invalid: {error}") from error
            overrides[r["property_id"]][r["override"]] = value
    predicted = {r["property_id"]: r for r in uow.predicted_epcs.read(ids).to_pylist()}
    spatial = {r["property_id"]: r for r in uow.spatial.read_for_properties(ids).to_pylist()}
    solar = {r["property_id"]: r for r in uow.solar_potential.read(ids).to_pylist()}
    baselines = ({r["property_id"]: r for r in uow.baselines.read(ids).to_pylist()}
                 if with_results else {})
    plans = _plans_by_property(uow.plans.read(ids)) if with_results else {}

    out = []
    for r in uow.properties.read(ids).to_pylist():
        pid = r["property_id"]
        out.append(Property(
            property_id=pid, portfolio_id=r["portfolio_id"], uprn=r["uprn"],
            landlord_reference=r["landlord_reference"],
            address=Address(tuple(line for line in (r["address_line_1"], r["address_line_2"],
                                                    r["address_line_3"]) if line is not None),
                            r["post_town"], r["postcode"]),
            lodged_epc=_certificate(certs[pid]) if pid in certs else None,
            site_notes=_site_notes(notes[pid]) if pid in notes else None,
            landlord_overrides=overrides_from_values(overrides.get(pid, {})),
            predicted_epc=_predicted(predicted[pid]) if pid in predicted else None,
            coordinates=_coordinates(spatial.get(pid)),
            planning_flags=_flags(spatial.get(pid)),
            solar_potential=_solar(solar[pid]) if pid in solar else None,
            baseline=_baseline(baselines[pid]) if pid in baselines else None,
            plans=tuple(plans.get(pid, ())),
        ))
    return Properties(out)


def _certificate(r: Row) -> EpcCertificate:
    return EpcCertificate(
        certificate_number=r["certificate_number"], uprn=r["uprn"],
        schema_type=r["schema_type"], sap_spec_version=r["sap_spec_version"],
        inspection_date=r["inspection_date"], registration_date=r["registration_date"],
        lodged=_performance(r, "lodged_"), total_floor_area_m2=r["total_floor_area_m2"],
        data=EpcData.from_json(r["data_json"]), raw_format=r["raw_format"],
        raw_document=r.get("raw_document"))


def _site_notes(r: Row) -> SiteNotes:
    return SiteNotes(r["survey_id"], r["survey_date"], EpcData.from_json(r["data_json"]),
                     r["surveyor"], r["raw_format"], r.get("raw_document"))


def _predicted(r: Row) -> PredictedEpc:
    weights = r.get("comparable_weights_json")
    return PredictedEpc(r["predicted_on"], r["method"],
                        tuple(json.loads(r["comparable_certificates_json"])),
                        EpcData.from_json(r["data_json"]), rung=r.get("rung"),
                        cohort_size=r.get("cohort_size"), confidence=r.get("confidence"),
                        template_certificate=r.get("template_certificate"),
                        comparable_weights=tuple(json.loads(weights)) if weights else ())


def _coordinates(r: Row | None) -> Coordinates | None:
    if r is None or r["latitude"] is None or r["longitude"] is None:
        return None
    return Coordinates(r["latitude"], r["longitude"])


def _flags(r: Row | None) -> PlanningFlags:
    if r is None:
        return UNRESTRICTED
    return PlanningFlags(r["conservation_area"], r["listed_building"], r["heritage_building"])


def _solar(r: Row) -> SolarPotential:
    return SolarPotential(r["roof_area_m2"], r["pitch_deg"], r["azimuth_deg"],
                          r["annual_yield_kwh_per_kwp"], r["max_array_kwp"], r["source"])


def _baseline(r: Row) -> PropertyBaselinePerformance:
    effective = _performance(r, "effective_")
    assert effective is not None
    return PropertyBaselinePerformance(
        source_path=SourcePath(r["source_path"]), lodged=_performance(r, "lodged_"),
        effective=effective, rebaseline_reason=RebaselineReason(r["rebaseline_reason"]),
        end_use_kwh=EndUseKwh(**{use: r[f"{use}_kwh"] for use in END_USES}),
        bill=Bill(r["bill_energy_charges_gbp"], r["bill_standing_charges_gbp"],
                  r["bill_export_credit_gbp"], r["fuel_rates_snapshot"])
        if r["bill_total_gbp"] is not None
        else UnpricedBill(r["fuel_rates_snapshot"], r.get("bill_unpriced_reason") or ""),
        assumptions=tuple(a for a in (r.get("assumptions") or "").split(",") if a))


def _plans_by_property(tables: PlanTables) -> dict[str, list[Plan]]:
    measures: dict[tuple[str, str, int], list[PlanMeasure]] = defaultdict(list)
    for m in tables.measures.to_pylist():
        measures[(m["property_id"], m["scenario_id"], m["phase_number"])].append(PlanMeasure(
            m["sequence"], m["measure_type"], m["measure_option"], m["target"], m["cost_gbp"],
            m["sap_gain"], m["bill_saving_gbp"], m["co2_saving_kg"],
            m["primary_energy_saving_kwh"]))
    rejections: dict[tuple[str, str], list[PlanRejection]] = defaultdict(list)
    for r in tables.rejections.to_pylist():
        rejections[(r["property_id"], r["scenario_id"])].append(PlanRejection(
            r["phase_number"], r["measure_type"], r["reason"]))
    phases: dict[tuple[str, str], list[PlanPhase]] = defaultdict(list)
    for ph in tables.phases.to_pylist():
        key = (ph["property_id"], ph["scenario_id"], ph["phase_number"])
        after = _plan_state(ph, "after")
        assert after is not None  # NOT NULL columns
        goal = None if ph["goal_kind"] is None else PhaseGoal(
            ph["goal_kind"], None if ph["goal_target_band"] is None
            else Band(ph["goal_target_band"]))
        phases[key[:2]].append(PlanPhase(
            ph["phase_number"], tuple(measures.get(key, ())), after, ph["reached_goal"],
            _plan_state(ph, "before"), goal, ph["budget_gbp"], *_uplift(ph)))
    out: dict[str, list[Plan]] = defaultdict(list)
    for p in tables.plans.to_pylist():
        key2 = (p["property_id"], p["scenario_id"])
        out[p["property_id"]].append(Plan(p["property_id"], p["scenario_id"],
                                          tuple(phases.get(key2, ())), *_uplift(p),
                                          p["fuel_rates_snapshot"],
                                          tuple(rejections.get(key2, ()))))
    return out


__all__ = ["SaveCounts", "baseline_row", "certificate_row", "load_properties",
           "override_rows", "override_rows_from_csv", "plan_tables",
           "plan_tables_from_columns", "predicted_row",
           "property_row", "save_properties", "scenario_tables", "scenarios_from_tables",
           "site_notes_row", "solar_row", "spatial_row", "to_arrow", "utc_now"]
