"""The benchmark's ground truth: the score formula of the shared contract, written apart.

This module deliberately imports nothing from ``bot``: it re-implements the formula
(``briefs/formula.md``) from plain records so that the benchmark can check the project's
ranking against an independent reading of it.

1. v(s) = share × Σ w(S.metric) × count (replies/comments 0.5, huggingface.stars 0.1, else 1);
2. r(S, p) = Σ v(s) over p's signals from S;
3. N(S, p) = #{q : 0 < r(S, q) ≤ r(S, p)} / (n_S + K), K = 1;
4. part(S, p) = 100 × W(S) × N(S, p), W = 1;
5. a post's contribution part × v(i) / r(S, p) is capped at 0.5 × Σ_S part(S, p);
6. score = Σ_S (part − capped); ties: more shares (retweets + reposts), then the id.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HALF = ("comments", "replies", "num_comments")
SHARES = ("retweets", "reposts")
RANK_PRIOR = 1.0
MAX_POST_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Record:
    """One signal: a source, a paper, a post (None for aggregates), its counts and share."""

    source: str
    paper: str
    post: str | None
    counts: Mapping[str, int]
    share: float = 1.0


def weight(source: str, metric: str) -> float:
    if metric in HALF:
        return 0.5
    if source == "huggingface" and metric == "stars":
        return 0.1
    return 1.0


def scores(records: Iterable[Record]) -> dict[str, float]:
    """Every engaged paper's score under the formula."""
    unique = {(r.source, r.paper, r.post): r for r in records}  # one per (source, paper, post)
    raw: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    posts: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in unique.values():
        v = r.share * sum(weight(r.source, m) * n for m, n in r.counts.items())
        raw[r.source][r.paper] += v
        if r.post is not None:
            posts[(r.source, r.paper)].append(v)
    parts: dict[str, dict[str, float]] = defaultdict(dict)
    for source, by_paper in raw.items():
        positive = sorted(v for v in by_paper.values() if v > 0)
        for paper, v in by_paper.items():
            if v > 0:
                at_most = bisect.bisect_right(positive, v)
                parts[paper][source] = 100 * at_most / (len(positive) + RANK_PRIOR)
    result: dict[str, float] = {}
    for paper, by_source in parts.items():
        whole = sum(by_source.values())
        limit = MAX_POST_SHARE * whole
        score = 0.0
        for source, part in by_source.items():
            r = raw[source][paper]
            capped = sum(
                max(0.0, part * v / r - limit) for v in posts.get((source, paper), ()) if r > 0
            )
            score += part - capped
        result[paper] = score
    return result


def shares(records: Iterable[Record]) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for r in {(r.source, r.paper, r.post): r for r in records}.values():
        found[r.paper] += sum(r.counts.get(m, 0) for m in SHARES)
    return found


def top(records: Iterable[Record], n: int = 10) -> list[tuple[str, float]]:
    """The n best papers and their scores, ties broken as the contract says."""
    records = list(records)
    score, shared = scores(records), shares(records)
    best = sorted(score, key=lambda p: (-score[p], -shared[p], p))[:n]
    return [(p, round(score[p], 6)) for p in best]
