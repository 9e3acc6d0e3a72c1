from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import socket
from pathlib import Path

import httpx
from aiohttp import WSMsgType, web

from adapters.slack.channels import channel_publisher
from adapters.slack.publisher import WorkspacePublisher
from adapters.slack.runtime import start_slack
from bot.chat import CommandHandler
from bot.engine import build_digest
from bot.models import Filters
from bot.settings import Settings
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from bot.subscriptions import Subscription
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
RESPONSE_URL = web.AppKey("response_url", str)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def serving(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


async def test_many_workspaces_install_through_oauth_and_get_their_posts(
    store: SqlStore, tmp_path: Path
) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        settings = Settings(
            data_dir=tmp_path,
            slack_client_id="111.222",
            slack_client_secret="client-secret",
            slack_signing_secret="signing-secret",
            slack_api_url=f"{base}/api/",
        )
        handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
        web_app = web.Application()
        runtime = await start_slack(
            settings, handler, store, may_manage=lambda user: True, web_app=web_app
        )
        publisher = channel_publisher(settings, store)
        port = free_port()
        runner = await serving(web_app, port)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                install = await client.get("/slack/install")
                assert install.status_code == 200
                assert "slack.com/oauth/v2/authorize" in install.text
                state = re.search(r"state=([\w-]+)", install.text)
                assert state is not None
                # The state cookie is Secure; a browser on https would send it back as is.
                cookie = install.headers["set-cookie"].split(";")[0]
                done = await client.get(
                    "/slack/oauth_redirect",
                    params={"code": "c0de", "state": state.group(1)},
                    headers={"Cookie": cookie},
                )
                assert done.status_code == 200, done.text
            assert isinstance(publisher, WorkspacePublisher)
            sub = Subscription(id=1, platform="slack", workspace="T9", destination="C9")
            digest = build_digest(sample_snapshot(), Filters(top=2), generated_at=NOW)
            message = publisher.render(digest)[0]
            await publisher.send(sub, message, key="k9", thread="")
        finally:
            await runtime.stop()
            await runner.cleanup()
    assert [m["channel"] for m in slack.messages] == ["C9"]


async def test_socket_mode_answers_a_slash_command_without_a_public_url(
    store: SqlStore, tmp_path: Path
) -> None:
    slack = FakeSlack()
    acks: list[dict[str, object]] = []
    connected = asyncio.Event()

    async def link(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        connected.set()
        await ws.send_json(
            {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": {
                    "command": "/hotpapers",
                    "text": "help",
                    "team_id": "T1",
                    "channel_id": "C1",
                    "user_id": "U1",
                    "response_url": request.app[RESPONSE_URL],
                    "api_app_id": "A1",
                },
            }
        )
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                acks.append(json.loads(message.data))
        return ws

    with serve(slack.routes(), post=slack.post) as (base, _):
        ws_port = free_port()
        ws_app = web.Application()
        ws_app[RESPONSE_URL] = f"{base}/respond/1"
        ws_app.router.add_get("/link", link)
        ws_runner = await serving(ws_app, ws_port)
        slack.socket_url = f"ws://127.0.0.1:{ws_port}/link"
        settings = Settings(
            data_dir=tmp_path,
            slack_bot_token="xoxb-test",
            slack_app_token="xapp-test",
            slack_api_url=f"{base}/api/",
        )
        handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
        runtime = await start_slack(
            settings, handler, store, may_manage=lambda user: True, web_app=web.Application()
        )
        try:
            assert runtime.mode == "Socket Mode"
            await asyncio.wait_for(connected.wait(), 10)
            for _ in range(200):
                if slack.responses and acks:
                    break
                await asyncio.sleep(0.05)
        finally:
            await runtime.stop()
            await ws_runner.cleanup()
    assert acks[0]["envelope_id"] == "env-1"
    assert "/hotpapers subscribe" in slack.responses[0]["text"]
