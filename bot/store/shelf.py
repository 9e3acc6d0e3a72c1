"""Computed digests kept in the store for a while, so that every run and every process that
asks for the same digest (by its key) within the TTL reuses it instead of ranking again.

A digest missing from the shelf is computed by one process at a time: the one holding the
key's lease (``claim``), renewed while it computes (``renew``) and dropped when the digest is
saved or given up (``release``). A lease whose holder died expires and is taken over.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.retry import retried
from bot.store.tables import DigestLeaseRow, DigestRow


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
        every key leave at the same time (the table stays as small as one TTL's digests). The
        key's lease goes in the same transaction: whoever finds no lease finds the digest."""
        try:
            async with self.sessions.begin() as session:
                await session.execute(
                    delete(DigestRow).where((DigestRow.expires_at <= now) | (DigestRow.key == key))
                )
                session.add(DigestRow(key=key, body=body, expires_at=now + ttl))
                await session.execute(
                    delete(DigestLeaseRow).where(
                        (DigestLeaseRow.key == key) | (DigestLeaseRow.lease_until <= now)
                    )
                )
            return
        except IntegrityError:
            pass  # another process stored the same digest at the same moment: theirs serves
        async with self.sessions.begin() as session:
            await session.execute(delete(DigestLeaseRow).where(DigestLeaseRow.key == key))

    @retried
    async def claim(self, key: str, *, owner: str, now: dt.datetime, lease: dt.timedelta) -> bool:
        """Take the right to compute the digest of ``key`` until ``now + lease``: True when no
        one held it, its lease had expired, or ``owner`` holds it already; one statement, so
        that of several processes claiming at once exactly one wins."""
        async with self.sessions() as session:
            dialect: Any = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            insert = dialect.insert(DigestLeaseRow).values(
                key=key, owner=owner, lease_until=now + lease
            )
            statement = insert.on_conflict_do_update(
                index_elements=[DigestLeaseRow.key],
                set_={"owner": owner, "lease_until": now + lease},
                where=(DigestLeaseRow.lease_until <= now) | (DigestLeaseRow.owner == owner),
            ).returning(DigestLeaseRow.key)
            # Rowcounts of ON CONFLICT statements differ across drivers; a returned key is a win.
            won = (await session.execute(statement)).all()
            await session.commit()
            return bool(won)

    @retried
    async def renew(self, key: str, *, owner: str, now: dt.datetime, lease: dt.timedelta) -> bool:
        """Hold the lease of ``key`` until ``now + lease``; False when ``owner`` lost it."""
        async with self.sessions.begin() as session:
            renewed = await session.execute(
                update(DigestLeaseRow)
                .where(DigestLeaseRow.key == key, DigestLeaseRow.owner == owner)
                .values(lease_until=now + lease)
            )
            return bool(renewed.rowcount)  # type: ignore[attr-defined]

    @retried
    async def release(self, key: str, *, owner: str) -> None:
        """Give up the lease of ``key`` (the digest was not saved): the next asker computes it."""
        async with self.sessions.begin() as session:
            await session.execute(
                delete(DigestLeaseRow).where(
                    DigestLeaseRow.key == key, DigestLeaseRow.owner == owner
                )
            )
