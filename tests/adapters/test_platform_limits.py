"""The platforms' rate limits: what each publisher declares (paces), Discord's buckets read from
its headers, and a Slack delivery that reads no history unless it must reconcile."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from adapters.console.publisher import ConsolePublisher
from adapters.discord.publisher import POST_MESSAGE, Buckets, DiscordPublisher
from adapters.slack.publisher import SlackPublisher, WorkspacePublisher, web_client
from adapters.webhooks import WebhookPublisher
from bot.delivery import Deliverer
from bot.engine import build_digest
from bot.errors import RateLimited
from bot.models import Filters
from bot.polite import Gate
from bot.ports import Pace, Paced
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.adapters.test_delivery_faults import DAY, MORNING, busy_snapshot, later
from tests.fakediscord import FakeDiscord
from tests.fakes import FakeTime
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
SLACK_HOOK = "https://hooks.slack.com/services/T1/B1/secret-token-1"
DISCORD_HOOK = "https://discord.com/api/webhooks/42/secret-token-2"


def keyed(paces: object) -> dict[str, tuple[float, float]]:
    assert isinstance(paces, tuple)
    assert all(isinstance(p, Pace) for p in paces)
    return {p.key: (p.rate, p.per) for p in paces}


def test_every_publisher_declares_the_platforms_published_limits() -> None:
    client = httpx.AsyncClient()
    slack = SlackPublisher(web_client("xoxb-test", "http://127.0.0.1:9/api/"))
    workspaces = WorkspacePublisher(object(), "http://127.0.0.1:9/api/")  # type: ignore[arg-type]
    discord = DiscordPublisher(client, "token")
    channel = Subscription(platform="slack", workspace="T123", destination="C456")
    for publisher in (slack, workspaces, discord, ConsolePublisher(io.StringIO())):
        assert isinstance(publisher, Paced)
    assert keyed(slack.paces(channel)) == {
        # One a second, and a tenth of a second of margin (a message leaves after its turn).
        "slack:T123:C456": (1, 1.1),
        "slack-workspace:T123": (300, 60.0),
    }
    assert keyed(workspaces.paces(channel)) == keyed(slack.paces(channel))
    in_guild = Subscription(platform="discord", workspace="777", destination="555")
    assert keyed(discord.paces(in_guild)) == {
        "discord-bot": (50, 1.0),
        "discord:channel:555": (5, 5.0),
    }
    assert ConsolePublisher(io.StringIO()).paces(channel) == ()


def test_a_webhooks_limits_are_keyed_by_a_hash_never_by_its_secret_url() -> None:
    client = httpx.AsyncClient()
    slack_hook = Subscription(platform="slack", kind="webhook", destination=SLACK_HOOK)
    discord_hook = Subscription(platform="discord", kind="webhook", destination=DISCORD_HOOK)
    slack = keyed(WebhookPublisher(client, "slack").paces(slack_hook))
    discord = keyed(WebhookPublisher(client, "discord").paces(discord_hook))
    assert list(slack.values()) == [(1, 1.1)]
    assert sorted(discord.values()) == [(5, 2.0), (30, 60.0)]
    for key in [*slack, *discord]:
        assert key.startswith(("webhook:", "webhook-minute:"))
        assert "secret" not in key
        assert "hooks.slack.com" not in key
        assert "discord.com" not in key
    other = Subscription(platform="slack", kind="webhook", destination=SLACK_HOOK + "x")
    assert keyed(WebhookPublisher(client, "slack").paces(other)).keys() != slack.keys()


def _message() -> dict[str, object]:
    digest = build_digest(sample_snapshot(), Filters(top=1), generated_at=NOW)
    return DiscordPublisher(httpx.AsyncClient(), "t").render(digest)[0]


FIRST = Subscription(platform="discord", destination="555")
SECOND = Subscription(platform="discord", destination="556")


@asynccontextmanager
async def bucketed(limit: int) -> AsyncIterator[tuple[FakeDiscord, DiscordPublisher, FakeTime]]:
    """A fake Discord whose channel buckets take ``limit`` posts every 5 s, and a publisher,
    on a clock that only their sleeping moves."""
    clock = FakeTime()
    fake = FakeDiscord(bucket=(limit, 5.0), clock=clock.monotonic)
    with serve(fake.routes(), post=fake.post) as (base, _):
        async with httpx.AsyncClient() as client:
            yield (
                fake,
                DiscordPublisher(
                    client,
                    "token",
                    api_base=f"{base}/api/v10",
                    sleep=clock.sleep,
                    monotonic=clock.monotonic,
                ),
                clock,
            )


async def test_an_empty_discord_bucket_holds_back_only_its_channel_until_it_resets() -> None:
    async with bucketed(2) as (fake, publisher, clock):
        await publisher.send(FIRST, _message(), key="", thread="")
        await publisher.send(FIRST, _message(), key="", thread="")  # 555: none left
        await publisher.send(SECOND, _message(), key="", thread="")  # its own bucket
        with pytest.raises(RateLimited) as held:
            await publisher.send(FIRST, _message(), key="", thread="")
        # Not slept here (it would hold the delivery's place): the Deliverer waits, then asks
        # again.
        assert (held.value.retry_after, clock.slept) == (5.0, [])
        await clock.sleep(held.value.retry_after)
        await publisher.send(FIRST, _message(), key="", thread="")
    assert fake.refused == 0  # never sent into an empty bucket, so never refused
    assert [m["channel_id"] for m in fake.messages] == ["555", "555", "556", "555"]


async def test_a_discord_429_delays_only_its_channel_and_a_global_one_every_channel() -> None:
    async with bucketed(1) as (fake, publisher, clock):
        await publisher.send(FIRST, _message(), key="", thread="")
        # Another client of the same bot spent 555's bucket: Discord says 429 for 555 only.
        publisher.buckets.state.clear()
        with pytest.raises(RateLimited) as refused:
            await publisher.send(FIRST, _message(), key="", thread="")
        assert (fake.refused, refused.value.retry_after) == (1, 5.0)
        await publisher.send(SECOND, _message(), key="", thread="")  # 556 goes at once
        fake.global_limit_next = 1  # the bot as a whole is over its limit
        with pytest.raises(RateLimited) as own:  # 556's own bucket (1 every 5 s) first
            await publisher.send(SECOND, _message(), key="", thread="")
        await clock.sleep(own.value.retry_after)
        with pytest.raises(RateLimited) as every:  # then the global 429's retry_after
            await publisher.send(SECOND, _message(), key="", thread="")
        assert (own.value.retry_after, every.value.retry_after) == (5.0, 0.25)
        await clock.sleep(every.value.retry_after)
        await publisher.send(SECOND, _message(), key="", thread="")
    assert [m["channel_id"] for m in fake.messages] == ["555", "556", "556"]
    buckets = Buckets(monotonic=clock.monotonic)
    refused = httpx.Response(
        429, headers={"X-RateLimit-Global": "true"}, json={"retry_after": 2.0, "global": True}
    )
    buckets.learn(POST_MESSAGE, "555", refused)
    # A global limit holds back every channel.
    assert buckets.delay(POST_MESSAGE, "999") == 2.0


async def test_discord_headers_that_are_missing_or_odd_change_nothing() -> None:
    clock = FakeTime()
    buckets = Buckets(monotonic=clock.monotonic)
    waits = []
    for headers in (
        {},
        {"X-RateLimit-Remaining": "zero", "X-RateLimit-Reset-After": "1"},
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset-After": "-3"},
    ):
        buckets.learn(POST_MESSAGE, "555", httpx.Response(200, headers=headers))
        waits.append(buckets.delay(POST_MESSAGE, "555"))
    assert waits == [0.0, 0.0, 0.0]


def _slack_deliverer(store: SqlStore, publisher: SlackPublisher) -> Deliverer:
    return Deliverer(
        store,
        FixedSnapshot(busy_snapshot(60)),
        {("slack", "channel"): publisher},
        clock=lambda: MORNING,
        fixed_date=DAY,
    )


async def test_slack_reads_history_only_to_reconcile_a_delivery_cut_off(store: SqlStore) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        for channel in ("C1", "C2", "C3"):
            await store.add(
                Subscription(platform="slack", destination=channel, top=60, post_time=dt.time(9)),
                now=MORNING,
            )
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        publisher.gates.default_factory = lambda: Gate(0)
        report = await _slack_deliverer(store, publisher).run(MORNING)
        assert report.outcomes == {"posted": 3}
        posted = len(slack.messages)
        assert posted >= 9  # several messages a channel: threads
        reads = [c for c in slack.calls if c.startswith("/api/conversations.")]
        assert reads == []  # a normal delivery never reads history
        await store.add(
            Subscription(platform="slack", destination="C4", top=60, post_time=dt.time(9)),
            now=MORNING,
        )
        slack.lose_answers = [True]  # the first message of C4 went out, its answer was lost
        cut_off = await _slack_deliverer(store, publisher).run(later(1))
        assert cut_off.outcomes["failed"] == 1
        again = await _slack_deliverer(store, publisher).run(later(6))
        assert again.outcomes["posted"] == 1
    reads = [c for c in slack.calls if c.startswith("/api/conversations.")]
    assert reads.count("/api/conversations.history") >= 1  # the reconcile looked it up
    heads = [m for m in slack.messages if m.get("channel") == "C4" and "thread_ts" not in m]
    assert len(heads) == 1  # found, not posted twice


async def test_a_slack_429_comes_back_to_its_own_post_and_others_go_on() -> None:
    slack = FakeSlack()
    slack.rate_limited = {"C1": 1}
    digest = build_digest(sample_snapshot(), Filters(top=1), generated_at=NOW)
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        message = publisher.render(digest)[0]
        posts = [
            publisher.send(
                Subscription(platform="slack", destination=channel), message, key="", thread=""
            )
            for channel in ("C1", "C2")
        ]
        limited, posted = await asyncio.gather(*posts, return_exceptions=True)
    # Handed back at once, for the Deliverer to wait out without holding its place.
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 0.0  # the fake's Retry-After
    assert isinstance(posted, str)
    assert slack.refused == 1
    assert [m["channel"] for m in slack.messages] == ["C2"]


async def test_deliver_and_run_share_publishers_that_all_declare_their_limits(
    store: SqlStore, tmp_path: Path
) -> None:
    from adapters.cli.publishing import LazyPublisher, publishers
    from bot.settings import Settings

    settings = Settings(data_dir=tmp_path, slack_bot_token="xoxb-x", discord_token="d")
    async with publishers(settings, store, console=io.StringIO()) as publishing:
        assert set(publishing.table) == {
            ("slack", "webhook"),
            ("discord", "webhook"),
            ("slack", "channel"),
            ("discord", "channel"),
            ("console", "channel"),
        }
        assert publishing.missing == {}
        assert all(isinstance(p, Paced) for p in publishing.table.values())
        slack, discord = (
            publishing.table[("slack", "channel")],
            publishing.table[("discord", "channel")],
        )
        assert isinstance(slack, LazyPublisher)
        assert isinstance(discord, LazyPublisher)
        channel = Subscription(platform="slack", workspace="T1", destination="C1")
        in_guild = Subscription(platform="discord", destination="555")
        declared = (slack.paces(channel), discord.paces(in_guild))
        # Declared without building; the same as the built publishers'.
        assert isinstance(slack.made, SlackPublisher)
        assert isinstance(discord.made, DiscordPublisher)
        assert declared == (slack.made.paces(channel), discord.made.paces(in_guild))
    bare = Settings(data_dir=tmp_path)
    async with publishers(bare, store, console=None) as publishing:
        assert set(publishing.table) == {("slack", "webhook"), ("discord", "webhook")}
        assert "SLACK_BOT_TOKEN" in publishing.missing[("slack", "channel")]
        assert "DISCORD_TOKEN" in publishing.missing[("discord", "channel")]
