"""Hacker News stories that link papers, through the Algolia search API (no account).

One date-windowed query per host that serves papers (arxiv.org, alphaxiv.org, Hugging Face
paper pages on huggingface.co and hf.co), searched in the story URL only. Algolia returns at
most 1,000 hits per query, whatever the paging, so a query asks for 1,000 hits at a time and,
while a full answer says more remain, asks again for what is older than the oldest hit seen
(``search_by_date`` is newest first): every story of the window is read, in
``ceil(hits / 1000)`` requests. Each hit's URL is then checked for an arXiv id of the day's
papers (Algolia's URL matching is loose).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
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
PAGE_SIZE = 1000  # Algolia's largest page, and its cap on the hits of one query
MAX_SLICES = 50  # per query: 50,000 stories of one host in one window is not a real day
WINDOW = dt.timedelta(days=3)
# Algolia splits URLs into words: "huggingface.co/papers" matches .../papers/... URLs only.
QUERIES = ("arxiv.org", "alphaxiv.org", "huggingface.co/papers", "hf.co/papers")

log = logging.getLogger(__name__)


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
    nbHits: int | None = None  # noqa: N815 - the API's name


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

    async def _hits(self, query: str, since: int, until: int) -> list[_Hit]:
        """Every story matching ``query`` created in [since, until), newest first."""
        hits: dict[str, _Hit] = {}
        upper = until
        for _ in range(MAX_SLICES):
            params: dict[str, str | int] = {
                "query": query,
                "restrictSearchableAttributes": "url",
                "tags": "story",
                "numericFilters": f"created_at_i>={since},created_at_i<{upper}",
                "hitsPerPage": PAGE_SIZE,
                "page": 0,
            }
            data = await self.http.get(self.base_url, params=params)
            try:
                page = _Page.model_validate(data)
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            hits.update((hit.objectID, hit) for hit in page.hits)
            more = page.nbHits is None or page.nbHits > len(page.hits)
            if len(page.hits) < PAGE_SIZE or not more:
                return list(hits.values())
            # The next slice ends with the oldest second seen, which is asked again: stories
            # of that second beyond the cap are not lost (those already read count once).
            oldest = min((h.created_at_i for h in page.hits if h.created_at_i), default=upper)
            if oldest + 1 >= upper:
                log.warning("hackernews: over %d stories in one second for %r", PAGE_SIZE, query)
                break
            upper = oldest + 1
        return list(hits.values())

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        # Papers are public from the evening before their announcement date (US Eastern).
        since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
        until = min(since + WINDOW, self.clock())
        taken = self.clock()
        seen: set[str] = set()
        signals = []
        for query in QUERIES:
            for hit in await self._hits(query, int(since.timestamp()), int(until.timestamp())):
                if hit.objectID in seen:
                    continue  # a story found by two queries counts once
                seen.add(hit.objectID)
                counts = {"points": hit.points or 0, "comments": hit.num_comments or 0}
                posted = (
                    dt.datetime.fromtimestamp(hit.created_at_i, dt.UTC)
                    if hit.created_at_i
                    else None
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
