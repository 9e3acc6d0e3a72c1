"""The personal side of ``/hotpapers`` in chat: follows routed from the channel's handler,
``forget me``, lab picks and ``me``; every personal answer is private."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat import CommandHandler, Context, DigestReply, Reply, TextReply
from bot.commands import CommandError, Me, Picks, parse
from bot.feedback import Feedback
from bot.follows.handler import FollowHandler, person
from bot.follows.store import FollowStore
from bot.models import Paper
from bot.render.common import digest_title
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore

NOW = dt.datetime(2026, 11, 27, 9, tzinfo=dt.UTC)
LAB = Context(platform="slack", workspace="T1", channel="C1", user="U1", may_manage=False)
PAPERS = {p.arxiv_id: p for p in sample_snapshot().papers}
GANS, YOLO, RL = "2103.09742", "2103.09460", "2103.09568"


async def lookup(arxiv_id: str) -> Paper | None:
    return PAPERS.get(arxiv_id)


@pytest.fixture
def bot(store: SqlStore) -> CommandHandler:
    follows = FollowHandler(FollowStore(store), lookup=lookup, clock=lambda: NOW)
    return CommandHandler(
        store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW, follows=follows
    )


async def say(bot: CommandHandler, text: str, ctx: Context = LAB) -> TextReply:
    reply = await bot.handle(text, ctx)
    assert isinstance(reply, TextReply), reply
    return reply


def said(
    arxiv_id: str, kind: str, *, user: str = "U1", days_ago: float = 1, channel: str = "C1"
) -> Feedback:
    return Feedback(
        platform="slack",
        scope="T1",
        channel=channel,
        user=user,
        arxiv_id=arxiv_id,
        kind=kind,  # type: ignore[arg-type]
        emoji="fire" if kind == "reaction" else "",
        at=NOW - dt.timedelta(days=days_ago),
    )


async def test_follows_are_routed_and_answered_privately(
    bot: CommandHandler, store: SqlStore
) -> None:
    # A member who may not change the channel's subscriptions still manages their own follows.
    reply = await say(bot, 'follow author "Yann LeCun"')
    assert reply.kind == "done"  # never announced in the channel
    assert reply.text.startswith("Following author “Yann LeCun”")
    assert (await say(bot, "follow similar 2103.09742")).kind == "done"
    listing = await say(bot, "follows")
    assert listing.kind == "list"
    assert "1. author “Yann LeCun”" in listing.text
    assert (await say(bot, "unfollow 1")).text == "Unfollowed: author “Yann LeCun”."
    assert (await say(bot, "dm at 08:30 tz Europe/Berlin")).text == (
        "Your direct message comes at 08:30 Europe/Berlin."
    )
    mine = await FollowStore(store).follows(person(LAB))
    assert [f.kind for f in mine] == ["similar"]
    # Another person in the same channel has their own.
    other = Context(platform="slack", workspace="T1", channel="C1", user="U2")
    assert (await say(bot, "follows", other)).text.startswith("You follow nothing yet.")
    bad = await say(bot, "follow colour blue")
    assert bad.kind == "error"
    assert bad.text.endswith("`/hotpapers help` for more.")


async def test_without_a_follow_handler_or_a_user_personal_commands_say_so(
    store: SqlStore,
) -> None:
    plain = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    reply = await say(plain, "follows")
    assert (reply.kind, reply.text) == ("error", "Personal follows are not set up on this bot.")
    nobody = Context(platform="slack", workspace="T1", channel="C1")
    assert "who you are" in (await say(plain, "follows", nobody)).text


async def test_forget_me_deletes_follows_feedback_and_the_name_on_subscriptions(
    bot: CommandHandler, store: SqlStore
) -> None:
    assert (await say(bot, "forget me")).text == "Nothing was stored about you here."
    await say(bot, 'follow keyword "state space"')
    await say(bot, "follow author Hinton")
    await store.feedback.add([said(GANS, "like"), said(YOLO, "save"), said(RL, "like", user="U2")])
    manager = Context(platform="slack", workspace="T1", channel="C1", user="U1")
    assert (await say(bot, "subscribe cs.LG", manager)).kind == "confirmation"
    reply = await say(bot, "forget me")
    assert reply.kind == "done"
    assert reply.text.startswith("Forgotten: your 2 follows and your settings (the time of your")
    assert "your 2 pieces of feedback (👍 👎 🔖 and reactions) are deleted" in reply.text
    assert "record" not in reply.text
    assert (
        "your name is taken off the 1 subscription you made (#1; they stay, as the channel's)"
        in (reply.text)
    )
    assert await FollowStore(store).follows(person(LAB)) == []
    assert [f.user for f in await store.feedback.of_user("slack", "U2")] == ["U2"]
    assert await store.feedback.of_user("slack", "U1") == []
    (sub,) = await store.subscriptions()
    assert sub.created_by == ""
    assert (await say(bot, "forget me")).text == "Nothing was stored about you here."


async def test_help_lists_the_personal_commands_picks_and_me(bot: CommandHandler) -> None:
    text = (await say(bot, "help")).text
    for command in ("follow author", "follows", "unfollow", "dm at", "forget me", "picks", "me"):
        assert f"/hotpapers {command}" in text
    assert text.endswith("/hotpapers help")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("picks", Picks(span="week")),
        ("picks week", Picks(span="week")),
        ("PICKS Month", Picks(span="month")),
        ("me", Me()),
        ("me mix 0.8", Me(mix=0.8)),
    ],
)
def test_picks_and_me_parse(text: str, command: object) -> None:
    assert parse(text, today=NOW.date()) == command


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("picks year", "“picks” takes week or month"),
        ("picks week month", "“picks” takes week or month"),
        ("me 0.5", "“me” takes mix 0..1"),
        ("me mix 2", "“mix” takes a number from 0"),
    ],
)
def test_bad_picks_and_me_are_one_sentence(text: str, error: str) -> None:
    with pytest.raises(CommandError, match=error):
        parse(text, today=NOW.date())


async def test_picks_of_an_empty_week_say_how_to_make_some(bot: CommandHandler) -> None:
    reply = await say(bot, "picks")
    assert reply.kind == "list"
    assert reply.text.startswith("No one here has liked or saved a paper this week yet: react 👍")
    assert "this month yet" in (await say(bot, "picks month")).text


async def test_picks_are_the_channels_most_liked_and_saved_of_the_span(
    bot: CommandHandler, store: SqlStore
) -> None:
    await store.readings.record(sample_snapshot())  # the papers' texts
    await store.feedback.add(
        [
            said(YOLO, "like"),
            said(YOLO, "like", user="U2"),
            said(YOLO, "save", user="U3"),
            said(GANS, "save", days_ago=2),
            said(GANS, "reaction", user="U2"),
            said(RL, "dislike", user="U5"),  # only disliked this week: no pick
            said(RL, "like", days_ago=20),  # the month's, not the week's
            said(GANS, "like", user="U9", channel="C2"),  # another channel's
        ]
    )
    reply: Reply = await bot.handle("picks", LAB)
    assert isinstance(reply, DigestReply)
    assert not reply.public
    digest = reply.digest
    assert digest_title(digest) == "Lab picks 2026-11-20 – 2026-11-27"
    assert [(i.paper.arxiv_id, i.why) for i in digest.items] == [
        (YOLO, "2 👍 · 1 🔖"),
        (GANS, "1 🔖 · 1 reaction"),
    ]
    assert digest.items[0].paper.title.startswith("You Only Look One-level Feature")
    month = await bot.handle("picks month", LAB)
    assert isinstance(month, DigestReply)
    assert [i.paper.arxiv_id for i in month.digest.items] == [YOLO, GANS, RL]
    assert month.digest.items[2].why == "1 👍 · 1 👎"


async def test_me_without_feedback_says_how_to_teach_it(bot: CommandHandler) -> None:
    reply = await say(bot, "me")
    assert reply.kind == "list"
    assert reply.text.startswith("Nothing teaches your own order yet: press 👍")


async def test_me_orders_the_day_by_the_persons_own_likes(
    bot: CommandHandler, store: SqlStore
) -> None:
    await store.readings.record(sample_snapshot())
    yolo = PAPERS[YOLO]
    # U1 liked a detection paper (in another channel); U2's likes are not U1's.
    await store.feedback.add(
        [said(YOLO, "like", channel="C9"), said(RL, "like", user="U2"), said(GANS, "dislike")]
    )
    default = await bot.handle("me", LAB)
    assert isinstance(default, DigestReply)
    assert {i.blend.mix for i in default.digest.items if i.blend} == {0.5}
    reply = await bot.handle("me mix 1", LAB)
    assert isinstance(reply, DigestReply)
    assert not reply.public
    items = reply.digest.items
    assert 1 < len(items) <= 10
    assert all(i.blend is not None and i.blend.mix == 1 for i in items)
    # By relevance alone, what U1 liked (and the closest to it) comes first.
    assert items[0].paper.arxiv_id == YOLO
    lifted = [i for i in items if i.why.startswith("close to what you liked: ")]
    assert lifted
    assert all(yolo.title in i.why for i in lifted)
    # The mix given is remembered for the person's next "me", and kept beside their DM time.
    await say(bot, "dm at 07:00")
    again = await bot.handle("me", LAB)
    assert isinstance(again, DigestReply)
    assert {i.blend.mix for i in again.digest.items if i.blend} == {1.0}
    assert (await FollowStore(store).dm_time(person(LAB))).at == dt.time(7)


async def test_lab_picks_as_a_weekly_subscription(bot: CommandHandler, store: SqlStore) -> None:
    manager = Context(platform="slack", workspace="T1", channel="C1", user="U1")
    assert (await say(bot, "subscribe picks", manager)).text == (
        "Lab picks come once a week: /hotpapers subscribe picks weekly fri at 16:00."
    )
    reply = await say(bot, "subscribe picks weekly fri at 16:00", manager)
    assert reply.kind == "confirmation"
    assert reply.text.startswith("Subscribed: #1 lab picks: top 10 at 16:00 UTC, ")
    (sub,) = await store.subscriptions()
    assert (sub.content, sub.cadence, sub.weekdays, sub.categories) == ("picks", "weekly", (4,), ())
    # A hot subscription beside it is a second one, and digests take only its categories.
    await say(bot, "subscribe cs.CV at 09:00", manager)
    listing = (await say(bot, "subscriptions")).text
    assert "#1 lab picks" in listing
    assert "#2 cs.CV" in listing
    now = await bot.handle("top 3", LAB)
    assert isinstance(now, DigestReply)
    assert now.digest.filters.categories == ("cs.CV",)
    # The same command again changes the one it has.
    assert (await say(bot, "subscribe picks weekly thu at 17:00", manager)).text.startswith(
        "Updated: #1 lab picks: top 10 at 17:00 UTC"
    )
    assert "lab picks" in (await say(bot, "subscribe 1 refresh 24h", manager)).text
    assert (await say(bot, "subscribe 1 cs.LG", manager)).kind == "error"


@pytest.mark.parametrize(
    "text", ["subscribe picks cs.LG weekly fri", "subscribe picks weekly fri mix 0.5"]
)
def test_lab_picks_take_no_categories_or_mix(text: str) -> None:
    with pytest.raises(CommandError, match="Lab picks are this channel's own"):
        parse(text, today=NOW.date())


async def test_me_takes_the_channels_categories_and_filters(
    bot: CommandHandler, store: SqlStore
) -> None:
    await store.readings.record(sample_snapshot())
    await store.feedback.add([said(YOLO, "like")])
    manager = Context(platform="slack", workspace="T1", channel="C1", user="U1")
    await say(bot, "subscribe cs.CV not one-level", manager)
    reply = await bot.handle("me", LAB)
    assert isinstance(reply, DigestReply)
    ids = [i.paper.arxiv_id for i in reply.digest.items]
    assert ids
    assert YOLO not in ids  # the channel's "not" filter holds
    assert all("cs.CV" in i.paper.categories for i in reply.digest.items)
