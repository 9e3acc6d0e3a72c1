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

import datetime as dt
import hashlib
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from bot.store.batch import Batch
from bot.store.sql import SqlStore
from bot.store.tables import ReplayRow

WINDOW = dt.timedelta(minutes=5)  # how long Slack's signatures are accepted
MARGIN = dt.timedelta(minutes=1)  # clocks of replicas and Slack differ a little
PRUNE_EVERY = dt.timedelta(minutes=1)  # expired rows are deleted at most this often
MAX_BATCH = 500  # signatures claimed in one statement (two parameters each)

_Ask = tuple[str, dt.datetime]  # a signature's key, and when it was asked about


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
        self._pruned: dt.datetime | None = None
        # The first signature of a burst is claimed at once, the rest together after it: the
        # burst's acknowledgements then go out before its answers begin (which would hold the
        # event loop from them).
        self._claims: Batch[_Ask, bool] = Batch(self._claim, most=MAX_BATCH, gather=False)

    @property
    def batches(self) -> int:
        """Transactions written (each claims one batch)."""
        return self._claims.transactions

    async def first_time(self, signature: str, *, now: dt.datetime) -> bool:
        """True for a signature not seen within its window (and remember it); else False."""
        key = hashlib.sha256(signature.encode("utf-8", "surrogateescape")).hexdigest()
        return await self._claims.submit((key, now))

    async def _claim(self, batch: Sequence[_Ask]) -> list[bool]:
        """Whether each ask of ``batch`` claimed its key now (new, or its earlier claim had
        expired); the same signature twice in one batch: only its first ask runs."""
        now = max(at for _, at in batch)
        expires: dict[str, dt.datetime] = {}
        for key, at in batch:
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
        if prune:
            self._pruned = now
        firsts = []
        for key, _ in batch:
            firsts.append(key in claimed)
            claimed.discard(key)
        return firsts
