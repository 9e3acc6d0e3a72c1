"""Ranking and filtering: pure functions from papers and signals to an ordered list.

A paper's score is the weighted sum, over every signal about it, of the signal's counts::

    score(paper) = sum over signals s of  w[s.source] * sum over counts (m, n) of  w[s.source.m] * n

``w[source]`` defaults to 1 and ``w[source.metric]`` to the value in ``DEFAULT_WEIGHTS`` or
1. This reproduces the reference Hot Papers posts, whose order is retweets + favorites. Ties
break on more shares (retweets, reposts), then on the arXiv id, so the same inputs always give
the same digest.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

from bot.models import Filters, Paper, Post, Ranked, Signal, SourceScore

# Stars measure a repository's whole life, not today's attention; replies are often arguments.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "huggingface.stars": 0.1,
    "github.stars": 0.1,
    "bluesky.replies": 0.0,
}
SHARE_METRICS = ("retweets", "reposts")
TOP_POSTS = 3


def metric_weight(weights: Mapping[str, float], source: str, metric: str) -> float:
    """The weight of one count of one source, the configured value first."""
    key = f"{source}.{metric}"
    return weights.get(key, DEFAULT_WEIGHTS.get(key, 1.0))


def _unique(signals: Iterable[Signal]) -> list[Signal]:
    """One signal per (source, paper, post): the same post reached twice counts once.

    Of two readings, the later one is kept; of two taken at the same time, the larger one, so
    that the result never depends on the order in which signals arrived.
    """
    latest: dict[tuple[str, str, str | None], Signal] = {}
    for s in signals:
        key = (s.source, s.arxiv_id, s.post.url if s.post else None)
        kept = latest.get(key)
        if kept is None or _freshness(s) > _freshness(kept):
            latest[key] = s
    return list(latest.values())


def _freshness(signal: Signal) -> tuple[dt.datetime, int, tuple[tuple[str, int], ...], float]:
    taken = signal.taken_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    counts = tuple(sorted(signal.counts.items()))
    return taken, sum(signal.counts.values()), counts, signal.share


Scored = tuple[Signal, float]  # a signal and its whole weighted engagement, before its share


def _breakdown(signals: Sequence[Scored]) -> tuple[SourceScore, ...]:
    by_source: dict[str, list[Scored]] = defaultdict(list)
    for scored in signals:
        by_source[scored[0].source].append(scored)
    parts = []
    for source in sorted(by_source):
        group = by_source[source]
        counts: dict[str, int] = defaultdict(int)
        for s, _ in group:
            for metric, n in s.counts.items():
                counts[metric] += n
        taken = [s.taken_at for s, _ in group if s.taken_at is not None]
        parts.append(
            SourceScore(
                source=source,
                counts=dict(counts),
                score=sum(engagement * s.share for s, engagement in group),
                posts=sum(1 for s, _ in group if s.post is not None),
                taken_at=max(taken) if taken else None,
            )
        )
    return tuple(parts)


def _top_posts(signals: Sequence[Scored], limit: int) -> tuple[Post, ...]:
    posts = [(engagement, s.post) for s, engagement in signals if s.post]
    # Ties keep the order in which posts were collected (imported posts have no counts).
    best = heapq.nsmallest(limit, range(len(posts)), key=lambda i: (-posts[i][0], i))
    return tuple(posts[i][1] for i in best)


def _shares(ranked: Ranked) -> int:
    return sum(part.counts.get(m, 0) for part in ranked.breakdown for m in SHARE_METRICS)


def rank(
    papers: Sequence[Paper],
    signals: Iterable[Signal],
    *,
    weights: Mapping[str, float] | None = None,
    top_posts: int = TOP_POSTS,
) -> list[Ranked]:
    """Every paper, best first, with its score explained per source.

    Signals about papers that are not in ``papers`` are ignored.
    """
    weights = weights or {}

    @cache
    def weight(source: str, metric: str) -> float:
        return weights.get(source, 1.0) * metric_weight(weights, source, metric)

    wanted = {p.arxiv_id for p in papers}
    about: dict[str, list[Scored]] = defaultdict(list)
    for s in _unique(signals):
        if s.arxiv_id in wanted:
            engagement = sum(weight(s.source, m) * n for m, n in s.counts.items())
            about[s.arxiv_id].append((s, engagement))
    ranked = []
    for paper in {p.arxiv_id: p for p in papers}.values():
        mine = about[paper.arxiv_id]
        breakdown = _breakdown(mine)
        ranked.append(
            Ranked(
                paper=paper,
                score=sum(part.score for part in breakdown),
                breakdown=breakdown,
                top_posts=_top_posts(mine, top_posts),
            )
        )
    ranked.sort(key=lambda r: (-r.score, -_shares(r), r.paper.arxiv_id))
    return ranked


def category_matches(pattern: str, category: str) -> bool:
    """Whether ``category`` is selected by ``pattern``: exact, ``cs.*`` or the archive ``cs``."""
    pattern, category = pattern.lower(), category.lower()
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(category, pattern)
    return category == pattern or category.startswith(pattern + ".")


def matches(paper: Paper, filters: Filters) -> bool:
    """Whether a paper passes the category and keyword filters (cross-lists count)."""
    if filters.categories and not any(
        category_matches(pattern, category)
        for pattern in filters.categories
        for category in (*paper.categories, paper.primary_category or "")
        if category
    ):
        return False
    if filters.keywords:
        haystack = f"{paper.title}\n{paper.abstract}".casefold()
        return any(k.casefold() in haystack for k in filters.keywords)
    return True


def _scores_enough(ranked: Ranked, floor: float | None) -> bool:
    return bool(ranked.breakdown) if floor is None else ranked.score >= floor


def select(ranked: Iterable[Ranked], filters: Filters) -> list[Ranked]:
    """The ranked papers that pass the filters and the minimum score, at most ``top`` of them.

    Without a minimum score, papers that no source mentioned at all are left out.
    """
    chosen = [
        r for r in ranked if _scores_enough(r, filters.min_score) and matches(r.paper, filters)
    ]
    return chosen if filters.top is None else chosen[: filters.top]
