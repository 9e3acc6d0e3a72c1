"""Buttons and reactions on Slack (issue 14): every paper in a chat digest carries 👍 👎 🔖 🧵,
a press is recorded per workspace, channel and person and answered only to the presser, 🧵
opens a thread seeded with the paper's links, and reactions on our messages count for the
paper they can be tied to. The app runs in this process on 127.0.0.1, against FakeSlack."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from adapters.slack.blocks import MAX_BLOCKS, carried, to_messages
from bot.engine import build_digest
from bot.feedback import Channel
from bot.feedback.actions import OwnCount, with_own
from bot.models import Filters
from bot.store import SqlStore
from tests.adapters.test_slack import hostile_snapshot, signed, slash
from tests.adapters.test_slack_endpoint import endpoint, local  # noqa: F401
from tests.fakeserver import serve
from tests.fakeslack import FakeSlack

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
LAB = Channel(platform="slack", scope="T1", channel="C1")


async def until(check: Callable[[], Awaitable[bool]]) -> None:
    deadline = time.monotonic() + 10
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_every_paper_carries_four_buttons_within_the_block_limit() -> None:
    digest = build_digest(hostile_snapshot(40), Filters(top=40), generated_at=NOW)
    messages = to_messages(digest, with_buttons=True)
    assert all(len(m["blocks"]) <= MAX_BLOCKS for m in messages)
    ranks = [rank for m in messages for rank, _ in carried(m)]
    assert ranks == list(range(1, 41))
    actions = next(b for b in messages[0]["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "hp_like",
        "hp_dislike",
        "hp_save",
        "hp_discuss",
    ]
    assert {e["value"] for e in actions["elements"]} == {"2611.00001"}
    assert actions["elements"][0]["text"]["text"] == "👍 for us"
    assert not any(carried(m) for m in to_messages(digest))  # webhooks: no buttons


def test_the_groups_own_count_is_its_own_escaped_line() -> None:
    digest = build_digest(hostile_snapshot(2), Filters(), generated_at=NOW)
    shown = with_own(
        digest,
        {"2611.00001": OwnCount(likes=3, reactions=(("<!channel>", 1),))},
        group="this channel",
    )
    blocks = to_messages(shown)[0]["blocks"]
    texts = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    own = [t for t in texts if t.startswith("this channel:")]
    assert own == ["this channel: 3 👍, 1 :&lt;!channel&gt;:"]


def action(base: str, action_id: str, value: str, *, message: dict[str, Any] | None) -> str:
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": "T1"},
        "user": {"id": "U1", "username": "ada"},
        "channel": {"id": "C1", "name": "lab"},
        "api_app_id": "A1",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "response_url": f"{base}/respond/press",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000001",
            "is_ephemeral": message is None,
        },
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "value": value,
                "block_id": "hp_paper_1",
                "action_ts": "1",
            }
        ],
    }
    if message is not None:
        payload["message"] = message
    return urlencode({"payload": json.dumps(payload)})


def reaction(kind: str, emoji: str, ts: str, user: str = "U2") -> str:
    return json.dumps(
        {
            "token": "legacy",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{kind}{emoji}{user}",
            "event_time": 1700000000,
            "event": {
                "type": kind,
                "user": user,
                "reaction": emoji,
                "item_user": "UBOT",
                "item": {"type": "message", "channel": "C1", "ts": ts},
                "event_ts": "1700000001.000100",
            },
        }
    )


def as_json(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/json"}


async def test_a_press_is_recorded_and_answered_only_to_the_presser(
    local: SqlStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            body = action(base, "hp_save", "2611.00001", message=None)
            assert (
                await client.post("/slack/events", content=body, headers=signed(body))
            ).status_code == 200

            async def answered() -> bool:
                return len(slack.responses) == 1

            await until(answered)
            (said,) = await local.feedback.of_channel(LAB)
            assert (said.user, said.arxiv_id, said.kind, said.scope) == (
                "U1",
                "2611.00001",
                "save",
                "T1",
            )
            assert slack.responses[0]["text"] == "🔖 Saved for you and <#C1>."
            assert slack.responses[0]["response_type"] == "ephemeral"
            # The same button again takes it back.
            body = action(base, "hp_save", "2611.00001", message=None)
            headers = signed(body, at=int(time.time()) + 1)
            await client.post("/slack/events", content=body, headers=headers)

            async def undone() -> bool:
                return len(slack.responses) == 2

            await until(undone)
            assert await local.feedback.of_channel(LAB) == []
            # A forged value is acknowledged and nothing is recorded.
            body = action(base, "hp_like", "<!channel>", message=None)
            headers = signed(body, at=int(time.time()) + 2)
            assert (
                await client.post("/slack/events", content=body, headers=headers)
            ).status_code == 200
            await asyncio.sleep(0.3)
            assert await local.feedback.of_channel(LAB) == []
            assert len(slack.responses) == 2


async def test_discuss_opens_a_thread_seeded_with_the_papers_links_and_reactions_there_count(
    local: SqlStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    slack = FakeSlack()
    digest = build_digest(hostile_snapshot(3), Filters(), generated_at=NOW)
    shown = to_messages(digest, with_buttons=True)[0]
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            message = {"ts": "1700000000.000900", "blocks": shown["blocks"]}
            body = action(base, "hp_discuss", "2611.00002", message=message)
            await client.post("/slack/events", content=body, headers=signed(body))

            async def opened() -> bool:
                return len(slack.messages) == 1 and len(slack.responses) == 1

            await until(opened)
            seed = slack.messages[0]
            assert seed["thread_ts"] == "1700000000.000900"
            assert "https://arxiv.org/abs/2611.00002|" in seed["text"]
            assert "https://arxiv.org/pdf/2611.00002|pdf" in seed["text"]
            assert "<!channel>" not in seed["text"]
            assert "&lt;!channel&gt;" in seed["text"]
            assert "evil.example" not in seed["text"].replace("&lt;https://evil.example", "")
            # Any reaction on the seed counts for its paper; removing it removes it.
            body = reaction("reaction_added", "fire", seed["ts"])
            await client.post("/slack/events", content=body, headers=as_json(signed(body)))

            async def recorded() -> bool:
                return len(await local.feedback.of_channel(LAB)) == 1

            await until(recorded)
            (said,) = await local.feedback.of_channel(LAB)
            assert (said.arxiv_id, said.kind, said.emoji, said.user) == (
                "2611.00002",
                "reaction",
                "fire",
                "U2",
            )
            body = reaction("reaction_removed", "fire", seed["ts"])
            await client.post("/slack/events", content=body, headers=as_json(signed(body)))

            async def removed() -> bool:
                return await local.feedback.of_channel(LAB) == []

            await until(removed)


async def test_a_public_digest_remembers_its_papers_so_number_reactions_count(
    local: SqlStore,  # noqa: F811
    tmp_path: Path,
) -> None:
    slack = FakeSlack()
    with serve(slack.routes(), post=slack.post) as (base, _):
        async with endpoint(local, base, tmp_path) as client:
            body = slash(base, "top 3 public", 1)
            await client.post("/slack/events", content=body, headers=signed(body))

            async def posted() -> bool:
                return len(slack.messages) == 1 and bool(
                    (await local.feedback.carried(LAB, slack.messages[0]["ts"]))[0]
                )

            await until(posted)
            ts = slack.messages[0]["ts"]
            papers, home = await local.feedback.carried(LAB, ts)
            assert [rank for rank, _ in papers] == [1, 2, 3]
            assert home == "C1"
            for n, emoji in enumerate(["two", "fire"]):  # fire: three papers, which one?
                body = reaction("reaction_added", emoji, ts)
                headers = as_json(signed(body, at=int(time.time()) + n))
                await client.post("/slack/events", content=body, headers=headers)

            async def recorded() -> bool:
                return len(await local.feedback.of_channel(LAB)) == 1

            await until(recorded)
            await asyncio.sleep(0.3)
            (said,) = await local.feedback.of_channel(LAB)
            assert (said.arxiv_id, said.emoji) == (papers[1][1], "two")
            # The channel's own count shows in its next digest, apart from the score.
            body = slash(base, "top 3", 2)
            await client.post(
                "/slack/events", content=body, headers=signed(body, at=int(time.time()) + 5)
            )

            async def answered() -> bool:
                return len(slack.responses) >= 1

            await until(answered)
            texts = json.dumps(slack.responses, ensure_ascii=False)
            assert "this channel: 1 :two:" in texts
