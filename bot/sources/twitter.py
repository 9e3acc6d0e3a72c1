"""X/Twitter posts linking arXiv, through the API v2 recent search (bearer token, paid reads).

Only used when a bearer token is configured. One query, ``url:"arxiv.org" -is:retweet``, over
the announcement window, paged with ``next_token``; every page is paid for, so pages stop when
the daily read budget is spent. Engagement: retweets + favorites (likes), the reference posts'
counts.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.cache import utcnow
from bot.errors import SourceError
from bot.models import Paper, Post, Signal
from bot.sources.attribution import attribute
from bot.sources.http import DEFAULT_RETRY, Fetcher, RetryPolicy, Sleep

API_URL = "https://api.twitter.com"
QUERY = 'url:"arxiv.org" -is:retweet'
PAGE_SIZE = 100
MIN_PAGE = 10  # the API refuses max_results below 10
MAX_PAGES = 100
INTERVAL_S = 1.0
WINDOW = dt.timedelta(days=3)
SEARCHABLE = dt.timedelta(days=7)


class ReadBudget(Protocol):
    def take(self, wanted: int) -> int: ...


class _Metrics(BaseModel):
    model_config = ConfigDict(extra="ignore")
    retweet_count: int = 0
    like_count: int = 0


class _Url(BaseModel):
    model_config = ConfigDict(extra="ignore")
    expanded_url: str | None = None
    unwound_url: str | None = None


class _Entities(BaseModel):
    model_config = ConfigDict(extra="ignore")
    urls: list[_Url] = Field(default_factory=list)


class _Tweet(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    text: str = ""
    author_id: str | None = None
    created_at: dt.datetime | None = None
    public_metrics: _Metrics = Field(default_factory=_Metrics)
    entities: _Entities = Field(default_factory=_Entities)


class _User(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    username: str
    name: str = ""


class _Includes(BaseModel):
    model_config = ConfigDict(extra="ignore")
    users: list[_User] = Field(default_factory=list)


class _Meta(BaseModel):
    model_config = ConfigDict(extra="ignore")
    result_count: int = 0
    next_token: str | None = None


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore")
    data: list[_Tweet] = Field(default_factory=list)
    includes: _Includes = Field(default_factory=_Includes)
    meta: _Meta


def _post(tweet: _Tweet, users: dict[str, _User]) -> Post:
    user = users.get(tweet.author_id or "")
    handle = user.username if user else "i"
    author = f"{user.name} (@{user.username})" if user else ""
    metrics = tweet.public_metrics
    return Post(
        url=f"https://twitter.com/{handle}/status/{tweet.id}",
        author=author,
        text=tweet.text,
        posted_at=tweet.created_at,
        counts={"retweets": metrics.retweet_count, "favorites": metrics.like_count},
    )


class XSource:
    name = "twitter"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        bearer_token: str,
        budget: ReadBudget,
        api_url: str = API_URL,
        max_pages: int = MAX_PAGES,
        clock: Callable[[], dt.datetime] = utcnow,
        interval: float = INTERVAL_S,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = Fetcher(client, self.name, interval=interval, retry=retry, sleep=sleep)
        self.bearer_token = bearer_token
        self.budget = budget
        self.api_url = api_url.rstrip("/")
        self.max_pages = max_pages
        self.clock = clock

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        now = self.clock()
        since = max(
            dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1),
            now - SEARCHABLE + dt.timedelta(minutes=1),
        )
        until = min(since + WINDOW, now - dt.timedelta(seconds=30))
        if until <= since:
            raise SourceError(self.name, "the announcement is older than recent search reaches")
        signals: list[Signal] = []
        token: str | None = None
        for page_number in range(self.max_pages):
            granted = self.budget.take(PAGE_SIZE)
            if granted < MIN_PAGE:
                if page_number == 0:
                    raise SourceError(self.name, "today's read budget is spent")
                break
            params: dict[str, Any] = {
                "query": QUERY,
                "start_time": since.isoformat().replace("+00:00", "Z"),
                "end_time": until.isoformat().replace("+00:00", "Z"),
                "max_results": granted,
                "tweet.fields": "created_at,public_metrics,entities,author_id",
                "expansions": "author_id",
                "user.fields": "username,name",
            }
            if token:
                params["next_token"] = token
            data = await self.http.get(
                f"{self.api_url}/2/tweets/search/recent",
                params=params,
                headers={"Authorization": f"Bearer {self.bearer_token}"},
            )
            try:
                page = _Page.model_validate(data)
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            users = {u.id: u for u in page.includes.users}
            for tweet in page.data:
                links = [u.unwound_url or u.expanded_url or "" for u in tweet.entities.urls]
                signals += attribute(self.name, _post(tweet, users), links, wanted, taken_at=now)
            token = page.meta.next_token
            if not token:
                break
        return signals
