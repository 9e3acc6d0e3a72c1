"""The digest as plain text for an 80-column terminal."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from bot.models import Digest, Ranked
from bot.render.common import (
    counts_phrase,
    empty_selection,
    explanation,
    filters_phrase,
    footer_lines,
    no_announcement,
    number,
    one_line,
)
from bot.sourcenames import label

WIDTH = 80
INDENT = "    "
ABSTRACT_CHARS = 300


def _wrap(text: str, indent: str = INDENT) -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [indent]


def excerpt(text: str, limit: int = ABSTRACT_CHARS) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    return flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _item(rank: int, ranked: Ranked, *, explain: bool, weights: Mapping[str, float]) -> list[str]:
    paper = ranked.paper
    lines = textwrap.wrap(f"{rank:>2}. {one_line(paper.title)}", WIDTH, subsequent_indent=INDENT)
    lines += _wrap(one_line(", ".join(paper.authors)))
    engagement = "; ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in ranked.breakdown if p.counts
    )
    lines += _wrap(f"score {number(ranked.score)}" + (f" · {engagement}" if engagement else ""))
    if explain:
        lines += _wrap(explanation(ranked, dict(weights)))
    lines += _wrap(" ".join(paper.categories) + f" · {paper.abs_url}")
    if paper.abstract.strip():
        lines += _wrap(excerpt(paper.abstract))
    for post in ranked.top_posts:
        who = f" — {one_line(post.author)}" if post.author else ""
        lines += _wrap(f"“{excerpt(post.text, 140)}”{who} {post.url}", INDENT + "  ")
    return lines


def render_text(
    digest: Digest, *, explain: bool = False, weights: Mapping[str, float] | None = None
) -> str:
    """Title, one block per paper, then the sources; every line fits 80 columns where words do."""
    weights = weights or {}
    title = f"Hot Papers {digest.date:%Y-%m-%d}"
    if filters_phrase(digest):
        title += f" ({filters_phrase(digest)})"
    out = [title, "=" * min(len(title), WIDTH), ""]
    if not digest.announced:
        out += [*textwrap.wrap(no_announcement(digest), WIDTH), ""]
    elif not digest.items:
        out += [*textwrap.wrap(empty_selection(digest), WIDTH), ""]
    for rank, ranked in enumerate(digest.items, start=1):
        out += [*_item(rank, ranked, explain=explain, weights=weights), ""]
    for line in footer_lines(digest):
        out += textwrap.wrap(line, WIDTH)
    return "\n".join(out).rstrip() + "\n"
