"""``hotpapers follows …``: the daily direct messages of personal follows, from the shell."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from adapters.cli.common import EXIT_IN_DOUBT, fail, handled, settings_and_logs, stderr, utcnow
from adapters.cli.live import http_client, snapshot_provider
from adapters.cli.operate import parse_moment, with_store
from bot.errors import InputError

if TYPE_CHECKING:
    import httpx

    from bot.follows.digest import DmReport
    from bot.follows.model import Person
    from bot.ports import DirectMessenger
    from bot.settings import Settings
    from bot.snapshot import Snapshot
    from bot.store import SqlStore

follows_app = typer.Typer(
    help="Personal follows: send the daily direct messages, show what a person follows, or run "
    "a personal command for a person.",
    no_args_is_help=True,
)


def parse_person(text: str) -> Person:
    """``PLATFORM:SCOPE:USER`` (the scope is the Slack workspace or Discord guild, empty on the
    console: ``console::ada``)."""
    from bot.follows.model import Person

    parts = text.split(":")
    if len(parts) != 3 or parts[0] not in ("slack", "discord", "console") or not parts[2]:
        raise InputError(
            f"--user {text!r} is not PLATFORM:SCOPE:USER, like slack:T0123:U0456 or console::ada."
        )
    return Person(platform=parts[0], scope=parts[1], user=parts[2])


def direct_messengers(
    settings: Settings, client: httpx.AsyncClient, *, console: TextIO | None
) -> dict[str, DirectMessenger]:
    """The direct messengers this process can reach: Slack with SLACK_BOT_TOKEN, Discord with
    DISCORD_TOKEN, the console on ``console`` (None: not here)."""
    messengers: dict[str, DirectMessenger] = {}
    if console is not None:
        from adapters.console.dm import ConsoleDirectMessenger

        messengers["console"] = ConsoleDirectMessenger(console)
    if settings.slack_bot_token is not None:
        from adapters.slack.dm import SlackDirectMessenger
        from adapters.slack.publisher import web_client

        token = settings.slack_bot_token.get_secret_value()
        messengers["slack"] = SlackDirectMessenger(web_client(token, settings.slack_api_url))
    if settings.discord_token is not None:
        from adapters.discord.dm import DiscordDirectMessenger

        messengers["discord"] = DiscordDirectMessenger(
            client,
            settings.discord_token.get_secret_value(),
            api_base=settings.discord_api_base,
        )
    return messengers


async def send_once(settings: Settings, at: dt.datetime, fixed: Snapshot | None) -> DmReport:
    """Every direct message due at ``at``, on the platforms this process can reach."""
    from bot.follows.digest import FollowDigests
    from bot.follows.store import FollowStore
    from bot.store import open_store

    store = await open_store(settings.database())
    try:
        async with http_client(settings) as client:
            messengers = direct_messengers(settings, client, console=sys.stdout)
            snapshots = snapshot_provider(settings, store, client, fixed)
            return await FollowDigests(FollowStore(store), snapshots, messengers).run(at)
    finally:
        await store.close()


@follows_app.command("send")
def send_command(
    at: Annotated[
        str | None,
        typer.Option(help="The moment to send for, ISO 8601 (default: now; no offset means UTC)."),
    ] = None,
    snapshot: Annotated[
        Path | None, typer.Option(help="Match this snapshot's papers instead of fetching live.")
    ] = None,
    sample: Annotated[
        bool, typer.Option(help="Match the bundled sample day (2021-03-18).")
    ] = False,
) -> None:
    """Send every direct message due now (or --at), then exit: run it from cron.

    Each person whose DM time (default 09:00 UTC) has come today gets one message with the
    latest announcement's papers that match their follows and were never sent to them. Slack
    needs SLACK_BOT_TOKEN (scopes im:write, chat:write), Discord DISCORD_TOKEN; console
    messages print here. Exit status: 0 done, 1 some messages failed (retried by the next run),
    3 arXiv could not be read, 4 some messages may or may not have gone out (never re-sent).
    """
    from bot.snapshot import read_snapshot, sample_snapshot

    with handled():
        settings = settings_and_logs()
        moment = parse_moment(at) if at else utcnow()
        if snapshot is not None and sample:
            raise InputError("Use either --snapshot or --sample, not both.")
        fixed = read_snapshot(snapshot) if snapshot else (sample_snapshot() if sample else None)
        report = asyncio.run(send_once(settings, moment, fixed))
        err = stderr()
        err.print(
            f"hotpapers: follows send at {moment:%Y-%m-%d %H:%M %Z}: {report.summary()}.",
            markup=False,
        )
        for problem in report.problems:
            err.print(f"  {problem}", markup=False)
        if report.outcomes["in doubt"]:
            fail("some direct messages may or may not have gone out (see above).", EXIT_IN_DOUBT)
        if report.outcomes["failed"]:
            fail("some direct messages failed; they are retried by the next run.", code=1)


@follows_app.command("list")
def list_command(
    user: Annotated[
        str,
        typer.Option(
            metavar="PLATFORM:SCOPE:USER",
            help="The person: slack:TEAM:USER, discord:GUILD:USER or console::NAME.",
        ),
    ],
) -> None:
    """What a person follows, when their direct message comes, and their last messages."""
    from bot.follows.handler import numbered, when
    from bot.follows.store import FollowStore

    with handled():
        who = parse_person(user)

        async def work(store: SqlStore) -> str:
            follows = FollowStore(store)
            mine = await follows.follows(who)
            if not mine:
                return ""
            lines = [
                f"{who.label()} follows (direct message at {when(await follows.dm_time(who))}):"
            ]
            lines.append(numbered(mine))
            for day, state, papers in (await follows.messages(who))[:7]:
                lines.append(f"  {day}: {state}, {papers} paper{'s' if papers != 1 else ''}")
            return "\n".join(lines)

        text = with_store(settings_and_logs(), work)
        if not text:
            stderr().print(f"{who.label()} follows nothing.", markup=False)
            return
        typer.echo(text)


@follows_app.command("command")
def command_command(
    user: Annotated[
        str,
        typer.Option(
            metavar="PLATFORM:SCOPE:USER",
            help="The person: slack:TEAM:USER, discord:GUILD:USER or console::NAME.",
        ),
    ],
    text: Annotated[
        str,
        typer.Argument(
            metavar="COMMAND",
            help="A personal command as typed after /hotpapers: 'follow author \"Yann LeCun\"', "
            "'follows', 'unfollow 2', 'dm at 08:30 tz Europe/Berlin', 'forget me'.",
        ),
    ],
) -> None:
    """Run one personal command for a person, as if they had typed it after /hotpapers.

    For imports, tests and operators; the person gets the same answer they would in chat.
    ``follow similar ID`` looks the paper up in the store's days, else on arXiv's API.
    """
    from bot.arxiv import ARXIV_INTERVAL_S
    from bot.arxiv_api import ArxivApi
    from bot.follows.handler import FollowHandler
    from bot.follows.lookup import ArxivPapers, FirstFound, StoredPapers
    from bot.follows.store import FollowStore
    from bot.polite import Gate

    with handled():
        who = parse_person(user)
        settings = settings_and_logs()

        async def work(store: SqlStore) -> tuple[str, str] | None:
            async with http_client(settings) as client:
                api = ArxivApi(client, gate=Gate(ARXIV_INTERVAL_S), base_url=settings.arxiv_api_url)
                lookup = FirstFound(StoredPapers(store), ArxivPapers(api))
                reply = await FollowHandler(FollowStore(store), lookup=lookup).handle(text, who)
            return (reply.kind, reply.text) if reply is not None else None

        answer = with_store(settings, work)
        if answer is None:
            raise InputError(
                f"{text[:40]!r} is not a personal command (follow, follows, unfollow, dm, "
                "forget me)."
            )
        kind, reply = answer
        if kind == "error":
            fail(reply)
        typer.echo(reply)
