"""Reddit submissions linking arXiv, through the OAuth API (app credentials, no user).

The source gets an application token (client credentials), then pages through the newest
submissions of the ``arxiv.org`` domain listing until they are older than the announcement
window. Engagement: score + comments.
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

AUTH_URL = "https://www.reddit.com/api/v1/access_token"
API_URL = "https://oauth.reddit.com"
PAGE_SIZE = 100
MAX_PAGES = 20
INTERVAL_S = 1.0
WINDOW = dt.timedelta(days=3)


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
        max_pages: int = MAX_PAGES,
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
        self.max_pages = max_pages
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

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
        until = since + WINDOW
        headers = {"Authorization": f"Bearer {await self._token()}"}
        taken = self.clock()
        signals: list[Signal] = []
        after: str | None = None
        for _ in range(self.max_pages):
            params: dict[str, str | int] = {"limit": PAGE_SIZE, "raw_json": 1}
            if after:
                params["after"] = after
            data = await self.http.get(
                f"{self.api_url}/domain/arxiv.org/new", params=params, headers=headers
            )
            try:
                listing = _Listing.model_validate(data).data
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            oldest = None
            for child in listing.children:
                item = child.data
                created = dt.datetime.fromtimestamp(item.created_utc, dt.UTC)
                oldest = created if oldest is None else min(oldest, created)
                if not since <= created < until:
                    continue
                post = Post(
                    url=f"https://www.reddit.com{item.permalink}",
                    author=f"u/{item.author}" if item.author else "",
                    text=item.title,
                    posted_at=created,
                    counts={"score": item.score, "comments": item.num_comments},
                )
                signals += attribute(self.name, post, [item.url], wanted, taken_at=taken)
            after = listing.after
            if not after or oldest is None or oldest < since:
                break
        return signals
