"""An Atom feed of published digests, one entry a day, built with feedgen. Pure.

Each entry carries the whole day as HTML (``DayEntry.content``), a one-line summary of its top
papers, and absolute links from ``base_url``; the feed links to itself (``rel="self"``).
Control characters (which XML 1.0 forbids: one would break the feed for every reader) are
removed from everything upstream, and LaTeX in titles becomes Unicode.
"""

from __future__ import annotations

from collections.abc import Sequence

from feedgen.feed import FeedGenerator

from bot.render.common import one_line, plain
from bot.render.html import FEED_FILE, DayEntry, text

FEED_ID = "urn:hotpapers:archive"
# The newest days the feed lists; a reader has seen the older ones.
FEED_DAYS = 30


def summary(day: DayEntry) -> str:
    """``5 papers: 1. Title — why. TL;DR: … 2. …``, on one line."""
    notes = [*day.top_notes, *[""] * len(day.top_titles)]
    tops = [
        f"{n}. {text(title)}" + (f" — {text(note)}" if note else "")
        for n, (title, note) in enumerate(zip(day.top_titles, notes, strict=False), start=1)
    ]
    return one_line(f"{day.papers} papers" + (": " + " ".join(tops) if tops else ""))


def render_atom(days: Sequence[DayEntry], *, base_url: str, title: str = "Hot Papers") -> str:
    """The feed of the newest days, newest first; every link absolute under ``base_url``."""
    base = base_url.rstrip("/") + "/"
    newest = sorted(days, key=lambda d: d.date, reverse=True)[:FEED_DAYS]
    feed = FeedGenerator()
    feed.id(FEED_ID)
    feed.title(one_line(title))
    feed.author({"name": "hotpapers"})
    feed.link(href=base + FEED_FILE, rel="self", type="application/atom+xml")
    feed.link(href=base + "index.html", rel="alternate", type="text/html")
    feed.updated(max((d.updated for d in days), default="1970-01-01T00:00:00Z"))
    for day in newest:
        entry = feed.add_entry(order="append")
        entry.id(f"urn:hotpapers:{one_line(day.slug)}")
        entry.title(one_line(text(day.title or f"Hot Papers {day.date}")))
        entry.updated(day.updated)
        entry.link(href=base + one_line(day.slug) + ".html", rel="alternate", type="text/html")
        entry.summary(summary(day))
        if day.content:
            entry.content(plain(day.content), type="html")
    return str(feed.atom_str(pretty=True).decode("utf-8"))
