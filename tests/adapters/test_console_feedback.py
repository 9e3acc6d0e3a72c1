"""The console's buttons (issue 14): like N, dislike N, save N and discuss N on the last digest
shown, recorded for the console channel; its next digest shows the channel's own count."""

from __future__ import annotations

import datetime as dt
import io

from rich.console import Console

from adapters.console.chat import ConsoleChat
from bot.chat import CommandHandler
from bot.feedback import Channel
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
CONSOLE = Channel(platform="console", channel="console")


def chat_for(store: SqlStore) -> tuple[ConsoleChat, io.StringIO]:
    out = io.StringIO()
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    console = Console(file=out, width=200, color_system=None)
    return ConsoleChat(
        handler, console, user="ada", feedback=store.feedback, clock=lambda: NOW
    ), out


async def test_like_save_and_discuss_act_on_the_last_digest_shown(store: SqlStore) -> None:
    chat, out = chat_for(store)
    await chat.answer("like 1")
    assert "takes a rank of a digest shown first" in out.getvalue()
    await chat.answer("top 3")
    assert chat.last is not None
    second = chat.last.items[1].paper
    await chat.answer("save 2")
    await chat.answer("/hotpapers like 2")
    await chat.answer("dislike 9")
    said = await store.feedback.of_channel(CONSOLE)
    assert [(s.kind, s.arxiv_id, s.user) for s in said] == [
        ("save", second.arxiv_id, "ada"),
        ("like", second.arxiv_id, "ada"),
    ]
    text = out.getvalue()
    assert "🔖 Saved for you and #console." in text
    assert "dislike N takes 1 to 3." in text
    await chat.answer("discuss 2")
    assert f"https://arxiv.org/abs/{second.arxiv_id}" in out.getvalue()
    assert f"pdf: https://arxiv.org/pdf/{second.arxiv_id}" in out.getvalue()
    # The next digest shows the channel's own count on that paper, apart from its score.
    await chat.answer("top 3")
    assert "this channel: 1 👍, 1 🔖" in out.getvalue()
    # Saving again takes it back.
    await chat.answer("save 2")
    assert [s.kind for s in await store.feedback.of_channel(CONSOLE)] == ["like"]
    assert "🔖 no longer saved." in out.getvalue()


async def test_a_button_word_without_one_rank_says_so_and_records_nothing(store: SqlStore) -> None:
    chat, out = chat_for(store)
    await chat.answer("top 3")
    for line in ("like", "save x", "like 1 2"):
        await chat.answer(line)
    text = out.getvalue()
    assert "Unknown arXiv category" not in text
    assert "like takes one paper's rank, like like 1 (1 to 3)." in text
    assert "save takes one paper's rank, like save 1 (1 to 3)." in text
    assert await store.feedback.of_channel(CONSOLE) == []


async def test_help_lists_every_command_the_console_accepts(store: SqlStore) -> None:
    """``help`` adds the console's own commands, from the table ``answer`` dispatches: each one
    listed is accepted on a digest shown."""
    chat, out = chat_for(store)
    await chat.answer("help")
    text = out.getvalue()
    assert "/hotpapers subscribe" in text
    assert "the /hotpapers prefix may be left out" in text
    listed = [line.split(" N — ")[0] for line in text.splitlines() if " N — " in line]
    assert listed == ["like", "dislike", "save", "discuss"]
    assert "like N — 👍 for us" in text
    assert "discuss N — 🧵 discuss" in text
    await chat.answer("top 2")
    shown = len(out.getvalue())
    for word in listed:
        await chat.answer(f"{word} 1")
    answers = out.getvalue()[shown:]
    assert "Unknown" not in answers
    assert "takes" not in answers
    assert "🧵" in answers
    assert len(await store.feedback.of_channel(CONSOLE)) == 2  # liked, disliked instead, saved


async def test_without_a_store_help_lists_no_buttons(store: SqlStore) -> None:
    out = io.StringIO()
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    chat = ConsoleChat(handler, Console(file=out, width=200, color_system=None))
    await chat.answer("help")
    assert " N — " not in out.getvalue()
    assert "the /hotpapers prefix may be left out" in out.getvalue()
