"""The store on SQLAlchemy (async): SQLite by default, PostgreSQL for several replicas.

Subscriptions and cached snapshots live here; the delivery ledger in ``bot.store.ledger``.
Every method is one transaction, run again when the database connection drops under it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Select,
    Table,
    bindparam,
    delete,
    func,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.errors import ConfigError, StorageError, StoreUnavailable
from bot.limits import MAX_ID, check_keywords
from bot.store.feedback import FeedbackStore
from bot.store.ledger import FINAL_STATES, Ledger, aware
from bot.store.migrations import HEAD
from bot.store.readings import Readings
from bot.store.retry import retried
from bot.store.shelf import DigestShelf
from bot.store.tables import DeliveryRow, MessageRow, SnapshotRow, SubscriptionRow
from bot.subscriptions import Subscription

# A subscription's word and author filters: JSON lists of bounded strings.
WORD_LISTS = ("keywords", "all_keywords", "exclude", "authors")
POOL_SIZE = 16  # PostgreSQL connections kept open (see ``delivery_concurrency``)
MIGRATION_LOCK = 7_221_330  # any constant: the advisory lock that serialises migrations


def async_url(url: str) -> str:
    """The async driver's URL for a plain one: sqlite → aiosqlite, postgresql → psycopg."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url.removeprefix("sqlite:")
    if url.startswith(("postgresql:", "postgres:")):
        return "postgresql+psycopg:" + url.split(":", 1)[1]
    return url


def _at_head(connection: Connection) -> bool:
    """Whether the schema is already at ``HEAD`` (one cheap read: no Alembic import)."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return list(versions) == [HEAD]


def _migrate(connection: Connection) -> None:
    if _at_head(connection):
        return  # the common case: a command starts without importing Alembic (0.16 s)
    # Imported here: Alembic is needed only to migrate, and it is slow to import.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
    config.attributes["connection"] = connection
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
    command.upgrade(config, "head")


def _subscription(row: SubscriptionRow) -> Subscription:
    return Subscription(
        id=row.id,
        platform=row.platform,
        workspace=row.workspace,
        destination=row.destination,
        kind=row.kind,
        categories=tuple(row.categories),
        keywords=tuple(row.keywords),
        all_keywords=tuple(row.all_keywords),
        exclude=tuple(row.exclude),
        authors=tuple(row.authors),
        top=row.top,
        post_time=row.post_time,
        timezone=row.timezone,
        weekdays=tuple(row.weekdays),
        cadence=row.cadence,
        lag=row.lag,
        created_by=row.created_by,
        paused=row.paused,
        paused_reason=row.paused_reason,
        created_at=aware(row.created_at),
        refresh_after=row.refresh_after,
        mix=row.mix,
        content=row.content,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Scheduled:
    """A subscription that may be due, with the revision of its schedule it was read at."""

    subscription: Subscription
    rev: int


@dataclass(frozen=True, slots=True, kw_only=True)
class NextDue:
    """A subscription's next post moment, worked out at ``checked_at`` for revision ``rev``."""

    subscription_id: int
    rev: int
    next_due_at: dt.datetime
    checked_at: dt.datetime


def _maybe_due(at: dt.datetime) -> Any:
    # Not worked out yet, passed, or worked out for a later moment than this run's (a run
    # ``--at`` an earlier moment looks again).
    return or_(
        SubscriptionRow.next_due_at.is_(None),
        SubscriptionRow.next_due_at <= at,
        SubscriptionRow.due_checked_at > at,
    )


def _where(
    query: Select[Any],
    *,
    platform: str | None,
    workspace: str | None,
    destination: str | None,
    paused: bool | None,
) -> Select[Any]:
    if platform is not None:
        query = query.where(SubscriptionRow.platform == platform)
    if workspace is not None:
        query = query.where(SubscriptionRow.workspace == workspace)
    if destination is not None:
        query = query.where(SubscriptionRow.destination == destination)
    if paused is not None:
        query = query.where(SubscriptionRow.paused.is_(paused))
    return query


class SqlStore(Ledger):
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.readings = Readings(engine)
        self.feedback = FeedbackStore(engine)
        self.digests = DigestShelf(self.sessions)

    async def close(self) -> None:
        await self.engine.dispose()

    # Subscriptions

    @retried
    async def add(self, sub: Subscription, *, now: dt.datetime) -> Subscription:
        for words in WORD_LISTS:
            check_keywords(getattr(sub, words))
        fields = sub.model_dump(exclude={"id", "created_at"})
        fields.update(
            {key: list(getattr(sub, key)) for key in ("categories", "weekdays", *WORD_LISTS)}
        )
        async with self.sessions.begin() as session:
            row = SubscriptionRow(**fields, created_at=now)
            session.add(row)
            await session.flush()
            return _subscription(row)

    @retried
    async def subscriptions(
        self,
        *,
        platform: str | None = None,
        workspace: str | None = None,
        destination: str | None = None,
        active_only: bool = False,
        paused: bool | None = None,
        refreshing: bool = False,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Subscription]:
        """Subscriptions in id order, filtered; ``refreshing``: only those whose posts are
        edited later (``refresh_after``); ``limit`` and ``offset`` page through them."""
        query = _where(
            select(SubscriptionRow),
            platform=platform,
            workspace=workspace,
            destination=destination,
            paused=False if active_only else paused,
        ).order_by(SubscriptionRow.id)
        if refreshing:
            query = query.where(SubscriptionRow.refresh_after.is_not(None))
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        async with self.sessions() as session:
            return [_subscription(row) for row in (await session.scalars(query)).all()]

    @retried
    async def maybe_due(self, at: dt.datetime) -> list[Scheduled]:
        """Active subscriptions that may have a post due at ``at`` (by the index on
        ``next_due_at``), in id order: those settled until a later moment are not read."""
        query = (
            select(SubscriptionRow)
            .where(SubscriptionRow.paused.is_(False), _maybe_due(at))
            .order_by(SubscriptionRow.id)
        )
        async with self.sessions() as session:
            return [
                Scheduled(subscription=_subscription(row), rev=row.schedule_rev)
                for row in (await session.scalars(query)).all()
            ]

    @retried
    async def settled_since(self, start: dt.datetime, at: dt.datetime) -> int:
        """How many deliveries scheduled in [``start``, ``at``] are settled, of active
        subscriptions that ``maybe_due(at)`` does not return (what a run leaves alone)."""
        query = (
            select(func.count())
            .select_from(DeliveryRow)
            .join(SubscriptionRow, SubscriptionRow.id == DeliveryRow.subscription_id)
            .where(
                SubscriptionRow.paused.is_(False),
                ~_maybe_due(at),
                DeliveryRow.scheduled_for >= start,
                DeliveryRow.scheduled_for <= at,
                DeliveryRow.state.in_(sorted(FINAL_STATES)),
            )
        )
        async with self.sessions() as session:
            return int(await session.scalar(query) or 0)

    @retried
    async def reschedule(self, moments: list[NextDue]) -> None:
        """Keep each subscription's next post moment, unless its schedule changed meanwhile."""
        if not moments:
            return
        table = cast(Table, SubscriptionRow.__table__)
        statement = (
            update(table)
            .where(table.c.id == bindparam("sid"), table.c.schedule_rev == bindparam("rev"))
            .values(next_due_at=bindparam("next"), due_checked_at=bindparam("checked"))
        )
        async with self.sessions.begin() as session:
            await session.execute(
                statement,
                [
                    {
                        "sid": m.subscription_id,
                        "rev": m.rev,
                        "next": m.next_due_at,
                        "checked": m.checked_at,
                    }
                    for m in moments
                ],
            )

    @retried
    async def count_subscriptions(
        self,
        *,
        platform: str | None = None,
        workspace: str | None = None,
        destination: str | None = None,
        paused: bool | None = None,
    ) -> int:
        """How many subscriptions pass the same filters as ``subscriptions``."""
        query = _where(
            select(func.count()).select_from(SubscriptionRow),
            platform=platform,
            workspace=workspace,
            destination=destination,
            paused=paused,
        )
        async with self.sessions() as session:
            return int(await session.scalar(query) or 0)

    @retried
    async def get(self, subscription_id: int) -> Subscription | None:
        if not 1 <= subscription_id <= MAX_ID:
            return None  # no store holds such an id; SQLite would overflow on it
        async with self.sessions() as session:
            row = await session.get(SubscriptionRow, subscription_id)
            return _subscription(row) if row else None

    @retried
    async def update(self, subscription_id: int, **changes: Any) -> Subscription | None:
        if not 1 <= subscription_id <= MAX_ID:
            return None
        for words in WORD_LISTS:
            if words in changes:
                check_keywords(changes[words])
        for key in ("categories", "weekdays", *WORD_LISTS):
            if key in changes:
                changes[key] = list(changes[key])
        async with self.sessions.begin() as session:
            row = await session.get(SubscriptionRow, subscription_id)
            if row is None:
                return None
            for key, value in changes.items():
                setattr(row, key, value)
            # Whatever changed, the next run works the subscription's next post out again.
            row.next_due_at, row.due_checked_at = None, None
            row.schedule_rev += 1
            return _subscription(row)

    @retried
    async def remove(self, subscription_id: int) -> bool:
        if not 1 <= subscription_id <= MAX_ID:
            return False
        async with self.sessions.begin() as session:
            result = await session.execute(
                delete(SubscriptionRow).where(SubscriptionRow.id == subscription_id)
            )
            deliveries = select(DeliveryRow.id).where(
                DeliveryRow.subscription_id == subscription_id
            )
            await session.execute(delete(MessageRow).where(MessageRow.delivery_id.in_(deliveries)))
            await session.execute(
                delete(DeliveryRow).where(DeliveryRow.subscription_id == subscription_id)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    # Cached snapshots

    @retried
    async def save_snapshot(
        self, digest_date: dt.date, scope: str, body: str, *, taken_at: dt.datetime
    ) -> None:
        async with self.sessions.begin() as session:
            await session.execute(
                delete(SnapshotRow).where(
                    SnapshotRow.digest_date == digest_date, SnapshotRow.scope == scope
                )
            )
            session.add(
                SnapshotRow(digest_date=digest_date, scope=scope, body=body, taken_at=taken_at)
            )

    @retried
    async def prune_snapshots(self, keep_days: int, *, now: dt.datetime) -> int:
        """Forget the stored snapshots taken more than ``keep_days`` before ``now`` (0 keeps
        all); returns how many were forgotten. Their readings stay (``readings_retention_days``).

        By when they were taken, not by day: a past day just backfilled stays its ``keep_days``.
        """
        if keep_days <= 0:
            return 0
        cutoff = now - dt.timedelta(days=keep_days)
        async with self.sessions.begin() as session:
            result = await session.execute(delete(SnapshotRow).where(SnapshotRow.taken_at < cutoff))
            return int(result.rowcount)  # type: ignore[attr-defined]

    @retried
    async def load_snapshot(self, digest_date: dt.date, scope: str) -> str | None:
        async with self.sessions() as session:
            found = await session.scalars(
                select(SnapshotRow.body).where(
                    SnapshotRow.digest_date == digest_date, SnapshotRow.scope == scope
                )
            )
            return found.one_or_none()


def _sqlite_place(url: str) -> None:
    """Make sure a SQLite file can be created and written, before any driver thread starts.

    A failed open inside aiosqlite leaves a worker thread that outlives the event loop and
    prints tracebacks at exit; a directory that cannot be written is said in one sentence.
    """
    path = Path(url.removeprefix("sqlite:///"))
    hint = "set HOTPAPERS_DATA_DIR or HOTPAPERS_DATABASE_URL to a writable place"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"The database directory {str(path.parent)!r} cannot be created "
            f"({exc.strerror}); {hint}."
        ) from exc
    if not path.parent.is_dir():
        raise ConfigError(f"The database directory {str(path.parent)!r} is not a directory.")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise ConfigError(f"The database directory {str(path.parent)!r} is read-only; {hint}.")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ConfigError(f"The database file {str(path)!r} is read-only; {hint}.")


_REFUSED = re.compile(
    r'(database|role) "[^"]{1,100}" does not exist|password authentication failed[^\n]{0,100}'
)


async def _sqlite_threads_stopped(within: float = 2.0) -> None:
    """Let aiosqlite's worker threads of a failed connection finish while the loop still runs:
    once it is closed, their last answer would print a traceback ("Event loop is closed")."""
    for _ in range(int(within / 0.01)):
        if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
            return
        await asyncio.sleep(0.01)


async def open_store(url: str) -> SqlStore:
    """Connect and bring the schema up to date; one sentence says what is wrong.

    ConfigError: the URL or the place cannot work (a driver that is not installed, a directory
    that cannot be written). StoreUnavailable: the database server cannot be reached.
    """
    try:
        # A delivery run keeps up to ``delivery_concurrency`` (16) sessions busy: a pool that
        # holds them all, so that connections are reused, not opened and closed by the hundred.
        pooled = {} if url.startswith("sqlite") else {"pool_size": POOL_SIZE, "max_overflow": 8}
        engine = create_async_engine(
            async_url(url),
            connect_args={"timeout": 30} if url.startswith("sqlite") else {},
            # A server connection may have dropped while pooled; a SQLite file's cannot, and
            # the ping would cost every checkout a round trip to its thread.
            pool_pre_ping=not url.startswith("sqlite"),
            **pooled,
        )
    except ImportError as exc:
        raise ConfigError(
            f"The database URL needs the driver {exc.name or 'for it'}, which is not installed: "
            "hotpapers uses sqlite:///PATH or postgresql://HOST/NAME."
        ) from exc
    except (SQLAlchemyError, ValueError) as exc:
        raise ConfigError(f"The database URL is not usable ({exc}).") from exc
    if url.startswith("sqlite:///") and ":memory:" not in url:
        try:
            _sqlite_place(url)
        except ConfigError:
            await engine.dispose()
            raise
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                await connection.execute(text("PRAGMA journal_mode=WAL"))
            await connection.run_sync(_migrate)
    except (OperationalError, OSError) as exc:
        await engine.dispose()
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        if engine.dialect.name == "sqlite":
            await _sqlite_threads_stopped()
            raise StorageError(f"The database cannot be opened ({reason}).") from exc
        if refused := _REFUSED.search(str(exc)):
            # The server answered: the URL names a database or role it does not have.
            raise ConfigError(f"The database server refused the URL ({refused[0]}).") from exc
        raise StoreUnavailable(f"The database server cannot be reached ({reason}).") from exc
    return SqlStore(engine)
