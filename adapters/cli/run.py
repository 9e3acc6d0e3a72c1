"""``hotpapers run``: the bot, with its scheduler, on every platform that has credentials.

With none, that is the console: a local chat channel in the terminal, reading commands from
stdin until the end of input. With Slack credentials it serves Slack (and webhooks, and the
``/healthz`` endpoint) until it is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import logging
import signal
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from adapters.cli.common import handled, settings_and_logs, stderr, utcnow
from adapters.cli.live import (
    deliverer,
    digest_service,
    http_client,
    prune,
    refresher,
    snapshot_provider,
)
from bot.errors import ConfigError, HotPapersError, InputError

if TYPE_CHECKING:
    import httpx
    from aiohttp import web
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.delivery import Report
    from bot.follows.handler import FollowHandler
    from bot.settings import Settings
    from bot.snapshot import Snapshot
    from bot.store import SqlStore


DMS_EVERY = dt.timedelta(minutes=5)  # personal follows: direct messages due are sent
log = logging.getLogger("hotpapers.run")


def where(settings: Settings) -> str:
    url = settings.database()
    if url.startswith("sqlite"):
        return f"SQLite {url.removeprefix('sqlite:///')}"
    return f"PostgreSQL {url.split('@')[-1]}"  # never the password


def policy(settings: Settings) -> Any:
    if settings.subscription_policy == "anyone":
        return lambda user: True
    admins = set(settings.admins)
    return lambda user: user in admins


class Health:
    """What ``/healthz`` reports: the scheduler, each platform, the last delivery run."""

    def __init__(self, scheduler: AsyncIOScheduler) -> None:
        self.scheduler = scheduler
        self.platforms: dict[str, str] = {}
        self.last_run: dt.datetime | None = None
        self.last_report: Report | None = None

    async def handle(self, request: web.Request) -> web.Response:
        from aiohttp import web

        running = bool(self.scheduler.running)
        body = {
            "status": "ok" if running else "degraded",
            "scheduler": "running" if running else "stopped",
            "platforms": self.platforms,
            "last_delivery_run": self.last_run.isoformat() if self.last_run else None,
            "last_delivery": self.last_report.summary() if self.last_report else None,
        }
        return web.json_response(body, status=200 if running else 503)


def follow_handler(settings: Settings, store: SqlStore, client: httpx.AsyncClient) -> FollowHandler:
    """The personal commands for chat: ``follow similar ID`` looks in the store's days, else
    on arXiv's API."""
    from bot.arxiv import ARXIV_INTERVAL_S
    from bot.arxiv_api import ArxivApi
    from bot.follows.handler import FollowHandler
    from bot.follows.lookup import ArxivPapers, FirstFound, StoredPapers
    from bot.follows.store import FollowStore
    from bot.polite import Gate

    api = ArxivApi(client, gate=Gate(ARXIV_INTERVAL_S), base_url=settings.arxiv_api_url)
    return FollowHandler(
        FollowStore(store), lookup=FirstFound(StoredPapers(store), ArxivPapers(api))
    )


async def serve(
    settings: Settings, fixed: Snapshot | None, data_line: str, *, server: bool = False
) -> None:
    from aiohttp import web
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.schedulers.base import STATE_RUNNING

    from adapters.cli.publishing import publishers, unserved
    from adapters.console.chat import ConsoleChat
    from adapters.console.publisher import ConsolePublisher
    from adapters.console.terminal import terminal_lines
    from adapters.scheduling import add_ticks
    from bot.chat import CommandHandler
    from bot.store import open_store

    store = await open_store(settings.database())
    if fixed is not None:
        # Its counts as readings too, so that /hotpapers week, month and rising answer from it.
        await store.readings.record(fixed)
    console = Console(highlight=False)
    runner: web.AppRunner | None = None
    stops = []
    try:
        # The same publishers as deliver's: scheduled posts need no chat connection.
        async with (
            http_client(settings) as client,
            publishers(settings, store, console=None) as publishing,
        ):
            snapshots = snapshot_provider(settings, store, client, fixed)
            table = publishing.table
            # One digest path for commands and scheduled posts (shelved in the store).
            digests = digest_service(settings, store, snapshots, fixed)
            chat = CommandHandler(
                store,
                snapshots,
                weights=settings.weights,
                max_post_share=settings.max_post_share,
                rank_prior=settings.rank_prior,
                digests=digests,
                follows=follow_handler(settings, store, client),
            )
            scheduler = AsyncIOScheduler(timezone=dt.UTC)
            health = Health(scheduler)
            web_app = web.Application()
            web_app.router.add_get("/healthz", health.handle)

            from adapters.slack.channels import configured

            if configured(settings):
                from adapters.slack.runtime import start_slack

                slack = await start_slack(
                    settings, chat, store, may_manage=policy(settings), web_app=web_app
                )
                health.platforms["slack"] = slack.mode
                stops.append(slack.stop)
            from adapters.discord.runtime import configured as discord_configured
            from adapters.discord.runtime import start_discord

            if discord_configured(settings):
                admins = set(settings.admins)
                bot = await start_discord(
                    settings, chat, admins=lambda user: user in admins, store=store
                )
                health.platforms["discord"] = bot.mode
                stops.append(bot.stop)

                def gateway_ended(task: asyncio.Task[None]) -> None:
                    if task.cancelled() or task.exception() is None:
                        return
                    reason = f"{type(task.exception()).__name__}: {task.exception()}"
                    health.platforms["discord"] = f"gateway disconnected ({reason})"
                    log.error("Discord's gateway closed: %s", reason)

                bot.gateway.add_done_callback(gateway_ended)
            console_only = not health.platforms and not server
            health.platforms["webhooks"] = "slack, discord"
            if console_only:
                table[("console", "channel")] = ConsolePublisher(sys.stdout)
                health.platforms["console"] = "stdin"
            for line in await unserved(store, publishing):
                log.warning(line)

            delivery = deliverer(settings, store, snapshots, table, fixed, digests=digests)
            edits = refresher(settings, store, client, snapshots, table, fixed)
            grace = dt.timedelta(hours=settings.grace_hours)

            in_flight: set[asyncio.Task[Any]] = set()
            # A tick that fires while a run is going asks for one more run after it.
            wanted, running = asyncio.Event(), asyncio.Lock()

            async def deliver() -> None:
                wanted.set()
                if running.locked():
                    return
                task = asyncio.current_task()
                if task is not None:
                    in_flight.add(task)
                try:
                    async with running:
                        # A stop (the scheduler paused) starts no further run.
                        while wanted.is_set() and scheduler.state == STATE_RUNNING:
                            wanted.clear()
                            await deliver_once()
                finally:
                    in_flight.discard(task)

            async def deliver_once() -> None:
                health.last_run = utcnow()
                health.last_report = await delivery.run(health.last_run)
                # Posts due for a refresh (refresh_after) are edited by the same runs.
                await edits.run(health.last_report)
                await prune(settings, store, health.last_run)
                for problem in health.last_report.problems:
                    log.warning(problem)

            # Personal follows: each person's direct message at their time, as `follows send`.
            from adapters.cli.follows import direct_messengers
            from bot.follows.digest import FollowDigests
            from bot.follows.store import FollowStore

            dms = FollowDigests(
                FollowStore(store),
                snapshots,
                direct_messengers(settings, client, console=sys.stdout if console_only else None),
            )

            async def send_dms() -> None:
                try:
                    report = await dms.run(utcnow())
                except HotPapersError as exc:  # arXiv unreadable: the next run tries again
                    log.warning("direct messages: %s", exc)
                    return
                for problem in report.problems:
                    log.warning(problem)

            add_ticks(scheduler, deliver, grace=grace)
            scheduler.add_job(
                send_dms,
                "interval",
                seconds=int(DMS_EVERY.total_seconds()),
                id="dms",
                coalesce=True,
                next_run_time=utcnow(),  # and once at start
            )
            if not console_only:
                runner = web.AppRunner(web_app)
                await runner.setup()
                try:
                    site = web.TCPSite(runner, host=settings.http_host, port=settings.http_port)
                    await site.start()
                except OSError as exc:
                    raise ConfigError(
                        f"Port {settings.http_port} cannot be served on {settings.http_host}: "
                        "it is in use or not allowed; set HOTPAPERS_HTTP_PORT or "
                        "HOTPAPERS_HTTP_HOST."
                    ) from exc
            scheduler.start()
            # What start-up loaded (a snapshot's tens of thousands of objects, the libraries)
            # lives as long as the process: the cyclic collector need not walk it again on
            # every full collection, which would stall the event loop under load.
            gc.freeze()
            platforms = ", ".join(f"{name} ({how})" for name, how in health.platforms.items())
            stderr().print(
                f"hotpapers: data: {data_line}; store: {where(settings)}; platforms: {platforms}"
                + (
                    " — type /hotpapers help; end of input quits"
                    if console_only
                    else f"; /healthz on {settings.http_host} port {settings.http_port}"
                ),
                markup=False,
            )
            try:
                if console_only:
                    if sys.stdin.isatty():
                        history = settings.data_dir / "console-history"
                        await ConsoleChat(chat, console, feedback=store.feedback).serve_lines(
                            terminal_lines(history)
                        )
                    else:
                        await ConsoleChat(chat, console, feedback=store.feedback).serve(sys.stdin)
                else:
                    await until_stopped()
            finally:
                # No new runs; a delivery under way finishes and records itself before the
                # scheduler (whose shutdown cancels running jobs) and the store close. One turn of
                # the loop first lets a job that was just submitted register.
                scheduler.pause()
                await asyncio.sleep(0)
                await asyncio.gather(*in_flight, return_exceptions=True)
                scheduler.shutdown(wait=False)
    finally:
        for stop in stops:
            await stop()
        if runner is not None:
            await runner.cleanup()
        await store.close()


async def until_stopped() -> None:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    await stopped.wait()


def run(
    snapshot: Annotated[
        Path | None, typer.Option(help="Serve digests from this snapshot instead of live sources.")
    ] = None,
    sample: Annotated[
        bool, typer.Option(help="Serve digests from the bundled sample day (2021-03-18), offline.")
    ] = False,
    server: Annotated[
        bool,
        typer.Option(
            "--server", help="Run as a server even without chat credentials (webhooks, /healthz)."
        ),
    ] = False,
) -> None:
    """Run the bot and its scheduler: on Slack and Discord when credentials are set, else here.

    In the terminal, commands are the same as in Slack: /hotpapers help. Subscriptions post
    their digests when due. The terminal session ends at the end of input; a server runs
    until it is stopped (SIGINT, SIGTERM).
    """
    from bot.snapshot import read_snapshot, sample_snapshot

    with handled():
        settings = settings_and_logs()
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
        with contextlib.ExitStack() as scratch:
            if sample and settings.database_url is None:
                # A try-out must not leave subscriptions behind for the live bot and cron.
                folder = scratch.enter_context(tempfile.TemporaryDirectory(prefix="hotpapers-"))
                settings = settings.model_copy(
                    update={"database_url": f"sqlite:///{Path(folder) / 'sample.db'}"}
                )
                data_line += " with a throwaway store (set HOTPAPERS_DATABASE_URL to keep one)"
            asyncio.run(serve(settings, fixed, data_line, server=server))
