"""Politeness towards an upstream: one request at a time, a minimum interval between them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


class Gate:
    """Serialises requests and spaces their starts at least ``interval`` seconds apart.

    arXiv asks for one connection at a time and three seconds between requests. Time and
    sleep are injected so that tests run without waiting.
    """

    def __init__(
        self,
        interval: float,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.interval = interval
        self._monotonic = monotonic
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._last: float | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._lock:
            if self._last is not None:
                wait = self._last + self.interval - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            try:
                yield
            finally:
                self._last = self._monotonic()
