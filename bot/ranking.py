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

A digest's filters act before the ranking (``ranked``), but P is always every paper of the day,
never only the papers a digest's filters keep: ``tally`` places each paper on each source's
distribution over the whole day once, and a filtered digest scores, orders and builds only the
papers it keeps, each with the score it has on the unfiltered day. A paper's score does not
depend on which digest shows it, and a narrow filter cannot make a paper the top of a source
that barely noticed it.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import heapq
import math
from array import array
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from operator import mul

from bot.attention import STARS, StarReading, counted, old_label, window_start
from bot.matching import words_match
from bot.models import Filters, Paper, Ranked, Signal, SourceScore

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
    """One source's engagement with one paper, while the signals are added up.

    Its posts are a chain through the day's arrays (``_Posts``), not a list of its own: a day
    holds 100,000 posts, and each container kept per paper is one more object for the garbage
    collector to walk, every time it runs.
    """

    source: str
    weights: _MetricWeights
    counts: dict[str, int] = field(default_factory=dict)
    # What the rules of attention took away from ``counts``, per metric, and why.
    change: dict[str, int] | None = None
    notes: tuple[str, ...] = ()
    raw: float = 0.0  # r(S, p)
    unsplit: float = 0.0  # the same without the 1/n shares
    posts: int = 0  # how many
    most: float = -math.inf  # the largest v(i) of a post
    last: int = -1  # the arrival of its last post, -1 without any
    taken_at: dt.datetime | None = None
    normalized: float = 0.0
    place: int = 0


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


class _Posts:
    """Per arrival, a post's ``v(i)``, its engagement before the split, and the arrival of the
    previous post of the same (source, paper), -1 for the first: each ``_Sum``'s posts are a
    chain through three arrays of numbers."""

    __slots__ = ("engagement", "previous", "value")

    def __init__(self, size: int) -> None:
        self.value = array("d", [0.0]) * size
        self.engagement = array("d", [0.0]) * size
        self.previous = array("q", [-1]) * size

    def of(self, mine: _Sum) -> list[int]:
        """The arrivals of a sum's posts, in the order they arrived."""
        found = []
        i = mine.last
        while i >= 0:
            found.append(i)
            i = self.previous[i]
        found.reverse()
        return found


@dataclass(slots=True)
class Tally:
    """A day's engagement added up and placed on each source's distribution: what every
    score of that day is computed from, whichever papers a digest then keeps.

    ``tally`` makes it once per day (the pass over every signal); ``rank`` and ``ranked``
    score and order papers from it. Only the papers asked for are scored, and only those
    shown become ``Ranked`` values.
    """

    papers: dict[str, Paper]
    old: dict[str, str]
    sums: dict[str, list[_Sum]]  # per paper, by source name
    signals: list[Signal]  # by arrival, one per (source, paper, post)
    posts: _Posts
    engaged: dict[str, int]
    most_shares: dict[str, int]
    weights: Mapping[str, float]
    max_post_share: float
    top_posts: int


def tally(
    papers: Sequence[Paper],
    signals: Iterable[Signal],
    *,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    stars_before: Mapping[str, StarReading] | None = None,
    day: dt.date | None = None,
    top_posts: int = TOP_POSTS,
) -> Tally:
    """Add up every signal of the day and place each paper on each source's distribution over
    all of ``papers`` (steps 1 to 3 of the module's doc). Pure.

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
    unique = _unique(signals)
    chain = _Posts(len(unique))
    values, engagement, previous = chain.value, chain.engagement, chain.previous
    # The hot loop of the ranking (100,000 signals): plain dicts, no helper calls per count.
    for arrival, s in enumerate(unique):
        arxiv_id, source, raw = s.arxiv_id, s.source, s.counts
        if arxiv_id not in by_id:
            continue
        mine = sums.get((arxiv_id, source))
        if mine is None:
            ws = weights_of.get(source)
            if ws is None:
                ws = weights_of[source] = _MetricWeights(weights, source)
            mine = sums[arxiv_id, source] = _Sum(source=source, weights=ws)
            by_source[source].append(mine)
        ws = mine.weights
        into = mine.counts
        unsplit = 0.0
        for metric, n in raw.items():
            into[metric] = into.get(metric, 0) + n
            unsplit += ws[metric] * n
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
            values[arrival] = value
            engagement[arrival] = unsplit
            previous[arrival] = mine.last
            mine.last = arrival
            mine.posts += 1
            if value > mine.most:
                mine.most = value
    engaged = {source: _transform(group, rank_prior) for source, group in by_source.items()}
    # The cap weighs a post against the rest of a paper's engagement across sources. With one
    # source engaged it has nothing to weigh against, and would only reorder that source.
    if sum(1 for source, n in engaged.items() if n and weights.get(source, 1.0)) < 2:
        max_post_share = 1.0
    of_paper: dict[str, list[_Sum]] = {}
    most_shares: dict[str, int] = {}
    for (arxiv_id, source), mine in sorted(sums.items()):
        of_paper.setdefault(arxiv_id, []).append(mine)
        shares = _shares(mine.counts)
        most_shares[source] = max(most_shares.get(source, 0), shares)
    return Tally(
        papers=by_id,
        old=old,
        sums=of_paper,
        signals=unique,
        posts=chain,
        engaged=engaged,
        most_shares=most_shares,
        weights=weights,
        max_post_share=max_post_share,
        top_posts=top_posts,
    )


def _shares(counts: dict[str, int]) -> int:
    """Retweets and reposts (``SHARE_METRICS``)."""
    return counts.get("retweets", 0) + counts.get("reposts", 0)


def _parts(day: Tally, sums: list[_Sum]) -> tuple[list[float], list[float]]:
    """One paper's parts by source and what the single-post cap takes from each (steps 4-5)."""
    weights = day.weights
    parts = [SCALE * source_weight(weights, m.source) * m.normalized for m in sums]
    cap = day.max_post_share * sum(parts)
    capped = []
    for m, part in zip(sums, parts, strict=True):
        cut = 0.0
        if part > 0 and m.posts and part * m.most / m.raw > cap:
            values = day.posts.value
            cut = sum(max(0.0, part * values[i] / m.raw - cap) for i in day.posts.of(m))
        capped.append(cut)
    return parts, capped


_Key = tuple[float, float, str]


def _order(day: Tally, arxiv_id: str) -> tuple[_Key, float, bool]:
    """A paper's place in the order (score, then shares, then id), its score, and whether a
    source noticed it with something that counts today (``_noticed``)."""
    sums = day.sums.get(arxiv_id, [])
    parts, capped = _parts(day, sums)
    score = sum(part - cut for part, cut in zip(parts, capped, strict=True))
    # Shares compared as each source's fraction of its most shared paper: scale-free, and
    # on a one-source day the same order as more retweets.
    spread = 0.0
    old = bool(day.old[arxiv_id])
    noticed = False
    for m in sums:
        if n := _shares(m.counts):
            spread += n / day.most_shares[m.source]
        noticed = noticed or _counts_today(m, old)
    # Scores that differ only by rounding (a cap computed from a 1/n share) are ties.
    return (-round(score, _DIGITS), -round(spread, _DIGITS), arxiv_id), score, noticed


def _counts_today(m: _Sum, old: bool) -> bool:
    """``_noticed`` on a source's sums, before they become a ``SourceScore``."""
    if m.change is None or any(n + m.change.get(k, 0) for k, n in m.counts.items()):
        return True
    return not old and any(metric != STARS for metric in m.counts)


def _ranked(day: Tally, arxiv_id: str) -> Ranked:
    sums = day.sums.get(arxiv_id, [])
    parts, capped = _parts(day, sums)
    breakdown = _breakdown(sums, day.weights, parts, capped, day.engaged)
    # The most engaging posts before the split; ties keep the order in which posts were
    # collected (imported posts have no counts).
    engagement = day.posts.engagement
    top = heapq.nlargest(
        day.top_posts, ((engagement[i], -i) for m in sums for i in day.posts.of(m))
    )
    return Ranked(
        paper=day.papers[arxiv_id],
        score=sum(part.score for part in breakdown),
        breakdown=breakdown,
        top_posts=tuple(day.signals[-back].post for _, back in top),
        old=day.old[arxiv_id],
    )


def ranked(day: Tally, filters: Filters) -> list[Ranked]:
    """The papers of the day that pass ``filters``, best first, at most ``top`` of them. Pure.

    The filters act before anything is scored: papers they leave out are never scored, ordered
    or made into ``Ranked`` values, and only the ``top`` shown are. Each paper's score is still
    its score on the whole day (every source's distribution is the day's, see ``tally``), so a
    filtered digest shows the same scores as the unfiltered one. The same as
    ``select(rank(...), filters)``.
    """
    kept = []
    for arxiv_id, paper in day.papers.items():
        if not matches(paper, filters):
            continue
        key, score, noticed = _order(day, arxiv_id)
        if noticed if filters.min_score is None else score >= filters.min_score:
            kept.append(key)
    shown = heapq.nsmallest(filters.top, kept) if filters.top is not None else sorted(kept)
    return [_ranked(day, arxiv_id) for _, _, arxiv_id in shown]


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
    scored = tally(
        papers,
        signals,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        stars_before=stars_before,
        day=day,
        top_posts=top_posts,
    )
    order = sorted(_order(scored, arxiv_id)[0] for arxiv_id in scored.papers)
    return [_ranked(scored, arxiv_id) for _, _, arxiv_id in order]


def _breakdown(
    sums: list[_Sum],
    weights: Mapping[str, float],
    parts: list[float],
    cuts: list[float],
    engaged: Mapping[str, int],
) -> tuple[SourceScore, ...]:
    """One paper's parts, by source name, with the single-post cap applied."""
    breakdown = []
    for m, part, capped in zip(sums, parts, cuts, strict=True):
        source = m.source
        breakdown.append(
            SourceScore(
                source=source,
                counts=m.counts,
                counted={k: n + m.change.get(k, 0) for k, n in m.counts.items()}
                if m.change is not None
                else None,
                note="; ".join(m.notes),
                score=part - capped,
                posts=m.posts,
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
