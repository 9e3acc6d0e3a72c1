"""``hotpapers discord invite`` prints the link that adds the bot, with the right permissions."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import discord
import pytest
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.discord.runtime import point_at
from tests.fakediscord import FakeDiscord
from tests.fakeserver import serve

runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[tuple[FakeDiscord, str]]:
    discord_api = FakeDiscord()
    with serve(discord_api.routes(), post=discord_api.post, put=discord_api.put) as (base, _):
        old = discord.http.Route.BASE
        yield discord_api, base
        point_at(old)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_the_invite_names_the_scopes_and_exactly_the_permissions_used() -> None:
    result = runner.invoke(app, ["discord", "invite", "--application-id", "123"])
    assert result.exit_code == 0
    asked = query(result.stdout.strip())
    assert asked["client_id"] == ["123"]
    assert asked["scope"] == ["bot applications.commands"]
    granted = discord.Permissions(int(asked["permissions"][0]))
    assert {name for name, on in granted if on} == {
        "read_messages",  # discord.py's name for View Channel
        "send_messages",
        "send_messages_in_threads",
        "embed_links",
        "read_message_history",
        "create_public_threads",  # a paper's 🧵 thread
    }


def test_the_application_id_is_read_with_the_bot_token(
    fake: tuple[FakeDiscord, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base = fake
    monkeypatch.setenv("DISCORD_TOKEN", "bot-token")
    monkeypatch.setenv("DISCORD_API_BASE", f"{base}/api/v10")
    result = runner.invoke(app, ["discord", "invite"])
    assert result.exit_code == 0, result.output
    assert query(result.stdout.strip())["client_id"] == ["100"]


def test_without_a_token_or_an_id_it_says_what_to_give(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = runner.invoke(app, ["discord", "invite"])
    assert result.exit_code == 2
    assert "Give --application-id, or set DISCORD_TOKEN" in result.output
