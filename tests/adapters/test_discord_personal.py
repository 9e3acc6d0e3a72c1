"""Discord's personal subcommands (picks, me, follow, unfollow, follows, dm, forget), pause and
resume by number, and the authors and not options, against the local Discord fake."""

from __future__ import annotations

import datetime as dt
from typing import Any

import discord
import pytest

from adapters.discord.bot import build_group
from bot.chat import CommandHandler
from bot.feedback import Feedback
from bot.follows.handler import FollowHandler
from bot.follows.model import Person
from bot.follows.store import FollowStore
from bot.models import Paper
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from tests.adapters.test_discord import client, fake, interaction_payload
from tests.fakediscord import FakeDiscord

__all__ = ["client", "fake"]  # the fixtures, shared with test_discord
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
PAPERS = {p.arxiv_id: p for p in sample_snapshot().papers}
MEMBER = Person(platform="discord", scope="777", user="42")


async def lookup(arxiv_id: str) -> Paper | None:
    return PAPERS.get(arxiv_id)


def group_for(store: SqlStore) -> discord.app_commands.Group:
    follows = FollowHandler(FollowStore(store), lookup=lookup, clock=lambda: NOW)
    handler = CommandHandler(
        store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW, follows=follows
    )
    return build_group(handler)


async def call(
    client: discord.Client,
    group: discord.app_commands.Group,
    name: str,
    *,
    permissions: str = "0",
    **options: Any,
) -> None:
    interaction = discord.Interaction(
        data=interaction_payload([], permissions=permissions), state=client._connection
    )
    command = group.get_command(name)
    assert isinstance(command, discord.app_commands.Command), name
    await command.callback(interaction, **options)  # type: ignore[call-arg]


def test_the_group_declares_the_personal_subcommands_and_their_options(store: SqlStore) -> None:
    group = group_for(store)
    names = {c.name for c in group.commands}
    assert {"picks", "me", "follow", "unfollow", "follows", "dm", "forget"} <= names
    assert len(names) <= 25  # Discord's most subcommands in a group

    def options(name: str) -> list[str]:
        command = group.get_command(name)
        assert isinstance(command, discord.app_commands.Command)
        return [p.display_name for p in command.parameters]

    assert options("follow") == ["kind", "value"]
    assert options("picks") == ["span"]
    assert options("me") == ["mix"]
    assert options("pause") == options("resume") == ["subscriptions"]
    # No hidden option carries another command's text.
    assert options("help") == options("subscriptions") == options("follows") == []
    assert {"authors", "not"} <= set(options("subscribe"))
    assert {"authors", "not"} <= set(options("week"))


async def test_a_member_follows_and_forgets_privately(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    group = group_for(store)
    # Without Manage Channels: a person's own follows need no permission.
    await call(client, group, "follow", kind="author", value="@everyone Yann LeCun")
    reply = discord_api.followups[-1]
    assert reply["flags"] & 64  # private: never announced in the channel
    assert reply["allowed_mentions"] == {"parse": []}
    assert reply["content"].startswith("Following author “")
    assert "@everyone" not in reply["content"]
    (follow,) = await FollowStore(store).follows(MEMBER)
    assert follow.value == "@everyone Yann LeCun"
    await call(client, group, "follows")
    assert "1\\. author" in discord_api.followups[-1]["content"]  # escaped: not a list
    await call(client, group, "dm", at="07:45", tz="Europe/Paris")
    assert discord_api.followups[-1]["content"] == (
        "Your direct message comes at 07:45 Europe/Paris."
    )
    await call(client, group, "unfollow", what="1")
    assert discord_api.followups[-1]["content"].startswith("Unfollowed: author")
    await call(client, group, "follow", kind="similar", value="2103.09742")
    await store.feedback.add(
        [
            Feedback(
                platform="discord",
                scope="777",
                channel="555",
                user="42",
                arxiv_id="2103.09742",
                kind="like",
                at=NOW,
            )
        ]
    )
    await call(client, group, "forget")
    forgotten = discord_api.followups[-1]
    assert forgotten["flags"] & 64
    assert forgotten["content"].startswith("Forgotten: your 1 follow and your settings")
    assert "1 piece of feedback" in forgotten["content"]
    assert await FollowStore(store).follows(MEMBER) == []
    assert await store.feedback.of_user("discord", "42") == []
    assert all(f["flags"] & 64 for f in discord_api.followups)


async def test_picks_and_me_answer_privately(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    group = group_for(store)
    await call(client, group, "picks")
    assert discord_api.followups[-1]["content"].startswith(
        "No one here has liked or saved a paper this week yet"
    )
    await call(client, group, "me")
    assert discord_api.followups[-1]["content"].startswith("Nothing teaches your own order yet")
    await store.readings.record(sample_snapshot())
    await store.feedback.add(
        [
            Feedback(
                platform="discord",
                scope="777",
                channel="555",
                user=user,
                arxiv_id="2103.09460",
                kind=kind,  # type: ignore[arg-type]
                at=NOW - dt.timedelta(hours=1),
            )
            for user, kind in (("42", "like"), ("43", "save"))
        ]
    )
    await call(client, group, "picks", span="month")
    picks = discord_api.followups[-1]
    assert picks["flags"] & 64
    assert "Lab picks 2026-10-26 – 2026-11-25" in picks["content"]
    assert picks["embeds"][0]["title"] == "1. You Only Look One-level Feature"
    assert "1 👍 · 1 🔖" in picks["embeds"][0]["description"]
    before = len(discord_api.followups)
    await call(client, group, "me", mix=1.0)
    me = discord_api.followups[before:]
    assert all(m["flags"] & 64 for m in me)
    assert me[0]["embeds"][0]["title"] == "1. You Only Look One-level Feature"


@pytest.mark.parametrize("name", ["pause", "resume"])
async def test_pause_and_resume_take_subscription_numbers(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str], name: str
) -> None:
    discord_api, _ = fake
    group = group_for(store)
    await call(client, group, "subscribe", permissions="16", categories="cs.LG")
    await call(client, group, "subscribe", permissions="16", categories="cs.CV")
    if name == "resume":
        await call(client, group, "pause", permissions="16")
    await call(client, group, name, permissions="16", subscriptions="2")
    verb = "Paused" if name == "pause" else "Resumed"
    assert discord_api.followups[-1]["content"].endswith(f"{verb}: #2 (cs.CV).")
    subs = {s.id: s.paused for s in await store.subscriptions()}
    assert subs == ({1: False, 2: True} if name == "pause" else {1: True, 2: False})
    await call(client, group, name, permissions="16", subscriptions="9")
    assert "no subscription #9" in discord_api.followups[-1]["content"]


async def test_subscribe_and_digests_take_authors_and_not(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    group = group_for(store)
    await call(
        client,
        group,
        "subscribe",
        permissions="16",
        categories="cs.LG",
        authors='"Yann LeCun", Y. Bengio',
        exclude="survey",
        mix=0.6,
    )
    (sub,) = await store.subscriptions()
    assert sub.mix == 0.6
    assert sub.authors == ("Yann LeCun", "Y. Bengio")
    assert sub.exclude == ("survey",)
    await call(client, group, "now", categories="cs.CV", exclude="detection")
    titles = [e["title"] for e in discord_api.followups[-1]["embeds"]]
    assert titles
    assert not any("Look One-level" in t for t in titles)


async def test_help_with_the_personal_commands_fits_one_discord_message(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    await call(client, group_for(store), "help")
    content = discord_api.followups[-1]["content"]
    assert content.endswith("/hotpapers help")  # not cut
    assert "/hotpapers forget me" in content
