"""Fan-out: deliveries run concurrently under rate limits, idle runs read nothing, digests are
computed only after a claim and shared through the store, replicas never post twice."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.delivery import Deliverer
from bot.digests import DigestService
from bot.errors import RateLimited
from bot.pacing import Pacer
from bot.ports import Pace
from bot.snapshot import sample_snapshot
from bot.store import SqlStore, open_store
from bot.subscriptions import Subscription
from tests.bot.test_refresh import migrate
from tests.conftest import postgres_database
from tests.fakes import CountingSnapshots, RecordingPublisher

MORNING = dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)  # a Wednesday


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


class PacedPublisher(RecordingPublisher):
    """A platform with one limit per destination; sends to ``slow`` wait for ``release``."""

    def __init__(self, *, parts: int = 1, slow: str = "") -> None:
        super().__init__(parts=parts)
        self.slow = slow
        self.release = asyncio.Event()
        self.reached = asyncio.Event()  # set once ``enough`` messages went out
        self.enough = 0
        self.sent: list[tuple[str, int]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return [Pace(key=f"hook:{sub.destination}", rate=1000, per=1)]

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            if sub.destination == self.slow:
                await self.release.wait()
            else:
                await asyncio.sleep(0)
            self.sent.append((sub.destination, int(message["part"])))
            if self.enough and len(self.sent) >= self.enough:
                self.reached.set()
            return await super().send(sub, message, key=key, thread=thread)
        finally:
            self.in_flight -= 1


def deliverer(store: SqlStore, publisher: RecordingPublisher, **kwargs: Any) -> Deliverer:
    snapshots = kwargs.pop("snapshots", None) or CountingSnapshots(sample_snapshot())
    return Deliverer(
        store, snapshots, {("discord", "webhook"): publisher}, clock=lambda: MORNING, **kwargs
    )


async def test_a_slow_destination_delays_only_itself(store: SqlStore) -> None:
    await store.add(subscription(destination="https://fake/slow"), now=MORNING)
    for n in range(5):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    publisher = PacedPublisher(parts=2, slow="https://fake/slow")
    publisher.enough = 10
    run = asyncio.ensure_future(deliverer(store, publisher, concurrency=4).run(MORNING))
    await publisher.reached.wait()  # the five others post while the slow one hangs
    assert not run.done()
    publisher.release.set()
    report = await run
    assert report.outcomes == {"posted": 6}
    for destination in {d for d, _ in publisher.sent}:
        assert [p for d, p in publisher.sent if d == destination] == [0, 1]  # in order


async def test_concurrent_calls_stay_within_the_slots(store: SqlStore) -> None:
    for n in range(8):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    publisher = PacedPublisher()
    report = await deliverer(store, publisher, concurrency=3).run(MORNING)
    assert report.outcomes == {"posted": 8}
    assert publisher.most_in_flight <= 3


async def test_each_pace_key_gets_one_limiter_made_on_first_use(store: SqlStore) -> None:
    for _ in range(3):
        await store.add(subscription(destination="https://fake/shared"), now=MORNING)
    await store.add(subscription(destination="https://fake/own"), now=MORNING)
    pacer = Pacer()
    report = await deliverer(store, PacedPublisher(), pacer=pacer).run(MORNING)
    assert report.outcomes == {"posted": 4}
    assert len(pacer) == 2


async def test_a_publisher_without_paces_needs_no_limiter(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    pacer = Pacer()
    report = await deliverer(store, RecordingPublisher(), pacer=pacer).run(MORNING)
    assert report.outcomes == {"posted": 1}
    assert len(pacer) == 0


async def test_a_429_is_waited_out_without_failing_the_delivery(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher()
    publisher.failures.append(RateLimited("slow down", 2.5))
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    report = await deliverer(store, publisher, sleep=sleep).run(MORNING)
    assert report.outcomes == {"posted": 1}
    assert slept == [2.5]
    assert len(publisher.posts) == 1


async def test_an_idle_run_reads_no_settled_subscription(store: SqlStore) -> None:
    for n in range(3):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    await deliverer(store, RecordingPublisher()).run(MORNING)
    later = MORNING + dt.timedelta(minutes=5)
    assert await store.maybe_due(later) == []
    tomorrow = MORNING + dt.timedelta(days=1)
    assert len(await store.maybe_due(tomorrow)) == 3  # Thursday 09:00 is the next post
    assert await store.maybe_due(tomorrow - dt.timedelta(minutes=10)) == []


async def test_a_changed_subscription_is_read_again(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    await deliverer(store, RecordingPublisher()).run(MORNING)
    assert sub.id is not None
    await store.update(sub.id, post_time=dt.time(10))
    later = MORNING + dt.timedelta(minutes=5)
    assert [s.subscription.id for s in await store.maybe_due(later)] == [sub.id]


async def test_a_run_for_an_earlier_moment_looks_again(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    await deliverer(store, RecordingPublisher()).run(MORNING)
    assert len(await store.maybe_due(MORNING - dt.timedelta(days=1))) == 1


async def test_a_digest_not_available_yet_leaves_no_claim(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    report = await deliverer(store, RecordingPublisher(), snapshots=CountingSnapshots(None)).run(
        MORNING
    )
    assert report.outcomes == {"waiting": 1}
    assert await store.deliveries() == []
    again = await deliverer(store, RecordingPublisher()).run(MORNING)
    assert again.outcomes == {"posted": 1}


async def test_no_digest_is_computed_for_deliveries_already_handled(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    await deliverer(store, RecordingPublisher()).run(MORNING)
    await store.update(1, top=5)  # read again, but its delivery of the day is done
    snapshots = CountingSnapshots(sample_snapshot())
    report = await deliverer(store, RecordingPublisher(), snapshots=snapshots).run(MORNING)
    assert report.outcomes == {"already handled": 1}
    assert snapshots.asked == []


async def test_shelved_digests_serve_another_process_within_the_ttl(
    database_url: str,
) -> None:
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        await first.add(subscription(destination="https://fake/a"), now=MORNING)
        await first.add(subscription(destination="https://fake/b"), now=MORNING)
        counted = []
        for store, destination in ((first, "https://fake/a"), (second, "https://fake/b")):
            snapshots = CountingSnapshots(sample_snapshot())
            service = DigestService(
                snapshots,
                clock=lambda: MORNING,
                readings=store.readings,
                shelf=store.digests,
                shelf_ttl=dt.timedelta(minutes=10),
            )
            only = {("discord", "webhook"): RecordingPublisher()}
            one = Deliverer(store, snapshots, only, clock=lambda: MORNING, digests=service)
            # Each "process" delivers one of the two subscriptions (the other is paused here).
            other = 2 if destination.endswith("a") else 1
            await store.update(other, paused=True)
            assert (await one.run(MORNING)).outcomes == {"posted": 1}
            await store.update(other, paused=False)
            counted.append((service.computed, len(snapshots.asked)))
        assert counted == [(1, 1), (0, 0)]  # the second found the first one's digest
    finally:
        await first.close()
        await second.close()


async def test_two_replicas_racing_on_postgresql_post_each_delivery_once() -> None:
    with postgres_database() as url:
        setup = await open_store(url)
        for n in range(40):
            await setup.add(subscription(destination=f"https://fake/{n % 30}"), now=MORNING)
        stores = [await open_store(url) for _ in range(2)]
        publisher = PacedPublisher()  # one platform: it sees every post of both replicas
        try:
            reports = await asyncio.gather(
                *(deliverer(store, publisher, concurrency=8).run(MORNING) for store in stores)
            )
            posted = [sub for sub, _, _ in publisher.posts]
            assert sorted(posted) == list(range(1, 41))  # none twice, none lost
            assert sum(r.outcomes["posted"] for r in reports) == 40
            states = {d.state for d in await setup.deliveries()}
            assert states == {"posted"}
        finally:
            for store in (*stores, setup):
                await store.close()


async def test_staggered_replicas_begin_at_different_places(store: SqlStore) -> None:
    for n in range(5):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    firsts = set()
    for owner in ("replica-a", "replica-b", "replica-c"):
        publisher = RecordingPublisher()
        one = deliverer(store, publisher, concurrency=1, owner=owner, stagger=True)
        start = int(hashlib.sha256(owner.encode()).hexdigest(), 16) % 5
        report = await one.run(MORNING - dt.timedelta(days=7 * (len(firsts) + 1)))
        assert report.outcomes == {"posted": 5}
        ids = [sub for sub, _, _ in publisher.posts]
        assert ids == [*range(start + 1, 6), *range(1, start + 1)]  # then round to the start
        firsts.add(ids[0])
    assert len(firsts) > 1


async def test_a_store_of_the_previous_revision_is_migrated_and_back(tmp_path: Path) -> None:
    from sqlalchemy import create_engine, inspect, text

    url = f"sqlite:///{tmp_path / 'old.db'}"
    migrate(url, "follows")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO subscriptions (platform, workspace, destination, kind, categories,"
                " keywords, top, post_time, timezone, weekdays, created_by, paused,"
                " paused_reason, created_at) VALUES ('discord', '', 'https://fake/hook',"
                " 'webhook', '[]', '[]', 10, '09:00:00', 'UTC', '[0,1,2,3,4]', '', 0, '',"
                " '2026-11-20 09:00:00')"
            )
        )
    store = await open_store(url)
    try:
        # Never worked out: the first run after the upgrade looks at it, then settles it.
        assert len(await store.maybe_due(MORNING)) == 1
        report = await deliverer(store, RecordingPublisher()).run(MORNING)
        assert report.outcomes == {"posted": 1}
        assert await store.maybe_due(MORNING) == []
    finally:
        await store.close()
    migrate(url, "follows", down=True)
    columns = {c["name"] for c in inspect(engine).get_columns("subscriptions")}
    assert "next_due_at" not in columns
    assert "digests" not in inspect(engine).get_table_names()
    engine.dispose()


class BrokenRenderer(RecordingPublisher):
    def render(self, digest: Any) -> list[dict[str, Any]]:
        raise RuntimeError("a bug in a renderer")


async def test_an_error_in_one_delivery_lets_the_others_finish_then_is_raised(
    store: SqlStore,
) -> None:
    await store.add(subscription(platform="slack", destination="https://fake/s"), now=MORNING)
    for n in range(3):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    fine = RecordingPublisher()
    publishers = {("discord", "webhook"): fine, ("slack", "webhook"): BrokenRenderer()}
    one = Deliverer(store, CountingSnapshots(sample_snapshot()), publishers, clock=lambda: MORNING)
    with pytest.raises(RuntimeError, match="a bug in a renderer"):
        await one.run(MORNING)
    assert len(fine.posts) == 3


class BusyPublisher(PacedPublisher):
    """One destination takes a message a second; the others are not limited."""

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        if sub.destination == "https://fake/busy":
            return [Pace(key="busy", rate=1, per=1)]
        return []


async def test_a_delivery_waiting_for_a_rate_limit_gives_its_slot_up(store: SqlStore) -> None:
    await store.add(subscription(destination="https://fake/busy"), now=MORNING)
    await store.add(subscription(destination="https://fake/free"), now=MORNING)
    publisher = BusyPublisher(parts=2)
    report = await deliverer(store, publisher, concurrency=1).run(MORNING)
    assert report.outcomes == {"posted": 2}
    busy = [n for n, (where, _) in enumerate(publisher.sent) if where.endswith("busy")]
    free = [n for n, (where, _) in enumerate(publisher.sent) if where.endswith("free")]
    assert busy[0] < free[0] < busy[1]  # the other went out while the busy one waited


class IdlessPublisher(RecordingPublisher):
    """A Slack incoming webhook: it answers "ok", no message id."""

    async def send(
        self, sub: Subscription, message: Mapping[str, Any], *, key: str, thread: str
    ) -> str:
        await super().send(sub, message, key=key, thread=thread)
        return ""


@pytest.mark.parametrize("parts", [1, 3])
async def test_a_delivery_is_settled_by_its_last_message_even_without_message_ids(
    store: SqlStore, parts: int
) -> None:
    await store.add(subscription(), now=MORNING)
    publisher = IdlessPublisher(parts=parts)
    first = await deliverer(store, publisher).run(MORNING)
    assert first.outcomes == {"posted": 1}
    (delivery,) = await store.deliveries()
    assert (delivery.state, delivery.messages, delivery.messages_posted) == ("posted", parts, parts)
    again = await deliverer(store, publisher).run(MORNING + dt.timedelta(minutes=1))
    assert again.outcomes == {"already handled": 1}
    assert len(publisher.posts) == parts


def test_a_process_paces_itself_to_its_share_of_the_shared_limits() -> None:
    pacer = Pacer(share=0.5)
    bot = pacer.limiter(Pace(key="discord-bot", rate=50, per=1.0, shared=True))
    channel = pacer.limiter(Pace(key="discord:channel:1", rate=5, per=5.0))
    tiny = pacer.limiter(Pace(key="tiny", rate=1, per=1.0, shared=True))
    assert (bot.max_rate, channel.max_rate, tiny.max_rate) == (25, 5, 1)
    assert Pacer().limiter(Pace(key="discord-bot", rate=50, per=1.0, shared=True)).max_rate == 50
    for wrong in (0.0, 1.5):
        with pytest.raises(ValueError, match="share"):
            Pacer(share=wrong)


def test_the_bots_and_workspaces_limits_are_the_shared_ones() -> None:
    from adapters.discord.limits import discord_paces
    from adapters.slack.limits import slack_paces

    shared = {p.key for p in [*discord_paces("1"), *slack_paces("T1", "C1")] if p.shared}
    assert shared == {"discord-bot", "slack-workspace:T1"}


async def test_two_runs_of_one_deliverer_at_once_post_each_delivery_once(store: SqlStore) -> None:
    # hotpapers run: every subscription's job calls the same deliverer, at the same minute.
    for n in range(4):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    publisher = PacedPublisher(parts=2)
    both = deliverer(store, publisher)
    first, second = await asyncio.gather(both.run(MORNING), both.run(MORNING))
    assert len(publisher.posts) == 8  # 4 deliveries of 2 messages, each once
    assert first.outcomes["posted"] + second.outcomes["posted"] == 4


class SlowlyPaced(PacedPublisher):
    """Every destination behind one limit of ``rate`` messages a second."""

    def __init__(self, rate: float) -> None:
        super().__init__()
        self.rate = rate

    def paces(self, sub: Subscription) -> Sequence[Pace]:
        return [Pace(key="one-for-all", rate=self.rate, per=1)]


async def test_claims_waiting_their_turn_at_a_rate_limit_keep_their_lease(
    store: SqlStore,
) -> None:
    # 9 deliveries behind 2 messages a second (a burst of 2, then one every half second)
    # take 3.5 s; the leases last 0.6 s. Another process arriving meanwhile must find every
    # claim still held, not take them over or settle them as stopped.
    for n in range(9):
        await store.add(subscription(destination=f"https://fake/{n}"), now=MORNING)
    publisher = SlowlyPaced(rate=2)
    lease = dt.timedelta(seconds=0.6)
    first = Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "webhook"): publisher},
        lease=lease,
        max_attempts=1,
        owner="first",
    )
    second = Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "webhook"): publisher},
        lease=lease,
        max_attempts=1,
        owner="second",
    )
    # Due at MORNING; the leases run on the real clock (the deliverers' default).
    running = asyncio.ensure_future(first.run(MORNING))
    await asyncio.sleep(0.9)
    late = await second.run(MORNING)
    done = await running
    assert done.outcomes == {"posted": 9}
    assert "posted" not in late.outcomes
    assert sorted(publisher.sent) == sorted((f"https://fake/{n}", 0) for n in range(9))


async def test_subscriptions_without_a_publisher_are_one_line_per_kind(store: SqlStore) -> None:
    for n in range(3):
        await store.add(
            Subscription(platform="slack", destination=f"C{n}", post_time=dt.time(9)),
            now=MORNING,
        )
    await store.add(subscription(), now=MORNING)
    report = await deliverer(store, PacedPublisher()).run(MORNING)
    assert report.outcomes == {"posted": 1, "without a publisher": 3}
    assert report.problems == [
        "3 slack channel subscriptions: no slack channel publisher is running"
    ]
