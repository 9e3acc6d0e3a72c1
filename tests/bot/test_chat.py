from __future__ import annotations

import datetime as dt

import pytest

from bot.chat import CommandHandler, Context, DigestReply, TextReply
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
LAB = Context(platform="slack", workspace="T1", channel="C1", user="U1")


@pytest.fixture
def bot(store: SqlStore) -> CommandHandler:
    return CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)


async def say(bot: CommandHandler, text: str, ctx: Context = LAB) -> TextReply:
    reply = await bot.handle(text, ctx)
    assert isinstance(reply, TextReply)
    return reply


async def test_a_channel_subscribes_lists_pauses_resumes_and_unsubscribes(
    bot: CommandHandler,
) -> None:
    assert (await say(bot, "subscriptions")).text.startswith("This channel has no subscription")
    reply = await say(bot, "subscribe cs.LG at 08:30 tz Europe/Berlin top 5")
    assert reply.kind == "confirmation"
    assert reply.text == "Subscribed: cs.LG: top 5 at 08:30 Europe/Berlin, mon-fri."
    assert (
        await say(bot, "subscribe cs.CV weekdays daily")
    ).text == "Updated: cs.LG cs.CV: top 5 at 08:30 Europe/Berlin, every day."
    assert "cs.LG cs.CV" in (await say(bot, "subscriptions")).text
    assert (await say(bot, "pause")).text == "Paused."
    assert "paused" in (await say(bot, "subscriptions")).text
    assert (await say(bot, "resume")).text == "Resumed."
    assert (await say(bot, "unsubscribe cs.CV")).text == "Unsubscribed from cs.CV."
    assert "cs.CV" not in (await say(bot, "subscriptions")).text
    assert (
        await say(bot, "unsubscribe")
    ).text == "Unsubscribed: this channel gets no more digests."
    assert (await say(bot, "subscriptions")).text.startswith("This channel has no subscription")


async def test_the_digest_uses_the_channels_categories_else_all(bot: CommandHandler) -> None:
    everything = await bot.handle("", LAB)
    assert isinstance(everything, DigestReply)
    assert len(everything.digest.items) == 10
    assert not everything.public
    await say(bot, "subscribe cs.CV")
    mine = await bot.handle("top 3 public", LAB)
    assert isinstance(mine, DigestReply)
    assert mine.public
    assert mine.digest.filters.categories == ("cs.CV",)
    assert [r.paper.arxiv_id for r in mine.digest.items] == [
        "2103.09742",
        "2103.09460",
        "2103.09669",
    ]


async def test_channels_do_not_see_each_others_subscriptions(bot: CommandHandler) -> None:
    await say(bot, "subscribe cs.LG")
    other = Context(platform="slack", workspace="T1", channel="C2")
    assert (await say(bot, "subscriptions", other)).text.startswith(
        "This channel has no subscription"
    )


async def test_only_managers_may_change_subscriptions_when_the_policy_says_so(
    bot: CommandHandler,
) -> None:
    guest = Context(platform="discord", workspace="G", channel="1", user="guest", may_manage=False)
    assert (await say(bot, "subscribe cs.LG", guest)).text.startswith("Only the channel's managers")
    assert isinstance(await bot.handle("cs.LG", guest), DigestReply)  # reading stays open to all


async def test_mistakes_get_one_sentence_and_a_pointer_to_help(bot: CommandHandler) -> None:
    reply = await say(bot, "subscribe cs.LGG")
    assert reply.kind == "error"
    assert reply.text.startswith("Unknown arXiv category 'cs.LGG'. Did you mean cs.LG")
    assert reply.text.endswith("? `/hotpapers help` for more.")
    assert "\n" not in reply.text  # no usage block reprinted
    assert (await say(bot, "date 2026-11-20")).text.startswith(
        "The digest cannot be made right now"
    )
    assert (await say(bot, "help")).kind == "help"


async def test_a_reply_never_outgrows_the_platform_and_says_when_it_is_cut(
    bot: CommandHandler,
) -> None:
    from bot.limits import CUT_NOTE, REPLY_LIMITS
    from bot.taxonomy import load_taxonomy

    discord = Context(platform="discord", workspace="G1", channel="42", user="U1")
    categories = list(load_taxonomy().categories)[:120]
    for start in range(0, len(categories), 20):
        chunk = " ".join(categories[start : start + 20])
        await say(bot, f"subscribe {chunk} keywords {' '.join(['k' * 64] * 20)}", discord)
    reply = await say(bot, "subscriptions", discord)
    assert len(reply.text) <= REPLY_LIMITS["discord"]
    assert reply.text.endswith(CUT_NOTE)
    slack = await say(bot, "subscribe cs.LG keywords " + " ".join(["k" * 64] * 20))
    assert slack.kind == "confirmation"
    assert not slack.text.endswith(CUT_NOTE)  # 40,000 characters hold it whole


async def test_subscribe_without_a_category_asks_for_one(bot: CommandHandler) -> None:
    reply = await say(bot, "subscribe at 10:00")
    assert reply.kind == "error"
    assert reply.text.startswith("Which categories? Name at least one")
    assert await bot.store.subscriptions() == []  # not silently subscribed to all of arXiv
    await say(bot, "subscribe cs.LG")
    # With a subscription, options alone change it, and the reply says what it now gets.
    assert (await say(bot, "subscribe at 10:00")).text.startswith("Updated: cs.LG: top 10 at 10:00")


async def test_the_digest_uses_the_channels_keywords_too(bot: CommandHandler) -> None:
    await say(bot, "subscribe cs.CV keywords augmentations")
    mine = await bot.handle("", LAB)
    assert isinstance(mine, DigestReply)
    assert mine.digest.filters.categories == ("cs.CV",)
    assert mine.digest.filters.keywords == ("augmentations",)
    assert [r.paper.arxiv_id for r in mine.digest.items] == ["2103.09742"]
    # Keywords given in the command replace the channel's; categories given name their own.
    other = await bot.handle("keywords one-level", LAB)
    assert isinstance(other, DigestReply)
    assert other.digest.filters.keywords == ("one-level",)
    assert [r.paper.title for r in other.digest.items] == ["You Only Look One-level Feature"]
    named = await bot.handle("cs.AI", LAB)
    assert isinstance(named, DigestReply)
    assert named.digest.filters.keywords == ()
