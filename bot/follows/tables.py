"""The tables of personal follows, declared on the store's ``Base`` (migration ``follows``).

Every row names its person by (platform, scope, user_id), so that ``forget me`` is one DELETE
per table. ``follow_sent`` holds each paper once per person (a unique constraint): that is what
makes a paper go out at most once, whichever process sends it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.tables import Base


class _Personal:
    """The person a row belongs to."""

    platform: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(64), default="")
    user_id: Mapped[str] = mapped_column(String(128))


class FollowRow(_Personal, Base):
    __tablename__ = "follows"
    __table_args__ = (
        UniqueConstraint("platform", "scope", "user_id", "kind", "value", name="one_follow_each"),
        Index("ix_follows_person", "platform", "scope", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(256))
    # For "similar": the followed paper's title and abstract.
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FollowPersonRow(_Personal, Base):
    """A person's chosen time for their daily message (absent: 09:00 UTC), and the ``mix`` of
    their ``/hotpapers me`` (None: the default)."""

    __tablename__ = "follow_people"
    __table_args__ = (UniqueConstraint("platform", "scope", "user_id", name="one_dm_time_each"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dm_time: Mapped[dt.time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    me_mix: Mapped[float | None] = mapped_column(Float, nullable=True, default=None)


class FollowMessageRow(_Personal, Base):
    """One person's message of one day: claimed (``sending``) before it is sent, then ``sent``
    or, when the platform may have taken it without saying so, ``uncertain`` (never re-sent)."""

    __tablename__ = "follow_messages"
    __table_args__ = (
        UniqueConstraint("platform", "scope", "user_id", "day", name="one_dm_per_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    day: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(Text, default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class FollowSentRow(_Personal, Base):
    """A paper sent (or being sent) to a person, in the message ``message_row``."""

    __tablename__ = "follow_sent"
    __table_args__ = (
        UniqueConstraint("platform", "scope", "user_id", "arxiv_id", name="one_dm_per_paper"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    arxiv_id: Mapped[str] = mapped_column(String(32))
    message_row: Mapped[int] = mapped_column(Integer, index=True)
