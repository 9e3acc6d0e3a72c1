"""A digest as Slack messages: Block Kit built with slack_sdk's models, every limit respected.

Upstream text is escaped (``&``, ``<``, ``>``) so that nothing can mention ``@channel`` or a
user, or inject a link. A long digest is split into several messages; each stays under the
block count and a conservative total size, and carries a plain-text fallback.
"""

from __future__ import annotations

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

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

MAX_BLOCKS = 45  # Slack allows 50 a message
MAX_MESSAGE_CHARS = 12_000  # well under the undocumented total size at which Slack refuses a post
SECTION_CHARS = 3000
HEADER_CHARS = 150
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")


def escape(text: str) -> str:
    """Text that Slack shows as written: no mention, no link, no formatting control."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, text: str) -> str:
    label_text = escape(text).replace("|", "¦")
    return f"<{url}|{label_text}>" if _SAFE_URL.match(url) else label_text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _post_line(text: str, author: str, url: str) -> str:
    who = escape(one_line(author)) or "post"
    return f"“{escape(excerpt(text, 160))}” — {who} {link(url, 'link')}"


def paper_blocks(rank: int, item: Ranked) -> list[Block]:
    paper = item.paper
    authors = _cut(", ".join(paper.authors), 300)
    engagement = " · ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
    )
    lines = [
        f"*{link(paper.abs_url, f'{rank}. {one_line(paper.title)}')}*",
        escape(authors),
        f"score {number(item.score)}" + (f" · {escape(engagement)}" if engagement else ""),
        " ".join(f"`{escape(c)}`" for c in paper.categories)
        + f" · {link(paper.abs_url, 'abs')} · {link(paper.pdf_url, 'pdf')}",
    ]
    if paper.abstract.strip():
        lines.append("> " + escape(excerpt(paper.abstract, 400)))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_cut("\n".join(lines), SECTION_CHARS)))
    ]
    if item.top_posts:
        elements = [
            MarkdownTextObject(text=_cut(_post_line(post.text, post.author, post.url), 1000))
            for post in item.top_posts[:3]
        ]
        blocks.append(ContextBlock(elements=elements))
    return blocks


def title(digest: Digest) -> str:
    filters = filters_phrase(digest)
    return f"Hot Papers {digest.date:%Y-%m-%d}" + (f" — {filters}" if filters else "")


def to_messages(digest: Digest) -> list[dict[str, Any]]:
    """Messages ready for ``chat.postMessage`` or a webhook: ``{"text", "blocks"}`` each."""
    head: list[Block] = [HeaderBlock(text=PlainTextObject(text=_cut(title(digest), HEADER_CHARS)))]
    body: list[list[Block]] = []
    if not digest.announced:
        body.append([SectionBlock(text=MarkdownTextObject(text=escape(no_announcement(digest))))])
    elif not digest.items:
        body.append([SectionBlock(text=MarkdownTextObject(text=escape(empty_selection(digest))))])
    body += [paper_blocks(rank, item) for rank, item in enumerate(digest.items, start=1)]
    footer = footer_lines(digest)
    if footer:
        body.append(
            [
                DividerBlock(),
                ContextBlock(
                    elements=[MarkdownTextObject(text=_cut(escape(" ".join(footer)), 2000))]
                ),
            ]
        )
    messages: list[list[Block]] = [list(head)]
    size = _size(head)
    for group in body:
        group_size = _size(group)
        if len(messages[-1]) + len(group) > MAX_BLOCKS or size + group_size > MAX_MESSAGE_CHARS:
            messages.append([])
            size = 0
        messages[-1].extend(group)
        size += group_size
    total = len(messages)
    return [
        {
            "text": _cut(title(digest) + (f" ({n}/{total})" if total > 1 else ""), 3000),
            "blocks": [block.to_dict() for block in blocks],
        }
        for n, blocks in enumerate(messages, start=1)
    ]


def _size(blocks: list[Block]) -> int:
    return sum(len(json.dumps(b.to_dict(), ensure_ascii=False)) for b in blocks)
