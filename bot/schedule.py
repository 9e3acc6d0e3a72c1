"""When posts are due, and which arXiv announcement each one carries. Pure: time is an argument.

arXiv announces Sunday to Thursday at 20:00 US Eastern; each announcement is dated the next day
(Monday to Friday), the date its feed carries. A post at moment T carries the latest
announcement at or before T. Holidays are not known here: the feed of such a day is empty and
the delivery is skipped (or says "no new papers").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.subscriptions import Subscription

EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_AT = dt.time(20, 0)
ANNOUNCE_WEEKDAYS = frozenset({6, 0, 1, 2, 3})  # Sunday to Thursday
GRACE = dt.timedelta(hours=6)


def announcement_date(moment: dt.datetime) -> dt.date:
    """The date of the latest announcement made at or before ``moment``."""
    local = moment.astimezone(EASTERN)
    day = local.date()
    for back in range(8):
        candidate = day - dt.timedelta(days=back)
        announced = dt.datetime.combine(candidate, ANNOUNCE_AT, tzinfo=EASTERN)
        if candidate.weekday() in ANNOUNCE_WEEKDAYS and announced <= local:
            return candidate + dt.timedelta(days=1)
    raise AssertionError("a week always holds an announcement")  # pragma: no cover


def previous_announcement(day: dt.date) -> dt.date:
    """The announcement date before ``day`` (Monday's is the Friday before)."""
    back = day - dt.timedelta(days=1)
    while back.weekday() > 4:
        back -= dt.timedelta(days=1)
    return back


def digest_date(sub: Subscription, moment: dt.datetime) -> dt.date:
    """The digest date a post of ``sub`` at ``moment`` carries, which is also its ledger key.

    The latest announcement at or before the moment; with ``lag`` 1, the one before it, which
    has had a full day of engagement. For a weekly subscription it is the END of the week
    posted, so one weekday a week gives one key a week.
    """
    day = announcement_date(moment)
    return previous_announcement(day) if sub.cadence == "daily" and sub.lag else day


def local_moment(day: dt.date, at: dt.time, zone: ZoneInfo) -> dt.datetime:
    """``at`` on ``day`` in ``zone`` as a UTC moment, DST-safe.

    A time skipped by a spring-forward change is moved forward by the gap (02:30 becomes
    03:30); a time repeated by a fall-back change is its first occurrence, so it posts once.
    """
    naive = dt.datetime.combine(day, at)
    first = naive.replace(tzinfo=zone, fold=0)
    back = first.astimezone(dt.UTC).astimezone(zone)
    if back.replace(tzinfo=None) != naive:  # in the gap: the wall clock jumped past it
        gap = naive.replace(tzinfo=zone, fold=1).utcoffset() or dt.timedelta()
        later = naive.replace(tzinfo=zone, fold=0).utcoffset() or dt.timedelta()
        return (naive - min(gap, later)).replace(tzinfo=dt.UTC)
    return first.astimezone(dt.UTC)


def occurrences(sub: Subscription, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The subscription's post moments in ``[start, end]``, oldest first, as UTC moments."""
    zone = ZoneInfo(sub.timezone)
    first_day = start.astimezone(zone).date() - dt.timedelta(days=1)
    last_day = end.astimezone(zone).date() + dt.timedelta(days=1)
    found = []
    day = first_day
    while day <= last_day:
        if day.weekday() in sub.weekdays:
            moment = local_moment(day, sub.post_time, zone)
            if start <= moment <= end:
                found.append(moment)
        day += dt.timedelta(days=1)
    return found


@dataclass(frozen=True, slots=True, kw_only=True)
class Due:
    subscription: Subscription
    scheduled_for: dt.datetime
    digest_date: dt.date


def due(sub: Subscription, at: dt.datetime, *, grace: dt.timedelta = GRACE) -> list[Due]:
    """Posts of ``sub`` due at ``at``: scheduled within the grace window, one per digest date.

    Later posts wait; posts missed for longer than ``grace`` are not caught up.
    """
    if sub.paused:
        return []
    latest: dict[dt.date, dt.datetime] = {}
    # A subscription made after its time of day gets that day's digest at once: for a new
    # channel that is a welcome, not a surprise.
    for moment in occurrences(sub, at - grace, at):
        latest[digest_date(sub, moment)] = moment
    return [
        Due(subscription=sub, scheduled_for=m, digest_date=d) for d, m in sorted(latest.items())
    ]


def next_due(sub: Subscription, at: dt.datetime) -> dt.datetime:
    """The first moment after ``at`` at which ``sub`` has a post due: its next occurrence.

    A run that settled everything ``due`` at ``at`` keeps it, so that the runs before it never
    read the subscription (a schedule with no weekday is looked at again a week later).
    """
    later = occurrences(sub, at + dt.timedelta(microseconds=1), at + dt.timedelta(days=8))
    return later[0] if later else at + dt.timedelta(days=7)
