"""Time in chat: ``/hotpapers rising|week|month`` and weekly or lagged subscriptions."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.chat import CommandHandler, Context, DigestReply, TextReply
from bot.commands import CommandError, DigestRequest, Subscribe, parse
from bot.snapshot import sample_snapshot
from bot.snapshots import FixedSnapshot
from bot.store import SqlStore
from tests.bot.test_cadence import MONDAY, a_week_of_readings, hn, reading

TODAY = dt.date(2026, 11, 27)
NOW = dt.datetime(2026, 11, 27, 18, tzinfo=dt.UTC)
LAB = Context(platform="slack", workspace="T1", channel="C1", user="U1")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rising", DigestRequest(view="rising")),
        ("RISING cs.LG top 3", DigestRequest(view="rising", categories=("cs.LG",), top=3)),
        ("week date 2026-11-20", DigestRequest(view="week", date=dt.date(2026, 11, 20))),
        (
            "month keywords diffusion public",
            DigestRequest(view="month", keywords=("diffusion",), public=True),
        ),
        (
            "subscribe cs.LG weekly fri at 16:00",
            Subscribe(
                categories=("cs.LG",),
                at=dt.time(16),
                weekdays=(4,),
                cadence="weekly",
            ),
        ),
        ("subscribe cs.LG lag 1d", Subscribe(categories=("cs.LG",), lag=1)),
        ("subscribe lag 0", Subscribe(categories=(), lag=0)),
        ("subscribe daily", Subscribe(categories=(), cadence="daily")),
        (
            "subscribe weekly Friday",
            Subscribe(categories=(), weekdays=(4,), cadence="weekly"),
        ),
    ],
)
def test_views_and_cadences_parse(text: str, expected: object) -> None:
    assert parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subscribe weekly mon-fri", "“weekly” takes one weekday, like fri"),
        ("subscribe weekly daily", "“weekly” takes one weekday"),
        ("subscribe weekly", "“weekly” needs a value"),
        ("subscribe lag 2", "“lag” takes 0 or 1d"),
        ("subscribe lag 1w", "“lag” takes 0 or 1d"),
        ("subscribe weekly fri lag 1d", "goes without “daily”, “weekdays” and “lag”"),
        ("subscribe weekly fri weekdays mon", "goes without"),
        ("subscribe weekly fri daily", "goes without"),
        ("week lag 1", "belong to “subscribe”"),
        ("weekly fri", "belong to “subscribe”"),
        ("rising daily", "belong to “subscribe”"),
        ("risin cs.LG", "Did you mean rising"),
    ],
)
def test_bad_cadences_are_one_sentence(text: str, message: str) -> None:
    with pytest.raises(CommandError, match=message):
        parse(text, today=TODAY)


@pytest.fixture
def bot(store: SqlStore) -> CommandHandler:
    return CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)


async def say(bot: CommandHandler, text: str) -> TextReply:
    reply = await bot.handle(text, LAB)
    assert isinstance(reply, TextReply)
    return reply


async def test_the_week_and_the_month_come_from_the_stored_readings(
    bot: CommandHandler, store: SqlStore
) -> None:
    await a_week_of_readings(store)
    week = await bot.handle("week top 2", LAB)
    assert isinstance(week, DigestReply)
    assert (week.digest.view, week.digest.start, week.digest.date) == (
        "week",
        dt.date(2026, 11, 21),
        TODAY,
    )
    assert [r.paper.arxiv_id for r in week.digest.items] == ["2611.00002", "2611.00004"]
    earlier = await bot.handle("week date 2026-11-24 public", LAB)
    assert isinstance(earlier, DigestReply)
    assert earlier.public
    assert earlier.digest.date == dt.date(2026, 11, 24)
    assert {r.paper.arxiv_id for r in earlier.digest.items} == {"2611.00000", "2611.00001"}
    month = await bot.handle("month", LAB)
    assert isinstance(month, DigestReply)
    assert month.digest.view == "month"
    assert len(month.digest.items) == 5


async def test_rising_comes_from_the_stored_readings(bot: CommandHandler, store: SqlStore) -> None:
    early = dt.datetime.combine(MONDAY, dt.time(6), tzinfo=dt.UTC)
    late = early + dt.timedelta(hours=10)
    await store.readings.record(
        reading(MONDAY, early, hn("2611.0000A", 10, early, 1), hn("2611.0000B", 50, early, 2))
    )
    await store.readings.record(
        reading(MONDAY, late, hn("2611.0000A", 110, late, 1), hn("2611.0000B", 60, late, 2))
    )
    reply = await bot.handle("rising", LAB)
    assert isinstance(reply, DigestReply)
    assert reply.digest.view == "rising"
    assert [(r.paper.arxiv_id, r.gain_per_hour) for r in reply.digest.items] == [
        ("2611.0000A", 10.0),
        ("2611.0000B", 1.0),
    ]


async def test_a_view_with_nothing_stored_is_one_sentence(bot: CommandHandler) -> None:
    for view in ("rising", "week", "month"):
        reply = await say(bot, view)
        assert reply.kind == "error"
        assert reply.text.startswith("No announcement day")
        assert "Traceback" not in reply.text
        assert "\n" not in reply.text


async def test_a_channel_subscribes_weekly_then_daily_with_a_lag(bot: CommandHandler) -> None:
    reply = await say(bot, "subscribe cs.LG weekly fri at 16:00")
    assert reply.text == (
        "Subscribed: #1 cs.LG: top 10 at 16:00 UTC, weekly on fri (best of the week)."
    )
    assert "weekly on fri" in (await say(bot, "subscriptions")).text
    assert (
        await say(bot, "subscribe weekly mon")
    ).text == "Updated: #1 cs.LG: top 10 at 16:00 UTC, weekly on mon (best of the week)."
    # Back to daily: said, or implied by a lag or by several weekdays; mon-fri unless told.
    assert (
        await say(bot, "subscribe daily")
    ).text == "Updated: #1 cs.LG: top 10 at 16:00 UTC, mon-fri."
    await say(bot, "subscribe weekly fri")
    assert (
        await say(bot, "subscribe lag 1d")
    ).text == "Updated: #1 cs.LG: top 10 at 16:00 UTC, mon-fri, lag 1 day."
    assert (
        await say(bot, "subscribe weekly thu")
    ).text == "Updated: #1 cs.LG: top 10 at 16:00 UTC, weekly on thu (best of the week)."
    assert (
        await say(bot, "subscribe weekdays sat,sun")
    ).text == "Updated: #1 cs.LG: top 10 at 16:00 UTC, sat,sun."
    await say(bot, "subscribe weekly thu")
    assert (
        await say(bot, "subscribe weekdays tue")
    ).text == "Updated: #1 cs.LG: top 10 at 16:00 UTC, weekly on tue (best of the week)."
    (sub,) = await bot.store.subscriptions()
    assert (sub.cadence, sub.weekdays, sub.lag) == ("weekly", (1,), 0)
    await bot.store.remove(sub.id or 0)
    assert (await say(bot, "subscribe cs.LG weekdays mon-fri weekly fri")).kind == "error"
    (new,) = [await say(bot, "subscribe cs.LG lag 1d weekdays daily")]
    (sub,) = await bot.store.subscriptions()
    assert new.text == f"Subscribed: #{sub.id} cs.LG: top 10 at 09:00 UTC, every day, lag 1 day."


async def test_a_channel_turns_refresh_on_and_off_from_chat(store: SqlStore) -> None:
    handler = CommandHandler(store, FixedSnapshot(sample_snapshot()), clock=lambda: NOW)
    ctx = Context(platform="slack", workspace="T1", channel="C1")
    reply = await handler.handle("subscribe cs.LG refresh 24h", ctx)
    assert isinstance(reply, TextReply)
    assert "refreshed after 24 h" in reply.text
    ((sub,),) = [await store.subscriptions()]
    assert sub.refresh_after == 24
    await handler.handle("subscribe refresh off", ctx)
    ((sub,),) = [await store.subscriptions()]
    assert sub.refresh_after is None
    bad = await handler.handle("subscribe cs.LG refresh 1000h", ctx)
    assert isinstance(bad, TextReply)
    assert "“refresh” takes hours from 1 to 168" in bad.text
