"""Building the live collection path: HTTP client, arXiv feed, sources and engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import httpx

from bot.arxiv import ARXIV_INTERVAL_S, ArxivFeed
from bot.cache import FileCache
from bot.engine import DigestEngine, Progress
from bot.polite import Gate
from bot.ports import SignalSource
from bot.settings import Settings
from bot.snapshot import Snapshot
from bot.sources.hackernews import HackerNewsSource
from bot.sources.huggingface import HuggingFaceSource

USER_AGENT = "hotpapers/0.1 (daily digest of discussed arXiv papers)"


def http_client(settings: Settings) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        timeout=settings.http_timeout_s,
        headers={"User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=10, max_keepalive_connections=5),
        transport=httpx.AsyncHTTPTransport(retries=2),
    )


def sources(settings: Settings, client: httpx.AsyncClient) -> list[SignalSource]:
    built: dict[str, SignalSource] = {
        "huggingface": HuggingFaceSource(client, base_url=settings.huggingface_api_url),
        "hackernews": HackerNewsSource(client, base_url=settings.hackernews_api_url),
    }
    return [built[name] for name in settings.sources]


async def collect_live(
    settings: Settings,
    categories: Sequence[str],
    *,
    client: httpx.AsyncClient,
    progress: Progress,
) -> Snapshot:
    feed = ArxivFeed(
        client,
        cache=FileCache(
            settings.data_dir / "cache", ttl=dt.timedelta(minutes=settings.cache_ttl_minutes)
        ),
        gate=Gate(ARXIV_INTERVAL_S),
        base_url=settings.arxiv_feed_url,
        include_cross=settings.include_cross,
        include_replacements=settings.include_replacements,
    )
    engine = DigestEngine(
        feed,
        sources(settings, client),
        source_deadline=settings.source_deadline_s,
        progress=progress,
    )
    return await engine.collect(categories)
