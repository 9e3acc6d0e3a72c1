"""arXiv's daily announcements, read from its RSS/Atom feeds with feedparser.

One request fetches every category asked for (``cs.LG+cs.CV``). arXiv's etiquette is kept:
one request at a time, three seconds apart (a shared ``Gate``), and what was fetched is cached.
An empty feed (weekends, holidays) is "no announcement", never an empty hot list.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import xml.sax
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import httpx

from bot.errors import FeedError
from bot.ids import parse_id
from bot.models import Announcement, AnnounceType, Paper
from bot.polite import Gate
from bot.ports import Cache

FEED_URL = "https://rss.arxiv.org/atom/"
ARXIV_INTERVAL_S = 3.0
EASTERN = ZoneInfo("America/New_York")
ANNOUNCE_TYPES: frozenset[str] = frozenset({"new", "cross", "replace", "replace-cross"})
_ABSTRACT = re.compile(r"\A.*?Announce Type:\s*\S+\s*(?:Abstract:\s*)?", re.DOTALL)


def feed_categories(patterns: Iterable[str], archives: Iterable[str]) -> list[str]:
    """What to ask the feed for: wildcards become their archive; nothing means every archive."""
    wanted = [p.removesuffix(".*") for p in patterns]
    return sorted(dict.fromkeys(wanted or archives))


def entry_authors(entry: Any) -> tuple[str, ...]:
    names: list[str] = []
    for author in entry.get("authors") or [{"name": entry.get("author", "")}]:
        names += [n.strip() for n in str(author.get("name", "")).split(",")]
    if names and names[-1].startswith("and "):
        names[-1] = names[-1][4:]
    return tuple(n for n in names if n)


def eastern_date(text: str) -> dt.date | None:
    """The Eastern-time date of an ISO 8601 or RFC 822 timestamp, as arXiv's calendar runs."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(EASTERN).date()


def _paper(entry: Any) -> Paper | None:
    raw_id = str(entry.get("id", "")).removeprefix("oai:arXiv.org:")
    try:
        ref = parse_id(raw_id)
    except ValueError:
        return None
    announce = str(entry.get("arxiv_announce_type", "new")).strip()
    categories = tuple(dict.fromkeys(t.term for t in entry.get("tags", []) if t.get("term")))
    announce_type: AnnounceType = announce if announce in ANNOUNCE_TYPES else "new"  # type: ignore[assignment]
    return Paper(
        arxiv_id=ref.arxiv_id,
        version=ref.version,
        title=" ".join(str(entry.get("title", "")).split()),
        authors=entry_authors(entry),
        abstract=_ABSTRACT.sub("", str(entry.get("summary", "")), count=1).strip(),
        primary_category=categories[0] if categories else None,
        categories=categories,
        announced=eastern_date(str(entry.get("published", ""))),
        announce_type=announce_type,
    )


def parse_feed(content: bytes | str, *, include: frozenset[str]) -> Announcement:
    """The announcement in a feed document, keeping the announce types in ``include``.

    Raises FeedError when the document is not a complete feed.
    """
    parsed = feedparser.parse(content)
    if not parsed.get("version"):
        raise FeedError("arXiv's feed answered with something that is not a feed.")
    error = parsed.get("bozo_exception")
    if parsed.get("bozo") and isinstance(error, xml.sax.SAXException):
        raise FeedError(f"arXiv's feed was cut off or malformed ({error.getMessage()}).")
    papers = [p for entry in parsed.entries if (p := _paper(entry)) is not None]
    feed = parsed.feed
    dates = [p.announced for p in papers if p.announced]
    day = max(dates) if dates else None
    if day is None:
        for key in ("published", "updated"):
            if feed.get(key) and (day := eastern_date(str(feed[key]))) is not None:
                break
    if day is None:
        raise FeedError("arXiv's feed carries no date.")
    kept = tuple(p for p in papers if p.announce_type in include)
    # A day whose entries were all dropped (say, only replacements) was still announced.
    return Announcement(date=day, papers=kept, announced=bool(papers))


class ArxivFeed:
    """The latest announcement of some categories from ``rss.arxiv.org``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        cache: Cache,
        gate: Gate,
        base_url: str = FEED_URL,
        include_cross: bool = True,
        include_replacements: bool = False,
    ) -> None:
        self.client = client
        self.cache = cache
        self.gate = gate
        self.base_url = base_url
        include = {"new"}
        if include_cross:
            include.add("cross")
        if include_replacements:
            include |= {"replace", "replace-cross"}
        self.include = frozenset(include)

    async def announcements(self, categories: Sequence[str]) -> Announcement:
        url = self.base_url + "+".join(categories)
        body = self.cache.get(url)
        if body is None:
            body = await self._fetch(url)
            announcement = parse_feed(body, include=self.include)
            self.cache.put(url, body)
            return announcement
        return parse_feed(body, include=self.include)

    async def _fetch(self, url: str) -> str:
        try:
            async with self.gate.slot():
                response = await self.client.get(url, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise FeedError(f"arXiv's feed could not be reached ({type(exc).__name__}).") from exc
        if response.status_code != 200:
            raise FeedError(f"arXiv's feed answered HTTP {response.status_code}.")
        return response.text
