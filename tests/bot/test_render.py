from __future__ import annotations

import datetime as dt
import json
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.engine import build_digest
from bot.hotpost import import_post
from bot.models import Digest, Filters, Post, Signal, SourceFailure
from bot.render import render_json, render_markdown, render_text
from bot.render.text import wrap
from bot.snapshot import Snapshot
from tests.fakes import paper

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


def hostile_digest() -> Digest:
    p = paper(
        "2611.00001",
        title="<script>alert(1)</script> @everyone\nnew line",
        abstract="<img src=x onerror=alert(1)> and p < 0.05",
    )
    post = Post(
        url="javascript:alert(1)",
        author="<b>mallory</b>",
        text="# heading\n<iframe>",
        counts={"points": 3},
    )
    snap = Snapshot(
        date=dt.date(2026, 11, 24),
        papers=(p,),
        signals=(
            Signal(source="hackernews", arxiv_id="2611.00001", counts={"points": 3}, post=post),
        ),
        sources_used=("hackernews",),
        sources_failed=(SourceFailure(source="huggingface", reason="HTTP 429"),),
    )
    return build_digest(snap, Filters(), generated_at=NOW)


def test_markdown_never_lets_upstream_text_inject_html_or_break_the_structure() -> None:
    markdown = render_markdown(hostile_digest())
    assert "<script" not in markdown
    assert "<img" not in markdown
    assert "<iframe" not in markdown
    assert "<b>" not in markdown
    assert "](javascript:" not in markdown
    assert "p < 0.05" in markdown  # a lone < is left as written
    assert "# 1. &lt;script>alert(1)&lt;/script> @everyone new line" in markdown
    assert "Unavailable: Hugging Face: HTTP 429." in markdown


def test_text_fits_80_columns(seed_text: str) -> None:
    digest = build_digest(import_post(seed_text), Filters(), generated_at=NOW)
    text = render_text(digest, explain=True)
    long_lines = [line for line in text.splitlines() if len(line) > 80 and " " in line.strip()]
    assert long_lines == []
    assert "score 92.86 = X/Twitter 92.86 (retweets 1802 + favorites 277 = 2079; rank" in text
    assert "1/13 → 0.93 × 100 = 92.86)" in text
    assert "Roxana Rădulescu" in text


def test_json_is_the_whole_digest_with_ranks_and_links(seed_text: str) -> None:
    digest = build_digest(import_post(seed_text), Filters(top=2), generated_at=NOW)
    data = json.loads(render_json(digest))
    assert data["format"] == "hotpapers-digest"
    assert [item["rank"] for item in data["items"]] == [1, 2]
    first = data["items"][0]
    assert first["paper"]["pdf_url"] == "https://arxiv.org/pdf/2103.09742"
    assert first["score"] == pytest.approx(100 * 13 / 14)
    part = first["breakdown"][0]
    assert part["counts"] == {"retweets": 1802, "favorites": 277}
    assert (part["weighted"], part["share"], part["weight"], part["capped"]) == (2079, 1, 1, 0)
    assert (part["place"], part["of"]) == (1, 13)
    assert part["normalized"] == pytest.approx(13 / 14)
    assert part["score"] == first["score"]
    assert data["filters"]["top"] == 2
    assert "Rădulescu" in render_json(
        build_digest(import_post(seed_text), Filters(), generated_at=NOW)
    )


def test_a_day_without_announcement_says_so_in_every_format() -> None:
    snap = Snapshot(date=dt.date(2025, 12, 31), announced=False)
    digest = build_digest(snap, Filters(), generated_at=NOW)
    assert "No new arXiv papers were announced for 2025-12-31" in render_text(digest)
    assert "No new arXiv papers were announced for 2025-12-31" in render_markdown(digest)
    assert json.loads(render_json(digest))["announced"] is False


def test_an_empty_selection_is_explained_not_silent(seed_text: str) -> None:
    digest = build_digest(
        import_post(seed_text), Filters(keywords=("zzz-no-such-word",)), generated_at=NOW
    )
    assert "None of the 13 papers announced for 2021-03-18 matched" in render_text(digest)


def test_weights_other_than_one_show_in_the_explanation(seed_text: str) -> None:
    weights = {"twitter": 2.0, "twitter.favorites": 0.5}
    digest = build_digest(import_post(seed_text), Filters(top=1), weights=weights, generated_at=NOW)
    text = render_text(digest, explain=True, weights=weights)
    assert (
        "score 185.71 = X/Twitter 185.71 (retweets 1802 + favorites 277×0.5 = 1940.5; rank 1/13"
        " → 0.93 × 100 × weight 2 = 185.71)"
    ) in " ".join(text.split())


words = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Z", "C")), min_size=1, max_size=30
)


@given(st.lists(words, max_size=60), st.sampled_from(["", "    ", "      "]))
def test_wrap_breaks_lines_as_textwrap_does(parts: list[str], indent: str) -> None:
    text = " ".join(parts)
    expected = textwrap.wrap(
        text,
        80,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]
    assert wrap(text, indent) == expected


def annotated_digest(**update: object) -> Digest:
    from bot.models import Link, Ranked

    p = paper("2611.00001", title="Sparse Routing", abstract="We propose sparse routing.")
    p = p.model_copy(update={"published": dt.date(2023, 5, 2)})
    item = Ranked(
        paper=p,
        score=10,
        why="#1 on Hugging Face Daily Papers, 87 upvotes",
        tldr="Routing halves the cost.",
        links=(Link(kind="code", label="GitHub", url="https://github.com/lab/sr"),),
        old="cross-listed",
        gain_per_hour=22.0,
    )
    digest = Digest(date=dt.date(2021, 3, 18), items=(item,), generated_at=NOW)
    return digest.model_copy(update=update)


def test_every_format_shows_why_tldr_links_pace_and_age() -> None:
    digest = annotated_digest()
    why = "+22 per hour · #1 on Hugging Face Daily Papers, 87 upvotes · cross-listed; first version 2023-05-02"
    text = render_text(digest)
    assert "TL;DR: Routing halves the cost." in text
    assert "GitHub https://github.com/lab/sr" in text
    assert " ".join(text.split()).count(why) == 1
    markdown = render_markdown(digest)
    assert f"- why: {why}" in markdown
    assert "- TL;DR: Routing halves the cost." in markdown
    assert "- more: [GitHub](https://github.com/lab/sr)" in markdown
    item = json.loads(render_json(digest))["items"][0]
    assert item["why"] == "#1 on Hugging Face Daily Papers, 87 upvotes"
    assert item["tldr"] == "Routing halves the cost."
    assert item["links"] == [
        {"kind": "code", "label": "GitHub", "url": "https://github.com/lab/sr"}
    ]
    assert item["gain_per_hour"] == 22.0


def test_the_title_names_the_view_in_every_format() -> None:
    from bot.render.common import digest_title
    from bot.render.html import render_html

    week = annotated_digest(view="week", start=dt.date(2021, 3, 12))
    title = "Hot Papers, best of the week 2021-03-12 – 2021-03-18"
    assert digest_title(week) == title
    assert render_text(week).startswith(title)
    assert f"title: {title}\n" in render_markdown(week)
    assert f"<title>{title}</title>" in render_html(week)
    rising = annotated_digest(view="rising", start=dt.date(2021, 3, 16))
    assert digest_title(rising) == "Hot Papers, rising 2021-03-16 – 2021-03-18"
    assert digest_title(annotated_digest()) == "Hot Papers 2021-03-18"
    # The importer reads the day the post is for, the last date of its title.
    snap = build_digest(import_post(render_markdown(week)), Filters(), generated_at=NOW)
    assert snap.date == dt.date(2021, 3, 18)


CRAFTED = "[a](https://evil.example) and [b](https://evil.example) ![i](https://evil.example/x.png)"


def test_markdown_links_are_ours_only() -> None:
    """Masked links, images and reference definitions from upstream text stay text."""
    p = paper(
        "2611.00001",
        title=CRAFTED,
        abstract=f"{CRAFTED}\n[ref]: https://evil.example",
        categories=("cs.LG", "x](https://evil.example) [y"),
    )
    post = Post(
        url="https://bsky.app/profile/a/post/1",
        author=CRAFTED,
        text=f"{CRAFTED}\n[r]: https://evil.example",
    )
    snap = Snapshot(
        date=dt.date(2026, 11, 24),
        papers=(p,),
        signals=(Signal(source="bluesky", arxiv_id=p.arxiv_id, counts={"likes": 3}, post=post),),
    )
    markdown = render_markdown(build_digest(snap, Filters(), generated_at=NOW))
    assert "](https://evil" not in markdown
    assert "\n[ref]:" not in markdown
    assert "> [r]:" not in markdown
    assert "[a]\\(https://evil.example)" in markdown  # shown as written, not as a link
    (back,) = import_post(markdown).papers  # and read back as written
    assert back.title == p.title
    assert back.abstract == p.abstract
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(markdown)
    assert "evil.example" in html
    assert 'href="https://evil' not in html
    assert 'src="https://evil' not in html


def test_control_characters_never_reach_any_format() -> None:
    from bot.render.html import render_html

    bad = "a\x00b\x07c\x1bd\x0be\x7ff"
    p = paper("2611.00001", title=bad, abstract=bad)
    post = Post(url="https://bsky.app/profile/a/post/1", author=bad, text=bad)
    snap = Snapshot(
        date=dt.date(2026, 11, 24),
        papers=(p,),
        signals=(Signal(source="bluesky", arxiv_id=p.arxiv_id, counts={"likes": 3}, post=post),),
    )
    digest = build_digest(snap, Filters(keywords=("b\x1b",)), generated_at=NOW)
    for out in (render_text(digest), render_markdown(digest), render_html(digest)):
        assert not any(c in out for c in "\x00\x07\x1b\x0b\x7f")


def test_reference_definitions_with_escaped_or_broken_labels_make_no_link() -> None:
    """A reviewer's crafted day: labels with an escaped bracket, and split over two lines."""
    p = paper(
        "2611.00001",
        title="Click [x y] or [x\\]] now",
        abstract="[x\\]]: https://evil.example/b\nAn abstract.",
    )
    post = Post(
        url="https://bsky.app/profile/a/post/1", text="[x\ny]: https://evil.example/a\nhello"
    )
    snap = Snapshot(
        date=dt.date(2026, 11, 24),
        papers=(p,),
        signals=(Signal(source="bluesky", arxiv_id=p.arxiv_id, counts={"likes": 3}, post=post),),
    )
    markdown = render_markdown(build_digest(snap, Filters(), generated_at=NOW))
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(markdown)
    assert "evil.example" in html
    assert 'href="https://evil' not in html
    (back,) = import_post(markdown).papers
    assert (back.title, back.abstract) == (p.title, p.abstract)
