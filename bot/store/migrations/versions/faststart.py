"""Indexes for listing subscriptions by place and for pruning old deliveries and snapshots.

Revision ID: faststart
Revises: replays
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "faststart"
down_revision = "refresh"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_subscriptions_where", "subscriptions", ["platform", "workspace", "destination"]
    )
    op.create_index("ix_deliveries_updated_at", "deliveries", ["updated_at"])
    op.create_index("ix_snapshots_taken_at", "snapshots", ["taken_at"])


def downgrade() -> None:
    op.drop_index("ix_snapshots_taken_at", table_name="snapshots")
    op.drop_index("ix_deliveries_updated_at", table_name="deliveries")
    op.drop_index("ix_subscriptions_where", table_name="subscriptions")
