"""Bluesky posts that link arXiv papers, through ``app.bsky.feed.searchPosts``.

Post search needs a logged-in session in practice, so the source logs in with a handle and an
app password (``com.atproto.server.createSession``). It asks one date-windowed query per domain
(arxiv.org, alphaxiv.org, then Hugging Face paper pages on huggingface.co and hf.co), pages
through the results with the cursor (next, always the query that has reached least far back,
so that a ``time_budget`` that runs out leaves every host read back to the same moment), and
maps each post to the day's papers by its links and text. Engagement: likes + reposts + quotes
(replies are kept but weigh 0 by default).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator, Callable, Iterator, Sequence
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.cache import utcnow
from bot.errors import SourceError
from bot.models import Paper, Post, Signal
from bot.sources.attribution import attribute
from bot.sources.http import DEFAULT_RETRY, Fetcher, RetryPolicy, Sleep
from bot.sources.paging import TimeBudget, interleave

API_URL = "https://bsky.social"
PAGE_SIZE = 100
MAX_PAGES = 1000  # a safety net; the time budget is what bounds a busy day
INTERVAL_S = 0.2
WINDOW = dt.timedelta(days=3)
# (query text, domain filter): every host that serves papers; ``find_refs`` then keeps only
# links that name a paper (a huggingface.co post about a model is dropped).
QUERIES = (
    ("arxiv.org", "arxiv.org"),
    ("alphaxiv.org", "alphaxiv.org"),
    ("huggingface.co/papers", "huggingface.co"),
    ("hf.co/papers", "hf.co"),
)


class _Author(BaseModel):
    model_config = ConfigDict(extra="ignore")
    handle: str
    displayName: str | None = None  # noqa: N815 - the API's name


class _PostView(BaseModel):
    model_config = ConfigDict(extra="ignore")
    uri: str
    author: _Author
    record: dict[str, Any]
    embed: dict[str, Any] | None = None
    likeCount: int = 0  # noqa: N815
    repostCount: int = 0  # noqa: N815
    replyCount: int = 0  # noqa: N815
    quoteCount: int = 0  # noqa: N815
    indexedAt: dt.datetime | None = None  # noqa: N815


class _Page(BaseModel):
    model_config = ConfigDict(extra="ignore")
    posts: list[_PostView]
    cursor: str | None = None


def _links(view: _PostView) -> Iterator[str]:
    for facet in view.record.get("facets") or []:
        for feature in facet.get("features") or [] if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and isinstance(feature.get("uri"), str):
                yield feature["uri"]
    for embed in (view.record.get("embed"), view.embed):
        external = embed.get("external") if isinstance(embed, dict) else None
        if isinstance(external, dict) and isinstance(external.get("uri"), str):
            yield external["uri"]


def _age(view: _PostView) -> float | None:
    """When the search saw the post (its ``since``/``until`` use the same moment)."""
    return view.indexedAt.timestamp() if view.indexedAt else None


def _post(view: _PostView) -> Post:
    rkey = view.uri.rsplit("/", 1)[-1]
    name = view.author.displayName
    author = f"{name} (@{view.author.handle})" if name else f"@{view.author.handle}"
    created = view.record.get("createdAt")
    try:
        posted = dt.datetime.fromisoformat(created) if isinstance(created, str) else view.indexedAt
    except ValueError:
        posted = view.indexedAt
    return Post(
        url=f"https://bsky.app/profile/{view.author.handle}/post/{rkey}",
        author=author,
        text=str(view.record.get("text", "")),
        posted_at=posted,
        counts={
            "likes": view.likeCount,
            "reposts": view.repostCount,
            "quotes": view.quoteCount,
            "replies": view.replyCount,
        },
    )


class BlueskySource:
    name = "bluesky"

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        handle: str,
        app_password: str,
        api_url: str = API_URL,
        max_pages: int = MAX_PAGES,
        time_budget: float | None = None,
        clock: Callable[[], dt.datetime] = utcnow,
        interval: float = INTERVAL_S,
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.http = Fetcher(client, self.name, interval=interval, retry=retry, sleep=sleep)
        self.handle = handle
        self.app_password = app_password
        self.api_url = api_url.rstrip("/")
        self.max_pages = max_pages
        self.time_budget = time_budget
        self.clock = clock

    async def _login(self) -> str:
        data = await self.http.json(
            "POST",
            f"{self.api_url}/xrpc/com.atproto.server.createSession",
            json={"identifier": self.handle, "password": self.app_password},
        )
        token = data.get("accessJwt") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise SourceError(self.name, "login answered without a session")
        return token

    async def _pages(
        self, token: str, query: str, domain: str, since: dt.datetime, until: dt.datetime
    ) -> AsyncGenerator[list[_PostView], None]:
        cursor: str | None = None
        for _ in range(self.max_pages):
            params: dict[str, str | int] = {
                "q": query,
                "domain": domain,
                "since": since.isoformat().replace("+00:00", "Z"),
                "until": until.isoformat().replace("+00:00", "Z"),
                "sort": "latest",
                "limit": PAGE_SIZE,
            }
            if cursor:
                params["cursor"] = cursor
            data = await self.http.get(
                f"{self.api_url}/xrpc/app.bsky.feed.searchPosts",
                params=params,
                headers={"Authorization": f"Bearer {token}"},
            )
            try:
                page = _Page.model_validate(data)
            except ValidationError as exc:
                raise SourceError(self.name, "answered with an unexpected shape") from exc
            yield page.posts
            cursor = page.cursor
            if not cursor or not page.posts:
                break

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        wanted = {p.arxiv_id for p in papers}
        since = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)
        until = min(since + WINDOW, self.clock())
        token = await self._login()
        taken = self.clock()
        seen: set[str] = set()
        signals: list[Signal] = []
        pages = [self._pages(token, query, domain, since, until) for query, domain in QUERIES]
        budget = TimeBudget(self.time_budget)
        for view in await interleave(self.name, pages, budget, age=_age):
            if view.uri in seen:
                continue  # the same post reached through two queries counts once
            seen.add(view.uri)
            signals += attribute(self.name, _post(view), list(_links(view)), wanted, taken_at=taken)
        return signals
