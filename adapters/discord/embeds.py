"""A digest as Discord messages: one embed per paper, every limit respected.

Markdown in upstream text is escaped (every masked link, not only the first as
``discord.utils.escape_markdown`` does), ``<…>`` mentions, channels, emoji and timestamps are
shown as text, control characters are removed, and mentions are neutralised (every message is
also sent with ``allowed_mentions`` empty), so nothing can ping ``@everyone`` or a role, or
hide a link. Links are ours, from checked URLs. Limits: title 256, description 4096, footer
2048, 10 embeds and 6000 characters of embeds per message, 2000 characters of content.

Each paper: its linked title, a short author list, why it is hot, its score, its links (abs,
pdf, code, threads, alphaXiv, Hugging Face), its TL;DR (the abstract's start when there is
none) and its top posts; in a channel, the group's own count apart from the score, and
(``with_buttons``) a row of buttons per paper: 👍 for us, 👎 not for us, 🔖 save, 🧵 discuss,
whose ``custom_id`` carries the paper (``hp:like:<id>``). A message holds at most five rows,
so a digest with buttons has at most five papers a message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import discord

from bot.feedback.actions import ACTIONS, FACES, custom_id, parse_custom_id
from bot.insight import short_authors
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

MAX_EMBEDS = 10
MAX_ROWS = 5  # action rows in one message
MAX_EMBED_CHARS = 6000
CONTENT_CHARS = 2000
FOOTER_CHARS = 300
NO_MENTIONS: dict[str, Any] = {"parse": []}
_SAFE_URL = re.compile(r"^https?://[^\s<>()\[\]]+$")
# A URL stays whole (a backslash inside would break it); around it, every character that can
# start markdown, a masked link or a <…> mention is escaped, and the line-start ones at a line
# start (a hyphen inside a word is no list).
_URL = r"https?://[A-Za-z0-9._~:/?#@!$&'+,;=%-]+"
# Escaping "[" and "]" is enough to break every masked link; parentheses, common in titles,
# stay unescaped.
_ANYWHERE = r"[\\*_~`|\[\]<>]"
_UNSAFE_IN_LABEL = re.compile(r"[^\w .,/#+:-]")
_LINE_START = r"(?<![^\n])[ \t]*(?:#|-|\d+\.|>)"
_MARKDOWN = re.compile(f"(?P<url>{_URL})|(?P<start>{_LINE_START})|(?P<char>{_ANYWHERE})")


def _escape_one(match: re.Match[str]) -> str:
    found = match.group()
    if match.group("url"):
        return found
    # A backslash before the markdown character: "\#", "1\.", "\-", "\*", "\[".
    return found[:-1] + "\\" + found[-1]


def _label(text: str) -> str:
    """A masked link's label: Discord shows escaping backslashes inside one, so the label
    keeps only characters that need none (our labels are words: ``GitHub``, ``r/ML_news``)."""
    return _cut(_UNSAFE_IN_LABEL.sub("", one_line(text)), 40) or "link"


def escape(text: str) -> str:
    """Text that Discord shows as written: no markdown, no link, no mention, no control."""
    return discord.utils.escape_mentions(_MARKDOWN.sub(_escape_one, plain(text)))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def paper_embed(rank: int, item: Ranked) -> discord.Embed:
    paper = item.paper
    engagement = " · ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
    )
    lines = [escape(_cut(one_line(short_authors(paper.authors)), 300))]
    if why := reason(item):
        lines.append(f"*{escape(_cut(why, 300))}*")
    lines.append(
        f"**score {number(item.score)}**"
        + (f" · {escape(_cut(engagement, 300))}" if engagement else "")
    )
    places = [f"[abs]({paper.abs_url})", f"[pdf]({paper.pdf_url})"]
    places += [f"[{_label(x.label)}]({x.url})" for x in item.links[:8] if _SAFE_URL.match(x.url)]
    lines.append(" · ".join(places))
    if tldr := tldr_line(item):
        lines.append(f"**TL;DR** {escape(excerpt(tldr, 500))}")
    elif paper.abstract.strip():
        lines.append(escape(excerpt(paper.abstract, 500)))
    for post in item.top_posts[:3]:
        where = f" ([link]({post.url}))" if _SAFE_URL.match(post.url) else ""
        who = escape(_cut(one_line(post.author), 100))
        lines.append(f"> “{escape(excerpt(post.text, 160))}” — {who}{where}")
    embed = discord.Embed(
        title=_cut(f"{rank}. {escape(_cut(one_line(paper.title), 200))}", 256),
        url=paper.abs_url,
        description=_cut("\n".join(lines), 4096),
    )
    # Footer 2048 is allowed, but title 256 + description 4096 + footer must stay under the
    # 6000 of a whole message, so the categories get a few hundred characters at most.
    footer = one_line(" · ".join(paper.categories))
    if item.own:
        footer = f"{one_line(item.own)} · {footer}"
    embed.set_footer(text=_cut(footer, FOOTER_CHARS))
    return embed


def buttons(arxiv_id: str) -> dict[str, Any]:
    """A paper's row of four buttons (secondary style), each ``custom_id`` carrying its id."""
    return {
        "type": 1,
        "components": [
            {
                "type": 2,
                "style": 2,
                "label": FACES[action][1],
                "emoji": {"name": FACES[action][0]},
                "custom_id": custom_id(action, arxiv_id),
            }
            for action in ACTIONS
        ],
    }


def carried(message: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The (rank, arXiv id) of the papers a rendered message carries: its embeds' ranks (their
    titles start "N. ") with its rows of buttons, in the same order."""
    found: list[tuple[int, str]] = []
    for embed, row in zip(
        message.get("embeds") or [], message.get("components") or [], strict=False
    ):
        rank = str(embed.get("title", "")).partition(".")[0]
        first = (row.get("components") or [{}])[0]
        pressed = parse_custom_id(str(first.get("custom_id", "")))
        if rank.isdigit() and pressed is not None:
            found.append((int(rank), pressed.arxiv_id))
    return found


def _embed_chars(embed: discord.Embed) -> int:
    return len(embed)


def to_messages(digest: Digest, *, with_buttons: bool = False) -> list[dict[str, Any]]:
    """Payloads ready for a channel or a webhook: ``{"content", "embeds", "allowed_mentions"}``,
    and ``components`` ``with_buttons`` (the bot's own posts; a webhook's cannot carry them)."""
    filters = filters_phrase(digest)
    header = f"**{escape(digest_title(digest))}**" + (f" — {escape(filters)}" if filters else "")
    notes = []
    if not digest.announced:
        notes.append(no_announcement(digest))
    elif not digest.items:
        notes.append(empty_selection(digest))
    footer = " ".join(footer_lines(digest))
    most = MAX_ROWS if with_buttons else MAX_EMBEDS
    groups: list[list[tuple[discord.Embed, str]]] = [[]]
    chars = 0
    for rank, item in enumerate(digest.items, start=1):
        embed = paper_embed(rank, item)
        size = _embed_chars(embed)
        if len(groups[-1]) >= most or chars + size > MAX_EMBED_CHARS:
            groups.append([])
            chars = 0
        groups[-1].append((embed, item.paper.arxiv_id))
        chars += size
    messages = []
    for n, group in enumerate(groups, start=1):
        parts = [header + (f" ({n}/{len(groups)})" if len(groups) > 1 else "")]
        if n == 1:
            parts += [escape(note) for note in notes]
        if n == len(groups) and footer:
            parts.append(f"-# {escape(footer)}")
        message: dict[str, Any] = {
            "content": _cut("\n".join(parts), CONTENT_CHARS),
            "embeds": [e.to_dict() for e, _ in group],
            "allowed_mentions": NO_MENTIONS,
        }
        if with_buttons:
            message["components"] = [buttons(arxiv_id) for _, arxiv_id in group]
        messages.append(message)
    return messages
