"""Weekly and lagged subscriptions: when they post, which date they carry, what they post."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import pytest
from alembic import command
from alembic.config import Config
from pydantic import ValidationError
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.delivery import Deliverer
from bot.models import Digest, Post, Signal
from bot.schedule import digest_date, due, previous_announcement
from bot.snapshot import Snapshot, sample_snapshot
from bot.store import SqlStore, open_store
from bot.store.sql import async_url
from bot.subscriptions import Subscription, cadence_phrase
from tests.fakes import CountingSnapshots, RecordingPublisher, paper

FRIDAY = dt.date(2026, 11, 27)
MONDAY = dt.date(2026, 11, 23)


def subscription(**changes: object) -> Subscription:
    return Subscription.model_validate(
        {
            "platform": "discord",
            "kind": "webhook",
            "destination": "https://fake/hook",
            "post_time": dt.time(9),
            **changes,
        }
    )


def hn(arxiv_id: str, points: int, at: dt.datetime, item: int) -> Signal:
    url = f"https://news.ycombinator.com/item?id={item}"
    return Signal(
        source="hackernews",
        arxiv_id=arxiv_id,
        counts={"points": points},
        post=Post(url=url, text=f"story {item}", counts={"points": points}),
        taken_at=at,
    )


def reading(day: dt.date, at: dt.datetime, *signals: Signal) -> Snapshot:
    ids = sorted({s.arxiv_id for s in signals})
    return Snapshot(date=day, papers=tuple(paper(i) for i in ids), signals=signals, taken_at=at)


class KeepingPublisher(RecordingPublisher):
    """A recording platform that also keeps each digest it rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.digests: list[Digest] = []

    def render(self, digest: Digest) -> list[dict[str, Any]]:
        self.digests.append(digest)
        return super().render(digest)


def deliverer(
    store: SqlStore, publisher: RecordingPublisher, clock: list[dt.datetime], **kwargs: Any
) -> Deliverer:
    snapshots = kwargs.pop("snapshots", None) or CountingSnapshots(sample_snapshot())
    return Deliverer(
        store,
        snapshots,
        {("discord", "webhook"): publisher},
        clock=lambda: clock[0],
        **kwargs,
    )


# The schedule (pure)


def test_the_previous_announcement_of_a_monday_is_the_friday_before() -> None:
    assert previous_announcement(dt.date(2026, 11, 30)) == FRIDAY
    assert previous_announcement(dt.date(2026, 11, 25)) == dt.date(2026, 11, 24)


def test_a_lagged_post_carries_the_announcement_before_the_latest() -> None:
    monday_morning = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)
    assert digest_date(subscription(), monday_morning) == dt.date(2026, 11, 30)
    assert digest_date(subscription(lag=1), monday_morning) == FRIDAY
    (item,) = due(subscription(lag=1), dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC))
    assert item.digest_date == dt.date(2026, 11, 24)


def test_a_weekly_subscription_is_due_once_a_week_for_the_weeks_end() -> None:
    sub = subscription(cadence="weekly", weekdays=(4,), post_time=dt.time(16))
    dates = set()
    moment = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)
    while moment < dt.datetime(2026, 12, 15, tzinfo=dt.UTC):
        dates.update(item.digest_date for item in due(sub, moment))
        moment += dt.timedelta(minutes=30)
    assert sorted(dates) == [FRIDAY, dt.date(2026, 12, 4), dt.date(2026, 12, 11)]


def test_a_weekly_subscription_has_one_weekday_and_no_lag() -> None:
    with pytest.raises(ValidationError, match="exactly one weekday"):
        subscription(cadence="weekly")
    with pytest.raises(ValidationError, match="no lag"):
        subscription(cadence="weekly", weekdays=(4,), lag=1)
    with pytest.raises(ValidationError):
        subscription(lag=2)
    assert cadence_phrase(subscription(cadence="weekly", weekdays=(4,))) == (
        "weekly on fri (best of the week)"
    )
    assert cadence_phrase(subscription(lag=1)) == "mon-fri, lag 1 day"


# The store and the Deliverer (SQLite and PostgreSQL)


async def test_cadence_and_lag_are_stored(store: SqlStore) -> None:
    weekly = await store.add(
        subscription(cadence="weekly", weekdays=(4,)), now=dt.datetime.now(dt.UTC)
    )
    lagged = await store.add(subscription(lag=1), now=dt.datetime.now(dt.UTC))
    assert weekly.id is not None
    assert lagged.id is not None
    got = await store.get(weekly.id)
    assert got is not None
    assert (got.cadence, got.weekdays, got.lag) == ("weekly", (4,), 0)
    got = await store.get(lagged.id)
    assert got is not None
    assert (got.cadence, got.lag) == ("daily", 1)
    back = await store.update(lagged.id, lag=0)
    assert back is not None
    assert back.lag == 0


async def a_week_of_readings(store: SqlStore) -> None:
    """Monday to Friday: each day a paper of its own, Wednesday's the most discussed."""
    for n in range(5):
        day = MONDAY + dt.timedelta(days=n)
        at = dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)
        points = 500 if n == 2 else 10 * (n + 1)
        await store.readings.record(reading(day, at, hn(f"2611.0000{n}", points, at, n)))


async def test_a_weekly_subscription_posts_the_best_of_the_week_once_a_week(
    store: SqlStore,
) -> None:
    await a_week_of_readings(store)
    sub = await store.add(
        subscription(cadence="weekly", weekdays=(4,), post_time=dt.time(16)),
        now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    publisher = KeepingPublisher()
    snapshots = CountingSnapshots(sample_snapshot())
    clock = [dt.datetime(2026, 11, 27, 16, 5, tzinfo=dt.UTC)]
    report = await deliverer(store, publisher, clock, snapshots=snapshots).run(clock[0])
    assert report.outcomes == {"posted": 1}
    (digest,) = publisher.digests
    assert (digest.view, digest.start, digest.date) == ("week", dt.date(2026, 11, 21), FRIDAY)
    assert [r.paper.arxiv_id for r in digest.items][:2] == ["2611.00002", "2611.00004"]
    assert snapshots.asked == [(FRIDAY, ())]  # the last day collected first
    # Later runs the same Friday, and the days after, post nothing more.
    for hours in (1, 5, 24, 72):
        clock[0] = dt.datetime(2026, 11, 27, 16, 5, tzinfo=dt.UTC) + dt.timedelta(hours=hours)
        await deliverer(store, publisher, clock).run(clock[0])
    assert len(publisher.posts) == 1
    # The next Friday posts the next week, under its own ledger date.
    clock[0] = dt.datetime(2026, 12, 4, 16, 5, tzinfo=dt.UTC)
    await store.readings.record(
        reading(dt.date(2026, 12, 3), clock[0], hn("2612.00001", 5, clock[0], 9))
    )
    report = await deliverer(store, publisher, clock).run(clock[0])
    assert report.outcomes == {"posted": 1}
    assert publisher.digests[-1].date == dt.date(2026, 12, 4)
    assert sub.id is not None
    ledger = await store.deliveries(sub.id)
    assert [(d.digest_date, d.state) for d in ledger] == [
        (FRIDAY, "posted"),
        (dt.date(2026, 12, 4), "posted"),
    ]


async def test_a_weekly_digest_without_stored_days_waits_and_says_why(store: SqlStore) -> None:
    await store.add(
        subscription(cadence="weekly", weekdays=(4,), post_time=dt.time(16)),
        now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    publisher = KeepingPublisher()
    clock = [dt.datetime(2026, 11, 27, 16, 5, tzinfo=dt.UTC)]
    report = await deliverer(store, publisher, clock).run(clock[0])
    assert report.outcomes == {"waiting": 1}
    assert "No announcement day between 2026-11-21 and 2026-11-27 is stored" in (report.problems[0])
    assert publisher.posts == []


async def test_a_lagged_post_ranks_the_previous_day_with_its_latest_readings(
    store: SqlStore,
) -> None:
    tuesday = dt.date(2026, 11, 24)
    early = dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)
    late = dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC)
    await store.readings.record(
        reading(tuesday, early, hn("2611.0000A", 10, early, 1), hn("2611.0000B", 100, early, 2))
    )
    await store.readings.record(
        reading(tuesday, late, hn("2611.0000A", 300, late, 1), hn("2611.0000B", 120, late, 2))
    )
    await store.add(subscription(lag=1), now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    publisher = KeepingPublisher()
    snapshots = CountingSnapshots(sample_snapshot())
    clock = [dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)]
    report = await deliverer(store, publisher, clock, snapshots=snapshots).run(clock[0])
    assert report.outcomes == {"posted": 1}
    (digest,) = publisher.digests
    assert digest.date == tuesday
    assert [r.paper.arxiv_id for r in digest.items] == ["2611.0000A", "2611.0000B"]
    assert digest.counts_taken_at == late
    assert snapshots.asked == []


async def test_a_lagged_day_missing_from_the_readings_comes_from_its_snapshot(
    store: SqlStore,
) -> None:
    await store.add(subscription(lag=1), now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    publisher = KeepingPublisher()
    snapshots = CountingSnapshots(sample_snapshot())
    clock = [dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)]
    report = await deliverer(store, publisher, clock, snapshots=snapshots).run(clock[0])
    assert report.outcomes == {"posted": 1}
    assert snapshots.asked == [(dt.date(2026, 11, 24), ())]
    assert publisher.digests[0].date == dt.date(2026, 11, 24)


async def test_a_lagged_day_stored_for_other_categories_comes_from_its_snapshot(
    store: SqlStore,
) -> None:
    tuesday = dt.date(2026, 11, 24)
    at = dt.datetime(2026, 11, 25, 6, tzinfo=dt.UTC)
    await store.readings.record(reading(tuesday, at, hn("2611.0000A", 10, at, 1)))  # cs.LG
    await store.add(
        subscription(lag=1, categories=("cs.CV",)), now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    )
    publisher = KeepingPublisher()
    snapshots = CountingSnapshots(sample_snapshot())
    clock = [dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)]
    await deliverer(store, publisher, clock, snapshots=snapshots).run(clock[0])
    assert snapshots.asked == [(tuesday, ("cs.CV",))]
    assert publisher.digests[0].items


async def test_subscriptions_made_before_the_cadence_stay_daily_without_lag(
    database_url: str,
) -> None:
    engine = create_async_engine(async_url(database_url))

    def up_to_replays(connection: Connection) -> None:
        config = Config()
        config.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
        config.attributes["connection"] = connection
        command.upgrade(config, "replays")

    async with engine.begin() as connection:
        await connection.run_sync(up_to_replays)
        await connection.execute(
            text(
                "INSERT INTO subscriptions (platform, workspace, destination, kind, categories,"
                " keywords, top, post_time, timezone, weekdays, created_by, paused,"
                " paused_reason, created_at) VALUES ('slack', 'T1', 'C1', 'channel',"
                " '[\"cs.LG\"]', '[]', 10, '09:00:00', 'UTC', '[0, 1, 2, 3, 4]', '', FALSE, '',"
                " '2026-11-20 08:00:00+00:00')"
            )
        )
    await engine.dispose()
    store = await open_store(database_url)
    try:
        (sub,) = await store.subscriptions()
        assert (sub.categories, sub.cadence, sub.lag) == (("cs.LG",), "daily", 0)
    finally:
        await store.close()


class StoringSnapshots:
    """A live provider in small: the day asked for is collected and its readings stored."""

    def __init__(self, store: SqlStore, snapshot: Snapshot) -> None:
        self.store = store
        self.fixed = snapshot

    async def snapshot(self, day: dt.date | None, categories: Any) -> Snapshot | None:
        await self.store.readings.record(self.fixed)
        return self.fixed


async def test_a_weekly_post_collects_the_weeks_last_day_first(store: SqlStore) -> None:
    await a_week_of_readings(store)  # Monday to Friday; Friday's paper is re-read below
    at = dt.datetime(2026, 11, 27, 15, tzinfo=dt.UTC)
    friday = reading(FRIDAY, at, hn("2611.0000F", 900, at, 7))
    await store.add(
        subscription(cadence="weekly", weekdays=(4,), post_time=dt.time(16)),
        now=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )
    publisher = KeepingPublisher()
    clock = [dt.datetime(2026, 11, 27, 16, 5, tzinfo=dt.UTC)]
    snapshots = StoringSnapshots(store, friday)
    await deliverer(store, publisher, clock, snapshots=snapshots).run(clock[0])
    (digest,) = publisher.digests
    assert digest.items[0].paper.arxiv_id == "2611.0000F"
