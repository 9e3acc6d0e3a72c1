from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.models import Filters, Signal
from bot.ranking import category_matches, matches, rank, select
from tests.fakes import paper, signal


def test_score_is_the_sum_of_each_sources_part_from_its_place_on_that_source() -> None:
    papers = [paper("2101.00001"), paper("2101.00002")]
    signals = [
        signal("twitter", "2101.00001", retweets=10, favorites=5),
        signal("hackernews", "2101.00001", points=7, comments=3),
        signal("twitter", "2101.00002", retweets=20, favorites=1),
    ]
    ranked = rank(papers, signals)
    # X/Twitter engaged with 2 papers: the leader gets 2/(2+1), the other 1/3. Hacker News
    # noticed one paper only: 1/(1+1) = 1/2.
    assert [r.paper.arxiv_id for r in ranked] == ["2101.00001", "2101.00002"]
    assert [r.score for r in ranked] == pytest.approx([100 / 3 + 50, 200 / 3])
    first = ranked[0].breakdown
    assert [(p.source, p.weighted, p.place, p.of) for p in first] == [
        ("hackernews", 7 + 3 * 0.5, 1, 1),
        ("twitter", 15, 2, 2),
    ]
    assert [p.score for p in first] == pytest.approx([50, 100 / 3])


def test_a_tie_is_broken_by_more_reposts_as_in_the_reference_post() -> None:
    # Seed #6 (110 + 38) ranks above seed #7 (76 + 72): both 148, more retweets first.
    papers = [paper("2103.09776"), paper("2103.09627")]
    signals = [
        signal("twitter", "2103.09776", retweets=76, favorites=72),
        signal("twitter", "2103.09627", retweets=110, favorites=38),
    ]
    assert [r.paper.arxiv_id for r in rank(papers, signals)] == ["2103.09627", "2103.09776"]


def test_weights_scale_sources_and_single_metrics() -> None:
    papers = [paper("2101.00001"), paper("2101.00002")]
    signals = [
        signal("huggingface", "2101.00001", upvotes=10),
        signal("hackernews", "2101.00002", points=100),
    ]
    weighted = rank(papers, signals, weights={"hackernews": 2})
    assert [(r.paper.arxiv_id, r.score) for r in weighted] == [
        ("2101.00002", 100),
        ("2101.00001", 50),
    ]
    assert weighted[0].breakdown[0].weight == 2
    liked = [signal("twitter", "2101.00001", retweets=1, favorites=100)]
    reposted = [signal("twitter", "2101.00002", retweets=2)]
    default = rank(papers, liked + reposted)
    assert default[0].paper.arxiv_id == "2101.00001"
    no_favorites = rank(papers, liked + reposted, weights={"twitter.favorites": 0})
    assert no_favorites[0].paper.arxiv_id == "2101.00002"


def test_the_same_post_reached_twice_counts_once() -> None:
    from bot.models import Post

    post = Post(url="https://news.ycombinator.com/item?id=1", counts={"points": 50})
    twice = [
        Signal(source="hackernews", arxiv_id="2101.00001", counts={"points": 50}, post=post),
        Signal(source="hackernews", arxiv_id="2101.00001", counts={"points": 50}, post=post),
    ]
    (ranked,) = rank([paper("2101.00001")], twice)
    assert ranked.breakdown[0].weighted == 50
    assert ranked.breakdown[0].posts == 1


def test_signals_about_unknown_papers_are_ignored() -> None:
    (ranked,) = rank([paper("2101.00001")], [signal("twitter", "9999.99999", retweets=1000)])
    assert ranked.score == 0


def test_top_posts_are_the_most_engaged_first() -> None:
    from bot.models import Post

    posts = [Post(url=f"https://x.test/{n}", counts={"likes": n}) for n in (3, 9, 1, 7)]
    signals = [
        Signal(source="bluesky", arxiv_id="2101.00001", counts=p.counts, post=p) for p in posts
    ]
    (ranked,) = rank([paper("2101.00001")], signals, top_posts=2)
    assert [p.url for p in ranked.top_posts] == ["https://x.test/9", "https://x.test/7"]


def test_category_patterns() -> None:
    assert category_matches("cs.LG", "cs.LG")
    assert category_matches("cs.lg", "cs.LG")
    assert category_matches("cs.*", "cs.CV")
    assert category_matches("cs", "cs.CV")
    assert not category_matches("cs", "physics.comp-ph")
    assert not category_matches("cs.L", "cs.LG")
    assert not category_matches("stat.*", "cs.LG")


def test_cross_lists_count_for_category_filters() -> None:
    cross = paper("2101.00001", categories=("stat.ML", "cs.LG"))
    assert matches(cross, Filters(categories=("cs.LG",)))
    assert not matches(cross, Filters(categories=("cs.CV",)))


def test_keywords_match_title_or_abstract_case_insensitively() -> None:
    p = paper("2101.00001", title="Diffusion Models", abstract="We study GANs.")
    assert matches(p, Filters(keywords=("diffusion",)))
    assert matches(p, Filters(keywords=("gans", "nothing")))
    assert not matches(p, Filters(keywords=("transformer",)))


def test_select_applies_min_score_and_top() -> None:
    papers = [paper(f"2101.0000{i}") for i in range(1, 6)]
    signals = [signal("twitter", p.arxiv_id, favorites=i) for i, p in enumerate(papers)]
    ranked = rank(papers, signals)
    # Four papers with favorites: 4/5, 3/5, 2/5, 1/5 of 100; the one with 0 favorites has 0.
    assert [r.score for r in select(ranked, Filters(min_score=39))] == pytest.approx([80, 60, 40])
    assert [r.score for r in select(ranked, Filters(min_score=0, top=2))] == pytest.approx([80, 60])
    assert len(select(ranked, Filters())) == 5  # every paper some source mentioned, even at 0
    unmentioned = rank([paper("2101.00009")], [])
    assert select(unmentioned, Filters()) == []
    assert len(select(unmentioned, Filters(min_score=0))) == 1


# Property tests: random days of papers and signals.
ids = st.integers(1, 60).map(lambda n: f"2101.{n:05d}")
cats = st.sampled_from(["cs.LG", "cs.CV", "stat.ML", "math.NA", "physics.comp-ph"])
papers_st = st.lists(
    st.builds(
        lambda i, c: paper(i, categories=tuple(c)),
        ids,
        st.lists(cats, min_size=1, max_size=3, unique=True),
    ),
    max_size=30,
    unique_by=lambda p: p.arxiv_id,
)
signals_st = st.lists(
    st.builds(
        lambda source, i, a, b: signal(source, i, retweets=a, favorites=b),
        st.sampled_from(["twitter", "hackernews", "huggingface"]),
        ids,
        st.integers(0, 50),
        st.integers(0, 50),
    ),
    max_size=80,
)


@given(papers=papers_st, signals=signals_st)
def test_order_is_non_increasing_in_score(papers: list, signals: list) -> None:
    scores = [r.score for r in rank(papers, signals)]
    assert scores == sorted(scores, reverse=True)


@given(papers=papers_st, signals=signals_st, seed=st.integers())
def test_ranking_is_deterministic_whatever_the_input_order(
    papers: list, signals: list, seed: int
) -> None:
    shuffled_papers, shuffled_signals = papers[:], signals[:]
    random.Random(seed).shuffle(shuffled_papers)
    random.Random(seed).shuffle(shuffled_signals)
    assert rank(papers, signals) == rank(shuffled_papers, shuffled_signals)


@given(
    papers=papers_st,
    signals=signals_st,
    wanted=st.lists(cats, min_size=1, max_size=2),
    floor=st.integers(0, 60),
)
def test_filtering_is_consistent_with_ranking(
    papers: list, signals: list, wanted: list, floor: int
) -> None:
    filters = Filters(categories=tuple(wanted), min_score=floor)
    ranked = rank(papers, signals)
    selected = select(ranked, filters)
    assert selected == [r for r in ranked if matches(r.paper, filters) and r.score >= floor]
    assert all(matches(r.paper, filters) and r.score >= floor for r in selected)


def test_a_paper_listed_with_zero_upvotes_is_mentioned_but_lifetime_stars_alone_are_not() -> None:
    import datetime as dt

    old_repo = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    signals = [
        Signal(
            source="huggingface",
            arxiv_id="2101.00001",
            counts={"upvotes": 0, "stars": 900},
            repo="lab/a",
            repo_created_at=old_repo,
        ),
        Signal(
            source="github",
            arxiv_id="2101.00002",
            counts={"stars": 900},
            repo="lab/b",
            repo_created_at=old_repo,
        ),
    ]
    ranked = rank([paper("2101.00001"), paper("2101.00002")], signals)
    assert [r.score for r in ranked] == [0, 0]
    assert [r.paper.arxiv_id for r in select(ranked, Filters())] == ["2101.00001"]


def test_ranking_settings_refuse_negative_weights_in_one_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bot.errors import ConfigError
    from bot.settings import load_settings

    monkeypatch.setenv("HOTPAPERS_WEIGHTS", '{"hackernews": -1}')
    with pytest.raises(ConfigError, match=r"Setting 'weights.hackernews' is invalid: .*0\."):
        load_settings()
    monkeypatch.setenv("HOTPAPERS_WEIGHTS", '{"*.replies": 0}')
    monkeypatch.setenv("HOTPAPERS_MAX_POST_SHARE", "0")
    with pytest.raises(ConfigError, match="max_post_share"):
        load_settings()
    monkeypatch.setenv("HOTPAPERS_MAX_POST_SHARE", "1")
    monkeypatch.setenv("HOTPAPERS_RANK_PRIOR", "2.5")
    loaded = load_settings()
    assert (loaded.weights, loaded.max_post_share, loaded.rank_prior) == ({"*.replies": 0}, 1, 2.5)


def test_on_a_day_of_posts_on_one_source_the_bigger_story_still_leads() -> None:
    from bot.models import Post

    def story(n: int, points: int, i: int) -> Signal:
        post = Post(url=f"https://news.ycombinator.com/item?id={i}")
        return Signal(
            source="hackernews", arxiv_id=f"2101.{n:05d}", counts={"points": points}, post=post
        )

    papers = [paper(f"2101.{n:05d}") for n in range(1, 12)]
    signals = [story(n, 10 * n, n) for n in range(1, 11)]  # paper 10: one story of 100
    signals += [story(11, 48, 100), story(11, 47, 101)]  # paper 11: two stories, 95 in all
    first, second = rank(papers, signals)[:2]
    # One source alone: the cap has nothing to weigh a post against, so the source's order holds.
    assert (first.paper.arxiv_id, second.paper.arxiv_id) == ("2101.00010", "2101.00011")
    assert all(part.capped == 0 for part in first.breakdown)
    # With a second source engaged, the lone story is capped and the two stories pass it.
    hf = Signal(source="huggingface", arxiv_id="2101.00001", counts={"upvotes": 3})
    order = [r.paper.arxiv_id for r in rank(papers, [*signals, hf])]
    assert order.index("2101.00011") < order.index("2101.00010")
