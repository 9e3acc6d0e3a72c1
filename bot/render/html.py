"""The digest as a small self-contained HTML page, and the archive's index page. Pure.

Everything from upstream is HTML-escaped; links are only made of http(s) URLs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.models import Digest, Ranked
from bot.render.common import (
    counts_phrase,
    empty_selection,
    filters_phrase,
    footer_lines,
    no_announcement,
    number,
    one_line,
)
from bot.render.text import excerpt
from bot.sourcenames import label

_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$")
STYLE = " ".join(
    [
        "body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;",
        "padding:0 1rem;color:#1d2733}",
        "h1{font-size:1.8rem}h2{font-size:1.2rem;margin:2rem 0 .2rem}a{color:#1d4ed8}",
        ".meta,.footer{color:#5b6673;font-size:.9rem}",
        ".cats span{background:#eef2f7;border-radius:4px;padding:0 .35rem;margin-right:.3rem}",
        "blockquote{border-left:3px solid #cbd5e1;margin:.6rem 0;padding:.1rem .8rem;",
        "color:#334155}",
    ]
)


def link(url: str, text: str) -> str:
    if _SAFE_URL.match(url):
        return f'<a href="{escape(url)}">{escape(text)}</a>'
    return escape(text)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n"
    )


def _item(rank: int, item: Ranked) -> str:
    paper = item.paper
    engagement = "; ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
    )
    parts = [
        f'<article id="{escape(paper.arxiv_id)}">',
        f"<h2>{rank}. {link(paper.abs_url, one_line(paper.title))}</h2>",
        f'<p class="meta">{escape(", ".join(paper.authors))}</p>',
        f'<p class="meta">score {number(item.score)}'
        + (f" · {escape(engagement)}" if engagement else "")
        + "</p>",
        '<p class="cats">'
        + "".join(f"<span>{escape(c)}</span>" for c in paper.categories)
        + f" {link(paper.abs_url, 'abs')} · {link(paper.pdf_url, 'pdf')}</p>",
    ]
    if paper.abstract.strip():
        parts.append(f"<p>{escape(paper.abstract.strip())}</p>")
    for post in item.top_posts:
        who = f" — {escape(one_line(post.author))}" if post.author else ""
        quoted = escape(excerpt(post.text, 400))
        parts.append(f"<blockquote>{quoted}{who} ({link(post.url, 'post')})</blockquote>")
    parts.append("</article>")
    return "\n".join(parts)


def render_html(digest: Digest, *, index_href: str = "index.html") -> str:
    """One day's digest as a complete page."""
    title = f"Hot Papers {digest.date:%Y-%m-%d}"
    heading = escape(title) + (
        f" <small>({escape(filters_phrase(digest))})</small>" if filters_phrase(digest) else ""
    )
    body = [
        f'<p class="meta"><a href="{escape(index_href)}">All days</a></p>',
        f"<h1>{heading}</h1>",
    ]
    if not digest.announced:
        body.append(f"<p>{escape(no_announcement(digest))}</p>")
    elif not digest.items:
        body.append(f"<p>{escape(empty_selection(digest))}</p>")
    body += [_item(rank, item) for rank, item in enumerate(digest.items, start=1)]
    body += [f'<p class="footer">{escape(line)}</p>' for line in footer_lines(digest)]
    return page(title, "\n".join(body))


@dataclass(frozen=True, slots=True, kw_only=True)
class DayEntry:
    """One published day, as the index and the feed list it."""

    date: str
    slug: str
    papers: int
    top_titles: tuple[str, ...]
    updated: str


def render_index(days: Sequence[DayEntry], *, title: str = "Hot Papers") -> str:
    """The archive's front page: every published day, newest first."""
    rows = [
        f'<li><a href="{escape(d.slug)}.html">{escape(d.date)}</a> — {d.papers} papers'
        + (f": {escape(' · '.join(d.top_titles))}" if d.top_titles else "")
        + "</li>"
        for d in sorted(days, key=lambda d: d.date, reverse=True)
    ]
    body = (
        f"<h1>{escape(title)}</h1>\n"
        + '<p class="meta"><a href="feed.xml">Atom feed</a></p>\n<ol class="days">\n'
        + "\n".join(rows)
        + "\n</ol>"
    )
    return page(title, body)
