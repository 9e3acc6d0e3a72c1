from __future__ import annotations

import datetime as dt

import feedparser

from bot.render.atom import FEED_DAYS, render_atom
from bot.render.html import DayEntry, render_index, spans


def day(n: int, **extra: object) -> DayEntry:
    date = dt.date(2021, 1, 1) + dt.timedelta(days=n)
    values: dict[str, object] = {
        "date": f"{date:%Y-%m-%d}",
        "slug": f"hot-papers-{date:%Y-%m-%d}",
        "papers": 3,
        "top_titles": (f"Paper of day {n}",),
        "updated": f"{date:%Y-%m-%d}T06:00:00Z",
        "title": f"Hot Papers {date:%Y-%m-%d}",
        "content": f"<p>day {n} in full</p>",
    }
    return DayEntry(**(values | extra))  # type: ignore[arg-type]


def test_the_feed_lists_the_newest_days_only_newest_first() -> None:
    days = [day(n) for n in range(FEED_DAYS + 5)]
    feed = feedparser.parse(render_atom(days, base_url="https://lab.example.org"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) == FEED_DAYS
    assert feed.entries[0].title == days[-1].title
    assert feed.entries[-1].title == days[5].title
    assert feed.entries[0].content[0].value == f"<p>day {FEED_DAYS + 4} in full</p>"
    assert feed.feed.updated == days[-1].updated.replace("Z", "+00:00")


def test_hostile_day_entries_leave_the_feed_and_index_valid() -> None:
    evil = day(
        1,
        title="Hot Papers\x00 <b>x</b>",
        top_titles=("<script>alert(1)</script>\x1b",),
        top_notes=("a\x07 & b",),
        top_ids=('x" onclick="alert(1)',),
        content="<p>\x0bcontent</p>",
    )
    feed = feedparser.parse(render_atom([evil], base_url="https://lab.example.org/"))
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries[0].title == "Hot Papers  <b>x</b>"
    index = render_index([evil])
    assert "<script>" not in index
    assert 'onclick="' not in index
    assert not any(c in index for c in "\x00\x07\x0b\x1b")


def test_the_index_lists_the_latest_days_in_full_then_the_others_on_one_line() -> None:
    index = render_index([day(n) for n in range(20)])
    assert index.count('<section class="day">') == 14
    assert index.index('"hot-papers-2021-01-20.html"') < index.index('"hot-papers-2021-01-07.html"')
    assert '<li><a href="hot-papers-2021-01-01.html">Hot Papers 2021-01-01</a> (3)</li>' in index


def test_urls_in_a_post_are_shown_by_domain() -> None:
    shown = spans("see https://t.co/x1, https://www.arxiv.org/abs/1 and HTTP://Example.COM:80/a")
    assert [(s.text, s.domain) for s in shown] == [
        ("see ", False),
        ("t.co link", True),
        (", ", False),  # punctuation after a URL is the sentence's
        ("arxiv.org", True),
        (" and ", False),
        ("example.com", True),
    ]


def test_a_day_without_papers_says_why_on_the_page_and_in_the_feed() -> None:
    from bot.engine import build_digest
    from bot.models import Filters
    from bot.render.html import render_feed_content, render_html
    from bot.snapshot import Snapshot, sample_snapshot

    now = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    empty = build_digest(
        sample_snapshot(), Filters(keywords=("zzz-no-such-word",)), generated_at=now
    )
    holiday = build_digest(
        Snapshot(date=dt.date(2025, 12, 31), announced=False), Filters(), generated_at=now
    )
    for digest, says in (
        (empty, "None of the 13 papers announced for 2021-03-18 matched"),
        (holiday, "No new arXiv papers were announced for 2025-12-31"),
    ):
        assert says in render_html(digest)
        assert says in render_feed_content(digest, page_url="https://lab.example.org/x.html")
