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
    assert reply.text == "Subscribed: #1 cs.LG: top 5 at 08:30 Europe/Berlin, mon-fri."
    # Options alone change the channel's one subscription.
    assert (
        await say(bot, "subscribe weekdays daily")
    ).text == "Updated: #1 cs.LG: top 5 at 08:30 Europe/Berlin, every day."
    assert (await say(bot, "pause")).text == "Paused: #1 (cs.LG)."
    assert "paused" in (await say(bot, "subscriptions")).text
    assert (await say(bot, "resume")).text == "Resumed: #1 (cs.LG)."
    assert (await say(bot, "unsubscribe")).text == (
        "Unsubscribed: removed #1 cs.LG: top 5 at 08:30 Europe/Berlin, every day; "
        "this channel gets no more digests."
    )
    assert (await say(bot, "subscriptions")).text.startswith("This channel has no subscription")


async def test_a_second_subscribe_adds_a_subscription_with_its_own_number(
    bot: CommandHandler,
) -> None:
    await say(bot, "subscribe cs.LG keywords diffusion")
    second = await say(bot, "subscribe cs.CV at 10:00")
    assert second.kind == "confirmation"
    assert second.text == (
        "Subscribed: #2 cs.CV: top 10 at 10:00 UTC, mon-fri. This channel now has 2 "
        "subscriptions, each posted on its own: #1 (cs.LG), #2 (cs.CV). "
        "/hotpapers unsubscribe 2 stops this one."
    )
    first, cv = await bot.store.subscriptions()
    assert (first.categories, first.keywords) == (("cs.LG",), ("diffusion",))
    assert (cv.categories, cv.keywords) == (("cs.CV",), ())  # no keywords carried along
    listing = (await say(bot, "subscriptions")).text
    assert "• #1 cs.LG: top 10 at 09:00 UTC, mon-fri, keywords diffusion" in listing
    assert "• #2 cs.CV: top 10 at 10:00 UTC, mon-fri" in listing
    assert "/hotpapers pause 1, resume 1, unsubscribe 1" in listing
    # Overlapping categories are a subscription of their own, said plainly.
    third = await say(bot, "subscribe cs.LG cs.AI")
    assert "#3 cs.LG cs.AI" in third.text
    assert "It shares cs.LG with another: such papers may come twice." in third.text


async def test_an_identical_subscribe_adds_nothing_and_says_so(bot: CommandHandler) -> None:
    await say(bot, "subscribe cs.LG cs.CV keywords Diffusion")
    again = await say(bot, "subscribe cs.CV cs.LG keywords diffusion")
    assert again.kind == "list"  # nothing changed: not announced
    assert again.text.startswith("Already subscribed: #1 cs.LG cs.CV")
    assert "no second subscription" in again.text
    assert len(await bot.store.subscriptions()) == 1
    # The same categories and filters with new options change that subscription.
    moved = await say(bot, "subscribe cs.LG cs.CV keywords diffusion at 07:00")
    assert moved.text.startswith("Updated: #1 cs.LG cs.CV: top 10 at 07:00 UTC")
    assert len(await bot.store.subscriptions()) == 1


async def test_numbers_act_on_one_subscription_and_only_this_channels(
    bot: CommandHandler,
) -> None:
    await say(bot, "subscribe cs.LG")
    await say(bot, "subscribe cs.CV")
    other = Context(platform="slack", workspace="T1", channel="C2", user="U2")
    await say(bot, "subscribe cs.AI", other)  # #3, another channel's
    assert (await say(bot, "pause 2")).text == "Paused: #2 (cs.CV)."
    lg, cv, ai = await bot.store.subscriptions()
    assert (lg.paused, cv.paused, ai.paused) == (False, True, False)
    assert (await say(bot, "resume #2")).text == "Resumed: #2 (cs.CV)."
    # Another channel's number is never acted on, nor said to exist.
    for command in ("pause 3", "resume 3", "unsubscribe 3", "subscribe 3 at 10:00"):
        refused = await say(bot, command)
        assert refused.kind == "error"
        assert refused.text.startswith("This channel has no subscription #3;")
        assert "cs.AI" not in refused.text
    assert [s.id for s in await bot.store.subscriptions()] == [1, 2, 3]
    assert not (await bot.store.get(3)).paused  # type: ignore[union-attr]
    # With several subscriptions, options alone must say which one.
    which = await say(bot, "subscribe at 10:00")
    assert which.kind == "error"
    assert "say which, like /hotpapers subscribe 1 at 10:00" in which.text
    changed = await say(bot, "subscribe 2 at 10:00 keywords video")
    assert changed.text == "Updated: #2 cs.CV: top 10 at 10:00 UTC, mon-fri, keywords video."
    removed = await say(bot, "unsubscribe 1")
    assert removed.text.startswith("Unsubscribed: removed #1 cs.LG")
    assert removed.text.endswith("this channel still gets #2 (cs.CV).")
    assert [s.id for s in await bot.store.subscriptions()] == [2, 3]


async def test_unsubscribe_a_category_drops_it_where_it_is(bot: CommandHandler) -> None:
    await say(bot, "subscribe cs.LG cs.CV")
    await say(bot, "subscribe cs.LG keywords agents")
    reply = await say(bot, "unsubscribe cs.LG")
    assert reply.text == "Unsubscribed from cs.LG: #1 now gets cs.CV; removed #2."
    (left,) = await bot.store.subscriptions()
    assert left.categories == ("cs.CV",)
    missing = await say(bot, "unsubscribe cs.AI")
    assert missing.kind == "error"
    assert missing.text == "No subscription here has cs.AI; this channel gets #1 (cs.CV)."


async def test_the_word_and_author_filters_choose_the_papers(bot: CommandHandler) -> None:
    every = await bot.handle("cs.CV top 100", LAB)
    assert isinstance(every, DigestReply)
    ids = [r.paper.arxiv_id for r in every.digest.items]
    assert "2103.09742" in ids
    dropped = await bot.handle("cs.CV top 100 -augmentations", LAB)
    assert isinstance(dropped, DigestReply)
    assert dropped.digest.filters.exclude == ("augmentations",)
    assert [r.paper.arxiv_id for r in dropped.digest.items] == [i for i in ids if i != "2103.09742"]
    paper = next(r.paper for r in every.digest.items if r.paper.arxiv_id == "2103.09742")
    first, last = paper.authors[0].split()[0], paper.authors[0].split()[-1]
    by = await bot.handle(f'cs.CV top 100 authors "{first[0]}. {last.upper()}"', LAB)
    assert isinstance(by, DigestReply)
    assert "2103.09742" in [r.paper.arxiv_id for r in by.digest.items]
    assert all(
        any(a.split()[-1].casefold() == last.casefold() for a in r.paper.authors)
        for r in by.digest.items
    )


async def test_a_subscriptions_filters_are_stored_and_used(bot: CommandHandler) -> None:
    reply = await say(bot, 'subscribe cs.CV all contrastive not video authors "Y. Doe", Roe')
    assert reply.text == (
        "Subscribed: #1 cs.CV: top 10 at 09:00 UTC, mon-fri, all contrastive, not video, "
        "authors “Y. Doe” “Roe”."
    )
    (sub,) = await bot.store.subscriptions()
    assert (sub.all_keywords, sub.exclude, sub.authors) == (
        ("contrastive",),
        ("video",),
        ("Y. Doe", "Roe"),
    )
    mine = await bot.handle("", LAB)
    assert isinstance(mine, DigestReply)
    assert mine.digest.filters.authors == ("Y. Doe", "Roe")
    assert mine.digest.filters.all_keywords == ("contrastive",)


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
    assert (await say(bot, "subscribe at 10:00")).text.startswith(
        "Updated: #1 cs.LG: top 10 at 10:00"
    )


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


async def test_with_several_subscriptions_the_digest_uses_filters_only_when_all_have_them(
    bot: CommandHandler,
) -> None:
    await say(bot, "subscribe cs.CV -survey")
    await say(bot, "subscribe cs.LG -survey")
    same = await bot.handle("", LAB)
    assert isinstance(same, DigestReply)
    assert (same.digest.filters.categories, same.digest.filters.exclude) == (
        ("cs.CV", "cs.LG"),
        ("survey",),
    )
    await say(bot, "subscribe cs.AI keywords agents")
    mixed = await bot.handle("", LAB)
    assert isinstance(mixed, DigestReply)
    assert mixed.digest.filters.categories == ("cs.CV", "cs.LG", "cs.AI")
    assert (mixed.digest.filters.keywords, mixed.digest.filters.exclude) == ((), ())


async def test_a_repeat_pause_and_a_channel_of_every_category_say_what_they_can(
    bot: CommandHandler,
) -> None:
    await say(bot, "subscribe cs.LG")
    assert (await say(bot, "pause")).kind == "confirmation"
    again = await say(bot, "pause 1")
    assert (again.kind, again.text) == ("list", "Already paused: #1 (cs.LG). Nothing changed.")
    await bot.store.update(1, categories=())  # every category, as an operator may set it
    refused = await say(bot, "unsubscribe cs.CV")
    assert refused.kind == "error"
    assert refused.text.startswith("This channel gets every category")
    # A mistake in a second subscribe adds nothing.
    bad = await say(bot, "subscribe cs.CV weekly fri weekdays mon-fri")
    assert bad.kind == "error"
    assert len(await bot.store.subscriptions()) == 1


async def test_a_paused_subscription_says_paused_once(bot: CommandHandler) -> None:
    """The reason is shown after the word "paused", never with it again."""
    await say(bot, "subscribe cs.LG")
    await say(bot, "pause")
    listed = (await say(bot, "subscriptions")).text
    assert "paused (by a user)" in listed
    assert "paused (paused" not in listed
    (sub,) = await bot.store.subscriptions()
    assert sub.paused_reason == "by a user"
