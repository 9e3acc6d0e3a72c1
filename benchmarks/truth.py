"""The benchmark's ground truth: the documented score formula, written apart from the project.

This module deliberately imports nothing from ``bot``: it re-implements the formula
(``briefs/formula.md`` and the rules documented since in ``bot/ranking.py``, ``bot/attention.py``
and the README's "How a score is made") from plain records, so that the benchmark can check the
project's ranking against an independent reading of it.

0. Attention now: a repository's star count counts as the stars gained since an earlier
   reading of it; without one, in full only when the repository was created on or after the
   paper's first version, else not at all. An *old* paper (announced as cross, replace or
   replace-cross, first version more than 30 days before the announcement) counts only posts
   dated inside its announcement window (from midnight UTC the day before); undated and
   aggregate counts of it do not count, star gains only from a reading taken in the window.
   When unknown, the first version is bounded by the arXiv id's month.
1. v(s) = share × Σ w(S.metric) × count (replies/comments 0.5, huggingface.stars 0.1, else 1);
   one signal per (source, paper, post): the latest reading, else the larger.
2. r(S, p) = Σ v(s) over p's signals from S;
3. N(S, p) = #{q : 0 < r(S, q) ≤ r(S, p)} / (n_S + K), K = 1; values equal to one part in
   10⁹ are equal;
4. part(S, p) = 100 × W(S) × N(S, p), W = 1;
5. a post's contribution part × v(i) / r(S, p) is capped at 0.5 × Σ_S part(S, p), unless
   only one source engaged with any paper of the run (then nothing is capped);
6. score = Σ_S (part − capped); ties (to 9 decimals): more shares (retweets + reposts), each
   source's as a fraction of that source's most shared paper, summed; then the id.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HALF = ("comments", "replies", "num_comments")
SHARES = ("retweets", "reposts")
RANK_PRIOR = 1.0
MAX_POST_SHARE = 0.5
OLD_KINDS = ("cross", "replace", "replace-cross")
OLD_AFTER = dt.timedelta(days=30)
EQUAL = 1e-9
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Record:
    """One signal: a source, a paper, a post (None for aggregates), its counts and share.

    ``posted`` is when the post was made, ``taken`` when its counts were read; ``repo`` and
    ``repo_created`` say whose stars ``counts["stars"]`` are, where known.
    """

    source: str
    paper: str
    post: str | None
    counts: Mapping[str, int]
    share: float = 1.0
    posted: dt.datetime | None = None
    taken: dt.datetime | None = None
    repo: str | None = None
    repo_created: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Paper:
    """What the attention rules need of a paper: how and when it was announced, its v1 date."""

    announce_type: str = "new"
    announced: dt.date | None = None
    published: dt.date | None = None


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def first_version(arxiv_id: str, published: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The first and last day the first version can be from (its id's month when unknown)."""
    if published is not None:
        return published, published
    new = re.fullmatch(r"(\d\d)(\d\d)\.\d{4,5}", arxiv_id)
    found = new or re.search(r"/(\d\d)(\d\d)\d{3}$", arxiv_id)
    if found is None or not 1 <= int(found.group(2)) <= 12:
        return None
    yy, month = int(found.group(1)), int(found.group(2))
    year = 2000 + yy if new or yy < 91 else 1900 + yy
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def window_if_old(arxiv_id: str, paper: Paper) -> dt.datetime | None:
    """The start of an old paper's announcement window; None for a paper that is not old."""
    if paper.announce_type not in OLD_KINDS or paper.announced is None:
        return None
    bounds = first_version(arxiv_id, paper.published)
    if bounds is None or bounds[1] >= paper.announced - OLD_AFTER:
        return None
    return dt.datetime.combine(paper.announced, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=1)


def counts_now(
    r: Record,
    paper: Paper,
    stars_before: Mapping[str, tuple[int, dt.datetime]],
) -> Mapping[str, int]:
    """The counts of ``r`` that are attention now (rule 0)."""
    window = window_if_old(r.paper, paper)
    zero = dict.fromkeys(r.counts, 0)
    if window is not None and r.post is not None:
        return r.counts if r.posted is not None and _utc(r.posted) >= window else zero
    if "stars" not in r.counts:
        return r.counts if window is None else zero
    earlier = stars_before.get(r.repo.lower()) if r.repo else None
    if earlier is not None:
        read = _utc(earlier[1])
        before = r.taken is None or read <= _utc(r.taken)
        if before and (window is None or read >= window):
            gained = max(0, r.counts["stars"] - earlier[0])
            return {
                m: gained if m == "stars" else (0 if window else n) for m, n in r.counts.items()
            }
    if window is not None:
        return zero
    bounds = first_version(r.paper, paper.published)
    if r.repo_created is not None and bounds is not None and r.repo_created >= bounds[0]:
        return r.counts
    return {m: 0 if m == "stars" else n for m, n in r.counts.items()}


def weight(source: str, metric: str) -> float:
    if metric in HALF:
        return 0.5
    if source == "huggingface" and metric == "stars":
        return 0.1
    return 1.0


def _latest(records: Iterable[Record]) -> list[Record]:
    """One record per (source, paper, post): the latest reading, else the larger counts."""

    def fresh(r: Record) -> tuple[dt.datetime, int, tuple[tuple[str, int], ...], float]:
        taken = _utc(r.taken) if r.taken else NEVER
        return taken, sum(r.counts.values()), tuple(sorted(r.counts.items())), r.share

    kept: dict[tuple[str, str, str | None], Record] = {}
    for r in records:
        key = (r.source, r.paper, r.post)
        if key not in kept or fresh(r) > fresh(kept[key]):
            kept[key] = r
    return list(kept.values())


def scores(
    records: Iterable[Record],
    papers: Mapping[str, Paper] | None = None,
    stars_before: Mapping[str, tuple[int, dt.datetime]] | None = None,
) -> dict[str, float]:
    """Every engaged paper's score under the formula.

    ``papers`` describes the run's papers (a paper not in it: new, announced with its id);
    ``stars_before`` the earliest earlier reading of repositories' stars, by lower-case name.
    """
    papers, readings = papers or {}, {k.lower(): v for k, v in (stars_before or {}).items()}
    new = Paper()
    raw: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    posts: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in _latest(records):
        counts = counts_now(r, papers.get(r.paper, new), readings)
        v = r.share * sum(weight(r.source, m) * n for m, n in counts.items())
        raw[r.source][r.paper] += v
        if r.post is not None:
            posts[(r.source, r.paper)].append(v)
    parts: dict[str, dict[str, float]] = defaultdict(dict)
    engaged = 0
    for source, by_paper in raw.items():
        positive = sorted(v for v in by_paper.values() if v > 0)
        engaged += bool(positive)
        for paper, v in by_paper.items():
            if v > 0:
                at_most = bisect.bisect_right(positive, v * (1 + EQUAL))
                parts[paper][source] = 100 * at_most / (len(positive) + RANK_PRIOR)
    share = MAX_POST_SHARE if engaged >= 2 else 1.0
    result: dict[str, float] = {}
    for paper, by_source in parts.items():
        limit = share * sum(by_source.values())
        score = 0.0
        for source, part in by_source.items():
            total = raw[source][paper]
            capped = sum(max(0.0, part * v / total - limit) for v in posts.get((source, paper), ()))
            score += part - capped
        result[paper] = score
    return result


def shares(records: Iterable[Record]) -> dict[str, float]:
    """Each paper's shares, per source as a fraction of that source's most shared paper."""
    per: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in _latest(records):
        per[r.source][r.paper] += sum(r.counts.get(m, 0) for m in SHARES)
    found: dict[str, float] = defaultdict(float)
    for by_paper in per.values():
        most = max(by_paper.values())
        for paper, n in by_paper.items():
            if n:
                found[paper] += n / most
    return found


def top(
    records: Iterable[Record],
    n: int = 10,
    papers: Mapping[str, Paper] | None = None,
    stars_before: Mapping[str, tuple[int, dt.datetime]] | None = None,
) -> list[tuple[str, float]]:
    """The n best papers and their scores, ties broken as the contract says."""
    records = list(records)
    score, shared = scores(records, papers, stars_before), shares(records)
    best = sorted(score, key=lambda p: (-round(score[p], 9), -round(shared[p], 9), p))[:n]
    return [(p, round(score[p], 6)) for p in best]
