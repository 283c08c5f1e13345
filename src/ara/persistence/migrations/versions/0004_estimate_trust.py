"""Estimate mode (decision 0022): each baseline says whether its Effective figures were
rated with declared estimate fallbacks (``estimate``) and which (``assumptions``: the
fallback ids of ``spec/tables/estimate_fallbacks.csv``, comma-separated, in the order the
rules used them; empty when none).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # baselines written before estimate mode existed used no fallback (they were rated in
    # today's strict sense, or refused)
    op.add_column("baseline_performance",
                  sa.Column("estimate", sa.Boolean(), nullable=False,
                            server_default=sa.false()))
    op.add_column("baseline_performance",
                  sa.Column("assumptions", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("baseline_performance") as batch:
        batch.drop_column("assumptions")
        batch.drop_column("estimate")
