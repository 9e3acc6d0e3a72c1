"""Views over stored days: what is rising now, and the best of a week or a month.

The pure functions take readings and return a ``Digest``; ``rising_digest`` and
``span_digest`` fetch what they need from a ``ReadingStore`` first, so that the CLI, a chat
command or a subscription gets either view in one call.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Literal

from bot.attention import StarReading
from bot.errors import InputError
from bot.history.readings import ReadingStore, reading_key
from bot.insight import annotate
from bot.models import Digest, Filters, Paper, Ranked, Signal
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR, metric_weight, rank, ranked, select, tally

Span = Literal["week", "month"]
RISING_DAYS = 3
# Two readings closer than this say more about noise than about a trend.
MIN_INTERVAL = dt.timedelta(hours=1)
# Stars count a repository's whole life: only stars gained between two readings of it rise.
LIFETIME_METRICS = frozenset({"stars"})
# Sources of one collection read at slightly different moments: within this much of a paper's
# first reading, a signal was there from the start.
SAME_COLLECTION = dt.timedelta(minutes=15)

Key = tuple[str, str, str]


def _key(signal: Signal) -> Key:
    return signal.source, signal.arxiv_id, reading_key(signal)


def _weighted(signal: Signal, counts: Mapping[str, int], weights: Mapping[str, float]) -> float:
    source_weight = weights.get(signal.source, 1.0)
    return (
        signal.share
        * source_weight
        * sum(metric_weight(weights, signal.source, m) * n for m, n in counts.items())
    )


def _gain(first: Signal, last: Signal, since: dt.datetime) -> dict[str, int]:
    """Counts gained from ``first`` to ``last``, clipped at 0.

    A post, listing or repository first read after the paper's first reading (``since``) is
    new attention: its counts count in full, except lifetime metrics (stars), which only count
    what they gained between two readings.
    """
    first_seen = first.taken_at or since
    gained = {}
    for metric, n in last.counts.items():
        if metric in LIFETIME_METRICS:
            before = first.counts.get(metric, n)
        elif first_seen - since > SAME_COLLECTION:
            before = 0
        else:
            before = first.counts.get(metric, 0)
        if n > before:
            gained[metric] = n - before
    return gained


def rising(
    papers: Sequence[Paper],
    earliest: Sequence[Signal],
    latest: Sequence[Signal],
    filters: Filters,
    *,
    days: Sequence[dt.date],
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    generated_at: dt.datetime,
) -> Digest:
    """The papers of ``days`` ranked by engagement gained per hour between their readings.

    A paper qualifies with readings at least ``MIN_INTERVAL`` apart. Each signal's gain (its
    latest counts minus its earliest, clipped at 0) becomes a gain signal, and gain signals are
    ranked with ``rank`` so that sources stay comparable; each is weighted by 1/hours of its
    paper's readings (through its share, scaled so that the shortest interval keeps share 1:
    the ranking is scale-free), so that the order is by gain per hour. ``gain_per_hour`` is the
    weighted engagement gained (metric weight × count × share, summed over sources) divided by
    the hours between the paper's first and last reading.
    """
    weights = weights or {}
    first_at: dict[str, dt.datetime] = {}
    last_at: dict[str, dt.datetime] = {}
    for s in earliest:
        if s.taken_at is not None:
            first_at[s.arxiv_id] = min(s.taken_at, first_at.get(s.arxiv_id, s.taken_at))
    for s in latest:
        if s.taken_at is not None:
            last_at[s.arxiv_id] = max(s.taken_at, last_at.get(s.arxiv_id, s.taken_at))
    hours = {
        arxiv_id: (last_at[arxiv_id] - start).total_seconds() / 3600
        for arxiv_id, start in first_at.items()
        if arxiv_id in last_at and last_at[arxiv_id] - start >= MIN_INTERVAL
    }
    if not hours:
        raise InputError(
            "No paper of the stored days from "
            f"{days[0] if days else '?'} to {days[-1] if days else '?'} has two readings at least "
            f"{MIN_INTERVAL.total_seconds() / 3600:g} h apart yet, so nothing can be seen rising."
        )
    firsts = {_key(s): s for s in earliest}
    gains: list[tuple[Signal, dict[str, int]]] = []
    for last in latest:
        first = firsts.get(_key(last))
        if last.arxiv_id not in hours or first is None:
            continue
        start = first_at[last.arxiv_id]
        read_at = last.taken_at or start
        if first.taken_at == last.taken_at and read_at - start <= SAME_COLLECTION:
            continue  # read once, at the start: nothing is known about its growth
        gained = _gain(first, last, start)
        if gained:
            gains.append((last, gained))
    per_hour: dict[str, float] = {}
    for last, gained in gains:
        per_hour[last.arxiv_id] = (
            per_hour.get(last.arxiv_id, 0.0)
            + _weighted(last, gained, weights) / hours[last.arxiv_id]
        )
    shortest = min((hours[i] for i in per_hour), default=1.0)
    signals = [
        last.model_copy(
            update={"counts": gained, "share": last.share * shortest / hours[last.arxiv_id]}
        )
        for last, gained in gains
    ]
    candidates = [p for p in papers if p.arxiv_id in per_hour]
    rising = [
        r.model_copy(update={"gain_per_hour": round(per_hour[r.paper.arxiv_id], 2)})
        for r in rank(
            candidates,
            signals,
            # Star counts here are already gains between two readings: counted from zero.
            stars_before={s.repo: (0, s.taken_at or generated_at) for s in signals if s.repo},
            weights=weights,
            max_post_share=max_post_share,
            rank_prior=rank_prior,
        )
    ]
    return _digest(
        select(rising, filters),
        filters,
        view="rising",
        start=days[0] if days else None,
        end=days[-1] if days else generated_at.date(),
        papers=papers,
        signals=latest,
        generated_at=generated_at,
    )


def span_window(view: Span, end: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the week (7 days) or month (back to the same day of the
    previous month, exclusive) ending at ``end``."""
    if view == "week":
        return end - dt.timedelta(days=6), end
    year, month = (end.year, end.month - 1) if end.month > 1 else (end.year - 1, 12)
    day = min(end.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day) + dt.timedelta(days=1), end


def best_of(
    papers: Sequence[Paper],
    latest: Sequence[Signal],
    filters: Filters,
    *,
    view: Span,
    start: dt.date,
    end: dt.date,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    stars_before: Mapping[str, StarReading] | None = None,
    generated_at: dt.datetime,
) -> Digest:
    """The best papers of several days, ranked together, each once with its latest reading.

    Every paper of the days is tallied (each source's distribution is the days'); only those
    that pass the filters are ranked."""
    day = tally(
        papers,
        latest,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        stars_before=stars_before,
    )
    return _digest(
        ranked(day, filters),
        filters,
        view=view,
        start=start,
        end=end,
        papers=papers,
        signals=latest,
        generated_at=generated_at,
    )


def _digest(
    chosen: list[Ranked],
    filters: Filters,
    *,
    view: Literal["week", "month", "rising"],
    start: dt.date | None,
    end: dt.date,
    papers: Sequence[Paper],
    signals: Sequence[Signal],
    generated_at: dt.datetime,
) -> Digest:
    taken = [s.taken_at for s in signals if s.taken_at is not None]
    return Digest(
        date=end,
        start=start,
        view=view,
        filters=filters,
        items=tuple(annotate(chosen, signals)),
        announced=bool(papers),
        papers_considered=len(papers),
        sources_used=tuple(sorted({s.source for s in signals})),
        counts_taken_at=max(taken) if taken else None,
        generated_at=generated_at,
    )


async def rising_digest(
    store: ReadingStore,
    filters: Filters,
    *,
    until: dt.date | None = None,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    generated_at: dt.datetime,
) -> Digest:
    """What rose most per hour over the last ``RISING_DAYS`` stored announcement days."""
    days = (await store.days(until=until))[-RISING_DAYS:]
    if not days:
        upto = f" up to {until}" if until is not None else " yet"
        raise InputError(f"No announcement day is stored{upto}, so nothing can be seen rising.")
    return rising(
        await store.papers(days),
        await store.signals(days, which="earliest"),
        await store.signals(days, which="latest"),
        filters,
        days=days,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        generated_at=generated_at,
    )


async def span_digest(
    store: ReadingStore,
    view: Span,
    filters: Filters,
    *,
    end: dt.date | None = None,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    generated_at: dt.datetime,
) -> Digest:
    """The best of the stored days of the week or month ending at ``end`` (default: the latest
    stored day)."""
    if end is None:
        stored = await store.days()
        if not stored:
            raise InputError("No announcement day is stored yet, so there is no best-of.")
        end = stored[-1]
    start, end = span_window(view, end)
    days = await store.days(since=start, until=end)
    if not days:
        raise InputError(f"No announcement day between {start} and {end} is stored.")
    latest = await store.signals(days, which="latest")
    return best_of(
        await store.papers(days),
        latest,
        filters,
        view=view,
        start=start,
        end=end,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        stars_before=await store.earliest_stars({s.repo for s in latest if s.repo}),
        generated_at=generated_at,
    )
