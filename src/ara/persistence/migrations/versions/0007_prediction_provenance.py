"""Predicted EPCs in the First Run (issue 19, decision 0029): the provenance of each stored
prediction beside the comparable certificates it already lists, and the anomaly flags of
lodged certificates far from their comparables.

* ``predicted_epcs`` gains ``rung`` (the ladder's rung used: street, unit, sector, district,
  area), ``cohort_size``, ``confidence`` (in [0, 1], a ranking figure), ``template_certificate``
  (the neighbour whose certificate was scaled into the prediction) and
  ``comparable_weights_json`` (the neighbours' normalised weights, in the order of
  ``comparable_certificates_json``). Nullable: a prediction stored before this revision has
  none of them, and reads back with them unknown.
* ``certificate_anomalies``: one row per lodged certificate the Prediction stage flags (its
  floor area or lodged SAP rating several robust spreads from its cohort's weighted median),
  with the figures and the reasons; a home's rows are replaced by each run.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PROVENANCE = (("rung", sa.Text()), ("cohort_size", sa.Integer()), ("confidence", sa.Float()),
              ("template_certificate", sa.Text()), ("comparable_weights_json", sa.Text()))


def upgrade() -> None:
    for name, kind in PROVENANCE:
        op.add_column("predicted_epcs", sa.Column(name, kind, nullable=True))
    op.create_table(
        "certificate_anomalies",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("certificate_number", sa.Text(), nullable=False),
        sa.Column("rung", sa.Text(), nullable=False),
        sa.Column("cohort_size", sa.Integer(), nullable=False),
        sa.Column("floor_area_m2", sa.Float()),
        sa.Column("floor_area_median_m2", sa.Float()),
        sa.Column("floor_area_spreads", sa.Float()),
        sa.Column("sap", sa.Float()),
        sa.Column("sap_median", sa.Float()),
        sa.Column("sap_spreads", sa.Float()),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["properties.property_id"],
                                name=op.f("fk_certificate_anomalies_property_id_properties"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("property_id", "certificate_number",
                                name=op.f("pk_certificate_anomalies")),
    )


def downgrade() -> None:
    op.drop_table("certificate_anomalies")
    with op.batch_alter_table("predicted_epcs") as batch:
        for name, _ in reversed(PROVENANCE):
            batch.drop_column(name)
