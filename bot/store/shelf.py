"""Computed digests kept in the store for a while, so that every run and every process that
asks for the same digest (by its key) within the TTL reuses it instead of ranking again."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.retry import retried
from bot.store.tables import DigestRow


class DigestShelf:
    """Digests as JSON text by key, each with its expiry; expired ones are never returned."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    @retried
    async def load(self, key: str, *, now: dt.datetime) -> str | None:
        async with self.sessions() as session:
            found = await session.scalars(
                select(DigestRow.body).where(DigestRow.key == key, DigestRow.expires_at > now)
            )
            return found.one_or_none()

    @retried
    async def save(self, key: str, body: str, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        """Keep ``body`` until ``now + ttl``, replacing an expired one; the expired digests of
        every key leave at the same time (the table stays as small as one TTL's digests)."""
        try:
            async with self.sessions.begin() as session:
                await session.execute(
                    delete(DigestRow).where((DigestRow.expires_at <= now) | (DigestRow.key == key))
                )
                session.add(DigestRow(key=key, body=body, expires_at=now + ttl))
        except IntegrityError:
            pass  # another process stored the same digest at the same moment: theirs serves
