"""Past days from arXiv's search API: windows, queries, both backends, paging, politeness."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest

from bot.arxiv_api import ArxivApi, parse_results, search_query, submission_window
from bot.errors import FeedError
from bot.polite import Gate
from tests.fakes import FakeTime

DAY = dt.date(2025, 11, 11)


def test_the_window_of_a_day_runs_from_the_previous_cutoff_to_the_one_before_it() -> None:
    # Tuesday's announcement: Friday 14:00 to Monday 14:00 US Eastern (EST: UTC-5).
    assert submission_window(dt.date(2025, 11, 11)) == (
        dt.datetime(2025, 11, 7, 19, tzinfo=dt.UTC),
        dt.datetime(2025, 11, 10, 19, tzinfo=dt.UTC),
    )
    # Monday's: Thursday to Friday (EDT: UTC-4 in September).
    assert submission_window(dt.date(2026, 9, 28)) == (
        dt.datetime(2026, 9, 24, 18, tzinfo=dt.UTC),
        dt.datetime(2026, 9, 25, 18, tzinfo=dt.UTC),
    )


def test_the_query_names_the_categories_and_the_window_in_gmt() -> None:
    since, until = submission_window(DAY)
    assert search_query(["cs.AI", "cs.LG"], since, until) == (
        "(cat:cs.AI OR cat:cs.LG) AND submittedDate:[202511071900 TO 202511101859]"
    )
    assert search_query([], since, until) == "submittedDate:[202511071900 TO 202511101859]"


@pytest.mark.parametrize(
    ("name", "first_id", "primary", "count", "total"),
    [
        ("arxiv_api_atom_new_backend_2025-11-11.xml", "nucl-ex/0408020", "nucl-ex", 10, 7432),
        ("arxiv_api_atom_old_backend_2025-08-20.xml", "astro-ph/9904306", "astro-ph", 10, 7370),
        ("arxiv_api_atom_2026-09-29_trimmed.xml", "2609.35770", "cs.CV", 1, 202786),
        ("arxiv_api_atom_idlist_2025-11-11.xml", "2201.13452", "math.AP", 1, 1),
        ("arxiv_api_atom_empty_2025-11-11.xml", None, None, 0, 0),
    ],
)
def test_both_backends_parse(
    data: Path, name: str, first_id: str | None, primary: str | None, count: int, total: int
) -> None:
    papers, found_total = parse_results((data / name).read_bytes(), day=DAY, wanted=("cs",))
    assert (len(papers), found_total) == (count, total)
    if first_id is not None:
        first = papers[0]
        assert (first.arxiv_id, first.primary_category, first.announced) == (first_id, primary, DAY)
        assert first.version == 1
        assert first.title
        assert first.authors
        assert first.abstract
        assert first.published is not None
    kinds = {p.announce_type for p in papers}
    assert kinds <= ({"new"} if name.startswith("arxiv_api_atom_2026") else {"cross"})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>busy</html>", "not a complete Atom feed"),
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id>',
            "not a complete",
        ),
        (
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>'
            b"<id>http://arxiv.org/api/errors#bad</id><title>Error</title>"
            b"<summary>max_results must be less than 30000</summary></entry></feed>",
            "refused the query (max_results must be less than 30000)",
        ),
    ],
)
def test_a_broken_or_refusing_answer_is_a_feed_error(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_results(body, day=DAY)


async def test_pages_are_asked_one_at_a_time_three_seconds_apart(data: Path) -> None:
    full = (data / "arxiv_api_atom_new_backend_2025-11-11.xml").read_bytes()
    empty = (data / "arxiv_api_atom_empty_2025-11-11.xml").read_bytes()
    asked: list[httpx.QueryParams] = []
    time = FakeTime()
    moments: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params)
        moments.append(time.now)
        return httpx.Response(200, content=full if request.url.params["start"] == "0" else empty)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        api = ArxivApi(
            client,
            gate=Gate(3.0, monotonic=time.monotonic, sleep=time.sleep),
            base_url="https://export.arxiv.org/api/query",
            page_size=10,
            expand={"cs": ("cs.AI", "cs.LG")},
        )
        announcement = await api.announcement(DAY, ["cs", "nucl-ex"])
    assert len(announcement.papers) == 10
    assert announcement.date == DAY
    assert [p["start"] for p in asked] == ["0", "10"]
    assert asked[0]["max_results"] == "10"
    assert asked[0]["sortBy"] == "submittedDate"
    assert asked[0]["search_query"].startswith("(cat:cs.AI OR cat:cs.LG OR cat:nucl-ex) AND")
    assert moments[1] - moments[0] >= 3.0
    assert time.slept == [3.0]
    # The papers whose primary category was asked for are new; the others cross-lists.
    assert {p.announce_type for p in announcement.papers if p.primary_category == "nucl-ex"} == {
        "new"
    }


async def test_every_archive_asked_means_no_category_clause(data: Path) -> None:
    empty = (data / "arxiv_api_atom_empty_2025-11-11.xml").read_bytes()
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params["search_query"])
        return httpx.Response(200, content=empty)

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        api = ArxivApi(client, gate=Gate(0), everything=("cs", "math"))
        announcement = await api.announcement(DAY, ["cs", "math"])
    assert asked == ["submittedDate:[202511071900 TO 202511101859]"]
    assert not announcement.announced


@pytest.mark.parametrize("weekend", [dt.date(2025, 11, 8), dt.date(2025, 11, 9)])
async def test_a_saturday_or_sunday_carried_no_announcement_and_asks_nothing(
    weekend: dt.date,
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"asked {request.url}")

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        announcement = await ArxivApi(client, gate=Gate(0)).announcement(weekend, ["cs.LG"])
    assert (announcement.date, announcement.announced, announcement.papers) == (weekend, False, ())


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda r: httpx.Response(503), "answered HTTP 503"),
        (lambda r: (_ for _ in ()).throw(httpx.ConnectError("down")), "could not be reached"),
    ],
)
async def test_an_unreachable_api_is_a_feed_error(answer: object, message: str) -> None:
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:  # type: ignore[arg-type]
        with pytest.raises(FeedError, match=message):
            await ArxivApi(client, gate=Gate(0)).announcement(DAY, ["cs.AI"])


async def test_papers_named_by_id_are_asked_in_batches_of_an_id_list(data: Path) -> None:
    one = (data / "arxiv_api_atom_idlist_2025-11-11.xml").read_bytes()
    asked: list[httpx.QueryParams] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params)
        return httpx.Response(200, content=one)

    ids = ["2201.13452", *(f"2201.{n:05d}" for n in range(150))]
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        found = await ArxivApi(client, gate=Gate(0)).papers(ids)
    assert [p.arxiv_id for p in found] == ["2201.13452"]
    assert found[0].announced is None
    assert found[0].title
    assert [len(p["id_list"].split(",")) for p in asked] == [100, 51]
    assert asked[0]["id_list"].startswith("2201.13452,2201.00000")
