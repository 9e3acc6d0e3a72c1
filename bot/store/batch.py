"""Group commit: the writes of many concurrent callers in one transaction.

A delivery run has dozens of deliveries in flight, each moving its messages on in the ledger
(``sending`` before a platform call, ``posted`` after it). Each such write must be durable
before its caller goes on — but it need not be alone in its transaction. ``Batch.submit``
queues one write and waits for its own result; a single drainer takes every write queued by
then and applies them together (``apply``: one transaction, a few statements for all of them).
The callers that joined while a transaction was running go in the next one. Each caller gets
its own result, or the transaction's error: nothing is reported written that was not committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Op = TypeVar("Op")
Result = TypeVar("Result")
MAX_BATCH = 256  # writes in one transaction at most (bounded statement sizes)


class Batch(Generic[Op, Result]):
    """Writes of one kind, applied ``MAX_BATCH`` at a time by ``apply`` (one result each, in
    order)."""

    def __init__(
        self,
        apply: Callable[[Sequence[Op]], Awaitable[Sequence[Result]]],
        *,
        most: int = MAX_BATCH,
        gather: bool = True,
    ) -> None:
        """``gather``: let every write ready in this turn of the event loop join the first
        transaction (False: the first write goes at once, those after it join the next)."""
        self.apply = apply
        self.most = most
        self.gather = gather
        self.transactions = 0  # how many transactions served how many writes (for figures)
        self.writes = 0
        self._queued: list[tuple[Op, asyncio.Future[Result]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def submit(self, op: Op) -> Result:
        """Apply ``op`` with whatever else is queued; its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        self._queued.append((op, future))
        drainer = self._drainer
        if drainer is None or drainer.done() or drainer.get_loop() is not loop:
            # (A drainer of another event loop, one that was closed, serves no one here.)
            self._queued = [(o, f) for o, f in self._queued if f.get_loop() is loop]
            self._drainer = asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        while self._queued:
            if self.gather:  # everyone ready to write in this turn of the loop joins in
                await asyncio.sleep(0)
            taken, self._queued = self._queued[: self.most], self._queued[self.most :]
            waiting = [(op, future) for op, future in taken if not future.cancelled()]
            if not waiting:
                continue
            try:
                await self._serve(waiting)
            except BaseException as exc:  # cancelled: every waiter learns of it
                for _, future in waiting:
                    if not future.done():
                        future.set_exception(exc)
                raise

    async def _serve(self, waiting: list[tuple[Op, asyncio.Future[Result]]]) -> None:
        try:
            results = await self.apply([op for op, _ in waiting])
        except Exception as exc:
            if len(waiting) == 1:
                waiting[0][1].set_exception(exc)
                return
            # One write's failure is its own: each is applied alone, and only it fails.
            for one in waiting:
                await self._serve([one])
            return
        self.transactions += 1
        self.writes += len(waiting)
        for (_, future), result in zip(waiting, results, strict=True):
            if not future.done():
                future.set_result(result)
