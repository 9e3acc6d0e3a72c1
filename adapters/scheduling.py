"""Scheduling deliveries inside ``hotpapers run`` with APScheduler 3.

One job, at the start of every minute, runs the Deliverer. Each subscription keeps the
moment of its next post (``bot.schedule``: its local time, in its own time zone, on its
weekdays, across daylight-saving changes), indexed in the store, so a tick reads only the
subscriptions that may be due: its cost does not grow with the number of subscriptions, and
nothing has to be kept in step with them (a subscription added, paused or moved a minute ago
is seen by the next tick). The ledger makes every run idempotent, so a tick after a restart,
or after a time skipped by a clock change, posts what is due and not yet posted. Misfire grace
is the delivery grace window, not APScheduler's one second that would silently drop a late
run, and ticks that pile up while a run goes are coalesced.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

Deliver = Callable[[], Awaitable[object]]


def add_ticks(scheduler: AsyncIOScheduler, deliver: Deliver, *, grace: dt.timedelta) -> None:
    """``deliver`` at second 0 of every minute, and once at start-up."""
    scheduler.add_job(
        deliver,
        CronTrigger(second=0, timezone=dt.UTC),
        id="deliveries",
        replace_existing=True,
        misfire_grace_time=int(grace.total_seconds()),
        coalesce=True,
        max_instances=1,
        next_run_time=dt.datetime.now(dt.UTC),
    )
