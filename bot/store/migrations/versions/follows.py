"""Personal follows: what each person follows, their DM time, their daily messages and the
papers already sent to them (at most once each, by a unique constraint).

Revision ID: follows
Revises: faststart
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "follows"
down_revision = "feedback"
branch_labels = None
depends_on = None


def _person() -> list[sa.Column[str]]:
    return [
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_person(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "platform", "scope", "user_id", "kind", "value", name="one_follow_each"
        ),
    )
    op.create_index("ix_follows_person", "follows", ["platform", "scope", "user_id"])
    op.create_table(
        "follow_people",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_person(),
        sa.Column("dm_time", sa.Time, nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.UniqueConstraint("platform", "scope", "user_id", name="one_dm_time_each"),
    )
    op.create_table(
        "follow_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_person(),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("platform", "scope", "user_id", "day", name="one_dm_per_day"),
    )
    op.create_table(
        "follow_sent",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        *_person(),
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("message_row", sa.Integer, nullable=False),
        sa.UniqueConstraint("platform", "scope", "user_id", "arxiv_id", name="one_dm_per_paper"),
    )
    op.create_index("ix_follow_sent_message_row", "follow_sent", ["message_row"])


def downgrade() -> None:
    op.drop_index("ix_follow_sent_message_row", table_name="follow_sent")
    op.drop_table("follow_sent")
    op.drop_table("follow_messages")
    op.drop_table("follow_people")
    op.drop_index("ix_follows_person", table_name="follows")
    op.drop_table("follows")
