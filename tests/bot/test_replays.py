from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from bot.store import ReplayGuard, SqlStore, open_store


async def test_a_signature_is_served_once_within_its_window(
    store: SqlStore, now: dt.datetime
) -> None:
    guard = ReplayGuard(store)
    assert await guard.first_time("v0=abc", now=now)
    assert not await guard.first_time("v0=abc", now=now + dt.timedelta(minutes=5))
    assert await guard.first_time("v0=other", now=now)


async def test_an_expired_signature_is_pruned(store: SqlStore, now: dt.datetime) -> None:
    guard = ReplayGuard(store)
    assert await guard.first_time("v0=abc", now=now)
    later = now + dt.timedelta(minutes=7)
    assert await guard.first_time("v0=new", now=later)  # prunes what has expired
    assert await guard.first_time("v0=abc", now=later)  # Slack refuses it by its timestamp


async def test_replicas_sharing_a_database_accept_a_request_once(
    database_url: str, now: dt.datetime
) -> None:
    replicas = [await open_store(database_url) for _ in range(4)]
    try:
        guards = [ReplayGuard(store) for store in replicas]
        results = await asyncio.gather(
            *(guard.first_time("v0=same", now=now) for guard in guards for _ in range(3))
        )
        assert sorted(results) == [False] * 11 + [True]
    finally:
        for store in replicas:
            await store.close()


async def test_a_burst_of_signatures_is_claimed_in_a_few_transactions(
    store: SqlStore, now: dt.datetime
) -> None:
    """Signatures that arrive together are written together (a group commit), each claimed."""
    guard = ReplayGuard(store)
    results = await asyncio.gather(*(guard.first_time(f"v0={n}", now=now) for n in range(50)))
    assert results == [True] * 50
    assert guard.batches <= 2
    assert not await guard.first_time("v0=7", now=now)


async def test_the_same_signature_twice_in_one_batch_runs_once(
    store: SqlStore, now: dt.datetime
) -> None:
    guard = ReplayGuard(store)
    results = await asyncio.gather(*(guard.first_time("v0=same", now=now) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]


async def test_an_expired_signature_is_claimed_again_before_it_is_pruned(
    store: SqlStore, now: dt.datetime
) -> None:
    guard = ReplayGuard(store, prune_every=dt.timedelta(days=1))
    assert await guard.first_time("v0=abc", now=now)
    assert await guard.first_time("v0=abc", now=now + dt.timedelta(minutes=7))
    assert not await guard.first_time("v0=abc", now=now + dt.timedelta(minutes=8))


async def test_a_failed_batch_raises_in_each_of_its_requests(
    tmp_path: Path, now: dt.datetime
) -> None:
    opened = await open_store(f"sqlite:///{tmp_path / 'closed.db'}")
    guard = ReplayGuard(opened)
    async with opened.engine.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE replays")
    results = await asyncio.gather(
        *(guard.first_time(f"v0={n}", now=now) for n in range(3)), return_exceptions=True
    )
    await opened.close()
    assert all(isinstance(r, Exception) for r in results)
