from __future__ import annotations

import datetime as dt
from typing import Any

from bot.delivery import Deliverer, delivery_key, message_key
from bot.errors import DeliveryError, DestinationGone, MaybePosted
from bot.models import Digest
from bot.snapshot import Snapshot, sample_snapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakes import CountingSnapshots, ReconcilingPublisher, RecordingPublisher

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


def deliverer(
    store: SqlStore,
    publisher: RecordingPublisher,
    snapshots: CountingSnapshots | None = None,
    **kwargs: object,
) -> Deliverer:
    snapshots = snapshots or CountingSnapshots(sample_snapshot())
    # One call at a time: the fake's scripted faults hit its sends in subscription order.
    kwargs = {"concurrency": 1, **kwargs}
    return Deliverer(
        store, snapshots, {("discord", "webhook"): publisher}, clock=lambda: MORNING, **kwargs
    )  # type: ignore[arg-type]


async def test_due_subscriptions_are_posted_once_and_digests_shared(store: SqlStore) -> None:
    for n in range(3):
        await store.add(
            subscription(destination=f"https://fake/{n}", categories=("cs.LG",)), now=MORNING
        )
    await store.add(subscription(destination="https://fake/cv", categories=("cs.CV",)), now=MORNING)
    await store.add(
        subscription(destination="https://fake/later", post_time=dt.time(10)), now=MORNING
    )
    publisher, snapshots = RecordingPublisher(), CountingSnapshots(sample_snapshot())
    report = await deliverer(store, publisher, snapshots).run(MORNING)
    assert report.outcomes == {"posted": 4}
    assert len(snapshots.asked) == 2  # one digest per (date, categories, keywords, top)
    again = await deliverer(store, publisher, snapshots).run(MORNING + dt.timedelta(minutes=5))
    assert again.outcomes == {"already handled": 4}
    assert len(publisher.posts) == 4
    assert {day for _, day, _ in publisher.posts} == {"2026-11-25"}


async def test_a_gone_destination_pauses_its_subscription_with_the_reason(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher()
    publisher.failures.append(
        DestinationGone("the discord webhook answered HTTP 404: gone or forbidden")
    )
    report = await deliverer(store, publisher, CountingSnapshots(sample_snapshot())).run(MORNING)
    assert report.outcomes == {"paused (destination gone)": 1}
    assert sub.id is not None
    paused = await store.get(sub.id)
    assert paused is not None
    assert paused.paused
    assert "HTTP 404" in paused.paused_reason
    assert (
        await deliverer(store, publisher, CountingSnapshots(sample_snapshot())).run(MORNING)
    ).outcomes == {}


async def test_a_failed_post_is_retried_by_the_next_run(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher()
    publisher.failures.append(DeliveryError("the discord webhook answered HTTP 500"))
    first = await deliverer(store, publisher, CountingSnapshots(sample_snapshot())).run(MORNING)
    assert first.outcomes == {"failed": 1}
    assert "will be retried" in first.problems[0]
    second = await deliverer(store, publisher, CountingSnapshots(sample_snapshot())).run(
        MORNING + dt.timedelta(minutes=5)
    )
    assert second.outcomes == {"posted": 1}


async def crashed_while_sending(store: SqlStore, sub: Subscription) -> None:
    """What a worker killed between the platform call and the ledger update leaves behind."""
    assert sub.id is not None
    claim = await store.claim(
        sub.id,
        MORNING.date(),
        scheduled_for=MORNING,
        owner="dead",
        now=MORNING - dt.timedelta(hours=1),
        lease=dt.timedelta(minutes=10),
        max_attempts=5,
    )
    assert claim is not None
    await store.mark(claim, "sending", now=MORNING - dt.timedelta(hours=1))


async def test_a_crash_while_posting_is_not_retried_blindly(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    await crashed_while_sending(store, sub)
    publisher = RecordingPublisher()
    report = await deliverer(store, publisher, CountingSnapshots(sample_snapshot())).run(MORNING)
    assert report.outcomes == {"uncertain": 1}
    assert publisher.posts == []


async def test_an_idempotent_platform_is_retried_with_the_same_key(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = ReconcilingPublisher()
    publisher.posts.append(
        (sub.id, "2026-11-25", message_key(delivery_key(sub, MORNING.date()), 0))
    )  # it did go out
    await crashed_while_sending(store, sub)
    report = await deliverer(store, publisher, CountingSnapshots(sample_snapshot())).run(MORNING)
    assert report.outcomes == {"posted": 1}
    assert len(publisher.posts) == 1  # the platform recognised the key: no second message


async def test_days_without_announcement_are_skipped_or_noticed(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    holiday = Snapshot(date=MORNING.date(), announced=False)
    publisher = RecordingPublisher()
    skipped = await deliverer(store, publisher, CountingSnapshots(holiday)).run(MORNING)
    assert skipped.outcomes == {"skipped (no announcement)": 1}
    assert publisher.posts == []
    await store.add(subscription(destination="https://fake/2"), now=MORNING)
    noticed = await deliverer(
        store, publisher, CountingSnapshots(holiday), no_announcement="notice"
    ).run(MORNING)
    assert noticed.outcomes == {"posted": 1, "already handled": 1}


async def test_a_post_matching_nothing_is_skipped_unless_empty_posts_are_kept(
    store: SqlStore,
) -> None:
    await store.add(subscription(keywords=("zzzzunmatched",)), now=MORNING)
    publisher = RecordingPublisher()
    skipped = await deliverer(store, publisher).run(MORNING)
    assert skipped.outcomes == {"skipped (nothing matched)": 1}
    assert publisher.posts == []
    (row,) = await store.deliveries()
    assert (row.state, row.last_error) == ("skipped", "nothing matched")
    await store.add(
        subscription(destination="https://fake/2", keywords=("zzzzunmatched",)), now=MORNING
    )
    kept = await deliverer(store, publisher, empty_posts="post").run(MORNING)
    assert kept.outcomes == {"posted": 1, "already handled": 1}
    assert len(publisher.posts) == 1


async def test_a_day_not_yet_in_the_feed_waits(store: SqlStore) -> None:
    await store.add(subscription(), now=MORNING)
    report = await deliverer(store, RecordingPublisher(), CountingSnapshots(None)).run(MORNING)
    assert report.outcomes == {"waiting": 1}
    assert await store.deliveries() == []


async def test_after_an_outage_missed_posts_are_caught_up_once(store: SqlStore) -> None:
    await store.add(subscription(weekdays=tuple(range(7))), now=MORNING)
    publisher = RecordingPublisher()
    snapshots = CountingSnapshots(sample_snapshot())
    restart = MORNING + dt.timedelta(hours=5)
    assert (await deliverer(store, publisher, snapshots).run(restart)).outcomes == {"posted": 1}
    assert (
        await deliverer(store, publisher, snapshots).run(restart + dt.timedelta(minutes=1))
    ).outcomes == {"already handled": 1}
    too_late = MORNING + dt.timedelta(days=1, hours=7)
    assert (await deliverer(store, publisher, snapshots).run(too_late)).outcomes == {}
    assert len(publisher.posts) == 1


async def test_a_subscription_without_a_running_publisher_is_reported(store: SqlStore) -> None:
    await store.add(subscription(platform="slack", kind="channel", destination="C1"), now=MORNING)
    report = await deliverer(store, RecordingPublisher(), CountingSnapshots(sample_snapshot())).run(
        MORNING
    )
    assert report.outcomes == {"without a publisher": 1}
    assert "no slack channel publisher" in report.problems[0]


LATER = MORNING + dt.timedelta(minutes=5)


def keys(sub: Subscription, *positions: int) -> list[str]:
    key = delivery_key(sub, MORNING.date())
    return [message_key(key, n) for n in positions]


async def test_a_multi_message_digest_resumes_at_the_message_that_failed(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher(parts=3)
    publisher.failures += [None, DeliveryError("the discord webhook answered HTTP 400")]
    first = await deliverer(store, publisher).run(MORNING)
    assert first.outcomes == {"failed": 1}
    assert "message 2 of 3" in first.problems[0]
    second = await deliverer(store, publisher).run(LATER)
    assert second.outcomes == {"posted": 1}
    assert publisher.keys() == keys(sub, 0, 1, 2)  # message 1 went out once
    (row,) = await store.deliveries()
    assert (row.state, row.messages, row.messages_posted, row.message_id) == ("posted", 3, 3, "m1")


async def test_a_message_that_may_have_gone_out_is_not_posted_again(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher(parts=2)
    publisher.lost_answers += [MaybePosted("the discord webhook did not answer (ReadTimeout)")]
    first = await deliverer(store, publisher).run(MORNING)
    assert first.outcomes == {"uncertain": 1}
    assert first.uncertain == 1
    for later in (LATER, LATER + dt.timedelta(minutes=5)):
        again = await deliverer(store, publisher).run(later)
        assert again.outcomes == {"already handled": 1}
        assert again.uncertain == 1  # said by every run, not only the one that noticed
        assert "hotpapers deliveries resolve ID --posted|--retry" in again.problems[-1]
    assert publisher.keys() == keys(sub, 0)


async def test_an_operator_decides_an_uncertain_message_went_out(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher(parts=3)
    publisher.lost_answers += [None, MaybePosted("HTTP 502")]
    await deliverer(store, publisher).run(MORNING)
    (row,) = await store.deliveries(state="uncertain")
    resolved = await store.resolve(row.id, posted=True, now=LATER)
    assert resolved is not None
    assert (resolved.was, resolved.state, resolved.left) == ("uncertain", "retry", 1)
    report = await deliverer(store, publisher).run(LATER)
    assert (report.outcomes, report.uncertain) == ({"posted": 1}, 0)
    assert publisher.keys() == keys(sub, 0, 1, 2)


async def test_an_operator_decides_an_uncertain_message_is_posted_again(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher(parts=2)
    publisher.failures += [None, MaybePosted("HTTP 500")]  # in truth, it did not go out
    await deliverer(store, publisher).run(MORNING)
    (row,) = await store.deliveries()
    resolved = await store.resolve(row.id, posted=False, now=LATER)
    assert resolved is not None
    assert (resolved.was, resolved.state, resolved.left) == ("uncertain", "retry", 1)
    again = await store.resolve(row.id, posted=False, now=LATER)
    assert again is not None
    assert again.was == again.state == "retry"  # no longer in doubt: left as it is
    assert await store.resolve(row.id + 1, posted=False, now=LATER) is None
    report = await deliverer(store, publisher).run(LATER)
    assert report.outcomes == {"posted": 1}
    assert publisher.keys() == keys(sub, 0, 1)


async def test_a_lost_answer_is_looked_up_where_the_platform_allows(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = ReconcilingPublisher(parts=3)
    publisher.lost_answers += [None, MaybePosted("Discord did not answer (ReadTimeout)")]
    first = await deliverer(store, publisher).run(MORNING)
    assert first.outcomes == {"failed": 1}
    assert "the next run looks it up" in first.problems[0]
    second = await deliverer(store, publisher).run(LATER)
    assert second.outcomes == {"posted": 1}
    assert publisher.lookups == keys(sub, 1)  # only the message in doubt is looked up
    assert publisher.keys() == keys(sub, 0, 1, 2)


async def test_a_message_not_found_by_the_lookup_is_posted(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = ReconcilingPublisher(parts=2)
    publisher.failures += [MaybePosted("Slack failed (HTTP 503)")]  # it did not go out
    await deliverer(store, publisher).run(MORNING)
    assert (await deliverer(store, publisher).run(LATER)).outcomes == {"posted": 1}
    assert publisher.keys() == keys(sub, 0, 1)


async def test_one_destinations_odd_answer_does_not_stop_the_others(store: SqlStore) -> None:
    await store.add(subscription(destination="https://fake/odd"), now=MORNING)
    second = await store.add(subscription(destination="https://fake/fine"), now=MORNING)
    publisher = RecordingPublisher()
    publisher.lost_answers += [ValueError("Expecting value: line 1 column 1 (char 0)")]
    report = await deliverer(store, publisher).run(MORNING)
    assert report.outcomes == {"uncertain": 1, "posted": 1}
    assert "answered unexpectedly (ValueError)" in report.problems[0]
    states = {d.subscription_id: d.state for d in await store.deliveries()}
    assert states[second.id] == "posted"  # type: ignore[index]
    assert "sending" not in states.values()


async def test_a_lookup_that_keeps_failing_ends_with_an_operator(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = ReconcilingPublisher()
    publisher.lost_answers += [MaybePosted("Slack failed (HTTP 503)")]
    first = await deliverer(store, publisher, max_attempts=3).run(MORNING)
    assert first.outcomes == {"failed": 1}
    unreachable = DeliveryError("Slack could not be asked for C1's history (ClientConnectorError)")
    publisher.lookup_failures += [unreachable, unreachable]
    second = await deliverer(store, publisher, max_attempts=3).run(LATER)
    assert second.outcomes == {"failed": 1}
    assert "could not be looked up" in second.problems[0]
    third = await deliverer(store, publisher, max_attempts=3).run(LATER + dt.timedelta(minutes=5))
    assert third.outcomes == {"uncertain": 1}  # no attempt left: reported until resolved
    assert third.uncertain == 1
    assert publisher.keys() == keys(sub, 0)


async def test_a_long_lived_deliverer_asks_again_for_a_day_that_was_not_ready(
    store: SqlStore,
) -> None:
    # `hotpapers run` keeps one Deliverer for the life of the process.
    await store.add(subscription(), now=MORNING)
    publisher, snapshots = RecordingPublisher(), CountingSnapshots(None)
    same = deliverer(store, publisher, snapshots)
    assert (await same.run(MORNING)).outcomes == {"waiting": 1}
    snapshots.fixed = sample_snapshot()  # the day's announcement is in now
    assert (await same.run(MORNING + dt.timedelta(minutes=5))).outcomes == {"posted": 1}


async def test_a_lookup_that_throws_is_that_deliverys_problem_only(store: SqlStore) -> None:
    odd = await store.add(subscription(destination="https://fake/odd"), now=MORNING)
    fine = await store.add(subscription(destination="https://fake/fine"), now=MORNING)
    publisher = ReconcilingPublisher()
    publisher.lost_answers += [MaybePosted("HTTP 500")]  # the first one is in doubt
    first = await deliverer(store, publisher).run(MORNING)
    assert first.outcomes == {"failed": 1, "posted": 1}
    publisher.lookup_failures += [AttributeError("'str' object has no attribute 'get'")]
    second = await deliverer(store, publisher).run(LATER)
    assert second.outcomes == {"failed": 1, "already handled": 1}  # the run went on
    assert "answered unexpectedly: AttributeError" in second.problems[0]
    states = {d.subscription_id: d.state for d in await store.deliveries()}
    assert states == {odd.id: "failed", fine.id: "posted"}  # not left claimed


async def test_an_operators_retry_is_posted_after_the_grace_window(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    publisher = RecordingPublisher(parts=2)
    publisher.failures += [None, MaybePosted("HTTP 500")]  # in truth, it did not go out
    await deliverer(store, publisher).run(MORNING)
    (row,) = await store.deliveries(state="uncertain")
    days_later = MORNING + dt.timedelta(days=2)
    resolved = await store.resolve(row.id, posted=False, now=days_later)
    assert resolved is not None
    report = await deliverer(store, publisher).run(days_later)
    assert "uncertain" not in report.outcomes
    old_day = keys(sub, 0, 1)
    posted = publisher.keys()
    assert [k for k in posted if k in old_day] == old_day  # message 2, once
    assert [d.state for d in await store.deliveries() if d.id == row.id] == ["posted"]
    await deliverer(store, publisher).run(days_later + dt.timedelta(minutes=5))
    posted = publisher.keys()
    assert [k for k in posted if k in old_day] == old_day


async def stopped_while_sending(store: SqlStore, sub: Subscription, *, parts: int) -> None:
    """A worker killed after marking message 1 ``sending`` (its lease long expired)."""
    assert sub.id is not None
    then = MORNING - dt.timedelta(hours=1)
    claim = await store.claim(
        sub.id,
        MORNING.date(),
        scheduled_for=MORNING,
        owner="dead",
        now=then,
        lease=dt.timedelta(minutes=10),
        max_attempts=5,
    )
    assert claim is not None
    assert await store.prepare(claim, [{"text": f"m{n}"} for n in range(parts)], now=then)
    lease = dt.timedelta(minutes=10)
    assert await store.mark_part(claim, 0, "sending", now=then, lease=lease)


PAST_THE_WINDOW = MORNING + dt.timedelta(hours=7)


async def test_a_post_stopped_past_its_window_is_reported_not_lost(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    await stopped_while_sending(store, sub, parts=2)
    publisher = RecordingPublisher()
    for at in (PAST_THE_WINDOW, PAST_THE_WINDOW + dt.timedelta(hours=1)):
        report = await deliverer(store, publisher).run(at)
        assert report.uncertain == 1  # reported by every run until an operator decides
        assert "hotpapers deliveries resolve ID" in report.problems[-1]
    (row,) = await store.deliveries()
    assert row.state == "uncertain"
    assert "a worker stopped while posting it (0 of 2 messages confirmed)" in row.last_error
    assert publisher.posts == []


async def test_a_post_stopped_at_its_last_attempt_is_reported_not_lost(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    await crashed_while_sending(store, sub)
    publisher = RecordingPublisher()
    report = await deliverer(store, publisher, max_attempts=1).run(MORNING)
    assert (report.outcomes["uncertain"], report.uncertain) == (1, 1)
    assert publisher.posts == []


async def test_a_post_stopped_past_its_window_is_looked_up(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    await stopped_while_sending(store, sub, parts=1)
    publisher = ReconcilingPublisher()
    publisher.posts.append((sub.id, "2026-11-25", keys(sub, 0)[0]))  # it did go out
    report = await deliverer(store, publisher).run(PAST_THE_WINDOW)
    assert (report.outcomes, report.uncertain) == ({"posted": 1}, 0)
    (row,) = await store.deliveries()
    assert (row.state, row.message_id) == ("posted", "m1")
    assert len(publisher.posts) == 1


async def test_a_claim_stopped_before_posting_past_its_window_ends_as_missed(
    store: SqlStore,
) -> None:
    sub = await store.add(subscription(), now=MORNING)
    assert sub.id is not None
    then = MORNING - dt.timedelta(hours=1)
    claim = await store.claim(
        sub.id,
        MORNING.date(),
        scheduled_for=MORNING,
        owner="dead",
        now=then,
        lease=dt.timedelta(minutes=10),
        max_attempts=5,
    )
    assert claim is not None
    report = await deliverer(store, RecordingPublisher()).run(PAST_THE_WINDOW)
    assert (report.outcomes, report.uncertain) == ({"failed": 1}, 0)
    assert "stopped before posting" in report.problems[0]
    (row,) = await store.deliveries()
    assert row.state == "failed"


async def test_a_post_still_in_its_workers_hands_is_left_alone(store: SqlStore) -> None:
    sub = await store.add(subscription(), now=MORNING)
    await stopped_while_sending(store, sub, parts=2)
    early = MORNING - dt.timedelta(minutes=55)  # the worker's lease runs until 08:15
    report = await Deliverer(
        store,
        CountingSnapshots(sample_snapshot()),
        {("discord", "webhook"): RecordingPublisher()},
        clock=lambda: early,
        max_attempts=1,
    ).run(PAST_THE_WINDOW)
    assert (report.outcomes, report.uncertain) == ({}, 0)
    (row,) = await store.deliveries()
    assert row.state == "sending"


async def test_subscriptions_that_differ_only_in_their_new_filters_get_their_own_digests(
    store: SqlStore,
) -> None:
    """The digest shared within a run is keyed by every filter: one that leaves a word out,
    asks for every word or names authors never gets the digest of one that does not."""
    rendered: list[tuple[str, ...]] = []

    class Rendering(RecordingPublisher):
        def render(self, digest: Digest) -> list[dict[str, Any]]:
            rendered.append(tuple(r.paper.arxiv_id for r in digest.items))
            return super().render(digest)

    plain = {"categories": ("cs.CV",), "top": 100}
    await store.add(subscription(destination="https://fake/all", **plain), now=MORNING)
    for n, words in enumerate(
        [{"exclude": ("augmentations",)}, {"all_keywords": ("gans", "augmentations")}]
    ):
        await store.add(
            subscription(destination=f"https://fake/{n}", **plain, **words), now=MORNING
        )
    report = await deliverer(store, Rendering()).run(MORNING)
    assert report.outcomes == {"posted": 3}
    every, without, both = rendered
    assert "2103.09742" in every
    assert without == tuple(i for i in every if i != "2103.09742")
    assert both == ("2103.09742",)
