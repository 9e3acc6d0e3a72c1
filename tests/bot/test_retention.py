"""Retention: settled deliveries and stored snapshots older than their settings are deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select

from bot.snapshot import Snapshot
from bot.snapshots import LiveSnapshots
from bot.store import SqlStore
from bot.store.tables import MessageRow
from tests.fakes import paper

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
TODAY = NOW.date()


async def delivered(store: SqlStore, subscription_id: int, day: dt.date, state: str) -> int:
    claim = await store.claim(
        subscription_id,
        day,
        scheduled_for=NOW,
        owner="test",
        now=NOW,
        lease=dt.timedelta(minutes=5),
        max_attempts=3,
    )
    assert claim is not None
    await store.prepare(claim, [{"text": "one"}, {"text": "two"}], now=NOW)
    await store.mark(claim, state, now=NOW)
    return claim.delivery_id


async def test_settled_deliveries_older_than_the_setting_are_forgotten(store: SqlStore) -> None:
    old = TODAY - dt.timedelta(days=91)
    await delivered(store, 1, old, "posted")
    await delivered(store, 2, old, "failed")
    in_doubt = await delivered(store, 3, old, "uncertain")
    await delivered(store, 1, TODAY - dt.timedelta(days=90), "posted")
    await delivered(store, 1, TODAY, "posted")

    assert await store.prune_deliveries(90, today=TODAY) == 2
    left = await store.deliveries()
    assert sorted((d.subscription_id, d.digest_date) for d in left) == [
        (1, TODAY - dt.timedelta(days=90)),
        (1, TODAY),
        (3, old),
    ]
    assert all(d.messages == 2 for d in left)
    assert [d.id for d in left if d.state == "uncertain"] == [in_doubt]


async def test_a_retention_of_zero_keeps_every_delivery(store: SqlStore) -> None:
    await delivered(store, 1, TODAY - dt.timedelta(days=4000), "posted")
    assert await store.prune_deliveries(0, today=TODAY) == 0
    assert len(await store.deliveries()) == 1


async def test_snapshots_older_than_the_setting_are_forgotten(store: SqlStore) -> None:
    for age in (15, 14, 0):
        day = TODAY - dt.timedelta(days=age)
        for scope in ("all", "cs"):
            await store.save_snapshot(day, scope, f"{day} {scope}", taken_at=NOW)

    assert await store.prune_snapshots(14, today=TODAY) == 2
    assert await store.load_snapshot(TODAY - dt.timedelta(days=15), "all") is None
    assert await store.load_snapshot(TODAY - dt.timedelta(days=14), "cs") is not None
    assert await store.prune_snapshots(0, today=TODAY + dt.timedelta(days=400)) == 0


async def test_the_ledgers_messages_go_with_their_deliveries(store: SqlStore) -> None:
    await delivered(store, 1, TODAY - dt.timedelta(days=100), "posted")
    await delivered(store, 2, TODAY, "posted")
    await store.prune_deliveries(90, today=TODAY)
    async with store.sessions() as session:
        left = await session.scalar(select(func.count()).select_from(MessageRow))
    assert left == 2


async def test_a_live_collection_forgets_snapshots_past_their_days(store: SqlStore) -> None:
    old = TODAY - dt.timedelta(days=20)
    await store.save_snapshot(old, "cs", "an old day", taken_at=NOW)

    async def collect(categories: Sequence[str]) -> Snapshot:
        return Snapshot(date=TODAY, taken_at=NOW, papers=(paper("2611.00001"),))

    provider = LiveSnapshots(
        store,
        collect,
        archives=("cs", "math"),
        ttl=dt.timedelta(minutes=30),
        clock=lambda: NOW,
        snapshot_retention_days=14,
    )
    assert await provider.snapshot(None, ["cs"]) is not None
    assert await store.load_snapshot(old, "cs") is None
    assert await store.load_snapshot(TODAY, "cs") is not None
