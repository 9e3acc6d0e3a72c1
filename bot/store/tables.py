"""The tables, declared once for the store and for Alembic's migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"
    # A channel's own subscriptions (every command) and the list's filters.
    __table_args__ = (
        Index("ix_subscriptions_where", "platform", "workspace", "destination"),
        # A delivery run reads only what may be due (``next_due_at`` passed, or never worked out).
        Index("ix_subscriptions_next_due_at", "next_due_at"),
        Index("ix_subscriptions_due_checked_at", "due_checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str] = mapped_column(String(64), default="")
    destination: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16), default="channel")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    all_keywords: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    exclude: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    authors: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    top: Mapped[int] = mapped_column(Integer, default=10)
    post_time: Mapped[dt.time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    weekdays: Mapped[list[int]] = mapped_column(JSON, default=list)
    cadence: Mapped[str] = mapped_column(String(16), default="daily", server_default="daily")
    lag: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by: Mapped[str] = mapped_column(String(128), default="")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    refresh_after: Mapped[int | None] = mapped_column(Integer, nullable=True, default=None)
    # 0: hot only … 1: relevance to the channel's taste only (``bot.relevance.blend``).
    mix: Mapped[float] = mapped_column(Float, default=0.3, server_default="0.3")
    # The next scheduled post not settled yet, worked out by the run that settled the last one
    # (at ``due_checked_at``); NULL: not worked out since the subscription was made or changed.
    # ``schedule_rev`` counts the changes, so a run never writes a moment of an older schedule.
    next_due_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )
    due_checked_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )
    schedule_rev: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "hot" or "picks" (``bot.subscriptions.Content``).
    content: Mapped[str] = mapped_column(String(8), default="hot", server_default="hot")


class DeliveryRow(Base):
    """The ledger: one row per subscription and digest date, claimed before posting."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "digest_date", name="one_delivery_per_day"),
        Index("ix_deliveries_scheduled_for", "scheduled_for"),
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
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    # When the post was edited in place with settled counts (a subscription's refresh_after),
    # and until when a worker doing it holds it (another takes over after).
    refreshed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )
    refresh_lease_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )


class MessageRow(Base):
    """One message of a delivery: rendered once, then pending → sending → posted (or uncertain).

    ``sending`` means the platform call may have happened: it is reconciled, never re-sent blindly.
    """

    __tablename__ = "delivery_messages"
    __table_args__ = (UniqueConstraint("delivery_id", "position", name="one_row_per_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(Integer, index=True)
    position: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # When this message was edited with the refreshed digest (``body`` is then the new text).
    refreshed_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True, default=None
    )


class SnapshotRow(Base):
    __tablename__ = "snapshots"
    __table_args__ = (UniqueConstraint("digest_date", "scope", name="one_snapshot_per_scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    digest_date: Mapped[dt.date] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(512))
    body: Mapped[str] = mapped_column(Text)
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class DigestRow(Base):
    """A computed digest (JSON) by its key (``bot.digests.subscription_key``), shared by every
    run and process until ``expires_at``."""

    __tablename__ = "digests"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class DigestLeaseRow(Base):
    """The right to compute the digest of ``key`` (the shelf's key), held by ``owner`` until
    ``lease_until`` and renewed while it computes: other processes wait for the shelf instead of
    computing it too, and take the lease over once it has expired (its holder died)."""

    __tablename__ = "digest_leases"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PaperRow(Base):
    """A paper as announced on ``day``, so that views over days are rebuilt from the store."""

    __tablename__ = "papers"
    __table_args__ = (UniqueConstraint("day", "arxiv_id", name="one_paper_per_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date, index=True)
    arxiv_id: Mapped[str] = mapped_column(String(32))
    paper: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReadingRow(Base):
    """The counts one source showed for one paper (one post, repository or aggregate) at
    ``taken_at``. ``key`` is the post URL, the repository or "" (``key_hash`` its SHA-1, short
    enough for the unique index that makes loading the same readings twice harmless)."""

    __tablename__ = "readings"
    __table_args__ = (
        UniqueConstraint(
            "day", "arxiv_id", "source", "key_hash", "taken_at", name="one_reading_per_moment"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)
    arxiv_id: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(Text)
    key_hash: Mapped[str] = mapped_column(String(40))
    taken_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    counts: Mapped[dict[str, int]] = mapped_column(JSON)
    share: Mapped[float] = mapped_column(Float)
    repo: Mapped[str | None] = mapped_column(String(256), nullable=True, index=True)
    # The post (without its counts), the repository's creation time and the source's summary.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


class ReplayRow(Base):
    """A signed request already served, kept until its signature can no longer be valid."""

    __tablename__ = "replays"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the signature
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class FeedbackRow(Base):
    """One person's (``user`` "" : the channel's imported) like, dislike, save or reaction on a
    paper in a channel; the same one given twice is one row (``one_feedback``)."""

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint(
            "platform",
            "channel",
            "scope",
            "user_id",
            "arxiv_id",
            "kind",
            "emoji",
            name="one_feedback",
        ),
        Index("ix_feedback_user", "platform", "user_id"),
        Index("ix_feedback_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(128), default="")
    user_id: Mapped[str] = mapped_column(String(128), default="")
    arxiv_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    emoji: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class InterestRow(Base):
    """One imported interest of a channel (a BibTeX or Zotero entry, an arXiv id): a positive
    example for its relevance model, with the text it was imported with."""

    __tablename__ = "interests"
    __table_args__ = (UniqueConstraint("platform", "channel", "scope", "key", name="one_interest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(128))
    scope: Mapped[str] = mapped_column(String(128), default="")
    # The arXiv id when known, else the entry's DOI, citation key or title.
    key: Mapped[str] = mapped_column(String(256))
    arxiv_id: Mapped[str] = mapped_column(String(32), default="")
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PostedPaperRow(Base):
    """A paper carried by a posted chat message, at its rank (``position``): a reaction on the
    message is tied to it. A 🧵 thread on Discord is a row with ``message_id`` "" (the whole
    thread is the paper's), whose feedback counts in the ``home`` channel ("" : ``channel``)."""

    __tablename__ = "posted_papers"
    __table_args__ = (
        UniqueConstraint("platform", "channel", "message_id", "position", name="one_posted_paper"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    position: Mapped[int] = mapped_column(Integer)
    arxiv_id: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(128), default="")
    home: Mapped[str] = mapped_column(String(128), default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
