"""``hotpapers``: today's hot arXiv papers from the command line.

The composition root: the only place that reads settings and builds the HTTP client, the feed,
the sources and the engine. Every expected failure reaches the user as one sentence on stderr
and its exit code (2 bad input, 3 an upstream or platform unavailable; see
``adapters.cli.common``); nothing prints a traceback.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version as package_version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from adapters.cli.common import (
    OneSentenceErrors,
    categories_of,
    handled,
    settings_and_logs,
    stderr,
    utcnow,
    words_of,
    write_output,
)
from adapters.cli.deliveries import deliveries_app
from adapters.cli.feedback import feedback_app
from adapters.cli.follows import follows_app
from adapters.cli.invite import discord_app
from adapters.cli.live import collect_again, collect_live, collect_past, http_client
from adapters.cli.operate import deliver, subscriptions_app
from adapters.cli.run import run as run_bot
from adapters.cli.taste import channel_digest, interests_app
from bot.errors import DeliveryError, FeedError, InputError, SnapshotError
from bot.files import read_text
from bot.limits import FIRST_DAY, MAX_CLI_TOP, MAX_POST_BYTES
from bot.taxonomy import load_taxonomy

if TYPE_CHECKING:
    from bot.engine import Progress
    from bot.history.views import Span
    from bot.models import Digest, Filters
    from bot.settings import Settings
    from bot.snapshot import Snapshot
    from bot.store import Recorded, SqlStore


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

app = typer.Typer(
    help="Today's most discussed arXiv papers, ranked: in the terminal, as markdown or JSON.",
    epilog="Exit codes: 0 done, 1 a bug (unexpected error), 2 bad input, "
    "3 an upstream or platform unavailable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=OneSentenceErrors,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"hotpapers {package_version('hotpapers')}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """Today's most discussed arXiv papers, ranked: in the terminal, as markdown or JSON."""


snapshot_app = typer.Typer(
    help="Snapshots, the collected input of a day: import one from a Hot Papers post, or load "
    "snapshots and posts into the store as readings."
)
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(subscriptions_app, name="subscriptions")
app.add_typer(discord_app, name="discord")
app.add_typer(deliveries_app, name="deliveries")
app.add_typer(feedback_app, name="feedback")
app.add_typer(interests_app, name="interests")
app.add_typer(follows_app, name="follows")
app.command()(deliver)
app.command("run")(run_bot)


class Format(enum.StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


def parse_day(text: str, now: dt.datetime) -> dt.date:
    """A YYYY-MM-DD date that is not in the future anywhere on Earth."""
    if not _DATE.match(text):
        raise InputError(f"The date {text!r} is not of the form YYYY-MM-DD.")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"The date {text!r} does not exist.") from exc
    if day > (now + dt.timedelta(hours=14)).date():
        raise InputError(
            f"The date {text} is in the future; arXiv has announced nothing for it yet."
        )
    if day < FIRST_DAY:
        raise InputError(f"The date {text} is before arXiv's first announcement ({FIRST_DAY}).")
    return day


@contextmanager
def progress_reporter() -> Iterator[Progress]:
    """A spinner on stderr that shows each step, or nothing when stderr is not a terminal."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _: None
        return
    with console.status("collecting…") as status:
        yield lambda message: status.update(f"collecting: {message}")


def stored_path(settings: Settings, day: dt.date, categories: list[str], archives: int) -> Path:
    key = "all" if len(categories) == archives else "+".join(categories)
    return settings.data_dir / "snapshots" / f"{day:%Y-%m-%d}_{key}.json"


async def keep_readings(store: SqlStore, snapshot: Snapshot, settings: Settings) -> Recorded:
    """Record a snapshot's counts as readings, then apply the retention setting."""
    recorded = await store.readings.record(snapshot)
    await store.readings.prune(settings.readings_retention_days)
    return recorded


async def live_snapshot(
    settings: Settings, patterns: tuple[str, ...], day: dt.date | None
) -> Snapshot:
    """A day's snapshot: saved before, held as readings, collected live or, for a past day
    never fetched, backfilled from arXiv's API. What is collected is kept as readings."""
    from bot.arxiv import feed_categories
    from bot.history.readings import with_star_baseline
    from bot.schedule import announcement_date
    from bot.snapshot import read_snapshot, write_snapshot
    from bot.store import open_store

    taxonomy = load_taxonomy()
    categories = feed_categories(patterns or settings.categories, taxonomy.archives)
    if day is not None:
        stored = stored_path(settings, day, categories, len(taxonomy.archives))
        if stored.is_file():
            return read_snapshot(stored)
    # The feed serves only the latest announcement: an earlier day is held or backfilled.
    past = day if day is not None and day < announcement_date(utcnow()) else None
    store = await open_store(settings.database())
    try:
        if past is not None:
            held = await store.readings.snapshot(past)
            if held is not None:
                return await with_star_baseline(store.readings, held)
        try:
            with progress_reporter() as progress:
                async with http_client(settings) as client:
                    if past is not None:
                        snapshot = await collect_past(
                            settings, past, categories, client=client, progress=progress
                        )
                    else:
                        snapshot = await collect_live(
                            settings, categories, client=client, progress=progress
                        )
        except FeedError as exc:
            hint = "Check the network, or try --sample for the bundled day."
            raise FeedError(f"{exc} {hint}") from exc
        snapshot = await with_star_baseline(store.readings, snapshot)
        await keep_readings(store, snapshot, settings)
    finally:
        await store.close()
    stored = stored_path(settings, snapshot.date, categories, len(taxonomy.archives))
    write_snapshot(snapshot, stored, make_parents=True)
    if day is None and not snapshot.announced:
        # A weekend or holiday: the latest announcement is the one to show, if it was saved.
        latest = stored_path(
            settings, announcement_date(utcnow()), categories, len(taxonomy.archives)
        )
        if latest != stored and latest.is_file():
            return read_snapshot(latest)
    if day is not None and snapshot.date != day:
        raise InputError(
            f"arXiv's feed serves only its latest announcement ({snapshot.date}), and no snapshot "
            f"of {day} was saved in {settings.data_dir / 'snapshots'}; use --snapshot FILE."
        )
    return snapshot


def render(digest: Digest, fmt: Format, *, explain: bool, settings: Settings) -> str:
    from bot.render import render_json, render_markdown, render_text

    if fmt is Format.json:
        return render_json(digest)
    if fmt is Format.markdown:
        return render_markdown(digest, explain=explain, weights=settings.weights)
    return render_text(digest, explain=explain, weights=settings.weights)


DateOption = Annotated[
    str | None, typer.Option(help="Announcement day, YYYY-MM-DD (default: the latest).")
]
CategoryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-c",
        help="arXiv category, e.g. cs.LG, cs.* or cs; repeatable or comma-separated "
        "(cs.AI,cs.LG). Cross-lists count.",
    ),
]
KeywordOption = Annotated[
    list[str] | None,
    typer.Option(
        "--keyword",
        "-k",
        help="Keep papers whose title or abstract contains it; repeatable (any matches; "
        "at most 20, of 64 characters each).",
    ),
]
AllOfOption = Annotated[
    list[str] | None,
    typer.Option(
        "--all-of",
        help="Keep papers whose title or abstract contains it, and every other --all-of word; "
        "repeatable.",
    ),
]
ExcludeOption = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        "-x",
        help="Leave out papers whose title or abstract contains it; repeatable.",
    ),
]
AuthorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--author",
        "-a",
        help="Keep papers by this author (any --author); repeatable. Case, accents and initials "
        'are forgiven: "Y. LeCun" and "LeCun" find Yann LeCun.',
    ),
]
TopOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_CLI_TOP,
        help="At most this many papers (default: all above the minimum score).",
    ),
]
POST_TOP = 10
PostTopOption = Annotated[
    int | None,
    typer.Option(min=1, max=MAX_CLI_TOP, help=f"At most this many papers (default: {POST_TOP})."),
]
MinScoreOption = Annotated[
    float | None,
    typer.Option(
        min=0, help="Leave out papers scoring less (default: only papers no source mentioned)."
    ),
]
SnapshotOption = Annotated[
    Path | None, typer.Option(help="Replay a saved snapshot instead of fetching live.")
]
SampleOption = Annotated[
    bool, typer.Option(help="Use the bundled sample day (2021-03-18), no network needed.")
]


class SpanChoice(enum.StrEnum):
    week = "week"
    month = "month"


RisingOption = Annotated[
    bool,
    typer.Option(
        help="Rising: papers of the last three stored announcement days (up to --date) ranked "
        "by engagement gained per hour between their first and last reading (two, at least an "
        "hour apart). The gain shown is the weighted engagement gained (metric weight × count "
        "× share, summed over sources) per hour."
    ),
]
SpanOption = Annotated[
    SpanChoice | None,
    typer.Option(
        help="Best of the stored announcement days of the week (7 days) or month ending at "
        "--date (default: the latest stored day); each paper once, with its latest reading."
    ),
]


async def history_digest(
    settings: Settings,
    filters: Filters,
    *,
    rising: bool,
    span: Span | None,
    end: dt.date | None,
    now: dt.datetime,
) -> Digest:
    """The rising or best-of digest, from the readings in the store."""
    from bot.history.views import rising_digest, span_digest
    from bot.store import open_store

    store = await open_store(settings.database())
    try:
        if rising or span is None:
            return await rising_digest(
                store.readings,
                filters,
                until=end,
                weights=settings.weights,
                max_post_share=settings.max_post_share,
                rank_prior=settings.rank_prior,
                generated_at=now,
            )
        return await span_digest(
            store.readings,
            span,
            filters,
            end=end,
            weights=settings.weights,
            max_post_share=settings.max_post_share,
            rank_prior=settings.rank_prior,
            generated_at=now,
        )
    finally:
        await store.close()


def selected_digest(
    settings: Settings,
    *,
    date: str | None,
    category: list[str] | None,
    keyword: list[str] | None,
    top: int | None,
    min_score: float | None,
    snapshot: Path | None,
    sample: bool,
    rising: bool = False,
    span: Span | None = None,
    all_of: list[str] | None = None,
    exclude: list[str] | None = None,
    author: list[str] | None = None,
) -> Digest:
    """The digest the common options ask for: the day, its source, the filters."""
    from bot.engine import build_digest
    from bot.models import Filters
    from bot.snapshot import read_snapshot, sample_snapshot

    now = utcnow()
    day = parse_day(date, now) if date is not None else None
    if snapshot is not None and sample:
        raise InputError("Use either --snapshot or --sample, not both.")
    if rising and span is not None:
        raise InputError("Use either --rising or --span, not both.")
    if (rising or span is not None) and (snapshot is not None or sample):
        raise InputError(
            "--rising and --span read the readings in the store (see `hotpapers snapshot save`), "
            "not --snapshot or --sample."
        )
    categories = categories_of(category)
    filters = Filters(
        categories=categories,
        keywords=words_of(keyword),
        all_keywords=words_of(all_of),
        exclude=words_of(exclude, what="word"),
        authors=words_of(author, what="author"),
        min_score=settings.min_score if min_score is None else min_score,
        top=top,
    )
    if rising or span is not None:
        return asyncio.run(
            history_digest(settings, filters, rising=rising, span=span, end=day, now=now)
        )
    if snapshot is not None:
        snap = read_snapshot(snapshot)
    elif sample:
        snap = sample_snapshot()
    else:
        snap = asyncio.run(live_snapshot(settings, categories, day))
    if day is not None and snap.date != day:
        raise InputError(f"The {'sample' if sample else 'snapshot'} is of {snap.date}, not {day}.")
    return build_digest(
        snap,
        filters,
        weights=settings.weights,
        max_post_share=settings.max_post_share,
        rank_prior=settings.rank_prior,
        generated_at=now,
    )


class PicksSpan(enum.StrEnum):
    week = "week"
    month = "month"


@app.command("picks")
def picks(
    channel: Annotated[
        str,
        typer.Option(
            metavar="PLATFORM:ID",
            help="The channel: slack:C0123ABCD, discord:123456789012345678 or console:NAME.",
        ),
    ],
    span: Annotated[
        PicksSpan, typer.Option(help="The last 7 days (week) or 30 days (month).")
    ] = PicksSpan.week,
    workspace: Annotated[
        str, typer.Option(help="Slack team or Discord guild id (default: the channel in any).")
    ] = "",
    top: Annotated[int, typer.Option(min=1, max=100, help="How many papers.")] = 10,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Lab picks: the papers a channel liked 👍 and saved 🔖 most over the last week or month,
    with its own counts (what /hotpapers picks shows in chat)."""
    from adapters.cli.feedback import channel_of
    from adapters.cli.operate import with_store
    from bot.feedback.picks import nothing_picked, picks_digest, picks_window

    with handled():
        settings = settings_and_logs()
        where = channel_of(channel, workspace)
        now = utcnow()
        since, until = picks_window(span.value, now)

        async def work(store: SqlStore) -> Digest:
            tallies = await store.feedback.tallies(where, since=since, until=until)
            papers = await store.feedback.papers(t.arxiv_id for t in tallies)
            return picks_digest(
                tallies, papers, since=since, until=until, generated_at=now, top=top
            )

        result = with_store(settings, work)
        if not result.items:
            stderr().print(f"{where}: {nothing_picked(span.value)}", markup=False)
            return
        write_output(render(result, fmt, explain=False, settings=settings), output)


@app.command()
def digest(
    date: DateOption = None,
    category: CategoryOption = None,
    keyword: KeywordOption = None,
    all_of: AllOfOption = None,
    exclude: ExcludeOption = None,
    author: AuthorOption = None,
    top: TopOption = None,
    min_score: MinScoreOption = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    explain: Annotated[bool, typer.Option(help="Show how each score adds up, per source.")] = False,
    snapshot: SnapshotOption = None,
    sample: SampleOption = False,
    rising: RisingOption = False,
    span: SpanOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
    for_channel: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="PLATFORM:ID",
            help="What this channel's subscription gets: its categories, keywords and top, "
            "hotness blended with relevance to its feedback and interests.",
        ),
    ] = None,
    mix: Annotated[
        float | None,
        typer.Option(
            min=0,
            max=1,
            help="With --for: 0 hot only … 1 relevance only (default: the subscription's mix).",
        ),
    ] = None,
) -> None:
    """Rank the day's arXiv papers by how much people discuss them.

    A past --date never fetched is backfilled from arXiv's API. --rising and --span rank
    over the readings kept in the store.
    """
    with handled():
        settings = settings_and_logs()
        if for_channel is not None or mix is not None:
            if for_channel is None:
                raise InputError("--mix goes with --for PLATFORM:ID.")
            if category or keyword or all_of or exclude or author or rising or span is not None:
                raise InputError(
                    "--for takes the channel subscription's categories and filters; it goes "
                    "without --category, --keyword, --all-of, --exclude, --author, --rising and "
                    "--span."
                )
            result = channel_digest(
                settings,
                for_channel,
                workspace="",
                mix=mix,
                date=date,
                top=top,
                min_score=min_score,
                snapshot=snapshot,
                sample=sample,
            )
            write_output(render(result, fmt, explain=explain, settings=settings), output)
            return
        result = selected_digest(
            settings,
            date=date,
            category=category,
            keyword=keyword,
            top=top,
            min_score=min_score,
            snapshot=snapshot,
            sample=sample,
            rising=rising,
            span=span.value if span is not None else None,
            all_of=all_of,
            exclude=exclude,
            author=author,
        )
        write_output(render(result, fmt, explain=explain, settings=settings), output)


@app.command()
def post(
    slack_channel: Annotated[
        str | None, typer.Option(help="Slack channel id (C…); needs SLACK_BOT_TOKEN.")
    ] = None,
    slack_webhook: Annotated[
        str | None, typer.Option(help="Slack incoming-webhook URL (any host).")
    ] = None,
    discord_webhook: Annotated[
        str | None, typer.Option(help="Discord channel-webhook URL (any host).")
    ] = None,
    discord_channel: Annotated[
        str | None, typer.Option(help="Discord channel id; needs DISCORD_TOKEN.")
    ] = None,
    date: DateOption = None,
    category: CategoryOption = None,
    keyword: KeywordOption = None,
    top: PostTopOption = None,
    min_score: MinScoreOption = None,
    snapshot: SnapshotOption = None,
    sample: SampleOption = False,
) -> None:
    """Post one digest to a Slack or Discord channel or webhook, then exit (cron jobs, CI).

    A live collection gives each source scheduled_source_deadline_s (300 s) instead of
    source_deadline_s (60 s): no one waits for it.
    """
    with handled():
        settings = settings_and_logs()
        targets = [t for t in (slack_channel, slack_webhook, discord_webhook, discord_channel) if t]
        if len(targets) != 1:
            raise InputError(
                "Give exactly one of --slack-channel, --slack-webhook, --discord-channel, "
                "--discord-webhook."
            )
        if discord_channel and settings.discord_token is None:
            raise InputError("--discord-channel needs DISCORD_TOKEN (or use --discord-webhook).")
        if slack_channel and settings.slack_bot_token is None:
            raise InputError("--slack-channel needs SLACK_BOT_TOKEN (or use --slack-webhook).")
        for url in (slack_webhook, discord_webhook):
            if url and not url.startswith(("https://", "http://")):
                raise InputError("A webhook is an http(s) URL.")
        result = selected_digest(
            settings.scheduled(),  # a cron job: no one waits for its collection
            date=date,
            category=category,
            keyword=keyword,
            top=top if top is not None else POST_TOP,
            min_score=min_score,
            snapshot=snapshot,
            sample=sample,
        )
        message_id = asyncio.run(
            post_once(
                settings, result, slack_channel, slack_webhook, discord_webhook, discord_channel
            )
        )
        stderr().print(
            f"hotpapers: posted the digest of {result.date} ({message_id}).", markup=False
        )


@app.command()
def publish(
    out: Annotated[Path, typer.Option(help="The archive directory (created when missing).")],
    base_url: Annotated[
        str,
        typer.Option(
            help="The http(s) address the archive is served at, for the feed's absolute links; "
            "remembered in archive.json. Without it (and none remembered) the links are file:// "
            "URLs of --out, with a warning."
        ),
    ] = "",
    date: DateOption = None,
    category: CategoryOption = None,
    keyword: KeywordOption = None,
    top: TopOption = None,
    min_score: MinScoreOption = None,
    snapshot: SnapshotOption = None,
    sample: SampleOption = False,
) -> None:
    """Publish the day's digest into a static archive (post, page, index, Atom feed).

    Writes a Hot Papers markdown post, a self-contained HTML page, the index (the latest days
    with their top papers) and an Atom feed (the newest 30 days in full, absolute links under
    --base-url). Publishing a day again replaces it.
    """
    from adapters.archive import publish as publish_day

    with handled():
        settings = settings_and_logs()
        if base_url and not base_url.startswith(("https://", "http://")):
            raise InputError(
                "--base-url is an http(s) URL, such as https://lab.example.org/papers."
            )
        result = selected_digest(
            settings.scheduled(),  # a cron job: no one waits for its collection
            date=date,
            category=category,
            keyword=keyword,
            top=top,
            min_score=min_score,
            snapshot=snapshot,
            sample=sample,
        )
        published = publish_day(result, out, base_url=base_url)
        if published.warning:
            stderr().print(f"hotpapers: warning: {published.warning}", markup=False)
        stderr().print(
            f"hotpapers: published {result.date} into {out} ({len(published.files)} files).",
            markup=False,
        )


async def post_once(
    settings: Settings,
    result: Digest,
    slack_channel: str | None,
    slack_webhook: str | None,
    discord_webhook: str | None,
    discord_channel: str | None = None,
) -> str:
    # Imported here: the chat SDKs load slowly, and only posting needs them.
    import aiohttp
    from slack_sdk.errors import SlackApiError

    from adapters.slack.publisher import SlackPublisher, translate, web_client
    from adapters.webhooks import WebhookPublisher, checked_url
    from bot.subscriptions import Subscription

    if slack_channel:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        slack = SlackPublisher(web_client(token, settings.slack_api_url))
        sub = Subscription(platform="slack", destination=slack_channel)
        try:
            return await slack.post(slack_channel, result)
        except SlackApiError as exc:
            raise translate(exc, f"the post to {sub.destination}") from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise DeliveryError(f"Slack could not be reached ({type(exc).__name__})") from exc
    async with http_client(settings) as client:
        if discord_channel and settings.discord_token is not None:
            from adapters.discord.publisher import DiscordPublisher, post_key

            token = settings.discord_token.get_secret_value()
            publisher = DiscordPublisher(client, token, api_base=settings.discord_api_base)
            # Running the same post twice within Discord's nonce window posts it once.
            return await publisher.post(
                discord_channel, result, key=post_key(discord_channel, result)
            )
        platform = "slack" if slack_webhook else "discord"
        url = slack_webhook or discord_webhook or ""
        checked_url(url)
        sub = Subscription(platform=platform, kind="webhook", destination=url)
        return await WebhookPublisher(client, platform).publish(sub, result)


@snapshot_app.command("import-post")
def import_post_command(
    post: Annotated[
        Path,
        typer.Argument(help="A Hot Papers markdown post (front matter, '# N. Title' sections)."),
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the snapshot here instead of stdout."),
    ] = None,
    save: Annotated[
        bool,
        typer.Option(
            "--save",
            help="Load it into the store as readings (as `snapshot save` does) instead of "
            "printing it; with --output, also write the file.",
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Fail (exit 2) on anything that cannot be read, instead of warning and going on.",
        ),
    ] = False,
) -> None:
    """Turn a Hot Papers markdown post into a snapshot (its counts become X/Twitter engagement).

    A line that cannot be read (a counts line that is not counts, a post cut short) is left
    out with a warning that names its line; --strict makes it an error. Posts above
    16 MiB are refused.
    """
    from bot.snapshot import dumps, write_snapshot

    with handled():
        snap = read_post_warning(post, strict=strict)
        if save:
            settings = settings_and_logs()
            report_saved([post.name], *asyncio.run(save_snapshots(settings, [snap])))
            if output is not None:
                write_snapshot(snap, output)
        elif output is None:
            write_output(dumps(snap), None)
        else:
            write_snapshot(snap, output)


def read_post_warning(post: Path, *, strict: bool = False) -> Snapshot:
    """A Hot Papers post imported, each line it could not read warned about with its number;
    with ``strict``, any such line is an error and nothing is imported."""
    from bot.hotpost import read_post

    imported = read_post(read_text(post, "The post", limit=MAX_POST_BYTES), name=post.name)
    for warning in imported.warnings:
        stderr().print(f"hotpapers: warning: {post.name}, {warning}.", markup=False)
    if strict and imported.warnings:
        raise SnapshotError(
            f"{post.name} has {len(imported.warnings)} problem(s) (see the warnings); "
            "nothing was written (--strict)."
        )
    return imported.snapshot


def read_any(path: Path) -> Snapshot:
    """A snapshot file, or a Hot Papers post (``.md``) imported on the fly."""
    from bot.snapshot import read_snapshot

    if path.suffix.lower() in (".md", ".markdown"):
        return read_post_warning(path)
    return read_snapshot(path)


async def save_snapshots(
    settings: Settings, snapshots: list[Snapshot]
) -> tuple[list[Recorded], list[dt.date]]:
    """Record each snapshot's readings, then apply retention; returns what was recorded and
    the days forgotten."""
    from bot.store import open_store

    store = await open_store(settings.database())
    try:
        recorded = [await store.readings.record(snap) for snap in snapshots]
        return recorded, await store.readings.prune(settings.readings_retention_days)
    finally:
        await store.close()


def report_saved(names: list[str], recorded: list[Recorded], forgotten: list[dt.date]) -> None:
    err = stderr()
    for name, done in zip(names, recorded, strict=True):
        err.print(
            f"hotpapers: {name}: {done.day}, {done.papers} papers, {done.readings} new readings.",
            markup=False,
        )
    if forgotten:
        err.print(
            f"hotpapers: {len(forgotten)} days from {forgotten[0]} to {forgotten[-1]} are older "
            "than readings_retention_days before the latest stored day and were forgotten "
            "(0 keeps every day).",
            markup=False,
        )


async def refresh_days(settings: Settings, count: int) -> list[tuple[dt.date, Recorded]]:
    """Ask the sources again about the papers of the last ``count`` stored days."""
    from bot.store import open_store

    store = await open_store(settings.database())
    try:
        days = (await store.readings.days())[-count:]
        if not days:
            raise InputError("No announcement day is stored yet, so there is nothing to refresh.")
        done = []
        with progress_reporter() as progress:
            async with http_client(settings) as client:
                for day in days:
                    papers = await store.readings.papers([day])
                    snapshot = await collect_again(
                        settings, day, papers, client=client, progress=progress
                    )
                    done.append((day, await keep_readings(store, snapshot, settings)))
        return done
    finally:
        await store.close()


@snapshot_app.command("refresh")
def refresh_command(
    days: Annotated[
        int, typer.Option(min=1, max=31, help="How many of the latest stored days to read again.")
    ] = 3,
) -> None:
    """Read the counts of the latest stored announcement days again, as new readings.

    Engagement grows for days after an announcement; `digest --rising` measures it between
    readings. Run this every few hours (cron, a scheduler) to keep readings coming. Each
    source gets scheduled_source_deadline_s (300 s).
    """
    with handled():
        settings = settings_and_logs()
        for day, recorded in asyncio.run(refresh_days(settings.scheduled(), days)):
            stderr().print(
                f"hotpapers: {day}: {recorded.papers} papers, {recorded.readings} new readings.",
                markup=False,
            )


@snapshot_app.command("save")
def save_command(
    files: Annotated[
        list[Path] | None,
        typer.Argument(metavar="FILE", help="Snapshot files (JSON) or Hot Papers posts (.md)."),
    ] = None,
    sample: Annotated[
        bool,
        typer.Option(help="Load the bundled sample day (2021-03-18) too, e.g. for feedback add."),
    ] = False,
) -> None:
    """Load snapshots into the store as readings, each with its own taken_at.

    A history loaded this way replays offline: `digest --rising`, `--span`, `--date`; its
    papers can take feedback. Loading the same file twice adds nothing. A file that cannot be
    read is named and skipped (exit code 2 at the end). Days older than
    readings_retention_days before the latest stored day are then forgotten.
    """
    from bot.snapshot import sample_snapshot

    with handled():
        if not files and not sample:
            raise InputError("Give snapshot files or posts to load, or --sample.")
        settings = settings_and_logs()
        readable: list[str] = ["the bundled sample"] if sample else []
        snapshots: list[Snapshot] = [sample_snapshot()] if sample else []
        problems: list[str] = []
        for path in files or ():
            try:
                snapshots.append(read_any(path))
                readable.append(path.name)
            except InputError as exc:
                problems.append(str(exc))
        if snapshots:
            report_saved(readable, *asyncio.run(save_snapshots(settings, snapshots)))
        if problems:
            for problem in problems[:-1]:
                stderr().print(f"hotpapers: skipped: {problem}", markup=False)
            raise InputError(f"skipped: {problems[-1]}")


def run() -> None:
    app()


if __name__ == "__main__":
    run()
