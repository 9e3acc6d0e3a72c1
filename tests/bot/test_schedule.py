from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.schedule import announcement_date, due, local_moment, occurrences
from bot.subscriptions import Subscription

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        ("2026-11-24T00:59", "2026-11-23"),  # Monday 19:59 New York: Monday's papers still
        ("2026-11-24T01:00", "2026-11-24"),  # Monday 20:00 New York: Tuesday's announcement
        ("2026-11-28T12:00", "2026-11-27"),  # Saturday: Friday's papers
        ("2026-11-29T23:00", "2026-11-27"),  # Sunday before 20:00: still Friday's
        ("2026-11-30T01:00", "2026-11-30"),  # Sunday 20:00: Monday's announcement
        ("2026-03-09T00:30", "2026-03-09"),  # Sunday 20:30 EDT, the day clocks changed
    ],
)
def test_the_announcement_in_force_at_a_moment(moment: str, day: str) -> None:
    assert announcement_date(at(moment)) == dt.date.fromisoformat(day)


def test_local_times_across_daylight_saving_changes() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # Spring forward: 02:30 does not exist; it becomes 03:30 CEST.
    assert local_moment(dt.date(2026, 3, 29), dt.time(2, 30), berlin) == at("2026-03-29T01:30")
    # Fall back: 02:30 happens twice; the first one is used, so the post goes out once.
    assert local_moment(dt.date(2026, 10, 25), dt.time(2, 30), berlin) == at("2026-10-25T00:30")
    assert local_moment(dt.date(2026, 10, 26), dt.time(9), berlin) == at("2026-10-26T08:00")
    assert local_moment(dt.date(2026, 10, 23), dt.time(9), berlin) == at("2026-10-23T07:00")


def test_a_week_of_occurrences_through_the_fall_back_day_posts_once_a_day() -> None:
    sub = Subscription(
        platform="console",
        destination="x",
        post_time=dt.time(2, 30),
        timezone="Europe/Berlin",
        weekdays=tuple(range(7)),
    )
    moments = occurrences(sub, at("2026-10-22T00:00"), at("2026-10-29T00:00"))
    assert len(moments) == 7
    assert len({m.astimezone(ZoneInfo("Europe/Berlin")).date() for m in moments}) == 7


def test_due_posts_wait_for_their_time_and_are_caught_up_within_the_grace_window() -> None:
    sub = Subscription(
        id=1, platform="console", destination="x", post_time=dt.time(9), timezone="Europe/Berlin"
    )
    assert due(sub, at("2026-11-25T07:59")) == []
    (item,) = due(sub, at("2026-11-25T08:00"))
    assert item.scheduled_for == at("2026-11-25T08:00")
    assert item.digest_date == dt.date(2026, 11, 25)
    assert [d.digest_date for d in due(sub, at("2026-11-25T13:59"))] == [dt.date(2026, 11, 25)]
    assert due(sub, at("2026-11-25T14:01")) == []  # more than 6 hours late: not caught up


def test_weekdays_and_pauses_are_respected() -> None:
    sub = Subscription(
        id=1, platform="console", destination="x", post_time=dt.time(9), weekdays=(0, 1, 2, 3, 4)
    )
    assert due(sub, at("2026-11-28T09:00")) == []  # Saturday
    weekend = sub.model_copy(update={"weekdays": (5, 6)})
    (saturday,) = due(weekend, at("2026-11-28T09:00"))
    assert saturday.digest_date == dt.date(2026, 11, 27)  # the weekend carries Friday's papers
    assert due(sub.model_copy(update={"paused": True}), at("2026-11-25T09:00")) == []


def test_a_long_outage_catches_up_one_post_per_digest_date() -> None:
    sub = Subscription(
        id=1, platform="console", destination="x", post_time=dt.time(9), weekdays=tuple(range(7))
    )
    items = due(sub, at("2026-11-29T09:30"), grace=dt.timedelta(days=3, hours=1))
    assert [(i.scheduled_for.date(), i.digest_date) for i in items] == [
        (dt.date(2026, 11, 26), dt.date(2026, 11, 26)),
        (
            dt.date(2026, 11, 29),
            dt.date(2026, 11, 27),
        ),  # Saturday's and Sunday's post carry Friday's
    ]
