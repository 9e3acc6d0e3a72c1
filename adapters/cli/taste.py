"""A channel's taste from the shell: ``hotpapers interests import`` and the digest a channel
would get (``hotpapers digest --for PLATFORM:ID``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from adapters.cli.common import handled, settings_and_logs, stderr, utcnow
from adapters.cli.feedback import ChannelOption, WorkspaceOption, channel_of
from bot.errors import InputError

if TYPE_CHECKING:
    from bot.feedback import Channel, Interest
    from bot.models import Digest, Paper
    from bot.settings import Settings
    from bot.store import SqlStore
    from bot.subscriptions import Subscription

interests_app = typer.Typer(
    help="A channel's interests: papers it reads, the start of its relevance model.",
    no_args_is_help=True,
)
MAX_INTEREST_BYTES = 32 * 1024 * 1024


async def fetched(settings: Settings, ids: list[str]) -> list[Paper]:
    """Papers named by id alone, from arXiv's API (one request per 100 ids, politely)."""
    from adapters.cli.live import http_client
    from bot.arxiv import ARXIV_INTERVAL_S
    from bot.arxiv_api import ArxivApi
    from bot.polite import Gate

    async with http_client(settings) as client:
        api = ArxivApi(client, gate=Gate(ARXIV_INTERVAL_S), base_url=settings.arxiv_api_url)
        return await api.papers(ids)


async def with_texts(
    settings: Settings, store: SqlStore, interests: tuple[Interest, ...]
) -> tuple[list[Interest], list[str]]:
    """Interests named by id alone get their paper's title and abstract: the stored paper,
    else arXiv's API. Returns them and the ids no one knows."""
    from bot.feedback import Interest
    from bot.relevance.model import paper_text

    bare = [i.arxiv_id for i in interests if not i.text and i.arxiv_id]
    known = await store.feedback.papers(bare)
    missing = [i for i in bare if i not in known]
    if missing:
        known.update({p.arxiv_id: p for p in await fetched(settings, missing)})
    out: list[Interest] = []
    unknown: list[str] = []
    for item in interests:
        paper = known.get(item.arxiv_id) if not item.text else None
        if paper is not None:
            item = Interest(
                key=item.key, arxiv_id=item.arxiv_id, title=paper.title, text=paper_text(paper)
            )
        if item.text:
            out.append(item)
        else:
            unknown.append(item.arxiv_id)
    return out, unknown


@interests_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="A BibTeX file (.bib, Zotero's BibTeX export too), a Zotero CSV export (.csv), "
            "or a list of arXiv ids, one per line."
        ),
    ],
    channel: ChannelOption,
    workspace: WorkspaceOption = "",
) -> None:
    """Import a channel's interests: each entry becomes a positive example of its taste.

    Entries named by arXiv id alone take the stored paper's text, else arXiv's API's. An
    entry imported again is kept once.
    """
    from adapters.cli.operate import with_store
    from bot.files import read_text
    from bot.relevance.interests import read_interests

    with handled():
        where = channel_of(channel, workspace)
        imported = read_interests(
            file.name, read_text(file, "The interests file", limit=MAX_INTEREST_BYTES)
        )
        settings = settings_and_logs()

        async def work(store: SqlStore) -> tuple[int, int, list[str]]:
            ready, unknown = await with_texts(settings, store, imported.interests)
            added = await store.feedback.add_interests(where, ready, at=utcnow())
            return added, len(ready), unknown

        added, ready, unknown = with_store(settings, work)
        err = stderr()
        for reason in imported.skipped:
            err.print(f"hotpapers: skipped: {reason}", markup=False)
        if unknown:
            err.print(
                f"hotpapers: skipped {len(unknown)} id(s) arXiv does not know: "
                + ", ".join(unknown[:10])
                + (" …" if len(unknown) > 10 else ""),
                markup=False,
            )
        print(
            f"{where}: {ready} interest(s) from {file.name} ({imported.format}), {added} new "
            f"({ready - added} already imported)."
        )


def subscription_for(subs: list[Subscription], where: Channel) -> Subscription:
    """The channel's subscription whose digest ``--for`` shows: its first active one of hot
    papers (lab picks are no digest; a paused one posts nothing)."""
    digests = [s for s in subs if s.content == "hot"]
    if not digests:
        raise InputError(
            f"{where} has no subscription to a digest (see hotpapers subscriptions list): --for "
            "shows what a subscribed channel gets."
        )
    active = [s for s in digests if not s.paused] or digests
    if len(digests) > 1:
        stderr().print(
            f"hotpapers: {where} has {len(digests)} digest subscriptions; showing subscription "
            f"{active[0].id}'s{' (paused)' if active[0].paused else ''}.",
            markup=False,
        )
    return active[0]


def channel_digest(
    settings: Settings,
    for_channel: str,
    *,
    workspace: str,
    mix: float | None,
    date: str | None,
    top: int | None,
    min_score: float | None,
    snapshot: Path | None,
    sample: bool,
) -> Digest:
    """What a channel's subscription would get: its filters, its top, its papers ordered by
    hotness blended with relevance to the channel's taste (``--mix`` or the subscription's)."""
    from adapters.cli.main import selected_digest
    from adapters.cli.operate import with_store
    from bot.relevance.taste import channel_blend

    where = channel_of(for_channel, workspace)

    async def subscribed(store: SqlStore) -> Subscription:
        found = await store.subscriptions(
            platform=where.platform,
            workspace=where.scope or None,
            destination=where.channel,
        )
        return subscription_for(found, where)

    sub = with_store(settings, subscribed)
    chosen = sub.mix if mix is None else mix
    # With relevance in the mix, a paper nobody discussed yet may still be the channel's.
    floor = min_score if min_score is not None or chosen == 0 else 0.0
    hot = selected_digest(
        settings,
        date=date,
        category=list(sub.categories),
        keyword=list(sub.keywords),
        all_of=list(sub.all_keywords),
        exclude=list(sub.exclude),
        author=list(sub.authors),
        top=None,
        min_score=floor,
        snapshot=snapshot,
        sample=sample,
    )

    async def relevance(store: SqlStore) -> Digest:
        return await channel_blend(store, sub, hot, mix=chosen, top=top)

    return with_store(settings, relevance)
