"""Lab picks as a subscription: what a subscription posts, the hot papers or its channel's
picks (``subscriptions.content``); and the mix a person chose for ``/hotpapers me``
(``follow_people.me_mix``).

Revision ID: picks
Revises: follows
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "picks"
down_revision = "posted"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("content", sa.String(8), nullable=False, server_default="hot"),
    )
    op.add_column("follow_people", sa.Column("me_mix", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("follow_people") as batch:
        batch.drop_column("me_mix")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("content")
