"""The digest as a self-contained HTML page, and the archive's index page. Pure.

Pages are Jinja2 templates (``templates/``, autoescaped) filled with plain values built here:
every upstream string is stripped of control characters and has its LaTeX turned into Unicode
before the template escapes it, and an ``href`` is only ever an http(s) URL. Upstream text never
becomes a link: URLs inside quoted posts are shown by their domain, and a quote links to its
post. The page needs no script and no external resource: inline CSS, a dark scheme from
``prefers-color-scheme``, a layout for phones, ``<details>`` for abstracts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.insight.why import count
from bot.models import Digest, Ranked, SourceScore
from bot.render.common import (
    digest_title,
    empty_selection,
    explain,
    filters_phrase,
    footer_lines,
    no_announcement,
    number,
    one_line,
    plain,
    reason,
    tldr_line,
)
from bot.render.latex import to_unicode
from bot.render.text import excerpt
from bot.sourcenames import label

_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$")
# A URL inside a post's text (t.co links, and Twitter's scheme-less picture links).
# Punctuation that ends a sentence after a URL stays with the sentence.
_URL_IN_TEXT = re.compile(
    r"https?://[^\s<>\"']*[^\s<>\"'.,;:!?)\]]|\bpic\.twitter\.com/\w+", re.IGNORECASE
)
_HOST = re.compile(r"^(?:https?://)?(?:www\.)?([^/?#:\s]+)", re.IGNORECASE)
POINTS = "points: how much attention a paper drew, comparable across sources"
POST_CHARS = 320
# The index shows the newest days with their top papers, then every other day on one line.
INDEX_DAYS = 14
FEED_FILE = "feed.xml"


@functools.cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("bot.render", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_template(name: str, **values: Any) -> str:
    """A template of ``templates/`` filled with ``values``; no control character survives."""
    return plain(_templates().get_template(name).render(**values))


def text(value: str) -> str:
    """Upstream prose for a page: no control characters, LaTeX as Unicode (escaped later)."""
    return to_unicode(plain(value))


def href(url: str) -> str | None:
    """``url`` if it may be a link (http or https, nothing that could leave the attribute)."""
    return url if _SAFE_URL.match(url) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Anchor:
    label: str
    href: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A piece of a quoted post: text as written, or a URL shown by its domain."""

    text: str
    domain: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    spans: tuple[Span, ...]
    author: str
    post: Anchor


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    label: str
    points: str
    counts: str
    explained: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PaperView:
    rank: int
    anchor: str
    title: str
    abs_url: str
    pdf_url: str
    authors: str
    score: str
    why: str
    tldr: str
    sources: tuple[Source, ...]
    links: tuple[Anchor, ...]
    categories: tuple[str, ...]
    abstract: str
    quotes: tuple[Quote, ...]


def domain(url: str) -> str:
    """How a URL from upstream text is shown: ``t.co link``, ``github.com``, ``link``."""
    match = _HOST.match(url)
    host = match.group(1).lower() if match else ""
    if host == "t.co":
        return "t.co link"
    return host or "link"


def spans(post_text: str) -> tuple[Span, ...]:
    """A post's text with every URL in it replaced by its domain, never a live link."""
    found: list[Span] = []
    at = 0
    for match in _URL_IN_TEXT.finditer(post_text):
        if match.start() > at:
            found.append(Span(text=post_text[at : match.start()]))
        found.append(Span(text=domain(match.group()), domain=True))
        at = match.end()
    if at < len(post_text):
        found.append(Span(text=post_text[at:]))
    return tuple(found)


def points(score: float) -> str:
    """A score for the badge: whole points from 10 up, one decimal below."""
    return f"{score:,.0f}" if score >= 10 else number(round(score, 1))


def _source(part: SourceScore) -> Source:
    return Source(
        label=label(part.source),
        points=points(part.score),
        counts=", ".join(count(n, one_line(metric)) for metric, n in part.counts.items() if n),
        explained=one_line(explain(part)),
    )


def _quote(post_text: str, author: str, url: str) -> Quote:
    shown = excerpt(" ".join(plain(post_text).split()), POST_CHARS)
    return Quote(
        spans=spans(shown),
        author=one_line(author),
        post=Anchor(label="post", href=href(url)),
    )


def paper_view(rank: int, item: Ranked) -> PaperView:
    """What the page shows of one paper, every string cleaned, every link checked."""
    paper = item.paper
    return PaperView(
        rank=rank,
        anchor=one_line(paper.arxiv_id),
        title=one_line(text(paper.title)),
        abs_url=href(paper.abs_url) or "",
        pdf_url=href(paper.pdf_url) or "",
        authors=one_line(text(", ".join(paper.authors))),
        score=points(item.score),
        why=reason(item),
        tldr=one_line(text(tldr_line(item))),
        sources=tuple(_source(p) for p in item.breakdown if p.counts),
        links=tuple(Anchor(label=one_line(x.label), href=href(x.url)) for x in item.links),
        categories=tuple(one_line(c) for c in paper.categories),
        abstract=text(paper.abstract.strip()),
        quotes=tuple(_quote(p.text, p.author, p.url) for p in item.top_posts),
    )


def title_parts(title: str) -> tuple[str, ...]:
    """The title's words, which a line may only break between: a browser would otherwise break
    a date at its hyphens (``2021-03-⏎18`` on a phone)."""
    return tuple(title.split())


def notice(digest: Digest) -> str:
    """Why a digest shows no paper (no announcement, or nothing matched); "" when it shows some."""
    if not digest.announced:
        return no_announcement(digest)
    return "" if digest.items else empty_selection(digest)


def render_html(digest: Digest, *, index_href: str = "index.html") -> str:
    """One day's digest as a complete page."""
    title = digest_title(digest)
    return render_template(
        "day.html.j2",
        title=title,
        title_parts=title_parts(title),
        filters=filters_phrase(digest),
        notice=notice(digest),
        papers=[paper_view(n, item) for n, item in enumerate(digest.items, start=1)],
        footer=footer_lines(digest),
        index_href=index_href,
        feed_href=FEED_FILE,
        points_legend=POINTS,
    )


def render_feed_content(digest: Digest, *, page_url: str) -> str:
    """The day's digest as the HTML of a feed entry: every paper in full, no styles."""
    return render_template(
        "entry.html.j2",
        papers=[paper_view(n, item) for n, item in enumerate(digest.items, start=1)],
        notice=notice(digest),
        footer=footer_lines(digest),
        page_url=href(page_url),
        points_legend=POINTS,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DayEntry:
    """One published day, as the index and the feed list it."""

    date: str
    slug: str
    papers: int
    top_titles: tuple[str, ...]
    updated: str
    # Per top paper, why it is hot and its TL;DR (older manifests have none).
    top_notes: tuple[str, ...] = ()
    title: str = ""
    # Per top paper, its arXiv id (the anchor on the day's page) and its points.
    top_ids: tuple[str, ...] = ()
    top_scores: tuple[float, ...] = ()
    # The day as the HTML of a feed entry; kept for the days the feed lists only.
    content: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopView:
    title: str
    href: str
    note: str
    score: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DayView:
    title: str
    href: str
    papers: int
    tops: tuple[TopView, ...]


def _day_view(day: DayEntry) -> DayView:
    page = f"{day.slug}.html"
    tops = []
    for n, title in enumerate(day.top_titles):
        anchor = day.top_ids[n] if n < len(day.top_ids) else ""
        score = day.top_scores[n] if n < len(day.top_scores) else None
        tops.append(
            TopView(
                title=one_line(text(title)),
                href=f"{page}#{anchor}" if anchor else page,
                note=one_line(text(day.top_notes[n])) if n < len(day.top_notes) else "",
                score=points(score) if score is not None else "",
            )
        )
    return DayView(
        title=one_line(day.title or f"Hot Papers {day.date}"),
        href=page,
        papers=day.papers,
        tops=tuple(tops),
    )


def render_index(days: Sequence[DayEntry], *, title: str = "Hot Papers") -> str:
    """The archive's front page: the newest days with their top papers, then every other day."""
    newest = sorted(days, key=lambda d: d.date, reverse=True)
    return render_template(
        "index.html.j2",
        title=one_line(title),
        title_parts=title_parts(one_line(title)),
        latest=[_day_view(d) for d in newest[:INDEX_DAYS]],
        earlier=[_day_view(d) for d in newest[INDEX_DAYS:]],
        feed_href=FEED_FILE,
        points_legend=POINTS,
    )
