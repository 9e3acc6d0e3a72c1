"""The digest as a Hot Papers markdown post, in the structure of the reference posts.

Front matter for a static-site generator, then per paper: ``# N. Title``, the authors, one
counts line per source, the abs/pdf links, the category links, the abstract and the top posts
as quotes linking to them. Where the reference posts have nothing, one more group of lines:
``- why:``, ``- TL;DR:`` and ``- more:`` (code, threads, alphaXiv and Hugging Face pages).

Upstream text is kept as written, except that it cannot break the structure (line breaks in
one-line fields, control characters), inject HTML tags, or make a link: every link in the post
is ours (a masked ``[text](url)``, an image or a reference definition in upstream text is
shown as text; a bare URL stays as written, showing where it goes).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.models import Digest, Post, Ranked, SourceScore
from bot.render.common import (
    COUNTS_TIME,
    counts_phrase,
    digest_title,
    empty_selection,
    explanation,
    filters_phrase,
    footer_lines,
    no_announcement,
    one_line,
    plain,
    reason,
    tldr_line,
    utc,
)
from bot.sourcenames import label
from bot.taxonomy import load_taxonomy

_TAG = re.compile(r"<(?=[A-Za-z/!?])")
_INLINE_LINK = re.compile(r"\](?=\()")
# A reference definition can only start a line: escaping every "[" that starts one stops them
# all, whatever the label holds (escaped brackets, line breaks).
_DEFINITION = re.compile(r"^(\s{0,3}(?:>\s?)*\s{0,3})\[", re.MULTILINE)
_SAFE_URL = re.compile(r"^https?://[^\s()<>]+$")
_CATEGORY = re.compile(r"^[A-Za-z-]+(?:\.[A-Za-z-]+)?$")
# The reference posts write X/Twitter counts with no source name; every other source is named.
UNNAMED_SOURCE = "twitter"


def neutral(text: str) -> str:
    """Text as written, but it opens no HTML tag and makes no link.

    A ``<`` that would open a tag or an autolink becomes ``&lt;``; ``](`` (an inline link or
    image) becomes ``]\\(``; a ``[`` that starts a line (a reference definition) is escaped; control
    characters become spaces.
    """
    text = _INLINE_LINK.sub("]\\\\", _TAG.sub("&lt;", plain(text)))
    return _DEFINITION.sub(r"\1\\[", text)


def link(text: str, url: str) -> str:
    return f"[{text}]({url})" if _SAFE_URL.match(url) else text


def category_link(category: str) -> str:
    """``[cs.LG](https://arxiv.org/list/cs.LG/recent)``; a malformed category is only text."""
    if _CATEGORY.match(category):
        return f"[{category}](https://arxiv.org/list/{category}/recent)"
    return neutral(one_line(category))


def counts_line(part: SourceScore) -> str:
    when = f"{utc(part.taken_at):{COUNTS_TIME}}" if part.taken_at else ""
    if part.source == UNNAMED_SOURCE:
        stamp = f" ({when})" if when else ""
    else:
        stamp = f" ({label(part.source)}, {when})" if when else f" ({label(part.source)})"
    return neutral(one_line(f"- {counts_phrase(part.counts)}{stamp}"))


def quote(post: Post) -> str:
    lines = [f"> {neutral(line)}".rstrip() for line in post.text.strip().splitlines()] or [">"]
    when = f"{post.posted_at:%B %-d, %Y}" if post.posted_at else "link"
    author = f"{neutral(one_line(post.author))}, " if post.author else ""
    return "\n".join([*lines, ">", f"> — {author}{link(when, post.url)}"])


def item(rank: int, ranked: Ranked, *, explain: bool, weights: Mapping[str, float]) -> str:
    paper = ranked.paper
    head = [
        f"# {rank}. {neutral(one_line(paper.title))}",
        neutral(one_line(", ".join(paper.authors))),
    ]
    counts = [counts_line(part) for part in ranked.breakdown if part.counts]
    if explain:
        counts.append(f"- {explanation(ranked, dict(weights))}")
    links = [f"- links: {link('abs', paper.abs_url)} | {link('pdf', paper.pdf_url)}"]
    if paper.categories:
        links.append("- " + " | ".join(category_link(c) for c in paper.categories))
    notes = []
    if why := reason(ranked):
        notes.append(f"- why: {neutral(why)}")
    if tldr := tldr_line(ranked):
        notes.append(f"- TL;DR: {neutral(tldr)}")
    if ranked.links:
        notes.append("- more: " + " | ".join(link(x.label, x.url) for x in ranked.links))
    blocks = [*head, "\n".join(counts), "\n".join(links), "\n".join(notes)]
    if paper.abstract.strip():
        blocks.append(neutral(paper.abstract.strip()))
    blocks.extend(quote(post) for post in ranked.top_posts)
    return "\n\n".join(block for block in blocks if block)


def front_matter(digest: Digest) -> str:
    day = f"{digest.date:%Y-%m-%d}"
    moment = digest.counts_taken_at or digest.generated_at
    taxonomy = load_taxonomy()
    archives = dict.fromkeys(
        taxonomy.archives.get((r.paper.primary_category or "").split(".")[0], "")
        for r in digest.items
    )
    tags = ["arXiv", *(label(s) for s in digest.sources_used), *(a for a in archives if a)]
    tag_lines = "\n".join(f'  - "{t}"' for t in dict.fromkeys(tags))
    return (
        "---\n"
        f"title: {digest_title(digest)}\n"
        f"date: {utc(moment):%Y-%m-%dT%H:%M:%S}.000Z\n"
        'template: "post"\n'
        "draft: false\n"
        f'slug: "hot-papers-{day}"\n'
        'category: "arXiv"\n'
        f"tags:\n{tag_lines}\n"
        f'description: "Hot papers {day}"\n'
        "---"
    )


def render_markdown(
    digest: Digest, *, explain: bool = False, weights: Mapping[str, float] | None = None
) -> str:
    """The digest as a Hot Papers post (front matter included), ending with a newline."""
    weights = weights or {}
    sections = [front_matter(digest)]
    if filters_phrase(digest):
        sections.append(f"Filters: {neutral(one_line(filters_phrase(digest)))}.")
    if not digest.announced:
        sections.append(no_announcement(digest))
    elif not digest.items:
        sections.append(empty_selection(digest))
    sections.extend(
        item(rank, ranked, explain=explain, weights=weights)
        for rank, ranked in enumerate(digest.items, start=1)
    )
    footer = footer_lines(digest)
    if footer:
        sections.append("---\n\n" + neutral(one_line(" ".join(footer))))
    return plain("\n\n\n\n".join(sections)) + "\n"
