from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from bot.errors import FeedError
from bot.models import Signal
from bot.snapshot import Snapshot
from bot.snapshots import FixedSnapshot, LiveSnapshots
from bot.store import SqlStore
from tests.fakes import paper

WEDNESDAY = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)


class FakeCollector:
    def __init__(self, day: dt.date) -> None:
        self.day = day
        self.asked: list[tuple[str, ...]] = []

    async def __call__(self, categories: Sequence[str]) -> Snapshot:
        self.asked.append(tuple(categories))
        return Snapshot(date=self.day, papers=(paper("2611.00001"),), taken_at=WEDNESDAY)


def live(store: SqlStore, collector: FakeCollector, moment: list[dt.datetime]) -> LiveSnapshots:
    return LiveSnapshots(
        store,
        collector,
        archives=("cs", "math"),
        ttl=dt.timedelta(minutes=30),
        clock=lambda: moment[0],
    )


async def test_a_day_is_collected_once_then_served_from_the_store(store: SqlStore) -> None:
    collector = FakeCollector(dt.date(2026, 11, 25))
    moment = [WEDNESDAY]
    provider = live(store, collector, moment)
    first = await provider.snapshot(None, ["cs.LG"])
    assert first is not None
    assert first.date == dt.date(2026, 11, 25)
    assert await provider.snapshot(dt.date(2026, 11, 25), ["cs.LG"]) == first
    assert collector.asked == [("cs.LG",)]
    await provider.snapshot(None, [])  # every archive: another scope
    assert collector.asked == [("cs.LG",), ("cs", "math")]
    moment[0] += dt.timedelta(hours=1)  # stale counts: asked again
    await provider.snapshot(None, ["cs.LG"])
    assert len(collector.asked) == 3


async def test_a_feed_that_has_not_caught_up_means_wait(store: SqlStore) -> None:
    provider = live(store, FakeCollector(dt.date(2026, 11, 24)), [WEDNESDAY])
    assert await provider.snapshot(None, ["cs.LG"]) is None


async def test_a_day_the_feed_has_moved_past_is_an_error(store: SqlStore) -> None:
    provider = live(store, FakeCollector(dt.date(2026, 11, 25)), [WEDNESDAY])
    with pytest.raises(FeedError, match="moved on to 2026-11-25"):
        await provider.snapshot(dt.date(2026, 11, 20), ["cs.LG"])


async def test_a_fixed_snapshot_serves_only_its_own_day() -> None:
    fixed = FixedSnapshot(Snapshot(date=dt.date(2021, 3, 18)))
    assert (await fixed.snapshot(None, [])) is not None
    with pytest.raises(FeedError, match="only the papers of 2021-03-18"):
        await fixed.snapshot(dt.date(2021, 3, 19), [])


async def test_a_saved_day_still_serves_when_the_feed_has_moved_on(store: SqlStore) -> None:
    friday = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
    moment = [friday]
    collector = FakeCollector(dt.date(2026, 11, 27))
    provider = live(store, collector, moment)
    assert await provider.snapshot(None, ["cs.LG"]) is not None  # Friday's papers, saved
    moment[0] = dt.datetime(2026, 11, 28, 9, tzinfo=dt.UTC)  # Saturday: the feed is empty
    collector.day = dt.date(2026, 11, 28)
    saturday = await provider.snapshot(None, ["cs.LG"])
    assert saturday is not None
    assert saturday.date == dt.date(2026, 11, 27)
    assert saturday.papers


class FakeBackfill:
    def __init__(self) -> None:
        self.asked: list[tuple[dt.date, tuple[str, ...]]] = []

    async def __call__(self, day: dt.date, categories: Sequence[str]) -> Snapshot:
        self.asked.append((day, tuple(categories)))
        signal = Signal(source="hackernews", arxiv_id="2611.00002", counts={"points": 3})
        return Snapshot(
            date=day,
            papers=(paper("2611.00002"),),
            signals=(signal,),
            taken_at=WEDNESDAY,
            origin="backfill",
        )


async def test_a_past_day_never_fetched_is_backfilled_once_and_kept(store: SqlStore) -> None:
    collector = FakeCollector(dt.date(2026, 11, 25))
    backfill = FakeBackfill()
    provider = LiveSnapshots(
        store,
        collector,
        archives=("cs", "math"),
        ttl=dt.timedelta(minutes=30),
        clock=lambda: WEDNESDAY,
        backfill=backfill,
    )
    past = dt.date(2026, 11, 20)
    first = await provider.snapshot(past, ["cs.LG"])
    assert first is not None
    assert first.origin == "backfill"
    assert await provider.snapshot(past, ["cs.LG"]) == first
    assert backfill.asked == [(past, ("cs.LG",))]
    assert collector.asked == []
    # Its counts are readings now: another scope of that day is served from them.
    other = await provider.snapshot(past, ["math"])
    assert other is not None
    assert [s.counts for s in other.signals] == [{"points": 3}]
    assert backfill.asked == [(past, ("cs.LG",))]


async def test_every_live_collection_is_recorded_as_readings(store: SqlStore) -> None:
    collector = FakeCollector(dt.date(2026, 11, 25))
    await live(store, collector, [WEDNESDAY]).snapshot(None, ["cs.LG"])
    assert await store.readings.days() == [dt.date(2026, 11, 25)]
