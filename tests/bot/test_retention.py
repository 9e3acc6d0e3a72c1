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


def ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


async def delivered(
    store: SqlStore, subscription_id: int, state: str, *, at: dt.datetime, day: dt.date = TODAY
) -> int:
    """A delivery of ``day`` settled in ``state`` at ``at``, with two messages."""
    claim = await store.claim(
        subscription_id,
        day,
        scheduled_for=at,
        owner="test",
        now=at,
        lease=dt.timedelta(minutes=5),
        max_attempts=3,
    )
    assert claim is not None
    await store.prepare(claim, [{"text": "one"}, {"text": "two"}], now=at)
    await store.mark(claim, state, now=at)
    return claim.delivery_id


async def test_settled_deliveries_older_than_the_setting_are_forgotten(store: SqlStore) -> None:
    await delivered(store, 1, "posted", at=ago(91), day=ago(91).date())
    await delivered(store, 2, "failed", at=ago(91), day=ago(91).date())
    in_doubt = await delivered(store, 3, "uncertain", at=ago(400), day=ago(400).date())
    await delivered(store, 1, "posted", at=ago(89), day=ago(89).date())
    # A replayed snapshot's old day, posted just now: it stays, or it would be posted again.
    await delivered(store, 4, "posted", at=NOW, day=dt.date(2021, 3, 18))

    assert await store.prune_deliveries(90, now=NOW) == 2
    left = await store.deliveries()
    assert sorted(d.subscription_id for d in left) == [1, 3, 4]
    assert all(d.messages == 2 for d in left)
    assert [d.id for d in left if d.state == "uncertain"] == [in_doubt]


async def test_a_retention_of_zero_keeps_every_delivery(store: SqlStore) -> None:
    await delivered(store, 1, "posted", at=ago(4000))
    assert await store.prune_deliveries(0, now=NOW) == 0
    assert len(await store.deliveries()) == 1


async def test_snapshots_older_than_the_setting_are_forgotten(store: SqlStore) -> None:
    for age in (15, 13, 0):
        day = ago(age).date()
        for scope in ("all", "cs"):
            await store.save_snapshot(day, scope, f"{day} {scope}", taken_at=ago(age))
    # A past day backfilled just now is kept its 14 days.
    await store.save_snapshot(dt.date(2021, 3, 18), "cs", "backfilled", taken_at=NOW)

    assert await store.prune_snapshots(14, now=NOW) == 2
    assert await store.load_snapshot(ago(15).date(), "all") is None
    assert await store.load_snapshot(ago(13).date(), "cs") is not None
    assert await store.load_snapshot(dt.date(2021, 3, 18), "cs") == "backfilled"
    assert await store.prune_snapshots(0, now=NOW + dt.timedelta(days=400)) == 0


async def test_the_ledgers_messages_go_with_their_deliveries(store: SqlStore) -> None:
    await delivered(store, 1, "posted", at=ago(100))
    await delivered(store, 2, "posted", at=NOW)
    await store.prune_deliveries(90, now=NOW)
    async with store.sessions() as session:
        left = await session.scalar(select(func.count()).select_from(MessageRow))
    assert left == 2


async def test_a_live_collection_forgets_snapshots_past_their_days(store: SqlStore) -> None:
    old = ago(20).date()
    await store.save_snapshot(old, "cs", "an old day", taken_at=ago(20))

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


async def test_the_papers_of_old_posts_go_with_the_ledger(store: SqlStore) -> None:
    from bot.feedback import Channel

    where = Channel(platform="slack", channel="C1", scope="T1")
    await store.feedback.posted(where, "1.0", [(1, "2411.00001")], at=ago(120))
    await store.feedback.posted(where, "2.0", [(1, "2411.00002")], at=ago(10))
    assert await store.feedback.prune_posted(0, now=NOW) == 0
    assert await store.feedback.prune_posted(90, now=NOW) == 1
    assert (await store.feedback.carried(where, "1.0"))[0] == []
    assert (await store.feedback.carried(where, "2.0"))[0] == [(1, "2411.00002")]
