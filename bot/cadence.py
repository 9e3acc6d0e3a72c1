"""The digest a subscription's cadence and lag ask for, on one digest date.

A daily subscription without lag posts the day's snapshot. With ``lag`` 1 it posts an earlier
announcement ranked with the latest readings the store holds of it (else, or when those
readings hold no paper of its categories, that day's snapshot). A weekly one posts the best of
the week ending at its digest date, from the stored readings (its last day collected first).
A subscription of lab picks posts what its channel liked and saved most over the week up to
when it is made (``bot.feedback.picks``). The Deliverer calls ``subscription_digest`` and
nothing else for this.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Protocol

from bot.engine import build_digest
from bot.errors import HotPapersError, InputError
from bot.feedback import Channel, Tally
from bot.feedback.picks import picks_digest, picks_window
from bot.history.readings import ReadingStore, StarHistory, with_star_baseline
from bot.history.views import span_digest
from bot.models import Digest, Filters, Paper
from bot.ports import SnapshotProvider
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR, matches
from bot.snapshot import Snapshot
from bot.subscriptions import Subscription


class Blender(Protocol):
    """Reorders a subscription's candidates (every paper passing its filters, in hot order) by
    hotness blended with relevance to its channel's taste, cut to its top
    (``bot.relevance.taste.channel_blend`` on the store).

    ``quiet``: the caller knows the channel has no feedback and no imported interests; the
    blend then reads nothing and depends only on the candidates and ``quiet_key(sub)``."""

    async def __call__(
        self, sub: Subscription, candidates: Digest, *, quiet: bool = False
    ) -> Digest: ...


def quiet_key(sub: Subscription) -> tuple[object, ...]:
    """What a quiet channel's blend depends on besides its candidates: the profile of its cold
    start (categories, keywords), its mix and its top. Equal keys, equal blends."""
    return (sub.categories, sub.keywords, sub.mix, sub.top)


class Tallies(Protocol):
    """A channel's feedback as lab picks read it (``bot.store.feedback.FeedbackStore``)."""

    async def tallies(
        self, channel: Channel, *, since: dt.datetime, until: dt.datetime
    ) -> list[Tally]: ...

    async def papers(self, ids: Iterable[str]) -> dict[str, Paper]: ...


async def picks_of(sub: Subscription, feedback: Tallies, *, now: dt.datetime) -> Digest:
    """A lab-picks subscription's digest: its channel's week up to ``now``, cut to its top."""
    since, until = picks_window("week", now)
    where = Channel(platform=sub.platform, channel=sub.destination)
    tallies = await feedback.tallies(where, since=since, until=until)
    papers = await feedback.papers(t.arxiv_id for t in tallies)
    return picks_digest(tallies, papers, since=since, until=until, generated_at=now, top=sub.top)


class StoredDays(ReadingStore, StarHistory, Protocol):
    """The readings store as the subscriptions use it (``bot.store.readings.Readings``)."""

    async def snapshot(self, day: dt.date) -> Snapshot | None:
        """The stored day with the latest reading of each signal; None if absent."""
        ...


def filters_of(sub: Subscription, *, blended: bool = False) -> Filters:
    """What a subscription's digest is filtered by; equal filters, one digest (a cache key).
    ``blended``: every paper passing them, discussed or not, is a candidate of the blend (which
    cuts to the top itself)."""
    if blended:
        return Filters(
            categories=sub.categories,
            keywords=sub.keywords,
            all_keywords=sub.all_keywords,
            exclude=sub.exclude,
            authors=sub.authors,
            min_score=0.0,
        )
    return Filters(
        categories=sub.categories,
        keywords=sub.keywords,
        all_keywords=sub.all_keywords,
        exclude=sub.exclude,
        authors=sub.authors,
        top=sub.top,
    )


async def subscription_digest(
    sub: Subscription,
    day: dt.date,
    *,
    snapshots: SnapshotProvider,
    readings: StoredDays,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    generated_at: dt.datetime,
    blend: Blender | None = None,
    filters: Filters | None = None,
    feedback: Tallies | None = None,
) -> Digest | None:
    """The digest ``sub`` posts for ``day``; None while that day is not available yet. With
    ``blend`` and a ``mix`` above 0, its candidates blended with the channel's taste.

    Raises ``InputError`` (a weekly digest with no stored day in its week) or what the snapshot
    provider raises: the delivery waits and says why. Lab picks need ``feedback``.
    """
    if sub.content == "picks":
        if feedback is None:
            raise InputError("Lab picks need the store's feedback, which was not given.")
        return await picks_of(sub, feedback, now=generated_at)
    if blend is not None and sub.mix > 0:
        found = await subscription_digest(
            sub.model_copy(update={"mix": 0.0}),
            day,
            snapshots=snapshots,
            readings=readings,
            weights=weights,
            max_post_share=max_post_share,
            rank_prior=rank_prior,
            generated_at=generated_at,
            filters=filters_of(sub, blended=True),
        )
        return None if found is None else await blend(sub, found)
    filters = filters or filters_of(sub)
    if sub.cadence == "weekly":
        # The week's last day is collected first, which stores its readings (if no daily post
        # or command asked for it yet); when it cannot be had, the week is the days stored.
        with contextlib.suppress(HotPapersError):
            await snapshots.snapshot(day, sub.categories)
        return await span_digest(
            readings,
            "week",
            filters,
            end=day,
            weights=weights,
            max_post_share=max_post_share,
            rank_prior=rank_prior,
            generated_at=generated_at,
        )
    snapshot = None
    if sub.lag:
        held = await readings.snapshot(day)
        # The store keeps what was collected, perhaps for other categories only: without a
        # paper of these categories, the day's own snapshot is asked for instead.
        wanted = Filters(categories=sub.categories)
        if held is not None and any(matches(p, wanted) for p in held.papers):
            snapshot = await with_star_baseline(readings, held)
    if snapshot is None:
        snapshot = await snapshots.snapshot(day, sub.categories)
    if snapshot is None:
        return None
    return build_digest(
        snapshot,
        filters,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        generated_at=generated_at,
    )
