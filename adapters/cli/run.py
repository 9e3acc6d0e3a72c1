"""``hotpapers run``: the bot, with its scheduler, on every platform this version has.

On embedded defaults (no credentials) that is the console: a local chat channel in the
terminal, reading commands from stdin.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from rich.console import Console

from adapters.cli.common import handled, stderr, utcnow
from adapters.cli.live import collect_live, http_client
from adapters.console.chat import ConsoleChat
from adapters.console.publisher import ConsolePublisher
from adapters.scheduling import add_catch_up, sync_jobs
from bot.chat import CommandHandler
from bot.delivery import Deliverer
from bot.errors import InputError
from bot.ports import Publisher, SnapshotProvider
from bot.settings import Settings, load_settings
from bot.snapshot import Snapshot, read_snapshot, sample_snapshot
from bot.snapshots import FixedSnapshot, LiveSnapshots
from bot.store import open_store
from bot.taxonomy import load_taxonomy

SYNC_EVERY = dt.timedelta(minutes=1)


def where(settings: Settings) -> str:
    url = settings.database()
    if url.startswith("sqlite"):
        return f"SQLite {url.removeprefix('sqlite:///')}"
    host = url.split("@")[-1]  # never the password
    return f"PostgreSQL {host}"


async def serve(settings: Settings, fixed: Snapshot | None, data_line: str) -> None:
    store = await open_store(settings.database())
    console = Console(highlight=False, soft_wrap=True)
    try:
        async with http_client(settings) as client:
            snapshots: SnapshotProvider
            if fixed is not None:
                snapshots = FixedSnapshot(fixed)
            else:

                async def collect(categories: Sequence[str]) -> Snapshot:
                    return await collect_live(
                        settings, categories, client=client, progress=lambda _: None
                    )

                snapshots = LiveSnapshots(
                    store,
                    collect,
                    archives=load_taxonomy().archives,
                    ttl=dt.timedelta(minutes=settings.signals_ttl_minutes),
                )
            publishers: dict[tuple[str, str], Publisher] = {
                ("console", "channel"): ConsolePublisher(sys.stdout)
            }
            deliverer = Deliverer(
                store,
                snapshots,
                publishers,
                grace=dt.timedelta(hours=settings.grace_hours),
                lease=dt.timedelta(seconds=settings.delivery_lease_s),
                no_announcement=settings.no_announcement,
                fixed_date=fixed.date if fixed is not None else None,
                weights=settings.weights,
            )
            grace = dt.timedelta(hours=settings.grace_hours)

            async def deliver() -> None:
                report = await deliverer.run(utcnow())
                for problem in report.problems:
                    stderr().print(f"hotpapers: {problem}", markup=False)

            async def sync() -> None:
                sync_jobs(
                    scheduler, await store.subscriptions(platform="console"), deliver, grace=grace
                )

            scheduler = AsyncIOScheduler(timezone=dt.UTC)
            await sync()
            add_catch_up(scheduler, deliver)
            scheduler.add_job(
                sync, "interval", seconds=int(SYNC_EVERY.total_seconds()), id="sync", coalesce=True
            )
            scheduler.start()
            stderr().print(
                f"hotpapers: data: {data_line}; store: {where(settings)}; platforms: console "
                "(type /hotpapers help; end of input quits)",
                markup=False,
            )
            chat = CommandHandler(store, snapshots, weights=settings.weights)
            interactive = sys.stdin.isatty()
            try:
                await ConsoleChat(chat, console).serve(
                    sys.stdin, prompt=(lambda: console.print("> ", end="")) if interactive else None
                )
            finally:
                scheduler.shutdown(wait=False)
    finally:
        await store.close()


def run(
    snapshot: Annotated[
        Path | None, typer.Option(help="Serve digests from this snapshot instead of live sources.")
    ] = None,
    sample: Annotated[
        bool, typer.Option(help="Serve digests from the bundled sample day (2021-03-18), offline.")
    ] = False,
) -> None:
    """Run the bot: a chat channel in this terminal (stdin), with scheduled digests.

    Commands are the same as in Slack or Discord: /hotpapers help. Subscriptions made here
    post their digests to this terminal when due. The session ends at the end of input.
    """
    with handled():
        settings = load_settings()
        if snapshot is not None and sample:
            raise InputError("Use either --snapshot or --sample, not both.")
        if snapshot is not None:
            fixed: Snapshot | None = read_snapshot(snapshot)
            data_line = f"snapshot {snapshot} ({fixed.date if fixed else ''})"
        elif sample:
            fixed = sample_snapshot()
            data_line = f"bundled sample day {fixed.date}"
        else:
            fixed = None
            data_line = "live (arXiv and " + ", ".join(settings.enabled_sources()) + ")"
        asyncio.run(serve(settings, fixed, data_line))
