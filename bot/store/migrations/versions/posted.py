"""Which papers each posted chat message carries, so that a reaction on it counts for one.

Revision ID: posted
Revises: follows
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "posted"
down_revision = "fanout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posted_papers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("home", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        # Leads with the message: serves "which papers does this message carry".
        sa.UniqueConstraint(
            "platform", "channel", "message_id", "position", name="one_posted_paper"
        ),
    )
    op.create_index("ix_posted_papers_at", "posted_papers", ["at"])


def downgrade() -> None:
    op.drop_index("ix_posted_papers_at", table_name="posted_papers")
    op.drop_table("posted_papers")
