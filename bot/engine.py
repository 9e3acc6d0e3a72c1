"""The digest engine: collect a day's input (papers and signals), then rank it into a digest.

Collecting does I/O through the ``PaperFeed`` and ``SignalSource`` ports; building the digest
is pure. A source that fails or overruns its deadline is named in the digest and the others
still rank; a feed that fails stops everything, loudly.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from bot.cache import utcnow
from bot.errors import SourceError
from bot.models import Digest, Filters, Paper, Signal, SourceFailure
from bot.ports import PaperFeed, SignalSource
from bot.ranking import rank, select
from bot.snapshot import Snapshot

SOURCE_DEADLINE_S = 30.0

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    return None


class DigestEngine:
    def __init__(
        self,
        feed: PaperFeed,
        sources: Sequence[SignalSource],
        *,
        clock: Callable[[], dt.datetime] = utcnow,
        source_deadline: float = SOURCE_DEADLINE_S,
        progress: Progress = _quiet,
    ) -> None:
        self.feed = feed
        self.sources = tuple(sources)
        self.clock = clock
        self.source_deadline = source_deadline
        self.progress = progress

    async def _signals(
        self, source: SignalSource, papers: Sequence[Paper], day: dt.date
    ) -> list[Signal] | SourceFailure:
        try:
            async with asyncio.timeout(self.source_deadline):
                found = await source.collect(papers, day)
        except SourceError as exc:
            self.progress(f"{source.name}: {exc.reason}")
            return SourceFailure(source=source.name, reason=exc.reason)
        except TimeoutError:
            reason = f"no answer within {self.source_deadline:g} s"
            self.progress(f"{source.name}: {reason}")
            return SourceFailure(source=source.name, reason=reason)
        self.progress(f"{source.name}: {len(found)} signals")
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
        results = await asyncio.gather(
            *(self._signals(s, announcement.papers, announcement.date) for s in self.sources)
        )
        signals: list[Signal] = []
        used: list[str] = []
        failed: list[SourceFailure] = []
        for source, result in zip(self.sources, results, strict=True):
            if isinstance(result, SourceFailure):
                failed.append(result)
            else:
                used.append(source.name)
                signals += result
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


def build_digest(
    snapshot: Snapshot,
    filters: Filters,
    *,
    weights: Mapping[str, float] | None = None,
    generated_at: dt.datetime,
) -> Digest:
    """Rank a snapshot's papers and keep those that pass the filters. Pure."""
    ranked = select(rank(snapshot.papers, snapshot.signals, weights=weights), filters)
    taken = [s.taken_at for s in snapshot.signals if s.taken_at is not None]
    return Digest(
        date=snapshot.date,
        filters=filters,
        items=tuple(ranked),
        announced=snapshot.announced,
        papers_considered=len(snapshot.papers),
        sources_used=snapshot.sources_used,
        sources_failed=snapshot.sources_failed,
        counts_taken_at=max(taken) if taken else snapshot.taken_at,
        generated_at=generated_at,
    )
