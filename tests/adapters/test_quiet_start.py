"""A normal start prints no warnings: neither discord.py's nor slack_bolt's."""

from __future__ import annotations

import logging
from pathlib import Path

import discord
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.discord.bot import HotPapersBot
from adapters.slack.app import build_app
from bot.chat import CommandHandler
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore


def allow_all(*_: object) -> bool:
    return True


async def test_the_discord_client_starts_without_voice_or_intent_warnings(
    store: SqlStore,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # discord.py warns once a process; make this test see the first start.
    monkeypatch.setattr(discord.VoiceClient, "warn_nacl", True)
    monkeypatch.setattr(discord.VoiceClient, "warn_dave", True)
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()))
    with caplog.at_level(logging.WARNING):
        bot = HotPapersBot(handler, marker=tmp_path / "marker")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("discord")] == []
    assert bot.intents.guilds  # without it discord.py warns at connect and knows no guild


async def test_the_slack_app_starts_without_a_token_warning(
    store: SqlStore, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")  # as set by every real deployment
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()))
    with caplog.at_level(logging.WARNING):
        build_app(
            handler,
            client=AsyncWebClient(token="xoxb-test", base_url="http://127.0.0.1:9/api/"),
            signing_secret="secret",
            may_manage=allow_all,
        )
    assert [r.getMessage() for r in caplog.records if r.name.startswith("slack_bolt")] == []
