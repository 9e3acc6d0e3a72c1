"""Cross-process single flight for shelved digests: a lease per digest key, held by the process
computing it (``digest_leases``), so that the others wait for the shelf instead of computing it.

Revision ID: digest_leases
Revises: picks
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "digest_leases"
down_revision = "picks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_leases",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("digest_leases")
