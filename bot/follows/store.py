"""Follows, DM times and what was sent, in the store every replica shares (SQLite or
PostgreSQL).

A day's message is claimed before it is sent: one transaction inserts the person's row of the
day (unique per person and day) and a row per paper (unique per person and paper). Whoever
inserts them sends; a second process fails the insert and sends nothing. A refusal releases the
claim (the papers go out with the next run); a message the platform may have taken without
saying so stays claimed, ``uncertain``: a paper is sent at most once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import cast

from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import IntegrityError

from bot.follows.model import DmTime, Follow, Kind, Person
from bot.follows.tables import FollowMessageRow, FollowPersonRow, FollowRow, FollowSentRow
from bot.store.ledger import aware
from bot.store.retry import retried
from bot.store.sql import SqlStore

MAX_FOLLOWS = 100  # follows of one person: each is matched against every paper of a day

_Personal = type[FollowRow] | type[FollowPersonRow] | type[FollowMessageRow] | type[FollowSentRow]


def _of(table: _Personal, person: Person) -> list[object]:
    return [
        table.platform == person.platform,
        table.scope == person.scope,
        table.user_id == person.user,
    ]


def _follow(row: FollowRow) -> Follow:
    return Follow(
        id=row.id,
        person=Person(platform=row.platform, scope=row.scope, user=row.user_id),
        kind=cast(Kind, row.kind),
        value=row.value,
        text=row.text,
        created_at=aware(row.created_at),
    )


class FollowStore:
    def __init__(self, store: SqlStore) -> None:
        self.sessions = store.sessions

    # Follows

    @retried
    async def add(self, follow: Follow) -> tuple[Follow, bool]:
        """The follow as stored, and whether it is new (False: the person already had it)."""
        person = follow.person
        try:
            async with self.sessions.begin() as session:
                row = FollowRow(
                    platform=person.platform,
                    scope=person.scope,
                    user_id=person.user,
                    kind=follow.kind,
                    value=follow.value,
                    text=follow.text,
                    created_at=follow.created_at,
                )
                session.add(row)
                await session.flush()
                return _follow(row), True
        except IntegrityError:
            pass
        async with self.sessions() as session:
            existing = await session.scalar(
                select(FollowRow).where(
                    *_of(FollowRow, person),  # type: ignore[arg-type]
                    FollowRow.kind == follow.kind,
                    FollowRow.value == follow.value,
                )
            )
        if existing is None:  # pragma: no cover - removed between the two transactions
            return follow, False
        return _follow(existing), False

    @retried
    async def follows(self, person: Person) -> list[Follow]:
        """The person's follows, oldest first."""
        async with self.sessions() as session:
            rows = await session.scalars(
                select(FollowRow)
                .where(*_of(FollowRow, person))  # type: ignore[arg-type]
                .order_by(FollowRow.id)
            )
            return [_follow(row) for row in rows]

    @retried
    async def remove(self, person: Person, ids: Iterable[int]) -> int:
        """Remove the person's follows with these ids (another person's are never touched)."""
        wanted = list(ids)
        if not wanted:
            return 0
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(FollowRow).where(
                    *_of(FollowRow, person),  # type: ignore[arg-type]
                    FollowRow.id.in_(wanted),
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    @retried
    async def everyone(self) -> list[tuple[Person, list[Follow], DmTime]]:
        """Every person with a follow, with their follows and DM time, in a stable order."""
        async with self.sessions() as session:
            rows = (await session.scalars(select(FollowRow).order_by(FollowRow.id))).all()
            times = (await session.scalars(select(FollowPersonRow))).all()
        chosen = {
            (t.platform, t.scope, t.user_id): DmTime(at=t.dm_time, zone=t.timezone) for t in times
        }
        people: dict[Person, list[Follow]] = {}
        for row in rows:
            follow = _follow(row)
            people.setdefault(follow.person, []).append(follow)
        return [
            (p, f, chosen.get((p.platform, p.scope, p.user), DmTime()))
            for p, f in sorted(people.items(), key=lambda item: item[0].label())
        ]

    # DM time

    @retried
    async def dm_time(self, person: Person) -> DmTime:
        async with self.sessions() as session:
            row = await session.scalar(
                select(FollowPersonRow).where(*_of(FollowPersonRow, person))  # type: ignore[arg-type]
            )
            return DmTime(at=row.dm_time, zone=row.timezone) if row else DmTime()

    @retried
    async def set_dm_time(self, person: Person, when: DmTime) -> None:
        await self._set_person(person, dm_time=when.at, timezone=when.zone)

    async def _set_person(self, person: Person, **values: object) -> None:
        """Change the person's row (made with the defaults when absent)."""
        async with self.sessions.begin() as session:
            row = await session.scalar(
                select(FollowPersonRow).where(*_of(FollowPersonRow, person))  # type: ignore[arg-type]
            )
            if row is None:
                row = FollowPersonRow(
                    platform=person.platform,
                    scope=person.scope,
                    user_id=person.user,
                    dm_time=DmTime().at,
                    timezone=DmTime().zone,
                )
                session.add(row)
            for key, value in values.items():
                setattr(row, key, value)

    # The mix of ``/hotpapers me``

    @retried
    async def me_mix(self, person: Person) -> float | None:
        """The mix the person last chose for ``/hotpapers me``; None when never."""
        async with self.sessions() as session:
            return await session.scalar(
                select(FollowPersonRow.me_mix).where(*_of(FollowPersonRow, person))  # type: ignore[arg-type]
            )

    @retried
    async def set_me_mix(self, person: Person, mix: float) -> None:
        await self._set_person(person, me_mix=mix)

    # What was sent

    @retried
    async def sent_papers(self, person: Person) -> set[str]:
        """The ids of the papers already sent (or being sent) to the person."""
        async with self.sessions() as session:
            found = await session.scalars(
                select(FollowSentRow.arxiv_id).where(*_of(FollowSentRow, person))  # type: ignore[arg-type]
            )
            return set(found)

    @retried
    async def messaged(self, day: dt.date) -> set[Person]:
        """The people whose message of ``day`` is claimed, sent or in doubt."""
        async with self.sessions() as session:
            rows = await session.execute(
                select(
                    FollowMessageRow.platform, FollowMessageRow.scope, FollowMessageRow.user_id
                ).where(FollowMessageRow.day == day)
            )
            return {Person(platform=p, scope=s, user=u) for p, s, u in rows}

    @retried
    async def claim(
        self, person: Person, day: dt.date, papers: Sequence[str], *, now: dt.datetime
    ) -> int | None:
        """Claim the person's message of ``day`` with these papers; its row id, or None when
        another process has the day, or one of the papers, already."""
        try:
            async with self.sessions.begin() as session:
                row = FollowMessageRow(
                    platform=person.platform,
                    scope=person.scope,
                    user_id=person.user,
                    day=day,
                    state="sending",
                    message_id="",
                    last_error="",
                    updated_at=now,
                )
                session.add(row)
                await session.flush()
                session.add_all(
                    FollowSentRow(
                        platform=person.platform,
                        scope=person.scope,
                        user_id=person.user,
                        arxiv_id=arxiv_id,
                        message_row=row.id,
                    )
                    for arxiv_id in dict.fromkeys(papers)
                )
                await session.flush()
                return row.id
        except IntegrityError:
            return None

    @retried
    async def sent(self, row_id: int, message_id: str, *, now: dt.datetime) -> None:
        await self._settle(row_id, state="sent", message_id=message_id, updated_at=now)

    @retried
    async def in_doubt(self, row_id: int, error: str, *, now: dt.datetime) -> None:
        """The platform may have taken the message: its papers stay claimed, never re-sent."""
        await self._settle(row_id, state="uncertain", last_error=error[:500], updated_at=now)

    async def _settle(self, row_id: int, **values: object) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                update(FollowMessageRow).where(FollowMessageRow.id == row_id).values(**values)
            )

    @retried
    async def release(self, row_id: int) -> None:
        """Forget a claim whose message certainly did not go out: the next run sends it."""
        async with self.sessions.begin() as session:
            await session.execute(delete(FollowSentRow).where(FollowSentRow.message_row == row_id))
            await session.execute(delete(FollowMessageRow).where(FollowMessageRow.id == row_id))

    @retried
    async def refused(self, row_id: int, error: str, *, now: dt.datetime) -> None:
        """The person cannot be messaged (no DMs taken): the day is not tried again, and its
        papers are not recorded as sent."""
        async with self.sessions.begin() as session:
            await session.execute(delete(FollowSentRow).where(FollowSentRow.message_row == row_id))
            await session.execute(
                update(FollowMessageRow)
                .where(FollowMessageRow.id == row_id)
                .values(state="refused", last_error=error[:500], updated_at=now)
            )

    @retried
    async def messages(self, person: Person) -> list[tuple[dt.date, str, int]]:
        """The person's messages, newest first: (day, state, papers in it)."""
        async with self.sessions() as session:
            rows = (
                await session.scalars(
                    select(FollowMessageRow)
                    .where(*_of(FollowMessageRow, person))  # type: ignore[arg-type]
                    .order_by(FollowMessageRow.day.desc())
                )
            ).all()
            counts: dict[int, int] = {}
            for message_row in await session.scalars(
                select(FollowSentRow.message_row).where(
                    and_(*_of(FollowSentRow, person))  # type: ignore[arg-type]
                )
            ):
                counts[message_row] = counts.get(message_row, 0) + 1
        return [(row.day, row.state, counts.get(row.id, 0)) for row in rows]

    # Forgetting

    @retried
    async def forget(self, person: Person) -> int:
        """Delete everything stored for the person in these tables; how many rows went."""
        removed = 0
        async with self.sessions.begin() as session:
            for table in (FollowRow, FollowPersonRow, FollowMessageRow, FollowSentRow):
                result = await session.execute(
                    delete(table).where(*_of(table, person))  # type: ignore[arg-type]
                )
                removed += int(result.rowcount)  # type: ignore[attr-defined]
        return removed
