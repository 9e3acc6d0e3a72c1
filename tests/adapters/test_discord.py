from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import discord
import httpx
import pytest
from typer.testing import CliRunner

from adapters.discord.bot import HotPapersBot, build_group, category_choices, sync_if_changed
from adapters.discord.embeds import to_messages
from adapters.discord.publisher import DiscordPublisher
from adapters.discord.runtime import point_at
from bot.chat import CommandHandler
from bot.engine import build_digest
from bot.errors import DestinationGone
from bot.models import Filters, Paper, Post, Signal
from bot.snapshot import Snapshot, sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from tests.fakediscord import FakeDiscord
from tests.fakes import no_sleep
from tests.fakeserver import serve

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)


def hostile_snapshot(papers: int) -> Snapshot:
    items = tuple(
        Paper(
            arxiv_id=f"2611.{n:05d}",
            title=f"@everyone @here <@&123456789012345678> **bold** paper {n} " + "t" * 300,
            authors=("<@123456789012345678>",),
            abstract="a" * 6000,
            categories=("cs.LG",),
            primary_category="cs.LG",
        )
        for n in range(1, papers + 1)
    )
    post = Post(
        url="https://bsky.app/profile/a/post/1",
        author="@everyone",
        text="||spoiler|| @here",
        counts={"likes": 1},
    )
    signals = tuple(
        Signal(source="bluesky", arxiv_id=p.arxiv_id, counts={"likes": 100 - n}, post=post)
        for n, p in enumerate(items)
    )
    return Snapshot(
        date=dt.date(2026, 11, 24), papers=items, signals=signals, sources_used=("bluesky",)
    )


@pytest.fixture
def fake() -> Iterator[tuple[FakeDiscord, str]]:
    discord_api = FakeDiscord()
    with serve(discord_api.routes(), post=discord_api.post, put=discord_api.put) as (base, _):
        old = discord.http.Route.BASE
        point_at(f"{base}/api/v10")
        yield discord_api, base
        discord.http.Route.BASE = old


def test_embeds_respect_every_limit_and_cannot_ping() -> None:
    messages = to_messages(build_digest(hostile_snapshot(40), Filters(), generated_at=NOW))
    assert len(messages) >= 4
    for message in messages:
        assert message["allowed_mentions"] == {"parse": []}
        assert len(message["embeds"]) <= 10
        assert (
            sum(
                len(e["title"]) + len(e["description"]) + len(e["footer"]["text"])
                for e in message["embeds"]
            )
            <= 6000
        )
        for embed in message["embeds"]:
            assert len(embed["title"]) <= 256
            assert len(embed["description"]) <= 4096
    raw = json.dumps(messages, ensure_ascii=False)
    assert "@everyone" not in raw
    assert "@here" not in raw
    assert "<@&123456789012345678>" not in raw
    assert "\\\\*\\\\*bold" in raw  # markdown shown as written


async def test_scheduled_posts_use_nonces_so_a_retry_cannot_duplicate(
    fake: tuple[FakeDiscord, str],
) -> None:
    discord_api, base = fake
    async with httpx.AsyncClient() as client:
        publisher = DiscordPublisher(
            client, "bot-token", api_base=f"{base}/api/v10", sleep=no_sleep
        )
        digest = build_digest(hostile_snapshot(25), Filters(), generated_at=NOW)
        discord_api.rate_limit_next = 1  # one 429 first: waited out, then posted
        first = await publisher.post("555", digest, key="k1")
        count = len(discord_api.messages)
        assert count >= 3
        assert await publisher.post("555", digest, key="k1") == first  # the same nonces
        assert len(discord_api.messages) == count
        for channel in ("404", "403"):
            with pytest.raises(DestinationGone, match="gone or forbidden"):
                await publisher.post(channel, digest, key="k2")


def interaction_payload(
    options: list[dict[str, Any]], *, permissions: str = "16"
) -> dict[str, Any]:
    """An APPLICATION_COMMAND interaction as Discord sends it (a guild member invoking it)."""
    return {
        "id": "900000000000000001",
        "application_id": "100",
        "type": 2,
        "token": "interaction-token",
        "version": 1,
        "guild_id": "777",
        "channel_id": "555",
        "channel": {
            "id": "555",
            "type": 0,
            "guild_id": "777",
            "name": "papers",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        },
        "attachment_size_limit": 10485760,
        "app_permissions": "2147483647",
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": "777"},
        "context": 0,
        "member": {
            "user": {
                "id": "42",
                "username": "reader",
                "discriminator": "0",
                "avatar": None,
                "global_name": "Reader",
            },
            "roles": [],
            "joined_at": "2024-01-01T00:00:00+00:00",
            "permissions": permissions,
            "deaf": False,
            "mute": False,
            "flags": 0,
        },
        "data": {"id": "800", "name": "hotpapers", "type": 1, "options": options},
    }


@pytest.fixture
async def client(fake: tuple[FakeDiscord, str]) -> AsyncIterator[discord.Client]:
    bot = discord.Client(intents=discord.Intents.none())
    await bot.login("bot-token")
    yield bot
    await bot.close()


def group_for(store: SqlStore) -> discord.app_commands.Group:
    return build_group(CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW))


async def test_the_now_command_defers_then_follows_up_ephemerally(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    group = group_for(store)
    interaction = discord.Interaction(
        data=interaction_payload([{"type": 1, "name": "now", "options": []}]),
        state=client._connection,
    )
    now = group.get_command("now")
    assert isinstance(now, discord.app_commands.Command)
    await now.callback(interaction, categories="cs.CV", top=3)  # type: ignore[call-arg]
    (callback,) = discord_api.callbacks
    assert callback["type"] == 5  # deferred: Discord got its answer at once
    assert callback["data"]["flags"] & 64  # ephemeral
    (followup,) = discord_api.followups
    assert followup["flags"] & 64
    assert followup["allowed_mentions"] == {"parse": []}
    assert [e["title"] for e in followup["embeds"]][:1] == [
        "1. Training GANs with Stronger Augmentations via Contrastive Discriminator"
    ]
    assert len(followup["embeds"]) == 3


async def test_public_digests_are_visible_to_everyone(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    interaction = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await group_for(store).get_command("now").callback(interaction, top=1, public=True)  # type: ignore[union-attr,call-arg]
    assert not (discord_api.callbacks[0].get("data") or {}).get("flags", 0) & 64
    assert not discord_api.followups[0].get("flags", 0) & 64


async def test_subscribing_needs_manage_channels_by_default(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    group = group_for(store)
    subscribe = group.get_command("subscribe")
    guest = discord.Interaction(
        data=interaction_payload([], permissions="0"), state=client._connection
    )
    await subscribe.callback(guest, categories="cs.LG")  # type: ignore[union-attr,call-arg]
    assert "Only the channel's managers" in discord_api.followups[-1]["content"]
    manager = discord.Interaction(
        data=interaction_payload([], permissions="16"), state=client._connection
    )
    await subscribe.callback(manager, categories="cs.LG cs.CV", at="08:00", tz="Europe/Paris")  # type: ignore[union-attr,call-arg]
    # A change is announced in the channel, naming who made it (a mention that cannot ping);
    # the deferral's own follow-up stays private.
    private, announced = discord_api.followups[-2:]
    assert private["flags"] & 64
    assert private["content"] == "Done: announced in this channel."
    assert not announced.get("flags", 0) & 64
    assert announced["allowed_mentions"] == {"parse": []}
    assert announced["content"] == (
        "<@42> changed this channel's subscriptions. "
        "Subscribed: #1 cs.LG cs.CV: top 10 at 08:00 Europe/Paris, mon-fri."
    )
    (sub,) = await store.subscriptions(platform="discord")
    assert (sub.workspace, sub.destination, sub.created_by) == ("777", "555", "42")
    listing = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await group.get_command("subscriptions").callback(listing)  # type: ignore[union-attr,call-arg]
    assert "cs.LG cs.CV" in discord_api.followups[-1]["content"]
    assert discord_api.followups[-1]["flags"] & 64  # a listing is private
    bad = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await subscribe.callback(bad, categories="@everyone cs.LGG")  # type: ignore[union-attr,call-arg]
    assert "@everyone" not in discord_api.followups[-1]["content"]
    assert "Did you mean" in discord_api.followups[-1]["content"]


def test_category_autocomplete_offers_at_most_25_valid_choices() -> None:
    assert len(category_choices("")) == 25
    assert [c.value for c in category_choices("cs.L")] == ["cs.LG", "cs.LO"]
    assert category_choices("cs.LG cs.C")[0].value.startswith("cs.LG cs.C")
    assert "cs.RO" in [c.value for c in category_choices("robot")]


async def test_commands_are_synced_only_when_they_change(
    fake: tuple[FakeDiscord, str], store: SqlStore, tmp_path: Path
) -> None:
    discord_api, _ = fake
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    bot = HotPapersBot(
        handler, marker=tmp_path / "marker", dev_guild=777, shard_count=2, shard_ids=[0]
    )
    await bot.login("bot-token")  # its setup hook syncs the new command set
    try:
        assert not await sync_if_changed(bot.tree, 777, tmp_path / "marker")
    finally:
        await bot.close()
    again = HotPapersBot(handler, marker=tmp_path / "marker", dev_guild=777)
    await again.login("bot-token")  # a restart with the same commands: no sync
    await again.close()
    assert discord_api.command_syncs == ["/api/v10/applications/100/guilds/777/commands"]
    assert bot.shard_count == 2


@pytest.fixture
def post_env(
    fake: tuple[FakeDiscord, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[FakeDiscord, str]:
    """The fake Discord, and an environment where ``hotpapers post`` talks to it."""
    for name in list(os.environ):
        if name.startswith(("HOTPAPERS_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DISCORD_API_BASE", f"{fake[1]}/api/v10")
    return fake


def test_post_to_a_discord_channel_and_webhook(
    post_env: tuple[FakeDiscord, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.cli.main import app

    discord_api, base = post_env
    runner = CliRunner()
    assert (
        "needs DISCORD_TOKEN"
        in runner.invoke(app, ["post", "--discord-channel", "555", "--sample"]).stderr
    )
    monkeypatch.setenv("DISCORD_TOKEN", "bot-token")
    result = runner.invoke(app, ["post", "--discord-channel", "555", "--sample", "--top", "12"])
    assert result.exit_code == 0, result.stderr
    sizes = [len(m["embeds"]) for m in discord_api.messages]
    assert sum(sizes) == 12
    assert max(sizes) <= 10
    result = runner.invoke(
        app,
        ["post", "--discord-webhook", f"{base}/api/v10/webhooks/1/tok", "--sample", "--top", "1"],
    )
    assert result.exit_code == 0, result.stderr
    assert discord_api.followups[-1]["embeds"][0]["title"].startswith("1. Training GANs")
    result = runner.invoke(app, ["post", "--discord-channel", "404", "--sample"])
    assert result.exit_code == 2
    assert "gone or forbidden" in result.stderr


def test_post_to_a_discord_channel_sends_a_nonce_of_the_channel_day_and_filters(
    post_env: tuple[FakeDiscord, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.cli.main import app

    discord_api, _ = post_env
    monkeypatch.setenv("DISCORD_TOKEN", "bot-token")
    runner = CliRunner()
    args = ["post", "--discord-channel", "555", "--sample", "--top", "12"]
    assert runner.invoke(app, args).exit_code == 0
    nonces = [m["nonce"] for m in discord_api.messages]
    assert len(nonces) >= 2
    assert all(nonces)
    assert len(set(nonces)) == len(nonces)
    assert runner.invoke(app, args).exit_code == 0  # run twice by a retrying cron job
    assert len(discord_api.messages) == len(nonces)
    assert runner.invoke(app, [*args[:-1], "3"]).exit_code == 0  # other filters, another post
    assert len(discord_api.messages) > len(nonces)


def test_run_posts_scheduled_digests_to_discord_channels(
    fake: tuple[FakeDiscord, str], tmp_path: Path
) -> None:
    import socket
    import subprocess
    import sys
    import time

    discord_api, base = fake
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("HOTPAPERS_", "DISCORD_", "SLACK_"))
    }
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env |= {
        "HOTPAPERS_DATA_DIR": str(tmp_path),
        # --sample keeps a throwaway store unless one is named: name it, to see the subscription.
        "HOTPAPERS_DATABASE_URL": f"sqlite:///{tmp_path / 'hotpapers.db'}",
        "DISCORD_TOKEN": "bot-token",
        "DISCORD_API_BASE": f"{base}/api/v10",
        "HOTPAPERS_HTTP_PORT": str(port),
    }
    due = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)).strftime("%H:%M")
    add = [
        sys.executable,
        "-m",
        "adapters.cli.main",
        "subscriptions",
        "add",
        "--platform",
        "discord",
        "--channel",
        "555",
        "--workspace",
        "777",
        "--time",
        due,
        "--weekdays",
        "daily",
        "--top",
        "3",
    ]
    subprocess.run(add, env=env, check=True, capture_output=True)
    bot = subprocess.Popen(
        [sys.executable, "-m", "adapters.cli.main", "run", "--sample"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not discord_api.messages:
            assert bot.poll() is None, bot.stderr.read() if bot.stderr else ""
            assert time.monotonic() < deadline, "no scheduled post"
            time.sleep(0.1)
        # The run records its report just after the post arrives: wait for it, not a race.
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        while health["last_delivery"] is None and time.monotonic() < deadline:
            time.sleep(0.05)
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
    finally:
        bot.terminate()
        _, err = bot.communicate(timeout=20)
    (message,) = discord_api.messages
    assert message["channel_id"] == "555"
    assert message["nonce"]
    assert [e["title"][:3] for e in message["embeds"]] == ["1. ", "2. ", "3. "]
    # The fake serves REST only: /healthz says the gateway is down, and posts still go out.
    assert health["platforms"]["discord"].startswith("gateway disconnected")
    assert "Discord's gateway closed" in err
    assert health["last_delivery"] == "1 posted"
    assert "Traceback" not in err
    # The fake bot is in no server: the start says how to add it.
    assert (
        "in no server yet; add it with https://discord.com/oauth2/authorize?client_id=100&" in err
    )


async def test_a_refused_token_is_one_sentence_and_a_refused_sync_is_not_fatal(
    fake: tuple[FakeDiscord, str], store: SqlStore, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from adapters.discord.runtime import start_discord
    from bot.errors import ConfigError
    from bot.settings import Settings

    discord_api, base = fake
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    settings = Settings(data_dir=tmp_path, discord_token="bad", discord_api_base=f"{base}/api/v10")
    discord_api.refuse_token = True
    with pytest.raises(ConfigError, match="Discord refused DISCORD_TOKEN"):
        await start_discord(settings, handler)
    discord_api.refuse_token = False
    discord_api.refuse_sync = True
    runtime = await start_discord(settings, handler)
    await runtime.stop()
    assert "Discord refused to sync the commands" in caplog.text


async def test_the_views_are_subcommands_with_the_options_of_now(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    await store.readings.record(sample_snapshot())
    group = group_for(store)
    for view in ("rising", "week", "month"):
        command = group.get_command(view)
        assert isinstance(command, discord.app_commands.Command)
        assert [p.name for p in command.parameters] == [
            "categories",
            "date",
            "top",
            "keywords",
            "authors",
            "exclude",  # shown as "not"
            "public",
        ]
    interaction = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await group.get_command("week").callback(interaction, categories="cs.CV", top=2)  # type: ignore[union-attr,call-arg]
    followup = discord_api.followups[-1]
    assert followup["flags"] & 64
    assert len(followup["embeds"]) == 2
    interaction = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await group.get_command("rising").callback(interaction)  # type: ignore[union-attr,call-arg]
    assert discord_api.followups[-1]["content"].startswith("No paper of the stored days")


async def test_subscribe_takes_weekly_and_lag(
    client: discord.Client, store: SqlStore, fake: tuple[FakeDiscord, str]
) -> None:
    discord_api, _ = fake
    subscribe = group_for(store).get_command("subscribe")
    assert isinstance(subscribe, discord.app_commands.Command)
    lag = next(p for p in subscribe.parameters if p.name == "lag")
    assert [c.value for c in lag.choices] == ["0", "1d"]
    manager = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await subscribe.callback(manager, categories="cs.LG", weekly="fri", at="16:00")  # type: ignore[call-arg]
    assert discord_api.followups[-1]["content"].endswith(
        "Subscribed: #1 cs.LG: top 10 at 16:00 UTC, weekly on fri (best of the week)."
    )
    again = discord.Interaction(data=interaction_payload([]), state=client._connection)
    await subscribe.callback(again, categories="cs.LG", weekdays="daily", lag="1d")  # type: ignore[call-arg]
    assert discord_api.followups[-1]["content"].endswith(
        "Updated: #1 cs.LG: top 10 at 16:00 UTC, every day, lag 1 day."
    )
