from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.engine import build_digest
from bot.errors import SnapshotError
from bot.hotpost import import_post
from bot.models import Filters, Paper, Signal
from bot.render import render_markdown
from bot.snapshot import Snapshot, sample_snapshot

GENERATED = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


def sections(text: str) -> tuple[str, list[str]]:
    head, *parts = re.split(r"(?m)^(?=# \d+\. )", text)
    return head, parts


def shuffled(text: str, seed: int) -> str:
    head, parts = sections(text)
    random.Random(seed).shuffle(parts)
    renumbered = [re.sub(r"^# \d+\. ", f"# {n}. ", part) for n, part in enumerate(parts, 1)]
    return head + "".join(p if p.endswith("\n\n") else p + "\n\n" for p in renumbered)


def headings(text: str) -> list[str]:
    return re.findall(r"(?m)^# \d+\. (.*)$", text)


def test_the_seed_imports_with_every_paper_count_and_link(seed_text: str) -> None:
    snap = import_post(seed_text, name="seed")
    assert snap.date == dt.date(2021, 3, 18)
    assert len(snap.papers) == 13
    first = snap.papers[0]
    assert first.arxiv_id == "2103.09742"
    assert first.title == "Training GANs with Stronger Augmentations via Contrastive Discriminator"
    assert first.authors == ("Jongheon Jeong", "Jinwoo Shin")
    assert first.categories == ("cs.LG", "cs.AI", "cs.CV")
    assert first.abstract.startswith("Recent works in Generative Adversarial Networks")
    counts = [s.counts for s in snap.signals if s.arxiv_id == "2103.09742" and s.post is None]
    assert counts == [{"retweets": 1802, "favorites": 277}]
    posts = [s.post.url for s in snap.signals if s.arxiv_id == "2103.09742" and s.post]
    assert posts == [
        "https://twitter.com/ak92501/status/1372351248398225408",
        "https://twitter.com/arankomatsuzaki/status/1372353079115358208",
    ]
    # Titles are carried exactly, double spaces included.
    assert "Softermax: Hardware/Software Co-Design of an Efficient Softmax for  Transformers" in [
        p.title for p in snap.papers
    ]


def test_mojibake_in_the_seed_is_repaired(seed_text: str) -> None:
    snap = import_post(seed_text)
    guide = next(p for p in snap.papers if p.arxiv_id == "2103.09568")
    assert "Roxana Rădulescu" in guide.authors
    assert "Johan Källström" in guide.authors
    assert "Ann Nowé" in guide.authors
    texts = " ".join(s.post.text for s in snap.signals if s.post)
    assert "608 × 608" in texts
    assert "ƒ" not in texts + " ".join(a for p in snap.papers for a in p.authors)
    assert "ダムブレークP🌸" in " ".join(s.post.author for s in snap.signals if s.post)


def test_the_digest_of_the_seed_has_the_seeds_order(seed_text: str) -> None:
    snap = import_post(seed_text)
    digest = build_digest(snap, Filters(), generated_at=GENERATED)
    assert [r.paper.arxiv_id for r in digest.items] == [p.arxiv_id for p in snap.papers]
    top = digest.items[:3]
    assert [r.breakdown[0].weighted for r in top] == [1802 + 277, 789 + 132, 552 + 165]
    # One source of 13 papers: the leader gets 13/14 of 100, the next 12/14, then 11/14.
    assert [r.score for r in top] == pytest.approx([100 * 13 / 14, 100 * 12 / 14, 100 * 11 / 14])


@pytest.mark.parametrize("seed", range(5))
def test_a_shuffled_post_comes_back_in_its_original_order(seed_text: str, seed: int) -> None:
    snap = import_post(shuffled(seed_text, seed))
    digest = build_digest(snap, Filters(), generated_at=GENERATED)
    markdown = render_markdown(digest)
    assert headings(markdown) == headings(seed_text)


def test_rendered_markdown_carries_every_line_of_the_seed_that_describes_a_paper(
    seed_text: str,
) -> None:
    digest = build_digest(import_post(shuffled(seed_text, 7)), Filters(), generated_at=GENERATED)
    markdown = render_markdown(digest)
    _, parts = sections(seed_text)
    for part in parts:
        lines = [line for line in part.splitlines() if line.strip()]
        for line in lines[:6]:  # heading, authors, counts, links, categories, abstract
            expected = line.replace("RƒÉdulescu", "Rădulescu").replace("K√§llstr√∂m", "Källström")
            expected = expected.replace("Now√©", "Nowé")
            assert expected in markdown


def test_a_rendered_post_imports_back_to_the_same_snapshot(seed_text: str) -> None:
    snap = import_post(seed_text)
    again = import_post(render_markdown(build_digest(snap, Filters(), generated_at=GENERATED)))
    assert again.papers == snap.papers
    assert again.signals == snap.signals


def test_other_sources_round_trip_through_their_named_counts_lines() -> None:
    post = """---
title: Hot Papers 2026-11-24
---

# 1. A paper & its <b>title</b>

Ada Lovelace, Alan Turing

- upvotes: 40, comments: 3, stars: 100 (Hugging Face, 11/24/2026 10:00:00)
- points: 12, comments: 4 (Hacker News, 11/24/2026 10:00:01)

- links: [abs](https://arxiv.org/abs/2611.00001) | [pdf](https://arxiv.org/pdf/2611.00001)
- [cs.LG](https://arxiv.org/list/cs.LG/recent)

An abstract with p < 0.05.

Second paragraph.

> Great paper
>
> — someone, [November 24, 2026](https://news.ycombinator.com/item?id=1)
"""
    snap = import_post(post)
    assert {s.source for s in snap.signals} == {"huggingface", "hackernews"}
    (paper,) = snap.papers
    assert paper.abstract == "An abstract with p < 0.05.\n\nSecond paragraph."
    assert paper.title == "A paper & its <b>title</b>"
    markdown = render_markdown(build_digest(snap, Filters(), generated_at=GENERATED))
    assert "&lt;b>title&lt;/b>" in markdown  # no HTML injected into the published post
    assert "- upvotes: 40, comments: 3, stars: 100 (Hugging Face, 11/24/2026 10:00:00)" in markdown

    def by_source(signals: tuple) -> list:
        return sorted(signals, key=lambda s: (s.source, s.post is not None))

    assert by_source(import_post(markdown).signals) == by_source(snap.signals)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter", "no front matter"),
        ("---\ntitle: Hot Papers\n---\n# 1. X\n", "names no date"),
        ("---\ntitle: Hot Papers 2021-02-30\n---\n# 1. X\n", "impossible date"),
        ("---\ntitle: Hot Papers 2021-03-18\n---\nnothing\n", "lists no papers"),
        (
            "---\ntitle: Hot Papers 2021-03-18\n---\n# 1. X\n\nA\n\n- retweets: 1, favorites: 2\n",
            "no abs link",
        ),
    ],
)
def test_posts_that_are_not_hot_papers_posts_are_refused(text: str, message: str) -> None:
    with pytest.raises(SnapshotError, match=message):
        import_post(text)


def test_the_bundled_sample_is_the_seed_imported(seed_text: str) -> None:
    sample = sample_snapshot()
    imported = import_post(seed_text)
    assert sample.papers == imported.papers
    assert sample.signals == imported.signals


# Property: whatever the papers, a rendered post imports back to the same papers and counts.
# Real-world letters (accents, Greek, CJK); not arbitrary code points, some of which are
# indistinguishable from mojibake ("Â¡") and would rightly be repaired.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789 .:;-'$_{}^=+*&%!?éèüöäßçñåøăşțłńźżčřžěíóúàâêîôûαβγδ中文字日本語한국어"
safe_text = (
    st.text(alphabet=st.sampled_from(LETTERS + ","), min_size=1, max_size=60)
    .map(lambda s: " ".join(s.split()))
    .filter(bool)
)
names = st.lists(safe_text.filter(lambda s: "," not in s), min_size=1, max_size=4)
cats = st.lists(
    st.sampled_from(["cs.LG", "cs.CV", "stat.ML", "math.NA", "physics.comp-ph", "hep-th"]),
    min_size=1,
    max_size=3,
    unique=True,
)


@given(
    st.lists(
        st.tuples(safe_text, names, cats, st.integers(0, 5000), st.integers(0, 5000)),
        min_size=1,
        max_size=8,
    )
)
@settings(max_examples=60, deadline=None)
def test_any_rendered_post_imports_back(
    rows: list[tuple[str, list[str], list[str], int, int]],
) -> None:
    taken = dt.datetime(2026, 11, 25, 6, 21, 49, tzinfo=dt.UTC)
    papers = [
        Paper(
            arxiv_id=f"2611.{n:05d}",
            title=title,
            authors=tuple(authors),
            categories=tuple(c),
            primary_category=c[0],
            announced=dt.date(2026, 11, 24),
        )
        for n, (title, authors, c, _, _) in enumerate(rows, start=1)
    ]
    signals = [
        Signal(
            source="twitter",
            arxiv_id=p.arxiv_id,
            counts={"retweets": r, "favorites": f},
            taken_at=taken,
        )
        for p, (_, _, _, r, f) in zip(papers, rows, strict=True)
    ]
    snap = Snapshot(
        date=dt.date(2026, 11, 24),
        papers=tuple(papers),
        signals=tuple(signals),
        sources_used=("twitter",),
    )
    digest = build_digest(snap, Filters(min_score=0), generated_at=GENERATED)
    again = import_post(render_markdown(digest))
    assert {p.arxiv_id: (p.title, p.authors, p.categories) for p in again.papers} == {
        p.arxiv_id: (p.title, p.authors, p.categories) for p in papers
    }
    assert sorted((s.arxiv_id, tuple(s.counts.items())) for s in again.signals) == sorted(
        (s.arxiv_id, tuple(s.counts.items())) for s in signals
    )


def test_a_malformed_counts_line_is_a_warning_with_its_line_number(seed_text: str) -> None:
    from bot.hotpost import read_post

    broken = seed_text.replace(
        "- retweets: 1802, favorites: 277", "- retweets: lots, favorites: 277"
    )
    lines = broken.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("- retweets: lots"))
    imported = read_post(broken, name="seed")
    assert len(imported.snapshot.papers) == 13
    (warning,) = imported.warnings
    assert warning.startswith(f"line {line}: “- retweets: lots, favorites: 277")
    assert "cannot be read as counts" in warning
    assert "Training GANs" in warning


def test_a_post_cut_short_is_a_warning(seed_text: str) -> None:
    from bot.hotpost import read_post

    cut = seed_text[: len(seed_text) // 3]
    imported = read_post(cut, name="seed")
    assert 0 < len(imported.snapshot.papers) < 13
    assert imported.warnings
    assert any("cut short" in w for w in imported.warnings)
    assert all(w.startswith("line ") for w in imported.warnings)


def test_every_real_hot_papers_post_imports_without_a_warning() -> None:
    from pathlib import Path

    from bot.hotpost import read_post

    corpus = Path("/work/shared/corpus/hot-papers")
    if not corpus.is_dir():
        pytest.skip("the shared corpus is not on this machine")
    read = 0
    for path in sorted(corpus.glob("*.md")):
        try:
            imported = read_post(path.read_text(encoding="utf-8"), name=path.name)
        except SnapshotError:
            continue  # a day without papers, refused as before
        read += 1
        assert imported.warnings == (), path.name
    assert read > 200
