"""Remembering the signed requests already served, in the store that every replica shares.

A signature is valid for five minutes; within them, the same signed request sent again (a
replay) must not run again. Each signature is claimed once under a unique key: the claim that
wins is the one request that runs, on any replica; the others are refused. A row whose
signature has expired may be claimed again, and such rows are pruned now and then.

Claims are written in batches (a group commit): the signatures that arrive while one batch is
being written go together in the next, one transaction for all of them. A burst of commands
then costs a few transactions instead of one each, which on SQLite (one writer at a time) is
what kept every acknowledgement waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.sql import SqlStore
from bot.store.tables import ReplayRow

WINDOW = dt.timedelta(minutes=5)  # how long Slack's signatures are accepted
MARGIN = dt.timedelta(minutes=1)  # clocks of replicas and Slack differ a little
PRUNE_EVERY = dt.timedelta(minutes=1)  # expired rows are deleted at most this often
MAX_BATCH = 500  # signatures claimed in one statement (two parameters each)

_Ask = tuple[str, dt.datetime, "asyncio.Future[bool]"]


class ReplayGuard:
    def __init__(
        self,
        store: SqlStore,
        *,
        window: dt.timedelta = WINDOW,
        prune_every: dt.timedelta = PRUNE_EVERY,
    ) -> None:
        self.store = store
        self.keep = window + MARGIN
        self.prune_every = prune_every
        self.batches = 0  # transactions written (each claims one batch)
        self._pruned: dt.datetime | None = None
        self._waiting: list[_Ask] = []
        self._writer: asyncio.Task[None] | None = None

    async def first_time(self, signature: str, *, now: dt.datetime) -> bool:
        """True for a signature not seen within its window (and remember it); else False."""
        key = hashlib.sha256(signature.encode("utf-8", "surrogateescape")).hexdigest()
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((key, now, answer))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write())
        return await answer

    async def _write(self) -> None:
        """Claim the waiting signatures, a batch per transaction, until none waits."""
        while self._waiting:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
            try:
                claimed = await self._claim(batch)
            except asyncio.CancelledError:
                for _, _, answer in batch:
                    answer.cancel()
                raise
            except Exception as exc:  # each waiter raises it, as it would have alone
                for _, _, answer in batch:
                    if not answer.done():
                        answer.set_exception(exc)
                continue
            for key, _, answer in batch:
                # The same signature twice in one batch: only its first ask runs.
                first = key in claimed
                claimed.discard(key)
                if not answer.done():
                    answer.set_result(first)

    async def _claim(self, batch: list[_Ask]) -> set[str]:
        """The keys of ``batch`` claimed now: new, or whose earlier claim has expired."""
        now = max(at for _, at, _ in batch)
        expires: dict[str, dt.datetime] = {}
        for key, at, _ in batch:
            expires.setdefault(key, at + self.keep)
        prune = self._pruned is None or now - self._pruned >= self.prune_every
        async with self.store.engine.begin() as connection:
            if prune:
                await connection.execute(delete(ReplayRow).where(ReplayRow.expires_at < now))
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            insert = dialect.insert(ReplayRow)
            # Sorted: replicas claiming overlapping batches lock rows in the same order.
            rows = [{"key": key, "expires_at": expires[key]} for key in sorted(expires)]
            result = await connection.execute(
                insert.values(rows)
                .on_conflict_do_update(
                    index_elements=[ReplayRow.key],
                    set_={"expires_at": insert.excluded.expires_at},
                    where=ReplayRow.expires_at < now,
                )
                # Rowcounts of ON CONFLICT statements differ across drivers; a key is a claim.
                .returning(ReplayRow.key)
            )
            claimed = set(result.scalars())
        self.batches += 1
        if prune:
            self._pruned = now
        return claimed
