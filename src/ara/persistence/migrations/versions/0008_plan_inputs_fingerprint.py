"""Re-plan only the homes that changed (issue 20): each plan stores the fingerprint of what
it was made from (``plans.inputs_fingerprint``: a digest of the home's Effective EPC, its
baseline, planning flags and solar data, the scenario, the measure catalogue, the Fuel Rates
snapshot and Ara's planning version), so the next ``ara run`` plans only the homes whose
fingerprint is new or different. Nullable: a plan stored before this revision has none, and
its home is planned again by the next run.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("plans", sa.Column("inputs_fingerprint", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plans") as batch:
        batch.drop_column("inputs_fingerprint")
