"""``hotpapers subscriptions list``: a page at a time, filtered by platform, channel and state."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.store import open_store
from bot.subscriptions import Subscription

runner = CliRunner()
NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
CHANNELS = [("slack", "C1"), ("slack", "C2"), ("slack", "C3"), ("slack", "C4")]
CHANNELS += [("discord", "D1"), ("discord", "D2"), ("discord", "D3")]


@pytest.fixture(autouse=True)
def seven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Seven subscriptions (ids 1–7 in CHANNELS' order); C2 and D3 are paused."""
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    url = f"sqlite:///{tmp_path / 'subs.db'}"
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", url)

    async def fill() -> None:
        store = await open_store(url)
        try:
            for platform, channel in CHANNELS:
                sub = Subscription.model_validate(
                    {
                        "platform": platform,
                        "destination": channel,
                        "paused": channel in ("C2", "D3"),
                    }
                )
                await store.add(sub, now=NOW)
        finally:
            await store.close()

    asyncio.run(fill())


def listed(*args: str) -> tuple[set[str], str]:
    result = runner.invoke(app, ["subscriptions", "list", *args])
    assert result.exit_code == 0, result.output
    shown = {c for _, c in CHANNELS if f" {c} " in result.stdout}
    return shown, result.stderr


def test_one_platforms_subscriptions() -> None:
    assert listed("--platform", "discord")[0] == {"D1", "D2", "D3"}


def test_one_channels_subscriptions() -> None:
    assert listed("--channel", "C3")[0] == {"C3"}


def test_active_or_paused_ones() -> None:
    assert listed("--state", "paused")[0] == {"C2", "D3"}
    assert listed("--state", "active", "--platform", "slack")[0] == {"C1", "C3", "C4"}


def test_a_page_at_a_time_oldest_first() -> None:
    shown, note = listed("--limit", "3", "--page", "2")
    assert shown == {"C4", "D1", "D2"}
    assert "Page 2 of 3: subscriptions 4–6 of 7; --page 3 for more." in note
    shown, note = listed("--limit", "3", "--page", "3")
    assert shown == {"D3"}
    assert "for more" not in note


def test_a_page_beyond_the_last_says_how_many_there_are() -> None:
    shown, note = listed("--limit", "5", "--page", "3")
    assert shown == set()
    assert "There is no page 3: 7 subscriptions make 2 pages." in note


def test_filters_that_match_nothing_say_so() -> None:
    shown, note = listed("--channel", "nowhere")
    assert shown == set()
    assert "No subscription matches these filters." in note


def test_a_bad_state_is_refused() -> None:
    result = runner.invoke(app, ["subscriptions", "list", "--state", "sleeping"])
    assert result.exit_code == 2


def test_piped_output_keeps_whole_values(tmp_path: Path) -> None:
    """Piped (not a terminal), the table is as wide as its values: long filters, a long
    channel and a markup-looking keyword come out whole, on one line each."""
    words = [f"keyword{n:02d}" for n in range(15)]
    channel = "a-console-channel-with-a-rather-long-name-for-testing"
    add = ["subscriptions", "add", "--platform", "console", "--channel", channel]
    for word in [*words, "[bold]"]:
        add += ["-k", word]
    assert runner.invoke(app, [*add, "--author", "Yann LeCun"]).exit_code == 0
    result = runner.invoke(app, ["subscriptions", "list", "--channel", channel])
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if channel in line]
    assert " ".join([*words, "[bold]", "by Yann LeCun"]) in row
    assert "…" not in result.stdout
