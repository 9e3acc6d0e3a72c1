"""Digests on demand (``/hotpapers``): computed off the event loop, cached, computed once.

A command asks for a day's snapshot and a set of filters. The snapshot of a (day, categories)
is fetched once while it is being fetched and kept for the TTL; the snapshot is tallied once
(every signal of the whole day added up and placed on its source's distribution, in a worker
thread: ranking is pure), and each filter set's digest is ranked from that tally once and kept
for the TTL. Concurrent commands that ask for the same thing await
the same computation (single flight), and the event loop stays free to acknowledge new
commands and answer ``/healthz``.

Scores stay comparable to the unfiltered day's: each source's transform is computed on the
whole day's distribution. Filters act before the ranking: a filter set scores and orders only
the papers its categories and keywords keep, and makes only the ``top`` it shows.

Scheduled posts take the same path (``for_subscription``): a subscription's digest is keyed by
``subscription_key`` (the date, the subscription's filters, cadence and lag, and the ranking
settings), computed once while asked for, and — given a shelf — kept in the store for
``shelf_ttl``, so that a later run or another process within it reuses it instead of ranking.
Processes that miss the shelf at the same moment compute it once too: the one that claims the
key's lease in the store computes it (renewing the lease meanwhile), the others poll the shelf
with a growing pause, holding no connection while they wait, and take the lease over when it
expires (its holder died); after ``wait_limit`` a waiter computes the digest itself.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, Protocol, TypeVar

from pydantic import ValidationError

from bot.cache import utcnow
from bot.cadence import StoredDays, filters_of, subscription_digest
from bot.engine import digest_of, tally_snapshot
from bot.errors import StorageError
from bot.models import Digest, Filters
from bot.ports import SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR, Tally
from bot.snapshot import Snapshot
from bot.subscriptions import Subscription

T = TypeVar("T")
log = logging.getLogger("hotpapers.digests")


class Offload(Protocol):
    """Where pure CPU work runs: a worker thread by default; inline in some tests."""

    def __call__(self, work: Callable[[], T], /) -> Awaitable[T]: ...


class Shelf(Protocol):
    """Where computed digests are kept for every process (``bot.store.shelf.DigestShelf``), and
    the lease of the one process computing a key's digest."""

    async def load(self, key: str, *, now: dt.datetime) -> str | None: ...

    async def save(self, key: str, body: str, *, now: dt.datetime, ttl: dt.timedelta) -> None: ...

    async def claim(
        self, key: str, *, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> bool: ...

    async def renew(
        self, key: str, *, owner: str, now: dt.datetime, lease: dt.timedelta
    ) -> bool: ...

    async def release(self, key: str, *, owner: str) -> None: ...


DIGEST_TTL = dt.timedelta(minutes=5)
MAX_DIGESTS = 512  # filter sets kept (a digest of ten papers is a few tens of kB)
MAX_RANKINGS = 4  # tallied days kept (a 10,000-paper, 100,000-signal day is 10-15 MB)
MAX_SNAPSHOTS = 8
# A process that dies computing a shelved digest holds the others up this long at most; a live
# one renews its lease every third of it.
DIGEST_LEASE = dt.timedelta(seconds=30)
WAIT_LIMIT = dt.timedelta(minutes=2)  # then a waiter computes the digest itself
FIRST_PAUSE_S, LONGEST_PAUSE_S = 0.05, 1.0  # between a waiter's looks at the shelf


# One worker: Python runs one thread at a time, so more workers would not rank faster, and
# each would take its turns from the event loop (acknowledgements, /healthz) as well.
_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotpapers-rank")


async def in_thread(work: Callable[[], T]) -> T:
    """Run pure CPU work in the ranking worker thread, so that the event loop keeps answering."""
    return await asyncio.get_running_loop().run_in_executor(_worker, work)


class Flights(Generic[T]):
    """Values by key, computed once while asked for concurrently, and kept for ``ttl``.

    A failed computation is not kept (the next ask tries again), nor is a ``None`` result
    (nothing to show yet). At most ``size`` values are kept, the least recently used leave first.
    A caller that is cancelled does not cancel the computation that others await.
    """

    def __init__(
        self, *, ttl: dt.timedelta, size: int, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.ttl = ttl
        self.size = size
        self.clock = clock
        self._kept: OrderedDict[Hashable, tuple[dt.datetime, T]] = OrderedDict()
        self._running: dict[Hashable, asyncio.Future[T]] = {}
        self.computed = 0

    def __len__(self) -> int:
        return len(self._kept)

    async def get(self, key: Hashable, make: Callable[[], Awaitable[T]]) -> T:
        kept = self._kept.get(key)
        if kept is not None:
            if self.clock() - kept[0] < self.ttl:
                self._kept.move_to_end(key)
                return kept[1]
            del self._kept[key]
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(make())
            self._running[key] = running
            self.computed += 1
            running.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(running)

    def _finished(self, key: Hashable, done: asyncio.Future[T]) -> None:
        self._running.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return  # the exception is raised to the callers awaiting it; nothing is kept
        value = done.result()
        if value is None:
            return
        self._kept[key] = (self.clock(), value)
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)


def _ranking_key(snapshot: Snapshot, categories: tuple[str, ...]) -> Hashable:
    return (
        snapshot.date,
        categories,
        snapshot.origin,
        snapshot.taken_at,
        len(snapshot.papers),
        len(snapshot.signals),
    )


def subscription_key(
    sub: Subscription,
    day: dt.date,
    *,
    weights: Mapping[str, float] | None,
    max_post_share: float,
    rank_prior: float,
    scope: str = "",
    blended: bool = False,
) -> str:
    """The one key of the digest ``sub`` posts for ``day``: every subscription that asks for the
    same thing shares it. Its parts are the date, the subscription's filters (all of
    ``filters_of``: a filter added there is in the key), cadence and lag, the ranking settings,
    and ``scope`` (where the snapshots come from: live, or a fixed file)."""
    parts = {
        "day": day.isoformat(),
        "filters": filters_of(sub, blended=blended).model_dump(mode="json"),
        "cadence": sub.cadence,
        "lag": sub.lag,
        "weights": sorted((weights or {}).items()),
        "max_post_share": max_post_share,
        "rank_prior": rank_prior,
        "scope": scope,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class DigestService:
    """Snapshots and digests for commands, cached per (day, categories, filters) for ``ttl``."""

    def __init__(
        self,
        snapshots: SnapshotProvider,
        *,
        ttl: dt.timedelta = DIGEST_TTL,
        clock: Callable[[], dt.datetime] = utcnow,
        weights: Mapping[str, float] | None = None,
        max_post_share: float = MAX_POST_SHARE,
        rank_prior: float = RANK_PRIOR,
        offload: Offload = in_thread,
        readings: StoredDays | None = None,
        shelf: Shelf | None = None,
        shelf_ttl: dt.timedelta = dt.timedelta(0),
        scope: str = "",
        lease: dt.timedelta = DIGEST_LEASE,
        wait_limit: dt.timedelta = WAIT_LIMIT,
        owner: str | None = None,
    ) -> None:
        self.snapshots = snapshots
        self.clock = clock
        self.readings = readings
        self.shelf = shelf
        self.shelf_ttl = shelf_ttl
        self.scope = scope
        self.lease = lease
        self.wait_limit = wait_limit
        self.owner = owner or uuid.uuid4().hex[:16]  # whose lease it is, in the store
        self.computed = 0  # subscription digests computed here (not found on the shelf)
        self.weights = weights
        self.max_post_share = max_post_share
        self.rank_prior = rank_prior
        self.offload = offload
        self._snapshots: Flights[Snapshot | None] = Flights(
            ttl=ttl, size=MAX_SNAPSHOTS, clock=clock
        )
        self.rankings: Flights[Tally] = Flights(ttl=ttl, size=MAX_RANKINGS, clock=clock)
        self.digests: Flights[Digest] = Flights(ttl=ttl, size=MAX_DIGESTS, clock=clock)
        self._subscribed: Flights[Digest | None] = Flights(ttl=ttl, size=MAX_DIGESTS, clock=clock)

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        """The provider's snapshot of (day, categories), asked once while it is being fetched."""
        wanted = tuple(categories)
        return await self._snapshots.get(
            (day, wanted), lambda: self.snapshots.snapshot(day, wanted)
        )

    async def digest(
        self,
        snapshot: Snapshot,
        filters: Filters,
        *,
        generated_at: dt.datetime,
        categories: Sequence[str] = (),
    ) -> Digest:
        """The digest of ``snapshot`` under ``filters``; ``categories`` the snapshot's scope.

        A cached digest keeps the time it was first generated at.
        """
        key = _ranking_key(snapshot, tuple(categories))
        return await self.digests.get(
            (key, filters), lambda: self._digest(key, snapshot, filters, generated_at)
        )

    async def _digest(
        self, key: Hashable, snapshot: Snapshot, filters: Filters, generated_at: dt.datetime
    ) -> Digest:
        day = await self.rankings.get(key, lambda: self._tally(snapshot))
        return await self.offload(
            lambda: digest_of(snapshot, day, filters, generated_at=generated_at)
        )

    async def _tally(self, snapshot: Snapshot) -> Tally:
        return await self.offload(
            lambda: tally_snapshot(
                snapshot,
                weights=self.weights,
                max_post_share=self.max_post_share,
                rank_prior=self.rank_prior,
            )
        )

    async def for_subscription(
        self,
        sub: Subscription,
        day: dt.date,
        *,
        generated_at: dt.datetime,
        blended: bool = False,
    ) -> Digest | None:
        """The digest ``sub`` posts for ``day`` (None while that day is not available): from
        this process's flights, else from the shelf, else computed once (by the one process holding
        its lease, while the others wait for the shelf) and shelved.
        ``blended``: every paper passing its filters, the candidates of a channel's blend
        (shared by every subscription with the same filters; the blend itself is the
        channel's own)."""
        key = subscription_key(
            sub,
            day,
            weights=self.weights,
            max_post_share=self.max_post_share,
            rank_prior=self.rank_prior,
            scope=self.scope,
            blended=blended,
        )
        return await self._subscribed.get(
            key, lambda: self._shelved(key, sub, day, generated_at, blended)
        )

    async def _shelved(
        self,
        key: str,
        sub: Subscription,
        day: dt.date,
        generated_at: dt.datetime,
        blended: bool = False,
    ) -> Digest | None:
        if self.shelf is None or self.shelf_ttl <= dt.timedelta(0):
            return await self._computed(sub, day, generated_at, blended)
        shelf = self.shelf
        loop = asyncio.get_running_loop()
        give_up_at = loop.time() + self.wait_limit.total_seconds()
        pause = FIRST_PAUSE_S
        while (found := await self._from_shelf(shelf, key)) is None:
            if await shelf.claim(key, owner=self.owner, now=self.clock(), lease=self.lease):
                # Saved by its last holder between our look and our claim: not computed again.
                if (found := await self._from_shelf(shelf, key)) is not None:
                    await self._release(shelf, key)
                    return found
                return await self._leased(shelf, key, sub, day, generated_at, blended)
            if loop.time() >= give_up_at:
                log.warning(
                    "a digest computed elsewhere is still not shelved after %s; computed here too",
                    self.wait_limit,
                )
                return await self._shelve(
                    shelf, key, await self._computed(sub, day, generated_at, blended)
                )
            await asyncio.sleep(pause)
            pause = min(2 * pause, LONGEST_PAUSE_S)
        return found

    async def _from_shelf(self, shelf: Shelf, key: str) -> Digest | None:
        body = await shelf.load(key, now=self.clock())
        if body is None:
            return None
        try:
            return Digest.model_validate_json(body)
        except ValidationError:
            log.info("a shelved digest of another version is computed again")
            return None

    async def _leased(
        self,
        shelf: Shelf,
        key: str,
        sub: Subscription,
        day: dt.date,
        generated_at: dt.datetime,
        blended: bool,
    ) -> Digest | None:
        """Compute the digest of ``key`` while holding its lease, and shelve it; the lease goes
        with the save, or at once when there is nothing to save."""
        done = asyncio.Event()
        renewing = asyncio.create_task(self._renew(shelf, key, done))
        try:
            digest = await self._computed(sub, day, generated_at, blended)
        except Exception:
            await self._release(shelf, key)
            raise
        finally:
            done.set()
            await renewing
        if digest is None:
            await self._release(shelf, key)
            return None
        return await self._shelve(shelf, key, digest)

    async def _release(self, shelf: Shelf, key: str) -> None:
        """Let the next asker compute the digest of ``key`` at once, or, failing that, when the
        lease expires: what this one was doing goes on either way."""
        try:
            await shelf.release(key, owner=self.owner)
        except StorageError as exc:
            log.warning("the lease of a digest was left to expire (%s)", exc)

    async def _renew(self, shelf: Shelf, key: str, done: asyncio.Event) -> None:
        """Keep the lease of ``key`` until ``done``: a slow computation is not taken over."""
        every = self.lease.total_seconds() / 3
        while True:
            try:
                await asyncio.wait_for(done.wait(), every)
                return
            except TimeoutError:
                pass
            try:
                held = await shelf.renew(key, owner=self.owner, now=self.clock(), lease=self.lease)
            except StorageError as exc:
                log.warning("the lease of a digest being computed was not renewed (%s)", exc)
                return
            if not held:
                log.warning("the lease of a digest being computed was taken over")
                return

    async def _computed(
        self, sub: Subscription, day: dt.date, generated_at: dt.datetime, blended: bool
    ) -> Digest | None:
        digest = await self._subscription_digest(sub, day, generated_at, blended)
        if digest is not None:
            self.computed += 1
        return digest

    async def _shelve(self, shelf: Shelf, key: str, digest: Digest | None) -> Digest | None:
        if digest is not None:
            body = await self.offload(digest.model_dump_json)
            await shelf.save(key, body, now=self.clock(), ttl=self.shelf_ttl)
        return digest

    async def _subscription_digest(
        self, sub: Subscription, day: dt.date, generated_at: dt.datetime, blended: bool = False
    ) -> Digest | None:
        filters = filters_of(sub, blended=blended)
        if sub.cadence == "daily" and not sub.lag:
            # The common case: the day's ranking is shared with commands, ranked off the loop.
            snapshot = await self.snapshot(day, sub.categories)
            if snapshot is None:
                return None
            return await self.digest(
                snapshot, filters, generated_at=generated_at, categories=sub.categories
            )
        if self.readings is None:
            raise ValueError("lagged and weekly digests need the stored readings")
        # Lagged and weekly digests read the stored days; snapshots still come through here.
        return await subscription_digest(
            sub,
            day,
            snapshots=self,
            readings=self.readings,
            weights=self.weights,
            max_post_share=self.max_post_share,
            rank_prior=self.rank_prior,
            generated_at=generated_at,
            filters=filters,
        )
