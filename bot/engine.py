"""The digest engine: collect a day's input (papers and signals), then rank it into a digest.

Collecting does I/O through the ``PaperFeed`` and ``SignalSource`` ports; building the digest
is pure. A source that fails or overruns its deadline is named in the digest and the others
still rank; a feed that fails stops everything, loudly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Awaitable, Callable, Mapping, Sequence

from pydantic import TypeAdapter, ValidationError

from bot.attention import StarReading
from bot.cache import utcnow
from bot.errors import SourceError
from bot.insight import annotate
from bot.models import Digest, Filters, Paper, Ranked, Signal, SourceFailure
from bot.ports import Cache, FollowUpSource, PaperFeed, SignalSource
from bot.ranking import MAX_POST_SHARE, RANK_PRIOR, Tally, rank, ranked, tally
from bot.snapshot import Snapshot

SOURCE_DEADLINE_S = 30.0

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """Progress reported nowhere."""
    return


class DigestEngine:
    def __init__(
        self,
        feed: PaperFeed,
        sources: Sequence[SignalSource],
        *,
        follow_ups: Sequence[FollowUpSource] = (),
        clock: Callable[[], dt.datetime] = utcnow,
        source_deadline: float = SOURCE_DEADLINE_S,
        progress: Progress = quiet,
    ) -> None:
        self.feed = feed
        self.sources = tuple(sources)
        self.follow_ups = tuple(follow_ups)
        self.clock = clock
        self.source_deadline = source_deadline
        self.progress = progress

    async def _signals(
        self, name: str, work: Awaitable[list[Signal]]
    ) -> list[Signal] | SourceFailure:
        """What one source found, or why it failed; it never takes longer than the deadline."""
        try:
            async with asyncio.timeout(self.source_deadline):
                found = await work
        except SourceError as exc:
            self.progress(f"{name}: {exc.reason}")
            return SourceFailure(source=name, reason=exc.reason)
        except TimeoutError:
            reason = f"no answer within {self.source_deadline:g} s"
            self.progress(f"{name}: {reason}")
            return SourceFailure(source=name, reason=reason)
        self.progress(f"{name}: {len(found)} signals")
        return found

    async def collect(self, categories: Sequence[str]) -> Snapshot:
        """The latest announcement of ``categories`` and what every source says about it."""
        self.progress("reading arXiv's announcements")
        announcement = await self.feed.announcements(categories)
        if not announcement.papers:
            return Snapshot(
                date=announcement.date,
                announced=announcement.announced,
                taken_at=self.clock(),
                origin="live",
            )
        self.progress(f"{len(announcement.papers)} papers; asking {len(self.sources)} sources")
        papers, day = announcement.papers, announcement.date
        first = await asyncio.gather(
            *(self._signals(s.name, s.collect(papers, day)) for s in self.sources)
        )
        signals: list[Signal] = [
            s for found in first if not isinstance(found, SourceFailure) for s in found
        ]
        later = await asyncio.gather(
            *(self._signals(s.name, s.follow_up(papers, day, signals)) for s in self.follow_ups)
        )
        used: list[str] = []
        failed: list[SourceFailure] = []
        names = [s.name for s in self.sources] + [s.name for s in self.follow_ups]
        for name, result in zip(names, [*first, *later], strict=True):
            if isinstance(result, SourceFailure):
                failed.append(result)
            else:
                used.append(name)
        signals += [s for found in later if not isinstance(found, SourceFailure) for s in found]
        return Snapshot(
            date=announcement.date,
            announced=True,
            papers=announcement.papers,
            signals=tuple(signals),
            sources_used=tuple(used),
            sources_failed=tuple(failed),
            taken_at=self.clock(),
            origin="live",
        )


def tally_snapshot(
    snapshot: Snapshot,
    *,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    stars_before: Mapping[str, StarReading] | None = None,
) -> Tally:
    """The snapshot's engagement added up against the whole day, ready to rank. Pure.

    Scores are always computed against the whole day's distribution (each source's transform
    is per day), so that a filtered digest shows the same scores as the unfiltered one; the
    tally is made once per snapshot and each filter set ranks only the papers it keeps
    (``bot.digests`` caches both). ``stars_before`` is the earliest earlier reading of each
    repository's stars (see ``bot.attention``); by default the one the snapshot carries from
    the readings store.
    """
    return tally(
        snapshot.papers,
        snapshot.signals,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        stars_before=snapshot.stars_before if stars_before is None else stars_before,
        day=snapshot.date,
    )


def rank_snapshot(
    snapshot: Snapshot,
    *,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    stars_before: Mapping[str, StarReading] | None = None,
) -> list[Ranked]:
    """Every paper of the snapshot, best first, scored against the whole day. Pure."""
    return rank(
        snapshot.papers,
        snapshot.signals,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        stars_before=snapshot.stars_before if stars_before is None else stars_before,
        day=snapshot.date,
    )


def digest_of(
    snapshot: Snapshot,
    day: Tally,
    filters: Filters,
    *,
    generated_at: dt.datetime,
) -> Digest:
    """The digest of a tallied snapshot: the papers that pass the filters, ranked and
    annotated. Pure."""
    chosen = annotate(ranked(day, filters), snapshot.signals)
    taken = [s.taken_at for s in snapshot.signals if s.taken_at is not None]
    return Digest(
        date=snapshot.date,
        filters=filters,
        items=tuple(chosen),
        announced=snapshot.announced,
        papers_considered=len(snapshot.papers),
        sources_used=snapshot.sources_used,
        sources_failed=snapshot.sources_failed,
        counts_taken_at=max(taken) if taken else snapshot.taken_at,
        generated_at=generated_at,
    )


def build_digest(
    snapshot: Snapshot,
    filters: Filters,
    *,
    weights: Mapping[str, float] | None = None,
    max_post_share: float = MAX_POST_SHARE,
    rank_prior: float = RANK_PRIOR,
    stars_before: Mapping[str, StarReading] | None = None,
    generated_at: dt.datetime,
) -> Digest:
    """Tally a snapshot's day, then rank the papers that pass the filters. Pure."""
    day = tally_snapshot(
        snapshot,
        weights=weights,
        max_post_share=max_post_share,
        rank_prior=rank_prior,
        stars_before=stars_before,
    )
    return digest_of(snapshot, day, filters, generated_at=generated_at)


class CachedSource:
    """A source whose findings are reused for ``ttl`` (they keep the time they were taken).

    The slash command and many channels ask for the same day within minutes; the cache key is
    the source, the day and the set of papers asked about.
    """

    def __init__(self, source: SignalSource, cache: Cache) -> None:
        self.source = source
        self.name = source.name
        self.cache = cache

    async def collect(self, papers: Sequence[Paper], day: dt.date) -> list[Signal]:
        ids = hashlib.sha256("\n".join(sorted(p.arxiv_id for p in papers)).encode()).hexdigest()
        key = f"signals:{self.name}:{day}:{ids}"
        if (hit := self.cache.get(key)) is not None:
            try:
                return _SIGNALS.validate_json(hit)
            except ValidationError:
                pass  # an entry from another version: ask the source again
        found = await self.source.collect(papers, day)
        self.cache.put(key, _SIGNALS.dump_json(found).decode())
        return found


_SIGNALS = TypeAdapter(list[Signal])
