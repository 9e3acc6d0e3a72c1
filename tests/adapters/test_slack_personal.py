"""Slack's personal commands end to end (signed slash commands to the app on 127.0.0.1, answers
to the fake Slack): follows, picks, me and forget me are answered to the asker only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
from aiohttp import web

from adapters.slack.runtime import start_slack
from bot.chat import CommandHandler
from bot.feedback import Feedback
from bot.follows.handler import FollowHandler
from bot.follows.store import FollowStore
from bot.models import Paper
from bot.settings import Settings
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import open_store
from tests.adapters.test_slack import SECRET, free_port, signed, slash
from tests.adapters.test_slack_endpoint import settle
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
PAPERS = {p.arxiv_id: p for p in sample_snapshot().papers}


async def lookup(arxiv_id: str) -> Paper | None:
    return PAPERS.get(arxiv_id)


async def test_personal_commands_are_ephemeral_on_slack(tmp_path: Path) -> None:
    store = await open_store(f"sqlite:///{tmp_path / 'personal.db'}")
    slack = FakeSlack()
    follows = FollowHandler(FollowStore(store), lookup=lookup, clock=lambda: NOW)
    handler = CommandHandler(
        store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW, follows=follows
    )
    try:
        with serve(slack.routes(), post=slack.post) as (base, _):
            settings = Settings(
                data_dir=tmp_path,
                slack_bot_token="xoxb-test",
                slack_signing_secret=SECRET,
                slack_api_url=f"{base}/api/",
            )
            web_app = web.Application()
            # A member who may not manage the channel: their own commands still work.
            runtime = await start_slack(
                settings, handler, store, may_manage=lambda u: False, web_app=web_app
            )
            runner = web.AppRunner(web_app)
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                async with httpx.AsyncClient(
                    base_url=f"http://127.0.0.1:{port}", timeout=10
                ) as client:
                    texts = [
                        'follow author "<!channel> Yann LeCun"',
                        "picks",
                        "me",
                        "forget me",
                    ]
                    for n, text in enumerate(texts, start=1):
                        if text == "picks":
                            await store.readings.record(sample_snapshot())
                            await store.feedback.add(
                                [
                                    Feedback(
                                        platform="slack",
                                        scope="T1",
                                        channel="C1",
                                        user="U1",
                                        arxiv_id="2103.09460",
                                        kind="save",
                                        at=NOW,
                                    )
                                ]
                            )
                        body = slash(base, text, n)
                        response = await client.post(
                            "/slack/events", content=body, headers=signed(body)
                        )
                        assert response.status_code == 200
                        await settle(slack, n)
            finally:
                await runtime.stop()
                await runner.cleanup()
        # A digest with buttons may take several messages: each answer is found by its start.
        followed = next(r for r in slack.responses if r["text"].startswith("Following"))
        forgotten = next(r for r in slack.responses if r["text"].startswith("Forgotten"))
        picks = next(r for r in slack.responses if r["text"].startswith("Lab picks"))
        me = next(r for r in slack.responses if r["text"].startswith("Hot Papers"))
        assert all(r["response_type"] == "ephemeral" for r in slack.responses)
        assert followed["text"].startswith("Following author “&lt;!channel&gt; Yann LeCun”")
        assert picks["text"].startswith("Lab picks 2026-11-18 – 2026-11-25")
        assert "1 🔖" in str(picks["blocks"])
        assert me["text"].startswith("Hot Papers 2021-03-18")
        assert forgotten["text"].startswith("Forgotten: your 1 follow")
        assert await store.feedback.of_user("slack", "U1") == []
    finally:
        await store.close()
