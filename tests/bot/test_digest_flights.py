"""Shelved digests are computed once across processes: the process holding a key's lease in the
store computes it, the others wait for the shelf, and a lease whose holder died is taken over
(SQLite and PostgreSQL, with one store per "process" on the same database)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from importlib import resources

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from bot.digests import DigestService, subscription_key
from bot.models import Digest
from bot.snapshot import Snapshot, sample_snapshot
from bot.store import SqlStore, open_store
from bot.store.shelf import DigestShelf
from bot.store.sql import async_url
from bot.subscriptions import Subscription
from tests.bot.test_delivery_fanout import subscription

T0 = dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)
SHELF_TTL = dt.timedelta(minutes=10)


class Clock:
    """A clock the test sets; ``step`` moves it on at every reading."""

    def __init__(self, step: dt.timedelta = dt.timedelta(0)) -> None:
        self.now = T0
        self.step = step

    def __call__(self) -> dt.datetime:
        self.now += self.step
        return self.now


class Snapshots:
    """The bundled day, given once ``gate`` opens; records the clock when asked, or fails."""

    def __init__(self, clock: Clock | None = None, *, missing: bool = False) -> None:
        self.gate = asyncio.Event()
        self.gate.set()
        self.clock = clock
        self.missing = missing
        self.asked: list[dt.datetime | None] = []

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        self.asked.append(self.clock.now if self.clock else None)
        await self.gate.wait()
        return None if self.missing else sample_snapshot()


class WatchedShelf:
    """The store's shelf, telling the test who claimed and renewed what."""

    def __init__(self, shelf: DigestShelf) -> None:
        self.shelf = shelf
        self.claims: list[bool] = []
        self.renewed = asyncio.Event()
        self.renewed_at: list[dt.datetime] = []
        self.claimed = asyncio.Event()

    async def load(self, key: str, *, now: dt.datetime) -> str | None:
        return await self.shelf.load(key, now=now)

    async def save(self, key: str, body: str, *, now: dt.datetime, ttl: dt.timedelta) -> None:
        await self.shelf.save(key, body, now=now, ttl=ttl)

    async def claim(self, key: str, *, owner: str, now: dt.datetime, lease: dt.timedelta) -> bool:
        won = await self.shelf.claim(key, owner=owner, now=now, lease=lease)
        self.claims.append(won)
        self.claimed.set()
        return won

    async def renew(self, key: str, *, owner: str, now: dt.datetime, lease: dt.timedelta) -> bool:
        held = await self.shelf.renew(key, owner=owner, now=now, lease=lease)
        self.renewed_at.append(now)
        self.renewed.set()
        return held

    async def release(self, key: str, *, owner: str) -> None:
        await self.shelf.release(key, owner=owner)


@pytest.fixture
async def stores(database_url: str) -> AsyncIterator[tuple[SqlStore, SqlStore]]:
    """Two processes' stores (each its own engine and pool) on one database."""
    first, second = await open_store(database_url), await open_store(database_url)
    yield first, second
    await first.close()
    await second.close()


def service(
    snapshots: Snapshots,
    shelf: WatchedShelf | DigestShelf,
    clock: Clock,
    *,
    lease: dt.timedelta = LEASE,
    wait_limit: dt.timedelta = dt.timedelta(minutes=1),
) -> DigestService:
    return DigestService(
        snapshots,
        clock=clock,
        shelf=shelf,
        shelf_ttl=SHELF_TTL,
        lease=lease,
        wait_limit=wait_limit,
    )


async def _ask(digests: DigestService, sub: Subscription) -> Digest | None:
    return await digests.for_subscription(sub, sample_snapshot().date, generated_at=T0)


def key_of(digests: DigestService, sub: Subscription) -> str:
    return subscription_key(
        sub,
        sample_snapshot().date,
        weights=digests.weights,
        max_post_share=digests.max_post_share,
        rank_prior=digests.rank_prior,
        scope=digests.scope,
    )


# The lease in the store ------------------------------------------------------------------


async def test_one_claim_of_a_key_wins_until_its_lease_expires(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    first, second = (store.digests for store in stores)
    assert await first.claim("k", owner="a", now=T0, lease=LEASE)
    assert not await second.claim("k", owner="b", now=T0 + LEASE / 2, lease=LEASE)
    assert await first.claim("k", owner="a", now=T0 + LEASE / 2, lease=LEASE)  # already its own
    assert await first.renew("k", owner="a", now=T0 + LEASE, lease=LEASE)
    assert not await second.claim("k", owner="b", now=T0 + LEASE + LEASE / 2, lease=LEASE)
    assert await second.claim("k", owner="b", now=T0 + 2 * LEASE, lease=LEASE)  # expired
    assert not await first.renew("k", owner="a", now=T0 + 2 * LEASE, lease=LEASE)
    assert await first.claim("other", owner="a", now=T0, lease=LEASE)


async def test_of_many_claims_at_the_same_moment_exactly_one_wins(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    claims = [
        store.digests.claim(key, owner=f"{n}-{key}", now=T0, lease=LEASE)
        for key in ("fresh", "expired")
        for n, store in enumerate(stores * 4)
    ]
    await stores[0].digests.claim("expired", owner="dead", now=T0 - 2 * LEASE, lease=LEASE)
    won = await asyncio.gather(*claims)
    assert (sum(won[:8]), sum(won[8:])) == (1, 1)


async def test_a_saved_or_released_digest_leaves_its_key_free(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    first, second = (store.digests for store in stores)
    assert await first.claim("saved", owner="a", now=T0, lease=LEASE)
    await first.save("saved", "{}", now=T0, ttl=SHELF_TTL)
    assert await second.claim("saved", owner="b", now=T0, lease=LEASE)
    assert await first.claim("released", owner="a", now=T0, lease=LEASE)
    await second.release("released", owner="b")  # not its lease: nothing changes
    assert not await second.claim("released", owner="b", now=T0, lease=LEASE)
    await first.release("released", owner="a")
    assert await second.claim("released", owner="b", now=T0, lease=LEASE)


# Digests computed once across processes --------------------------------------------------


async def test_two_processes_asked_for_the_same_digest_at_once_compute_it_once(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    shelves = [WatchedShelf(store.digests) for store in stores]
    snapshots = [Snapshots(), Snapshots()]
    services = [service(s, shelf, Clock()) for s, shelf in zip(snapshots, shelves, strict=True)]
    for s in snapshots:
        s.gate.clear()
    asked = [asyncio.create_task(_ask(one, subscription())) for one in services]
    # Both claimed before the winner's computation may go on: one holds the lease, one waits.
    await asyncio.gather(*(shelf.claimed.wait() for shelf in shelves))
    assert sorted(shelf.claims[0] for shelf in shelves) == [False, True]
    for s in snapshots:
        s.gate.set()
    first, second = await asyncio.gather(*asked)
    assert first is not None
    assert first == second
    assert sorted(one.computed for one in services) == [0, 1]
    assert sum(len(s.asked) for s in snapshots) == 1


async def test_two_processes_delivering_many_subscriptions_compute_each_filter_set_once(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    subs = [
        subscription(destination=f"https://fake/{n}", top=3 + n % 5, categories=["cs.LG"])
        for n in range(20)
    ]
    services = [service(Snapshots(), store.digests, Clock()) for store in stores]
    digests = await asyncio.gather(*(_ask(one, sub) for sub in subs for one in services))
    assert all(digest is not None for digest in digests)
    assert sum(one.computed for one in services) == 5  # the distinct filter sets


async def test_a_holder_that_died_delays_the_others_only_up_to_its_lease(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    sub = subscription()
    dead, alive = stores
    clock = Clock(step=dt.timedelta(seconds=5))  # every look at the store takes 5 s
    snapshots = Snapshots(clock)
    waiter = service(snapshots, alive.digests, clock)
    key = key_of(waiter, sub)
    assert await dead.digests.claim(key, owner="dead", now=T0, lease=LEASE)  # never released
    assert await _ask(waiter, sub) is not None
    assert waiter.computed == 1
    (asked_at,) = snapshots.asked
    assert asked_at is not None
    assert T0 + LEASE < asked_at <= T0 + LEASE + 3 * clock.step  # taken over once it expired


async def test_a_waiter_computes_the_digest_itself_after_its_wait_limit(
    stores: tuple[SqlStore, SqlStore],
) -> None:
    sub = subscription()
    stuck, waiting = stores
    clock = Clock()  # the stuck holder's lease never expires
    waiter = service(Snapshots(), waiting.digests, clock, wait_limit=dt.timedelta(milliseconds=200))
    key = key_of(waiter, sub)
    assert await stuck.digests.claim(key, owner="stuck", now=T0, lease=LEASE)
    assert await _ask(waiter, sub) is not None
    assert waiter.computed == 1
    assert await stuck.digests.load(key, now=T0) is not None  # shelved for the others


async def test_a_slow_computation_keeps_its_lease(stores: tuple[SqlStore, SqlStore]) -> None:
    sub = subscription()
    computing, other = stores
    clock = Clock()
    shelf = WatchedShelf(computing.digests)
    snapshots = Snapshots()
    snapshots.gate.clear()
    holder = service(snapshots, shelf, clock, lease=dt.timedelta(milliseconds=300))
    key = key_of(holder, sub)
    asked = asyncio.create_task(_ask(holder, sub))
    await shelf.claimed.wait()
    clock.now = T0 + dt.timedelta(hours=1)  # long past the first lease
    while not shelf.renewed_at or shelf.renewed_at[-1] < clock.now:
        shelf.renewed.clear()
        await shelf.renewed.wait()
    assert not await other.digests.claim(key, owner="other", now=clock.now, lease=LEASE)
    snapshots.gate.set()
    assert await asked is not None
    assert holder.computed == 1


@pytest.mark.parametrize("fails", [False, True])
async def test_a_computation_that_gives_nothing_leaves_the_key_free_at_once(
    stores: tuple[SqlStore, SqlStore], fails: bool
) -> None:
    sub = subscription()
    first, second = stores
    holder = service(Snapshots(missing=not fails), first.digests, Clock())
    key = key_of(holder, sub)
    if fails:
        holder.readings = None
        sub = subscription(lag=1)  # a lagged digest without stored readings fails
        key = key_of(holder, sub)
        with pytest.raises(ValueError, match="stored readings"):
            await _ask(holder, sub)
    else:
        assert await _ask(holder, sub) is None  # the day is not available yet
    assert await second.digests.claim(key, owner="next", now=T0, lease=LEASE)


async def test_the_leases_table_goes_down_and_up_again(database_url: str) -> None:
    def migrate(connection: Connection, where: str) -> set[str]:
        config = Config()
        config.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
        config.attributes["connection"] = connection
        (command.downgrade if where == "picks" else command.upgrade)(config, where)
        return set(inspect(connection).get_table_names())

    await (await open_store(database_url)).close()
    engine = create_async_engine(async_url(database_url))
    try:
        async with engine.begin() as connection:
            down = await connection.run_sync(migrate, "picks")
            up = await connection.run_sync(migrate, "head")
    finally:
        await engine.dispose()
    assert "digest_leases" not in down
    assert {"digest_leases", "digests"} <= up
