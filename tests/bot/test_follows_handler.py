"""A person talks to the bot about their follows; each reply is one sentence or a list."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat import Context, TextReply
from bot.errors import FeedError
from bot.follows.handler import FollowHandler, person
from bot.follows.model import Person
from bot.follows.store import FollowStore
from bot.models import Paper
from bot.snapshot import sample_snapshot
from bot.store import SqlStore

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
ME = person(Context(platform="slack", workspace="T1", channel="C1", user="U1"))
YOU = Person(platform="discord", scope="G1", user="42")
PAPERS = {p.arxiv_id: p for p in sample_snapshot().papers}


async def lookup(arxiv_id: str) -> Paper | None:
    if arxiv_id == "2101.00001":
        raise FeedError("arXiv's API answered HTTP 503.")
    return PAPERS.get(arxiv_id)


@pytest.fixture
def bot(store: SqlStore) -> FollowHandler:
    return FollowHandler(FollowStore(store), lookup=lookup, clock=lambda: NOW)


async def say(bot: FollowHandler, text: str, who: Person = ME) -> TextReply:
    reply = await bot.handle(text, who)
    assert reply is not None
    return reply


async def test_a_person_follows_lists_and_unfollows(bot: FollowHandler) -> None:
    assert (await say(bot, "follows")).text.startswith("You follow nothing yet.")
    reply = await say(bot, 'follow author "Yann LeCun"')
    assert reply.kind == "confirmation"
    assert reply.text == (
        "Following author “Yann LeCun”: new papers that match come in one direct message a day "
        "at 09:00 UTC (/hotpapers dm at HH:MM to change it)."
    )
    assert (await say(bot, "follow author yann lecun")).text == (
        "You follow author “Yann LeCun” already."
    )
    await say(bot, 'follow author "Yann André LeCun"')
    await say(bot, "follow keyword contrastive learning")
    assert (await say(bot, "follow similar 2103.09742")).text.startswith(
        "Following papers like 2103.09742"
    )
    listed = await say(bot, "follows")
    assert listed.kind == "list"
    assert listed.text == (
        "You follow (direct message at 09:00 UTC):\n"
        "1. author “Yann LeCun”\n2. author “Yann André LeCun”\n3. keyword “contrastive learning”\n"
        "4. papers like 2103.09742\n/hotpapers unfollow N stops one."
    )
    assert (await say(bot, "unfollow 1 3")).text == (
        "Unfollowed: author “Yann LeCun”, keyword “contrastive learning”."
    )
    assert (await say(bot, 'unfollow author "YANN ANDRE LECUN"')).text == (
        "Unfollowed: author “Yann André LeCun”."
    )
    assert (await say(bot, "unfollow 5")).text.startswith(
        "You follow 1 things, so there is no number 5"
    )
    assert (await say(bot, "unfollow all")).text == "Unfollowed: papers like 2103.09742."
    assert (await say(bot, "unfollow all")).text == "You follow nothing, so nothing to unfollow."


async def test_a_similar_follow_keeps_the_papers_text(store: SqlStore, bot: FollowHandler) -> None:
    await say(bot, "follow similar https://arxiv.org/abs/2103.09742v1")
    (kept,) = await FollowStore(store).follows(ME)
    assert kept.value == "2103.09742"
    assert kept.text.startswith("Training GANs with Stronger Augmentations")


async def test_an_unknown_or_unreachable_paper_is_said_plainly(bot: FollowHandler) -> None:
    unknown = await say(bot, "follow similar 2001.99999")
    assert unknown.kind == "error"
    assert unknown.text.startswith("arXiv has no paper 2001.99999; check the id.")
    down = await say(bot, "follow similar 2101.00001")
    assert down.text == "That cannot be answered right now: arXiv's API answered HTTP 503."


async def test_the_dm_time_is_chosen_and_shown(bot: FollowHandler) -> None:
    assert (await say(bot, "dm at 07:45 tz Europe/Berlin")).text == (
        "Your direct message comes at 07:45 Europe/Berlin."
    )
    assert (
        await say(bot, "dm at 08:00")
    ).text == "Your direct message comes at 08:00 Europe/Berlin."
    await say(bot, "follow keyword diffusion")
    assert "(direct message at 08:00 Europe/Berlin)" in (await say(bot, "follows")).text


async def test_forget_me_deletes_only_this_persons_data(
    store: SqlStore, bot: FollowHandler
) -> None:
    await say(bot, "follow keyword diffusion")
    await say(bot, "dm at 07:00")
    await say(bot, "follow keyword diffusion", YOU)
    reply = await say(bot, "forget me")
    assert reply.text == (
        "Forgotten: your 1 follow and your settings (the time of your direct message, the mix "
        "of “me”) are deleted."
    )
    assert (await say(bot, "forget me")).text == "Nothing was stored about you."
    assert len(await FollowStore(store).follows(YOU)) == 1


async def test_forget_me_counts_what_a_person_knows_not_rows(
    store: SqlStore, bot: FollowHandler
) -> None:
    """Follows and papers sent to them, in their words; no count of "records"."""
    await say(bot, "follow keyword diffusion")
    await say(bot, "follow author Hinton")
    follows = FollowStore(store)
    now = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
    await follows.claim(ME, dt.date(2026, 11, 24), ["2103.09742", "2103.09460"], now=now)
    await follows.claim(ME, dt.date(2026, 11, 25), ["2103.09568"], now=now)
    text = (await say(bot, "forget me")).text
    assert text == (
        "Forgotten: your 2 follows, your settings (the time of your direct message, the mix of "
        "“me”) and the list of the 3 papers sent to you in direct messages (kept so that none "
        "came twice) are deleted."
    )
    assert "record" not in text


async def test_bad_input_says_one_sentence_and_where_help_is(bot: FollowHandler) -> None:
    reply = await say(bot, "follow auther LeCun")
    assert reply.kind == "error"
    assert reply.text.endswith("Did you mean author? `/hotpapers help` for more.")


async def test_other_commands_are_not_personal(bot: FollowHandler) -> None:
    assert await bot.handle("subscribe cs.LG", ME) is None
    assert await bot.handle("", ME) is None


async def test_a_person_without_an_id_is_refused(bot: FollowHandler) -> None:
    reply = await say(bot, "follows", Person(platform="console", user=""))
    assert reply.kind == "error"


async def test_follows_are_bounded(store: SqlStore) -> None:
    bot = FollowHandler(FollowStore(store), lookup=lookup, clock=lambda: NOW, max_follows=3)
    for n in range(3):
        await say(bot, f"follow keyword topic{n}")
    reply = await say(bot, "follow keyword one more")
    assert reply.kind == "error"
    assert reply.text.startswith("You follow 3 things already, the most there may be")


async def test_a_long_list_fits_in_one_discord_message(bot: FollowHandler) -> None:
    for n in range(60):
        await say(bot, f"follow keyword {'a-rather-long-keyword-of-many-letters'} {n}", YOU)
    reply = await say(bot, "follows", YOU)
    assert len(reply.text) <= 2000
    assert reply.text.endswith("(cut: the rest is longer than one reply may be)")
