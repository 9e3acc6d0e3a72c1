"""The ``feedback`` migration: subscriptions made before it get the default mix, and it goes
down again cleanly (SQLite and PostgreSQL)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store import open_store
from bot.store.sql import async_url


def _config(connection: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("bot.store") / "migrations"))
    config.attributes["connection"] = connection
    return config


async def test_subscriptions_made_before_feedback_get_the_default_mix(database_url: str) -> None:
    engine = create_async_engine(async_url(database_url))
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: command.upgrade(_config(c), "filters"))
        await connection.execute(
            text(
                "INSERT INTO subscriptions (platform, workspace, destination, kind, categories,"
                " keywords, top, post_time, timezone, weekdays, created_by, paused,"
                " paused_reason, created_at) VALUES ('slack', 'T1', 'C1', 'channel',"
                " '[\"cs.LG\"]', '[]', 10, '09:00:00', 'UTC', '[0, 1, 2, 3, 4]', '', FALSE, '',"
                " '2026-11-20 08:00:00+00:00')"
            )
        )
    await engine.dispose()
    store = await open_store(database_url)
    try:
        (sub,) = await store.subscriptions()
        assert sub.mix == 0.3
    finally:
        await store.close()


async def test_the_feedback_migration_goes_down_and_up_again(database_url: str) -> None:
    store = await open_store(database_url)
    await store.close()
    engine = create_async_engine(async_url(database_url))

    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    def columns(connection: Connection) -> set[str]:
        return {c["name"] for c in inspect(connection).get_columns("subscriptions")}

    async with engine.begin() as connection:
        assert {"feedback", "interests"} <= await connection.run_sync(tables)
        await connection.run_sync(lambda c: command.downgrade(_config(c), "filters"))
        assert not {"feedback", "interests"} & await connection.run_sync(tables)
        assert "mix" not in await connection.run_sync(columns)
        await connection.run_sync(lambda c: command.upgrade(_config(c), "head"))
        assert "mix" in await connection.run_sync(columns)
    await engine.dispose()


async def test_the_posted_migration_goes_down_and_up_again(database_url: str) -> None:
    store = await open_store(database_url)
    await store.close()
    engine = create_async_engine(async_url(database_url))

    def tables(connection: Connection) -> set[str]:
        return set(inspect(connection).get_table_names())

    async with engine.begin() as connection:
        assert "posted_papers" in await connection.run_sync(tables)
        await connection.run_sync(lambda c: command.downgrade(_config(c), "fanout"))
        assert "posted_papers" not in await connection.run_sync(tables)
        await connection.run_sync(lambda c: command.upgrade(_config(c), "head"))
        assert "posted_papers" in await connection.run_sync(tables)
    await engine.dispose()
