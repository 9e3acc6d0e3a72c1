"""Cheap idle delivery runs and digests shared between processes: each subscription's next
post moment (indexed), the deliveries' scheduled moment indexed, and a table of computed
digests with their expiry.

Revision ID: fanout
Revises: faststart
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "fanout"
down_revision = "follows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: not worked out yet, so the first run after the upgrade looks at every subscription.
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("next_due_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("due_checked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("schedule_rev", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index("ix_subscriptions_next_due_at", "subscriptions", ["next_due_at"])
    op.create_index("ix_subscriptions_due_checked_at", "subscriptions", ["due_checked_at"])
    op.create_index("ix_deliveries_scheduled_for", "deliveries", ["scheduled_for"])
    op.create_table(
        "digests",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_digests_expires_at", "digests", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_digests_expires_at", table_name="digests")
    op.drop_table("digests")
    op.drop_index("ix_deliveries_scheduled_for", table_name="deliveries")
    op.drop_index("ix_subscriptions_due_checked_at", table_name="subscriptions")
    op.drop_index("ix_subscriptions_next_due_at", table_name="subscriptions")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("schedule_rev")
        batch.drop_column("due_checked_at")
        batch.drop_column("next_due_at")
