from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from bot.arxiv import ArxivFeed, feed_categories, parse_feed
from bot.cache import FileCache, NoCache
from bot.errors import FeedError
from bot.polite import Gate
from tests.fakes import FakeTime

NEW_AND_CROSS = frozenset({"new", "cross"})


def test_the_feed_sample_parses_into_new_and_cross_papers(data: Path) -> None:
    feed = parse_feed(
        (data / "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml").read_bytes(), include=NEW_AND_CROSS
    )
    assert feed.date == dt.date(2026, 9, 29)
    assert feed.announced
    new, cross = feed.papers
    assert (new.arxiv_id, new.version, new.announce_type) == ("2609.31763", 1, "new")
    assert new.authors == ("Srini Ramaswamy", "Deveeshree Nayak")
    assert new.abstract == "Long-context clinical AI systems can miss relevant patient history."
    assert new.categories == ("cs.AI",)
    assert new.abs_url == "https://arxiv.org/abs/2609.31763"
    assert new.pdf_url == "https://arxiv.org/pdf/2609.31763"
    # A cross-list keeps its own primary category, and may be an old paper.
    assert (cross.arxiv_id, cross.primary_category, cross.categories) == (
        "2301.02225",
        "stat.ML",
        ("stat.ML", "cs.AI"),
    )


def test_replacements_are_dropped_unless_asked_for(data: Path) -> None:
    content = (data / "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml").read_bytes()
    assert [p.announce_type for p in parse_feed(content, include=frozenset({"new"})).papers] == [
        "new"
    ]
    everything = parse_feed(content, include=frozenset({"new", "cross", "replace"}))
    assert [p.announce_type for p in everything.papers] == ["new", "cross", "replace"]


def test_an_empty_holiday_feed_means_no_announcement(data: Path) -> None:
    feed = parse_feed(
        (data / "arxiv_rss_empty_holiday_feed_physics_2025-12-31.xml").read_bytes(),
        include=NEW_AND_CROSS,
    )
    assert feed.date == dt.date(2025, 12, 31)
    assert not feed.announced
    assert feed.papers == ()


def test_a_day_of_only_replacements_was_still_announced(data: Path) -> None:
    feed = parse_feed(
        (data / "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml").read_bytes(), include=frozenset()
    )
    assert feed.announced
    assert feed.papers == ()


def test_old_style_ids_in_the_feed_are_normalised() -> None:
    xml = """<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
<id>x</id><title>t</title><updated>2026-09-29T05:00:00+00:00</updated>
<entry><id>oai:arXiv.org:hep-th/9901001v2</id><title>Old
  style</title><summary>arXiv:hep-th/9901001v2 Announce Type: cross
Abstract: Strings.</summary><category term="hep-th"/>
<published>2026-09-29T00:00:00-04:00</published><arxiv:announce_type>cross</arxiv:announce_type>
<author><name>A. One, B. Two</name></author></entry></feed>"""
    (paper,) = parse_feed(xml, include=NEW_AND_CROSS).papers
    assert (paper.arxiv_id, paper.version, paper.title) == ("hep-th/9901001", 2, "Old style")
    assert paper.authors == ("A. One", "B. Two")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><body>Rate exceeded.</body></html>", "not a feed"),
        (
            b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><entry><title>x",
            "cut off or malformed",
        ),
        (
            b"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>x</title></feed>",
            "no date",
        ),
    ],
)
def test_what_is_not_a_complete_feed_is_a_feed_error(content: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(content, include=NEW_AND_CROSS)


def test_feed_categories_join_wildcards_into_archives() -> None:
    assert feed_categories(["cs.LG", "cs.*", "stat.ML"], ["cs", "math"]) == [
        "cs",
        "cs.LG",
        "stat.ML",
    ]
    assert feed_categories([], ["math", "cs"]) == ["cs", "math"]


async def test_the_feed_asks_once_for_all_categories_and_caches_it(
    data: Path, tmp_path: Path
) -> None:
    body = (data / "arxiv_rss_atom_cs.AI_2026-09-29_trimmed.xml").read_bytes()
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, content=body)

    cache = FileCache(tmp_path, ttl=dt.timedelta(hours=1))
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        feed = ArxivFeed(client, cache=cache, gate=Gate(3))
        first = await feed.announcements(["cs.AI", "cs.LG"])
        second = await feed.announcements(["cs.AI", "cs.LG"])
    assert asked == ["https://rss.arxiv.org/atom/cs.AI+cs.LG"]
    assert first == second


async def test_requests_to_arxiv_are_three_seconds_apart() -> None:
    clock = FakeTime()
    gate = Gate(3, monotonic=clock.monotonic, sleep=clock.sleep)

    def handler(request: httpx.Request) -> httpx.Response:
        clock.now += 0.5  # the request itself takes half a second
        return httpx.Response(
            200,
            text="<rss version='2.0'><channel><pubDate>Wed, 31 Dec 2025 00:00:00 -0500</pubDate></channel></rss>",
        )

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        feed = ArxivFeed(client, cache=NoCache(), gate=gate)
        for categories in (["cs"], ["math"], ["physics"]):
            await feed.announcements(categories)
    assert clock.slept == [3.0, 3.0]


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(503, text="busy"), "HTTP 503"),
        (httpx.ConnectError("down"), "could not be reached"),
    ],
)
async def test_an_unreachable_feed_is_a_loud_feed_error(response: object, message: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(response, Exception):
            raise response
        assert isinstance(response, httpx.Response)
        return response

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        feed = ArxivFeed(client, cache=NoCache(), gate=Gate(0))
        with pytest.raises(FeedError, match=message):
            await feed.announcements(["cs"])


def test_the_file_cache_expires_and_survives_damage(tmp_path: Path) -> None:
    moment = [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]
    cache = FileCache(tmp_path, ttl=dt.timedelta(minutes=10), clock=lambda: moment[0])
    cache.put("k", "value")
    assert cache.get("k") == "value"
    moment[0] += dt.timedelta(minutes=11)
    assert cache.get("k") is None
    cache.put("k", "fresh")
    for path in tmp_path.iterdir():
        path.write_text("{not json")
    assert cache.get("k") is None
