"""A daily read budget for paid APIs (X/Twitter bills per post read)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from bot.cache import utcnow
from bot.files import write_atomic


class FileBudget:
    """At most ``limit`` reads per UTC day, remembered in a small JSON file across runs."""

    def __init__(
        self, path: Path, limit: int, *, clock: Callable[[], dt.datetime] = utcnow
    ) -> None:
        self.path = path
        self.limit = limit
        self.clock = clock

    def _used(self, day: str) -> int:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return 0
        used = data.get(day, 0) if isinstance(data, dict) else 0
        return used if isinstance(used, int) else 0

    def remaining(self) -> int:
        return max(0, self.limit - self._used(f"{self.clock():%Y-%m-%d}"))

    def take(self, wanted: int) -> int:
        """Grant up to ``wanted`` reads from today's budget and record them as spent."""
        day = f"{self.clock():%Y-%m-%d}"
        granted = min(wanted, max(0, self.limit - self._used(day)))
        if granted:
            write_atomic(self.path, json.dumps({day: self._used(day) + granted}), make_parents=True)
        return granted


class Unlimited:
    def remaining(self) -> int:
        return 1 << 30

    def take(self, wanted: int) -> int:
        return wanted
