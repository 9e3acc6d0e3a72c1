"""Indexes for listing subscriptions by place and for pruning old deliveries.

Revision ID: faststart
Revises: replays
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "faststart"
down_revision = "replays"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_subscriptions_where", "subscriptions", ["platform", "workspace", "destination"]
    )
    op.create_index("ix_deliveries_digest_date", "deliveries", ["digest_date"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_digest_date", table_name="deliveries")
    op.drop_index("ix_subscriptions_where", table_name="subscriptions")
