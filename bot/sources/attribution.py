"""Mapping one social post to the day's papers it links.

The rule: a post is matched to every paper of the day that its text or links refer to (any
form ``find_refs`` knows); when it links n of them, each gets 1/n of the post's engagement, so
that a round-up of twenty papers does not count twenty times. Posts linking none are dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Set

from bot.ids import find_refs
from bot.models import Post, Signal


def attribute(
    source: str,
    post: Post,
    links: Iterable[str],
    wanted: Set[str],
    *,
    taken_at: dt.datetime,
) -> list[Signal]:
    """One signal per paper of the day that the post refers to, each with its share."""
    ids = dict.fromkeys(
        ref.arxiv_id
        for text in (post.text, *links)
        for ref in find_refs(text)
        if ref.arxiv_id in wanted
    )
    if not ids:
        return []
    share = 1.0 / len(ids)
    return [
        Signal(
            source=source,
            arxiv_id=arxiv_id,
            counts=post.counts,
            post=post,
            share=share,
            taken_at=taken_at,
        )
        for arxiv_id in ids
    ]
