"""Subscriptions: a channel (or webhook) that gets a digest of some categories at a local time."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from bot.models import Value

Platform = Literal["slack", "discord", "console"]
Kind = Literal["channel", "webhook"]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Subscription(Value):
    """Who gets which digest, when: ``post_time`` in ``timezone`` on ``weekdays`` (0 = Monday)."""

    id: int | None = None
    platform: Platform
    workspace: str = ""
    destination: str
    kind: Kind = "channel"
    categories: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    top: int = Field(default=10, ge=1, le=100)
    post_time: dt.time = dt.time(9, 0)
    timezone: str = "UTC"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    created_by: str = ""
    paused: bool = False
    paused_reason: str = ""
    created_at: dt.datetime | None = None

    def where(self) -> str:
        """The destination as people may see it: a webhook's secret part is hidden."""
        if self.kind == "webhook":
            head, _, _ = self.destination.rpartition("/")
            return f"{head}/…"
        return self.destination


def weekdays_phrase(days: tuple[int, ...]) -> str:
    if days == (0, 1, 2, 3, 4):
        return "mon-fri"
    if days == tuple(range(7)):
        return "every day"
    return ",".join(WEEKDAYS[d] for d in days)
