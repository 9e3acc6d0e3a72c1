"""Feedback in the store: likes, dislikes, saves and reactions per channel and person, and a
channel's imported interests.

One row per (channel, user, paper, kind, emoji): giving the same feedback twice keeps one, and
a removed reaction is removed. A like and a dislike of the same person on the same paper
exclude each other: the later one stays. Everything of one platform user can be forgotten.

Which papers each posted chat message carries (``posted``, ``carried``) is kept too, so that
a reaction on a message can be tied to its paper (``bot.feedback.actions.reacted_paper``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.feedback import Channel, Feedback, Interest, Kind, Tally
from bot.models import Paper
from bot.store.batch import Batch
from bot.store.ledger import aware
from bot.store.retry import retried
from bot.store.tables import FeedbackRow, InterestRow, PaperRow, PostedPaperRow

# A like undoes a dislike of the same person on the same paper, and the other way round.
_OPPOSITE: dict[str, str] = {"like": "dislike", "dislike": "like"}


def _feedback(row: Any) -> Feedback:
    kind: Kind = row.kind
    return Feedback(
        platform=row.platform,
        scope=row.scope,
        channel=row.channel,
        user=row.user_id,
        arxiv_id=row.arxiv_id,
        kind=kind,
        emoji=row.emoji,
        at=aware(row.at),
    )


def _in(channel: Channel) -> list[ColumnElement[bool]]:
    """The rows of a channel; a channel named without its scope matches it in any scope."""
    found = [FeedbackRow.platform == channel.platform, FeedbackRow.channel == channel.channel]
    if channel.scope:
        found.append(FeedbackRow.scope == channel.scope)
    return found


def _same(item: Feedback) -> list[ColumnElement[bool]]:
    return [
        FeedbackRow.platform == item.platform,
        FeedbackRow.channel == item.channel,
        FeedbackRow.scope == item.scope,
        FeedbackRow.user_id == item.user,
        FeedbackRow.arxiv_id == item.arxiv_id,
    ]


@dataclass(frozen=True, slots=True, kw_only=True)
class _Carried:
    """The papers of one posted message (``FeedbackStore.posted``), waiting for their
    transaction."""

    where: Channel
    message_id: str
    papers: frozenset[tuple[int, str]]
    at: dt.datetime
    home: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.where.platform, self.where.channel, self.message_id)


class FeedbackStore:
    """The feedback table, on the store's engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._carried: Batch[_Carried, int] | None = None

    async def _new(self, connection: AsyncConnection, table: type[Any], **values: Any) -> int:
        """Insert one row unless its unique key is taken; 1 when it was added, else 0."""
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        result = await connection.execute(
            dialect.insert(table)
            .values(**values)
            .on_conflict_do_nothing()
            # Rowcounts of ON CONFLICT inserts differ across drivers; a returned id is a row.
            .returning(table.id)
        )
        return len(result.all())

    @retried
    async def add(self, items: Iterable[Feedback]) -> int:
        """Keep each piece of feedback once; returns how many were new."""
        added = 0
        async with self.engine.begin() as connection:
            for item in items:
                opposite = _OPPOSITE.get(item.kind)
                if opposite is not None:
                    await connection.execute(
                        delete(FeedbackRow).where(*_same(item), FeedbackRow.kind == opposite)
                    )
                added += await self._new(
                    connection,
                    FeedbackRow,
                    platform=item.platform,
                    channel=item.channel,
                    scope=item.scope,
                    user_id=item.user,
                    arxiv_id=item.arxiv_id,
                    kind=item.kind,
                    emoji=item.emoji,
                    at=item.at.astimezone(dt.UTC),
                )
        return added

    @retried
    async def remove(self, items: Iterable[Feedback]) -> int:
        """Take feedback back (a reaction removed, a 👍 pressed again); returns how many were
        held. ``at`` does not matter: the same person's same word on the same paper goes."""
        removed = 0
        async with self.engine.begin() as connection:
            for item in items:
                result = await connection.execute(
                    delete(FeedbackRow).where(
                        *_same(item), FeedbackRow.kind == item.kind, FeedbackRow.emoji == item.emoji
                    )
                )
                removed += max(result.rowcount, 0)
        return removed

    @retried
    async def of_channel(
        self,
        channel: Channel,
        *,
        kinds: Sequence[Kind] | None = None,
        since: dt.datetime | None = None,
    ) -> list[Feedback]:
        """A channel's feedback, everyone's, oldest first; only ``kinds`` and from ``since``
        when given."""
        query = select(FeedbackRow).where(*_in(channel))
        if kinds is not None:
            query = query.where(FeedbackRow.kind.in_(list(kinds)))
        if since is not None:
            query = query.where(FeedbackRow.at >= since.astimezone(dt.UTC))
        async with self.engine.connect() as connection:
            rows = await connection.execute(query.order_by(FeedbackRow.at, FeedbackRow.id))
            return [_feedback(row) for row in rows.all()]

    @retried
    async def of_user(self, platform: str, user: str, *, scope: str = "") -> list[Feedback]:
        """One person's feedback in every channel, oldest first (their own model, ``forget``)."""
        query = select(FeedbackRow).where(
            FeedbackRow.platform == platform, FeedbackRow.user_id == user
        )
        if scope:
            query = query.where(FeedbackRow.scope == scope)
        async with self.engine.connect() as connection:
            rows = await connection.execute(query.order_by(FeedbackRow.at, FeedbackRow.id))
            return [_feedback(row) for row in rows.all()]

    @retried
    async def tallies(
        self, channel: Channel, *, since: dt.datetime, until: dt.datetime
    ) -> list[Tally]:
        """Each paper's likes, dislikes, saves and reactions in a channel from ``since`` to
        before ``until``, most picked (likes + saves) first, then most reacted to, then id:
        "lab picks" for a week or a month."""
        query = (
            select(FeedbackRow.arxiv_id, FeedbackRow.kind, func.count())
            .where(
                *_in(channel),
                FeedbackRow.at >= since.astimezone(dt.UTC),
                FeedbackRow.at < until.astimezone(dt.UTC),
            )
            .group_by(FeedbackRow.arxiv_id, FeedbackRow.kind)
        )
        counts: dict[str, dict[str, int]] = {}
        async with self.engine.connect() as connection:
            for arxiv_id, kind, count in (await connection.execute(query)).all():
                counts.setdefault(arxiv_id, {})[kind] = int(count)
        tallies = [
            Tally(
                arxiv_id=arxiv_id,
                likes=found.get("like", 0),
                dislikes=found.get("dislike", 0),
                saves=found.get("save", 0),
                reactions=found.get("reaction", 0),
            )
            for arxiv_id, found in counts.items()
        ]
        return sorted(tallies, key=lambda t: (-t.picked, -t.reactions, t.dislikes, t.arxiv_id))

    @retried
    async def forget(self, platform: str, user: str, *, scope: str = "") -> int:
        """Delete everything one platform user gave (``/hotpapers forget me``); returns how
        many rows went. A channel's own imported feedback (user "") is never a user's."""
        if not user:
            return 0
        query = delete(FeedbackRow).where(
            FeedbackRow.platform == platform, FeedbackRow.user_id == user
        )
        if scope:
            query = query.where(FeedbackRow.scope == scope)
        async with self.engine.begin() as connection:
            return max((await connection.execute(query)).rowcount, 0)

    @retried
    async def heard(self, channels: Iterable[Channel]) -> set[tuple[str, str]]:
        """Which of ``channels`` (as (platform, channel id), in any scope) have any feedback or
        imported interests: two queries for a whole run's channels, so that the silent ones —
        most of them — need no read of their own."""
        wanted: dict[str, set[str]] = {}
        for channel in channels:
            wanted.setdefault(channel.platform, set()).add(channel.channel)
        found: set[tuple[str, str]] = set()
        async with self.engine.connect() as connection:
            for table in (FeedbackRow, InterestRow):
                for platform, ids in wanted.items():
                    names = sorted(ids)
                    for start in range(0, len(names), 1000):
                        query = (
                            select(table.channel)
                            .where(
                                table.platform == platform,
                                table.channel.in_(names[start : start + 1000]),
                            )
                            .distinct()
                        )
                        found.update((platform, c) for c in (await connection.scalars(query)))
        return found

    # Imported interests

    @retried
    async def add_interests(
        self, channel: Channel, items: Iterable[Interest], *, at: dt.datetime
    ) -> int:
        """Keep a channel's imported interests, each key once (an entry imported again keeps
        its first text); returns how many were new."""
        added = 0
        async with self.engine.begin() as connection:
            for item in items:
                added += await self._new(
                    connection,
                    InterestRow,
                    platform=channel.platform,
                    channel=channel.channel,
                    scope=channel.scope,
                    key=item.key,
                    arxiv_id=item.arxiv_id,
                    title=item.title,
                    text=item.text,
                    at=at.astimezone(dt.UTC),
                )
        return added

    @retried
    async def interests(self, channel: Channel) -> list[Interest]:
        """A channel's imported interests, in the order they were imported."""
        where = [InterestRow.platform == channel.platform, InterestRow.channel == channel.channel]
        if channel.scope:
            where.append(InterestRow.scope == channel.scope)
        query = select(InterestRow).where(*where).order_by(InterestRow.id)
        async with self.engine.connect() as connection:
            return [
                Interest(key=row.key, arxiv_id=row.arxiv_id, title=row.title, text=row.text)
                for row in (await connection.execute(query)).all()
            ]

    @retried
    async def papers(self, ids: Iterable[str]) -> dict[str, Paper]:
        """The stored papers of these ids (as last announced), the texts feedback is about."""
        wanted = sorted(set(ids))
        found: dict[str, Paper] = {}
        async with self.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                query = (
                    select(PaperRow.paper)
                    .where(PaperRow.arxiv_id.in_(wanted[start : start + 500]))
                    .order_by(PaperRow.day)
                )
                for data in (await connection.scalars(query)).all():
                    paper = Paper.model_validate(data)
                    found[paper.arxiv_id] = paper
        return found

    # Posted messages and the papers they carry

    @retried
    async def posted(
        self,
        where: Channel,
        message_id: str,
        papers: Iterable[tuple[int, str]],
        *,
        at: dt.datetime,
        home: str = "",
    ) -> int:
        """Remember that a message (``message_id`` "": a whole thread) in ``where`` carries
        these (rank, arXiv id), and no others (a refreshed message may carry new ones);
        feedback given there counts in ``home`` ("": ``where``). Returns how many were new.
        The messages of concurrent posts are kept in one transaction (``Batch``)."""
        if self._carried is None:
            self._carried = Batch(self._keep_carried)
        return await self._carried.submit(
            _Carried(where=where, message_id=message_id, papers=frozenset(papers), at=at, home=home)
        )

    async def _keep_carried(self, messages: Sequence[_Carried]) -> list[int]:
        """Several messages' papers in one transaction: their old rows out, the new ones in
        (one statement each); how many were new for each message."""
        if len({m.key for m in messages}) < len(messages):  # one message twice: one at a time
            return [n for m in messages for n in await self._keep_carried([m])]
        async with self.engine.begin() as connection:
            gone = await connection.execute(
                delete(PostedPaperRow)
                .where(
                    tuple_(
                        PostedPaperRow.platform, PostedPaperRow.channel, PostedPaperRow.message_id
                    ).in_([m.key for m in messages])
                )
                .returning(
                    PostedPaperRow.platform,
                    PostedPaperRow.channel,
                    PostedPaperRow.message_id,
                    PostedPaperRow.position,
                    PostedPaperRow.arxiv_id,
                )
            )
            before: dict[tuple[str, str, str], set[tuple[int, str]]] = {}
            for row in gone.all():
                before.setdefault((row.platform, row.channel, row.message_id), set()).add(
                    (row.position, row.arxiv_id)
                )
            rows = [
                {
                    "platform": m.where.platform,
                    "channel": m.where.channel,
                    "message_id": m.message_id,
                    "position": position,
                    "arxiv_id": arxiv_id,
                    "scope": m.where.scope,
                    "home": m.home,
                    "at": m.at.astimezone(dt.UTC),
                }
                for m in messages
                for position, arxiv_id in sorted(m.papers)
            ]
            if rows:
                dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
                table = cast(Table, PostedPaperRow.__table__)
                await connection.execute(dialect.insert(table).on_conflict_do_nothing(), rows)
        return [len(m.papers - before.get(m.key, set())) for m in messages]

    @retried
    async def prune_posted(self, keep_days: int, *, now: dt.datetime) -> int:
        """Forget which papers the messages posted more than ``keep_days`` before ``now``
        carried (0 keeps all): a reaction on such an old post no longer counts. Returns how
        many rows went."""
        if keep_days <= 0:
            return 0
        cutoff = (now - dt.timedelta(days=keep_days)).astimezone(dt.UTC)
        async with self.engine.begin() as connection:
            gone = await connection.execute(
                delete(PostedPaperRow).where(PostedPaperRow.at < cutoff)
            )
            return max(gone.rowcount, 0)

    @retried
    async def carried(self, where: Channel, message_id: str) -> tuple[list[tuple[int, str]], str]:
        """The (rank, arXiv id) a message carries, and the channel its feedback counts in;
        for a message we never posted, those of its thread when it is a paper's (``where``
        being the thread), else nothing."""
        base = [PostedPaperRow.platform == where.platform, PostedPaperRow.channel == where.channel]
        async with self.engine.connect() as connection:
            for message in (message_id, ""):
                rows = (
                    await connection.execute(
                        select(
                            PostedPaperRow.position, PostedPaperRow.arxiv_id, PostedPaperRow.home
                        )
                        .where(*base, PostedPaperRow.message_id == message)
                        .order_by(PostedPaperRow.position)
                    )
                ).all()
                if rows:
                    return [(r.position, r.arxiv_id) for r in rows], rows[0].home or where.channel
        return [], where.channel
