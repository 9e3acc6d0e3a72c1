"""Hacker News stories that link arXiv papers, through the Algolia search API (no account).

One date-windowed query for stories whose URL mentions arxiv.org, paged through; each hit's
URL is checked for an arXiv id of the day's papers (Algolia's URL matching is loose).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.cache import utcnow
from bot.errors import SourceError
from bot.models import Paper, Post, Signal
from bot.sources.attribution import attribute
from bot.sources.http import DEFAULT_RETRY, Fetcher, RetryPolicy, Sleep

API_URL = "https://hn.algolia.com/api/v1/search_by_date"
ITEM_URL = "https://news.ycombinator.com/item?id="
PAGE_SIZE = 1000
MAX_PAGES = 20
WINDOW = dt.timedelta(days=3)


class _Hit(BaseModel):
    model_config = ConfigDict(extra="ignore")
    objectID: str  # noqa: N815 - the API's name
    url: str | None = None
    title: str | None = None
    author: str | None = None
    points: int | None = 0
    num_comments: int | None = 0
    created_at_i: int | None = None


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore")
    hits: list[_Hit]
    page: int = 0
    nbPages: int = 1  # noqa: N815 - the API's name


class HackerNewsSource:
    name = "hackernews"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str = API_URL,
        clock: Callable[[], dt.datetime] = utcnow,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = Fetcher(client, self.name, retry=retry, sleep=sleep)
        self.base_url = base_url
        self.clock = clock

    async def _hits(self, since: dt.datetime, until: dt.datetime) -> list[_Hit]:
        hits: list[_Hit] = []
        window = f"created_at_i>={int(since.timestamp())},created_at_i<{int(until.timestamp())}"
        for page in range(MAX_PAGES):
            params: dict[str, str | int] = {
                "query": "arxiv.org",
                "restrictSearchableAttributes": "url",
                "tags": "story",
                "numericFilters": window,
                "hitsPerPage": PAGE_SIZE,
                "page": page,
            }
            data = await self.http.get(self.base_url, params=params)
            try:
                parsed = _Page.model_validate(data)
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            hits += parsed.hits
            if not parsed.hits or parsed.page + 1 >= parsed.nbPages:
                break
        return hits

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        # Papers are public from the evening before their announcement date (US Eastern).
        since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
        until = min(since + WINDOW, self.clock())
        taken = self.clock()
        signals = []
        for hit in await self._hits(since, until):
            counts = {"points": hit.points or 0, "comments": hit.num_comments or 0}
            posted = (
                dt.datetime.fromtimestamp(hit.created_at_i, dt.UTC) if hit.created_at_i else None
            )
            post = Post(
                url=ITEM_URL + hit.objectID,
                author=hit.author or "",
                text=hit.title or "",
                posted_at=posted,
                counts=counts,
            )
            signals += attribute(self.name, post, [hit.url or ""], wanted, taken_at=taken)
        return signals
