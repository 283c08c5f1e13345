"""SQLAlchemy Core tables. Every table's primary key is its natural key: a write is an upsert
on it, so a re-run replaces and never duplicates. The Alembic migrations under
``migrations/versions`` create exactly these tables (a test compares the two).

Conventions: identifiers are text; timestamps are UTC without a zone; JSON payloads (EPC data,
lists) are canonical JSON text; raw documents are bytes, verbatim. ``info={"arrow": ...}``
marks a column whose Arrow type is not the default for its SQL type (large values).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

_LARGE_TEXT = {"arrow": pa.large_string()}
_LARGE_BINARY = {"arrow": pa.large_binary()}


def _property_fk() -> sa.ForeignKey:
    return sa.ForeignKey("properties.property_id", ondelete="CASCADE")


portfolios = sa.Table(
    "portfolios", metadata,
    sa.Column("portfolio_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

properties = sa.Table(
    "properties", metadata,
    sa.Column("property_id", sa.Text, primary_key=True),
    sa.Column("portfolio_id", sa.Text,
              sa.ForeignKey("portfolios.portfolio_id", ondelete="CASCADE"), nullable=False),
    sa.Column("uprn", sa.BigInteger),
    sa.Column("landlord_reference", sa.Text),
    sa.Column("address_line_1", sa.Text),
    sa.Column("address_line_2", sa.Text),
    sa.Column("address_line_3", sa.Text),
    sa.Column("post_town", sa.Text),
    sa.Column("postcode", sa.Text),
    sa.Index(None, "portfolio_id"),
    sa.Index(None, "uprn"),
)

epc_certificates = sa.Table(
    "epc_certificates", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("certificate_number", sa.Text, primary_key=True),
    sa.Column("uprn", sa.BigInteger),
    sa.Column("schema_type", sa.Text, nullable=False),
    sa.Column("sap_spec_version", sa.Text, nullable=False),
    sa.Column("inspection_date", sa.Date, nullable=False),
    sa.Column("registration_date", sa.Date, nullable=False),
    sa.Column("lodged_sap_score", sa.Integer),
    sa.Column("lodged_band", sa.Text),
    sa.Column("lodged_co2_tonnes_per_year", sa.Float),
    sa.Column("lodged_primary_energy_kwh_per_m2_year", sa.Float),
    sa.Column("total_floor_area_m2", sa.Float),
    sa.Column("data_json", sa.Text, nullable=False, info=_LARGE_TEXT),
    sa.Column("raw_format", sa.Text, nullable=False),
    sa.Column("raw_document", sa.LargeBinary, nullable=False, info=_LARGE_BINARY),
    sa.Column("raw_sha256", sa.Text, nullable=False),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
    sa.Index(None, "uprn"),
)

site_notes = sa.Table(
    "site_notes", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("survey_id", sa.Text, primary_key=True),
    sa.Column("survey_date", sa.Date, nullable=False),
    sa.Column("surveyor", sa.Text),
    sa.Column("data_json", sa.Text, nullable=False, info=_LARGE_TEXT),
    sa.Column("raw_format", sa.Text, nullable=False),
    sa.Column("raw_document", sa.LargeBinary, info=_LARGE_BINARY),
)

landlord_overrides = sa.Table(
    "landlord_overrides", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("override", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("raw_value", sa.Text),
    sa.Column("source", sa.Text),
)

#: When ``ara overrides import`` last changed a home's Landlord Overrides (their codes; no
#: row: never): the next Baseline records ``landlord_overrides_changed`` (revision 0005).
landlord_override_changes = sa.Table(
    "landlord_override_changes", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

#: When ``ara surveys import`` last added or changed a Site Notes survey of a home (no row:
#: never): the next Baseline records ``survey_changed`` (revision 0006).
survey_changes = sa.Table(
    "survey_changes", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

predicted_epcs = sa.Table(
    "predicted_epcs", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("predicted_on", sa.Date, nullable=False),
    sa.Column("method", sa.Text, nullable=False),
    sa.Column("comparable_certificates_json", sa.Text, nullable=False),
    sa.Column("data_json", sa.Text, nullable=False, info=_LARGE_TEXT),
    # provenance of the neighbour synthesis (revision 0007; null: stored before it)
    sa.Column("rung", sa.Text),
    sa.Column("cohort_size", sa.Integer),
    sa.Column("confidence", sa.Float),
    sa.Column("template_certificate", sa.Text),
    sa.Column("comparable_weights_json", sa.Text),
)

#: Lodged certificates far from their comparables (``ara.prediction.flag_anomalies``): one row
#: per flagged certificate of a home, replaced by each run of the Prediction stage (0007).
certificate_anomalies = sa.Table(
    "certificate_anomalies", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("certificate_number", sa.Text, primary_key=True),
    sa.Column("rung", sa.Text, nullable=False),
    sa.Column("cohort_size", sa.Integer, nullable=False),
    sa.Column("floor_area_m2", sa.Float),
    sa.Column("floor_area_median_m2", sa.Float),
    sa.Column("floor_area_spreads", sa.Float),
    sa.Column("sap", sa.Float),
    sa.Column("sap_median", sa.Float),
    sa.Column("sap_spreads", sa.Float),
    sa.Column("reasons", sa.Text, nullable=False),
    sa.Column("flagged_at", sa.DateTime, nullable=False),
)

property_spatial = sa.Table(
    "property_spatial", metadata,
    sa.Column("uprn", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("latitude", sa.Float),
    sa.Column("longitude", sa.Float),
    sa.Column("conservation_area", sa.Boolean, nullable=False),
    sa.Column("listed_building", sa.Boolean, nullable=False),
    sa.Column("heritage_building", sa.Boolean, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
)

solar_potential = sa.Table(
    "solar_potential", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("roof_area_m2", sa.Float, nullable=False),
    sa.Column("pitch_deg", sa.Float, nullable=False),
    sa.Column("azimuth_deg", sa.Float, nullable=False),
    sa.Column("annual_yield_kwh_per_kwp", sa.Float, nullable=False),
    sa.Column("max_array_kwp", sa.Float, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
)

END_USES: tuple[str, ...] = (
    "space_heating_main", "space_heating_secondary", "water_heating", "electric_showers",
    "lighting", "pumps_and_fans", "cooling", "pv_generation",
)

baseline_performance = sa.Table(
    "baseline_performance", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("source_path", sa.Text, nullable=False),
    sa.Column("certificate_number", sa.Text),
    sa.Column("survey_id", sa.Text),
    sa.Column("lodged_sap_score", sa.Integer),
    sa.Column("lodged_band", sa.Text),
    sa.Column("lodged_co2_tonnes_per_year", sa.Float),
    sa.Column("lodged_primary_energy_kwh_per_m2_year", sa.Float),
    sa.Column("effective_sap_score", sa.Integer, nullable=False),
    sa.Column("effective_band", sa.Text, nullable=False),
    sa.Column("effective_co2_tonnes_per_year", sa.Float, nullable=False),
    sa.Column("effective_primary_energy_kwh_per_m2_year", sa.Float, nullable=False),
    sa.Column("rebaseline_reason", sa.Text, nullable=False),
    *(sa.Column(f"{use}_kwh", sa.Float, nullable=False) for use in END_USES),
    # null with bill_unpriced_reason: the snapshot does not price a fuel the home uses
    sa.Column("bill_energy_charges_gbp", sa.Float),
    sa.Column("bill_standing_charges_gbp", sa.Float),
    sa.Column("bill_export_credit_gbp", sa.Float),
    sa.Column("bill_total_gbp", sa.Float),
    sa.Column("fuel_rates_snapshot", sa.Text, nullable=False),
    sa.Column("bill_unpriced_reason", sa.Text),
    sa.Column("calculated_at", sa.DateTime, nullable=False),
    # estimate mode (0004): rated with declared fallbacks, and which (comma-separated ids)
    sa.Column("estimate", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("assumptions", sa.Text, nullable=False, server_default=""),
    # what changed since the home's previous baseline (comma-separated; null: nothing
    # recorded), e.g. ``landlord_overrides_changed`` (revision 0005)
    sa.Column("changed_inputs", sa.Text),
)

scenarios = sa.Table(
    "scenarios", metadata,
    sa.Column("scenario_id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
)

scenario_phases = sa.Table(
    "scenario_phases", metadata,
    sa.Column("scenario_id", sa.Text, sa.ForeignKey("scenarios.scenario_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("phase_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("allowed_measure_types_json", sa.Text, nullable=False),
    sa.Column("budget_gbp", sa.Float),
    sa.Column("target_band", sa.Text),
    sa.Column("goal_kind", sa.Text),
)

#: The figures of a dwelling at one point of a plan (``ara.domain.PlanState``), stored as a
#: set of columns per side (``before`` / ``after``): name stem -> SQL type. Every column is
#: nullable in the database: plans stored before revision 0002 lack the new figures.
STATE_COLUMNS: tuple[tuple[str, type[sa.types.TypeEngine[Any]]], ...] = (
    ("sap_continuous", sa.Float),
    ("sap_score", sa.Integer),
    ("band", sa.Text),
    ("ei_rating", sa.Integer),
    ("ei_band", sa.Text),
    ("co2_tonnes_per_year", sa.Float),
    ("primary_energy_kwh_per_m2_year", sa.Float),
    ("primary_energy_kwh_per_year", sa.Float),
    ("bill", sa.Float),
    *((f"{use}_kwh", sa.Float) for use in END_USES),
)


#: ``plans`` keeps the names revision 0001 gave its two after-figures.
_PLAN_NAMES = {("sap_score", "after"): "final_sap_score", ("band", "after"): "final_band"}


def state_column(stem: str, side: str, *, plan: bool = False) -> str:
    """The column of figure ``stem`` on ``side`` (``before``/``after``) of ``plan_phases``
    (or of ``plans``): ``sap_score_after`` (``final_sap_score``), ``bill_before_gbp``,
    ``lighting_kwh_after``."""
    if plan and (stem, side) in _PLAN_NAMES:
        return _PLAN_NAMES[(stem, side)]
    return f"bill_{side}_gbp" if stem == "bill" else f"{stem}_{side}"


def _state_columns(side: str, *, plan: bool = False,
                   required: tuple[str, ...] = ()) -> list[sa.Column[object]]:
    return [sa.Column(state_column(stem, side, plan=plan), kind, nullable=stem not in required)
            for stem, kind in STATE_COLUMNS]


#: The after-figures plan phases have always stored (revision 0001): NOT NULL.
PHASE_REQUIRED_AFTER = ("sap_score", "band", "co2_tonnes_per_year",
                        "primary_energy_kwh_per_m2_year")  # bill: null when unpriced (0003)


def _uplift_columns() -> list[sa.Column[object]]:
    """Valuation uplift range (decision D-0018): percent always, pounds with a market value."""
    return [sa.Column(name, sa.Float) for name in ("uplift_percent_low", "uplift_percent_high",
                                                   "uplift_gbp_low", "uplift_gbp_high")]


plans = sa.Table(
    "plans", metadata,
    sa.Column("property_id", sa.Text, _property_fk(), primary_key=True),
    sa.Column("scenario_id", sa.Text, sa.ForeignKey("scenarios.scenario_id", ondelete="CASCADE"),
              primary_key=True),
    sa.Column("total_cost_gbp", sa.Float, nullable=False),
    sa.Column("fuel_rates_snapshot", sa.Text),
    *_state_columns("before", plan=True),
    *_state_columns("after", plan=True),
    *_uplift_columns(),
    sa.Column("planned_at", sa.DateTime, nullable=False),
    # what the plan was made from, as a digest (revision 0008; null: stored before it, or
    # planned by components the Modelling stage cannot fingerprint): a run skips a home
    # whose inputs give the same digest again (ara.modelling.orchestrator)
    sa.Column("inputs_fingerprint", sa.Text),
    sa.Index(None, "scenario_id"),
)

plan_phases = sa.Table(
    "plan_phases", metadata,
    sa.Column("property_id", sa.Text, primary_key=True),
    sa.Column("scenario_id", sa.Text, primary_key=True),
    sa.Column("phase_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("goal_kind", sa.Text),
    sa.Column("goal_target_band", sa.Text),
    sa.Column("budget_gbp", sa.Float),
    sa.Column("cost_gbp", sa.Float, nullable=False),
    *_state_columns("before"),
    *_state_columns("after", required=PHASE_REQUIRED_AFTER),
    *_uplift_columns(),
    sa.Column("reached_goal", sa.Boolean, nullable=False),
    sa.ForeignKeyConstraint(["property_id", "scenario_id"],
                            ["plans.property_id", "plans.scenario_id"], ondelete="CASCADE"),
)

plan_measures = sa.Table(
    "plan_measures", metadata,
    sa.Column("property_id", sa.Text, primary_key=True),
    sa.Column("scenario_id", sa.Text, primary_key=True),
    sa.Column("phase_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sequence", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("measure_type", sa.Text, nullable=False),
    sa.Column("measure_option", sa.Text, nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("cost_gbp", sa.Float, nullable=False),
    sa.Column("sap_gain", sa.Float, nullable=False),
    sa.Column("bill_saving_gbp", sa.Float),  # null when the home's bill is unpriced
    sa.Column("co2_saving_kg", sa.Float),
    sa.Column("primary_energy_saving_kwh", sa.Float),
    sa.ForeignKeyConstraint(
        ["property_id", "scenario_id", "phase_number"],
        ["plan_phases.property_id", "plan_phases.scenario_id", "plan_phases.phase_number"],
        ondelete="CASCADE"),
)

#: Why the measure types a phase allows were not offered (one row per type and phase).
plan_rejections = sa.Table(
    "plan_rejections", metadata,
    sa.Column("property_id", sa.Text, primary_key=True),
    sa.Column("scenario_id", sa.Text, primary_key=True),
    sa.Column("phase_number", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("measure_type", sa.Text, primary_key=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.ForeignKeyConstraint(
        ["property_id", "scenario_id", "phase_number"],
        ["plan_phases.property_id", "plan_phases.scenario_id", "plan_phases.phase_number"],
        ondelete="CASCADE"),
)

# No foreign key to properties: ingestion can fail a property before it is stored.
stage_failures = sa.Table(
    "stage_failures", metadata,
    sa.Column("property_id", sa.Text, primary_key=True),
    sa.Column("stage", sa.Text, primary_key=True),
    sa.Column("error_type", sa.Text, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("failed_at", sa.DateTime, nullable=False),
)

#: Tables in dependency order (parents first): the order writes go in, so two writers lock
#: rows in the same order.
TABLES: tuple[sa.Table, ...] = tuple(metadata.sorted_tables)


def natural_key(table: sa.Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def arrow_type(column: sa.Column[object]) -> pa.DataType:
    """The Arrow type of a column's values."""
    if "arrow" in column.info:
        return column.info["arrow"]
    t = column.type
    if isinstance(t, sa.BigInteger):
        return pa.int64()
    if isinstance(t, sa.Integer):
        return pa.int32()
    if isinstance(t, sa.Float):
        return pa.float64()
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.DateTime):
        return pa.timestamp("us")
    if isinstance(t, sa.Date):
        return pa.date32()
    if isinstance(t, sa.LargeBinary):
        return pa.binary()
    if isinstance(t, sa.Text):
        return pa.string()
    raise TypeError(f"no Arrow type for {column.table}.{column.name} ({t!r})")


def arrow_schema(table: sa.Table) -> pa.Schema:
    """The Arrow schema of a table's rows, column for column."""
    return pa.schema([pa.field(c.name, arrow_type(c), nullable=bool(c.nullable))
                      for c in table.columns])
