"""Reading several paged queries of one source within a time budget.

A source that asks one query per host (arxiv.org, alphaxiv.org, …), each newest first, always
asks next for a page of the query that has reached least far back in time. When its time runs
out, every host has then been read back to about the same moment — a consistent sample of the
source, not all of a small host and a few hours of a big one — and what was read is kept: a
digest with most of a source beats one without it.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

log = logging.getLogger(__name__)

# Of the engine's deadline for a source, the part in which it may start requests: the last one
# still has time to answer (latency, politeness gate) before the engine gives up on the source.
SHARE_OF_DEADLINE = 0.8


class TimeBudget:
    """Seconds a source may spend starting requests; None: no limit (the engine's deadline)."""

    def __init__(
        self, seconds: float | None, *, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.monotonic = monotonic
        self.ends = None if seconds is None else monotonic() + seconds

    def spent(self) -> bool:
        return self.ends is not None and self.monotonic() >= self.ends


async def interleave(
    source: str,
    pages: Sequence[AsyncGenerator[list[T], None]],
    budget: TimeBudget,
    *,
    age: Callable[[T], float | None],
) -> list[T]:
    """Every item of every stream of pages (each newest first), the stream that has reached
    least far back read next, until the budget is spent. ``age`` gives an item's timestamp."""
    found: list[T] = []
    active = dict(enumerate(pages))
    reached = dict.fromkeys(active, math.inf)
    try:
        while active:
            if budget.spent():
                log.warning("%s: time budget spent, keeping what was read", source)
                return found
            # Ties (at first, every stream) go in the order the queries were given.
            turn = max(active, key=lambda k: (reached[k], -k))
            try:
                page = await anext(active[turn])
            except StopAsyncIteration:
                del active[turn]
                continue
            found += page
            ages = [a for item in page if (a := age(item)) is not None]
            reached[turn] = min([reached[turn], *ages])
    finally:
        for stream in active.values():
            await stream.aclose()
    return found
