from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from adapters.slack.blocks import Rendered, to_messages
from adapters.slack.publisher import SlackPublisher, web_client
from bot.delivery import message_key
from bot.engine import build_digest
from bot.errors import DestinationGone
from bot.feedback.actions import OwnCount, with_own
from bot.models import Filters, Paper, Post, Signal
from bot.polite import Gate
from bot.snapshot import Snapshot, sample_snapshot, write_snapshot
from bot.subscriptions import Subscription
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)


def hostile_snapshot(papers: int = 1) -> Snapshot:
    items = tuple(
        Paper(
            arxiv_id=f"2611.{n:05d}",
            title=f"<!channel> <@U123> <https://evil.example|click> & paper {n}",
            authors=("<!everyone>",),
            abstract="x" * 5000,
            categories=("cs.LG",),
            primary_category="cs.LG",
        )
        for n in range(1, papers + 1)
    )
    post = Post(
        url="https://bsky.app/profile/a/post/1",
        author="<!here>",
        text="<!subteam^S1> look",
        counts={"likes": 1},
    )
    signals = tuple(
        Signal(source="bluesky", arxiv_id=p.arxiv_id, counts={"likes": 100 - n}, post=post)
        for n, p in enumerate(items)
    )
    return Snapshot(
        date=dt.date(2026, 11, 24), papers=items, signals=signals, sources_used=("bluesky",)
    )


def test_a_digest_answered_again_is_assembled_from_the_papers_rendered_before() -> None:
    """The same messages, with or without the kept renderings; a paper whose channel count
    changed is rendered again, the others are not."""
    digest = build_digest(hostile_snapshot(30), Filters(top=30), generated_at=NOW)
    rendered = Rendered()
    first = to_messages(digest, with_buttons=True, rendered=rendered)
    assert first == to_messages(digest, with_buttons=True)
    assert rendered.rendered == len(digest.items) > 1
    assert to_messages(digest, with_buttons=True, rendered=rendered) == first
    assert rendered.rendered == len(digest.items)
    counted = with_own(
        digest, {digest.items[0].paper.arxiv_id: OwnCount(likes=2)}, group="this channel"
    )
    again = to_messages(counted, with_buttons=True, rendered=rendered)
    assert again == to_messages(counted, with_buttons=True) != first
    assert rendered.rendered == len(digest.items) + 1
    assert to_messages(digest, rendered=rendered) == to_messages(digest)  # no buttons: its own
    assert rendered.rendered == 2 * len(digest.items) + 1


def test_upstream_text_can_never_ping_or_link_and_limits_hold() -> None:
    digest = build_digest(hostile_snapshot(120), Filters(), generated_at=NOW)
    messages = to_messages(digest)
    assert len(messages) > 1
    for message in messages:
        assert len(message["blocks"]) <= 50
        assert len(json.dumps(message)) < 16_000
        raw = json.dumps(message)
        for ping in (
            "<!channel>",
            "<!everyone>",
            "<!here>",
            "<@U123>",
            "<!subteam",
            "<https://evil",
        ):
            assert ping not in raw
    assert "&lt;!channel&gt;" in json.dumps(messages[0])


async def test_a_long_digest_continues_in_the_thread_and_a_retry_never_posts_twice() -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        publisher.gates.default_factory = lambda: Gate(0)  # no second between messages here
        sub = Subscription(id=1, platform="slack", destination="C1")
        digest = build_digest(hostile_snapshot(60), Filters(), generated_at=NOW)
        ts = await publisher.post("C1", digest, key="k1")
        first, *rest = slack.messages
        assert first["ts"] == ts
        assert first["metadata"] == {
            "event_type": "hotpapers_digest",
            "event_payload": {"key": message_key("k1", 0)},
        }
        assert rest
        assert all(m["thread_ts"] == ts for m in rest)
        assert all(m["unfurl_links"] is False for m in slack.messages)
        assert "/api/conversations.history" not in slack.calls  # looked up only to reconcile
        messages = publisher.render(digest)
        found = await publisher.find(sub, messages[0], key=message_key("k1", 0), thread="")
        assert found == ts  # found by its metadata
        in_thread = await publisher.find(sub, messages[1], key=message_key("k1", 1), thread=ts)
        assert in_thread == rest[0]["ts"]
        assert await publisher.find(sub, messages[1], key=message_key("k2", 1), thread=ts) is None


async def test_a_gone_channel_pauses_and_tells_the_subscriber() -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        sub = Subscription(id=1, platform="slack", destination="C_GONE", created_by="U42")
        digest = build_digest(sample_snapshot(), Filters(top=1), generated_at=NOW)
        with pytest.raises(DestinationGone, match="channel_not_found"):
            await publisher.send(sub, publisher.render(digest)[0], key="k", thread="")
    (dm,) = slack.messages
    assert dm["channel"] == "U42"
    assert "paused" in dm["text"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: str, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    timestamp = str(at if at is not None else int(time.time()))
    signature = hmac.new(
        secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": f"v0={signature}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def slash(base: str, text: str, n: int) -> str:
    return urlencode(
        {
            "command": "/hotpapers",
            "text": text,
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "response_url": f"{base}/respond/{n}",
            "trigger_id": "1.2.3",
            "token": "legacy",
        }
    )


def test_the_slack_app_answers_slash_commands_in_http_mode(tmp_path: Path) -> None:
    slack = FakeSlack()
    port = free_port()
    hostile = tmp_path / "hostile.json"
    write_snapshot(hostile_snapshot(3), hostile)
    with serve(slack.routes(), post=slack.post) as (base, _):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HOTPAPERS_", "SLACK_"))}
        env |= {
            "HOTPAPERS_DATA_DIR": str(tmp_path),
            "HOTPAPERS_HTTP_PORT": str(port),
            "HOTPAPERS_HTTP_HOST": "127.0.0.1",
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{base}/api/",
        }
        bot = subprocess.Popen(
            [sys.executable, "-m", "adapters.cli.main", "run", "--snapshot", str(hostile)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while True:
                try:
                    health = httpx.get(f"{url}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    assert bot.poll() is None, "the bot stopped"
                    assert time.monotonic() < deadline, "the bot did not start"
                    time.sleep(0.1)
            assert health.json()["platforms"]["slack"] == f"HTTP /slack/events on port {port}"

            body = slash(base, "top 2", 1)
            started = time.monotonic()
            answer = httpx.post(
                f"{url}/slack/events", content=body, headers=signed(body), timeout=5
            )
            assert answer.status_code == 200
            assert time.monotonic() - started < 3  # acknowledged within Slack's 3 seconds
            wait_for(lambda: slack.responses)
            response = slack.responses[0]
            assert response["response_type"] == "ephemeral"
            assert "<!channel>" not in json.dumps(response)

            body = slash(base, "public", 2)
            assert (
                httpx.post(
                    f"{url}/slack/events", content=body, headers=signed(body), timeout=5
                ).status_code
                == 200
            )
            wait_for(lambda: slack.messages)
            assert slack.messages[0]["channel"] == "C1"
            assert "<!channel>" not in json.dumps(slack.messages)

            body = slash(base, "subscribe cs.LGG", 3)
            httpx.post(f"{url}/slack/events", content=body, headers=signed(body), timeout=5)
            wait_for(lambda: len(slack.responses) > 1)
            assert "Did you mean cs.LG" in slack.responses[-1]["text"]

            forged = httpx.post(
                f"{url}/slack/events", content=body, headers=signed(body, secret="wrong"), timeout=5
            )
            stale = httpx.post(
                f"{url}/slack/events",
                content=body,
                headers=signed(body, at=int(time.time()) - 600),
                timeout=5,
            )
            assert (forged.status_code, stale.status_code) == (401, 401)
            time.sleep(0.3)
            assert len(slack.responses) == 2  # nothing ran for them

            # The views over stored days answer from Slack too (the snapshot's day is stored).
            body = slash(base, "week top 3", 4)
            httpx.post(f"{url}/slack/events", content=body, headers=signed(body), timeout=5)
            wait_for(lambda: len(slack.responses) > 2)
            assert slack.responses[-1]["text"].startswith("Hot Papers, best of the week")
        finally:
            bot.terminate()
            _, err = bot.communicate(timeout=20)
    assert bot.returncode == 0, err
    assert "Traceback" not in err


def wait_for(condition: object, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_post_to_a_slack_channel_and_a_slack_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from adapters.cli.main import app

    slack = FakeSlack()
    for name in list(os.environ):
        if name.startswith(("HOTPAPERS_", "SLACK_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path))
    with serve(slack.routes(), post=slack.post) as (base, _):
        monkeypatch.setenv("SLACK_API_URL", f"{base}/api/")
        runner = CliRunner()
        result = runner.invoke(app, ["post", "--slack-channel", "C1", "--sample", "--top", "3"])
        assert "needs SLACK_BOT_TOKEN" in result.stderr
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
        result = runner.invoke(app, ["post", "--slack-channel", "C1", "--sample", "--top", "3"])
        assert result.exit_code == 0, result.stderr
        assert "posted the digest of 2021-03-18" in result.stderr
        result = runner.invoke(
            app, ["post", "--slack-webhook", f"{base}/hooks/T/B/x", "--sample", "-c", "cs.CV"]
        )
        assert result.exit_code == 0, result.stderr
        result = runner.invoke(app, ["post", "--slack-channel", "C_GONE", "--sample"])
        assert result.exit_code == 2
        assert "channel_not_found" in result.stderr
    assert slack.messages[0]["channel"] == "C1"
    assert slack.messages[0]["text"] == "Hot Papers 2021-03-18 — top 3"
    assert slack.webhook_posts[0]["text"].startswith("Hot Papers 2021-03-18 — cs.CV")


async def test_an_ephemeral_digest_never_exceeds_what_a_response_url_accepts() -> None:
    from adapters.slack.app import MAX_RESPONSES, answer
    from bot.chat import DigestReply

    sent: list[dict[str, object]] = []

    async def respond(**message: object) -> None:
        sent.append(message)

    digest = build_digest(hostile_snapshot(100), Filters(), generated_at=NOW)
    assert len(to_messages(digest)) > MAX_RESPONSES
    await answer(DigestReply(digest=digest), respond=respond, client=None, channel="C1")  # type: ignore[arg-type]
    assert len(sent) == MAX_RESPONSES
    assert "add public to post it all" in str(sent[-1]["text"])


def test_run_posts_scheduled_digests_to_slack_channels_like_deliver(tmp_path: Path) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("HOTPAPERS_", "DISCORD_", "SLACK_"))
        }
        env |= {
            "HOTPAPERS_DATA_DIR": str(tmp_path),
            "HOTPAPERS_DATABASE_URL": f"sqlite:///{tmp_path / 'hotpapers.db'}",
            "HOTPAPERS_HTTP_PORT": str(free_port()),
            "HOTPAPERS_HTTP_HOST": "127.0.0.1",
            "SLACK_BOT_TOKEN": "xoxb-run",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{base}/api/",
        }
        due = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).strftime("%H:%M")
        cli = [sys.executable, "-m", "adapters.cli.main"]
        for platform, channel in (("slack", "C1"), ("discord", "555")):
            add = [*cli, "subscriptions", "add", "--platform", platform, "--channel", channel]
            when = ["--time", due, "--weekdays", "daily", "--top", "2"]
            subprocess.run([*add, *when], env=env, check=True, capture_output=True)
        bot = subprocess.Popen(
            [*cli, "run", "--sample", "--server"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            wait_for(lambda: slack.messages or bot.poll() is not None, 30)
        finally:
            bot.terminate()
            _, err = bot.communicate(timeout=20)
    assert [m["channel"] for m in slack.messages] == ["C1"], err
    assert slack.messages[0]["text"] == "Hot Papers 2021-03-18 — top 2"
    assert "/api/conversations.history" not in slack.calls
    # No DISCORD_TOKEN: the Discord channel is named with what to set, the rest goes on.
    assert "1 discord channel subscription cannot be served" in err
    assert "DISCORD_TOKEN" in err
    assert "Traceback" not in err


async def test_sends_are_paced_by_the_deliverer_and_posts_by_the_publishers_gate() -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        waits: list[float] = []

        async def record(seconds: float) -> None:
            waits.append(seconds)

        publisher.gates.default_factory = lambda: Gate(1.0, sleep=record)
        sub = Subscription(id=1, platform="slack", destination="C1")
        digest = build_digest(hostile_snapshot(3), Filters(), generated_at=NOW)
        (message,) = publisher.render(digest)[:1]
        for n in range(3):
            await publisher.send(sub, message, key=f"k{n}", thread="")
        assert waits == []  # the Deliverer waits on the publisher's paces instead
        assert next(p.key for p in publisher.paces(sub)).endswith(":C1")
        await publisher.post("C2", digest)
        await publisher.post("C2", digest)
        assert len(waits) >= 1  # outside the ledger: one message a second per channel


async def test_a_429_on_a_scheduled_post_is_handed_to_the_deliverer_not_slept_out() -> None:
    from bot.errors import RateLimited

    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        publisher = SlackPublisher(web_client("xoxb-test", f"{base}/api/"))
        sub = Subscription(id=1, platform="slack", destination="C1")
        digest = build_digest(hostile_snapshot(3), Filters(), generated_at=NOW)
        message = publisher.render(digest)[0]
        slack.rate_limited["C1"] = 1
        with pytest.raises(RateLimited) as held:
            await publisher.send(sub, message, key="k1", thread="")
        assert (slack.refused, held.value.retry_after) == (1, 0.0)
        assert await publisher.send(sub, message, key="k1", thread="")  # then it goes
        slack.rate_limited["C2"] = 1
        await publisher.post("C2", digest)  # outside the ledger: waited out in the call
        assert slack.refused == 2
