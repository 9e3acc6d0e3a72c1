"""The ranking against the benchmark's truth (``benchmarks/truth.py``, written apart from ``bot``).

Two readings of the documented formula must give the same scores and the same order on any
day: posts and aggregates, multi-paper posts, the same post read twice, lifetime stars of young
and old repositories with and without an earlier reading, old cross-listed papers with posts
inside and outside their window.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks import truth
from bot.models import Paper, Post, Signal
from bot.ranking import rank

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
METRICS = {
    "bluesky": ("likes", "reposts", "replies"),
    "twitter": ("retweets", "favorites", "retweets"),
    "hackernews": ("points", "comments", "points"),
    "huggingface": ("upvotes", "comments", "stars"),
    "github": ("stars", "stars", "stars"),
}


def as_record(s: Signal) -> truth.Record:
    return truth.Record(
        s.source,
        s.arxiv_id,
        s.post.url if s.post else None,
        s.counts,
        s.share,
        posted=s.post.posted_at if s.post else None,
        taken=s.taken_at,
        repo=s.repo,
        repo_created=s.repo_created_at.date() if s.repo_created_at else None,
    )


@st.composite
def days(draw: st.DrawFn) -> tuple[list[Paper], list[Signal], dict[str, tuple[int, dt.datetime]]]:
    count = draw(st.integers(1, 12))
    papers = []
    for n in range(1, count + 1):
        old = draw(st.booleans())
        papers.append(
            Paper(
                arxiv_id=f"2609.{n:05d}" if old else f"2611.{n:05d}",
                title=f"Paper {n}",
                announced=DAY,
                announce_type=draw(st.sampled_from(["new", "cross", "replace"])),
                published=draw(st.sampled_from([None, DAY - dt.timedelta(days=60)])),
            )
        )
    signals = []
    for source, which, values, kind, hours, repo_age in draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(METRICS)),
                st.lists(st.integers(0, count - 1), min_size=1, max_size=2, unique=True),
                st.lists(st.integers(0, 300), min_size=3, max_size=3),
                st.sampled_from(["aggregate", "post", "post"]),
                st.sampled_from([3, 30, 60]),  # hours before NOW: 60 is before the window
                st.sampled_from([None, -90, 5]),  # repository created days after 2026-10-01
            ),
            max_size=30,
        )
    ):
        counts: dict[str, int] = {}
        for metric, n in zip(METRICS[source], values, strict=True):
            counts[metric] = counts.get(metric, 0) + n
        repo = f"lab/repo{which[0] % 3}" if "stars" in counts else None
        created = (
            dt.datetime(2026, 10, 1, tzinfo=dt.UTC) + dt.timedelta(days=repo_age)
            if repo and repo_age is not None
            else None
        )
        post = None
        if kind == "post":
            post = Post(
                url=f"https://{source}.example/{values[0] % 7}",
                posted_at=NOW - dt.timedelta(hours=hours),
                counts=counts,
            )
        ids = which if post is not None else which[:1]
        signals += [
            Signal(
                source=source,
                arxiv_id=papers[i].arxiv_id,
                counts=counts,
                post=post,
                share=1 / len(ids),
                taken_at=NOW - dt.timedelta(minutes=values[1] % 5),
                repo=repo,
                repo_created_at=created,
            )
            for i in ids
        ]
    readings = {
        f"lab/repo{k}": (draw(st.integers(0, 200)), NOW - dt.timedelta(hours=hours))
        for k in draw(st.lists(st.integers(0, 2), unique=True))
        for hours in [draw(st.sampled_from([2, 40]))]
    }
    return papers, signals, readings


def the_truth(
    papers: list[Paper], signals: list[Signal], readings: dict[str, tuple[int, dt.datetime]]
) -> list[tuple[str, float]]:
    described = {p.arxiv_id: truth.Paper(p.announce_type, p.announced, p.published) for p in papers}
    return truth.top([as_record(s) for s in signals], len(papers), described, readings)


@settings(max_examples=300, deadline=None)
@given(days())
def test_the_ranking_gives_the_independent_truths_scores_and_order(
    day: tuple[list[Paper], list[Signal], dict[str, tuple[int, dt.datetime]]],
) -> None:
    papers, signals, readings = day
    expected = the_truth(papers, signals, readings)
    ranked = [r for r in rank(papers, signals, stars_before=readings, day=DAY) if r.score > 0]
    assert [(r.paper.arxiv_id, pytest.approx(r.score, abs=1e-6)) for r in ranked] == expected
