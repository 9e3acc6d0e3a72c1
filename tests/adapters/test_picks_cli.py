"""``hotpapers picks --channel PLATFORM:ID [--span week|month]``: lab picks for operators."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("HOTPAPERS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("HOTPAPERS_DATABASE_URL", f"sqlite:///{tmp_path / 'picks.db'}")
    assert runner.invoke(app, ["snapshot", "save", "--sample"]).exit_code == 0


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_picks_show_the_channels_most_liked_and_saved_papers() -> None:
    code, out, err = invoke("picks", "--channel", "slack:C1")
    assert code == 0
    assert out == ""
    assert "slack:C1: No one here has liked or saved a paper this week yet" in err
    for user, kind, paper in (
        ("U1", "--like", "2103.09742"),
        ("U2", "--save", "2103.09742"),
        ("U1", "--like", "2103.09460"),
        ("U3", "--dislike", "2103.09568"),
    ):
        invoke("feedback", "add", "--channel", "slack:C1", kind, "--user", user, paper)
    invoke("feedback", "add", "--channel", "slack:C2", "--like", "2103.09389")
    code, out, err = invoke("picks", "--channel", "slack:C1", "--span", "month")
    assert code == 0, err
    assert "Lab picks" in out
    assert out.index("2103.09742") < out.index("2103.09460")
    assert "1 👍 · 1 🔖" in out
    assert "2103.09568" not in out  # only disliked
    assert "2103.09389" not in out  # another channel's
    code, out, _ = invoke("picks", "--channel", "slack:C1", "--format", "json", "--top", "1")
    assert code == 0
    found = json.loads(out)
    assert found["view"] == "picks"
    assert [i["paper"]["arxiv_id"] for i in found["items"]] == ["2103.09742"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--channel", "slack"], "is not a channel"),
        (["--channel", "slack:C1", "--span", "year"], "'year' is not one of"),
    ],
)
def test_bad_picks_options_are_one_sentence(args: list[str], message: str) -> None:
    code, _, err = invoke("picks", *args)
    assert code == 2
    assert message in err


def test_subscriptions_list_names_lab_picks(tmp_path: Path) -> None:
    import asyncio
    import datetime as dt

    from bot.store import open_store
    from bot.subscriptions import Subscription

    async def add() -> None:
        store = await open_store(f"sqlite:///{tmp_path / 'picks.db'}")
        try:
            sub = Subscription(
                platform="slack", destination="C1", content="picks", cadence="weekly", weekdays=(4,)
            )
            await store.add(sub, now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC))
        finally:
            await store.close()

    asyncio.run(add())
    code, out, _ = invoke("subscriptions", "list")
    assert code == 0
    assert "lab picks" in out
