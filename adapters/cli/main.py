"""``hotpapers``: today's hot arXiv papers from the command line.

The composition root: the only place that reads settings and builds the HTTP client, the feed,
the sources and the engine. Every expected failure reaches the user as one sentence on stderr
and exit code 2; nothing prints a traceback.
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
from typing import Annotated

import typer
from rich.console import Console

from adapters.cli.common import handled, settings_and_logs, stderr, utcnow, write_output
from adapters.cli.invite import discord_app
from adapters.cli.live import collect_live, http_client
from adapters.cli.operate import deliver, subscriptions_app
from adapters.cli.run import run as run_bot
from bot.arxiv import feed_categories
from bot.engine import Progress, build_digest
from bot.errors import FeedError, InputError
from bot.files import read_text
from bot.hotpost import import_post
from bot.models import Digest, Filters
from bot.render import render_json, render_markdown, render_text
from bot.schedule import announcement_date
from bot.settings import Settings
from bot.snapshot import Snapshot, dumps, read_snapshot, sample_snapshot, write_snapshot
from bot.subscriptions import Subscription
from bot.taxonomy import load_taxonomy

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

app = typer.Typer(
    help="Today's most discussed arXiv papers, ranked: in the terminal, as markdown or JSON.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
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
    help="Snapshots, the collected input of a day: import one from a Hot Papers post."
)
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(subscriptions_app, name="subscriptions")
app.add_typer(discord_app, name="discord")
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


async def live_snapshot(
    settings: Settings, patterns: tuple[str, ...], day: dt.date | None
) -> Snapshot:
    taxonomy = load_taxonomy()
    categories = feed_categories(patterns or settings.categories, taxonomy.archives)
    if day is not None:
        stored = stored_path(settings, day, categories, len(taxonomy.archives))
        if stored.is_file():
            return read_snapshot(stored)
    try:
        with progress_reporter() as progress:
            async with http_client(settings) as client:
                snapshot = await collect_live(
                    settings, categories, client=client, progress=progress
                )
    except FeedError as exc:
        raise FeedError(f"{exc} Check the network, or try --sample for the bundled day.") from exc
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
        help="arXiv category, e.g. cs.LG, cs.* or cs; repeatable. Cross-lists count.",
    ),
]
KeywordOption = Annotated[
    list[str] | None,
    typer.Option(
        "--keyword",
        "-k",
        help="Keep papers whose title or abstract contains it; repeatable (any matches).",
    ),
]
TopOption = Annotated[
    int | None,
    typer.Option(min=1, help="At most this many papers (default: all above the minimum score)."),
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
) -> Digest:
    """The digest the common options ask for: the day, its source, the filters."""
    now = utcnow()
    day = parse_day(date, now) if date is not None else None
    if snapshot is not None and sample:
        raise InputError("Use either --snapshot or --sample, not both.")
    categories = load_taxonomy().validate(category or ())
    if snapshot is not None:
        snap = read_snapshot(snapshot)
    elif sample:
        snap = sample_snapshot()
    else:
        snap = asyncio.run(live_snapshot(settings, categories, day))
    if day is not None and snap.date != day:
        raise InputError(f"The {'sample' if sample else 'snapshot'} is of {snap.date}, not {day}.")
    filters = Filters(
        categories=categories,
        keywords=tuple(k for k in keyword or () if k.strip()),
        min_score=settings.min_score if min_score is None else min_score,
        top=top,
    )
    return build_digest(snap, filters, weights=settings.weights, generated_at=now)


@app.command()
def digest(
    date: DateOption = None,
    category: CategoryOption = None,
    keyword: KeywordOption = None,
    top: TopOption = None,
    min_score: MinScoreOption = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    explain: Annotated[bool, typer.Option(help="Show how each score adds up, per source.")] = False,
    snapshot: SnapshotOption = None,
    sample: SampleOption = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Rank the day's arXiv papers by how much people discuss them."""
    with handled():
        settings = settings_and_logs()
        result = selected_digest(
            settings,
            date=date,
            category=category,
            keyword=keyword,
            top=top,
            min_score=min_score,
            snapshot=snapshot,
            sample=sample,
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
    top: TopOption = None,
    min_score: MinScoreOption = None,
    snapshot: SnapshotOption = None,
    sample: SampleOption = False,
) -> None:
    """Post one digest to a Slack or Discord channel or webhook, then exit (cron jobs, CI)."""
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
            settings,
            date=date,
            category=category,
            keyword=keyword,
            top=top if top is not None else 10,
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
            settings,
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
    from slack_sdk.errors import SlackApiError

    from adapters.slack.publisher import SlackPublisher, translate, web_client
    from adapters.webhooks import WebhookPublisher

    if slack_channel:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        slack = SlackPublisher(web_client(token, settings.slack_api_url))
        sub = Subscription(platform="slack", destination=slack_channel)
        try:
            return await slack.post(slack_channel, result)
        except SlackApiError as exc:
            raise translate(exc, f"the post to {sub.destination}") from exc
    async with http_client(settings) as client:
        if discord_channel and settings.discord_token is not None:
            from adapters.discord.publisher import DiscordPublisher

            token = settings.discord_token.get_secret_value()
            publisher = DiscordPublisher(client, token, api_base=settings.discord_api_base)
            return await publisher.post(discord_channel, result)
        platform = "slack" if slack_webhook else "discord"
        url = slack_webhook or discord_webhook or ""
        sub = Subscription(platform=platform, kind="webhook", destination=url)
        return await WebhookPublisher(client, platform).publish(sub, result, key="")


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
) -> None:
    """Turn a Hot Papers markdown post into a snapshot (its counts become X/Twitter engagement)."""
    with handled():
        snap = import_post(read_text(post, "The post"), name=post.name)
        if output is None:
            write_output(dumps(snap), None)
        else:
            write_snapshot(snap, output)


def run() -> None:
    app()


if __name__ == "__main__":
    run()
