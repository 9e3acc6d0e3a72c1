"""The Slack endpoint under attack (issue 11, items 12–14): replays, unreadable requests, a
command without a response_url. The app runs in this process, on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.app import NO_RESPONSE_URL
from adapters.slack.runtime import start_slack
from bot.chat import CommandHandler, Context, Reply
from bot.settings import Settings
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore, open_store
from tests.adapters.test_slack import SECRET, free_port, signed, slash
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)


@asynccontextmanager
async def endpoint(store: SqlStore, base: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """One replica of the HTTP endpoint, as ``hotpapers run`` serves it."""
    settings = Settings(
        data_dir=tmp_path,
        slack_bot_token="xoxb-test",
        slack_signing_secret=SECRET,
        slack_api_url=f"{base}/api/",
    )
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    web_app = web.Application()
    runtime = await start_slack(
        settings, handler, store, may_manage=lambda u: True, web_app=web_app
    )
    runner = web.AppRunner(web_app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        await runtime.stop()
        await runner.cleanup()


@pytest.fixture
async def local(tmp_path: Path) -> AsyncIterator[SqlStore]:
    """A SQLite store: the checks below do not depend on the database."""
    opened = await open_store(f"sqlite:///{tmp_path / 'endpoint.db'}")
    yield opened
    await opened.close()


async def settle(slack: FakeSlack, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(slack.responses) < count:
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # time for anything that should not happen


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_replayed_request_runs_once_on_any_replica(
    database_url: str, tmp_path: Path
) -> None:
    slack = FakeSlack()
    first, second = await open_store(database_url), await open_store(database_url)
    try:
        with serve(slack.routes(), post=slack.post) as (base, _):
            async with (
                endpoint(first, base, tmp_path) as one,
                endpoint(second, base, tmp_path) as two,
            ):
                body = slash(base, "subscribe cs.LG", 1)
                headers = signed(body)
                assert (
                    await one.post("/slack/events", content=body, headers=headers)
                ).status_code == 200
                await settle(slack, 1)
                again = await one.post("/slack/events", content=body, headers=headers)
                elsewhere = await two.post("/slack/events", content=body, headers=headers)
                assert (again.status_code, elsewhere.status_code) == (401, 401)
                body = slash(base, "unsubscribe", 2)
                headers = signed(body)
                both = await asyncio.gather(
                    one.post("/slack/events", content=body, headers=headers),
                    two.post("/slack/events", content=body, headers=headers),
                )
                assert sorted(r.status_code for r in both) == [200, 401]
                await settle(slack, 2)
        assert len(slack.responses) == 2  # subscribed once, unsubscribed once
        assert await first.subscriptions() == []
    finally:
        await first.close()
        await second.close()


@pytest.mark.parametrize(
    ("headers", "body", "reason"),
    [
        (
            {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
            b"text=x",
            "not a number",
        ),
        (
            {"X-Slack-Request-Timestamp": "1e9", "X-Slack-Signature": "v0=00"},
            b"text=x",
            "not a number",
        ),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"text=\xff\xfe", "not UTF-8"),
        # Unsigned bodies Bolt cannot parse (it parses before it checks the signature).
        ({"Content-Type": "application/json"}, b'{"type":', "cannot be read"),
        (
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"payload=%7Bnot-json",
            "cannot be read",
        ),
        ({"Content-Type": "application/x-www-form-urlencoded"}, b"payload=[1,2]", "cannot be read"),
        ({"Content-Type": "application/json"}, b"[" * 5000, "cannot be read"),
        (
            {"Content-Type": "application/x-www-form-urlencoded"},
            b"payload=" + b"%5B" * 100_000,
            "cannot be read",
        ),
    ],
)
async def test_an_unreadable_request_is_a_clean_400(
    local: SqlStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    body: bytes,
    reason: str,
) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            caplog.clear()
            answer = await client.post("/slack/events", content=body, headers=headers)
    assert answer.status_code == 400
    assert reason in answer.text
    no_traceback(caplog)
    warnings = [r for r in caplog.records if r.name == "hotpapers.slack"]
    assert len(warnings) == 1
    assert reason in warnings[0].getMessage()


async def test_a_signed_command_without_a_response_url_is_answered_cleanly(
    local: SqlStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    slack = FakeSlack()
    fields = {
        "command": "/hotpapers",
        "text": "subscribe cs.LG",
        "team_id": "T1",
        "channel_id": "C1",
        "user_id": "U1",
    }
    body = urlencode(fields)
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            caplog.clear()
            answer = await client.post("/slack/events", content=body, headers=signed(body))
            await asyncio.sleep(0.3)
    assert answer.status_code == 200
    assert answer.json()["text"] == NO_RESPONSE_URL
    assert await local.subscriptions() == []  # nothing ran that could not be confirmed
    no_traceback(caplog)


async def test_an_escaped_reply_still_fits_a_slack_message() -> None:
    from adapters.slack.app import answer
    from bot.chat import TextReply
    from bot.limits import CUT_NOTE

    sent: list[dict[str, object]] = []

    async def respond(**message: object) -> None:
        sent.append(message)

    reply = TextReply(kind="list", text="a & b < c " * 4_000)  # 40,000 characters
    await answer(reply, respond=respond, client=None, channel="C1")  # type: ignore[arg-type]
    (message,) = sent
    text = str(message["text"])
    assert len(text) <= 40_000
    assert text.endswith(CUT_NOTE)
    assert text.removesuffix(CUT_NOTE).endswith(("&amp;", "&lt;", "b", "c", "a"))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.text(st.sampled_from("&<>ab \n"), max_size=200).map(lambda t: t * 300)
    | st.text(st.characters(codec="utf-8"), max_size=200)
)
def test_escaped_text_always_fits_and_is_never_cut_inside_an_entity(text: str) -> None:
    import re

    from adapters.slack.app import escaped
    from adapters.slack.blocks import escape
    from bot.limits import CUT_NOTE

    out = escaped(text)
    assert len(out) <= 40_000
    if out != escape(text):
        assert out.endswith(CUT_NOTE)
        assert re.search(r"&[a-z]*$", out.removesuffix(CUT_NOTE)) is None


async def test_subscription_changes_are_announced_in_the_channel_and_the_rest_stays_private(
    local: SqlStore, tmp_path: Path
) -> None:
    """subscribe, pause, resume, unsubscribe: posted for everyone (in_channel) with who did it,
    their name escaped so that it cannot ping; mistakes and the listing go only to who asked."""
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            for n, text in enumerate(
                ["subscribe cs.LG", "subscribe cs.LGG", "subscriptions", "pause 1", "unsubscribe"],
                start=1,
            ):
                body = slash(base, text, n) + "&" + urlencode({"user_name": "<!channel> ann & co"})
                response = await client.post("/slack/events", content=body, headers=signed(body))
                assert response.status_code == 200
                await settle(slack, n)
    kinds = [r["response_type"] for r in slack.responses]
    assert kinds == ["in_channel", "ephemeral", "ephemeral", "in_channel", "in_channel"]
    assert slack.responses[0]["text"] == (
        "&lt;!channel&gt; ann &amp; co changed this channel's subscriptions. "
        "Subscribed: #1 cs.LG: top 10 at 09:00 UTC, mon-fri."
    )
    assert slack.responses[3]["text"].endswith("subscriptions. Paused: #1 (cs.LG).")
    assert "Did you mean cs.LG" in slack.responses[1]["text"]
    assert "<!channel>" not in str(slack.responses)


async def test_a_burst_of_commands_after_a_start_asks_slack_who_the_bot_is_once(
    local: SqlStore, tmp_path: Path
) -> None:
    """Bolt asked ``auth.test`` on every request until its first answer came: a burst after a
    start made one call per command, in the way of their acknowledgements."""
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            bodies = [slash(base, "help", n) for n in range(8)]
            answers = await asyncio.gather(
                *(client.post("/slack/events", content=b, headers=signed(b)) for b in bodies)
            )
            assert [a.status_code for a in answers] == [200] * 8
            await settle(slack, 8)
    assert slack.calls.count("/api/auth.test") == 1


class SlowHandler(CommandHandler):
    """Answers once let go, and counts how many commands it answers at the same time."""

    def __init__(self, store: SqlStore) -> None:
        super().__init__(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
        self.going = asyncio.Event()
        self.now = 0
        self.most = 0

    async def handle(self, text: str, ctx: Context) -> Reply:
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await self.going.wait()
            return await super().handle(text, ctx)
        finally:
            self.now -= 1


async def test_a_burst_is_acknowledged_at_once_and_answered_a_few_at_a_time(
    local: SqlStore,
) -> None:
    from slack_bolt.async_app import AsyncApp, AsyncBoltRequest

    from adapters.slack.app import register
    from adapters.slack.publisher import web_client

    slack = FakeSlack()
    handler = SlowHandler(local)
    with serve(slack.routes(), post=slack.post) as (base, _):
        app = AsyncApp(client=web_client("xoxb-test", f"{base}/api/"), signing_secret=SECRET)
        register(app, handler, may_manage=lambda user: True, answers_at_once=2)
        bodies = [slash(base, "help", n) for n in range(6)]
        acks = await asyncio.gather(
            *(app.async_dispatch(AsyncBoltRequest(body=b, headers=signed(b))) for b in bodies)
        )
        assert [a.status for a in acks] == [200] * 6  # while no answer could be made
        handler.going.set()
        await settle(slack, 6)
    assert handler.most == 2
    assert len(slack.responses) == 6
