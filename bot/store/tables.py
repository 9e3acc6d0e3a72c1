"""The tables, declared once for the store and for Alembic's migrations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    destination: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="channel")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    top: Mapped[int] = mapped_column(Integer, default=10)
    post_time: Mapped[dt.time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(128), default="")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class DeliveryRow(Base):
    """The ledger: one row per subscription and digest date, claimed before posting."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "digest_date", name="one_delivery_per_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(Integer, index=True)
    digest_date: Mapped[dt.date] = mapped_column(Date)
    scheduled_for: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # claimed → sending → posted; or failed (retried), skipped, uncertain (not retried).
    state: Mapped[str] = mapped_column(String(16), index=True)
    owner: Mapped[str] = mapped_column(String(64), default="")
    lease_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SnapshotRow(Base):
    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("digest_date", "scope", name="one_snapshot_per_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest_date: Mapped[dt.date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(512))
    body: Mapped[str] = mapped_column(Text)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ReplayRow(Base):
    """A signed request already served, kept until its signature can no longer be valid."""

    __tablename__ = "replays"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the signature
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
