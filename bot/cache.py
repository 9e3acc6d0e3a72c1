"""A file cache for fetched upstream responses, so that arXiv is asked once, not every run."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from bot.files import write_atomic


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class FileCache:
    """One JSON file per key under ``root``; entries older than ``ttl`` count as missing."""

    def __init__(
        self, root: Path, *, ttl: dt.timedelta, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.root = root
        self.ttl = ttl
        self.clock = clock

    def _path(self, key: str) -> Path:
        return self.root / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"

    def get(self, key: str) -> str | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            stored = dt.datetime.fromisoformat(entry["stored_at"])
            value = entry["value"]
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a damaged entry is a miss; it is rewritten on the next put
        if entry.get("key") != key or self.clock() - stored > self.ttl:
            return None
        return str(value)

    def put(self, key: str, value: str) -> None:
        entry = {"key": key, "stored_at": self.clock().isoformat(), "value": value}
        write_atomic(self._path(key), json.dumps(entry, ensure_ascii=False), make_parents=True)


class NoCache:
    """A cache that keeps nothing, for runs that must see fresh data."""

    def get(self, key: str) -> str | None:
        return None

    def put(self, key: str, value: str) -> None:
        return None
