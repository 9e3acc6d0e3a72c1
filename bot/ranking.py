"""Ranking and filtering: pure functions from papers and signals to an ordered list.

How a score is made, for one ranking run over the papers P of a day (or a window of days):

1. A signal ``s`` of source ``S`` is worth ``v(s) = share(s) × Σ w(S.metric) × count``. Metric
   weights are 1 except replies and comments (``*.comments``, ``*.replies``,
   ``*.num_comments``: 0.5) and ``huggingface.stars`` (0.1); star counts are attention now
   (``bot.attention``: stars gained since an earlier reading, or of a repository younger than
   the paper), and an old paper that is only cross-listed or replaced counts only dated posts
   of its announcement window. ``share(s)`` is 1/n for a post that links n of the day's papers.
2. A paper's raw engagement on ``S`` is ``r(S,p) = Σ v(s)`` over its signals from ``S``.
3. Sources are made comparable by where the paper stands on each, against that source's own
   distribution over P: with ``n_S`` the papers that ``S`` engaged with (``r > 0``),
   ``N(S,p) = #{q : 0 < r(S,q) ≤ r(S,p)} / (n_S + K)`` (0 when ``r(S,p) = 0``), ``K`` the
   ``rank_prior`` (1: a source that noticed a single paper gives it 1/2, not 1). This is
   scale-free (multiplying a source's counts by a constant changes nothing), monotone within a
   source, and below 1. Raw values equal to one part in 10⁹ are ties (rounding of 1/n shares).
4. The source's part is ``100 × W(S) × N(S,p)``, ``W(S)`` the source weight (default 1).
5. No single post carries a paper: a post ``i`` contributes ``part × v(i) / r(S,p)`` of its
   source's part, at most ``max_post_share`` × the paper's uncapped total; the excess is the
   source's ``capped``. Aggregate signals (no post) are never capped, and neither is anything
   on a day that only one source engaged with (there is nothing to weigh a post against, and
   capping would only break that source's own order).
6. ``score = Σ (part − capped)``. Ties (scores equal to 9 decimals) break on more shares
   (retweets, reposts), each source's counted as a fraction of its most shared paper's (so
   that scaling a source never reorders ties; on a one-source day, simply more retweets), then
   on the arXiv id, so the same inputs always give the same digest.

A day with one source (the imported Hot Papers posts: retweets + favorites; or posts of one
platform) keeps that source's order exactly; a paper that leads two sources (≥ 50 each)
outranks one whose only engagement is one big post on a third (< 100, capped to < 50).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import mul

from bot.attention import STARS, StarReading, counted, old_label, window_start
from bot.matching import words_match
from bot.models import Filters, Paper, Post, Ranked, Signal, SourceScore

DEFAULT_WEIGHTS: Mapping[str, float] = {"huggingface.stars": 0.1}
# Replies and comments are often arguments or thanks: they weigh less than approval.
REPLY_METRICS = frozenset({"comments", "replies", "num_comments"})
REPLY_WEIGHT = 0.5
SHARE_METRICS = ("retweets", "reposts")
TOP_POSTS = 3
MAX_POST_SHARE = 0.5
RANK_PRIOR = 1.0
SCALE = 100.0
_TIE = 1e-9
_DIGITS = 9


def metric_weight(weights: Mapping[str, float], source: str, metric: str) -> float:
    """The weight of one count of one source: ``source.metric``, then ``*.metric``, then the
    default."""
    key = f"{source}.{metric}"
    if key in weights:
        return weights[key]
    if f"*.{metric}" in weights:
        return weights[f"*.{metric}"]
    if key in DEFAULT_WEIGHTS:
        return DEFAULT_WEIGHTS[key]
    return REPLY_WEIGHT if metric in REPLY_METRICS else 1.0


def source_weight(weights: Mapping[str, float], source: str) -> float:
    """The weight ``W(S)`` of a source's part: ``weights[source]``, else 1."""
    return weights.get(source, 1.0)


def _unique(signals: Iterable[Signal]) -> list[Signal]:
    """One signal per (source, paper, post): the same post reached twice counts once.

    Of two readings, the later one is kept; of two taken at the same time, the larger one, so
    that the result never depends on the order in which signals arrived.
    """
    # Keys are strings, not tuples: 100,000 tuples kept alive would wake the garbage collector.
    latest: dict[str, Signal] = {}
    for s in signals:
        post = s.post
        key = (
            f"{s.source}\n{s.arxiv_id}\n{post.url}"
            if post is not None
            else f"{s.source}\n{s.arxiv_id}"
        )
        kept = latest.get(key)
        if kept is None or _freshness(s) > _freshness(kept):
            latest[key] = s
    return list(latest.values())


def _freshness(signal: Signal) -> tuple[dt.datetime, int, tuple[tuple[str, int], ...], float]:
    taken = signal.taken_at or dt.datetime.min.replace(tzinfo=dt.UTC)
    counts = tuple(sorted(signal.counts.items()))
    return taken, sum(signal.counts.values()), counts, signal.share


class _MetricWeights(dict[str, float]):
    """The metric weights of one source, each looked up once."""

    def __init__(self, weights: Mapping[str, float], source: str) -> None:
        super().__init__()
        self.weights, self.source = weights, source

    def __missing__(self, metric: str) -> float:
        self[metric] = w = metric_weight(self.weights, self.source, metric)
        return w


@dataclass(slots=True)
class _Sum:
    """One source's engagement with one paper, while the signals are added up."""

    weights: _MetricWeights
    counts: dict[str, int] = field(default_factory=dict)
    # What the rules of attention took away from ``counts``, per metric, and why.
    change: dict[str, int] | None = None
    notes: tuple[str, ...] = ()
    raw: float = 0.0  # r(S, p)
    unsplit: float = 0.0  # the same without the 1/n shares
    posts: list[float] = field(default_factory=list)  # v(i) of each post
    taken_at: dt.datetime | None = None
    normalized: float = 0.0
    place: int = 0
    # Its best posts so far as (engagement before the split, -arrival, post), in a heap whose
    # first item is the one to drop: ties keep the post collected first.
    best: list[tuple[float, int, Post]] = field(default_factory=list)


def _transform(sums: list[_Sum], prior: float) -> int:
    """Set ``normalized`` and ``place`` of one source's sums; the number it engaged with."""
    engaged = sorted((s for s in sums if s.raw > 0), key=lambda s: s.raw)
    n = len(engaged)
    end = n
    # Walk down from the largest: a group of ties shares the count of values at or below it.
    while end > 0:
        start = end - 1
        low = engaged[start].raw
        while start > 0 and engaged[start - 1].raw * (1 + _TIE) >= low:
            start -= 1
            low = engaged[start].raw
        for s in engaged[start:end]:
            s.normalized = end / (n + prior)
            s.place = n - end + 1
        end = start
    return n


def rank(
    papers: Sequence[Paper],
    signals: Iterable[Signal],
    *,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    stars_before: Mapping[str, StarReading] | None = None,
    day: dt.date | None = None,
    top_posts: int = TOP_POSTS,
) -> list[Ranked]:
    """Every paper, best first, with its score explained per source (see the module's doc).

    ``day`` is the announcement date of papers that do not carry one; ``stars_before`` the
    earliest earlier reading of each repository's stars (``owner/name`` → (stars, taken at)).
    Signals about papers that are not in ``papers`` are ignored.
    """
    weights = weights or {}
    readings = {repo.lower(): reading for repo, reading in (stars_before or {}).items()}

    weights_of: dict[str, _MetricWeights] = {}
    by_id = {p.arxiv_id: p for p in papers}
    old = {i: old_label(p, day) for i, p in by_id.items()}
    since = {
        i: window_start(announced)
        for i, p in by_id.items()
        if old[i] and (announced := p.announced or day) is not None
    }
    sums: dict[tuple[str, str], _Sum] = {}
    by_source: dict[str, list[_Sum]] = defaultdict(list)
    # The hot loop of the ranking (100,000 signals): plain dicts, no helper calls per count.
    for arrival, s in enumerate(_unique(signals)):
        arxiv_id, source, raw = s.arxiv_id, s.source, s.counts
        if arxiv_id not in by_id:
            continue
        mine = sums.get((arxiv_id, source))
        if mine is None:
            ws = weights_of.get(source)
            if ws is None:
                ws = weights_of[source] = _MetricWeights(weights, source)
            mine = sums[arxiv_id, source] = _Sum(weights=ws)
            by_source[source].append(mine)
        ws = mine.weights
        into = mine.counts
        for metric, n in raw.items():
            into[metric] = into.get(metric, 0) + n
        unsplit = sum(map(mul, map(ws.__getitem__, raw), raw.values()))
        if STARS in raw or arxiv_id in since:
            found = counted(s, by_id[arxiv_id], stars_before=readings, since=since.get(arxiv_id))
            if found.note:
                unsplit = sum(map(mul, map(ws.__getitem__, found.counts), found.counts.values()))
                change = mine.change = mine.change or {}
                for metric, n in found.counts.items():
                    change[metric] = change.get(metric, 0) + n - raw[metric]
                if found.note not in mine.notes:
                    mine.notes += (found.note,)
        value = s.share * unsplit
        mine.raw += value
        mine.unsplit += unsplit
        taken = s.taken_at
        if taken is not None and (mine.taken_at is None or taken > mine.taken_at):
            mine.taken_at = taken
        if s.post is not None:
            mine.posts.append(value)
            kept = mine.best
            if len(kept) < top_posts:
                heapq.heappush(kept, (unsplit, -arrival, s.post))
            elif top_posts and unsplit > kept[0][0]:
                heapq.heapreplace(kept, (unsplit, -arrival, s.post))
    engaged = {source: _transform(group, rank_prior) for source, group in by_source.items()}
    # The cap weighs a post against the rest of a paper's engagement across sources. With one
    # source engaged it has nothing to weigh against, and would only reorder that source.
    if sum(1 for source, n in engaged.items() if n and weights.get(source, 1.0)) < 2:
        max_post_share = 1.0
    of_paper: dict[str, list[tuple[str, _Sum]]] = defaultdict(list)
    for (arxiv_id, source), mine in sorted(sums.items()):
        of_paper[arxiv_id].append((source, mine))
    ordered: list[tuple[Ranked, dict[str, int]]] = []
    most_shares: dict[str, int] = {}
    for arxiv_id, paper in by_id.items():
        sums_of = of_paper.get(arxiv_id, [])
        breakdown = _breakdown(sums_of, weights, max_post_share, engaged)
        shares = {
            part.source: sum(part.counts.get(m, 0) for m in SHARE_METRICS) for part in breakdown
        }
        for source, n in shares.items():
            most_shares[source] = max(most_shares.get(source, 0), n)
        # Ties keep the order in which posts were collected (imported posts have no counts).
        top = sorted((post for _, m in sums_of for post in m.best), reverse=True)[:top_posts]
        ranked = Ranked(
            paper=paper,
            score=sum(part.score for part in breakdown),
            breakdown=breakdown,
            top_posts=tuple(post for _, _, post in top),
            old=old[arxiv_id],
        )
        ordered.append((ranked, shares))

    def order(row: tuple[Ranked, dict[str, int]]) -> tuple[float, float, str]:
        ranked, shares = row
        # Shares compared as each source's fraction of its most shared paper: scale-free, and
        # on a one-source day the same order as more retweets.
        spread = sum(n / most_shares[source] for source, n in shares.items() if n)
        # Scores that differ only by rounding (a cap computed from a 1/n share) are ties.
        return -round(ranked.score, _DIGITS), -round(spread, _DIGITS), ranked.paper.arxiv_id

    ordered.sort(key=order)
    return [row[0] for row in ordered]


def _breakdown(
    sums: list[tuple[str, _Sum]],
    weights: Mapping[str, float],
    max_post_share: float,
    engaged: Mapping[str, int],
) -> tuple[SourceScore, ...]:
    """One paper's parts, by source name, with the single-post cap applied."""
    parts = [SCALE * source_weight(weights, source) * m.normalized for source, m in sums]
    cap = max_post_share * sum(parts)
    breakdown = []
    for (source, m), part in zip(sums, parts, strict=True):
        capped = 0.0
        if part > 0 and m.posts and part * max(m.posts) / m.raw > cap:
            capped = sum(max(0.0, part * v / m.raw - cap) for v in m.posts)
        breakdown.append(
            SourceScore(
                source=source,
                counts=m.counts,
                counted={k: n + m.change.get(k, 0) for k, n in m.counts.items()}
                if m.change is not None
                else None,
                note="; ".join(m.notes),
                score=part - capped,
                posts=len(m.posts),
                taken_at=m.taken_at,
                weighted=m.raw,
                share=m.raw / m.unsplit if m.unsplit > 0 else 1.0,
                normalized=m.normalized,
                weight=source_weight(weights, source),
                capped=capped,
                place=m.place,
                of=engaged[source],
            )
        )
    return tuple(breakdown)


def category_matches(pattern: str, category: str) -> bool:
    """Whether ``category`` is selected by ``pattern``: exact, ``cs.*`` or the archive ``cs``."""
    pattern, category = pattern.lower(), category.lower()
    if "*" in pattern or "?" in pattern:
        return fnmatch.fnmatchcase(category, pattern)
    return category == pattern or category.startswith(pattern + ".")


def matches(paper: Paper, filters: Filters) -> bool:
    """Whether a paper passes the category, word and author filters (cross-lists count)."""
    if filters.categories and not any(
        category_matches(pattern, category)
        for pattern in filters.categories
        for category in (*paper.categories, paper.primary_category or "")
        if category
    ):
        return False
    return words_match(paper, filters)


def _noticed(part: SourceScore, old: bool) -> bool:
    """Whether a source noticed the paper with something that counts today (even 0 likes).

    Not when the rules of attention set every count to 0: lifetime stars alone, or an old
    paper's old engagement.
    """
    if part.counted is None or any(part.counted.values()):
        return True
    return not old and any(metric != STARS for metric in part.counts)


def _scores_enough(ranked: Ranked, floor: float | None) -> bool:
    if floor is None:
        return any(_noticed(part, bool(ranked.old)) for part in ranked.breakdown)
    return ranked.score >= floor


def select(ranked: Iterable[Ranked], filters: Filters) -> list[Ranked]:
    """The ranked papers that pass the filters and the minimum score, at most ``top`` of them.

    Without a minimum score, papers that no source mentioned are left out, and so are papers
    whose only engagement does not count today (lifetime stars, old engagement of old papers).
    """
    chosen = [
        r for r in ranked if _scores_enough(r, filters.min_score) and matches(r.paper, filters)
    ]
    return chosen if filters.top is None else chosen[: filters.top]
