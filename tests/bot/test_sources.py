from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.engine import DigestEngine, build_digest
from bot.errors import SourceError
from bot.models import Announcement, Filters
from bot.sources.hackernews import HackerNewsSource
from bot.sources.huggingface import HuggingFaceSource
from tests.fakes import (
    BrokenSource,
    DownFeed,
    HangingSource,
    StaticFeed,
    StaticSource,
    no_sleep,
    paper,
    signal,
)

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
PAPERS = [paper("2611.00001"), paper("2611.00002"), paper("2611.00003")]

Handler = Callable[[httpx.Request], httpx.Response]


def client(handler: Handler) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.MockTransport(handler))


def hf_entry(
    data: Path, arxiv_id: str, upvotes: int, comments: int, stars: int | None
) -> dict[str, Any]:
    entry = copy.deepcopy(
        json.loads((data / "hf_daily_papers_single_entry_2026-03.json").read_text())[0]
    )
    entry["paper"]["id"] = arxiv_id
    entry["paper"]["upvotes"] = upvotes
    entry["numComments"] = comments
    if stars is None:
        del entry["paper"]["githubStars"]
    else:
        entry["paper"]["githubStars"] = stars
    return entry


def hn_page(
    data: Path, hits: list[dict[str, Any]], page: int = 0, pages: int = 1
) -> dict[str, Any]:
    body = json.loads((data / "hn_algolia_search_response_2024.json").read_text())
    template = body["hits"][0]
    body["hits"] = [{**template, **hit} for hit in hits]
    body.update(page=page, nbPages=pages, nbHits=len(hits))
    return body


async def test_hugging_face_reads_the_day_and_the_next_and_keeps_the_newer_counts(
    data: Path,
) -> None:
    asked: list[str] = []
    listings = {
        "2026-11-24": [
            hf_entry(data, "2611.00001", 5, 0, 12),
            hf_entry(data, "9999.00001", 99, 0, None),
        ],
        "2026-11-25": [
            hf_entry(data, "2611.00001", 8, 2, 12),
            hf_entry(data, "2611.00002", 3, 1, None),
        ],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["date"])
        return httpx.Response(200, json=listings[request.url.params["date"]])

    async with client(handler) as http:
        found = await HuggingFaceSource(http, clock=lambda: NOW, sleep=no_sleep).collect(
            PAPERS, DAY
        )
    assert asked == ["2026-11-24", "2026-11-25"]
    assert {s.arxiv_id: s.counts for s in found} == {
        "2611.00001": {"upvotes": 8, "comments": 2, "stars": 12},
        "2611.00002": {"upvotes": 3, "comments": 1},
    }


async def test_hugging_face_keeps_the_papers_summary_and_code_repository(data: Path) -> None:
    """``ai_summary`` and ``githubRepo`` of the recorded entry reach the signal."""
    entry = hf_entry(data, "2611.00001", 5, 0, 12)
    bare = hf_entry(data, "2611.00002", 1, 0, None)
    del bare["paper"]["ai_summary"], bare["paper"]["githubRepo"]
    # An over-long summary, spread over lines, comes back as one bounded line.
    long = hf_entry(data, "2611.00003", 1, 0, None)
    long["paper"]["ai_summary"] = "word\n" * 1000

    async with client(lambda _: httpx.Response(200, json=[entry, bare, long])) as http:
        found = await HuggingFaceSource(
            http, clock=lambda: dt.datetime(2026, 11, 24, 23, tzinfo=dt.UTC), sleep=no_sleep
        ).collect(PAPERS, DAY)
    by_id = {s.arxiv_id: s for s in found}
    assert by_id["2611.00001"].summary is not None
    assert by_id["2611.00001"].summary.startswith("Large Multimodal Models demonstrate superior")
    assert by_id["2611.00001"].repo == "marco-garosi/CIRCLE"
    assert by_id["2611.00002"].summary is None
    assert by_id["2611.00002"].repo is None
    cut = by_id["2611.00003"].summary or ""
    assert len(cut) <= 600
    assert cut.endswith("…")
    assert "\n" not in cut


async def test_hugging_face_pages_while_pages_are_full(data: Path) -> None:
    pages: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        pages.append(request.url.params["p"])
        size = 100 if request.url.params["p"] == "0" else 1
        return httpx.Response(200, json=[hf_entry(data, "2611.00001", 1, 0, None)] * size)

    async with client(handler) as http:
        await HuggingFaceSource(
            http, clock=lambda: dt.datetime(2026, 11, 24, 23, tzinfo=dt.UTC)
        ).collect(PAPERS, DAY)
    assert pages == ["0", "1"]


async def test_hacker_news_keeps_only_stories_whose_url_names_a_paper_of_the_day(
    data: Path,
) -> None:
    hits = [
        {
            "objectID": "1",
            "url": "https://arxiv.org/abs/2611.00002v2",
            "points": 120,
            "num_comments": 40,
            "title": "A paper",
            "created_at_i": 1764000000,
        },
        {
            "objectID": "2",
            "url": "https://arxiv.org/pdf/2611.000021",
            "points": 500,
            "num_comments": 1,
        },
        {
            "objectID": "3",
            "url": "https://example.com/?ref=arxiv.org",
            "points": 900,
            "num_comments": 1,
        },
        {"objectID": "4", "url": None, "points": 5, "num_comments": 0},
        {
            "objectID": "5",
            "url": "https://arxiv.org/pdf/2611.00003.pdf",
            "points": None,
            "num_comments": None,
        },
    ]
    asked: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url)
        found = hits if request.url.params["query"] == "arxiv.org" else []
        return httpx.Response(200, json=hn_page(data, found))

    async with client(handler) as http:
        found = await HackerNewsSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)
    assert [u.params["query"] for u in asked] == [
        "arxiv.org",
        "alphaxiv.org",
        "huggingface.co/papers",
        "hf.co/papers",
    ]
    assert {u.params["restrictSearchableAttributes"] for u in asked} == {"url"}
    assert asked[0].params["hitsPerPage"] == "1000"
    assert {(s.arxiv_id, s.counts["points"]) for s in found} == {
        ("2611.00002", 120),
        ("2611.00003", 0),
    }
    story = next(s for s in found if s.arxiv_id == "2611.00002")
    assert story.post is not None
    assert story.post.url == "https://news.ycombinator.com/item?id=1"
    assert story.post.text == "A paper"


async def test_hacker_news_finds_papers_linked_through_alphaxiv_and_hugging_face(
    data: Path,
) -> None:
    by_query = {
        "alphaxiv.org": [{"objectID": "a", "url": "https://www.alphaxiv.org/abs/2611.00001"}],
        "huggingface.co/papers": [
            {"objectID": "h", "url": "https://huggingface.co/papers/2611.00002"},
            {"objectID": "m", "url": "https://huggingface.co/papers/trending"},
        ],
        "hf.co/papers": [
            {"objectID": "s", "url": "https://hf.co/papers/2611.00003"},
            {"objectID": "a", "url": "https://www.alphaxiv.org/abs/2611.00001"},
        ],
    }

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json=hn_page(data, by_query.get(request.url.params["query"], []))
        )

    async with client(handler) as http:
        found = await HackerNewsSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)
    assert sorted((s.arxiv_id, s.post.url[-1] if s.post else "") for s in found) == [
        ("2611.00001", "a"),  # found twice, counted once
        ("2611.00002", "h"),
        ("2611.00003", "s"),
    ]


async def test_hacker_news_reads_past_algolias_thousand_hit_cap_by_time_slices(
    data: Path,
) -> None:
    """Algolia answers at most 1,000 hits per query: older stories are asked for in slices."""
    since = int(dt.datetime(2026, 11, 23, tzinfo=dt.UTC).timestamp())
    # 2,300 stories a minute apart, newest first; only the last one links a paper of the day.
    stories = [
        {
            "objectID": str(n),
            "url": f"https://arxiv.org/abs/2609.{n:05d}",
            "created_at_i": since + 60 * (2300 - n),
        }
        for n in range(2300)
    ]
    stories[-1]["url"] = "https://arxiv.org/abs/2611.00001"
    windows: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["query"] != "arxiv.org":
            return httpx.Response(200, json=hn_page(data, []))
        window = request.url.params["numericFilters"]
        windows.append(window)
        low, high = (int(part.split("=")[-1].split("<")[-1]) for part in window.split(","))
        inside = [s for s in stories if low <= s["created_at_i"] < high]
        body = hn_page(data, inside[:1000])
        body["nbHits"] = len(inside)
        return httpx.Response(200, json=body)

    async with client(handler) as http:
        found = await HackerNewsSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)
    assert len(windows) == 3  # ceil(2300 / 1000)
    assert windows[1] == f"created_at_i>={since},created_at_i<{stories[999]['created_at_i'] + 1}"
    assert [s.arxiv_id for s in found] == ["2611.00001"]


async def test_hacker_news_stops_slicing_when_a_single_second_holds_more_than_the_cap(
    data: Path,
) -> None:
    """A slice cannot be narrower than a second: the source keeps what it got, no endless loop."""
    second = int(dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC).timestamp())
    burst = [
        {"objectID": str(n), "url": "https://arxiv.org/abs/2611.00001", "created_at_i": second}
        for n in range(1000)
    ]
    asked = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["query"])
        found = burst if request.url.params["query"] == "arxiv.org" else []
        body = hn_page(data, found)
        body["nbHits"] = 5000 if found else 0
        return httpx.Response(200, json=body)

    async with client(handler) as http:
        found = await HackerNewsSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)
    assert asked.count("arxiv.org") == 2  # the second slice ends at the same second: stop
    assert len(found) == 1000


@pytest.mark.parametrize(
    "make",
    [
        lambda h: HackerNewsSource(h, clock=lambda: NOW, sleep=no_sleep),
        lambda h: HuggingFaceSource(h, clock=lambda: NOW, sleep=no_sleep),
    ],
)
@pytest.mark.parametrize(
    ("respond", "reason"),
    [
        (lambda r: httpx.Response(429, headers={"Retry-After": "30"}), "HTTP 429"),
        (lambda r: httpx.Response(500), "HTTP 500"),
        (lambda r: httpx.Response(200, content=b'{"hits": [{"objectID": '), "malformed JSON"),
        (lambda r: httpx.Response(200, json={"unexpected": True}), "unexpected shape"),
        (lambda r: httpx.Response(200, json=[{"paper": "nope"}]), "unexpected shape"),
    ],
)
async def test_every_failure_of_a_source_is_a_named_source_error(
    make: Any, respond: Handler, reason: str
) -> None:
    async with client(respond) as http:
        source = make(http)
        with pytest.raises(SourceError, match=reason) as caught:
            await source.collect(PAPERS, DAY)
    assert caught.value.source == source.name


async def test_a_timeout_is_a_source_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    async with client(handler) as http:
        with pytest.raises(SourceError, match="timed out"):
            await HackerNewsSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)


async def test_an_empty_page_is_no_signals(data: Path) -> None:
    async with client(lambda r: httpx.Response(200, json=hn_page(data, [], pages=0))) as http:
        assert (
            await HackerNewsSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)
            == []
        )
    async with client(lambda r: httpx.Response(200, json=[])) as http:
        assert (
            await HuggingFaceSource(http, clock=lambda: NOW, sleep=no_sleep).collect(PAPERS, DAY)
            == []
        )


async def test_the_engine_skips_failing_and_hanging_sources_and_names_them() -> None:
    feed = StaticFeed(Announcement(date=DAY, papers=tuple(PAPERS)))
    good = StaticSource("hackernews", [signal("hackernews", "2611.00002", points=30)])
    engine = DigestEngine(
        feed,
        [good, BrokenSource("huggingface", "HTTP 429"), HangingSource("bluesky")],
        clock=lambda: NOW,
        source_deadline=0.05,
    )
    snapshot = await engine.collect(["cs"])
    assert feed.asked == [("cs",)]
    assert snapshot.sources_used == ("hackernews",)
    assert [(f.source, f.reason) for f in snapshot.sources_failed] == [
        ("huggingface", "HTTP 429"),
        ("bluesky", "no answer within 0.05 s"),
    ]
    digest = build_digest(snapshot, Filters(), generated_at=NOW)
    assert [r.paper.arxiv_id for r in digest.items] == ["2611.00002"]


async def test_a_day_without_announcement_asks_no_source() -> None:
    engine = DigestEngine(
        StaticFeed(Announcement(date=DAY, announced=False)),
        [BrokenSource("hackernews")],
        clock=lambda: NOW,
    )
    snapshot = await engine.collect(["cs"])
    assert not snapshot.announced
    assert snapshot.sources_failed == ()
    assert not build_digest(snapshot, Filters(), generated_at=NOW).announced


async def test_a_feed_failure_stops_the_engine() -> None:
    from bot.errors import FeedError

    with pytest.raises(FeedError):
        await DigestEngine(DownFeed(), []).collect(["cs"])
