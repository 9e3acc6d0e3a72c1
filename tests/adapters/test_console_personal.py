"""The console channel takes the personal commands, picks and me like Slack and Discord."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from adapters.console.chat import ConsoleChat
from bot.chat import CommandHandler
from bot.feedback import Feedback
from bot.follows.handler import FollowHandler
from bot.follows.store import FollowStore
from bot.models import Paper
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
PAPERS = {p.arxiv_id: p for p in sample_snapshot().papers}


async def lookup(arxiv_id: str) -> Paper | None:
    return PAPERS.get(arxiv_id)


async def test_the_console_follows_picks_and_forgets(store: SqlStore) -> None:
    out = io.StringIO()
    follows = FollowHandler(FollowStore(store), lookup=lookup, clock=lambda: NOW)
    handler = CommandHandler(
        store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW, follows=follows
    )
    chat = ConsoleChat(handler, Console(file=out, width=200, color_system=None))
    await store.readings.record(sample_snapshot())
    await store.feedback.add(
        [
            Feedback(
                platform="console",
                channel="console",
                user="you",
                arxiv_id="2103.09460",
                kind="like",
                at=NOW - dt.timedelta(hours=2),
            )
        ]
    )
    for line in ("follow keyword object detection", "/hotpapers picks", "me", "forget me"):
        await chat.answer(line)
    text = out.getvalue()
    assert "Following keyword “object detection”" in text
    assert "Lab picks 2026-11-18 – 2026-11-25" in text
    assert "1 👍" in text
    assert "Hot Papers 2021-03-18" in text  # me: the latest day, for you
    assert "Forgotten: your 1 follow" in text
    assert "your 1 piece of feedback" in text
