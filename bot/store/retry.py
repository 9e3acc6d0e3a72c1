"""Retrying a store transaction when the database connection drops under it.

A PostgreSQL connection can be killed mid-transaction (a failover, a restart, an idle-session
timeout); the pool then hands out a fresh one, and the whole transaction is run again. Every
store method is one unit of work written to be safe to repeat. If the database still fails,
the caller gets a one-sentence StorageError instead of SQLAlchemy's multi-line dump.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from bot.errors import StorageError, StoreUnavailable

P = ParamSpec("P")
T = TypeVar("T")
TRIES = 3
PAUSE_S = 0.2
log = logging.getLogger("hotpapers.store")


def _transient(exc: DBAPIError) -> bool:
    return bool(exc.connection_invalidated) or isinstance(exc, OperationalError | InterfaceError)


def _reason(exc: BaseException) -> str:
    origin = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    first = (str(origin).strip().splitlines() or [""])[0]
    return f"{type(origin).__name__}: {first}" if first else type(origin).__name__


def retried(work: Callable[P, Awaitable[T]]) -> Callable[P, Coroutine[Any, Any, T]]:
    """Run ``work`` again when its connection fails, up to ``TRIES`` times; then StorageError."""

    @functools.wraps(work)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        for attempt in range(1, TRIES + 1):
            try:
                return await work(*args, **kwargs)
            except DBAPIError as exc:
                if not _transient(exc):
                    raise StorageError(
                        f"The database refused an operation ({_reason(exc)})."
                    ) from exc
                if attempt == TRIES:
                    raise StoreUnavailable(
                        f"The database failed {TRIES} times in a row ({_reason(exc)})."
                    ) from exc
                log.warning("database connection failed (%s); retrying", _reason(exc))
                await asyncio.sleep(PAUSE_S * attempt)
            except SQLAlchemyError as exc:
                raise StorageError(f"The store failed ({_reason(exc)}).") from exc
        raise AssertionError("unreachable")

    return run
