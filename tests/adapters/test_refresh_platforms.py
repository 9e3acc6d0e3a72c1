"""Refreshing posted digests on the platforms' fakes: Slack chat.update, Discord PATCH (channel
and webhook), and Slack incoming webhooks that cannot edit."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from adapters.cli.live import SettledSnapshots
from adapters.discord.publisher import DiscordPublisher
from adapters.slack.publisher import SlackPublisher, web_client
from adapters.webhooks import WebhookPublisher
from bot.delivery import Deliverer, delivery_key, message_key
from bot.polite import Gate
from bot.ports import Publisher
from bot.refresh import Refresher
from bot.settings import Settings
from bot.snapshot import Snapshot, sample_snapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakediscord import FakeDiscord
from tests.fakes import CountingSnapshots
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

MORNING = dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)
NEXT_DAY = MORNING + dt.timedelta(hours=24, minutes=5)
HALF_HOUR = dt.timedelta(minutes=30)


async def post_then_refresh(
    store: SqlStore,
    sub: Subscription,
    publishers: Mapping[tuple[str, str], Publisher],
    at: dt.datetime = NEXT_DAY,
) -> tuple[Subscription, dict[str, int], dict[str, int]]:
    added = await store.add(sub, now=MORNING)
    snapshots = CountingSnapshots(sample_snapshot())
    posted = await Deliverer(store, snapshots, publishers, clock=lambda: MORNING).run(MORNING)
    refreshed = await Refresher(store, snapshots, publishers, clock=lambda: at).run()
    return added, dict(posted.outcomes), dict(refreshed.outcomes)


def subscription(**fields: object) -> Subscription:
    return Subscription.model_validate(
        {"post_time": dt.time(9), "top": 100, "refresh_after": 24, **fields}
    )


async def test_slack_messages_are_updated_in_place_with_their_metadata(store: SqlStore) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        publisher.gates.default_factory = lambda: Gate(0)
        sub, posted, refreshed = await post_then_refresh(
            store,
            subscription(platform="slack", destination="C1"),
            {("slack", "channel"): publisher},
        )
    assert posted == {"posted": 1}
    assert refreshed == {"refreshed": 1}
    assert len(slack.messages) == 2  # the first, and one in its thread: nothing new
    assert [u["ts"] for u in slack.updates] == [m["ts"] for m in slack.messages]
    key = delivery_key(sub, MORNING.date())
    assert [u["metadata"]["event_payload"]["key"] for u in slack.updates] == [
        message_key(key, 0),
        message_key(key, 1),
    ]
    assert all(u["text"] and u["blocks"] for u in slack.updates)


async def test_a_deleted_slack_message_gives_its_refresh_up(store: SqlStore) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        publisher.gates.default_factory = lambda: Gate(0)
        sub = await store.add(subscription(platform="slack", destination="C1"), now=MORNING)
        snapshots = CountingSnapshots(sample_snapshot())
        publishers = {("slack", "channel"): publisher}
        await Deliverer(store, snapshots, publishers, clock=lambda: MORNING).run(MORNING)
        slack.messages.clear()  # someone deleted the post
        report = await Refresher(store, snapshots, publishers, clock=lambda: NEXT_DAY).run()
    assert report.outcomes == {"refresh given up": 1}
    assert report.problems == [
        f"subscription {sub.id}: the post of {MORNING.date()} cannot be refreshed: "
        "Slack refused an edit in C1: message_not_found"
    ]
    assert sub.id is not None
    (delivery,) = await store.deliveries(sub.id)
    assert "refresh given up" in delivery.last_error


async def test_discord_channel_messages_are_patched(store: SqlStore) -> None:
    discord_api = FakeDiscord()
    with serve(discord_api.routes(), post=discord_api.post, patch=discord_api.patch) as (base, _):
        async with httpx.AsyncClient() as client:
            publisher = DiscordPublisher(client, "bot-token", api_base=f"{base}/api/v10")
            _, posted, refreshed = await post_then_refresh(
                store,
                subscription(platform="discord", destination="555"),
                {("discord", "channel"): publisher},
            )
    assert posted == {"posted": 1}
    assert refreshed == {"refreshed": 1}
    ids = [m["id"] for m in discord_api.messages]
    assert len(ids) == 3  # with a row of buttons per paper, at most five papers a message
    assert [route for route, _ in discord_api.edits] == [f"/channels/555/messages/{n}" for n in ids]
    assert all(body["allowed_mentions"] == {"parse": []} for _, body in discord_api.edits)
    assert all("nonce" not in body for _, body in discord_api.edits)


async def test_discord_webhook_messages_are_patched_by_their_id(store: SqlStore) -> None:
    discord_api = FakeDiscord()
    with serve(discord_api.routes(), post=discord_api.post, patch=discord_api.patch) as (base, _):
        async with httpx.AsyncClient() as client:
            _, posted, refreshed = await post_then_refresh(
                store,
                subscription(
                    platform="discord",
                    kind="webhook",
                    destination=f"{base}/api/v10/webhooks/77/tok?thread_id=9",
                ),
                {("discord", "webhook"): WebhookPublisher(client, "discord")},
            )
    assert posted == {"posted": 1}
    assert refreshed == {"refreshed": 1}
    ids = [m["id"] for m in discord_api.webhook_messages]
    assert [route for route, _ in discord_api.edits] == [
        f"/webhooks/77/tok/messages/{n}" for n in ids
    ]
    assert len(discord_api.followups) == 2


async def test_slack_incoming_webhooks_are_not_refreshed(store: SqlStore) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post, patch=slack.post) as (base, seen):
        async with httpx.AsyncClient() as client:
            sub, posted, refreshed = await post_then_refresh(
                store,
                subscription(platform="slack", kind="webhook", destination=f"{base}/hooks/T/B/x"),
                {("slack", "webhook"): WebhookPublisher(client, "slack")},
            )
        calls = list(seen)
    assert posted == {"posted": 1}
    assert refreshed == {"not refreshable": 1}
    assert len(calls) == 2  # the two posts, nothing else
    assert sub.id is not None
    (delivery,) = await store.deliveries(sub.id)
    assert "cannot edit" in delivery.last_error


class NoLiveDay:
    """A live provider that must not be asked (the day is stored)."""

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        raise AssertionError(f"the live provider was asked for {day}")


async def test_settled_counts_are_read_again_once_the_readings_are_older_than_the_ttl(
    store: SqlStore, tmp_path: Path
) -> None:
    sample = sample_snapshot()
    posted_at = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    signals = tuple(s.model_copy(update={"taken_at": posted_at}) for s in sample.signals)
    await store.readings.record(
        sample.model_copy(update={"taken_at": posted_at, "signals": signals})
    )
    asked: list[str] = []

    def hackernews(query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        asked.append(query["query"][0])
        return 200, "application/json", json.dumps({"hits": [], "nbHits": 0}).encode()

    with serve({"/hn": hackernews}) as (base, _):
        settings = Settings(
            data_dir=tmp_path,
            sources=("hackernews",),
            hackernews_api_url=f"{base}/hn",
            signals_ttl_minutes=60,
        )
        async with httpx.AsyncClient() as client:
            soon = SettledSnapshots(
                settings, store, client, NoLiveDay(), clock=lambda: posted_at + HALF_HOUR
            )
            held = await soon.snapshot(sample.date, ())
            assert held is not None
            assert asked == []  # younger than the TTL: the readings as they are
            assert {p.arxiv_id for p in held.papers} == {p.arxiv_id for p in sample.papers}
            later = SettledSnapshots(
                settings, store, client, NoLiveDay(), clock=lambda: posted_at + HALF_HOUR * 48
            )
            again = await later.snapshot(sample.date, ())
    assert asked  # older: Hacker News was asked again about the day's papers
    assert again is not None
    assert {p.arxiv_id for p in again.papers} == {p.arxiv_id for p in sample.papers}
