"""Readings in the store: every collection's counts with the time they were taken.

One row per (day, paper, source, key, taken_at), where the key is the post URL, the repository
or "" for an aggregate; loading the same snapshot twice adds nothing. The papers of each day are
kept beside them (``papers``), so that views over several days need nothing but the store.
Inserts go in batches; retention is one DELETE per table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.errors import StorageError
from bot.history.readings import Which, reading_key, reading_time
from bot.models import Paper, Post, Signal
from bot.snapshot import Snapshot
from bot.store.ledger import aware
from bot.store.retry import retried
from bot.store.tables import PaperRow, ReadingRow

BATCH = 5_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Recorded:
    """What one snapshot added: readings (new ones only), papers, and the day they belong to."""

    day: dt.date
    readings: int
    papers: int


def _hash(key: str) -> str:
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


def _row(day: dt.date, signal: Signal, taken_at: dt.datetime) -> dict[str, Any]:
    key = reading_key(signal)
    detail: dict[str, Any] = {}
    if signal.post is not None:
        detail["post"] = signal.post.model_dump(mode="json", exclude={"counts"})
        if signal.post.counts != signal.counts:
            detail["post"]["counts"] = signal.post.counts
    if signal.repo_created_at is not None:
        detail["repo_created_at"] = signal.repo_created_at.isoformat()
    if signal.summary is not None:
        detail["summary"] = signal.summary
    return {
        "day": day,
        "arxiv_id": signal.arxiv_id,
        "source": signal.source,
        "key": key,
        "key_hash": _hash(key),
        "taken_at": taken_at.astimezone(dt.UTC),
        "counts": dict(signal.counts),
        "share": signal.share,
        "repo": signal.repo,
        "detail": detail,
    }


def _signal(row: Any) -> Signal:
    detail: dict[str, Any] = row.detail or {}
    post = None
    if "post" in detail:
        post = Post.model_validate({"counts": row.counts, **detail["post"]})
    created = detail.get("repo_created_at")
    return Signal(
        source=row.source,
        arxiv_id=row.arxiv_id,
        counts=row.counts,
        post=post,
        taken_at=aware(row.taken_at),
        share=row.share,
        repo=row.repo,
        repo_created_at=dt.datetime.fromisoformat(created) if created else None,
        summary=detail.get("summary"),
    )


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class Readings:
    """The readings and papers tables, on the store's engine (SQLite or PostgreSQL)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def _insert(self, connection: AsyncConnection, table: type[Any]) -> Any:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        return dialect.insert(table)

    @retried
    async def record(self, snapshot: Snapshot) -> Recorded:
        """Keep a snapshot's papers and every signal as a reading at its own ``taken_at``."""
        if not snapshot.papers and not snapshot.signals:
            return Recorded(day=snapshot.date, readings=0, papers=0)
        papers = {p.arxiv_id: p for p in snapshot.papers}
        rows = (_row(snapshot.date, s, reading_time(s, snapshot)) for s in snapshot.signals)
        try:
            async with self.engine.begin() as connection:
                paper_rows = (
                    {"day": snapshot.date, "arxiv_id": i, "paper": p.model_dump(mode="json")}
                    for i, p in papers.items()
                )
                for batch in _batches(paper_rows, BATCH):
                    insert = self._insert(connection, PaperRow)
                    await connection.execute(
                        insert.on_conflict_do_update(
                            index_elements=["day", "arxiv_id"],
                            set_={"paper": insert.excluded.paper},
                        ),
                        batch,
                    )
                before = await self._count(connection, snapshot.date)
                for batch in _batches(rows, BATCH):
                    await connection.execute(
                        self._insert(connection, ReadingRow).on_conflict_do_nothing(), batch
                    )
                added = await self._count(connection, snapshot.date) - before
        except SQLAlchemyError as exc:
            raise StorageError(f"The readings could not be saved ({type(exc).__name__}).") from exc
        return Recorded(day=snapshot.date, readings=added, papers=len(papers))

    async def _count(self, connection: AsyncConnection, day: dt.date) -> int:
        # Rowcounts of executemany with ON CONFLICT are not reliable across drivers: count.
        found = await connection.scalar(
            select(func.count()).select_from(ReadingRow).where(ReadingRow.day == day)
        )
        return int(found or 0)

    @retried
    async def prune(self, keep_days: int) -> list[dt.date]:
        """Forget the days more than ``keep_days`` before the latest stored day (0 keeps all);
        returns the days forgotten."""
        if keep_days <= 0:
            return []
        async with self.engine.begin() as connection:
            latest = await connection.scalar(select(func.max(PaperRow.day)))
            newest_reading = await connection.scalar(select(func.max(ReadingRow.day)))
            latest = max((d for d in (latest, newest_reading) if d is not None), default=None)
            if latest is None:
                return []
            cutoff = latest - dt.timedelta(days=keep_days)
            gone = set(
                (
                    await connection.scalars(
                        select(PaperRow.day).where(PaperRow.day < cutoff).distinct()
                    )
                ).all()
            )
            gone |= set(
                (
                    await connection.scalars(
                        select(ReadingRow.day).where(ReadingRow.day < cutoff).distinct()
                    )
                ).all()
            )
            await connection.execute(delete(ReadingRow).where(ReadingRow.day < cutoff))
            await connection.execute(delete(PaperRow).where(PaperRow.day < cutoff))
        return sorted(gone)

    @retried
    async def days(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[dt.date]:
        query = select(PaperRow.day).distinct().order_by(PaperRow.day)
        if since is not None:
            query = query.where(PaperRow.day >= since)
        if until is not None:
            query = query.where(PaperRow.day <= until)
        async with self.engine.connect() as connection:
            return list((await connection.scalars(query)).all())

    @retried
    async def papers(self, days: Sequence[dt.date]) -> list[Paper]:
        query = (
            select(PaperRow.paper)
            .where(PaperRow.day.in_(list(days)))
            .order_by(PaperRow.day, PaperRow.arxiv_id)
        )
        async with self.engine.connect() as connection:
            rows = (await connection.scalars(query)).all()
        latest = {}
        for data in rows:
            paper = Paper.model_validate(data)
            latest[paper.arxiv_id] = paper
        return list(latest.values())

    @retried
    async def signals(self, days: Sequence[dt.date], *, which: Which = "all") -> list[Signal]:
        wanted = ReadingRow.day.in_(list(days))
        query: Select[Any]
        if which == "all":
            query = select(ReadingRow).where(wanted)
        else:
            pick = func.min if which == "earliest" else func.max
            moment = (
                select(
                    ReadingRow.day,
                    ReadingRow.arxiv_id,
                    ReadingRow.source,
                    ReadingRow.key_hash,
                    pick(ReadingRow.taken_at).label("taken_at"),
                )
                .where(wanted)
                .group_by(
                    ReadingRow.day, ReadingRow.arxiv_id, ReadingRow.source, ReadingRow.key_hash
                )
                .subquery()
            )
            query = select(ReadingRow).join(
                moment,
                and_(
                    ReadingRow.day == moment.c.day,
                    ReadingRow.arxiv_id == moment.c.arxiv_id,
                    ReadingRow.source == moment.c.source,
                    ReadingRow.key_hash == moment.c.key_hash,
                    ReadingRow.taken_at == moment.c.taken_at,
                ),
            )
        query = query.order_by(ReadingRow.day, ReadingRow.taken_at, ReadingRow.id)
        async with self.engine.connect() as connection:
            return [_signal(row) for row in (await connection.execute(query)).all()]

    @retried
    async def earliest_stars(
        self, repos: Iterable[str] | None = None, *, before: dt.datetime | None = None
    ) -> dict[str, tuple[int, dt.datetime]]:
        """The first reading of each repository's stars: repo → (stars, taken_at); only
        readings taken before ``before`` when given (the earlier readings of a new snapshot)."""
        first = select(ReadingRow.repo, func.min(ReadingRow.taken_at).label("taken_at")).where(
            ReadingRow.repo.is_not(None)
        )
        if repos is not None:
            first = first.where(ReadingRow.repo.in_(list(repos)))
        if before is not None:
            first = first.where(ReadingRow.taken_at < before.astimezone(dt.UTC))
        moment = first.group_by(ReadingRow.repo).subquery()
        query = select(ReadingRow.repo, ReadingRow.counts, ReadingRow.taken_at).join(
            moment,
            and_(ReadingRow.repo == moment.c.repo, ReadingRow.taken_at == moment.c.taken_at),
        )
        found: dict[str, tuple[int, dt.datetime]] = {}
        async with self.engine.connect() as connection:
            for repo, counts, taken_at in (await connection.execute(query)).all():
                stars = counts.get("stars", counts.get("github_stars"))
                if repo is not None and isinstance(stars, int) and repo not in found:
                    found[repo] = (stars, aware(taken_at))
        return found

    @retried
    async def snapshot(self, day: dt.date) -> Snapshot | None:
        """The stored day as a snapshot with the latest reading of each signal; None if absent."""
        papers = await self.papers([day])
        if not papers:
            return None
        signals = await self.signals([day], which="latest")
        taken = [s.taken_at for s in signals if s.taken_at is not None]
        return Snapshot(
            date=day,
            papers=tuple(papers),
            signals=tuple(signals),
            sources_used=tuple(sorted({s.source for s in signals})),
            taken_at=max(taken) if taken else None,
            origin="store",
        )
