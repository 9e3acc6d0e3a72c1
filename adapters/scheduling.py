"""Scheduling deliveries inside ``hotpapers run`` with APScheduler 3.

Each subscription gets a cron trigger at its local time, in its own time zone, on its
weekdays (APScheduler computes the fire times across daylight-saving changes). Misfire grace
is the delivery grace window, not APScheduler's one second that would silently drop a late
run, and runs are coalesced. A catch-up job also runs every few minutes and at start-up: the
ledger makes every run idempotent, so it only posts what is due and not yet posted (after a
restart, a time skipped by a clock change, a subscription added a minute ago).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Sequence

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.subscriptions import WEEKDAYS, Subscription

CATCH_UP = dt.timedelta(minutes=5)
Deliver = Callable[[], Awaitable[object]]


def trigger(sub: Subscription) -> CronTrigger:
    """Fires at the subscription's local time on its weekdays, in its time zone."""
    days = ",".join(WEEKDAYS[d] for d in sorted(sub.weekdays)) or "*"
    return CronTrigger(
        day_of_week=days,
        hour=sub.post_time.hour,
        minute=sub.post_time.minute,
        timezone=sub.timezone,
    )


def sync_jobs(
    scheduler: AsyncIOScheduler,
    subscriptions: Sequence[Subscription],
    deliver: Deliver,
    *,
    grace: dt.timedelta,
) -> None:
    """One job per active subscription; jobs of removed or paused ones go away."""
    wanted = {f"subscription-{s.id}": s for s in subscriptions if not s.paused}
    for job in scheduler.get_jobs():
        if job.id.startswith("subscription-") and job.id not in wanted:
            job.remove()
    for job_id, sub in wanted.items():
        scheduler.add_job(
            deliver,
            trigger(sub),
            id=job_id,
            replace_existing=True,
            misfire_grace_time=int(grace.total_seconds()),
            coalesce=True,
            max_instances=1,
        )


def add_catch_up(
    scheduler: AsyncIOScheduler, deliver: Deliver, *, every: dt.timedelta = CATCH_UP
) -> None:
    scheduler.add_job(
        deliver,
        IntervalTrigger(seconds=int(every.total_seconds())),
        id="catch-up",
        replace_existing=True,
        next_run_time=dt.datetime.now(dt.UTC),
        coalesce=True,
        max_instances=1,
    )
