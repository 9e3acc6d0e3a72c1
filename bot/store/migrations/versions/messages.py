"""The messages of each delivery, so that a retry resumes at the first one not confirmed.

Revision ID: messages
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "messages"
down_revision = "readings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("delivery_id", "position", name="one_row_per_message"),
    )
    op.create_index("ix_delivery_messages_delivery_id", "delivery_messages", ["delivery_id"])


def downgrade() -> None:
    op.drop_index("ix_delivery_messages_delivery_id", "delivery_messages")
    op.drop_table("delivery_messages")
