"""Past announcement days from arXiv's search API (``export.arxiv.org/api/query``).

The RSS feed only serves the latest announcement; for any earlier day the API is asked for the
papers whose first version was submitted in that day's submission window (the 14:00 US Eastern
cut-off before the announcement, back to the previous weekday's cut-off), in the categories
asked for, cross-lists included. What the API cannot tell apart from an announcement: old
papers cross-listed or replaced that day are missing, and a paper held for moderation past its
window shows up on the wrong day. Pages of up to 2000 entries, one request at a time, three
seconds apart (the ``Gate`` shared with the feed). Both API backends' Atom documents parse.
"""

from __future__ import annotations

import datetime as dt
import xml.sax
from collections.abc import Collection, Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import httpx

from bot.arxiv import eastern_date, entry_authors
from bot.errors import FeedError
from bot.ids import find_refs
from bot.limits import FIRST_DAY
from bot.models import Announcement, Paper
from bot.polite import Gate
from bot.ranking import category_matches

API_URL = "https://export.arxiv.org/api/query"
PAGE_SIZE = 2000
# The API answers at most this many results for one query.
MAX_RESULTS = 10_000
# arXiv ids per ``id_list`` request: the URL stays short.
ID_BATCH = 100
EASTERN = ZoneInfo("America/New_York")
CUTOFF = dt.time(14, 0)


def _previous_weekday(day: dt.date) -> dt.date:
    day -= dt.timedelta(days=1)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def submission_window(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC moments between which the new papers announced for ``day`` were submitted.

    The announcement dated ``day`` is made the evening before at 20:00 US Eastern and carries
    the submissions received up to that weekday's 14:00 cut-off (Friday's for Monday), since the
    previous weekday's cut-off. Holidays are not known here.
    """
    closes = _previous_weekday(day)
    opens = _previous_weekday(closes)
    return tuple(  # type: ignore[return-value]
        dt.datetime.combine(d, CUTOFF, tzinfo=EASTERN).astimezone(dt.UTC) for d in (opens, closes)
    )


def search_query(categories: Sequence[str], since: dt.datetime, until: dt.datetime) -> str:
    """``(cat:A OR cat:B) AND submittedDate:[since TO until]``; no categories: every paper."""
    stamp = "%Y%m%d%H%M"
    # submittedDate's upper bound is inclusive to the minute: stop one minute before the cut-off.
    last = until - dt.timedelta(minutes=1)
    window = f"submittedDate:[{since:{stamp}} TO {last:{stamp}}]"
    if not categories:
        return window
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND {window}" if len(categories) > 1 else f"{cats} AND {window}"


def _paper(entry: Any, day: dt.date, wanted: Sequence[str]) -> Paper | None:
    refs = find_refs(str(entry.get("id", "")))
    if not refs:
        return None
    categories = tuple(dict.fromkeys(t.term for t in entry.get("tags", []) if t.get("term")))
    primary = (entry.get("arxiv_primary_category") or {}).get("term") or (
        categories[0] if categories else None
    )
    native = not wanted or any(category_matches(w, primary or "") for w in wanted)
    return Paper(
        arxiv_id=refs[0].arxiv_id,
        version=refs[0].version,
        title=" ".join(str(entry.get("title", "")).split()),
        authors=entry_authors(entry),
        abstract=" ".join(str(entry.get("summary", "")).split()),
        primary_category=primary,
        categories=categories,
        announced=day,
        announce_type="new" if native else "cross",
        published=eastern_date(str(entry.get("published", ""))),
    )


def parse_results(
    content: bytes | str, *, day: dt.date, wanted: Sequence[str] = ()
) -> tuple[list[Paper], int]:
    """The papers of one API answer, as announced on ``day``, and the total the query has.

    Raises FeedError for a document that is not a complete Atom feed or that reports an error.
    """
    parsed = feedparser.parse(content)
    error = parsed.get("bozo_exception")
    if not parsed.get("version") or (
        parsed.get("bozo") and isinstance(error, xml.sax.SAXException)
    ):
        raise FeedError("arXiv's API answered with something that is not a complete Atom feed.")
    for entry in parsed.entries:
        if "/api/errors" in str(entry.get("id", "")):
            reason = " ".join(str(entry.get("summary", "")).split())[:200]
            raise FeedError(f"arXiv's API refused the query ({reason}).")
    try:
        total = int(parsed.feed.get("opensearch_totalresults", len(parsed.entries)))
    except (TypeError, ValueError):
        total = len(parsed.entries)
    papers = [p for entry in parsed.entries if (p := _paper(entry, day, wanted)) is not None]
    return papers, total


class ArxivApi:
    """The papers of a past announcement day, from the search API, page by page."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        gate: Gate,
        base_url: str = API_URL,
        page_size: int = PAGE_SIZE,
        expand: Mapping[str, Sequence[str]] | None = None,
        everything: Collection[str] = (),
    ) -> None:
        self.client = client
        self.gate = gate
        self.base_url = base_url
        self.page_size = page_size
        # Archives the API cannot match by name (``cs``) become their categories.
        self.expand = expand or {}
        # Asking for every archive is asking for everything: no category clause at all.
        self.everything = frozenset(everything)

    async def announcement(self, day: dt.date, categories: Sequence[str]) -> Announcement:
        """The new papers (and cross-lists of new papers) announced for ``day``.

        Announcements are dated Monday to Friday: a Saturday or a Sunday carried none."""
        if day.weekday() >= 5:
            return Announcement(date=day, announced=False)
        since, until = submission_window(day)
        asked = [c for name in categories for c in self.expand.get(name, (name,))]
        if self.everything and self.everything <= set(categories):
            asked = []
        query = search_query(sorted(dict.fromkeys(asked)), since, until)
        papers: dict[str, Paper] = {}
        start = 0
        while start < MAX_RESULTS:
            size = min(self.page_size, MAX_RESULTS - start)
            params: dict[str, str | int] = {
                "search_query": query,
                "start": start,
                "max_results": size,
                "sortBy": "submittedDate",
                "sortOrder": "ascending",
            }
            found, total = parse_results(await self._fetch(params), day=day, wanted=categories)
            for paper in found:
                papers.setdefault(paper.arxiv_id, paper)
            start += size
            # A short page is the last one, whatever the total says.
            if len(found) < size or start >= total:
                break
        return Announcement(date=day, papers=tuple(papers.values()), announced=bool(papers))

    async def papers(self, ids: Sequence[str]) -> list[Paper]:
        """The papers of these arXiv ids (latest version), as far as arXiv knows them; for
        imported interests named by id alone. ``announced`` stays unknown."""
        found: dict[str, Paper] = {}
        for start in range(0, len(ids), ID_BATCH):
            batch = list(ids[start : start + ID_BATCH])
            params: dict[str, str | int] = {"id_list": ",".join(batch), "max_results": len(batch)}
            day = FIRST_DAY  # any day: it is cleared below
            for paper in parse_results(await self._fetch(params), day=day)[0]:
                found[paper.arxiv_id] = paper.model_copy(update={"announced": None})
        return [found[i] for i in ids if i in found]

    async def _fetch(self, params: Mapping[str, str | int]) -> bytes:
        try:
            async with self.gate.slot():
                response = await self.client.get(
                    self.base_url, params=dict(params), follow_redirects=True
                )
        except httpx.HTTPError as exc:
            raise FeedError(f"arXiv's API could not be reached ({type(exc).__name__}).") from exc
        if response.status_code != 200:
            raise FeedError(f"arXiv's API answered HTTP {response.status_code}.")
        return response.content


class PastDayFeed:
    """A ``PaperFeed`` that serves one past day from the API, so that the engine collects it
    like a live one."""

    def __init__(self, api: ArxivApi, day: dt.date) -> None:
        self.api = api
        self.day = day

    async def announcements(self, categories: Sequence[str]) -> Announcement:
        return await self.api.announcement(self.day, categories)
