"""Building the live collection path: HTTP client, arXiv feed, sources and engine."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.errors import SourceError
from bot.taxonomy import Taxonomy, load_taxonomy

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from bot.cadence import Blender
    from bot.delivery import Deliverer, PostedHook
    from bot.digests import DigestService
    from bot.engine import Progress
    from bot.models import Announcement, Digest, Paper, Signal
    from bot.polite import Gate
    from bot.ports import FollowUpSource, Publisher, SignalSource, SnapshotProvider
    from bot.refresh import Refresher
    from bot.settings import Settings
    from bot.snapshot import Snapshot
    from bot.store import SqlStore
    from bot.subscriptions import Subscription


log = logging.getLogger("hotpapers.retention")
USER_AGENT = "hotpapers/0.1 (daily digest of discussed arXiv papers)"


def http_client(settings: Settings) -> httpx.AsyncClient:
    """The one HTTP client every upstream shares, with bounded connections."""
    import httpx

    return httpx.AsyncClient(
        timeout=settings.http_timeout_s,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
    )


def _secret(value: object) -> str:
    get = getattr(value, "get_secret_value", None)
    return str(get()) if get else ""


def build_sources(
    settings: Settings, client: httpx.AsyncClient, *, cached: bool = True
) -> tuple[list[SignalSource], list[FollowUpSource]]:
    """The enabled sources (cached for ``signals_ttl_minutes`` unless ``cached`` is false) and
    the follow-up ones."""
    from bot.budget import FileBudget
    from bot.cache import FileCache
    from bot.engine import CachedSource
    from bot.sources.bluesky import BlueskySource
    from bot.sources.github import GitHubSource
    from bot.sources.hackernews import HackerNewsSource
    from bot.sources.http import RetryPolicy
    from bot.sources.huggingface import HuggingFaceSource
    from bot.sources.paging import SHARE_OF_DEADLINE
    from bot.sources.reddit import RedditSource
    from bot.sources.twitter import XSource

    retry = RetryPolicy(
        attempts=settings.retry_attempts,
        backoff=settings.retry_backoff_s,
        max_retry_after=settings.max_retry_after_s,
    )
    cache = FileCache(
        settings.data_dir / "cache" / "signals",
        ttl=dt.timedelta(minutes=settings.signals_ttl_minutes),
    )
    sources: list[SignalSource] = []
    follow_ups: list[FollowUpSource] = []
    for name in settings.enabled_sources():
        if name == "huggingface":
            sources.append(
                HuggingFaceSource(client, base_url=settings.huggingface_api_url, retry=retry)
            )
        elif name == "hackernews":
            sources.append(
                HackerNewsSource(client, base_url=settings.hackernews_api_url, retry=retry)
            )
        elif name == "bluesky":
            sources.append(
                BlueskySource(
                    client,
                    handle=settings.bluesky_handle or "",
                    app_password=_secret(settings.bluesky_app_password),
                    api_url=settings.bluesky_api_url,
                    time_budget=SHARE_OF_DEADLINE * settings.source_deadline_s,
                    retry=retry,
                )
            )
        elif name == "twitter":
            budget = FileBudget(
                settings.data_dir / "x-read-budget.json", settings.x_daily_read_budget
            )
            sources.append(
                XSource(
                    client,
                    bearer_token=_secret(settings.x_bearer_token),
                    budget=budget,
                    api_url=settings.x_api_url,
                    retry=retry,
                )
            )
        elif name == "reddit":
            sources.append(
                RedditSource(
                    client,
                    client_id=settings.reddit_client_id or "",
                    client_secret=_secret(settings.reddit_client_secret),
                    auth_url=settings.reddit_auth_url,
                    api_url=settings.reddit_api_url,
                    subreddits=settings.reddit_subreddits,
                    time_budget=SHARE_OF_DEADLINE * settings.source_deadline_s,
                    retry=retry,
                )
            )
        else:
            follow_ups.append(
                GitHubSource(
                    client,
                    token=_secret(settings.github_token) or None,
                    api_url=settings.github_api_url,
                    max_repos=settings.github_max_repos,
                    retry=retry,
                )
            )
    if not cached:
        return sources, follow_ups
    return [CachedSource(s, cache) for s in sources], follow_ups


async def collect_live(
    settings: Settings,
    categories: Sequence[str],
    *,
    client: httpx.AsyncClient,
    progress: Progress,
    gate: Gate | None = None,
) -> Snapshot:
    from bot.arxiv import ARXIV_INTERVAL_S, ArxivFeed
    from bot.cache import FileCache
    from bot.engine import DigestEngine
    from bot.polite import Gate

    feed = ArxivFeed(
        client,
        cache=FileCache(
            settings.data_dir / "cache", ttl=dt.timedelta(minutes=settings.cache_ttl_minutes)
        ),
        gate=gate or Gate(ARXIV_INTERVAL_S),
        base_url=settings.arxiv_feed_url,
        include_cross=settings.include_cross,
        include_replacements=settings.include_replacements,
    )
    sources, follow_ups = build_sources(settings, client)
    engine = DigestEngine(
        feed,
        sources,
        follow_ups=follow_ups,
        source_deadline=settings.source_deadline_s,
        progress=progress,
    )
    return await engine.collect(categories)


class CannotSearchBack:
    """A source whose API cannot reach past days (Reddit's listings are newest first): named in
    the digest as unavailable rather than silently empty."""

    def __init__(self, name: str) -> None:
        self.name = name

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        raise SourceError(self.name, "its listings do not reach back to past days")


# Sources whose search takes a date window or a date: Hugging Face (a date), Hacker News
# (Algolia, any window), Bluesky (since/until), X (its recent search: 7 days, it says so itself).
CANNOT_SEARCH_BACK = frozenset({"reddit"})


def archive_categories(taxonomy: Taxonomy) -> dict[str, tuple[str, ...]]:
    """Each archive's categories, for a query API that matches categories only."""
    return {
        archive: tuple(c for c in taxonomy.categories if c.startswith(archive + ".")) or (archive,)
        for archive in taxonomy.archives
    }


async def collect_past(
    settings: Settings,
    day: dt.date,
    categories: Sequence[str],
    *,
    client: httpx.AsyncClient,
    progress: Progress,
    gate: Gate | None = None,
) -> Snapshot:
    """A past announcement day, backfilled: papers from arXiv's API, signals from the sources
    that can search back."""
    from bot.arxiv import ARXIV_INTERVAL_S
    from bot.arxiv_api import ArxivApi, PastDayFeed
    from bot.engine import DigestEngine
    from bot.polite import Gate

    taxonomy = load_taxonomy()
    api = ArxivApi(
        client,
        gate=gate or Gate(ARXIV_INTERVAL_S),
        base_url=settings.arxiv_api_url,
        expand=archive_categories(taxonomy),
        everything=taxonomy.archives,
    )
    sources, follow_ups = build_sources(settings, client)
    reachable: list[SignalSource] = [
        CannotSearchBack(s.name) if s.name in CANNOT_SEARCH_BACK else s for s in sources
    ]
    engine = DigestEngine(
        PastDayFeed(api, day),
        reachable,
        follow_ups=follow_ups,
        source_deadline=settings.source_deadline_s,
        progress=progress,
    )
    snapshot = await engine.collect(categories)
    return snapshot.model_copy(update={"origin": "backfill"})


class StoredDay:
    """A ``PaperFeed`` that serves papers already known (a stored day), so that the engine asks
    the sources about them again."""

    def __init__(self, day: dt.date, papers: Sequence[Paper]) -> None:
        from bot.models import Announcement

        self.announcement = Announcement(date=day, papers=tuple(papers))

    async def announcements(self, categories: Sequence[str]) -> Announcement:
        return self.announcement


async def collect_again(
    settings: Settings,
    day: dt.date,
    papers: Sequence[Paper],
    *,
    client: httpx.AsyncClient,
    progress: Progress,
) -> Snapshot:
    """What the sources say now about a stored day's papers: a new reading of that day."""
    from bot.engine import DigestEngine

    sources, follow_ups = build_sources(settings, client, cached=False)
    engine = DigestEngine(
        StoredDay(day, papers),
        sources,
        follow_ups=follow_ups,
        source_deadline=settings.source_deadline_s,
        progress=progress,
    )
    snapshot = await engine.collect([])
    return snapshot.model_copy(update={"origin": "refresh"})


def snapshot_provider(
    settings: Settings, store: SqlStore, client: httpx.AsyncClient, fixed: Snapshot | None
) -> SnapshotProvider:
    """A fixed snapshot's day (``--sample``, ``--snapshot``), or live days kept in the store."""
    from bot.arxiv import ARXIV_INTERVAL_S
    from bot.engine import quiet
    from bot.polite import Gate
    from bot.snapshots import FixedSnapshot, LiveSnapshots

    if fixed is not None:
        return FixedSnapshot(fixed)

    gate = Gate(ARXIV_INTERVAL_S)  # one for the feed and the API: arXiv counts both

    async def collect(categories: Sequence[str]) -> Snapshot:
        return await collect_live(settings, categories, client=client, progress=quiet, gate=gate)

    async def backfill(day: dt.date, categories: Sequence[str]) -> Snapshot:
        return await collect_past(
            settings, day, categories, client=client, progress=quiet, gate=gate
        )

    return LiveSnapshots(
        store,
        collect,
        archives=load_taxonomy().archives,
        ttl=dt.timedelta(minutes=settings.signals_ttl_minutes),
        backfill=backfill,
        retention_days=settings.readings_retention_days,
        snapshot_retention_days=settings.snapshot_retention_days,
    )


async def prune(settings: Settings, store: SqlStore, now: dt.datetime) -> None:
    """Retention after a delivery run: settled deliveries, the papers of posts as old, and
    stored snapshots past their days. A store that cannot prune now only logs it: the next run
    tries again."""
    from bot.errors import StorageError

    keep = settings.ledger_retention_days
    try:
        deliveries = await store.prune_deliveries(keep, now=now)
        carried = await store.feedback.prune_posted(keep, now=now)
        snapshots = await store.prune_snapshots(settings.snapshot_retention_days, now=now)
    except StorageError as exc:
        log.warning("retention: nothing pruned this time (%s)", exc)
        return
    if deliveries or carried or snapshots:
        log.info(
            "retention: %d deliveries, %d posted papers and %d snapshots pruned",
            deliveries,
            carried,
            snapshots,
        )


def digest_service(
    settings: Settings, store: SqlStore, snapshots: SnapshotProvider, fixed: Snapshot | None
) -> DigestService | None:
    """The one digest path of a process (commands and scheduled posts): ranked off the event
    loop, computed once per key, and shelved in the store for ``digest_ttl_minutes`` so that
    later runs and other processes reuse it; None when that is 0 (each run computes its own)."""
    import hashlib

    from bot.digests import DigestService

    if settings.digest_ttl_minutes <= 0:
        return None
    # A fixed snapshot's digests never mix with the live ones, nor with another file's.
    scope = (
        "fixed:" + hashlib.sha256(fixed.model_dump_json().encode()).hexdigest()[:16]
        if fixed is not None
        else "live"
    )
    return DigestService(
        snapshots,
        weights=settings.weights,
        max_post_share=settings.max_post_share,
        rank_prior=settings.rank_prior,
        readings=store.readings,
        shelf=store.digests,
        shelf_ttl=dt.timedelta(minutes=settings.digest_ttl_minutes),
        scope=scope,
    )


def deliverer(
    settings: Settings,
    store: SqlStore,
    snapshots: SnapshotProvider,
    publishers: Mapping[tuple[str, str], Publisher],
    fixed: Snapshot | None,
    *,
    digests: DigestService | None = None,
) -> Deliverer:
    """The deliverer as the settings configure it, its digests shared through the store
    (``digests``: the process's service, shared with commands; else one of its own)."""
    from bot.delivery import Deliverer
    from bot.pacing import Pacer

    return Deliverer(
        store,
        snapshots,
        publishers,
        grace=dt.timedelta(hours=settings.grace_hours),
        lease=dt.timedelta(seconds=settings.delivery_lease_s),
        no_announcement=settings.no_announcement,
        empty_posts=settings.empty_posts,
        fixed_date=fixed.date if fixed is not None else None,
        weights=settings.weights,
        max_post_share=settings.max_post_share,
        rank_prior=settings.rank_prior,
        blend=blender(store),
        digests=digests or digest_service(settings, store, snapshots, fixed),
        concurrency=settings.delivery_concurrency,
        pacer=Pacer(share=settings.rate_limit_share),
        stagger=True,  # several processes begin on different deliveries
        posted=_remember_posted(store),
    )


def _remember_posted(store: SqlStore) -> PostedHook:
    from adapters.posted import remember_posted

    return remember_posted(store)


def blender(store: SqlStore) -> Blender:
    """Each subscription's digest blended with its channel's taste (its ``mix``)."""

    async def blend(sub: Subscription, candidates: Digest, *, quiet: bool = False) -> Digest:
        # Imported here: scikit-learn loads slowly, and only a blend needs it.
        from bot.relevance.taste import channel_blend

        return await channel_blend(store, sub, candidates, quiet=quiet)

    return blend


class SettledSnapshots:
    """For refreshing posts: a stored day's papers with what the sources say about them now.

    The day's latest readings serve while younger than the TTL; older ones make the sources be
    asked again about the day's stored papers (a new reading, kept), so that a post edited a
    day later shows the settled counts. A day never stored comes from the live provider.
    """

    def __init__(
        self,
        settings: Settings,
        store: SqlStore,
        client: httpx.AsyncClient,
        live: SnapshotProvider,
        *,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        from bot.cache import utcnow

        self.settings = settings
        self.clock = clock or utcnow
        self.store = store
        self.client = client
        self.live = live
        self.ttl = dt.timedelta(minutes=settings.signals_ttl_minutes)

    async def snapshot(self, day: dt.date | None, categories: Sequence[str]) -> Snapshot | None:
        held = await self.store.readings.snapshot(day) if day is not None else None
        if day is None or held is None:
            return await self.live.snapshot(day, categories)
        if held.taken_at is not None and self.clock() - held.taken_at < self.ttl:
            return held
        from bot.engine import quiet

        again = await collect_again(
            self.settings, day, held.papers, client=self.client, progress=quiet
        )
        await self.store.readings.record(again)
        return await self.store.readings.snapshot(day) or again


def refresher(
    settings: Settings,
    store: SqlStore,
    client: httpx.AsyncClient,
    snapshots: SnapshotProvider,
    publishers: Mapping[tuple[str, str], Publisher],
    fixed: Snapshot | None,
    *,
    at: dt.datetime | None = None,
) -> Refresher:
    """The refresher of posted digests (``refresh_after``), reading settled counts; with a fixed
    snapshot, that snapshot. ``at``: the moment it runs for (default: the time of each run)."""
    from bot.cache import utcnow
    from bot.refresh import Refresher

    return Refresher(
        store,
        snapshots if fixed is not None else SettledSnapshots(settings, store, client, snapshots),
        publishers,
        clock=(lambda: at) if at is not None else utcnow,
        lease=dt.timedelta(seconds=settings.delivery_lease_s),
        weights=settings.weights,
        max_post_share=settings.max_post_share,
        rank_prior=settings.rank_prior,
        blend=blender(store),
        posted=_remember_posted(store),
    )
