"""Lab picks as a subscription: what a subscription posts, the hot papers or its channel's
picks (``subscriptions.content``).

Revision ID: picks
Revises: follows
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "picks"
down_revision = "follows"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("content", sa.String(8), nullable=False, server_default="hot"),
    )


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("content")
