"""Remembering the signed requests already served, in the store that every replica shares.

A signature is valid for five minutes; within them, the same signed request sent again (a
replay) must not run again. Each signature is inserted once under a unique key: the insert
that wins is the one request that runs, on any replica; the others are refused. Rows are
pruned once their signature has expired.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from bot.store.sql import SqlStore
from bot.store.tables import ReplayRow

WINDOW = dt.timedelta(minutes=5)  # how long Slack's signatures are accepted
MARGIN = dt.timedelta(minutes=1)  # clocks of replicas and Slack differ a little


class ReplayGuard:
    def __init__(self, store: SqlStore, *, window: dt.timedelta = WINDOW) -> None:
        self.store = store
        self.keep = window + MARGIN

    async def first_time(self, signature: str, *, now: dt.datetime) -> bool:
        """True for a signature not seen within its window (and remember it); else False."""
        key = hashlib.sha256(signature.encode("utf-8", "surrogateescape")).hexdigest()
        sessions = self.store.sessions
        async with sessions.begin() as session:
            await session.execute(delete(ReplayRow).where(ReplayRow.expires_at < now))
        try:
            async with sessions.begin() as session:
                session.add(ReplayRow(key=key, expires_at=now + self.keep))
        except IntegrityError:
            return False
        return True
