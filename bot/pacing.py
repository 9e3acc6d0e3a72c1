"""Waiting for the platforms' rate limits before each call, one limiter per limit.

A publisher that is ``Paced`` names the limits each message of a subscription counts against
(a channel, a workspace, a bot, a webhook); the deliverer waits on each before the platform
call, so that a busy destination delays only the deliveries that share its limits. The
limiters are aiolimiter's leaky buckets, made on first use and kept for the process.
``Slots`` bounds the deliveries in progress, first come first served, none held while waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
from collections.abc import AsyncIterator, Sequence

from aiolimiter import AsyncLimiter

from bot.ports import Pace, Paced
from bot.subscriptions import Subscription


class Pacer:
    """One limiter per pace key, made the first time a message counts against it. ``share``:
    the part of each shared limit (a bot's, a workspace's) this process may use — ½ for each
    of two replicas posting for the same bot, which cannot see each other's limiters."""

    def __init__(self, *, share: float = 1.0) -> None:
        if not 0 < share <= 1:
            raise ValueError(f"a share of the shared rate limits is in (0, 1], not {share}")
        self.share = share
        self._limiters: dict[str, AsyncLimiter] = {}

    def __len__(self) -> int:
        return len(self._limiters)

    def limiter(self, pace: Pace) -> AsyncLimiter:
        found = self._limiters.get(pace.key)
        if found is None:
            rate = max(1.0, pace.rate * self.share) if pace.shared else pace.rate
            found = self._limiters[pace.key] = AsyncLimiter(rate, pace.per)
        return found

    async def wait(self, paces: Sequence[Pace]) -> None:
        """Until one more message may go out under every one of ``paces``."""
        for pace in paces:
            await self.limiter(pace).acquire()

    async def before_call(self, publisher: object, sub: Subscription) -> None:
        """Wait for the limits of ``publisher``'s calls for ``sub``; none for an unpaced one."""
        if isinstance(publisher, Paced):
            await self.wait(publisher.paces(sub))


class Slots:
    """At most ``size`` holders at once (deliveries in progress); a freed slot goes to the
    waiter with the lowest ``rank`` (the delivery that started first), so that deliveries run
    through one after another as far as the slots allow, instead of every one claiming before
    any posts. A holder that must wait (a rate limit) gives its slot up meanwhile.

    The rank of a waiter is read from ``RANK`` (a context variable each delivery's task sets).
    """

    def __init__(self, size: int) -> None:
        self.free = size
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._owed = 0  # holders cancelled while taking their slot back: their release is void

    @contextlib.asynccontextmanager
    async def released(self) -> AsyncIterator[None]:
        """Give the held slot up while waiting (for a rate limit, a 429), then take it back —
        before any delivery that started later."""
        self._release()
        try:
            yield
        finally:
            try:
                await self.__aenter__()
            except asyncio.CancelledError:
                self._owed += 1  # the holder's ``async with`` will release what it lacks
                raise

    async def __aenter__(self) -> None:
        if self.free > 0 and not self._waiting:
            self.free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (RANK.get(), next(self._order), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self._release()  # handed over just as we were cancelled: pass it on
            else:
                self._waiting = [w for w in self._waiting if w[2] is not turn]
                heapq.heapify(self._waiting)
            raise

    async def __aexit__(self, *_: object) -> None:
        self._release()

    def _release(self) -> None:
        if self._owed:
            self._owed -= 1
            return
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():
                turn.set_result(None)  # the slot passes straight to it
                return
        self.free += 1


RANK: contextvars.ContextVar[int] = contextvars.ContextVar("delivery_rank", default=-1)
