from __future__ import annotations

import asyncio
import datetime as dt

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
