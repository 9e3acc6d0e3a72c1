"""Readings kept in the store: round trip, duplicates, earliest/latest, retention, stars."""

from __future__ import annotations

import datetime as dt

import pytest

import bot.store.readings
from bot.models import Post, Signal
from bot.snapshot import Snapshot
from bot.store import SqlStore
from tests.fakes import paper

DAY = dt.date(2026, 11, 24)
T1 = dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)
T2 = T1 + dt.timedelta(hours=12)


def hn(
    arxiv_id: str,
    points: int,
    taken_at: dt.datetime,
    url: str = "https://news.ycombinator.com/item?id=1",
) -> Signal:
    post = Post(url=url, author="pg", text="Show HN", posted_at=T1, counts={"points": points})
    return Signal(
        source="hackernews",
        arxiv_id=arxiv_id,
        counts={"points": points, "comments": 2},
        post=post,
        taken_at=taken_at,
    )


def day_of(*signals: Signal, day: dt.date = DAY, taken_at: dt.datetime | None = T1) -> Snapshot:
    ids = sorted({s.arxiv_id for s in signals} | {"2611.00009"})
    return Snapshot(
        date=day, papers=tuple(paper(i) for i in ids), signals=signals, taken_at=taken_at
    )


async def test_readings_round_trip_with_their_posts_repos_and_times(store: SqlStore) -> None:
    stars = Signal(
        source="github",
        arxiv_id="2611.00001",
        counts={"stars": 40},
        share=0.5,
        taken_at=T1,
        repo="lab/code",
        repo_created_at=T1 - dt.timedelta(days=2),
    )
    hf = Signal(
        source="huggingface",
        arxiv_id="2611.00001",
        counts={"upvotes": 9},
        taken_at=T1,
        summary="A model.",
    )
    snapshot = day_of(hn("2611.00001", 10, T1), stars, hf)
    recorded = await store.readings.record(snapshot)
    assert (recorded.readings, recorded.papers) == (3, 2)
    assert await store.readings.days() == [DAY]
    assert {p.arxiv_id for p in await store.readings.papers([DAY])} == {"2611.00001", "2611.00009"}
    assert sorted(await store.readings.signals([DAY]), key=lambda s: s.source) == sorted(
        snapshot.signals, key=lambda s: s.source
    )


async def test_the_same_readings_loaded_twice_are_kept_once(store: SqlStore) -> None:
    snapshot = day_of(hn("2611.00001", 10, T1))
    assert (await store.readings.record(snapshot)).readings == 1
    assert (await store.readings.record(snapshot)).readings == 0
    assert len(await store.readings.signals([DAY])) == 1


async def test_earliest_and_latest_reading_of_each_signal(store: SqlStore) -> None:
    await store.readings.record(
        day_of(
            hn("2611.00001", 10, T1),
            hn("2611.00002", 3, T1, url="https://news.ycombinator.com/item?id=2"),
        )
    )
    await store.readings.record(day_of(hn("2611.00001", 50, T2), taken_at=T2))
    latest = await store.readings.signals([DAY], which="latest")
    assert sorted((s.arxiv_id, s.counts["points"], s.taken_at) for s in latest) == [
        ("2611.00001", 50, T2),
        ("2611.00002", 3, T1),
    ]
    earliest = await store.readings.signals([DAY], which="earliest")
    assert sorted((s.arxiv_id, s.counts["points"]) for s in earliest) == [
        ("2611.00001", 10),
        ("2611.00002", 3),
    ]
    assert len(await store.readings.signals([DAY])) == 3
    rebuilt = await store.readings.snapshot(DAY)
    assert rebuilt is not None
    assert sorted(s.counts["points"] for s in rebuilt.signals) == [3, 50]
    assert await store.readings.snapshot(DAY + dt.timedelta(days=1)) is None


async def test_a_signal_without_a_time_takes_the_snapshots_then_the_end_of_its_day(
    store: SqlStore,
) -> None:
    untimed = Signal(source="twitter", arxiv_id="2611.00001", counts={"retweets": 5})
    await store.readings.record(day_of(untimed, taken_at=None))
    (read,) = await store.readings.signals([DAY])
    assert read.taken_at == dt.datetime(2026, 11, 24, 23, 59, 59, tzinfo=dt.UTC)


async def test_retention_forgets_days_older_than_the_window_before_the_latest_day(
    store: SqlStore,
) -> None:
    for back in (0, 5, 40):
        day = DAY - dt.timedelta(days=back)
        await store.readings.record(day_of(hn("2611.00001", back + 1, T1), day=day))
    assert await store.readings.prune(0) == []
    assert await store.readings.prune(30) == [DAY - dt.timedelta(days=40)]
    assert await store.readings.days() == [DAY - dt.timedelta(days=5), DAY]
    assert await store.readings.signals([DAY - dt.timedelta(days=40)]) == []
    assert await store.readings.days(since=DAY - dt.timedelta(days=1)) == [DAY]
    assert await store.readings.days(until=DAY - dt.timedelta(days=1)) == [
        DAY - dt.timedelta(days=5)
    ]


async def test_the_earliest_stars_of_each_repository(store: SqlStore) -> None:
    def stars(n: int, at: dt.datetime, repo: str = "lab/code") -> Signal:
        return Signal(
            source="github", arxiv_id="2611.00001", counts={"stars": n}, taken_at=at, repo=repo
        )

    await store.readings.record(day_of(stars(100, T2), stars(7, T2, repo="lab/other")))
    await store.readings.record(day_of(stars(40, T1), taken_at=T1))
    assert await store.readings.earliest_stars() == {"lab/code": (40, T1), "lab/other": (7, T2)}
    assert await store.readings.earliest_stars(["lab/other"]) == {"lab/other": (7, T2)}
    assert await store.readings.earliest_stars(before=T2) == {"lab/code": (40, T1)}


async def test_a_large_day_is_inserted_in_batches(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.store.readings, "BATCH", 7)
    signals = [
        hn(f"2611.{i:05d}", i, T1, url=f"https://news.ycombinator.com/item?id={i}")
        for i in range(10, 39)
    ]
    recorded = await store.readings.record(day_of(*signals))
    assert (recorded.readings, recorded.papers) == (29, 30)
    assert len(await store.readings.signals([DAY], which="latest")) == 29
