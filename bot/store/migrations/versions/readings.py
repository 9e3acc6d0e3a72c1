"""Readings over time: the counts of every collection, and the papers of each stored day.

Revision ID: readings
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "readings"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("paper", sa.JSON, nullable=False),
        sa.UniqueConstraint("day", "arxiv_id", name="one_paper_per_day"),
    )
    op.create_index("ix_papers_day", "papers", ["day"])
    op.create_table(
        "readings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("key_hash", sa.String(40), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
        sa.Column("share", sa.Float, nullable=False),
        sa.Column("repo", sa.String(256), nullable=True),
        sa.Column("detail", sa.JSON, nullable=False),
        # Leads with the day: serves the per-day queries, pruning and the duplicate check.
        sa.UniqueConstraint(
            "day", "arxiv_id", "source", "key_hash", "taken_at", name="one_reading_per_moment"
        ),
    )
    op.create_index("ix_readings_repo", "readings", ["repo"])


def downgrade() -> None:
    op.drop_index("ix_readings_repo", "readings")
    op.drop_table("readings")
    op.drop_index("ix_papers_day", "papers")
    op.drop_table("papers")
