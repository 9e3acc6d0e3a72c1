"""Feedback (likes, dislikes, saves, reactions) per channel and person, a channel's imported
interests, and each subscription's mix of hotness and relevance.

Revision ID: feedback
Revises: faststart
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "feedback"
down_revision = "filters"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("emoji", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        # Leads with the channel: serves listing a channel's feedback and its picks.
        sa.UniqueConstraint(
            "platform",
            "channel",
            "scope",
            "user_id",
            "arxiv_id",
            "kind",
            "emoji",
            name="one_feedback",
        ),
    )
    op.create_index("ix_feedback_user", "feedback", ["platform", "user_id"])
    op.create_index("ix_feedback_at", "feedback", ["at"])
    op.create_table(
        "interests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("scope", sa.String(128), nullable=False),
        sa.Column("key", sa.String(256), nullable=False),
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "channel", "scope", "key", name="one_interest"),
    )
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("mix", sa.Float(), nullable=False, server_default="0.3"))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("mix")
    op.drop_table("interests")
    op.drop_index("ix_feedback_at", "feedback")
    op.drop_index("ix_feedback_user", "feedback")
    op.drop_table("feedback")
