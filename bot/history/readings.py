"""What a reading is, and what a store of readings answers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

from bot.models import Paper, Signal
from bot.snapshot import Snapshot

Which = Literal["all", "earliest", "latest"]
DAY_END = dt.time(23, 59, 59, tzinfo=dt.UTC)


def reading_key(signal: Signal) -> str:
    """What a signal is a reading of, within its source and paper: a post, a repository, or
    the aggregate ("")."""
    if signal.post is not None:
        return signal.post.url
    return signal.repo or ""


def reading_time(signal: Signal, snapshot: Snapshot) -> dt.datetime:
    """When a signal's counts were read: its own time, else the snapshot's, else the end of
    the announcement day (an imported post that says nothing about time)."""
    return signal.taken_at or snapshot.taken_at or dt.datetime.combine(snapshot.date, DAY_END)


class StarHistory(Protocol):
    """The earliest reading of each repository's stars, before a moment."""

    async def earliest_stars(
        self, repos: Iterable[str] | None = None, *, before: dt.datetime | None = None
    ) -> dict[str, tuple[int, dt.datetime]]: ...


class ReadingStore(StarHistory, Protocol):
    """The readings kept across days (``bot.store.readings.Readings``; tests use the real one)."""

    async def days(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> list[dt.date]:
        """The stored announcement days in ``[since, until]``, oldest first."""
        ...

    async def papers(self, days: Sequence[dt.date]) -> list[Paper]:
        """The papers of those days (a paper announced twice: its latest day)."""
        ...

    async def signals(self, days: Sequence[dt.date], *, which: Which = "all") -> list[Signal]:
        """Readings of those days as signals with their ``taken_at``: every one, or only the
        earliest or the latest of each (source, paper, key)."""
        ...


async def with_star_baseline(history: StarHistory, snapshot: Snapshot) -> Snapshot:
    """The snapshot with the earlier star readings of its repositories, taken before it was."""
    repos = {s.repo for s in snapshot.signals if s.repo}
    if not repos:
        return snapshot
    found = await history.earliest_stars(repos, before=snapshot.taken_at)
    return snapshot.model_copy(update={"stars_before": found}) if found else snapshot
