"""The digest as plain text for an 80-column terminal."""

from __future__ import annotations

from collections.abc import Mapping

from bot.insight.tldr import cut
from bot.models import Digest, Ranked
from bot.render.common import (
    counts_phrase,
    digest_title,
    empty_selection,
    explanation,
    filters_phrase,
    footer_lines,
    no_announcement,
    number,
    one_line,
    plain,
    reason,
    tldr_line,
)
from bot.sourcenames import label

WIDTH = 80
INDENT = "    "
ABSTRACT_CHARS = 300


def wrap(text: str, indent: str = INDENT, first: str | None = None) -> list[str]:
    """Greedy word wrap to ``WIDTH`` columns; a word longer than a line stands alone.

    The same result as ``textwrap.wrap`` for plain words, several times faster, which matters
    for a day of two thousand papers.
    """
    lines: list[str] = []
    line = indent if first is None else first
    start = len(line)
    for word in text.split():
        if len(line) > start and len(line) + 1 + len(word) > WIDTH:
            lines.append(line)
            line = indent
            start = len(line)
        line = f"{line} {word}" if len(line) > start else line + word
    lines.append(line)
    return lines


def excerpt(text: str, limit: int = ABSTRACT_CHARS) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    return cut(text, limit)


def _item(rank: int, ranked: Ranked, *, explain: bool, weights: Mapping[str, float]) -> list[str]:
    paper = ranked.paper
    lines = wrap(one_line(paper.title), first=f"{rank:>2}. ")
    lines += wrap(one_line(", ".join(paper.authors)))
    engagement = "; ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in ranked.breakdown if p.counts
    )
    lines += wrap(f"score {number(ranked.score)}" + (f" · {engagement}" if engagement else ""))
    if explain:
        lines += wrap(explanation(ranked, dict(weights)))
    if why := reason(ranked):
        lines += wrap(f"Why: {why}")
    if tldr := tldr_line(ranked):
        lines += wrap(f"TL;DR: {tldr}")
    lines += wrap(" ".join(paper.categories) + f" · {paper.abs_url}")
    if ranked.links:
        lines += wrap(" · ".join(f"{one_line(x.label)} {x.url}" for x in ranked.links))
    if paper.abstract.strip():
        lines += wrap(excerpt(plain(paper.abstract)))
    for post in ranked.top_posts:
        who = f" — {one_line(post.author)}" if post.author else ""
        url = one_line(post.url)
        lines += wrap(f"“{excerpt(plain(post.text), 140)}”{who} {url}", INDENT + "  ")
    return lines


def render_text(
    digest: Digest, *, explain: bool = False, weights: Mapping[str, float] | None = None
) -> str:
    """Title, one block per paper, then the sources; every line fits 80 columns where words do."""
    weights = weights or {}
    title = one_line(digest_title(digest))
    if filters_phrase(digest):
        title += f" ({filters_phrase(digest)})"
    out = [title, "=" * min(len(title), WIDTH), ""]
    if not digest.announced:
        out += [*wrap(no_announcement(digest), ""), ""]
    elif not digest.items:
        out += [*wrap(empty_selection(digest), ""), ""]
    for rank, ranked in enumerate(digest.items, start=1):
        out += [*_item(rank, ranked, explain=explain, weights=weights), ""]
    for line in footer_lines(digest):
        out += wrap(line, "")
    # Nothing from upstream drives the terminal: no ESC, BEL or NUL anywhere in the text.
    return plain("\n".join(out)).rstrip() + "\n"
