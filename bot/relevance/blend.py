"""Hot and relevant: a channel's digest orders its candidates by hotness and relevance mixed.

For each candidate paper (those passing the subscription's filters):

    hot       = its score / the best score among the candidates     (0 when nobody scored)
    relevance = the channel model's score among the candidates      (``bot.relevance.model``)
    total     = (1 − mix) × hot + mix × relevance

``mix`` 0 is the hot order, 1 the relevance order; ties keep the hot order. A paper that the
blend puts above its hot place says why: "close to what you liked: <title>". Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from bot.models import Blend, Digest, Ranked
from bot.subscriptions import DEFAULT_MIX

if TYPE_CHECKING:
    from bot.relevance.model import Relevance

__all__ = ["DEFAULT_MIX", "blend", "channel_digest"]
LIKED = "close to what you liked: "
PROFILE = "close to this channel's subjects and keywords"


def _why(item: Ranked, relevance: Relevance | None) -> str:
    if relevance is None:
        return item.why
    if relevance.near:
        lifted = LIKED + relevance.near
    elif relevance.method == "profile":
        lifted = PROFILE
    else:
        return item.why
    return " · ".join(p for p in (lifted, item.why) if p)


def blend(
    ranked: Sequence[Ranked], relevance: Mapping[str, Relevance], *, mix: float
) -> list[Ranked]:
    """The candidates (in hot order, best first) reordered by the blended total, each with
    its ``blend`` parts; ``why`` names what lifted a paper above its hot place."""
    if not 0.0 <= mix <= 1.0:
        raise ValueError(f"mix is from 0 to 1, not {mix}")
    if not ranked:
        return []
    best = max(r.score for r in ranked)
    parts: list[Blend] = []
    for item in ranked:
        found = relevance.get(item.paper.arxiv_id)
        hot = item.score / best if best > 0 else 0.0
        rel = found.score if found is not None else 0.0
        parts.append(
            Blend(
                mix=mix,
                hot=hot,
                relevance=rel,
                total=(1 - mix) * hot + mix * rel,
                near=found.near if found is not None else "",
                method=found.method if found is not None else "none",
            )
        )
    # sorted() is stable: equal totals keep the hot order (and its tie-breaks).
    order = sorted(range(len(ranked)), key=lambda i: -parts[i].total)
    out = []
    for place, i in enumerate(order):
        item = ranked[i]
        update: dict[str, object] = {"blend": parts[i]}
        if place < i:
            update["why"] = _why(item, relevance.get(item.paper.arxiv_id))
        out.append(item.model_copy(update=update))
    return out


def channel_digest(
    digest: Digest, relevance: Mapping[str, Relevance], *, mix: float, top: int | None
) -> Digest:
    """A digest of the channel's candidates, reordered by ``blend`` and cut to ``top``."""
    items = blend(digest.items, relevance, mix=mix)
    return digest.model_copy(
        update={
            "items": tuple(items if top is None else items[:top]),
            "filters": digest.filters.model_copy(update={"top": top}),
        }
    )
