"""Site Notes surveys that changed (issue 20): ``survey_changes`` says when ``ara surveys
import`` last added or changed a survey of a home (one row per home; none: never), so that
the next Baseline records ``survey_changed`` in ``baseline_performance.changed_inputs`` for
it, as ``landlord_override_changes`` (revision 0005) does for the Landlord Overrides.

A table of its own rather than one generalised "input changes" table: 0005's table already
holds the overrides' stamps, and one table per kind of input keeps each import's stamp and
each reason a plain primary-key upsert and a plain join, with no kind column to migrate.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-20
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # surveys stored before this revision have no row: they are not reported as changed
    # (every run re-baselines every home, so they are used all the same)
    op.create_table(
        "survey_changes",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["properties.property_id"],
                                name=op.f("fk_survey_changes_property_id_properties"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_survey_changes")),
    )


def downgrade() -> None:
    op.drop_table("survey_changes")
