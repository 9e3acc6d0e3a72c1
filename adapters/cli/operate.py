"""Operator commands: ``hotpapers subscriptions …`` and ``hotpapers deliver``."""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.table import Table

from adapters.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_IN_DOUBT,
    EXIT_UNAVAILABLE,
    categories_of,
    fail,
    handled,
    settings_and_logs,
    stderr,
    stdout_for_tables,
    utcnow,
    words_of,
)
from adapters.cli.live import deliverer, http_client, prune, refresher, snapshot_provider
from bot.errors import InputError
from bot.limits import YEARS, check_id

if TYPE_CHECKING:
    from bot.delivery import Report
    from bot.settings import Settings
    from bot.snapshot import Snapshot
    from bot.store import SqlStore
    from bot.subscriptions import Subscription


T = TypeVar("T")
subscriptions_app = typer.Typer(
    help="Manage subscriptions: daily or weekly digests to channels or incoming webhooks.",
    no_args_is_help=True,
)


class PlatformName(enum.StrEnum):
    slack = "slack"
    discord = "discord"
    console = "console"


def with_store(settings: Settings, work: Callable[[SqlStore], Awaitable[T]]) -> T:
    from bot.store import open_store

    async def run() -> T:
        store = await open_store(settings.database())
        try:
            return await work(store)
        finally:
            await store.close()

    return asyncio.run(run())


def describe_row(sub: Subscription) -> list[str]:
    from bot.subscriptions import DEFAULT_MIX, cadence_phrase

    state = (
        "paused" + (f" ({sub.paused_reason})" if sub.paused_reason else "")
        if sub.paused
        else "active"
    )
    return [
        str(sub.id),
        sub.platform + (" webhook" if sub.kind == "webhook" else ""),
        sub.where(),
        "lab picks" if sub.content == "picks" else " ".join(sub.categories) or "all",
        filter_words(sub),
        f"{sub.post_time:%H:%M} {sub.timezone} {cadence_phrase(sub)}"
        + (f", refreshed after {sub.refresh_after} h" if sub.refresh_after else "")
        + (f", mix {sub.mix:g}" if sub.mix != DEFAULT_MIX else ""),
        str(sub.top),
        state,
    ]


def filter_words(sub: Subscription) -> str:
    """The word and author filters of a subscription, as the list shows them."""
    parts = [
        " ".join(sub.keywords),
        " ".join(f"+{w}" for w in sub.all_keywords),
        " ".join(f"-{w}" for w in sub.exclude),
        " ".join(f"by {name}" for name in sub.authors),
    ]
    return " ".join(p for p in parts if p)


class StateName(enum.StrEnum):
    active = "active"
    paused = "paused"


LIST_PAGE = 50
MAX_LIST_PAGE = 1000


@subscriptions_app.command("list")
def list_command(
    platform: Annotated[
        PlatformName | None, typer.Option(help="Only this platform's subscriptions.")
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(help="Only this channel's (its id, a console name or a webhook URL)."),
    ] = None,
    state: Annotated[StateName | None, typer.Option(help="Only active or paused ones.")] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_LIST_PAGE, help="Subscriptions per page.")
    ] = LIST_PAGE,
    page: Annotated[int, typer.Option(min=1, max=10**9, help="Which page, from 1.")] = 1,
) -> None:
    """List subscriptions with their schedule and state, a page at a time, oldest first."""
    with handled():
        where: dict[str, Any] = {
            "platform": platform.value if platform else None,
            "destination": channel,
            "paused": None if state is None else state is StateName.paused,
        }

        async def work(store: SqlStore) -> tuple[int, list[Subscription]]:
            total = await store.count_subscriptions(**where)
            subs = await store.subscriptions(**where, limit=limit, offset=(page - 1) * limit)
            return total, subs

        total, subs = with_store(settings_and_logs(), work)
        if not total:
            filtered = any(v is not None for v in where.values())
            stderr().print(
                "No subscription matches these filters."
                if filtered
                else "No subscriptions yet: hotpapers subscriptions add --help"
            )
            return
        pages = -(-total // limit)
        if not subs:
            made = (
                f"{total} subscription{'s' if total != 1 else ''} make{'' if total != 1 else 's'}"
            )
            stderr().print(
                f"There is no page {page}: {made} {pages} page{'s' if pages != 1 else ''}."
            )
            return
        table = Table(
            "id", "platform", "destination", "categories", "filters", "when", "top", "state"
        )
        for sub in subs:
            table.add_row(*describe_row(sub))
        # Values come from users (keywords, authors): never read as markup.
        stdout_for_tables(markup=False).print(table)
        if pages > 1:
            first = (page - 1) * limit + 1
            more = f"; --page {page + 1} for more" if page < pages else ""
            stderr().print(
                f"Page {page} of {pages}: subscriptions {first}–{first + len(subs) - 1} "
                f"of {total}{more}."
            )


@subscriptions_app.command("add")
def add_command(
    channel: Annotated[
        str | None,
        typer.Option(help="Channel id (Slack C…, Discord snowflake, or a console name)."),
    ] = None,
    webhook: Annotated[
        str | None, typer.Option(help="Incoming-webhook URL (Slack or Discord); no bot needed.")
    ] = None,
    platform: Annotated[
        PlatformName | None,
        typer.Option(help="slack, discord or console; told from a webhook URL when omitted."),
    ] = None,
    workspace: Annotated[
        str, typer.Option(help="Slack team or Discord guild id, for channels.")
    ] = "",
    category: Annotated[
        list[str] | None,
        typer.Option(
            "--category",
            "-c",
            help="arXiv category (cs.LG, cs.*, cs); repeatable or comma-separated "
            "(cs.AI,cs.LG). None: all.",
        ),
    ] = None,
    keyword: Annotated[
        list[str] | None,
        typer.Option(
            "--keyword",
            "-k",
            help="Keep papers mentioning it (any --keyword); repeatable (at most 20, of 64 "
            "characters each).",
        ),
    ] = None,
    all_of: Annotated[
        list[str] | None,
        typer.Option("--all-of", help="Keep papers mentioning it and every other --all-of word."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", "-x", help="Leave out papers mentioning it; repeatable."),
    ] = None,
    author: Annotated[
        list[str] | None,
        typer.Option(
            "--author",
            "-a",
            help='Keep papers by this author (any --author); "Y. LeCun" finds Yann LeCun.',
        ),
    ] = None,
    time: Annotated[str, typer.Option(help="Local posting time, HH:MM.")] = "09:00",
    tz: Annotated[str, typer.Option(help="IANA time zone of --time, e.g. Europe/Berlin.")] = "UTC",
    weekdays: Annotated[
        str | None, typer.Option(help="mon-fri (the default), mon,wed,fri, daily or weekends.")
    ] = None,
    weekly: Annotated[
        str | None,
        typer.Option(
            metavar="DAY",
            help="Post once a week on DAY (e.g. fri): the best of the week ending at the "
            "latest announcement. Not with --weekdays or --lag.",
        ),
    ] = None,
    lag: Annotated[
        str,
        typer.Option(
            help="0, or 1 (1d): each daily post carries the announcement before the latest, "
            "ranked with a full day of engagement."
        ),
    ] = "0",
    top: Annotated[str, typer.Option(help="Papers per digest, 1 to 100.")] = "10",
    refresh_after: Annotated[
        str | None,
        typer.Option(
            help="Edit each post in place this many hours later (1 to 168, e.g. 24 or 24h) with "
            "the settled counts; Slack incoming webhooks cannot edit."
        ),
    ] = None,
    mix: Annotated[
        float,
        typer.Option(
            min=0,
            max=1,
            help="0 hot only … 1 relevance to the channel's feedback and interests only "
            "(see hotpapers digest --for).",
        ),
    ] = 0.3,
) -> None:
    """Add a subscription: a channel or webhook gets the digest of some categories every day
    (or, with --weekly DAY, the best of the week once a week). The same digest to the same
    destination twice is added once: the second add says "Already subscribed" and exits 0."""
    from adapters.webhooks import platform_of
    from bot.commands import (
        parse_lag,
        parse_time,
        parse_top,
        parse_weekday,
        parse_weekdays,
        parse_zone,
    )
    from bot.subscriptions import Subscription

    with handled():
        if (channel is None) == (webhook is None):
            raise InputError("Give either --channel ID or --webhook URL.")
        lagged = parse_lag(lag)
        if weekly is not None and (weekdays is not None or lagged):
            raise InputError(
                "--weekly DAY posts once a week: it goes without --weekdays and --lag."
            )
        if webhook is not None:
            guessed = platform_of(webhook)
            if platform is None and guessed is None:
                raise InputError(
                    "Cannot tell Slack from Discord by this webhook's host: "
                    "add --platform slack or discord."
                )
            name = str(platform or guessed)
            if name == "console":
                raise InputError("The console has no webhooks; use --channel NAME.")
        else:
            if platform is None:
                raise InputError("A channel needs --platform slack, discord or console.")
            if channel is not None and not channel.strip():
                raise InputError("--channel needs the channel's id (or, on the console, a name).")
            name = str(platform)
        sub = Subscription.model_validate(
            {
                "platform": name,
                "workspace": workspace,
                "destination": webhook or channel,
                "kind": "webhook" if webhook else "channel",
                "categories": categories_of(category),
                "keywords": words_of(keyword),
                "all_keywords": words_of(all_of),
                "exclude": words_of(exclude, what="word"),
                "authors": words_of(author, what="author"),
                "top": parse_top(top),
                "post_time": parse_time(time),
                "timezone": parse_zone(tz),
                "weekdays": (parse_weekday(weekly),)
                if weekly is not None
                else parse_weekdays(weekdays or "mon-fri"),
                "cadence": "daily" if weekly is None else "weekly",
                "lag": lagged,
                "created_by": "operator",
                "refresh_after": parse_hours(refresh_after) if refresh_after else None,
                "mix": mix,
            }
        )
        if sub.refresh_after and sub.kind == "webhook" and sub.platform == "slack":
            stderr().print(
                "hotpapers: a Slack incoming webhook cannot edit its posts: they will not be "
                "refreshed (a channel with the bot token can).",
                markup=False,
            )
        added, new = with_store(settings_and_logs(), lambda store: add_once(store, sub))
        shown = " · ".join(describe_row(added)[1:7])
        if new:
            print(f"Added subscription {added.id}: {shown}")
            return
        # Like the chat's subscribe, and like the CLI's other "nothing to do" answers: exit 0.
        resume = (
            f" It is paused: hotpapers subscriptions resume {added.id} posts it again."
            if added.paused
            else ""
        )
        print(
            f"Already subscribed: subscription {added.id} is the same ({shown}). Nothing "
            f"changed, and no second subscription was added.{resume}"
        )


async def add_once(store: SqlStore, sub: Subscription) -> tuple[Subscription, bool]:
    """The new subscription and True; or, when one posting the same digest to the same place
    exists already, that one and False (adding it would post everything twice)."""
    from bot.subscriptions import same_digest

    there = await store.subscriptions(
        platform=sub.platform, workspace=sub.workspace, destination=sub.destination
    )
    twin = next((old for old in there if same_digest(old, sub)), None)
    if twin is not None:
        return twin, False
    return await store.add(sub, now=utcnow()), True


def parse_hours(text: str) -> int:
    """Whole hours from 1 to 168 (a week), as ``24`` or ``24h``."""
    value = text.strip().lower().removesuffix("h").strip()
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 168:
        raise InputError(f"--refresh-after {text!r} is not a number of hours from 1 to 168.")
    return int(value)


def _change(subscription_id: int, action: str, **changes: object) -> None:
    async def work(store: SqlStore) -> bool:
        if action == "remove":
            return await store.remove(subscription_id)
        return await store.update(subscription_id, **changes) is not None

    with handled():
        check_id(subscription_id)
        if not with_store(settings_and_logs(), work):
            raise InputError(
                f"There is no subscription {subscription_id} (see hotpapers subscriptions list)."
            )
        print(f"Subscription {subscription_id}: {action}d.")


@subscriptions_app.command("remove")
def remove_command(
    subscription_id: Annotated[int, typer.Argument(help="The id shown by list.")],
) -> None:
    """Remove a subscription and its delivery history."""
    _change(subscription_id, "remove")


@subscriptions_app.command("pause")
def pause_command(
    subscription_id: Annotated[int, typer.Argument(help="The id shown by list.")],
) -> None:
    """Stop posting to a subscription until it is resumed."""
    _change(subscription_id, "pause", paused=True, paused_reason="by an operator")


@subscriptions_app.command("resume")
def resume_command(
    subscription_id: Annotated[int, typer.Argument(help="The id shown by list.")],
) -> None:
    """Post to a paused subscription again."""
    _change(subscription_id, "resume", paused=False, paused_reason="")


@subscriptions_app.command("refresh-after")
def refresh_after_command(
    subscription_id: Annotated[int, typer.Argument(help="The id shown by list.")],
    hours: Annotated[
        str, typer.Argument(help="Hours after each post (1 to 168, e.g. 24 or 24h), or off.")
    ],
) -> None:
    """Edit a subscription's posts in place that many hours later with the settled counts."""
    with handled():
        value = None if hours.strip().lower() == "off" else parse_hours(hours)
    _change(subscription_id, "update", refresh_after=value)


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 moment; without an offset it is UTC."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(
            f"--at {text!r} is not an ISO 8601 time such as 2026-11-25T09:00+01:00."
        ) from exc
    moment = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    first, last = YEARS
    try:
        in_range = first <= moment.astimezone(dt.UTC).year <= last
    except OverflowError:  # an offset that moves it past year 1 or 9999
        in_range = False
    if not in_range:
        raise InputError(f"--at {text!r} is not between the years {first} and {last}.")
    return moment


async def deliver_once(
    settings: Settings, at: dt.datetime, fixed: Snapshot | None
) -> tuple[Report, list[str]]:
    """Every delivery due at ``at``, on every platform this process has credentials for; and a
    line for each kind of subscription it has none for (what to set)."""
    from adapters.cli.publishing import publishers, unserved
    from bot.store import open_store

    store = await open_store(settings.database())
    try:
        async with (
            http_client(settings) as client,
            publishers(settings, store, console=sys.stdout) as publishing,
        ):
            snapshots = snapshot_provider(settings, store, client, fixed)
            table = publishing.table
            report = await deliverer(settings, store, snapshots, table, fixed).run(at)
            edits = refresher(settings, store, client, snapshots, table, fixed, at=at)
            report = await edits.run(report)
            await prune(settings, store, at)
            waiting = report.outcomes["without a publisher"]
            missing = await unserved(store, publishing) if waiting else []
            return report, missing
    finally:
        await store.close()


def deliver(
    at: Annotated[
        str | None,
        typer.Option(
            help="The moment to deliver for, ISO 8601 (default: now; no offset means UTC)."
        ),
    ] = None,
    snapshot: Annotated[
        Path | None, typer.Option(help="Deliver this snapshot's day instead of fetching live.")
    ] = None,
    sample: Annotated[
        bool, typer.Option(help="Deliver the bundled sample day (2021-03-18).")
    ] = False,
) -> None:
    """Perform every delivery due now (or --at), then exit: what cron runs every few minutes.

    Every kind of subscription is served: webhooks need nothing; Slack channels need
    SLACK_BOT_TOKEN (or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, posting with each workspace's
    OAuth installation); Discord channels need DISCORD_TOKEN (REST only: no gateway). A kind
    whose credentials are not set is named with what to set, and the others go out.

    Posts of subscriptions with --refresh-after that are that old are then edited in place with
    the settled counts (once each; Slack incoming webhooks cannot edit and are left as posted).

    Posts scheduled within the grace window (default 6 h) that were missed are caught up;
    later ones wait. Each delivery is claimed in the ledger first, so several deliver processes
    (or replicas sharing PostgreSQL) never post the same digest twice. Exit status: 0 when all
    went well, 1 when some deliveries failed (retried by the next run), 2 when some subscriptions
    wait for their platform's credentials, 3 when arXiv could not be read for a digest, 4 while
    deliveries that may or may not have been posted wait for hotpapers deliveries resolve.
    """
    from bot.snapshot import read_snapshot, sample_snapshot

    with handled():
        settings = settings_and_logs()
        moment = parse_moment(at) if at else utcnow()
        if snapshot is not None and sample:
            raise InputError("Use either --snapshot or --sample, not both.")
        fixed = read_snapshot(snapshot) if snapshot else (sample_snapshot() if sample else None)
        report, missing = asyncio.run(deliver_once(settings, moment, fixed))
        err = stderr()
        err.print(
            f"hotpapers: deliver at {moment:%Y-%m-%d %H:%M %Z}: {report.summary()}.", markup=False
        )
        for problem in report.problems:
            err.print(f"  {problem}", markup=False)
        for line in missing:
            err.print(f"hotpapers: {line}", markup=False)
        if report.uncertain:
            fail(
                "deliveries in doubt wait for an operator's decision (see above).",
                code=EXIT_IN_DOUBT,
            )
        if report.outcomes["failed"]:
            fail("some deliveries failed; they are retried by the next run.", code=1)
        if report.outcomes["unavailable"]:
            fail(
                "arXiv could not be read for some digests; the next run tries again.",
                code=EXIT_UNAVAILABLE,
            )
        if missing:
            fail(
                "some subscriptions wait for their platform's credentials (see above).",
                code=EXIT_BAD_INPUT,
            )
