from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from bot.store import SqlStore, open_store

DATA = Path(__file__).parent / "data"

# Property tests and the command fuzzer run a few hundred examples in CI; a longer run is a
# flag away: pytest --hypothesis-profile=long (or HOTPAPERS_FUZZ=long).
settings.register_profile("ci", deadline=None)
settings.register_profile("long", deadline=None, max_examples=20_000)
settings.load_profile(os.environ.get("HOTPAPERS_FUZZ", "ci"))


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def seed_text() -> str:
    return (DATA / "hot-papers-2021-03-18.md").read_text(encoding="utf-8")


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


PG_ADMIN_URL = os.environ.get("HOTPAPERS_TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")


@cache
def _postgres_missing() -> str:
    """Why PostgreSQL cannot be used for the tests, or "" when it can (asked once a run)."""
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3):
            return ""
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return (
            f"{PG_MISSING}{PG_ADMIN_URL} ({first}); "
            "set HOTPAPERS_TEST_DATABASE_URL to run these tests"
        )


PG_MISSING = "PostgreSQL is not reachable at "


def require_postgres() -> None:
    """Skip a PostgreSQL test where the server cannot be reached, except in CI (CI=true),
    where a missing PostgreSQL is a failure."""
    if reason := _postgres_missing():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One visible line for every test skipped for want of PostgreSQL (read from the reports,
    so that it also holds when pytest-xdist's workers ran them)."""
    reasons = [
        str(report.longrepr[2])
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and PG_MISSING in str(report.longrepr[2])
    ]
    if reasons:
        terminalreporter.write_line(
            f"{len(reasons)} tests skipped: {reasons[0].removeprefix('Skipped: ')}",
            yellow=True,
        )


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database on the machine's server, dropped afterwards."""
    require_postgres()
    name = f"hp_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The same tests on a SQLite file and on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hotpapers.db'}"
    else:
        with postgres_database() as url:
            yield url


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    opened = await open_store(database_url)
    yield opened
    await opened.close()
