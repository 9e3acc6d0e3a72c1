from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def seed_text() -> str:
    return (DATA / "hot-papers-2021-03-18.md").read_text(encoding="utf-8")


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
