from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from bot.engine import build_digest
from bot.insight import annotate, key_sentence, links, short_authors, tldr, why
from bot.models import Filters, Link, Post, Ranked, Signal, SourceScore
from bot.snapshot import Snapshot
from tests.fakes import paper

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
ABSTRACT = (
    "Large language models have become ubiquitous in many applications. "
    "However, their cost remains high, e.g. for long inputs studied by Smith et al. in 2023. "
    "In this paper, we propose Sparse Routing, a method that halves the cost of inference. "
    "Sparse Routing outperforms dense baselines on eight benchmarks. "
    "Code is available at https://github.com/lab/sparse-routing."
)


def part(source: str, value: float, place: int = 0, posts: int = 0, **counts: int) -> SourceScore:
    return SourceScore(source=source, counts=counts, score=value, place=place, posts=posts)


def test_why_names_the_strongest_sources_first_with_their_places_and_counts() -> None:
    item = Ranked(
        paper=paper("2611.00001"),
        score=90,
        breakdown=(
            part("bluesky", 20, posts=41, likes=900, reposts=3),
            part("hackernews", 30, posts=1, points=312, comments=80),
            part("huggingface", 40, place=1, upvotes=87, comments=2),
            part("github", 1, stars=5),
        ),
    )
    assert why(item) == (
        "#1 on Hugging Face Daily Papers, 87 upvotes · Hacker News, 312 points"
        " · 41 Bluesky posts, 900 likes"
    )


def test_why_says_nothing_it_cannot_back_with_a_count() -> None:
    quiet = Ranked(paper=paper("2611.00001"), score=0, breakdown=(part("reddit", 0, score=0),))
    assert why(quiet) == ""
    one = Ranked(
        paper=paper("2611.00002"),
        score=1,
        breakdown=(part("huggingface", 1, place=12, upvotes=1), part("twitter", 1, retweets=1802)),
    )
    assert why(one) == "Hugging Face Daily Papers, 1 upvote · X/Twitter, 1,802 retweets, 0 likes"


def test_the_key_sentence_is_the_one_that_says_what_the_paper_does() -> None:
    chosen = key_sentence(ABSTRACT, "Sparse Routing for cheap inference")
    assert chosen == "We propose Sparse Routing, a method that halves the cost of inference."


def test_abbreviations_do_not_end_a_sentence_and_long_sentences_are_cut() -> None:
    assert key_sentence("We study X, e.g. Y and Z, as in Smith et al. Jones 2020 said.") == (
        "We study X, e.g. Y and Z, as in Smith et al. Jones 2020 said."
    )
    long = "We propose " + "a very long method " * 40 + "."
    cut = key_sentence(long)
    assert len(cut) <= 300
    assert cut.endswith("…")
    assert key_sentence("   ") == ""


def test_hugging_face_summary_is_the_tldr_when_present(data: Path) -> None:
    entry = json.loads((data / "hf_daily_papers_single_entry_2026-03.json").read_text())[0]
    p = paper("2602.23229", abstract=entry["paper"]["summary"], title=entry["paper"]["title"])
    hf = Signal(
        source="huggingface",
        arxiv_id=p.arxiv_id,
        counts={"upvotes": 10},
        summary=entry["paper"]["ai_summary"],
    )
    assert tldr(p, [hf]) == entry["paper"]["ai_summary"]
    assert tldr(p, []) == key_sentence(p.abstract, p.title)
    assert tldr(p, []).startswith("We propose CIRCLE")


def test_links_are_code_threads_and_pages_built_by_us_only() -> None:
    p = paper("2611.00001", abstract="Code: https://github.com/lab/from-abstract.")
    hn = Post(url="https://news.ycombinator.com/item?id=42", counts={"points": 10})
    hn_small = Post(url="https://news.ycombinator.com/item?id=7", counts={"points": 1})
    evil = Post(url="https://news.ycombinator.com/item?id=1) [x](https://evil.example")
    reddit = Post(url="https://www.reddit.com/r/MachineLearning/comments/abc123/a_title/")
    signals = [
        Signal(source="hackernews", arxiv_id=p.arxiv_id, counts={"points": 1}, post=hn_small),
        Signal(source="hackernews", arxiv_id=p.arxiv_id, counts={"points": 10}, post=hn),
        Signal(source="hackernews", arxiv_id=p.arxiv_id, counts={"points": 99}, post=evil),
        Signal(source="reddit", arxiv_id=p.arxiv_id, counts={"score": 3}, post=reddit),
        Signal(source="huggingface", arxiv_id=p.arxiv_id, counts={"upvotes": 3}, repo="hf/listed"),
        Signal(source="hackernews", arxiv_id="2611.09999", counts={"points": 5}, post=hn),
    ]
    assert links(p, signals) == (
        Link(kind="code", label="GitHub", url="https://github.com/hf/listed"),
        Link(kind="hackernews", label="Hacker News", url="https://news.ycombinator.com/item?id=42"),
        Link(
            kind="hackernews", label="Hacker News 2", url="https://news.ycombinator.com/item?id=7"
        ),
        Link(kind="reddit", label="r/MachineLearning", url=reddit.url),
        Link(kind="alphaxiv", label="alphaXiv", url="https://www.alphaxiv.org/abs/2611.00001"),
        Link(
            kind="huggingface", label="Hugging Face", url="https://huggingface.co/papers/2611.00001"
        ),
    )
    # Without Hugging Face: the abstract's repository, and no Hugging Face page.
    assert [link.url for link in links(p, [])] == [
        "https://github.com/lab/from-abstract",
        "https://www.alphaxiv.org/abs/2611.00001",
    ]


def test_short_author_lists_end_with_et_al() -> None:
    assert short_authors(["A", "B", "C", "D", "E"]) == "A, B, C, … et al."
    assert short_authors(["A", "B", "C", "D"]) == "A, B, C, D"
    assert short_authors(["A"]) == "A"
    assert short_authors([]) == ""


def test_build_digest_annotates_only_the_papers_it_selects() -> None:
    papers = tuple(paper(f"2611.{n:05d}", abstract=ABSTRACT) for n in range(1, 2001))
    signals = tuple(
        Signal(source="huggingface", arxiv_id=p.arxiv_id, counts={"upvotes": n}, summary=f"S{n}")
        for n, p in enumerate(papers, start=1)
    )
    snap = Snapshot(date=dt.date(2026, 11, 24), papers=papers, signals=signals)
    digest = build_digest(snap, Filters(top=2), generated_at=NOW)
    assert [item.tldr for item in digest.items] == ["S2000", "S1999"]
    assert all(item.why and item.links for item in digest.items)


def test_annotate_keeps_what_ranking_set() -> None:
    item = Ranked(paper=paper("2611.00001"), score=1, old="cross-listed", gain_per_hour=2.5)
    (done,) = annotate([item], [])
    assert (done.old, done.gain_per_hour) == ("cross-listed", 2.5)
    assert done.links[-1].kind == "alphaxiv"


def test_why_for_reddit_threads_and_any_other_source() -> None:
    item = Ranked(
        paper=paper("2611.00001"),
        score=3,
        breakdown=(
            part("reddit", 3, posts=2, score=540, comments=12),
            part("mastodon", 2, boosts=7, favourites=0),
            part("lemmy", 1, upvotes=0),
        ),
    )
    assert why(item) == "Reddit, 540 upvotes in 2 threads · mastodon, 7 boosts"


def test_why_cites_only_engagement_that_counted() -> None:
    lifetime = SourceScore(
        source="github", counts={"stars": 25000}, counted={"stars": 0}, score=0, posts=0
    )
    gained = SourceScore(
        source="github", counts={"stars": 25000}, counted={"stars": 120}, score=40, posts=0
    )
    old_story = SourceScore(source="hackernews", counts={"points": 900}, score=0, posts=1)
    upvotes = part("huggingface", 30, place=2, upvotes=3)
    item = Ranked(paper=paper("2611.00001"), score=30, breakdown=(upvotes, lifetime, old_story))
    assert why(item) == "#2 on Hugging Face Daily Papers, 3 upvotes"
    item = Ranked(paper=paper("2611.00001"), score=70, breakdown=(upvotes, gained))
    assert why(item) == "GitHub, 120 stars gained · #2 on Hugging Face Daily Papers, 3 upvotes"
