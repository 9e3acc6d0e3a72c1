"""Reddit submissions linking papers, through the OAuth API (app credentials, no user).

The source gets an application token (client credentials), then pages through the newest
submissions of each domain listing that serves papers (``/domain/arxiv.org/new``, alphaxiv.org,
huggingface.co, hf.co) and of the research subreddits (one combined ``/r/A+B/new`` listing, for
self-posts whose text links a paper), until they are older than the announcement window.
Engagement: score + comments.

Reddit lists at most 1,000 items (10 pages of 100) however it is paged. When the combined
subreddit listing is cut before the window's start, each subreddit is read on its own (each
has its own 1,000); a domain listing cut that way cannot be split and is logged. The listing
that has reached least far back is always read next, so that a ``time_budget`` that runs out
leaves each read back to the same moment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncGenerator, Callable, Sequence

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.cache import utcnow
from bot.errors import SourceError
from bot.models import Paper, Post, Signal
from bot.sources.attribution import attribute
from bot.sources.http import DEFAULT_RETRY, Fetcher, RetryPolicy, Sleep
from bot.sources.paging import TimeBudget, interleave

AUTH_URL = "https://www.reddit.com/api/v1/access_token"
API_URL = "https://oauth.reddit.com"
PAGE_SIZE = 100
MAX_PAGES = 10  # Reddit's listings end after 1,000 items
# Reddit allows 100 queries a minute per OAuth client (averaged over ten minutes): at most
# 92 a minute even if every answer came back at once.
INTERVAL_S = 0.65
WINDOW = dt.timedelta(days=3)
DOMAINS = ("arxiv.org", "alphaxiv.org", "huggingface.co", "hf.co")
SUBREDDITS = ("MachineLearning", "LocalLLaMA", "LanguageTechnology", "computervision")

log = logging.getLogger(__name__)


class _Submission(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    url: str = ""
    title: str = ""
    author: str = ""
    score: int = 0
    num_comments: int = 0
    created_utc: float
    permalink: str
    is_self: bool = False
    selftext: str = ""
    subreddit: str = ""


class _Child(BaseModel):
    model_config = ConfigDict(extra="ignore")
    data: _Submission


class _ListingData(BaseModel):
    model_config = ConfigDict(extra="ignore")
    children: list[_Child]
    after: str | None = None


class _Listing(BaseModel):
    model_config = ConfigDict(extra="ignore")
    data: _ListingData


class RedditSource:
    name = "reddit"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        client_id: str,
        client_secret: str,
        auth_url: str = AUTH_URL,
        api_url: str = API_URL,
        subreddits: Sequence[str] = SUBREDDITS,
        max_pages: int = MAX_PAGES,
        time_budget: float | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        interval: float = INTERVAL_S,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = Fetcher(client, self.name, interval=interval, retry=retry, sleep=sleep)
        self.client_id = client_id
        self.client_secret = client_secret
        self.auth_url = auth_url
        self.api_url = api_url.rstrip("/")
        self.subreddits = tuple(subreddits)
        self.max_pages = max_pages
        self.time_budget = time_budget
        self.clock = clock

    async def _token(self) -> str:
        data = await self.http.json(
            "POST",
            self.auth_url,
            auth=(self.client_id, self.client_secret),
            data={"grant_type": "client_credentials"},
        )
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise SourceError(self.name, "login answered without a token")
        return token

    async def _listing(
        self,
        path: str,
        since: dt.datetime,
        headers: dict[str, str],
        cut: list[str],
        after: str | None = None,
    ) -> AsyncGenerator[list[_Submission], None]:
        """A listing's pages back to ``since`` (from the item ``after``, when given); ``path``
        is added to ``cut`` if the listing's cap cut it."""
        read = 0
        for _ in range(self.max_pages):
            params: dict[str, str | int] = {"limit": PAGE_SIZE, "raw_json": 1}
            if after:
                params["after"] = after
            data = await self.http.get(f"{self.api_url}{path}", params=params, headers=headers)
            try:
                listing = _Listing.model_validate(data).data
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            items = [child.data for child in listing.children]
            yield items
            read += len(items)
            after = listing.after
            if not items or min(i.created_utc for i in items) < since.timestamp():
                return
            if not after:
                break
        # The listing ended inside the window: at its cap (a full last page) or our page limit.
        if after or read >= self.max_pages * PAGE_SIZE:
            cut.append(path)

    async def _research(
        self, since: dt.datetime, headers: dict[str, str]
    ) -> AsyncGenerator[list[_Submission], None]:
        """The research subreddits' submissions: one combined listing, or one each if cut.

        Each subreddit's own listing then goes on from the oldest of its submissions that the
        combined one showed, so that nothing is read twice.
        """
        cut: list[str] = []
        oldest: dict[str, str] = {}
        combined = f"/r/{'+'.join(self.subreddits)}/new"
        async for page in self._listing(combined, since, headers, cut):
            oldest |= {s.subreddit.casefold(): f"t3_{s.id}" for s in page if s.subreddit}
            yield page
        if cut and len(self.subreddits) > 1:
            for subreddit in self.subreddits:
                after = oldest.get(subreddit.casefold())
                async for page in self._listing(f"/r/{subreddit}/new", since, headers, [], after):
                    yield page

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
        until = since + WINDOW
        headers = {"Authorization": f"Bearer {await self._token()}"}
        taken = self.clock()
        cut: list[str] = []
        pages = [self._listing(f"/domain/{d}/new", since, headers, cut) for d in DOMAINS]
        if self.subreddits:
            pages.append(self._research(since, headers))
        found = await interleave(
            self.name, pages, TimeBudget(self.time_budget), age=lambda s: s.created_utc
        )
        for path in cut:
            log.warning("reddit: %s ends (1,000 items) before the window starts", path)
        submissions = {s.id: s for s in found}
        signals: list[Signal] = []
        for item in submissions.values():
            created = dt.datetime.fromtimestamp(item.created_utc, dt.UTC)
            if not since <= created < until:
                continue
            post = Post(
                url=f"https://www.reddit.com{item.permalink}",
                author=f"u/{item.author}" if item.author else "",
                text=item.title,
                posted_at=created,
                counts={"score": item.score, "comments": item.num_comments},
            )
            links = [item.url, item.selftext] if item.is_self else [item.url]
            signals += attribute(self.name, post, links, wanted, taken_at=taken)
        return signals
