"""Subscriptions get the filters users ask for: every one of some words (``all_keywords``),
none of some words (``exclude``) and any of some authors (``authors``), JSON lists.

Revision ID: filters
Revises: faststart
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "filters"
down_revision = "faststart"
branch_labels = None
depends_on = None

COLUMNS = ("all_keywords", "exclude", "authors")


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
