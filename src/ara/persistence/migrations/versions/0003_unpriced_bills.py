"""A home the Fuel Rates snapshot cannot price keeps its ratings (decision 0017): the bill
amounts of ``baseline_performance`` become nullable, with ``bill_unpriced_reason`` naming the
end uses and fuels not priced; a plan of such a home stores its phases' bill after and its
measures' bill savings as NULL.

SQLite changes a column's nullability by rebuilding the table (Alembic batch mode);
``ara.persistence.migrate`` runs SQLite migrations with foreign keys off so that dropping the
old ``plan_phases`` does not cascade to its measures, and checks the keys afterwards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BASELINE_BILL = ("bill_energy_charges_gbp", "bill_standing_charges_gbp",
                  "bill_export_credit_gbp", "bill_total_gbp")
_NULLABLE = {"baseline_performance": _BASELINE_BILL,
             "plan_phases": ("bill_after_gbp",),
             "plan_measures": ("bill_saving_gbp",)}


def _set_nullable(nullable: bool) -> None:
    for table, columns in _NULLABLE.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.alter_column(column, existing_type=sa.Float(), nullable=nullable)


def upgrade() -> None:
    op.add_column("baseline_performance",
                  sa.Column("bill_unpriced_reason", sa.Text(), nullable=True))
    _set_nullable(True)


def downgrade() -> None:
    # rows without a bill cannot be kept under NOT NULL: the unpriced baselines go, and so do
    # whole plans (every phase, measure and rejection) of a home without a bill or with a
    # phase or measure without one; a re-run of Baseline and Modelling writes them again.
    # Children first and explicitly: SQLite migrations run with foreign keys off.
    bind = op.get_bind()
    doomed = bind.execute(sa.text(
        "SELECT property_id, scenario_id FROM plans p WHERE "
        "p.property_id IN (SELECT property_id FROM baseline_performance "
        "WHERE bill_total_gbp IS NULL) "
        "OR EXISTS (SELECT 1 FROM plan_phases ph WHERE ph.property_id = p.property_id "
        "AND ph.scenario_id = p.scenario_id AND ph.bill_after_gbp IS NULL) "
        "OR EXISTS (SELECT 1 FROM plan_measures pm WHERE pm.property_id = p.property_id "
        "AND pm.scenario_id = p.scenario_id AND pm.bill_saving_gbp IS NULL)")).all()
    for table in ("plan_measures", "plan_rejections", "plan_phases", "plans"):
        for property_id, scenario_id in doomed:
            bind.execute(sa.text(f"DELETE FROM {table} WHERE property_id = :p "
                                 "AND scenario_id = :s"), {"p": property_id, "s": scenario_id})
    op.execute("DELETE FROM baseline_performance WHERE bill_total_gbp IS NULL")
    _set_nullable(False)
    with op.batch_alter_table("baseline_performance") as batch:
        batch.drop_column("bill_unpriced_reason")
