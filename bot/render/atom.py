"""An Atom feed of published digests, one entry a day. Pure.

Control characters (which XML 1.0 forbids: one would break the feed for every reader) are
removed from everything upstream.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from bot.render.common import one_line
from bot.render.html import DayEntry

FEED_ID = "urn:hotpapers:archive"


def render_atom(days: Sequence[DayEntry], *, base_url: str = "", title: str = "Hot Papers") -> str:
    """The feed: an entry per day, newest first, with a summary and a link to its page."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    newest = sorted(days, key=lambda d: d.date, reverse=True)
    updated = max((d.updated for d in days), default="1970-01-01T00:00:00Z")
    entries = []
    for day in newest:
        tops = [
            f"{n}. {title}" + (f" — {note}" if note else "")
            for n, (title, note) in enumerate(
                zip(day.top_titles, [*day.top_notes, *[""] * len(day.top_titles)], strict=False),
                start=1,
            )
        ]
        summary = one_line(f"{day.papers} papers" + (": " + " ".join(tops) if tops else ""))
        entries.append(
            "<entry>"
            f"<id>urn:hotpapers:{escape(day.slug)}</id>"
            f"<title>{escape(one_line(day.title or 'Hot Papers ' + day.date))}</title>"
            f"<updated>{escape(day.updated)}</updated>"
            f'<link rel="alternate" type="text/html" href={quoteattr(base + day.slug + ".html")}/>'
            f"<summary>{escape(summary)}</summary>"
            "</entry>"
        )
    self_link = f'<link rel="self" href={quoteattr(base + "feed.xml")}/>' if base else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{FEED_ID}</id><title>{escape(one_line(title))}</title><updated>{escape(updated)}</updated>"
        f"<author><name>hotpapers</name></author>{self_link}"
        f'<link rel="alternate" type="text/html" href={quoteattr(base + "index.html")}/>'
        + "".join(entries)
        + "</feed>\n"
    )
