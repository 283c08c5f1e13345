"""Every figure of a retrofit plan (issue 7): per plan and per phase the figures before and
after (continuous and integer SAP, band, EI rating and band, CO2, primary energy per m2 and
per year, the bill, kWh by end use), the valuation uplift range (decision D-0018); per phase its
goal and budget; per measure its CO2 and primary energy savings; the plan's Fuel Rates
snapshot; why the measures a phase allows were not offered (``plan_rejections``); the goal kind
of a scenario phase.

``plans`` keeps ``final_sap_score`` / ``final_band`` for its integer SAP and band after (its
other figures are named as the phases': ``sap_continuous_after``...). Every new column is
nullable: plans stored before this revision keep what they had, and their after-figures that
were stored per phase (CO2, primary energy per m2, bill) are copied to the plan from its last
phase; what was never computed stays NULL (a re-run of the Modelling stage fills it). A
scenario phase with a target band gets goal kind ``target_band``; other goals were not stored
and stay NULL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The schema as of this revision (not imported from ara.persistence.tables, which moves on).
_END_USES = ("space_heating_main", "space_heating_secondary", "water_heating",
             "electric_showers", "lighting", "pumps_and_fans", "cooling", "pv_generation")
_STATE: tuple[tuple[str, type[sa.types.TypeEngine[Any]]], ...] = (
    ("sap_continuous", sa.Float),
    ("sap_score", sa.Integer),
    ("band", sa.Text),
    ("ei_rating", sa.Integer),
    ("ei_band", sa.Text),
    ("co2_tonnes_per_year", sa.Float),
    ("primary_energy_kwh_per_m2_year", sa.Float),
    ("primary_energy_kwh_per_year", sa.Float),
    ("bill", sa.Float),
    *((f"{use}_kwh", sa.Float) for use in _END_USES),
)
_UPLIFT = ("uplift_percent_low", "uplift_percent_high", "uplift_gbp_low", "uplift_gbp_high")
#: After-figures plan phases stored since 0001.
_PHASE_AFTER_0001 = ("sap_score", "band", "co2_tonnes_per_year",
                     "primary_energy_kwh_per_m2_year", "bill")
#: After-figures plans stored since 0001 (as final_sap_score, final_band).
_PLAN_AFTER_0001 = ("sap_score", "band")
#: Plan after-figures copied from the plan's last phase.
_PLAN_FROM_LAST_PHASE = ("co2_tonnes_per_year_after", "primary_energy_kwh_per_m2_year_after",
                         "bill_after_gbp")


def _name(stem: str, side: str) -> str:
    return f"bill_{side}_gbp" if stem == "bill" else f"{stem}_{side}"


def _new_columns() -> dict[str, list[tuple[str, type[sa.types.TypeEngine[Any]]]]]:
    before = [(_name(stem, "before"), kind) for stem, kind in _STATE]
    after = [(_name(stem, "after"), kind) for stem, kind in _STATE]
    plan_after_old = {_name(stem, "after") for stem in _PLAN_AFTER_0001}
    phase_after_old = {_name(stem, "after") for stem in _PHASE_AFTER_0001}
    uplift = [(name, sa.Float) for name in _UPLIFT]
    return {
        "plans": [("fuel_rates_snapshot", sa.Text), *before,
                  *((n, k) for n, k in after if n not in plan_after_old), *uplift],
        "plan_phases": [("goal_kind", sa.Text), ("goal_target_band", sa.Text),
                        ("budget_gbp", sa.Float), *before,
                        *((n, k) for n, k in after if n not in phase_after_old), *uplift],
        "plan_measures": [("co2_saving_kg", sa.Float), ("primary_energy_saving_kwh", sa.Float)],
        "scenario_phases": [("goal_kind", sa.Text)],
    }


def upgrade() -> None:
    # plain ALTER TABLE on both databases (SQLite >= 3.35 drops columns itself): a batch
    # "move and copy" of ``plans`` would cascade-delete its phases on SQLite
    for table, columns in _new_columns().items():
        for name, kind in columns:
            op.add_column(table, sa.Column(name, kind(), nullable=True))
    op.create_table(
        "plan_rejections",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("scenario_id", sa.Text(), nullable=False),
        sa.Column("phase_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("measure_type", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["property_id", "scenario_id", "phase_number"],
            ["plan_phases.property_id", "plan_phases.scenario_id", "plan_phases.phase_number"],
            name=op.f("fk_plan_rejections_property_id_scenario_id_phase_number_plan_phases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("property_id", "scenario_id", "phase_number", "measure_type",
                                name=op.f("pk_plan_rejections")),
    )
    # data: what the old rows already say
    op.execute("UPDATE scenario_phases SET goal_kind = 'target_band' "
               "WHERE target_band IS NOT NULL")
    last = ("(SELECT ph.{col} FROM plan_phases ph WHERE ph.property_id = plans.property_id "
            "AND ph.scenario_id = plans.scenario_id ORDER BY ph.phase_number DESC LIMIT 1)")
    op.execute("UPDATE plans SET " + ", ".join(f"{col} = {last.format(col=col)}"
                                               for col in _PLAN_FROM_LAST_PHASE))


def downgrade() -> None:
    op.drop_table("plan_rejections")
    for table, columns in _new_columns().items():
        for name, _ in reversed(columns):
            op.drop_column(table, name)
