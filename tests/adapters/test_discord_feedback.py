"""Buttons and reactions on Discord (issue 14): each paper of a chat digest carries a row of
👍 👎 🔖 🧵 whose custom_id carries the paper, a press is dispatched on that id alone (as after
a restart), 🧵 creates a thread on the message seeded with the paper's links, and raw
reactions on our messages count for the paper they can be tied to. Against FakeDiscord."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from adapters.discord.bot import send
from adapters.discord.embeds import MAX_ROWS, carried, to_messages
from adapters.discord.feedback import DiscordFeedback
from bot.chat import DigestReply
from bot.engine import build_digest
from bot.feedback import Channel
from bot.models import Filters
from bot.store import SqlStore
from tests.adapters.test_discord import fake, interaction_payload  # noqa: F401
from tests.adapters.test_slack import hostile_snapshot
from tests.fakediscord import USER, FakeDiscord

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
LAB = Channel(platform="discord", scope="777", channel="555")


@pytest.fixture
async def client(fake: tuple[FakeDiscord, str]) -> AsyncIterator[discord.Client]:  # noqa: F811
    bot = discord.Client(intents=discord.Intents.none())
    await bot.login("bot-token")
    yield bot
    await bot.close()


def test_every_paper_has_a_row_of_buttons_within_discords_limits() -> None:
    digest = build_digest(hostile_snapshot(12), Filters(top=12), generated_at=NOW)
    messages = to_messages(digest, with_buttons=True)
    assert all(len(m["components"]) <= MAX_ROWS for m in messages)
    assert [rank for m in messages for rank, _ in carried(m)] == list(range(1, 13))
    row = messages[0]["components"][0]
    assert [b["custom_id"] for b in row["components"]] == [
        "hp:like:2611.00001",
        "hp:dislike:2611.00001",
        "hp:save:2611.00001",
        "hp:discuss:2611.00001",
    ]
    assert [b["emoji"]["name"] for b in row["components"]] == ["👍", "👎", "🔖", "🧵"]
    assert "components" not in to_messages(digest)[0]  # webhooks: none


def pressed(custom_id: str, message: dict[str, Any] | None) -> dict[str, Any]:
    payload = interaction_payload([])
    payload["type"] = 3
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    if message is not None:
        payload["message"] = message
    return payload


def posted_message(message: dict[str, Any], message_id: str = "2000") -> dict[str, Any]:
    return {
        "id": message_id,
        "channel_id": "555",
        "type": 0,
        "content": message["content"],
        "embeds": message["embeds"],
        "components": message["components"],
        "author": USER,
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "mention_everyone": False,
        "pinned": False,
        "tts": False,
        "timestamp": "2026-11-25T09:00:00+00:00",
        "edited_timestamp": None,
        "flags": 0,
    }


async def test_a_press_is_recorded_by_its_custom_id_and_answered_only_to_the_presser(
    client: discord.Client,
    store: SqlStore,
    fake: tuple[FakeDiscord, str],  # noqa: F811
) -> None:
    discord_api, _ = fake
    recorder = DiscordFeedback(store.feedback, clock=lambda: NOW)
    # A fresh recorder, no view in memory: what a restarted bot has.
    press = discord.Interaction(data=pressed("hp:like:2611.00001", None), state=client._connection)
    await recorder.interacted(press)
    (said,) = await store.feedback.of_channel(LAB)
    assert (said.user, said.arxiv_id, said.kind, said.scope) == ("42", "2611.00001", "like", "777")
    (callback,) = discord_api.callbacks
    assert callback["type"] == 5  # deferred at once
    assert callback["data"]["flags"] & 64
    (followup,) = discord_api.followups
    assert followup["content"] == "👍 Noted: for you and <#555>."
    assert followup["flags"] & 64
    assert followup["allowed_mentions"] == {"parse": []}
    again = discord.Interaction(data=pressed("hp:like:2611.00001", None), state=client._connection)
    await recorder.interacted(again)
    assert await store.feedback.of_channel(LAB) == []
    assert discord_api.followups[-1]["content"] == "👍 taken back."
    for forged in ("hp:like:@everyone", "other:like:2611.00001"):
        interaction = discord.Interaction(data=pressed(forged, None), state=client._connection)
        await recorder.interacted(interaction)
    assert len(discord_api.callbacks) == 2  # not ours: left alone
    assert await store.feedback.of_channel(LAB) == []


async def test_discuss_creates_a_thread_on_the_message_and_reactions_there_count(
    client: discord.Client,
    store: SqlStore,
    fake: tuple[FakeDiscord, str],  # noqa: F811
) -> None:
    discord_api, _ = fake
    recorder = DiscordFeedback(store.feedback, clock=lambda: NOW)
    digest = build_digest(hostile_snapshot(3), Filters(), generated_at=NOW)
    message = posted_message(to_messages(digest, with_buttons=True)[0])
    for arxiv_id in ("2611.00002", "2611.00003"):
        press = discord.Interaction(
            data=pressed(f"hp:discuss:{arxiv_id}", message), state=client._connection
        )
        await recorder.interacted(press)
    first, second = discord_api.threads
    assert first["id"] == "2000"  # on the message
    assert first["name"].startswith("🧵 <!channel>")
    assert second["id"] != "2000"  # the message has one thread: the second paper its own
    seeds = [m for m in discord_api.messages if m["channel_id"] in (first["id"], second["id"])]
    assert len(seeds) == 2
    assert "[abs](https://arxiv.org/abs/2611.00002)" in seeds[0]["content"]
    assert "[pdf](https://arxiv.org/pdf/2611.00002)" in seeds[0]["content"]
    assert "\\<https://evil.example\\|click\\>" in seeds[0]["content"]  # shown, not a link
    assert discord_api.followups[-1]["content"] == "🧵 A thread is open for it."

    def reaction(channel: str, message_id: str, emoji: str, user: str = "43") -> Any:
        data = {
            "message_id": message_id,
            "channel_id": channel,
            "user_id": user,
            "guild_id": "777",
            "type": 0,
        }
        return discord.RawReactionActionEvent(
            data, discord.PartialEmoji(name=emoji), "REACTION_ADD"
        )  # type: ignore[arg-type]

    # Any reaction in the paper's thread counts for it, in the channel the thread belongs to.
    await recorder.reacted(reaction(second["id"], "9999", "🔥"), added=True, me=100)
    (said,) = await store.feedback.of_channel(LAB)
    assert (said.arxiv_id, said.emoji, said.user) == ("2611.00003", "🔥", "43")
    await recorder.reacted(reaction(second["id"], "9999", "🔥"), added=False, me=100)
    assert await store.feedback.of_channel(LAB) == []
    # The bot's own reactions never count.
    await recorder.reacted(reaction(second["id"], "9999", "🔥", user="100"), added=True, me=100)
    assert await store.feedback.of_channel(LAB) == []


async def test_a_public_digest_remembers_its_papers_and_shows_the_channels_own_count(
    client: discord.Client,
    store: SqlStore,
    fake: tuple[FakeDiscord, str],  # noqa: F811
) -> None:
    discord_api, _ = fake
    recorder = DiscordFeedback(store.feedback, clock=lambda: NOW)
    client.feedback = recorder  # type: ignore[attr-defined]
    digest = build_digest(hostile_snapshot(3), Filters(), generated_at=NOW)
    interaction = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await interaction.response.defer(thinking=True)
    await send(interaction, DigestReply(digest=digest, public=True))
    (followup,) = discord_api.followups
    assert len(followup["components"]) == 3
    posted = discord_api.webhook_messages[0]["id"]
    papers, home = await store.feedback.carried(LAB, posted)
    assert [rank for rank, _ in papers] == [1, 2, 3]
    assert home == "555"
    data = {
        "message_id": posted,
        "channel_id": "555",
        "user_id": "43",
        "guild_id": "777",
        "type": 0,
    }
    for emoji in ("3\ufe0f\u20e3", "🔥"):  # 🔥 on three papers: which one? ignored
        event = discord.RawReactionActionEvent(
            data, discord.PartialEmoji(name=emoji), "REACTION_ADD"
        )  # type: ignore[arg-type]
        await recorder.reacted(event, added=True, me=100)
    (said,) = await store.feedback.of_channel(LAB)
    assert (said.arxiv_id, said.kind) == ("2611.00003", "reaction")
    again = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await again.response.defer(thinking=True)
    await send(again, DigestReply(digest=digest, public=False))
    footers = [e["footer"]["text"] for e in discord_api.followups[-1]["embeds"]]
    assert footers[2].startswith("this channel: 1 3️⃣ · ")
    assert not footers[0].startswith("this channel")
