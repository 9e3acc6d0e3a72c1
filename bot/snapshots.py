"""Where digests get their input: a fixed snapshot (``--sample``, ``--snapshot``) or live.

The live provider keeps every collected day in the store, so that each (date, categories) is
collected once and shared by the slash command and every subscription that asks for it, and
records each collection's counts as readings (``bot.history``). A past day that was never
collected is backfilled: its papers from arXiv's search API, its signals from the sources that
can search back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence

from bot.arxiv import feed_categories
from bot.cache import utcnow
from bot.errors import FeedError
from bot.history.readings import with_star_baseline
from bot.schedule import announcement_date
from bot.snapshot import Snapshot, dumps, loads
from bot.store import SqlStore

Collect = Callable[[Sequence[str]], Awaitable[Snapshot]]
Backfill = Callable[[dt.date, Sequence[str]], Awaitable[Snapshot]]


class FixedSnapshot:
    """One snapshot, served for its own day (and as "the latest")."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.fixed = snapshot

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        if day is not None and day != self.fixed.date:
            raise FeedError(
                f"only the papers of {self.fixed.date} are loaded (a snapshot), not those of {day}"
            )
        return self.fixed


class LiveSnapshots:
    """Snapshots from the store when fresh enough, else collected live and stored."""

    def __init__(
        self,
        store: SqlStore,
        collect: Collect,
        *,
        archives: Iterable[str],
        ttl: dt.timedelta,
        clock: Callable[[], dt.datetime] = utcnow,
        backfill: Backfill | None = None,
        retention_days: int = 0,
        snapshot_retention_days: int = 0,
    ) -> None:
        self.store = store
        self.collect = collect
        self.archives = tuple(archives)
        self.ttl = ttl
        self.clock = clock
        self.backfill = backfill
        self.retention_days = retention_days
        self.snapshot_retention_days = snapshot_retention_days

    async def _keep(self, snapshot: Snapshot, scope: str, now: dt.datetime) -> None:
        """Store the snapshot for its day and scope, and its counts as readings."""
        await self.store.save_snapshot(
            snapshot.date, scope, dumps(snapshot), taken_at=snapshot.taken_at or now
        )
        await self.store.readings.record(snapshot)
        await self.store.readings.prune(self.retention_days)
        await self.store.prune_snapshots(self.snapshot_retention_days, now=now)

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        now = self.clock()
        wanted = day or announcement_date(now)
        feed = feed_categories(categories, self.archives)
        scope = "all" if len(feed) == len(self.archives) else "+".join(feed)
        body = await self.store.load_snapshot(wanted, scope)
        saved = loads(body, name="a stored snapshot") if body is not None else None
        if saved is not None:
            fresh = saved.taken_at is not None and now - saved.taken_at < self.ttl
            if fresh or wanted < announcement_date(now):
                return saved
        if saved is None and wanted < announcement_date(now):
            # The feed serves only the latest announcement: an earlier day comes from the
            # readings kept of it, or is backfilled.
            held = await self.store.readings.snapshot(wanted)
            if held is not None:
                return await with_star_baseline(self.store.readings, held)
            if self.backfill is not None:
                past = await with_star_baseline(
                    self.store.readings, await self.backfill(wanted, feed)
                )
                await self._keep(past, scope, now)
                return past
        snapshot = await with_star_baseline(self.store.readings, await self.collect(feed))
        await self._keep(snapshot, scope, now)
        if snapshot.date == wanted:
            return snapshot
        if saved is not None:
            return saved  # the feed moved on (or is empty for the weekend): the saved day stands
        if snapshot.date < wanted:
            return None  # arXiv's feed has not caught up yet
        raise FeedError(
            f"arXiv's feed has moved on to {snapshot.date}; the papers of {wanted} were not saved"
        )
