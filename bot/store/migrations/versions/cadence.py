"""Subscriptions get a cadence (daily or weekly) and a lag (0 or 1 announcement day).

Revision ID: cadence
Revises: replays
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "cadence"
down_revision = "replays"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(
            sa.Column("cadence", sa.String(16), nullable=False, server_default="daily")
        )
        batch.add_column(sa.Column("lag", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("lag")
        batch.drop_column("cadence")
