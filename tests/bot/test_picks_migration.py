"""The ``picks`` migration: subscriptions made before it post the hot papers, and it goes down
and up again cleanly (SQLite and PostgreSQL)."""

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


def _columns(connection: Connection) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("subscriptions")}


def _people(connection: Connection) -> set[str]:
    return {c["name"] for c in inspect(connection).get_columns("follow_people")}


async def test_subscriptions_made_before_picks_post_the_hot_papers(database_url: str) -> None:
    engine = create_async_engine(async_url(database_url))
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: command.upgrade(_config(c), "posted"))
        assert "content" not in await connection.run_sync(_columns)
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
        assert sub.content == "hot"
    finally:
        await store.close()
    engine = create_async_engine(async_url(database_url))
    async with engine.begin() as connection:
        await connection.run_sync(lambda c: command.downgrade(_config(c), "posted"))
        assert "content" not in await connection.run_sync(_columns)
        assert "me_mix" not in await connection.run_sync(_people)
        await connection.run_sync(lambda c: command.upgrade(_config(c), "head"))
        assert "content" in await connection.run_sync(_columns)
        assert "me_mix" in await connection.run_sync(_people)
    await engine.dispose()
