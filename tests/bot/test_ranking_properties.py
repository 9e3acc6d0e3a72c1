"""Properties of the score (issue 10): what must hold for any day of papers and signals."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import build_digest
from bot.models import Filters, Paper, Post, Ranked, Signal
from bot.ranking import metric_weight, rank, select
from bot.render import render_json
from bot.render.common import explain, explanation
from bot.snapshot import Snapshot

DAY = dt.date(2026, 11, 24)
NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)
# Share counts (retweets, reposts) only on Bluesky, so that scaling Bluesky scales them all.
METRICS = {
    "bluesky": ("likes", "reposts", "replies"),
    "hackernews": ("points", "comments"),
    "huggingface": ("upvotes", "comments"),
    "reddit": ("score", "num_comments"),
}
POST_SOURCES = ("bluesky", "hackernews", "reddit")
SOURCES = tuple(METRICS)


def paper(n: int, **fields: object) -> Paper:
    return Paper(arxiv_id=f"2611.{n:05d}", title=f"Paper {n}", announced=DAY, **fields)  # type: ignore[arg-type]


def post_signal(
    source: str, n: int, counts: dict[str, int], url: str, share: float = 1.0
) -> Signal:
    post = Post(url=url, posted_at=NOW - dt.timedelta(hours=3), counts=counts)
    return Signal(source=source, arxiv_id=f"2611.{n:05d}", counts=counts, post=post, share=share)


@st.composite
def days(draw: st.DrawFn, sources: tuple[str, ...] = SOURCES) -> tuple[list[Paper], list[Signal]]:
    """A day of up to 25 papers and their signals: aggregates, posts, multi-paper posts."""
    count = draw(st.integers(1, 25))
    papers = [paper(n) for n in range(1, count + 1)]
    drawn = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sources),
                st.integers(1, count),
                st.lists(st.integers(0, 500), min_size=3, max_size=3),
                st.sampled_from([0.0, 1.0, 0.5, 1 / 3]),  # 0: an aggregate signal
            ),
            max_size=40,
        )
    )
    signals = []
    for i, (source, n, values, share) in enumerate(drawn):
        counts = dict(zip(METRICS[source], values, strict=False))
        if source in POST_SOURCES and share:
            signals.append(post_signal(source, n, counts, f"https://{source}.test/{i}", share))
        else:
            signals.append(Signal(source=source, arxiv_id=f"2611.{n:05d}", counts=counts))
    return papers, signals


def scores(ranked: list[Ranked]) -> dict[str, float]:
    return {r.paper.arxiv_id: r.score for r in ranked}


def scaled(signals: list[Signal], source: str, factor: int) -> list[Signal]:
    def times(s: Signal) -> Signal:
        counts = {m: n * factor for m, n in s.counts.items()}
        post = s.post.model_copy(update={"counts": counts}) if s.post else None
        return s.model_copy(update={"counts": counts, "post": post})

    return [times(s) if s.source == source else s for s in signals]


@given(day=days(), source=st.sampled_from(SOURCES), factor=st.integers(2, 1000))
def test_unit_invariance_a_sources_counts_times_a_constant_change_no_score(
    day: tuple[list[Paper], list[Signal]], source: str, factor: int
) -> None:
    papers, signals = day
    before, after = rank(papers, signals), rank(papers, scaled(signals, source, factor))
    assert scores(after) == pytest.approx(scores(before), abs=1e-9)
    # Even ties keep their order: shares are compared within each source.
    assert [r.paper.arxiv_id for r in after] == [r.paper.arxiv_id for r in before]


@pytest.mark.parametrize("factor", [1, 2, 5])
def test_scaling_one_source_never_reorders_papers_tied_on_score(factor: int) -> None:
    signals = [
        post_signal("twitter", 2, {"retweets": 5}, "https://x.test/1"),
        post_signal("twitter", 2, {"retweets": 5}, "https://x.test/2"),
        post_signal("bluesky", 1, {"reposts": 3 * factor}, "https://bsky.test/1"),
        post_signal("bluesky", 1, {"reposts": 3 * factor}, "https://bsky.test/2"),
    ]
    ranked = rank([paper(1), paper(2)], signals)
    assert ranked[0].score == ranked[1].score  # each alone on its source
    assert [r.paper.arxiv_id for r in ranked] == ["2611.00001", "2611.00002"]


@given(
    count=st.integers(1, 40),
    counts=st.lists(st.tuples(st.integers(1, 40), st.integers(0, 300), st.integers(0, 300))),
)
def test_a_day_of_one_source_keeps_that_sources_order_exactly(
    count: int, counts: list[tuple[int, int, int]]
) -> None:
    papers = [paper(n) for n in range(1, count + 1)]
    totals: dict[str, tuple[int, int]] = {}
    signals = []
    for n, retweets, favorites in counts:
        if n <= count and f"2611.{n:05d}" not in totals:
            totals[f"2611.{n:05d}"] = (retweets, favorites)
            signals.append(
                Signal(
                    source="twitter",
                    arxiv_id=f"2611.{n:05d}",
                    counts={"retweets": retweets, "favorites": favorites},
                )
            )

    def raw(p: Paper) -> tuple[int, int, str]:
        retweets, favorites = totals.get(p.arxiv_id, (0, 0))
        return -(retweets + favorites), -retweets, p.arxiv_id

    expected = [p.arxiv_id for p in sorted(papers, key=raw)]
    assert [r.paper.arxiv_id for r in rank(papers, signals)] == expected


@given(
    values=st.lists(st.integers(0, 50), min_size=1, max_size=30),
    prior=st.sampled_from([0.0, 0.5, 1.0, 3.0]),
)
def test_a_sources_transform_is_the_share_of_papers_at_or_below_over_n_plus_k(
    values: list[int], prior: float
) -> None:
    papers = [paper(n) for n in range(1, len(values) + 1)]
    signals = [
        Signal(source="huggingface", arxiv_id=p.arxiv_id, counts={"upvotes": v})
        for p, v in zip(papers, values, strict=True)
    ]
    engaged = [v for v in values if v > 0]
    got = scores(rank(papers, signals, rank_prior=prior))
    for p, v in zip(papers, values, strict=True):
        at_or_below = sum(1 for w in engaged if w <= v)
        want = 100 * at_or_below / (len(engaged) + prior) if v > 0 else 0
        assert got[p.arxiv_id] == pytest.approx(want)


@given(stories=st.lists(st.tuples(st.integers(1, 30), st.integers(0, 400)), max_size=60))
def test_a_day_of_posts_on_one_source_keeps_its_order_with_the_default_cap(
    stories: list[tuple[int, int]],
) -> None:
    papers = [paper(n) for n in range(1, 31)]
    points: dict[str, int] = dict.fromkeys((p.arxiv_id for p in papers), 0)
    signals = []
    for i, (n, score) in enumerate(stories):
        points[f"2611.{n:05d}"] += score
        signals.append(post_signal("hackernews", n, {"points": score}, f"https://hn.test/{i}"))
    expected = sorted(points, key=lambda i: (-points[i], i))
    ranked = rank(papers, signals)  # max_post_share 0.5: one source alone is never capped
    assert [r.paper.arxiv_id for r in ranked] == expected


@given(day=days(sources=("bluesky", "hackernews", "huggingface")), spike=st.integers(1, 10**6))
def test_breadth_a_paper_leading_two_sources_beats_one_big_post_on_a_third(
    day: tuple[list[Paper], list[Signal]], spike: int
) -> None:
    papers, signals = day
    broad, spiked = paper(101), paper(102)
    # More than every other paper's whole engagement on Bluesky and on Hacker News.
    top = {s: sum(sum(x.counts.values()) for x in signals if x.source == s) for s in SOURCES}
    lead = [
        Signal(source="bluesky", arxiv_id=broad.arxiv_id, counts={"likes": top["bluesky"] + 1}),
        Signal(
            source="hackernews", arxiv_id=broad.arxiv_id, counts={"points": top["hackernews"] + 1}
        ),
    ]
    one_post = post_signal("reddit", 102, {"score": spike}, "https://reddit.test/spike")
    ranked = rank([*papers, broad, spiked], [*signals, *lead, one_post])
    order = [r.paper.arxiv_id for r in ranked]
    assert order.index(broad.arxiv_id) < order.index(spiked.arxiv_id)


@given(day=days(), max_post_share=st.sampled_from([0.2, 0.5, 0.8]))
def test_no_single_post_carries_a_paper(
    day: tuple[list[Paper], list[Signal]], max_post_share: float
) -> None:
    papers, signals = day
    aggregate = {(s.arxiv_id, s.source) for s in signals if s.post is None}
    ranked = rank(papers, signals, max_post_share=max_post_share)
    engaged = {part.source for r in ranked for part in r.breakdown if part.normalized > 0}
    for r in ranked:
        uncapped = sum(part.score + part.capped for part in r.breakdown)
        if len(engaged) < 2:  # one source alone: nothing to weigh a post against
            assert all(part.capped == 0 for part in r.breakdown)
            continue
        assert r.score == pytest.approx(sum(part.score for part in r.breakdown))
        for part in r.breakdown:
            assert part.capped >= 0
            if part.posts == 0:
                assert part.capped == 0  # aggregate counts are never capped
            if part.posts == 1 and (r.paper.arxiv_id, part.source) not in aggregate:
                assert part.score <= max_post_share * uncapped + 1e-9


def test_a_paper_whose_only_engagement_is_one_post_keeps_the_capped_share_of_it() -> None:
    signals = [
        post_signal("hackernews", 1, {"points": 300, "comments": 80}, "https://hn.test/1"),
        Signal(source="huggingface", arxiv_id="2611.00002", counts={"upvotes": 10}),
    ]
    upvoted, spiked = rank([paper(1), paper(2)], signals)
    # Alone on their sources, both get 1/(1+1) of 100; one post may carry half of a score.
    assert (spiked.score, spiked.breakdown[0].capped) == (25, 25)
    assert (upvoted.paper.arxiv_id, upvoted.score) == ("2611.00002", 50)
    assert rank([paper(1), paper(2)], signals, max_post_share=1)[0].score == 50


@given(source=st.sampled_from(SOURCES), n=st.integers(1, 10**5), others=days())
def test_replies_and_comments_weigh_less_than_approval(
    source: str, n: int, others: tuple[list[Paper], list[Signal]]
) -> None:
    approval, replies = METRICS[source][0], METRICS[source][-1]
    assert metric_weight({}, source, replies) < metric_weight({}, source, approval)
    liked, discussed = paper(201), paper(202)
    papers, signals = others
    signals = [
        *signals,
        Signal(source=source, arxiv_id=liked.arxiv_id, counts={approval: n}),
        Signal(source=source, arxiv_id=discussed.arxiv_id, counts={replies: n}),
    ]
    ranked = {r.paper.arxiv_id: r for r in rank([*papers, liked, discussed], signals)}
    assert ranked[liked.arxiv_id].score > ranked[discussed.arxiv_id].score


def stars(n: int, count: int, *, created: dt.datetime | None, repo: str = "lab/code") -> Signal:
    return Signal(
        source="github",
        arxiv_id=f"2611.{n:05d}",
        counts={"stars": count},
        repo=repo,
        repo_created_at=created,
        taken_at=NOW,
    )


@given(count=st.integers(1, 10**6), age_days=st.integers(1, 5000), day=days())
def test_lifetime_stars_of_an_older_repository_never_lift_a_paper(
    count: int, age_days: int, day: tuple[list[Paper], list[Signal]]
) -> None:
    papers, signals = day
    published = DAY - dt.timedelta(days=2)
    starred = paper(301, published=published)
    created = dt.datetime.combine(published, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=age_days)
    with_stars = rank([*papers, starred], [*signals, stars(301, count, created=created)])
    without = rank([*papers, starred], signals)
    assert scores(with_stars) == scores(without)
    lifted = next(r for r in with_stars if r.paper.arxiv_id == starred.arxiv_id)
    assert lifted not in select(with_stars, Filters())
    (part,) = lifted.breakdown
    assert (part.counts, part.counted) == ({"stars": count}, {"stars": 0})
    assert f"stars {count}→0" in explain(part)
    assert "lifetime stars of a repository older than the paper do not count" in explain(part)


def test_stars_count_as_gained_since_the_earlier_reading_or_in_full_for_a_younger_repo() -> None:
    published = DAY - dt.timedelta(days=2)
    papers = [paper(1, published=published), paper(2, published=published), paper(3)]
    old_repo = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    young_repo = dt.datetime.combine(published, dt.time(9), tzinfo=dt.UTC)
    signals = [
        stars(1, 1234, created=old_repo, repo="Lab/Old"),
        stars(2, 40, created=young_repo, repo="lab/young"),
        stars(3, 500, created=None, repo="lab/unknown"),
    ]
    earlier = {"lab/old": (1200, NOW - dt.timedelta(days=1))}
    ranked = {r.paper.arxiv_id: r for r in rank(papers, signals, stars_before=earlier)}
    gained, young, unknown = (ranked[f"2611.0000{n}"].breakdown[0] for n in (1, 2, 3))
    assert (gained.counts, gained.counted, gained.weighted) == ({"stars": 1234}, {"stars": 34}, 34)
    assert "stars gained since 2026-11-23: 34" in explain(gained)
    assert (young.counted, young.weighted) == (None, 40)
    assert (unknown.weighted, unknown.note) == (
        0,
        "lifetime stars of a repository of unknown age do not count",
    )
    assert [r.paper.arxiv_id for r in rank(papers, signals, stars_before=earlier)][:2] == [
        "2611.00002",
        "2611.00001",
    ]


def old_paper(n: int, announce_type: str) -> Paper:
    return paper(n, announce_type=announce_type, published=DAY - dt.timedelta(days=400))


@given(
    day=days(),
    kind=st.sampled_from(["cross", "replace", "replace-cross"]),
    old_counts=st.lists(st.integers(1, 10**5), min_size=1, max_size=4),
)
def test_old_engagement_never_gives_an_old_paper_a_slot(
    day: tuple[list[Paper], list[Signal]], kind: str, old_counts: list[int]
) -> None:
    papers, signals = day
    old = old_paper(401, kind)
    before_window = dt.datetime.combine(DAY, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=3)
    stale = [Signal(source="huggingface", arxiv_id=old.arxiv_id, counts={"upvotes": old_counts[0]})]
    for i, n in enumerate(old_counts):
        post = Post(url=f"https://hn.test/old{i}", posted_at=before_window)
        stale.append(
            Signal(source="hackernews", arxiv_id=old.arxiv_id, counts={"points": n}, post=post)
        )
    stale.append(stars(401, old_counts[-1], created=NOW - dt.timedelta(days=1)))
    with_old = rank([*papers, old], [*signals, *stale], day=DAY)
    assert scores(with_old) == scores(rank([*papers, old], signals, day=DAY))
    mine = next(r for r in with_old if r.paper.arxiv_id == old.arxiv_id)
    assert mine.old == ("cross-listed" if kind == "cross" else "replaced")
    assert mine not in select(with_old, Filters())
    assert "old paper" in explanation(mine)


def test_an_old_paper_counts_posts_of_its_announcement_window() -> None:
    old, new = old_paper(1, "cross"), paper(2)
    inside = Post(url="https://hn.test/in", posted_at=NOW)
    signals = [
        Signal(source="hackernews", arxiv_id=old.arxiv_id, counts={"points": 90}, post=inside),
        Signal(source="hackernews", arxiv_id=new.arxiv_id, counts={"points": 10}),
    ]
    first, _ = rank([new, old], signals, day=DAY)
    assert (first.paper.arxiv_id, first.old) == (old.arxiv_id, "cross-listed")
    assert first.breakdown[0].weighted == 90
    # A recent cross-list (first version 10 days ago) is not old.
    recent = paper(3, announce_type="cross", published=DAY - dt.timedelta(days=10))
    assert rank([recent], [], day=DAY)[0].old == ""
    # Without a first-version date, the id's month decides: 2611 is this month.
    assert rank([paper(4, announce_type="replace")], [], day=DAY)[0].old == ""
    ancient = Paper(arxiv_id="2301.02225", title="x", announce_type="replace", announced=DAY)
    assert rank([ancient], [], day=DAY)[0].old == "replaced"


@given(day=days(), source=st.sampled_from(SOURCES), factor=st.sampled_from([0.5, 2.0, 3.0]))
def test_weights_stay_configurable(
    day: tuple[list[Paper], list[Signal]], source: str, factor: float
) -> None:
    papers, signals = day
    silenced = rank(papers, signals, weights={source: 0})
    removed = rank(papers, [s for s in signals if s.source != source])
    assert scores(silenced) == pytest.approx(scores(removed), abs=1e-9)
    for r in rank(papers, signals, weights={source: factor}):
        for part in r.breakdown:
            if part.source == source:
                assert part.weight == factor
                assert part.score + part.capped == pytest.approx(100 * factor * part.normalized)


def top_level_terms(text: str) -> list[str]:
    """``a (b + c) + d`` → ``["a (b + c)", "d"]``."""
    terms, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith(" + ", i):
            terms.append(text[start:i])
            start = i + 3
    return [*terms, text[start:]]


@given(day=days())
def test_the_explained_parts_add_up_to_the_score(day: tuple[list[Paper], list[Signal]]) -> None:
    papers, signals = day
    for r in rank(papers, signals):
        assert sum(part.score for part in r.breakdown) == pytest.approx(r.score, abs=0.01)
        text = explanation(r)
        shown = re.match(r"score (\S+) = (.*)$", text)
        assert shown is not None
        if not r.breakdown:
            continue
        parts = [
            float(re.match(r"^.*? (-?[\d.]+) \(", term).group(1))  # type: ignore[union-attr]
            for term in top_level_terms(shown.group(2))
        ]
        assert len(parts) == len(r.breakdown)
        assert sum(parts) == pytest.approx(float(shown.group(1)), abs=0.01)
        assert float(shown.group(1)) == pytest.approx(r.score, abs=0.01)


def test_the_explanation_shows_counts_share_transform_weight_cap_and_part() -> None:
    papers = [paper(n) for n in range(1, 5)]
    post = Post(url="https://bsky.test/a", posted_at=NOW)
    signals = [
        Signal(
            source="bluesky",
            arxiv_id="2611.00001",
            counts={"likes": 158, "reposts": 10, "replies": 4},
            post=post,
            share=0.5,
        ),
        Signal(source="huggingface", arxiv_id="2611.00001", counts={"upvotes": 10}),
        *(Signal(source="bluesky", arxiv_id=f"2611.0000{n}", counts={"likes": n}) for n in (2, 3)),
    ]
    first = rank(papers, signals, weights={"huggingface": 0.5})[0]
    text = explanation(first, {"huggingface": 0.5})
    # Uncapped 75 + 25 = 100: one post may carry at most 50 of it.
    assert text == (
        "score 75 = Bluesky 50 (likes 158 + reposts 10 + replies 4×0.5 = 170 × share 0.5 = 85;"
        " rank 1/3 → 0.75 × 100 = 75 − 25 capped (one post's share))"
        " + Hugging Face 25 (upvotes 10; rank 1/1 → 0.50 × 100 × weight 0.5 = 25)"
    )


def test_the_json_shows_each_step_of_each_sources_part() -> None:
    snapshot = Snapshot(
        date=DAY,
        papers=(paper(1), paper(2)),
        signals=(
            Signal(source="hackernews", arxiv_id="2611.00001", counts={"points": 5, "comments": 2}),
            Signal(source="hackernews", arxiv_id="2611.00002", counts={"points": 1}),
        ),
    )
    data = json.loads(render_json(build_digest(snapshot, Filters(), generated_at=NOW)))
    part = data["items"][0]["breakdown"][0]
    assert {k: part[k] for k in ("counts", "weighted", "share", "place", "of", "weight")} == {
        "counts": {"points": 5, "comments": 2},
        "weighted": 6,
        "share": 1,
        "place": 1,
        "of": 2,
        "weight": 1,
    }
    assert (part["normalized"], part["capped"]) == (pytest.approx(2 / 3), 0)
    assert part["score"] == data["items"][0]["score"] == pytest.approx(200 / 3)
