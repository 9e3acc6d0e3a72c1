"""Exactly once against faulty platforms: the deliverer, the real publishers, local fakes."""

from __future__ import annotations

import datetime as dt
import json
import socket

import discord
import httpx
import pytest

from adapters.discord.embeds import to_messages as discord_messages
from adapters.discord.publisher import DiscordPublisher
from adapters.slack.blocks import to_messages as slack_messages
from adapters.slack.publisher import EVENT, SlackPublisher, web_client
from adapters.webhooks import WebhookPublisher
from bot.delivery import Deliverer
from bot.engine import build_digest
from bot.models import Digest, Filters, Paper, Signal
from bot.polite import Gate
from bot.ports import Publisher
from bot.snapshot import Snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakediscord import FakeDiscord
from tests.fakes import no_sleep
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack
from tests.fakewebhook import ScriptedWebhook

DAY = dt.date(2026, 11, 24)
MORNING = dt.datetime(2026, 11, 25, 9, 5, tzinfo=dt.UTC)
TIMEOUT_S = 0.3


def busy_snapshot(papers: int = 25) -> Snapshot:
    """A day whose digest needs several messages on Slack and on Discord."""
    items = tuple(
        Paper(
            arxiv_id=f"2611.{n:05d}",
            title=f"Paper {n} " + "t" * 200,
            authors=("A. Author",),
            abstract="a" * 3000,
            categories=("cs.LG",),
            primary_category="cs.LG",
        )
        for n in range(1, papers + 1)
    )
    signals = tuple(
        Signal(source="hackernews", arxiv_id=p.arxiv_id, counts={"points": 200 - n})
        for n, p in enumerate(items)
    )
    return Snapshot(date=DAY, papers=items, signals=signals, sources_used=("hackernews",))


def subscription(platform: str, kind: str, destination: str, *, top: int = 25) -> Subscription:
    return Subscription(
        platform=platform, kind=kind, destination=destination, top=top, post_time=dt.time(9)
    )


def deliverer(store: SqlStore, publisher: Publisher, platform: str, kind: str) -> Deliverer:
    return Deliverer(
        store,
        FixedSnapshot(busy_snapshot(60)),
        {(platform, kind): publisher},
        clock=lambda: MORNING,
        fixed_date=DAY,
    )


def later(minutes: int) -> dt.datetime:
    return MORNING + dt.timedelta(minutes=minutes)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_webhook_answering_after_the_timeout_is_not_posted_again(store: SqlStore) -> None:
    hook = ScriptedWebhook(["slow"], slow_s=TIMEOUT_S * 4)
    with serve({}, post=hook) as (base, _):
        await store.add(subscription("slack", "webhook", f"{base}/slack/T/B/x"), now=MORNING)
        async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
            publisher = WebhookPublisher(client, "slack")
            first = await deliverer(store, publisher, "slack", "webhook").run(MORNING)
            assert first.outcomes == {"uncertain": 1}
            assert "ReadTimeout" in first.problems[0]
            for minutes in (5, 10, 15):
                again = await deliverer(store, publisher, "slack", "webhook").run(later(minutes))
                assert again.uncertain == 1
    assert len(hook.posts) == 1  # the retries never posted it again


async def test_a_500_on_message_2_never_posts_message_1_twice(store: SqlStore) -> None:
    hook = ScriptedWebhook(["ok", "down"])
    with serve({}, post=hook) as (base, _):
        sub = await store.add(
            subscription("discord", "webhook", f"{base}/discord/1/t"), now=MORNING
        )
        async with httpx.AsyncClient(timeout=5) as client:
            publisher = WebhookPublisher(client, "discord", sleep=no_sleep)
            first = await deliverer(store, publisher, "discord", "webhook").run(MORNING)
            assert first.outcomes == {"uncertain": 1}
            assert "message 2 of" in first.problems[0]
            (row,) = await store.deliveries(sub.id)
            assert (row.state, row.messages_posted) == ("uncertain", 1)
            await store.resolve(row.id, posted=False, now=later(5))  # the operator checked
            second = await deliverer(store, publisher, "discord", "webhook").run(later(10))
            assert second.outcomes == {"posted": 1}
    expected = [m["embeds"][0]["title"] for m in discord_messages(_digest())]
    assert len(expected) >= 3
    assert hook.titles() == expected  # each message once, in order


async def test_a_discord_webhook_answering_200_without_json_is_posted(store: SqlStore) -> None:
    hook = ScriptedWebhook(["not-json"])
    with serve({}, post=hook) as (base, _):
        await store.add(subscription("discord", "webhook", f"{base}/discord/1/t"), now=MORNING)
        await store.add(subscription("discord", "webhook", f"{base}/discord/2/t"), now=MORNING)
        async with httpx.AsyncClient(timeout=5) as client:
            publisher = WebhookPublisher(client, "discord")
            report = await deliverer(store, publisher, "discord", "webhook").run(MORNING)
    assert report.outcomes == {"posted": 2}
    assert {d.state for d in await store.deliveries()} == {"posted"}


async def test_a_webhook_that_cannot_be_reached_is_simply_retried(store: SqlStore) -> None:
    url = f"http://127.0.0.1:{closed_port()}/discord/1/t"
    await store.add(subscription("discord", "webhook", url), now=MORNING)
    async with httpx.AsyncClient(timeout=5) as client:
        publisher = WebhookPublisher(client, "discord")
        report = await deliverer(store, publisher, "discord", "webhook").run(MORNING)
    assert report.outcomes == {"failed": 1}
    assert "could not be reached (ConnectError) (will be retried)" in report.problems[0]
    assert report.uncertain == 0


def _digest(top: int = 25) -> Digest:
    return build_digest(busy_snapshot(60), Filters(top=top), generated_at=MORNING)


async def test_a_lost_discord_answer_is_found_by_the_next_run(store: SqlStore) -> None:
    fake = FakeDiscord()
    fake.lose_answers = [False, True]  # message 2 is taken, but its answer is a 500
    with serve(fake.routes(), post=fake.post) as (base, _):
        old = discord.http.Route.BASE
        try:
            await store.add(subscription("discord", "channel", "555"), now=MORNING)
            async with httpx.AsyncClient(timeout=5) as client:
                publisher = DiscordPublisher(
                    client, "token", api_base=f"{base}/api/v10", sleep=no_sleep
                )
                first = await deliverer(store, publisher, "discord", "channel").run(MORNING)
                assert first.outcomes == {"failed": 1}
                assert fake.history_reads == 0  # the history is read only to reconcile
                second = await deliverer(store, publisher, "discord", "channel").run(later(5))
                assert second.outcomes == {"posted": 1}
        finally:
            discord.http.Route.BASE = old
    assert fake.history_reads == 1
    titles = [m["embeds"][0]["title"] for m in fake.messages]
    assert titles == [
        m["embeds"][0]["title"] for m in discord_messages(_digest(), with_buttons=True)
    ]


async def test_a_lost_slack_answer_is_found_in_the_thread(store: SqlStore) -> None:
    slack = FakeSlack()
    slack.lose_answers = [False, True]
    with serve(slack.routes(), post=slack.post) as (base, _):
        await store.add(subscription("slack", "channel", "C1", top=60), now=MORNING)
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        publisher.gates.default_factory = lambda: Gate(0)
        first = await deliverer(store, publisher, "slack", "channel").run(MORNING)
        assert first.outcomes == {"failed": 1}
        assert "/api/conversations.replies" not in slack.calls
        second = await deliverer(store, publisher, "slack", "channel").run(later(5))
        assert second.outcomes == {"posted": 1}
    assert slack.calls.count("/api/conversations.replies") == 1
    expected = slack_messages(_digest(60), with_buttons=True)
    assert len(expected) >= 3
    assert [m["text"] for m in slack.messages] == [m["text"] for m in expected]
    head, *rest = slack.messages
    assert all(m["thread_ts"] == head["ts"] for m in rest)
    keys = [m["metadata"]["event_payload"]["key"] for m in slack.messages]
    assert len(set(keys)) == len(keys)


async def test_a_slack_post_answered_after_the_timeout_is_found_not_posted_again(
    store: SqlStore,
) -> None:
    slack = FakeSlack()
    slack.slow_answers = [True]
    with serve(slack.routes(), post=slack.post) as (base, _):
        await store.add(subscription("slack", "channel", "C1", top=3), now=MORNING)
        client = web_client("xoxb-test", f"{base}/api/")
        client.timeout = 0.3  # type: ignore[assignment]
        publisher = SlackPublisher(client)
        publisher.gates.default_factory = lambda: Gate(0)
        first = await deliverer(store, publisher, "slack", "channel").run(MORNING)
        assert first.outcomes == {"failed": 1}
        assert "TimeoutError" in first.problems[0]
        second = await deliverer(store, publisher, "slack", "channel").run(later(5))
        assert second.outcomes == {"posted": 1}
    assert slack.calls.count("/api/conversations.history") == 1
    assert len(slack.messages) == len(slack_messages(_digest(3), with_buttons=True))


async def test_slack_that_cannot_be_reached_is_simply_retried(store: SqlStore) -> None:
    await store.add(subscription("slack", "channel", "C1"), now=MORNING)
    publisher = SlackPublisher(web_client("xoxb-test", f"http://127.0.0.1:{closed_port()}/api/"))
    report = await deliverer(store, publisher, "slack", "channel").run(MORNING)
    assert report.outcomes == {"failed": 1}
    assert (
        "Slack could not be reached (ClientConnectorError) (will be retried)" in report.problems[0]
    )


ODD_DISCORD_HISTORY = [
    {"id": "1", "author": "someone", "embeds": []},
    {"id": "2", "author": {"bot": True}, "embeds": "x", "content": 5},
    {"id": "3", "author": {"bot": True}, "embeds": [1, None, {"title": 2}]},
    "a string",
    7,
    {"author": {"bot": True}, "embeds": []},
]


async def test_an_odd_discord_history_is_simply_not_a_match() -> None:
    def history(query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        return 200, "application/json", json.dumps(ODD_DISCORD_HISTORY).encode()

    with serve({"/api/v10/channels/555/messages": history}) as (base, _):
        async with httpx.AsyncClient(timeout=5) as client:
            publisher = DiscordPublisher(client, "token", api_base=f"{base}/api/v10")
            sub = subscription("discord", "channel", "555")
            for message in discord_messages(_digest(3), with_buttons=True):
                assert await publisher.find(sub, message, key="k", thread="") is None


ODD_SLACK_HISTORIES: list[object] = [
    [{"ts": "1", "metadata": "x"}],
    [{"ts": "1", "metadata": {"event_type": EVENT, "event_payload": "k"}}],
    [{"metadata": {"event_type": EVENT, "event_payload": {"key": "k"}}}],
    ["a string", 7, None],
    "x",
]


@pytest.mark.parametrize("messages", ODD_SLACK_HISTORIES)
async def test_an_odd_slack_history_is_simply_not_a_match(messages: object) -> None:
    def history(query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        body = {"ok": True, "messages": messages}
        return 200, "application/json", json.dumps(body).encode()

    with serve({"/api/conversations.history": history}) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        sub = subscription("slack", "channel", "C1")
        (message, *_) = slack_messages(_digest(3), with_buttons=True)
        assert await publisher.find(sub, message, key="k", thread="") is None


async def test_discord_never_takes_another_deliverys_message_for_its_own(store: SqlStore) -> None:
    fake = FakeDiscord()
    refuse = {"on": False}

    def post(path: str, body: bytes) -> tuple[int, str, bytes]:
        if refuse["on"]:  # a 500 for a post that was not taken
            return 500, "application/json", b'{"message": "500: Internal Server Error"}'
        return fake.post(path, body)

    with serve(fake.routes(), post=post) as (base, _):
        a = await store.add(subscription("discord", "channel", "555", top=3), now=MORNING)
        async with httpx.AsyncClient(timeout=5) as client:
            publisher = DiscordPublisher(
                client, "token", api_base=f"{base}/api/v10", sleep=no_sleep
            )
            run = deliverer(store, publisher, "discord", "channel").run
            assert (await run(MORNING)).outcomes == {"posted": 1}
            # A second subscription of the same channel with the same filters.
            b = await store.add(subscription("discord", "channel", "555", top=3), now=MORNING)
            refuse["on"] = True
            assert (await run(later(1))).outcomes == {"failed": 1, "already handled": 1}
            refuse["on"] = False
            assert (await run(later(6))).outcomes == {"posted": 1, "already handled": 1}
    per_post = len(discord_messages(_digest(3), with_buttons=True))
    assert len(fake.messages) == 2 * per_post  # B's post went out: it was not A's
    ids = {d.subscription_id: d.message_id for d in await store.deliveries()}
    assert ids[a.id] != ids[b.id]  # type: ignore[index]
