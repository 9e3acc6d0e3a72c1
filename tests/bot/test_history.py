"""Views over stored readings: rising (gain per hour) and the best of a week or a month."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from bot.errors import InputError
from bot.history.views import rising, rising_digest, span_digest, span_window
from bot.hotpost import import_post
from bot.models import Filters, Post, Signal
from bot.ranking import metric_weight
from bot.snapshot import Snapshot
from bot.store import SqlStore
from tests.fakes import paper

CORPUS = Path(os.environ.get("HOTPAPERS_CORPUS", "/work/shared/corpus/hot-papers"))
D1 = dt.date(2026, 11, 24)
D2 = dt.date(2026, 11, 25)
T0 = dt.datetime(2026, 11, 24, 6, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 25, 20, tzinfo=dt.UTC)


def hn(arxiv_id: str, points: int, at: dt.datetime, item: int) -> Signal:
    url = f"https://news.ycombinator.com/item?id={item}"
    return Signal(
        source="hackernews",
        arxiv_id=arxiv_id,
        counts={"points": points},
        post=Post(url=url, text=f"story {item}", counts={"points": points}),
        taken_at=at,
    )


def reading(day: dt.date, at: dt.datetime, *signals: Signal) -> Snapshot:
    ids = sorted({s.arxiv_id for s in signals})
    return Snapshot(date=day, papers=tuple(paper(i) for i in ids), signals=signals, taken_at=at)


async def crafted_history(store: SqlStore) -> None:
    """A: +100 points in 10 h; B: +20 and a new 30-point story in 10 h; C: no gain; D: +60 in
    5 h (announced a day later); E: one reading only."""
    later = T0 + dt.timedelta(hours=10)
    await store.readings.record(
        reading(
            D1,
            T0,
            hn("2611.0000A", 10, T0, 1),
            hn("2611.0000B", 100, T0, 2),
            hn("2611.0000C", 7, T0, 3),
            hn("2611.0000E", 500, T0, 5),
        )
    )
    await store.readings.record(
        reading(
            D1,
            later,
            hn("2611.0000A", 110, later, 1),
            hn("2611.0000B", 120, later, 2),
            hn("2611.0000B", 30, later, 6),
            hn("2611.0000C", 7, later, 3),
        )
    )
    mid = T0 + dt.timedelta(hours=5)
    await store.readings.record(reading(D2, mid, hn("2611.0000D", 10, mid, 4)))
    await store.readings.record(reading(D2, later, hn("2611.0000D", 70, later, 4)))


async def test_rising_ranks_by_gain_per_hour_and_shows_it(store: SqlStore) -> None:
    await crafted_history(store)
    digest = await rising_digest(store.readings, Filters(), generated_at=NOW)
    assert [(r.paper.arxiv_id, r.gain_per_hour) for r in digest.items] == [
        ("2611.0000D", 12.0),
        ("2611.0000A", 10.0),
        ("2611.0000B", 5.0),
    ]
    assert (digest.view, digest.start, digest.date) == ("rising", D1, D2)
    (b,) = [r for r in digest.items if r.paper.arxiv_id == "2611.0000B"]
    assert b.breakdown[0].counts == {"points": 50}  # what was gained, not the totals


async def test_rising_looks_at_the_last_three_stored_days_only(store: SqlStore) -> None:
    await crafted_history(store)
    old = D1 - dt.timedelta(days=7)
    for hours, points in ((0, 1), (10, 5000)):
        at = T0 - dt.timedelta(days=7) + dt.timedelta(hours=hours)
        await store.readings.record(reading(old, at, hn("2611.0000Z", points, at, 9)))
    between = (D1 - dt.timedelta(days=1), D1 - dt.timedelta(days=2))
    for day in between:
        await store.readings.record(reading(day, T0, hn("2611.0000Y", 1, T0, 8)))
    digest = await rising_digest(store.readings, Filters(), generated_at=NOW)
    assert "2611.0000Z" not in {r.paper.arxiv_id for r in digest.items}
    assert digest.start == D1 - dt.timedelta(days=1)
    (z,) = (await rising_digest(store.readings, Filters(), until=old, generated_at=NOW)).items
    assert z.gain_per_hour == pytest.approx(4999 / 10)


def test_stars_rise_only_between_two_readings_of_a_repository() -> None:
    def stars(n: int, at: dt.datetime, repo: str) -> Signal:
        return Signal(
            source="github", arxiv_id="2611.00001", counts={"stars": n}, taken_at=at, repo=repo
        )

    later = T0 + dt.timedelta(hours=2)
    first = [stars(1000, T0, "lab/old")]
    last = [stars(1040, later, "lab/old"), stars(900, later, "lab/found-later")]
    digest = rising(
        [paper("2611.00001")],
        [*first, last[1]],
        last,
        Filters(),
        days=[D1],
        generated_at=NOW,
    )
    (item,) = digest.items
    assert item.breakdown[0].counts == {"stars": 40}
    assert item.gain_per_hour == pytest.approx(40 * metric_weight({}, "github", "stars") / 2)


def test_sources_of_one_collection_read_moments_apart_are_there_from_the_start() -> None:
    def hf(upvotes: int, at: dt.datetime) -> Signal:
        return Signal(
            source="huggingface", arxiv_id="2611.00001", counts={"upvotes": upvotes}, taken_at=at
        )

    later = T0 + dt.timedelta(hours=4)
    digest = rising(
        [paper("2611.00001")],
        [hn("2611.00001", 10, T0, 1), hf(100, T0 + dt.timedelta(seconds=40))],
        [hn("2611.00001", 10, later, 1), hf(120, later)],
        Filters(),
        days=[D1],
        generated_at=NOW,
    )
    (item,) = digest.items
    assert [(p.source, p.counts) for p in item.breakdown] == [("huggingface", {"upvotes": 20})]
    assert item.gain_per_hour == 5.0


def test_readings_less_than_an_hour_apart_do_not_rise() -> None:
    later = T0 + dt.timedelta(minutes=30)
    with pytest.raises(InputError, match="two readings at least 1 h apart"):
        rising(
            [paper("2611.00001")],
            [hn("2611.00001", 1, T0, 1)],
            [hn("2611.00001", 900, later, 1)],
            Filters(),
            days=[D1],
            generated_at=NOW,
        )
    enough = T0 + dt.timedelta(hours=1)
    digest = rising(
        [paper("2611.00001"), paper("2611.00002")],
        [hn("2611.00001", 1, T0, 1), hn("2611.00002", 1, T0, 2)],
        [hn("2611.00001", 2, enough, 1), hn("2611.00002", 900, later, 2)],
        Filters(),
        days=[D1],
        generated_at=NOW,
    )
    assert [r.paper.arxiv_id for r in digest.items] == ["2611.00001"]


def test_a_week_is_seven_days_and_a_month_goes_back_to_the_same_day() -> None:
    assert span_window("week", dt.date(2021, 3, 18)) == (dt.date(2021, 3, 12), dt.date(2021, 3, 18))
    assert span_window("month", dt.date(2021, 3, 18)) == (
        dt.date(2021, 2, 19),
        dt.date(2021, 3, 18),
    )
    assert span_window("month", dt.date(2021, 3, 31)) == (dt.date(2021, 3, 1), dt.date(2021, 3, 31))
    assert span_window("month", dt.date(2021, 1, 10)) == (
        dt.date(2020, 12, 11),
        dt.date(2021, 1, 10),
    )


async def test_nothing_stored_is_one_sentence(store: SqlStore) -> None:
    with pytest.raises(InputError, match="nothing can be seen rising"):
        await rising_digest(store.readings, Filters(), generated_at=NOW)
    with pytest.raises(InputError, match="no best-of"):
        await span_digest(store.readings, "week", Filters(), generated_at=NOW)
    await store.readings.record(reading(D1, T0, hn("2611.00001", 1, T0, 1)))
    with pytest.raises(InputError, match="No announcement day is stored up to 2021-03-18"):
        await rising_digest(store.readings, Filters(), until=dt.date(2021, 3, 18), generated_at=NOW)
    with pytest.raises(InputError, match="No announcement day between 2021-03-12 and 2021-03-18"):
        await span_digest(
            store.readings, "week", Filters(), end=dt.date(2021, 3, 18), generated_at=NOW
        )


def corpus_day(day: str) -> Snapshot:
    path = CORPUS / f"hot-papers-{day}.md"
    if not path.is_file():
        pytest.skip(f"the Hot Papers corpus is not at {CORPUS}")
    return import_post(path.read_text(encoding="utf-8"), name=path.name)


def raw(snapshot: Snapshot) -> dict[str, int]:
    """Retweets + favorites per paper: the order of a Hot Papers post."""
    total: dict[str, int] = {}
    for s in snapshot.signals:
        total[s.arxiv_id] = total.get(s.arxiv_id, 0) + sum(s.counts.values())
    return total


async def test_the_best_of_a_week_of_real_days_ranks_them_together(store: SqlStore) -> None:
    days = [
        corpus_day(d)
        for d in (
            "2021-03-11",
            "2021-03-12",
            "2021-03-15",
            "2021-03-16",
            "2021-03-17",
            "2021-03-18",
            "2021-03-19",
        )
    ]
    for snapshot in days:
        await store.readings.record(snapshot)
    digest = await span_digest(
        store.readings, "week", Filters(top=10), end=dt.date(2021, 3, 18), generated_at=NOW
    )
    assert (digest.view, digest.start, digest.date) == (
        "week",
        dt.date(2021, 3, 12),
        dt.date(2021, 3, 18),
    )
    window = {}
    for snapshot in days[1:-1]:
        window |= raw(snapshot)
    best = sorted(window, key=lambda i: (-window[i], i))[:10]
    ids = [r.paper.arxiv_id for r in digest.items]
    assert ids == best
    assert len(set(ids)) == len(ids)
    assert digest.papers_considered == len({p.arxiv_id for s in days[1:-1] for p in s.papers})
    # Without an end: the week ending at the latest stored day.
    latest = await span_digest(store.readings, "month", Filters(top=1), generated_at=NOW)
    assert (latest.start, latest.date) == (dt.date(2021, 2, 20), dt.date(2021, 3, 19))


async def test_a_span_shows_each_paper_once_with_its_latest_reading(store: SqlStore) -> None:
    early, late = T0, T0 + dt.timedelta(days=1)
    await store.readings.record(reading(D1, early, hn("2611.00001", 5, early, 1)))
    await store.readings.record(reading(D2, late, hn("2611.00001", 50, late, 1)))
    digest = await span_digest(store.readings, "week", Filters(), generated_at=NOW)
    (item,) = digest.items
    assert item.breakdown[0].counts == {"points": 50}
