"""``hotpapers follows send`` and ``follows list`` as cron and an operator use them."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from bot.follows.model import DmTime, Follow, Kind, Person
from bot.follows.store import FollowStore
from bot.store import open_store
from tests.fakedm import FakeDiscordDm
from tests.fakeserver import serve

runner = CliRunner()
MORNING = "2026-11-25T09:05:00+00:00"
ADA = Person(platform="console", user="ada")
BOB = Person(platform="discord", scope="G1", user="42")


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("HOTPAPERS_", "SLACK_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOTPAPERS_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data" / "hotpapers.db"


def follow(db: Path, person: Person, kind: Kind, value: str, dm: DmTime | None = None) -> None:
    async def work() -> None:
        store = await open_store(f"sqlite:///{db}")
        try:
            follows = FollowStore(store)
            at = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
            await follows.add(Follow(person=person, kind=kind, value=value, created_at=at))
            if dm is not None:
                await follows.set_dm_time(person, dm)
        finally:
            await store.close()

    asyncio.run(work())


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_send_messages_each_person_once_a_day(isolated: Path) -> None:
    follow(isolated, ADA, "author", "Jinwoo Shin")
    code, out, err = invoke("follows", "send", "--sample", "--at", MORNING)
    assert code == 0, err
    assert out.startswith("── direct message to ada ──\nhotpapers: 1 new paper for what you follow")
    assert "Training GANs with Stronger Augmentations" in out
    assert "follows send at 2026-11-25 09:05 UTC: 1 sent; 1 papers sent." in err
    code, out, err = invoke("follows", "send", "--sample", "--at", MORNING)
    assert (code, out) == (0, "")
    assert "nothing due; 0 papers sent" in err


def test_send_reaches_discord_and_names_platforms_it_cannot(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    follow(isolated, BOB, "keyword", "reinforcement learning")
    follow(isolated, Person(platform="slack", scope="T1", user="U1"), "author", "Jinwoo Shin")
    fake = FakeDiscordDm()
    with serve(fake.routes(), post=fake.post) as (base, _):
        monkeypatch.setenv("DISCORD_TOKEN", "t")
        monkeypatch.setenv("DISCORD_API_BASE", f"{base}/api/v10")
        code, _, err = invoke("follows", "send", "--sample", "--at", MORNING)
    assert code == 0, err
    assert "1 no messenger, 1 sent" in err
    assert "slack:T1:U1: no slack direct messages configured here" in err
    (sent,) = fake.messages
    assert sent["channel_id"] == "942"
    assert sent["content"].startswith("**1 new paper for what you follow** (2021-03-18)")


def test_a_refused_message_exits_1_and_is_retried(
    isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    follow(isolated, BOB, "keyword", "reinforcement learning")
    fake = FakeDiscordDm()
    fake.rate_limit_next = 1
    with serve(fake.routes(), post=fake.post) as (base, _):
        monkeypatch.setenv("DISCORD_TOKEN", "t")
        monkeypatch.setenv("DISCORD_API_BASE", f"{base}/api/v10")
        code, _, err = invoke("follows", "send", "--sample", "--at", MORNING)
        assert code == 1
        assert "retried by the next run" in err
        code, _, err = invoke("follows", "send", "--sample", "--at", MORNING)
        assert code == 0, err
    assert len(fake.messages) == 1


def test_list_shows_a_persons_follows_time_and_messages(isolated: Path) -> None:
    follow(isolated, ADA, "author", "Jinwoo Shin", DmTime(at=dt.time(8), zone="Europe/Berlin"))
    follow(isolated, ADA, "keyword", "contrastive learning")
    assert invoke("follows", "send", "--sample", "--at", MORNING)[0] == 0
    code, out, _ = invoke("follows", "list", "--user", "console::ada")
    assert code == 0
    assert out == (
        "console::ada follows (direct message at 08:00 Europe/Berlin):\n"
        "1. author “Jinwoo Shin”\n2. keyword “contrastive learning”\n"
        "  2026-11-25: sent, 1 paper\n"
    )
    code, out, err = invoke("follows", "list", "--user", "slack:T1:U9")
    assert (code, out) == (0, "")
    assert "slack:T1:U9 follows nothing." in err


@pytest.mark.parametrize("user", ["ada", "irc::ada", "slack:T1:"])
def test_a_malformed_user_is_bad_input(user: str) -> None:
    code, _, err = invoke("follows", "list", "--user", user)
    assert code == 2
    assert "is not PLATFORM:SCOPE:USER" in err


def test_send_takes_one_source_of_papers() -> None:
    code, _, err = invoke("follows", "send", "--sample", "--snapshot", "x.json")
    assert code == 2
    assert "either --snapshot or --sample" in err


def test_a_person_follows_from_the_shell_as_in_chat(
    isolated: Path, monkeypatch: pytest.MonkeyPatch, data: Path
) -> None:
    atom = (data / "arxiv_api_atom_idlist_2025-11-11.xml").read_bytes()
    with serve({"/api/query": lambda query: (200, "application/atom+xml", atom)}) as (base, seen):
        monkeypatch.setenv("HOTPAPERS_ARXIV_API_URL", f"{base}/api/query")
        code, out, err = invoke(
            "follows", "command", "--user", "console::ada", "follow similar 2201.13452"
        )
    assert code == 0, err
    assert out.startswith("Following papers like 2201.13452")
    assert seen == ["/api/query?id_list=2201.13452&max_results=1"]
    code, out, _ = invoke("follows", "command", "--user", "console::ada", "follows")
    assert out == (
        "You follow (direct message at 09:00 UTC):\n1. papers like 2201.13452\n"
        "/hotpapers unfollow N stops one.\n"
    )
    code, _, err = invoke("follows", "command", "--user", "console::ada", "unfollow 7")
    assert code == 2
    assert "there is no number 7" in err
    code, _, err = invoke("follows", "command", "--user", "console::ada", "subscribe cs.LG")
    assert code == 2
    assert "is not a personal command" in err


def test_a_console_person_follows_then_gets_the_day_in_one_message() -> None:
    for command in ('follow author "J. Shin"', "follow keyword multi-objective", "dm at 08:00"):
        code, _, err = invoke("follows", "command", "--user", "console::ada", command)
        assert code == 0, err
    code, out, err = invoke("follows", "send", "--sample", "--at", MORNING)
    assert code == 0, err
    assert out.count("── direct message to ada ──") == 1
    assert "hotpapers: 2 new papers for what you follow (2021-03-18)" in out
    assert "matches author “J. Shin”" in out
    assert "matches keyword “multi-objective”" in out
    invoke("follows", "command", "--user", "console::ada", "forget me")
    assert invoke("follows", "list", "--user", "console::ada")[2].endswith("follows nothing.\n")
