"""Filters before ranking (issue 12): a digest ranks only the papers its filters keep, and
scores each against the whole day's distribution of each source."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from bot.engine import build_digest
from bot.models import Filters, Paper, Post, Signal
from bot.ranking import rank, ranked, select, tally
from bot.snapshot import Snapshot

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
CATEGORIES = ("cs.LG", "cs.CV", "math.OC")
WORDS = ("graph", "vision", "control")


def paper(n: int, category: str, word: str) -> Paper:
    return Paper(
        arxiv_id=f"2611.{n:05d}",
        title=f"Paper {n} on {word}",
        primary_category=category,
        categories=(category,),
        announced=DAY,
    )


@st.composite
def days(draw: st.DrawFn) -> tuple[list[Paper], list[Signal]]:
    """Up to 20 papers in three categories, with aggregates, posts, stars and shares."""
    count = draw(st.integers(1, 20))
    papers = [
        paper(n, draw(st.sampled_from(CATEGORIES)), draw(st.sampled_from(WORDS)))
        for n in range(1, count + 1)
    ]
    signals = []
    for i in range(draw(st.integers(0, 40))):
        n = draw(st.integers(1, count))
        source = draw(st.sampled_from(("bluesky", "hackernews", "huggingface", "twitter")))
        value = draw(st.integers(0, 300))
        counts = {
            "bluesky": {"likes": value, "reposts": value // 3},
            "hackernews": {"points": value, "comments": value // 2},
            "huggingface": {"upvotes": value, "stars": 3 * value},
            "twitter": {"retweets": value // 2, "favorites": value},
        }[source]
        post = None
        if source != "huggingface" and draw(st.booleans()):
            post = Post(url=f"https://{source}.test/{i}", counts=counts)
        share = draw(st.sampled_from([1.0, 0.5])) if post else 1.0
        signals.append(
            Signal(
                source=source,
                arxiv_id=f"2611.{n:05d}",
                counts=counts,
                post=post,
                share=share,
                repo="o/r" if source == "huggingface" else None,
            )
        )
    return papers, signals


filters = st.builds(
    Filters,
    categories=st.lists(st.sampled_from((*CATEGORIES, "cs", "math.*")), max_size=2).map(tuple),
    keywords=st.lists(st.sampled_from(WORDS), max_size=2).map(tuple),
    min_score=st.sampled_from([None, 0.0, 20.0, 60.0]),
    top=st.sampled_from([None, 1, 3, 10]),
)


@given(day=days(), wanted=filters)
def test_ranking_the_kept_papers_is_selecting_from_the_whole_days_ranking(
    day: tuple[list[Paper], list[Signal]], wanted: Filters
) -> None:
    papers, signals = day
    stars = {"o/r": (10, NOW - dt.timedelta(days=3))}
    whole = rank(papers, signals, stars_before=stars, day=DAY)
    kept = ranked(tally(papers, signals, stars_before=stars, day=DAY), wanted)
    assert kept == select(whole, wanted)


def test_a_filtered_paper_keeps_its_place_among_the_whole_days_papers() -> None:
    """The transform is the day's: a paper alone in its category is still third of three."""
    papers = [paper(1, "cs.LG", "graph"), paper(2, "cs.LG", "graph"), paper(3, "cs.CV", "vision")]
    signals = [
        Signal(source="hackernews", arxiv_id=p.arxiv_id, counts={"points": points})
        for p, points in zip(papers, (300, 200, 100), strict=True)
    ]
    snapshot = Snapshot(date=DAY, papers=tuple(papers), signals=tuple(signals))
    alone = build_digest(snapshot, Filters(categories=("cs.CV",)), generated_at=NOW)
    [item] = alone.items
    [part] = item.breakdown
    assert (part.place, part.of) == (3, 3)
    assert item.score == 100 * 1 / (3 + 1)
    whole = build_digest(snapshot, Filters(), generated_at=NOW)
    assert whole.items[-1] == item


def test_the_top_n_of_the_kept_papers_best_first() -> None:
    papers = [paper(n, "cs.LG", "graph") for n in range(1, 51)]
    signals = [
        Signal(source="hackernews", arxiv_id=p.arxiv_id, counts={"points": n})
        for n, p in enumerate(papers, start=1)
    ]
    got = ranked(tally(papers, signals), Filters(top=3))
    assert [r.paper.arxiv_id for r in got] == ["2611.00050", "2611.00049", "2611.00048"]
