"""Reading several paged queries of one source within a time budget.

A source that asks one query per host (arxiv.org, alphaxiv.org, …) reads them page by page in
turn, so that when its time runs out every host has been read as far back as the others, newest
first, and what was read is kept: a digest with most of a source beats one without it.
"""

from __future__ import annotations

import logging
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
    source: str, pages: Sequence[AsyncGenerator[list[T], None]], budget: TimeBudget
) -> list[T]:
    """Every item of every stream of pages, a page of each in turn, until the budget is spent."""
    found: list[T] = []
    active = list(pages)
    try:
        while active:
            for stream in list(active):
                if budget.spent():
                    log.warning("%s: time budget spent, keeping what was read", source)
                    return found
                try:
                    found += await anext(stream)
                except StopAsyncIteration:
                    active.remove(stream)
    finally:
        for stream in active:
            await stream.aclose()
    return found
