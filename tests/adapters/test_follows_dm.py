"""Direct messages on Slack, Discord and the console, against the local fakes: one message per
person, escaped, never pinging; refusals and lost answers reported as the job needs them."""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import replace

import httpx
import pytest

from adapters.console.dm import ConsoleDirectMessenger
from adapters.discord.dm import DiscordDirectMessenger, dm_payload
from adapters.slack.dm import SlackDirectMessenger, dm_message
from adapters.slack.publisher import web_client
from bot.errors import DeliveryError, DestinationGone, MaybePosted
from bot.follows.match import DayIndex, match_day
from bot.follows.model import Follow, FollowDigest, Person
from bot.models import Paper
from tests.fakedm import FakeDiscordDm, FakeSlackDm
from tests.fakeserver import serve

DAY = dt.date(2026, 11, 25)
AT = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
SLACK_ME = Person(platform="slack", scope="T1", user="U1")
DISCORD_ME = Person(platform="discord", scope="G1", user="42")


def hostile(person: Person, papers: int = 3) -> FollowDigest:
    items = [
        Paper(
            arxiv_id=f"2611.{n:05d}",
            title=f"<!channel> @everyone <@U123> **bold** <https://evil.example|click> & paper {n}",
            authors=("<@123456789012345678>", "@here"),
            abstract="[click](https://evil.example) " + "a" * 3000,
        )
        for n in range(1, papers + 1)
    ]
    follow = Follow(person=person, kind="keyword", value="<click> & paper", created_at=AT)
    matches = match_day(DayIndex(items), [follow])
    assert len(matches) == papers
    return FollowDigest(person=person, day=DAY, matches=tuple(matches))


def test_a_slack_dm_is_escaped_block_kit_that_pings_nobody() -> None:
    message = dm_message(hostile(SLACK_ME, 10))
    assert len(message["blocks"]) <= 50
    text = json.dumps(message)
    for ping in ("<!channel>", "<!here>", "<@U123>", "<https://evil.example"):
        assert ping not in text
    assert "&lt;!channel&gt;" in text
    assert "<https://arxiv.org/abs/2611.00001|1. " in text


def test_a_discord_dm_is_escaped_embeds_that_ping_nobody() -> None:
    payload = dm_payload(hostile(DISCORD_ME, 10))
    assert payload["allowed_mentions"] == {"parse": []}
    assert len(payload["embeds"]) == 10
    text = json.dumps(payload)
    assert "@everyone" not in text.replace("@\\u200beveryone", "")
    for embed in payload["embeds"]:
        assert "[click](" not in embed["description"]
        assert "\\[click\\](" in embed["description"]
    assert payload["embeds"][0]["url"] == "https://arxiv.org/abs/2611.00001"


async def test_slack_opens_the_dm_and_posts_one_message() -> None:
    slack = FakeSlackDm()
    with serve(slack.routes(), post=slack.post) as (base, _):
        messenger = SlackDirectMessenger(web_client("xoxb-test", f"{base}/api/"))
        ts = await messenger.send_dm(SLACK_ME, hostile(SLACK_ME))
    assert slack.opened == ["U1"]
    (sent,) = slack.messages
    assert sent["ts"] == ts
    assert sent["channel"] == "DU1"
    assert sent["text"].startswith("3 new papers for what you follow (2026-11-25)")


async def test_a_slack_user_who_takes_no_dms_is_a_certain_failure() -> None:
    slack = FakeSlackDm()
    closed = Person(platform="slack", scope="T1", user="UCLOSED")
    with serve(slack.routes(), post=slack.post) as (base, _):
        messenger = SlackDirectMessenger(web_client("xoxb-test", f"{base}/api/"))
        with pytest.raises(DeliveryError, match="cannot_dm_bot") as caught:
            await messenger.send_dm(closed, hostile(closed))
    assert not isinstance(caught.value, MaybePosted)
    assert slack.messages == []


async def test_a_lost_slack_answer_may_have_been_posted() -> None:
    slack = FakeSlackDm()
    slack.lose_answers = [True]
    with serve(slack.routes(), post=slack.post) as (base, _):
        messenger = SlackDirectMessenger(web_client("xoxb-test", f"{base}/api/"))
        with pytest.raises(MaybePosted):
            await messenger.send_dm(SLACK_ME, hostile(SLACK_ME))


async def test_discord_opens_the_dm_channel_and_posts_once_per_day() -> None:
    fake = FakeDiscordDm()
    with serve(fake.routes(), post=fake.post) as (base, _):
        async with httpx.AsyncClient() as client:
            messenger = DiscordDirectMessenger(client, "t", api_base=f"{base}/api/v10")
            first = await messenger.send_dm(DISCORD_ME, hostile(DISCORD_ME))
            # A retry of the same day's message (a lost answer) is the same message.
            again = await messenger.send_dm(DISCORD_ME, hostile(DISCORD_ME))
    assert fake.opened == ["42", "42"]
    (sent,) = fake.messages
    assert sent["channel_id"] == "942"
    assert first == again == sent["id"]


async def test_a_discord_user_who_takes_no_dms_is_gone_for_now() -> None:
    fake = FakeDiscordDm()
    closed = Person(platform="discord", scope="G1", user="403")
    with serve(fake.routes(), post=fake.post) as (base, _):
        async with httpx.AsyncClient() as client:
            messenger = DiscordDirectMessenger(client, "t", api_base=f"{base}/api/v10")
            with pytest.raises(DestinationGone):
                await messenger.send_dm(closed, hostile(closed))


async def test_discord_unreachable_is_a_certain_failure() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as client:
        messenger = DiscordDirectMessenger(client, "t", api_base="http://127.0.0.1:9/api/v10")
        with pytest.raises(DeliveryError) as caught:
            await messenger.send_dm(DISCORD_ME, hostile(DISCORD_ME))
    assert not isinstance(caught.value, MaybePosted)


async def test_the_console_prints_the_message_for_the_person() -> None:
    stream = io.StringIO()
    ada = Person(platform="console", user="ada")
    message_id = await ConsoleDirectMessenger(stream).send_dm(ada, hostile(ada, 1))
    assert message_id == "console-dm:1"
    assert stream.getvalue().startswith("── direct message to ada ──\nhotpapers: 1 new paper for")


def test_a_discord_dm_is_dated_by_its_papers_announcement_day() -> None:
    message = replace(hostile(DISCORD_ME, 1), announced=dt.date(2021, 3, 18))
    assert "for what you follow** (2021-03-18)" in dm_payload(message)["content"]
    assert "2026-11-25" not in dm_payload(message)["content"]


def test_a_slack_dm_is_dated_by_its_papers_announcement_day() -> None:
    message = replace(hostile(SLACK_ME, 1), announced=dt.date(2021, 3, 18))
    rendered = json.dumps(dm_message(message), ensure_ascii=False)
    assert "for what you follow (2021-03-18)" in rendered
    assert "2026-11-25" not in rendered
