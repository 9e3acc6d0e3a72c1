"""A digest as Slack messages: Block Kit built with slack_sdk's models, every limit respected.

Upstream text (and the user's own keywords) is escaped (``&``, ``<``, ``>``) and stripped of
control characters, in the blocks and in the fallback ``text`` alike, so that nothing can
mention ``@channel`` or a user, or inject a link; links are built by us from checked URLs. A
long digest is split into several messages; each stays under the block count and a
conservative total size, and carries a plain-text fallback.

Each paper: its linked title, a short author list, why it is hot, its score, its categories
and links (abs, pdf, code, threads, alphaXiv, Hugging Face), its TL;DR (the abstract's start
when there is none) and its top posts; in a channel, the group's own count apart from the
score, and (``buttons``) an actions block: 👍 for us, 👎 not for us, 🔖 save, 🧵 discuss, each
with the paper's arXiv id as its value and ``block_id`` ``hp_paper_<rank>``, which tells which
papers a posted message carries (``carried``).

Rendering is pure, and the same digest is answered to many commands: ``Rendered`` keeps each
paper's blocks (as dicts, with their size) by the ranked item they were made from, so that a
digest asked for again is assembled, not rendered again.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.feedback.actions import ACTIONS, FACES, action_id
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

MAX_BLOCKS = 45  # Slack allows 50 a message
MAX_MESSAGE_CHARS = 12_000  # well under the undocumented total size at which Slack refuses a post
SECTION_CHARS = 3000
HEADER_CHARS = 150
_SAFE_URL = re.compile(r"^https?://[^\s<>|]+$")
PAPER_BLOCK = "hp_paper_"
MAX_RENDERED = 2048  # papers whose blocks are kept (a few kB each)
Group = tuple[list[dict[str, Any]], int]  # blocks that stay together, and their size


def escape(text: str) -> str:
    """Text that Slack shows as written: no mention, no link, no control character."""
    return plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, text: str, limit: int = 300) -> str:
    label_text = _escaped(text, limit).replace("|", "¦")
    return f"<{url}|{label_text}>" if _SAFE_URL.match(url) else label_text


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _escaped(text: str, limit: int) -> str:
    """``escape(text)`` in at most ``limit`` characters; a cut never leaves half an entity."""
    out = escape(text)
    if len(out) <= limit:
        return out
    return re.sub(r"&[a-z]{0,3}$", "", out[: limit - 1]) + "…"


def _post_line(text: str, author: str, url: str) -> str:
    who = _escaped(one_line(author), 100) or "post"
    return f"“{_escaped(excerpt(text, 160), 400)}” — {who} {link(url, 'link')}"


def buttons(rank: int, arxiv_id: str) -> ActionsBlock:
    """The paper's four buttons; ``block_id`` names its rank, each value is its id."""
    return ActionsBlock(
        block_id=f"{PAPER_BLOCK}{rank}",
        elements=[
            ButtonElement(
                text=PlainTextObject(text=" ".join(FACES[action]), emoji=True),
                action_id=action_id(action),
                value=arxiv_id,
            )
            for action in ACTIONS
        ],
    )


def carried(message: Mapping[str, Any]) -> list[tuple[int, str]]:
    """The (rank, arXiv id) of the papers a rendered message carries, from its buttons."""
    found: list[tuple[int, str]] = []
    for block in message.get("blocks") or []:
        block_id = str(block.get("block_id", "")) if isinstance(block, dict) else ""
        rank = block_id.removeprefix(PAPER_BLOCK)
        if block_id.startswith(PAPER_BLOCK) and rank.isdigit() and block.get("elements"):
            found.append((int(rank), str(block["elements"][0].get("value", ""))))
    return found


def paper_blocks(rank: int, item: Ranked, *, with_buttons: bool = False) -> list[Block]:
    paper = item.paper
    engagement = " · ".join(
        f"{label(p.source)}: {counts_phrase(p.counts, ' ')}" for p in item.breakdown if p.counts
    )
    # Each upstream piece is cut before it is escaped; if escaping still makes the section too
    # long, the last resort cut at SECTION_CHARS falls in the TL;DR, after every link.
    title = _cut(one_line(paper.title), 250)
    lines = [
        f"*{link(paper.abs_url, f'{rank}. {title}')}*",
        escape(_cut(one_line(short_authors(paper.authors)), 200)),
    ]
    if why := reason(item):
        lines.append(f"_{escape(_cut(why, 300))}_")
    lines.append(
        f"score {number(item.score)}"
        + (f" · {escape(_cut(engagement, 300))}" if engagement else "")
    )
    places = [link(paper.abs_url, "abs"), link(paper.pdf_url, "pdf")]
    places += [link(x.url, _cut(one_line(x.label), 40)) for x in item.links[:8]]
    cats = " ".join(f"`{escape(_cut(one_line(c), 30))}`" for c in paper.categories[:8])
    lines.append(f"{cats} · " + " · ".join(places))
    if tldr := tldr_line(item):
        lines.append("> *TL;DR* " + escape(excerpt(tldr, 400)))
    elif paper.abstract.strip():
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
    if item.own:
        own = MarkdownTextObject(text=_escaped(item.own, 300))
        blocks.append(ContextBlock(elements=[own]))
    if with_buttons:
        blocks.append(buttons(rank, paper.arxiv_id))
    return blocks


def title(digest: Digest) -> str:
    """The digest's title with its filters, as typed: plain text, for the header block only."""
    filters = filters_phrase(digest)
    return one_line(digest_title(digest) + (f" — {filters}" if filters else ""))


class Rendered:
    """The blocks of papers already rendered, kept by the ranked item they were made from.

    Ranked items are frozen, and a cached digest answers many commands with the same items:
    an item is found by its identity (it is kept with its blocks, so the identity stays its
    own). The least recently used leave first. The blocks are shared: read them, never change
    them.
    """

    def __init__(self, size: int = MAX_RENDERED) -> None:
        self.size = size
        self.rendered = 0  # papers rendered (not found)
        self._kept: OrderedDict[tuple[int, int, bool], tuple[Ranked, Group]] = OrderedDict()

    def paper(self, rank: int, item: Ranked, *, with_buttons: bool) -> Group:
        key = (id(item), rank, with_buttons)
        kept = self._kept.get(key)
        if kept is not None and kept[0] is item:
            self._kept.move_to_end(key)
            return kept[1]
        group = _group(paper_blocks(rank, item, with_buttons=with_buttons))
        self.rendered += 1
        self._kept[key] = (item, group)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return group


def to_messages(
    digest: Digest, *, with_buttons: bool = False, rendered: Rendered | None = None
) -> list[dict[str, Any]]:
    """Messages ready for ``chat.postMessage`` or a webhook: ``{"text", "blocks"}`` each;
    ``with_buttons`` for the app's own posts and answers (a webhook's cannot carry them).
    ``rendered``: papers rendered before are taken from there (their blocks are shared)."""
    head = _group([HeaderBlock(text=PlainTextObject(text=_cut(title(digest), HEADER_CHARS)))])
    body: list[Group] = []
    if not digest.announced:
        body.append(
            _group([SectionBlock(text=MarkdownTextObject(text=escape(no_announcement(digest))))])
        )
    elif not digest.items:
        body.append(
            _group([SectionBlock(text=MarkdownTextObject(text=escape(empty_selection(digest))))])
        )
    for rank, item in enumerate(digest.items, start=1):
        if rendered is None:
            body.append(_group(paper_blocks(rank, item, with_buttons=with_buttons)))
        else:
            body.append(rendered.paper(rank, item, with_buttons=with_buttons))
    footer = footer_lines(digest)
    if footer:
        body.append(
            _group(
                [
                    DividerBlock(),
                    ContextBlock(
                        elements=[MarkdownTextObject(text=_cut(escape(" ".join(footer)), 2000))]
                    ),
                ]
            )
        )
    messages: list[list[dict[str, Any]]] = [list(head[0])]
    size = head[1]
    for blocks, group_size in body:
        if len(messages[-1]) + len(blocks) > MAX_BLOCKS or size + group_size > MAX_MESSAGE_CHARS:
            messages.append([])
            size = 0
        messages[-1].extend(blocks)
        size += group_size
    total = len(messages)
    return [
        {
            # The notification text is mrkdwn too: the user's keywords in it are escaped.
            "text": _cut(escape(title(digest)) + (f" ({n}/{total})" if total > 1 else ""), 3000),
            "blocks": blocks,
        }
        for n, blocks in enumerate(messages, start=1)
    ]


def _group(blocks: list[Block]) -> Group:
    """The blocks as dicts (made once), and their size as JSON."""
    dicts = [block.to_dict() for block in blocks]
    return dicts, sum(len(json.dumps(d, ensure_ascii=False)) for d in dicts)
