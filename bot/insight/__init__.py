"""Annotations of the papers a digest shows: why each is hot, a TL;DR, its code and threads.

Pure functions from a ``Ranked`` paper (and the signals about it) to the ``why``, ``tldr``
and ``links`` fields; ``annotate`` fills them for the selected papers only, so a digest of ten
papers out of ten thousand annotates ten. No network, no model: the TL;DR is Hugging Face's
summary when a source brought one, else the abstract's key sentence. May import ``bot.models``,
``bot.sourcenames`` and pure helpers of ``bot.sources``; never a renderer or an adapter.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from bot.insight.authors import short_authors
from bot.insight.links import links
from bot.insight.tldr import key_sentence, tldr
from bot.insight.why import why
from bot.models import Ranked, Signal

__all__ = ["annotate", "key_sentence", "links", "short_authors", "tldr", "why"]


def annotate(items: Sequence[Ranked], signals: Iterable[Signal]) -> list[Ranked]:
    """``items`` with ``why``, ``tldr`` and ``links`` filled from their breakdown and signals."""
    wanted = {item.paper.arxiv_id for item in items}
    about: dict[str, list[Signal]] = defaultdict(list)
    for s in signals:
        if s.arxiv_id in wanted:
            about[s.arxiv_id].append(s)
    return [
        item.model_copy(
            update={
                "why": why(item),
                "tldr": tldr(item.paper, about[item.paper.arxiv_id]),
                "links": links(item.paper, about[item.paper.arxiv_id]),
            }
        )
        for item in items
    ]
