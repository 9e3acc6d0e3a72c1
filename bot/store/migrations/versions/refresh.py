"""Posts refreshed later with settled counts: a subscription's ``refresh_after`` (hours) and
when each delivery and each of its messages was edited.

Revision ID: refresh
Revises: replays
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "refresh"
down_revision = "cadence"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("refresh_after", sa.Integer(), nullable=True))
    op.add_column(
        "deliveries", sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "deliveries", sa.Column("refresh_lease_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "delivery_messages", sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("delivery_messages") as batch:
        batch.drop_column("refreshed_at")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("refresh_lease_until")
        batch.drop_column("refreshed_at")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("refresh_after")
