"""Landlord Overrides that changed (issue 20): ``landlord_override_changes`` says when
``ara overrides import`` last changed a home's overrides (one row per home; none: never), and
each baseline says what changed since the home's previous baseline
(``baseline_performance.changed_inputs``, comma-separated, null: nothing recorded), so a run
can tell the homes re-baselined because their landlord's statements changed
(``landlord_overrides_changed``) from the others.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # overrides stored before this revision have no row: they are not reported as changed
    # (every run re-baselines every home, so they are applied all the same)
    op.create_table(
        "landlord_override_changes",
        sa.Column("property_id", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["properties.property_id"],
                                name=op.f("fk_landlord_override_changes_property_id_properties"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("property_id", name=op.f("pk_landlord_override_changes")),
    )
    op.add_column("baseline_performance", sa.Column("changed_inputs", sa.Text(),
                                                    nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("baseline_performance") as batch:
        batch.drop_column("changed_inputs")
    op.drop_table("landlord_override_changes")
