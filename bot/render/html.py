"""The digest as a small self-contained HTML page, and the archive's index page. Pure.

Everything from upstream is HTML-escaped and stripped of control characters; links are only
made of http(s) URLs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from bot.models import Digest, Ranked
from bot.render.common import (
    counts_phrase,
    digest_title,
    empty_selection,
    filters_phrase,
    footer_lines,
    no_announcement,
    number,
    one_line,
    plain,
    reason,
    tldr_line,
)
from bot.render.text import excerpt
from bot.sourcenames import label

_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$")
STYLE = " ".join(
    [
        "body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;",
        "padding:0 1rem;color:#1d2733}",
        "h1{font-size:1.8rem}h2{font-size:1.2rem;margin:2rem 0 .2rem}a{color:#1d4ed8}",
        ".meta,.footer,.links{color:#5b6673;font-size:.9rem}",
        ".why{font-weight:600;margin:.2rem 0}",
        ".cats span{background:#eef2f7;border-radius:4px;padding:0 .35rem;margin-right:.3rem}",
        "blockquote{border-left:3px solid #cbd5e1;margin:.6rem 0;padding:.1rem .8rem;",
        "color:#334155}",
    ]
)


def text(value: str) -> str:
    """Upstream text for a page: HTML-escaped, no control characters."""
    return escape(plain(value))


def link(url: str, label: str) -> str:
    if _SAFE_URL.match(url):
        return f'<a href="{escape(url)}">{text(label)}</a>'
    return text(label)


def page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{text(title)}</title><style>{STYLE}</style></head>\n<body>\n{plain(body)}\n</body></html>\n"
    )


def _item(rank: int, item: Ranked) -> str:
    paper = item.paper
    engagement = "; ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
    )
    parts = [
        f'<article id="{escape(paper.arxiv_id)}">',
        f"<h2>{rank}. {link(paper.abs_url, one_line(paper.title))}</h2>",
        f'<p class="meta">{text(", ".join(paper.authors))}</p>',
        f'<p class="meta">score {number(item.score)}'
        + (f" · {text(engagement)}" if engagement else "")
        + "</p>",
    ]
    if why := reason(item):
        parts.append(f'<p class="why">{text(why)}</p>')
    if tldr := tldr_line(item):
        parts.append(f'<p class="tldr"><b>TL;DR</b> {text(tldr)}</p>')
    parts.append(
        '<p class="cats">'
        + "".join(f"<span>{text(c)}</span>" for c in paper.categories)
        + f" {link(paper.abs_url, 'abs')} · {link(paper.pdf_url, 'pdf')}</p>"
    )
    if item.links:
        parts.append(
            '<p class="links">' + " · ".join(link(x.url, x.label) for x in item.links) + "</p>"
        )
    if paper.abstract.strip():
        parts.append(f"<p>{text(paper.abstract.strip())}</p>")
    for post in item.top_posts:
        who = f" — {text(one_line(post.author))}" if post.author else ""
        quoted = text(excerpt(post.text, 400))
        parts.append(f"<blockquote>{quoted}{who} ({link(post.url, 'post')})</blockquote>")
    parts.append("</article>")
    return "\n".join(parts)


def render_html(digest: Digest, *, index_href: str = "index.html") -> str:
    """One day's digest as a complete page."""
    title = digest_title(digest)
    heading = text(title) + (
        f" <small>({text(filters_phrase(digest))})</small>" if filters_phrase(digest) else ""
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
    body += [f'<p class="footer">{text(line)}</p>' for line in footer_lines(digest)]
    return page(title, "\n".join(body))


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


def render_index(days: Sequence[DayEntry], *, title: str = "Hot Papers") -> str:
    """The archive's front page: every published day, newest first."""
    rows = [
        f'<li><a href="{escape(d.slug)}.html">{text(d.title or d.date)}</a> — {d.papers} papers'
        + (f": {text(' · '.join(d.top_titles))}" if d.top_titles else "")
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
