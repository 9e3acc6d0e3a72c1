"""A digest as Discord messages: one embed per paper, every limit respected.

Markdown in upstream text is escaped and mentions are neutralised (and every message is sent
with ``allowed_mentions`` empty), so nothing can ping ``@everyone`` or a role. Limits: title
256, description 4096, footer 2048, 10 embeds and 6000 characters of embeds per message,
2000 characters of content.
"""

from __future__ import annotations

import re
from typing import Any

import discord

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

MAX_EMBEDS = 10
MAX_EMBED_CHARS = 6000
CONTENT_CHARS = 2000
NO_MENTIONS: dict[str, Any] = {"parse": []}
_SAFE_URL = re.compile(r"^https?://[^\s<>()]+$")


def escape(text: str) -> str:
    """Text that Discord shows as written: no markdown, no mention."""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def paper_embed(rank: int, item: Ranked) -> discord.Embed:
    paper = item.paper
    engagement = " · ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
    )
    lines = [
        escape(_cut(", ".join(paper.authors), 300)),
        f"**score {number(item.score)}**" + (f" · {escape(engagement)}" if engagement else ""),
        f"[abs]({paper.abs_url}) · [pdf]({paper.pdf_url})",
    ]
    if paper.abstract.strip():
        lines.append(escape(excerpt(paper.abstract, 500)))
    for post in item.top_posts[:3]:
        where = f" ([link]({post.url}))" if _SAFE_URL.match(post.url) else ""
        lines.append(
            f"> “{escape(excerpt(post.text, 160))}” — {escape(one_line(post.author))}{where}"
        )
    embed = discord.Embed(
        title=_cut(f"{rank}. {escape(one_line(paper.title))}", 256),
        url=paper.abs_url,
        description=_cut("\n".join(lines), 4096),
    )
    embed.set_footer(text=_cut(" · ".join(paper.categories), 2048))
    return embed


def _embed_chars(embed: discord.Embed) -> int:
    return len(embed)


def to_messages(digest: Digest) -> list[dict[str, Any]]:
    """Payloads ready for a channel or a webhook: ``{"content", "embeds", "allowed_mentions"}``."""
    filters = filters_phrase(digest)
    header = f"**Hot Papers {digest.date:%Y-%m-%d}**" + (f" — {escape(filters)}" if filters else "")
    notes = []
    if not digest.announced:
        notes.append(no_announcement(digest))
    elif not digest.items:
        notes.append(empty_selection(digest))
    footer = " ".join(footer_lines(digest))
    embeds = [paper_embed(rank, item) for rank, item in enumerate(digest.items, start=1)]
    groups: list[list[discord.Embed]] = [[]]
    chars = 0
    for embed in embeds:
        size = _embed_chars(embed)
        if len(groups[-1]) >= MAX_EMBEDS or chars + size > MAX_EMBED_CHARS:
            groups.append([])
            chars = 0
        groups[-1].append(embed)
        chars += size
    messages = []
    for n, group in enumerate(groups, start=1):
        parts = [header + (f" ({n}/{len(groups)})" if len(groups) > 1 else "")]
        if n == 1:
            parts += [escape(note) for note in notes]
        if n == len(groups) and footer:
            parts.append(f"-# {escape(footer)}")
        messages.append(
            {
                "content": _cut("\n".join(parts), CONTENT_CHARS),
                "embeds": [e.to_dict() for e in group],
                "allowed_mentions": NO_MENTIONS,
            }
        )
    return messages
