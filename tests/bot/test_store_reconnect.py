"""A PostgreSQL connection killed mid-transaction: the store runs the transaction again."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import event

from bot.errors import StorageError, StoreUnavailable
from bot.store import SqlStore, open_store
from bot.subscriptions import Subscription
from tests.conftest import PG_ADMIN_URL, postgres_database

NOW = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)


@pytest.fixture
async def pg_store() -> AsyncIterator[SqlStore]:
    with postgres_database() as url:
        store = await open_store(url)
        yield store
        await store.close()


def kill_during(store: SqlStore, prefix: str, *, times: int) -> list[int]:
    """Terminate the backend of the next ``times`` statements starting with ``prefix``, from
    another connection, just before they run (the transaction is already open)."""
    killed: list[int] = []

    def kill(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if len(killed) < times and statement.lstrip().upper().startswith(prefix):
            pid = conn.connection.driver_connection.info.backend_pid
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            killed.append(pid)

    event.listen(store.engine.sync_engine, "before_cursor_execute", kill)
    return killed


async def claimed(store: SqlStore, *, kill: str = "") -> tuple[Subscription, Any]:
    """A subscription and a claim of its delivery (the claim's ``kill`` statement killed once)."""
    sub = await store.add(
        Subscription(platform="console", destination="lab", post_time=dt.time(9)), now=NOW
    )
    assert sub.id is not None
    killed = kill_during(store, kill, times=1) if kill else []
    claim = await store.claim(
        sub.id,
        NOW.date(),
        scheduled_for=NOW,
        owner="me",
        now=NOW,
        lease=dt.timedelta(minutes=10),
        max_attempts=5,
    )
    assert claim is not None
    assert len(killed) == (1 if kill else 0)
    return sub, claim


async def test_a_killed_connection_is_replaced_and_the_transaction_run_again(
    pg_store: SqlStore,
) -> None:
    sub, claim = await claimed(pg_store)
    killed = kill_during(pg_store, "UPDATE DELIVERIES", times=1)
    assert await pg_store.mark(claim, "posted", now=NOW, message_id="m1")
    assert len(killed) == 1
    (row,) = await pg_store.deliveries(sub.id)
    assert (row.state, row.message_id) == ("posted", "m1")


async def test_a_killed_claim_is_still_ours_after_the_retry(pg_store: SqlStore) -> None:
    _, claim = await claimed(pg_store, kill="INSERT INTO DELIVERIES")
    assert claim.owner == "me"
    assert claim.attempts == 1


async def test_a_database_that_keeps_failing_is_one_sentence(pg_store: SqlStore) -> None:
    _, claim = await claimed(pg_store)
    kill_during(pg_store, "UPDATE DELIVERIES", times=10)
    with pytest.raises(StorageError) as failure:
        await pg_store.mark(claim, "posted", now=NOW)
    message = str(failure.value)
    # Unavailable (exit 3: try again later), not bad input.
    assert isinstance(failure.value, StoreUnavailable)
    assert message.startswith("The database failed 3 times in a row (")
    assert "\n" not in message
    assert "[SQL:" not in message


async def test_any_other_database_failure_is_one_sentence(pg_store: SqlStore) -> None:
    _, claim = await claimed(pg_store)
    async with pg_store.engine.begin() as connection:
        await connection.exec_driver_sql("DROP TABLE delivery_messages")
    with pytest.raises(StorageError) as failure:
        await pg_store.parts(claim)
    message = str(failure.value)
    assert message.startswith("The database refused an operation (UndefinedTable: ")
    assert "\n" not in message
